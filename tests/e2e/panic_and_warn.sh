#!/usr/bin/env bash
# panic() prints its reason and a backtrace and leaves QEMU with the panic
# status (other CPUs stopped first); WARN_ON() prints file:line and a
# backtrace and execution goes on.
. "$(dirname "$0")/lib.sh"
boot 256M ktest=_panic
expect_status 2
expect_line '^Kernel panic - not syncing: deliberate panic from the _panic suite$'
expect_line '^ \[<ffffffff8[0-9a-f]+>\] ktest__panic_panic\+0x[0-9a-f]+/0x[0-9a-f]+$'
expect_line '^---\[ end Kernel panic - not syncing: deliberate panic'
# With four CPUs the panicking one stops the others with an NMI first
# (smp_send_stop()); they halt quietly instead of reporting an NMI oops.
CONTIG_SMP=4 boot 256M ktest=_panic
expect_status 2
expect_line '^smp: brought up 4 CPUs in [0-9]+ ms$'
expect_line '^Kernel panic - not syncing: deliberate panic from the _panic suite$'
expect_line '^smp: stopped 3 of 3 other CPUs$'
expect_line '^---\[ end Kernel panic - not syncing: deliberate panic'
expect_no_line 'Oops: NMI|Fatal exception'
boot 256M ktest=_warn
expect_status 0
expect_line '^WARNING: at tests/kernel/crash_test.c:[0-9]+ ktest__warn_warn_on\+0x'
expect_line '^WARN_ON\(before == before\)$'
expect_line '^    ok 1 warn_on$'
finish
