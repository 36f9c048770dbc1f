#!/usr/bin/env bash
# make stress: the vmalloc_stress self-tests (and vmap_block) for minutes, at
# SMP=2 and SMP=4, with the lock-order checker on. Each boot's seed is
# printed; a failing run can be replayed with its seed. Ends with one line
#   stress: N boots, N passed, N failed (seeds: ...)
# and a non-zero status on any failure, crash, hang or lockdep finding.
# Logs: build/test/stress-smpN.log.
#
# Usage: stress.sh [--time SECS] [--seed SEED] [--smp "2 4"] [--mem SIZE]
#   --time  how long the stress scenario runs in each boot (default 120)
#   --seed  replay: the seed a run printed (vmalloc_stress.seed=); default new
#   --smp   the CPU counts to boot, in turn (default "2 4")
#   --mem   guest memory (default 512M)
set -uo pipefail
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
trap 'exit 130' INT
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
secs=120 seed="" smps="2 4" mem=512M
while [ $# -gt 0 ]; do
	case $1 in
	--time) secs=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--smp) smps=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	*) echo "stress.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -gt 0 ] ||
	{ echo "stress.sh: --time wants a number of seconds, not '$secs'" >&2; exit 2; }
[ -z "$seed" ] || [[ $seed =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]] ||
	{ echo "stress.sh: --seed wants a number (as printed), not '$seed'" >&2; exit 2; }
mkdir -p "$top/build/test"
boots=0 ok=0 bad=0 seeds=""
for smp in $smps; do
	log=$top/build/test/stress-smp$smp.log
	cmd="ktest=vmalloc_stress,vmap_block lockdep vmalloc_stress.ms=$((secs * 1000))"
	[ -z "$seed" ] || cmd="$cmd vmalloc_stress.seed=$seed"
	echo "stress: SMP=$smp, $secs s, log build/test/stress-smp$smp.log"
	# The timeout is a hang detector: the run itself plus a few minutes for the boot.
	CONTIG_SMP=$smp "$here/run-ktests.sh" --mem "$mem" --timeout $((secs * 3 + 300)) \
		--log "$log" --cmdline "$cmd"
	st=$?
	s=$(grep -aoE 'vmalloc_stress: seed 0x[0-9a-f]+' "$log" | head -1 | awk '{print $3}')
	grep -aE 'vmalloc_stress: [0-9]+ threads|stale|FAILED' "$log" | sed 's/^/  /'
	lockdep=$(grep -aoE 'lockdep: ([0-9]+ findings|turned off).*' "$log" | tail -1)
	echo "  ${lockdep:-lockdep: no summary line}"
	[[ $lockdep =~ ^lockdep:\ 0\ findings ]] || st=1
	boots=$((boots + 1))
	seeds="$seeds${seeds:+, }SMP=$smp ${s:-?}"
	if [ $st = 0 ]; then ok=$((ok + 1)); else
		bad=$((bad + 1))
		echo "  FAILED: replay with make stress SMP_LIST=$smp SEED=${s:-?} STRESS_TIME=$secs"
	fi
done
echo "stress: $boots boots, $ok passed, $bad failed (seeds: $seeds)"
[ $bad = 0 ]
