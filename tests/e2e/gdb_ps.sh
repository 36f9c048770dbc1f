#!/usr/bin/env bash
# contig-ps and contig-bt in GDB: boot ktest=_gdb_ps paused under QEMU's
# GDB stub, stop in gdb_ps_stop(), which the thread "counted" calls once its
# creator sleeps in kthread_join() (so no tick can change the picture), and
# check that contig-ps lists init asleep, the idle thread, kworker/0 and the
# running thread with their stacks, and that contig-bt shows the sleeping
# threads' callers from their saved frames. QEMU is killed by its PID on
# every exit.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
elf=${CONTIG_ELF:-$top/build/contig.elf}
work=$(mktemp -d "${TMPDIR:-/tmp}/contig-gdb-ps.XXXXXX")
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

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
setsid "$top/scripts/qemu.sh" --elf "$elf" --mem 256M --timeout 60 \
	--cmdline "ktest=_gdb_ps" --gdb "$port" -- -pidfile "$pidfile" \
	</dev/null >"$work/serial" 2>&1 &
wrapper=$!
for _ in $(seq 100); do
	grep -q "^ *[0-9]*: 0100007F$(printf ':%04X ' "$port")[0-9A-F:]* 0A " /proc/net/tcp && break
	sleep 0.1
done
out=$(cd "$top" && timeout -k 5 40 gdb -batch -nx -iex "add-auto-load-safe-path $(dirname "$elf")" \
	"$elf" -x scripts/gdb/gdbinit -ex "target remote 127.0.0.1:$port" \
	-ex "hbreak gdb_ps_stop" -ex continue \
	-ex contig-ps -ex "contig-bt 1" -ex "contig-bt kworker/0" -ex "contig-bt counted" \
	-ex "contig-bt 9999" 2>&1)
echo "$out"

expect() {
	grep -qE -- "$1" <<<"$out" && echo "ok: /$1/" || { echo "FAIL: no line matches /$1/"; fails=$((fails + 1)); }
}
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
[ $fails = 0 ] || { echo "---- serial ----"; tail -20 "$work/serial"; exit 1; }
