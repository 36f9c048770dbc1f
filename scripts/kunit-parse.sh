#!/usr/bin/env bash
# Check serial logs with Linux's own KTAP parser (tools/testing/kunit,
# kunit.py parse): it reports a plan that does not match the results
# ("missing subtest", "expected N tests") as an error.
#
# Usage: kunit-parse.sh LOG...
# The parser comes from Debian's linux-source-6.12 package: fetched with
# apt-get download into build/kunit/ the first time (~150 MB, ~20 s to pull
# tools/testing/kunit out of it), then kept there; nothing of it is committed.
# Exit status: 0 when every log parses without errors (failed tests in the
# log are fine), 1 on a parser error, 77 when the parser cannot be had.
set -uo pipefail
# --help (first argument only: a later one may be a value): the comment above.
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/build/kunit
pkg=linux-source-6.12
kunit=$cache/$pkg/tools/testing/kunit/kunit.py
[ $# -gt 0 ] || { echo "usage: kunit-parse.sh LOG..." >&2; exit 2; }

# Download and unpack into a fresh directory, then move it in place: an
# interrupted or failed fetch leaves nothing that looks like a parser.
fetch() {
	local deb tmp st
	mkdir -p "$cache" || return 1
	tmp=$(mktemp -d "$cache/fetch.XXXXXX") || return 1
	(cd "$tmp" && timeout 300 apt-get -o Acquire::Retries=0 download "$pkg" \
		>"$cache/download.log" 2>&1) || { rm -rf "$tmp"; return 1; }
	deb=$(ls "$tmp"/"$pkg"_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || { rm -rf "$tmp"; return 1; }
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards "*/$pkg.tar.xz" |
		tar -xJ -C "$tmp" --wildcards "$pkg/tools/testing/kunit/*"
	st=$?
	rm -f "$deb"
	[ $st = 0 ] && [ -f "$tmp/$pkg/tools/testing/kunit/kunit.py" ] && rm -rf "$cache/$pkg" &&
		mv "$tmp/$pkg" "$cache/$pkg"
	st=$?
	rm -rf "$tmp"
	return $st
}

if [ ! -f "$kunit" ] && ! fetch; then
	echo "kunit-parse: skipped: cannot fetch $pkg with apt-get download (see $cache/download.log)"
	exit 77
fi

status=0
for log in "$@"; do
	# kunit.py changes directory: give it an absolute path.
	out=$(python3 "$kunit" parse "$(realpath "$log")" 2>&1)
	errors=$(grep -E '\[ERROR\]|missing subtest|expected [0-9]+ tests?, but|could not find any KTAP|Error' <<<"$out")
	grep -q 'Testing complete' <<<"$out" || errors=${errors:-$(tail -3 <<<"$out")}
	if [ -n "$errors" ]; then
		echo "kunit-parse: $log: the parser reports errors:"
		echo "$errors" | sed -E 's/^\[[0-9:]+\] //' | head -20
		status=1
	else
		echo "kunit-parse: $log: $(tail -1 <<<"$out" | sed -E 's/^\[[0-9:]+\] //')"
	fi
done
exit $status
