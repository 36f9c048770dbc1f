#!/usr/bin/env bash
# Taking a spinlock again on the CPU that holds it would spin forever: it
# panics instead, naming the lock, the CPU, where it was taken first and
# where again (tests/kernel/spinlock_test.c, suite _spinrecurse).
. "$(dirname "$0")/lib.sh"
boot 256M "ktest=_spinrecurse lockdep"
expect_status 2
expect_line '^Kernel panic - not syncing: spin_lock: recursive acquisition of recurse_lock on CPU 0: held since ktest__spinrecurse_second_acquisition_on_the_same_cpu_panics\+0x[0-9a-f]+/0x[0-9a-f]+, taken again at spin_test_take(\.constprop\.0)?\+0x[0-9a-f]+/0x[0-9a-f]+$'
expect_no_line 'WARNING: possible'
finish
