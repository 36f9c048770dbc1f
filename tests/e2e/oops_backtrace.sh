#!/usr/bin/env bash
# A kernel fault is reported with the faulting address explained, the error
# code decoded, the registers and a symbolised backtrace; inside a self-test
# the test fails and the run goes on.
. "$(dirname "$0")/lib.sh"
boot 256M ktest=_crash
expect_status 1
expect_line '^BUG: unable to handle page fault at 0x8: NULL pointer dereference$'
expect_line '^#PF: supervisor write access in kernel mode$'
expect_line '^#PF: error_code\(0x0002\) - not-present page$'
expect_line '^RIP: 0008:ffffffff8[0-9a-f]+ crash_write\+0x[0-9a-f]+/0x[0-9a-f]+$'
expect_line '^Call Trace:$'
expect_line '^ \[<ffffffff8[0-9a-f]+>\] (\? )?ktest__crash_null_deref\+0x'
expect_line '^ \[<ffffffff8[0-9a-f]+>\] ktest_run\+0x'
expect_line '^    not ok 1 null_deref$'
expect_line '^    ok 2 after_the_fault$'
expect_line '^# ktest: 1 passed, 1 failed, 0 skipped$'

# A stack overflow hits the guard page below the boot stack; the double
# fault handler runs on its IST stack and reports it.
boot 256M ktest=_overflow
expect_status 1
expect_line '^BUG: kernel stack overflow: rsp 0xffffffff8[0-9a-f]+ is in the guard page below the stack'
expect_line '^Oops: double fault, error code 0 \[#1\]$'
expect_line '^RIP: 0008:ffffffff8[0-9a-f]+ recurse\+0x'
expect_line '^ \[<ffffffff8[0-9a-f]+>\] recurse\+0x'
expect_line '^    not ok 1 recursion$'

# A fault with a spinlock held ends the run cleanly (status 1, no panic);
# the cases not run are reported skipped, so the KTAP plans still hold.
boot 256M ktest=_lockfault,printk.padding
expect_status 1
expect_line '^    # fault_with_lock_held: the fault came with 1 spinlock\(s\) held: ending the run$'
expect_line '^    ok 2 not_run # SKIP run ended early$'
expect_line '^ok 2 printk # SKIP run ended early$'
expect_line '^# ktest: 0 passed, 1 failed, 2 skipped$'
expect_no_line 'Subtest: printk'

# An expected fault taken with a spinlock held is not resumed (the lock would
# stay taken): an oops, and the run ends as for any fault with locks held.
boot 256M ktest=_lockexpect,printk.padding
expect_status 1
expect_line '^    # expected_fault_with_lock_held: the expected fault came with 1 more spinlock\(s\) held$'
expect_line '^    # expected_fault_with_lock_held: the fault came with 1 spinlock\(s\) held: ending the run$'
expect_line '^# ktest: 0 passed, 1 failed, 1 skipped$'

# A fault inside an interrupt handler while a test runs: a panic, not a
# resumed test (which left the interrupt unacknowledged and hung the console).
boot 256M ktest=_irqcrash
expect_status 2
expect_line '^RIP: 0008:ffffffff8[0-9a-f]+ oops_in_timer_irq\+0x'
expect_line 'Kernel panic - not syncing: Fatal exception in interrupt: page fault'
expect_no_line 'the fault in the timer handler came back to the test'
finish
