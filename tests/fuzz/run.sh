#!/usr/bin/env bash
# Run the libFuzzer targets built in build/fuzz/ (make fuzz-build), one
# after the other, each for SECONDS, and print one line per target:
#   fuzz: NAME: ok, N executions (N/s), cov N, ft N, corpus N (N new), T s
# or "FAILED" with the crashing input and the end of the log. Exit status:
# the number of targets that failed (0 = all ok).
#
# Usage: run.sh [--time SECONDS] [--corpus DIR] [--out DIR] [TARGET...]
#   --time    seconds per target (default 180)
#   --corpus  where each target's corpus grows, DIR/NAME/ (default
#             build/fuzz/corpus: it persists between long runs). The seeds
#             in tests/fuzz/corpus/NAME/ are read, never written.
#   --out     logs and crashing inputs (default build/fuzz/out)
#   TARGET    multiboot2, cmdline, console, vmalloc, module (default: all built)
set -uo pipefail
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
time=180 corpus=$top/build/fuzz/corpus out=$top/build/fuzz/out
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--time) time=$2; shift 2 ;;
	--corpus) corpus=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-*) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
	*) targets+=("$1"); shift ;;
	esac
done
if [ ${#targets[@]} = 0 ]; then
	for b in "$top"/build/fuzz/*_fuzz; do
		[ -x "$b" ] && targets+=("$(basename "$b" _fuzz)")
	done
fi
if [ ${#targets[@]} = 0 ]; then
	echo "run.sh: no fuzz targets in build/fuzz/ (make fuzz-build)" >&2
	exit 2
fi
mkdir -p "$out"

# The value after "KEY" in libFuzzer's last status line ("#N DONE cov: 953 ft: 4210 ...").
status_field() { grep -aE '^#[0-9]+[[:space:]]' "$2" | tail -1 | grep -oE "$1: [0-9]+" | grep -oE '[0-9]+' || echo 0; }
# A -print_final_stats=1 figure ("stat::average_exec_per_sec:     1241").
final_stat() { grep -a "^stat::$1:" "$2" | grep -oE '[0-9]+$' || echo 0; }

failed=0
for t in "${targets[@]}"; do
	bin=$top/build/fuzz/${t}_fuzz log=$out/$t.log
	if [ ! -x "$bin" ]; then
		echo "fuzz: $t: FAILED (no $bin: make fuzz-build)"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$corpus/$t" "$out/$t-crashes"
	dict=() seeds=()
	[ -f "$here/$t.dict" ] && dict=("-dict=$here/$t.dict")
	[ -d "$here/corpus/$t" ] && seeds=("$here/corpus/$t")
	start=$(date +%s)
	# -timeout: one input running 10 s is a hang; -rss_limit_mb: the
	# vmalloc shim's RAM and ASan's quarantine fit well inside it.
	"$bin" -max_total_time="$time" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
		-artifact_prefix="$out/$t-crashes/" "${dict[@]}" "$corpus/$t" "${seeds[@]}" \
		</dev/null >"$log" 2>&1
	st=$?
	secs=$(($(date +%s) - start))
	runs=$(final_stat number_of_executed_units "$log") rate=$(final_stat average_exec_per_sec "$log")
	new=$(final_stat new_units_added "$log")
	cov=$(status_field cov "$log") ft=$(status_field ft "$log") corp=$(status_field corp "$log")
	if [ $st = 0 ] && grep -aqE '^#[0-9]+[[:space:]]+DONE' "$log"; then
		echo "fuzz: $t: ok, $runs executions ($rate/s), cov $cov, ft $ft, corpus $corp ($new new), $secs s"
		continue
	fi
	failed=$((failed + 1))
	crash=$(ls -t "$out/$t-crashes/" 2>/dev/null | head -1)
	echo "fuzz: $t: FAILED (status $st) after $runs executions, $secs s;" \
		"input: ${crash:+build/fuzz/out/$t-crashes/$crash}, log: $log"
	grep -aE 'ERROR|error:|SUMMARY|panic|WARNING' "$log" | head -8
	echo "  reproduce: build/fuzz/${t}_fuzz <input>   (FUZZ_TRACE=1 SHIM_VERBOSE=1 for detail)"
done
exit "$failed"
