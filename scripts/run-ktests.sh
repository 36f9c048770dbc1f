#!/usr/bin/env bash
# Boot the kernel with a ktest= command line, under a timeout that serves as
# a hang detector, keep the serial log, and report the KTAP results.
#
# Usage: run-ktests.sh [--mem SIZE] [--timeout SECS] [--log FILE] [--quiet] --cmdline "ktest=..."
#                      [-- extra QEMU arguments]
# Prints the failing tests' diagnostics and one line
#   ktest[MEM]: N passed, N failed, N skipped
# Exit status: 0 when every test passed and the kernel exited cleanly.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mem=1G timeout=300 cmdline="ktest=all" log="" quiet=0
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--) shift; extra=(-- "$@"); break ;;
	*) echo "run-ktests.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$log" ] || log=$(mktemp "${TMPDIR:-/tmp}/contig-ktest.XXXXXX.log")
mkdir -p "$(dirname "$log")"

start=$(date +%s.%N)
if [ $quiet = 1 ]; then
	"$here/qemu.sh" --mem "$mem" --timeout "$timeout" --cmdline "$cmdline" "${extra[@]}" </dev/null >"$log" 2>&1
else
	"$here/qemu.sh" --mem "$mem" --timeout "$timeout" --cmdline "$cmdline" "${extra[@]}" </dev/null 2>&1 | tee "$log"
fi
status=${PIPESTATUS[0]}
secs=$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo "?")
# KTAP is read without printk's "[    0.123456] " timestamps.
tr -d '\r' < "$log" | sed -E 's/^\[ *[0-9]+\.[0-9]{6}\] //' > "$log.tmp" && mv "$log.tmp" "$log"

summary=$(grep -E '^# ktest: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" | tail -1)
if [ -z "$summary" ]; then
	echo "ktest[$mem]: no KTAP summary: the kernel died or hung (status $status); log: $log"
	grep -E 'not ok|Kernel panic|BUG:|Oops' "$log" | head -20
	echo "ktest[$mem]: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
read -r passed failed skipped < <(echo "$summary" | sed -E 's/# ktest: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
if [ "$failed" != 0 ]; then
	echo "ktest[$mem]: failures (log: $log):"
	grep -E '^\s+# |^\s*not ok' "$log" | grep -B3 'not ok' | head -60
fi
[ "$status" = 0 ] || [ "$failed" != 0 ] || { echo "ktest[$mem]: kernel exit status $status"; failed=$((failed + 1)); }
printf 'ktest[%s]: %s passed, %s failed, %s skipped (%.1f s)\n' "$mem" "$passed" "$failed" "$skipped" "$secs"
[ "$failed" = 0 ]
