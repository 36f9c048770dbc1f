#!/usr/bin/env bash
# A self-test that ends early gives back what it held (KUnit's deferred
# cleanup actions): at 16M, the hidden suite _ktest_leak takes most of free
# memory through ktest_vmalloc/ktest_kmalloc/ktest_alloc_pages in each case
# and then fails an ASSERT, faults at a guard page, skips, or overflows the
# action table; its last case finds every page and vm area back. Without
# the actions, the first failed case kept its memory for good (a failed
# vmalloc self-test at 16M left MemFree at 0).
. "$(dirname "$0")/lib.sh"
boot 16M "ktest=_ktest_leak,ktest" 90
expect_status 1 # the cases that fail on purpose
expect_line '^    not ok 2 assert_fails_holding_memory$'
expect_line '^    # faults_holding_memory: unexpected fault, test ended$'
expect_line '^    not ok 3 faults_holding_memory$'
expect_line '^    ok 4 skips_holding_memory # SKIP on purpose'
expect_line '^    # action_table_full: ktest\.c:[0-9]+: ktest_defer: all [0-9]+ cleanup actions in use; ran ktest_action_kfree\('
expect_line '^    not ok 5 action_table_full$'
expect_line '^    ok 6 everything_given_back$'
expect_line '^    # _ktest_leak: 2 passed, 3 failed, 1 skipped in '
# The pages and areas counted before and after are the same numbers.
before=$(sed -nE 's/^    # record: ([0-9]+ pages, [0-9]+ vm areas)$/\1/p' "$E2E_LOG")
after=$(sed -nE 's/^    # everything_given_back: ([0-9]+ pages, [0-9]+ vm areas)$/\1/p' "$E2E_LOG")
[ -n "$before" ] && [ "$before" = "$after" ] && echo "ok: before and after: $before" ||
	fail "held before: '$before', after: '$after'"
# The tests after it get the machine it found.
expect_line '^ok 2 ktest$'
expect_line '^# ktest: 5 passed, 3 failed, 1 skipped$'
finish
