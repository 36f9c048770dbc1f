#!/usr/bin/env bash
# Boot the kernel with a ktest= command line, under a timeout that serves as
# a hang detector, keep the serial log, and report the KTAP results.
#
# Usage: run-ktests.sh [--mem SIZE] [--timeout SECS] [--log FILE] [--verbose|--quiet]
#                      --cmdline "ktest=..." [-- extra QEMU arguments]
# By default the view is condensed, as kunit.py prints it: one line per suite,
#   [PASSED] vmalloc (27 tests, 3.1 s)
# with the suite's whole KTAP block when it failed or crashed; --verbose
# shows the whole serial log as it comes, --quiet only the last line:
#   ktest[MEM]: N passed, N failed, N skipped (T s)
# With ktest=list it prints the cases instead. The log defaults to
# build/test/ktest-MEM.log.
# Exit status: 0 when every test passed and the kernel exited cleanly.
set -uo pipefail
# --help (first argument only: a later one may be a value): the comment above.
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
# Ctrl-C stops the whole run, not just the boot in progress.
trap 'exit 130' INT
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
mem=1G timeout=300 cmdline="ktest=all" log="" view=condensed
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--quiet) view=quiet; shift ;;
	--verbose) view=verbose; shift ;;
	--) shift; extra=(-- "$@"); break ;;
	*) echo "run-ktests.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$log" ] || log=$top/build/test/ktest-$mem.log
mkdir -p "$(dirname "$log")"
# qemu.sh's temporary ISO too: nothing of a test run goes to /tmp.
mkdir -p "$top/build/test/tmp"
export TMPDIR=${TMPDIR:-$top/build/test/tmp}

# The condensed view, streamed: a suite's lines are held until its result.
condense() {
	awk '
	function flush_block(status, name) {
		printf "[%s] %s (%d tests%s, %s s)\n", status, name, total, \
			skipped ? ", " skipped " skipped" : "", secs
		if (status != "PASSED")
			printf "%s", block
	}
	{ sub(/\r$/, ""); sub(/^\[ *[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]\] /, "") }
	/^    # Subtest: / { suite = substr($0, 16); block = $0 "\n"; total = 0; skipped = 0
		secs = "?"; next }
	suite != "" && $0 ~ ("^    # " suite ": [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped in ") {
		total = $3 + $5 + $7; skipped = $7; secs = $(NF - 1) }
	suite != "" && $0 ~ ("^(not )?ok [0-9]+ " suite "$") {
		flush_block($1 == "ok" ? (skipped == total ? "SKIPPED" : "PASSED") : "FAILED", suite)
		suite = ""; fflush(); next }
	suite != "" { block = block $0 "\n"; next }
	/^ok [0-9]+ .* # SKIP / { printf "[SKIPPED] %s\n", $0; fflush(); next }
	/^# ktest: [0-9]+ passed/ { next }
	/^# ktest: |^ktest: |^cmdline: .*ktest|^qemu.sh: / { print; fflush() }
	END { if (suite != "") { printf "[CRASHED] %s: the log ends inside it\n", suite
		printf "%s", block } }'
}

start=$(date +%s.%N)
case $view in
verbose)
	"$here/qemu.sh" --mem "$mem" --timeout "$timeout" --cmdline "$cmdline" "${extra[@]}" </dev/null 2>&1 |
		tee "$log"
	;;
quiet)
	"$here/qemu.sh" --mem "$mem" --timeout "$timeout" --cmdline "$cmdline" "${extra[@]}" </dev/null >"$log" 2>&1
	;;
*)
	if [[ " $cmdline " == *" ktest=list "* ]]; then
		"$here/qemu.sh" --mem "$mem" --timeout "$timeout" --cmdline "$cmdline" "${extra[@]}" </dev/null >"$log" 2>&1
	else
		"$here/qemu.sh" --mem "$mem" --timeout "$timeout" --cmdline "$cmdline" "${extra[@]}" </dev/null 2>&1 |
			tee "$log" | condense
	fi
	;;
esac
status=${PIPESTATUS[0]}
secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")
# KTAP is read without printk's "[    0.123456] " timestamps.
tr -d '\r' < "$log" | sed -E 's/^\[ *[0-9]+\.[0-9]{6}\] //' > "$log.tmp" && mv "$log.tmp" "$log"

if [[ " $cmdline " == *" ktest=list "* ]]; then
	[ $view = verbose ] || sed -n '/^# ktest: the cases/,/^# ktest: [0-9]* cases$/p' "$log"
	[ "$status" = 0 ] || echo "ktest[$mem]: listing failed (status $status); log: $log"
	exit "$status"
fi

summary=$(grep -E '^# ktest: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" | tail -1)
if [ -z "$summary" ]; then
	echo "ktest[$mem]: no KTAP summary: the kernel died or hung (status $status); log: $log"
	grep -E 'not ok|Kernel panic|BUG:|Oops|^qemu.sh:' "$log" | head -20
	echo "ktest[$mem]: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
read -r passed failed skipped < <(echo "$summary" | sed -E 's/# ktest: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
[ "$failed" = 0 ] || echo "ktest[$mem]: $failed failed (log: $log)"
[ "$status" = 0 ] || [ "$failed" != 0 ] || { echo "ktest[$mem]: kernel exit status $status (log: $log)"; failed=$((failed + 1)); }
printf 'ktest[%s]: %s passed, %s failed, %s skipped (%.1f s)\n' "$mem" "$passed" "$failed" "$skipped" "$secs"
[ "$failed" = 0 ]
