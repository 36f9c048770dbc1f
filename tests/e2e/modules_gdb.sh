#!/usr/bin/env bash
# GDB in a module: boot with mathlib and mathuser from GRUB and
# ktest=_module_gdb paused under QEMU's GDB stub; stop in
# module_test_loaded() (the modules are in), check contig-lsmod, load their
# symbols with contig-symbols, break in mathuser_run() and mathlib_gcd(),
# and check that the backtrace goes through both modules to the kernel
# caller, with arguments and source lines; after mathuser is unloaded,
# contig-symbols drops its symbols. QEMU is killed by its PID on every exit.
. "$(dirname "$0")/gdb_lib.sh"
for m in mathlib mathuser; do
	[ -r "$(dirname "$elf")/modules/$m.ko" ] || { echo "FAIL: no $(dirname "$elf")/modules/$m.ko: run make"; exit 1; }
done

CONTIG_MODULES=mathlib,mathuser gdb_qemu 90 "ktest=_module_gdb"
gdb_run 60 -ex "hbreak module_test_loaded" -ex continue -ex contig-lsmod \
	-ex contig-symbols -ex "info symbol mathuser_run" -ex "break mathuser_run" \
	-ex "break mathlib_gcd" -ex continue -ex bt -ex continue -ex bt -ex contig-symbols \
	-ex continue -ex contig-symbols -ex contig-lsmod -ex "info symbol mathuser_run"

addr='0x[0-9a-f]{16}'
expect "^mathuser [0-9]+ 0 - Live $addr$"
expect "^mathlib [0-9]+ 1 mathuser, Live $addr$"
expect "^  text $addr\+0x[0-9a-f]+, rodata $addr\+0x[0-9a-f]+"
expect "^contig-symbols: mathuser: .*/mathuser\.ko at $addr \([0-9]+ more sections\)$"
expect "^contig-symbols: mathlib: .*/mathlib\.ko at $addr \([0-9]+ more sections\)$"
expect '^mathuser_run in section \.text of .*/mathuser\.ko$'
args='\(a=(a@entry=)?12, b=(b@entry=)?18\)'
expect "^Breakpoint [0-9.]+, mathuser_run $args at modules/mathuser\.c:[0-9]+$"
expect "^#0 +mathuser_run $args at modules/mathuser\.c:[0-9]+$"
expect '^#1 +0x[0-9a-f]+ in ktest__module_gdb_break_in_a_module_function \(t=0x[0-9a-f]+\) at tests/kernel/module_test\.c:[0-9]+$'
expect "^Breakpoint [0-9.]+, mathlib_gcd $args at modules/mathlib\.c:[0-9]+$"
expect "^#0 +mathlib_gcd $args at modules/mathlib\.c:[0-9]+$"
expect '^#1 +0x[0-9a-f]+ in mathuser_run \(a=12, b=18\) at modules/mathuser\.c:[0-9]+$'
expect '^#2 +0x[0-9a-f]+ in ktest__module_gdb_break_in_a_module_function '
expect '^contig-symbols: mathuser: loaded already '
# After rmmod mathuser: its symbols go, mathlib's stay.
expect "^contig-symbols: mathuser: removed the symbols at $addr$"
expect "^mathlib [0-9]+ 0 - Live $addr$"
expect '^No symbol "mathuser_run" in current context\.$'
gdb_finish 30
