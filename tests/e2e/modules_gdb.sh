#!/usr/bin/env bash
# GDB in a module: boot with mathlib and mathuser from GRUB and
# ktest=_module_gdb paused under QEMU's GDB stub; stop in
# module_test_loaded() (the modules are in), check contig-lsmod, load their
# symbols with contig-symbols, break in mathuser_run() and mathlib_gcd(),
# and check that the backtrace goes through both modules to the kernel
# caller, with arguments and source lines; after mathuser is unloaded,
# contig-symbols drops its symbols. QEMU is killed by its PID on every exit.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
elf=${CONTIG_ELF:-$top/build/contig.elf}
work=$(mktemp -d "${TMPDIR:-/tmp}/contig-gdb-mod.XXXXXX")
pidfile=$work/qemu.pid wrapper=""
fails=0

stop_qemu() {
	local pid
	pid=$(cat "$pidfile" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ -n "$wrapper" ] && wait "$wrapper" 2>/dev/null
}
trap 'stop_qemu; rm -rf "$work"' EXIT
command -v gdb >/dev/null || { echo "FAIL: gdb is not installed"; exit 1; }
for m in mathlib mathuser; do
	[ -r "$(dirname "$elf")/modules/$m.ko" ] || { echo "FAIL: no $(dirname "$elf")/modules/$m.ko: run make"; exit 1; }
done

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CONTIG_MODULES=mathlib,mathuser setsid "$top/scripts/qemu.sh" --elf "$elf" --mem 256M --timeout 90 \
	--cmdline "ktest=_module_gdb" --gdb "$port" -- -pidfile "$pidfile" \
	</dev/null >"$work/serial" 2>&1 &
wrapper=$!
for _ in $(seq 100); do
	grep -q "^ *[0-9]*: 0100007F$(printf ':%04X ' "$port")[0-9A-F:]* 0A " /proc/net/tcp && break
	sleep 0.1
done
out=$(cd "$top" && timeout -k 5 60 gdb -batch -nx -iex "add-auto-load-safe-path $(dirname "$elf")" \
	"$elf" -x scripts/gdb/gdbinit -ex "target remote 127.0.0.1:$port" \
	-ex "hbreak module_test_loaded" -ex continue -ex contig-lsmod -ex contig-symbols \
	-ex "info symbol mathuser_run" -ex "break mathuser_run" -ex "break mathlib_gcd" \
	-ex continue -ex bt -ex continue -ex bt -ex contig-symbols \
	-ex continue -ex contig-symbols -ex contig-lsmod -ex "info symbol mathuser_run" 2>&1)
echo "$out"

expect() {
	grep -qE -- "$1" <<<"$out" && echo "ok: /$1/" || { echo "FAIL: no line matches /$1/"; fails=$((fails + 1)); }
}
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
[ $fails = 0 ] || { echo "---- serial ----"; tail -30 "$work/serial"; exit 1; }
