#!/usr/bin/env bash
# The GDB helpers end to end: boot ktest=_gdb paused under QEMU's GDB stub,
# drive `gdb -batch` with tests/e2e/gdb_check.py, and check that the
# contig-* commands print what the kernel printed (vmallocinfo, buddyinfo,
# meminfo, layout, dmesg), that a page walk finds the frame vmalloc_to_pfn()
# named, and that `bt` from the #PF handler and from vfree() shows the
# callers. Two boots: the default layout, then randomize_memory.
# Bounded by timeouts (about 5 s per boot when all is well, under 60 s in
# all); QEMU is killed by its PID on every exit.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
elf=${CONTIG_ELF:-$top/build/contig.elf}
GDB_TIMEOUT=20

die() { echo "FAIL: $*"; exit 1; }
[ -f "$elf" ] || die "no kernel at $elf (run make)"
command -v gdb >/dev/null || die "gdb is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/contig-gdb-e2e.XXXXXX")
serial=$work/serial.log pidfile=$work/qemu.pid gdbout=$work/gdb.out
wrapper=""

# Kill this run's QEMU by the PID it wrote, and reap its qemu.sh.
stop_qemu() {
	local pid
	pid=$(cat "$pidfile" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ -n "$wrapper" ] && wait "$wrapper" 2>/dev/null
	wrapper=""
	rm -f "$pidfile"
}
trap 'stop_qemu; rm -rf "$work"' EXIT
trap 'exit 143' INT TERM

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

listening() {
	grep -q "^ *[0-9]*: 0100007F$(printf ':%04X ' "$1")[0-9A-F:]* 0A " /proc/net/tcp
}

show_serial() {
	echo "---- serial (last 40 lines) ----"
	tr -d '\r' <"$serial" | tail -40
}

# start_qemu CMDLINE: QEMU paused on a free port, in its own session. Another
# program may take the port between the pick and QEMU's bind: try a few.
start_qemu() {
	for attempt in 1 2 3; do
		port=$(free_port) || die "cannot pick a free port"
		setsid "$top/scripts/qemu.sh" --elf "$elf" --mem 256M --timeout 50 --cmdline "$1" \
			--gdb "$port" -- -pidfile "$pidfile" </dev/null >"$serial" 2>&1 &
		wrapper=$!
		for _ in $(seq 50); do
			listening "$port" && break
			kill -0 "$wrapper" 2>/dev/null || break
			sleep 0.1
		done
		if listening "$port"; then
			echo "boot '$1': QEMU pid $(cat "$pidfile"), stub on 127.0.0.1:$port"
			return
		fi
		echo "attempt $attempt: QEMU is not listening on port $port:"
		cat "$serial"
		stop_qemu
	done
	die "QEMU's GDB stub never came up"
}

# session CMDLINE RANDOMISED: one boot, the gdb checks, the self-test's verdict.
session() {
	local status
	start_qemu "$1"
	(cd "$top" && CONTIG_GDB_PORT=$port CONTIG_GDB_SERIAL=$serial CONTIG_GDB_RANDOMISED=$2 \
		timeout -k 5 "$GDB_TIMEOUT" gdb -batch -nx "$elf" -x scripts/gdb/gdbinit \
		-x tests/e2e/gdb_check.py) >"$gdbout" 2>&1
	status=$?
	cat "$gdbout"
	if [ $status = 124 ] || [ $status = 137 ]; then
		show_serial
		die "boot '$1': gdb did not finish within ${GDB_TIMEOUT}s (kernel hung, or a breakpoint never hit)"
	fi
	grep -q '^gdb_check: 0 failure(s)$' "$gdbout" ||
		{ show_serial; die "boot '$1': gdb checks failed (gdb status $status)"; }
	# The kernel runs on to the end of its self-test and leaves QEMU itself.
	for _ in $(seq 50); do
		kill -0 "$wrapper" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^# ktest: 1 passed, 0 failed, 0 skipped' <(tr -d '\r' <"$serial" | sed -E 's/^\[ *[0-9]+\.[0-9]{6}\] //') ||
		{ show_serial; die "boot '$1': the _gdb self-test did not pass"; }
	echo "ok: boot '$1': the _gdb self-test passed"
	stop_qemu
}

session "ktest=_gdb" 0
session "ktest=_gdb randomize_memory" 1
echo "PASS"
