#!/usr/bin/env bash
# A kernel thread that recurses runs into the unmapped page below its
# vmalloc'ed stack; the #PF cannot push its frame there, so the double fault
# handler, on its own IST stack, names the thread, its CPU and its stack's
# area, and the kernel panics (a thread's fault cannot resume the self-test).
. "$(dirname "$0")/lib.sh"
boot 256M ktest=_kthread_overflow
expect_status 2
expect_line "^BUG: kernel stack overflow in thread 'overflow-test' \(pid [0-9]+\) on CPU 0: stack 0xffffc[0-9a-f]+-0xffffc[0-9a-f]+, guard hit at 0xffffc[0-9a-f]+"
expect_line '^Oops: double fault, error code 0 \[#1\]$'
expect_line '^RIP: 0008:ffffffff8[0-9a-f]+ overflow_recurse\+0x'
expect_line '^ \[<ffffffff8[0-9a-f]+>\] overflow_recurse\+0x'
expect_line "Kernel panic - not syncing: Fatal exception in thread 'overflow-test': double fault"
expect_no_line 'the overflowing thread came back'
# The guard is the page just below the stack's start.
line=$(grep -m1 "^BUG: kernel stack overflow in thread" "$E2E_LOG")
if [[ $line =~ stack\ 0x([0-9a-f]+)-0x([0-9a-f]+),\ guard\ hit\ at\ 0x([0-9a-f]+) ]]; then
	start=$((16#${BASH_REMATCH[1]})) end=$((16#${BASH_REMATCH[2]})) hit=$((16#${BASH_REMATCH[3]}))
	[ $((end - start)) = 16384 ] && echo "ok: a 16 KiB stack" || fail "stack size $((end - start))"
	[ $hit -lt $start ] && [ $((hit + 4096)) -ge $start ] && echo "ok: hit in the guard page" ||
		fail "hit $hit not in the page below $start"
else
	fail "no stack area in the report"
fi
finish
