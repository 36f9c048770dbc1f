#!/usr/bin/env bash
# Debug the kernel with GDB through QEMU's GDB stub.
#
# Usage: debug.sh MODE [--mem SIZE] [--smp N] [--cmdline "..."] [--port PORT]
#                      [--elf FILE] [--log FILE] [--break SYMBOL|none]
#
#   debug   QEMU paused in the background + gdb in this terminal, stopped at
#           kmain. The serial console goes to --log (default
#           build/debug-serial.log): follow it with `tail -f` in another
#           terminal. Leaving gdb stops QEMU.
#   server  QEMU only, paused, serial console on this terminal (Ctrl-A X
#           quits). The port is printed and kept in build/debug.port.
#   gdb     gdb only, connecting to --port, else to the port in
#           build/debug.port that `server` left there.
#
# The port is --port, or a free local port picked at random (printed). gdb
# starts with the kernel's symbols, the contig-* helpers (auto-loaded from
# ELF-gdb.py beside the ELF, which make writes: its directory is put on
# gdb's auto-load safe-path), breakpoints on panic() and die() that stop
# there with a backtrace, scripts/gdb/gdbinit (settings; architecture
# i386:x86-64) and, when the machine is still in its firmware, a breakpoint
# at --break (default kmain; _start stops in the 32-bit entry, none stays at
# the reset vector) and `continue`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

usage() {
	sed -n '4,5p' "$0" | sed 's/^# //' >&2
	exit 2
}

mode=${1:-}
[ $# -gt 0 ] && shift
case $mode in debug | server | gdb) ;; *) usage ;; esac

mem=1G smp=1 cmdline="" port="" brk=kmain elf="$top/build/contig.elf" log="$top/build/debug-serial.log"
portfile="$top/build/debug.port"
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--port) port=$2; shift 2 ;;
	--elf) elf=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--break) brk=$2; shift 2 ;;
	*) echo "debug.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
if [ -n "$port" ] && ! [[ $port =~ ^[0-9]+$ && $port -gt 0 && $port -lt 65536 ]]; then
	echo "debug.sh: --port must be a TCP port number, got '$port'" >&2
	exit 2
fi
[[ $brk =~ ^[A-Za-z_][A-Za-z0-9_.]*$ ]] || { echo "debug.sh: --break wants a symbol or none, got '$brk'" >&2; exit 2; }
[ -f "$elf" ] || { echo "debug.sh: no kernel at $elf: run make first" >&2; exit 2; }
elf=$(realpath "$elf")

# A local port nobody listens on (the host picks it; a race with another
# program is caught below, when QEMU cannot listen).
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

# listening PORT: is something listening on 127.0.0.1:PORT?
listening() {
	local hex
	hex=$(printf ':%04X ' "$1")
	grep -q "^ *[0-9]*: 0100007F${hex}[0-9A-F:]* 0A " /proc/net/tcp 2>/dev/null
}

run_gdb() {
	cd "$top" || exit 2
	# At the reset vector (firmware) run to $brk; if the kernel already
	# runs, stay where the stub stopped it.
	local start=()
	[ "$brk" = none ] || start=(-ex "python
if gdb.selected_frame().pc() < 0x100000:
    gdb.execute('break $brk')
    gdb.execute('continue')
")
	[ -f "$elf-gdb.py" ] ||
		echo "debug.sh: warning: no $elf-gdb.py (run make): no contig-* helpers" >&2
	exec gdb -q -nx -iex "add-auto-load-safe-path $(dirname "$elf")" "$elf" \
		-x "$top/scripts/gdb/gdbinit" \
		-ex "target remote 127.0.0.1:$1" "${start[@]}"
}

if [ "$mode" = gdb ]; then
	if [ -z "$port" ]; then
		[ -f "$portfile" ] || { echo "debug.sh: no --port and no $portfile: start 'make debug-server' first" >&2; exit 2; }
		port=$(cat "$portfile")
	fi
	listening "$port" || echo "debug.sh: warning: nothing listens on 127.0.0.1:$port" >&2
	run_gdb "$port"
fi

[ -n "$port" ] || port=$(free_port)
qemu_args=(--mem "$mem" --smp "$smp" --cmdline "$cmdline" --elf "$elf" --gdb "$port")

if [ "$mode" = server ]; then
	mkdir -p "$(dirname "$portfile")"
	echo "$port" >"$portfile"
	trap 'rm -f "$portfile"' EXIT
	echo "debug.sh: QEMU paused, GDB stub on 127.0.0.1:$port; in another terminal: make gdb (or scripts/debug.sh gdb --port $port)"
	"$here/qemu.sh" "${qemu_args[@]}"
	exit $?
fi

# debug: QEMU in its own session (so that Ctrl-C in gdb reaches gdb only),
# serial to the log; gdb here; QEMU killed by its PID when gdb ends.
mkdir -p "$(dirname "$log")"
pidfile=$(mktemp "${TMPDIR:-/tmp}/contig-debug.XXXXXX.pid")
: >"$log"
setsid "$here/qemu.sh" "${qemu_args[@]}" -- -pidfile "$pidfile" </dev/null >"$log" 2>&1 &
wrapper=$!
cleanup() {
	local pid
	pid=$(cat "$pidfile" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	wait "$wrapper" 2>/dev/null
	rm -f "$pidfile"
}
trap cleanup EXIT
trap "exit 143" TERM
trap : INT	# Ctrl-C is for gdb (it interrupts the kernel), not for this script

for _ in $(seq 100); do
	listening "$port" && break
	kill -0 "$wrapper" 2>/dev/null || break
	sleep 0.1
done
if ! listening "$port"; then
	echo "debug.sh: QEMU did not start listening on 127.0.0.1:$port; its output:" >&2
	cat "$log" >&2
	exit 3
fi
echo "debug.sh: QEMU (pid $(cat "$pidfile")) paused, GDB stub on 127.0.0.1:$port"
echo "debug.sh: serial console in $log (tail -f it in another terminal)"
(run_gdb "$port")
