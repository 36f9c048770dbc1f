#!/usr/bin/env bash
# An unexpected write one byte past a vmalloc area, inside a self-test: the
# oops names the guard page, the area's exact range and size, and the
# function that allocated it; the test fails and the run goes on.
. "$(dirname "$0")/lib.sh"
boot 256M ktest=_vmguard
expect_status 1
area=$(grep -m1 -oE '^vmguard: area 0x[0-9a-f]+$' "$E2E_LOG" | grep -oE '0x[0-9a-f]+$')
if [ -z "$area" ]; then
	fail "no 'vmguard: area' line"
	finish
fi
hex() { printf '%#x' $(($1)); }
fault=$(hex "$area + 0x2000") end=$(hex "$area + 0x3000")
expect_line "^BUG: unable to handle page fault at $fault: guard page of vmalloc area \[$area-$end\] 2 pages, allocated by ktest__vmguard_overrun_oops\+0x[0-9a-f]+/0x[0-9a-f]+\$"
expect_line '^#PF: supervisor write access in kernel mode$'
expect_line '^#PF: error_code\(0x0002\) - not-present page$'
expect_line '^RIP: 0008:ffffffff8[0-9a-f]+ ktest__vmguard_overrun_oops\+0x'
expect_line '^    not ok 1 overrun_oops$'
expect_line '^# ktest: 0 passed, 1 failed, 0 skipped$'
finish
