#!/usr/bin/env bash
# contig-ps and contig-bt in GDB: boot ktest=_gdb_ps paused under QEMU's
# GDB stub, stop in gdb_ps_stop(), which the thread "counted" calls once its
# creator sleeps in kthread_join() (so no tick can change the picture), and
# check that contig-ps lists init asleep, the idle thread, kworker/0 and the
# running thread with their stacks, and that contig-bt shows the sleeping
# threads' callers from their saved frames. QEMU is killed by its PID on
# every exit.
. "$(dirname "$0")/gdb_lib.sh"

gdb_qemu 60 "ktest=_gdb_ps"
gdb_run 40 -ex "hbreak gdb_ps_stop" -ex continue -ex contig-ps -ex "contig-bt 1" \
	-ex "contig-bt kworker/0" -ex "contig-bt counted" -ex "contig-bt 9999"

expect '^  PID NAME +S CPU STACK +SWITCHES$'
expect '^ +1 init +D +0 ffffffff8[0-9a-f]{7}-ffffffff8[0-9a-f]{7} +[0-9]+$'
expect '^ +[0-9]+ idle/0 +I +0 ffffc[0-9a-f]{11}-ffffc[0-9a-f]{11} +[0-9]+$'
expect '^ +[0-9]+ kworker/0 +S +0 ffffc[0-9a-f]{11}-ffffc[0-9a-f]{11} +[0-9]+$'
expect '^ +[0-9]+ counted +R +0 ffffc[0-9a-f]{11}-ffffc[0-9a-f]{11} +[0-9]+$'
expect '^CPU 0: [0-9]+ context switches, [0-9]+ preemptions, [0-9]+ ticks$'
expect "^thread 1 'init', saved rsp 0xffffffff8"
expect '^#[0-9] +0x[0-9a-f]+ kthread_join\+0x'
expect '^#[0-9] +0x[0-9a-f]+ ktest__gdb_ps_counted_stops_with_its_creator_asleep\+0x'
expect '^#[0-9] +0x[0-9a-f]+ worker_thread\+0x'
expect '^#[0-9] +0x[0-9a-f]+ kthread_start_asm\+0x'
expect '^contig-bt: pid [0-9]+ is running on CPU 0: select that vCPU and use bt$'
expect "^contig-bt: no thread '9999'"
gdb_finish 20
