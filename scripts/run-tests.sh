#!/usr/bin/env bash
# make test: host unit tests, in-kernel self-tests booted at several memory
# sizes, and end-to-end scenarios. Ends with one line "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$top/build/test
mkdir -p "$out"
passed=0 failed=0

count() { passed=$((passed + $1)); failed=$((failed + $2)); }

# 1. Host unit tests (cmocka).
for t in "$top"/build/host/*_test; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$t" >"$out/$name.log" 2>&1
	st=$?
	p=$(grep -oE '\[  PASSED  \] [0-9]+' "$out/$name.log" | grep -oE '[0-9]+$' | tail -1)
	f=$(grep -oE '\[  FAILED  \] [0-9]+' "$out/$name.log" | grep -oE '[0-9]+$' | tail -1)
	p=${p:-0} f=${f:-0}
	if [ $st != 0 ] && [ "$f" = 0 ]; then f=1; fi
	echo "host: $name: $p passed, $f failed"
	[ "$f" = 0 ] || grep -E 'FAIL|ERROR|error|Assert' "$out/$name.log" | head -20
	count "$p" "$f"
done

# 2. In-kernel self-tests, booted at several memory sizes.
# ktest MEM SUITES [EXTRA-CMDLINE [QEMU-ARGS...]]
ktest() {
	local mem=$1 spec=$2 extra=${3:-} line p f
	shift 3 2>/dev/null || shift $#
	line=$("$here/run-ktests.sh" --quiet --mem "$mem" --timeout "${TEST_TIMEOUT:-300}" \
		--log "$out/ktest-$mem.log" --cmdline "ktest=$spec $extra" -- "$@" |
		tee /dev/stderr | tail -1)
	p=$(echo "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/p')
	f=$(echo "$line" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/p')
	count "${p:-0}" "${f:-1}"
}
ktest 512M all 2>&1
ktest 32M buddy,slab,memblock,vmalloc 2>&1
# 4 GiB: the PCI hole, a Normal zone, a randomised layout, and 1 GiB direct-map pages.
ktest 4G buddy,memblock,paging,vmalloc "randomize_memory" -cpu qemu64,+pdpe1gb 2>&1
# UEFI (OVMF), the same ISO: RAM in pieces, the EFI memory map tags (ktest[1G]).
CONTIG_FIRMWARE=uefi ktest 1G buddy,memblock,vmalloc,multiboot2 2>&1

# 3. End-to-end scenarios: each script is one test.
for e in "$top"/tests/e2e/*.sh; do
	[ -x "$e" ] || continue
	name=$(basename "$e" .sh)
	if "$e" >"$out/e2e-$name.log" 2>&1; then
		echo "e2e: $name: ok"
		count 1 0
	else
		echo "e2e: $name: FAILED (log: build/test/e2e-$name.log)"
		tail -15 "$out/e2e-$name.log"
		count 0 1
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
