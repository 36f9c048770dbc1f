#!/usr/bin/env bash
# Faults on an application processor are reported by that CPU, on its own
# IST stacks, with its number and a backtrace of its own stack; the machine
# panics (the self-test runner's hooks belong to CPU 0 and never resume a
# test on another CPU's stack). Two CPUs; the faults come from the suites
# _smp_crash and _smp_nmi in tests/kernel/smp_test.c.
. "$(dirname "$0")/lib.sh"
export CONTIG_SMP=2

# A stack overflow in a call run on CPU 1 hits the guard page below its
# vmalloc'ed stack; the double fault handler reports it.
boot 256M ktest=_smp_crash
expect_status 2
expect_line '^smp: brought up 2 CPUs in [0-9]+ ms$'
expect_line '^BUG: kernel stack overflow: rsp 0xffffc2[0-9a-f]+ is in the guard page below the stack \[0xffffc2[0-9a-f]+-0xffffc2[0-9a-f]+\)$'
expect_line '^Oops: double fault, error code 0 \[#1\]$'
expect_line '^CPU: 1$'
expect_line '^ \[<ffffffff8[0-9a-f]+>\] smp_crash_recurse'
expect_line '^Kernel panic - not syncing: Fatal exception in interrupt: double fault$'
expect_no_line 'test ended'

# An NMI sent to CPU 1 alone: its NMI IST stack, its idle loop in the trace.
boot 256M ktest=_smp_nmi
expect_status 2
expect_line '^Oops: NMI, error code 0 \[#1\]$'
expect_line '^CPU: 1$'
expect_line '^RIP: 0008:ffffffff8[0-9a-f]+ (cpu_idle_loop|smp_ap_entry|default_idle|[a-z_]*idle[a-z_]*)\+0x'
expect_line '^RSP: 0010:ffffc2[0-9a-f]+ '
expect_line '^ \[<ffffffff8[0-9a-f]+>\] smp_ap_start64'
expect_line "^Kernel panic - not syncing: Fatal exception in thread 'idle/1': NMI\$"
expect_no_line 'took no NMI|test ended'
finish
