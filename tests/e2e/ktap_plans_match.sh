#!/usr/bin/env bash
# The KTAP the runner prints satisfies Linux's own parser (kunit.py parse):
# plans and results agree, also when a fault with a spinlock held ends the
# run early (the cases not run are reported skipped). Skipped (status 77)
# when the parser cannot be fetched.
. "$(dirname "$0")/lib.sh"
logs=()
boot 64M "ktest=_lockfault,printk.padding" 60
expect_status 1
logs+=("$E2E_LOG")
boot 64M "ktest=_crash,printk,vmalloc.*guard*" 60
expect_status 1
logs+=("$E2E_LOG")
out=$("$E2E_TOP/scripts/kunit-parse.sh" "${logs[@]}")
st=$?
echo "$out"
if [ $st = 77 ]; then
	echo "SKIP: kunit.py is not available"
	exit 77
fi
[ $st = 0 ] && echo "ok: kunit.py parses both logs without errors" || fail "kunit.py reports errors"
grep -q 'Ran 3 tests: failed: 1, skipped: 2' <<<"$out" && echo "ok: early end counted" ||
	fail "kunit.py does not count the early end as 1 failed, 2 skipped"
# _crash: 1 of 2 passes; printk: all pass; vmalloc.*guard*: 2 pass.
n=$(grep -c '^KTEST(printk, ' "$E2E_TOP/tests/kernel/printk_test.c")
grep -q "Ran $((n + 4)) tests: passed: $((n + 3)), failed: 1" <<<"$out" && echo "ok: second run counted" ||
	fail "kunit.py does not count $((n + 3)) passed, 1 failed in the second run"
finish
