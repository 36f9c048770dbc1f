#!/usr/bin/env bash
# make bench-scaling: the scenarios on 1, 2 and 4 vCPUs, one thread per vCPU,
# on Contig (make bench) and on Linux 6.12 (make bench-linux) in the same
# QEMU, then per scenario a table of per-thread cost and total throughput
# against threads and the plots (scripts/bench-plot.py).
#
# Usage: bench-scaling.sh [--help] [SPEC]
#   SPEC   scenario names separated by commas (no globs), or "all" for every
#          scenario; default: the five of the 1.2x goal (fix_size_alloc,
#          fix_size_1page, long_busy_list_alloc, full_fit_alloc, vmap_1page)
# Environment:
#   BENCH_SCALING_SMP  the vCPU counts (default "1 2 4"); a count above the
#                      host's cores measures correctness, not scaling
#   BENCH_CPU          passed to both runs alike: by default both pin QEMU to
#                      the last host CPU at 1 vCPU and leave it unpinned above
#   BENCH_TIMEOUT      each boot's hang detector in seconds (default 1800)
# Output: build/bench/scaling-<timestamp>/smpT/{contig,linux}.json and the
# runs' logs, scaling.txt, scaling.svg; build/bench/scaling-latest points at
# the newest.
set -uo pipefail
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# Every scenario, in bench_scenarios[] order (debug/bench/scenarios.c).
all="fix_size_alloc,fix_size_1page,fix_align_alloc,random_size_alloc,random_size_align_alloc"
all+=",long_busy_list_alloc,full_fit_alloc,big_alloc,big_alloc_huge,vzalloc,vmap_1page"
spec=${1:-fix_size_alloc,fix_size_1page,long_busy_list_alloc,full_fit_alloc,vmap_1page}
[ "$spec" != all ] || spec=$all
if [[ ! $spec =~ ^[a-z0-9_]+(,[a-z0-9_]+)*$ ]]; then
	echo "bench-scaling: bad SPEC '$spec': scenario names separated by commas, or all" >&2
	exit 2
fi
for name in ${spec//,/ }; do
	[[ ,$all, == *,$name,* ]] || { echo "bench-scaling: no scenario '$name'; valid: all,$all" >&2; exit 2; }
done
smps=${BENCH_SCALING_SMP:-1 2 4}
for n in $smps; do
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 16 ] ||
		{ echo "bench-scaling: bad BENCH_SCALING_SMP '$smps': counts 1..16" >&2; exit 2; }
done
export BENCH_TIMEOUT=${BENCH_TIMEOUT:-1800}
out=$top/build/bench/scaling-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out" && ln -sfn "$(basename "$out")" "$top/build/bench/scaling-latest" || exit 1
start=$(date +%s)
echo "bench-scaling: $spec at SMP $smps; host load $(cut -d' ' -f1-3 /proc/loadavg); output in $out"
status=0
for n in $smps; do
	dir=$out/smp$n
	mkdir -p "$dir" || exit 1
	# Linux first: make bench's summary then prints it as its Linux column.
	echo "bench-scaling: SMP=$n Linux ($(date +%T), load $(cut -d' ' -f1 /proc/loadavg))"
	if BENCH_SMP=$n "$here/bench-linux.sh" "$spec" >"$dir/linux.log" 2>&1; then
		cp "$top/build/bench-linux/latest/results.json" "$dir/linux.json"
	else
		echo "bench-scaling: SMP=$n: bench-linux failed (log $dir/linux.log)" >&2
		tail -5 "$dir/linux.log" >&2
		status=1
	fi
	echo "bench-scaling: SMP=$n Contig ($(date +%T), load $(cut -d' ' -f1 /proc/loadavg))"
	if BENCH_SMP=$n BENCH_OUT=$dir/contig BENCH_LINUX=$dir/linux.json "$here/run-bench.sh" "$spec" \
		>"$dir/contig.log" 2>&1; then
		cp "$dir/contig/latest/results.json" "$dir/contig.json"
	else
		echo "bench-scaling: SMP=$n: make bench failed (log $dir/contig.log)" >&2
		tail -5 "$dir/contig.log" >&2
		status=1
	fi
done
echo "bench-scaling: ran $(($(date +%s) - start)) s; host load now $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 "$here/bench-plot.py" --host-cores "$(nproc)" "$out" || status=1
exit $status
