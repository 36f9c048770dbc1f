# shellcheck shell=bash disable=SC2154
# make bench-linux's package cache (sourced by scripts/bench-linux.sh and by
# tests/e2e/bench_linux_parse.sh). The caller sets $debs (the directory) and
# defines die(). A .deb is checked with dpkg-deb --info after its download
# and before each reuse: a truncated one is removed, not reused forever.

# deb_ok FILE: is FILE a readable .deb archive?
deb_ok() {
	dpkg-deb --info "$1" >/dev/null 2>&1
}

# deb_path PACKAGE: the cached .deb of PACKAGE (empty if none).
deb_path() {
	ls "$debs/${1}_"*.deb 2>/dev/null | head -1
}

# fetch PACKAGE...: put a sound .deb of each PACKAGE in $debs (apt-get download).
fetch() {
	local p f
	for p in "$@"; do
		f=$(deb_path "$p")
		if [ -n "$f" ] && ! deb_ok "$f"; then
			echo "bench-linux: $f is not a valid .deb (truncated?): removed, downloading again" >&2
			rm -f "$f"
			f=""
		fi
		[ -z "$f" ] || continue
		(cd "$debs" && apt-get download -q "$p") || die "apt-get download $p failed"
		f=$(deb_path "$p")
		[ -n "$f" ] || die "apt-get download $p left no ${p}_*.deb in $debs"
		if ! deb_ok "$f"; then
			rm -f "$f"
			die "apt-get download $p gave an invalid .deb: $f (removed; run again)"
		fi
	done
}
