#!/usr/bin/env bash
# make test: host unit tests, in-kernel self-tests booted at several memory
# sizes, end-to-end scenarios, and a short run of each fuzz target (one test
# each, FUZZ_TEST_TIME seconds, default 13). Ends with one line
#   N passed, N failed, N skipped (T s)
# and a non-zero status on any failure, crash or hang. Every log goes to
# build/test/ (temporary files too: TMPDIR points there).
#
# Usage: run-tests.sh [--only host|ktest|e2e|fuzz] [--ktest MEM:SPEC[:CMDLINE]]... [--out DIR]
#                     [--verbose]
#   --only     run one of the four steps
#   --ktest    boot these instead of the default list (repeatable)
#   --out      where the logs go (default build/test)
#   --verbose  the whole KTAP of every boot instead of one line per suite
set -uo pipefail
# --help (first argument only: a later one may be a value): the comment above.
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
# Ctrl-C stops the whole run, not just the boot in progress.
trap 'exit 130' INT
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$top/build/test only="" view=""
boots=()
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=$2; shift 2 ;;
	--ktest) boots+=("$2"); shift 2 ;;
	--out) out=$2; shift 2 ;;
	--verbose) view=--verbose; shift ;;
	*) echo "run-tests.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $only in "" | host | ktest | e2e | fuzz) ;; *) echo "run-tests.sh: --only host|ktest|e2e|fuzz, not '$only'" >&2; exit 2 ;; esac
mkdir -p "$out/tmp"
export TMPDIR=$out/tmp
passed=0 failed=0 skipped=0 failures=()
start=$(date +%s)

count() { passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + ${3:-0})); }
# failure WHAT: names a failure again in the list printed above the summary,
# so the last lines of a long run say what failed and where its log is.
failure() { failures+=("$*"); }
step() { [ -z "$only" ] || [ "$only" = "$1" ]; }

# The number after a cmocka result tag ("[  PASSED  ] 12 test(s)."), or 0.
cmocka_count() {
	grep -oE "\[ +$1 +\] [0-9]+ test" "$2" | grep -oE '[0-9]+' | tail -1 || true
}

# 1. Host unit tests (cmocka).
host_tests() {
	local t name st p f s
	for t in "$top"/build/host/*_test; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		"$t" >"$out/$name.log" 2>&1
		st=$?
		p=$(cmocka_count PASSED "$out/$name.log") f=$(cmocka_count FAILED "$out/$name.log")
		s=$(cmocka_count SKIPPED "$out/$name.log")
		p=${p:-0} f=${f:-0} s=${s:-0}
		if [ $st != 0 ] && [ "$f" = 0 ]; then f=1; fi
		echo "host: $name: $p passed, $f failed, $s skipped"
		[ "$f" = 0 ] || grep -E 'FAIL|ERROR|error|Assert' "$out/$name.log" | head -20
		[ "$f" = 0 ] || failure "host: $name: $f failed (log: ${out#"$top"/}/$name.log)"
		count "$p" "$f" "$s"
	done
}

# 2. In-kernel self-tests. ktest MEM SPEC [CMDLINE [QEMU-ARGS...]]: one boot,
# with the lock-order checker on (lockdep): a boot whose last "lockdep:" line
# is not "lockdep: 0 findings" counts as one more failure.
# Its report goes through a file, not /dev/stderr: reopening that truncates
# a log the caller redirected to (make test >log 2>&1).
ktest() {
	local mem=$1 spec=$2 extra=${3:-} label line
	shift 3 2>/dev/null || shift $#
	label=$mem-$(echo "$spec" | tr -c 'a-z0-9_\n' '_' | cut -c1-40)
	[ "${CONTIG_SMP:-1}" = 1 ] || label=$label-smp$CONTIG_SMP-$(echo "$extra" | tr -c 'a-z0-9_\n' '_' | cut -c1-20)
	"$here/run-ktests.sh" $view --mem "$mem" --timeout "${TEST_TIMEOUT:-300}" \
		--log "$out/ktest-$label.log" --cmdline "ktest=$spec lockdep $extra" -- "$@" |
		tee "$out/ktest-$label.out"
	line=$(tail -1 "$out/ktest-$label.out")
	if [[ $line =~ :\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped ]]; then
		count "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
		[ "${BASH_REMATCH[2]}" = 0 ] ||
			failure "ktest[$mem] $spec $extra (log: ${out#"$top"/}/ktest-$label.log):
$(grep -a -B3 -E '^ *not ok|^\[CRASHED\]' "$out/ktest-$label.out" | grep -av '^ *ok ' | head -16)"
	else
		count 0 1
		failure "ktest[$mem] $spec $extra: no summary: $line (log: ${out#"$top"/}/ktest-$label.log)"
	fi
	line=$(grep -aoE 'lockdep: ([0-9]+ findings|turned off).*' "$out/ktest-$label.log" | tail -1)
	if [[ ! $line =~ ^lockdep:\ 0\ findings ]]; then
		echo "ktest[$mem]: ${line:-lockdep: no summary line} (log: ${out#"$top"/}/ktest-$label.log)"
		count 0 1
		failure "ktest[$mem] $spec $extra: ${line:-lockdep: no summary line} (log: ${out#"$top"/}/ktest-$label.log)"
	fi
}

# suites_but NAME...: a ktest= spec for every suite (not the _crash ones) but these, short
# enough for the command line: "x*" for each first letter no excluded name has, else names.
suites_but() {
	grep -ho 'KTEST([a-z0-9_]*' "$top"/tests/kernel/*.c | sed 's/KTEST(//' | grep -v '^_' |
		sort -u | awk -v skip="$*" '
		BEGIN { n = split(skip, s, " "); for (i = 1; i <= n; i++) { out[s[i]] = 1; bad[substr(s[i], 1, 1)] = 1 } }
		!($0 in out) { c = substr($0, 1, 1); if (c in bad) list = list "," $0; else if (!(c in seen)) list = list "," c "*"; seen[c] = 1 }
		END { print substr(list, 2) }'
}

ktest_default_boots() {
	ktest 512M all
	# Small machines: what needs memory sizes itself or skips with a reason.
	ktest 16M buddy*,slab,memblock,vmalloc,vmalloc_irq,vmalloc_gaps,vmap_checks,vmalloc_fixes,vmalloc_purge,vmalloc_api,ioremap,vmalloc_report
	ktest 32M buddy*,slab,memblock,vmalloc,vmalloc_gaps,sched
	# 4 GiB: the PCI hole, a Normal zone, a randomised layout, and 1 GiB direct-map pages.
	ktest 4G buddy*,memblock,paging,vmalloc,vmalloc_gaps,vmap_checks,wx,set_memory,layout,ioremap,vmalloc_huge "randomize_memory" -cpu qemu64,+pdpe1gb
	# UEFI (OVMF), the same ISO: RAM in pieces, the EFI memory map tags.
	CONTIG_FIRMWARE=uefi ktest 1G buddy*,memblock,vmalloc,vmalloc_gaps,vmap_checks,multiboot2,wx,ioremap,acpi
	# Modules at 16M and 4 CPUs: loads under fault injection, W+X check with a small direct map.
	CONTIG_SMP=4 ktest 16M module_load
	# SMP: every CPU the MADT lists comes up (all suites at 4 CPUs but bench, whose TSC
	# re-measurement is timing-sensitive; cheap ones at 2); a CPU that does not answer is
	# skipped (smp_fail_cpu=); maxcpus= and nosmp cap the count.
	CONTIG_SMP=4 ktest 512M "$(suites_but bench)"
	CONTIG_SMP=2 ktest 512M smp,cpu,memblock,paging,printk,ptdump,vmalloc_api,ipi,vmalloc_irq,spinlock,sched,vmalloc_smp,vmalloc_pool,vmalloc_stress,vmap_block,vmalloc_lazy,vmalloc_shard
	CONTIG_SMP=4 ktest 256M smp "smp_fail_cpu=2"
	CONTIG_SMP=4 ktest 256M smp "maxcpus=2"
	CONTIG_SMP=2 ktest 256M smp "nosmp"
	CONTIG_FIRMWARE=uefi CONTIG_SMP=4 ktest 512M smp,acpi
	# Modules: every module of build/modules/ in the ISO (GRUB loads them), two CPUs.
	CONTIG_MODULES=all CONTIG_SMP=2 ktest 256M module
}

ktest_boots() {
	local b mem spec extra
	if [ ${#boots[@]} = 0 ]; then
		ktest_default_boots
		return
	fi
	for b in "${boots[@]}"; do
		IFS=: read -r mem spec extra <<<"$b"
		ktest "$mem" "$spec" "$extra"
	done
}

# 3. End-to-end scenarios: each script is one test; status 77 means skipped.
e2e_tests() {
	local e name st
	for e in "$top"/tests/e2e/*.sh; do
		name=$(basename "$e" .sh)
		case $name in lib | *_lib) continue ;; esac # sourced helpers
		if [ ! -x "$e" ]; then
			echo "e2e: $name: FAILED (not executable: chmod +x tests/e2e/$name.sh)"
			count 0 1
			failure "e2e: $name: not executable"
			continue
		fi
		# A backstop for a scenario whose own timeouts failed to end it.
		E2E_OUT=$out timeout -k 10 "${E2E_TIMEOUT:-900}" "$e" >"$out/e2e-$name.log" 2>&1
		st=$?
		if [ $st = 0 ]; then
			echo "e2e: $name: ok"
			count 1 0
		elif [ $st = 77 ]; then
			echo "e2e: $name: skipped: $(grep -m1 SKIP "$out/e2e-$name.log")"
			count 0 0 1
		else
			echo "e2e: $name: FAILED (log: ${out#"$top"/}/e2e-$name.log)"
			tail -15 "$out/e2e-$name.log"
			count 0 1
			failure "e2e: $name (log: ${out#"$top"/}/e2e-$name.log)"
		fi
	done
}

# 4. Fuzz targets (tests/fuzz): each runs from its seeds alone, in a fresh
# corpus under build/test/, and is one test; a crash or no result fails it.
fuzz_tests() {
	local line n=0
	rm -rf "$out/fuzz-corpus"
	while IFS= read -r line; do
		echo "$line"
		case $line in
		"fuzz: "*": ok,"*) count 1 0; n=$((n + 1)) ;;
		"fuzz: "*": FAILED"*) count 0 1; n=$((n + 1)); failure "$line" ;;
		esac
	done < <("$top/tests/fuzz/run.sh" --time "${FUZZ_TEST_TIME:-13}" --corpus "$out/fuzz-corpus" \
		--out "$out/fuzz" 2>&1)
	if [ $n = 0 ]; then
		echo "fuzz: FAILED (no fuzz target ran: make fuzz-build)"
		count 0 1
		failure "fuzz: no target ran"
	fi
}

step host && host_tests
step ktest && ktest_boots
step e2e && e2e_tests
step fuzz && fuzz_tests

for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed, $skipped skipped ($(($(date +%s) - start)) s)"
[ "$failed" = 0 ]
