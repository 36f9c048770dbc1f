#!/usr/bin/env bash
# The GDB helpers end to end. First, without a kernel running: plain
# `gdb -batch ELF` loads the helpers by itself (auto-load of ELF-gdb.py)
# once the build directory is on its safe-path, and not otherwise. Then
# boots paused under QEMU's GDB stub, each driven by `gdb -batch` with
# tests/e2e/gdb_check.py:
#   ktest=_gdb (twice: default layout, then randomize_memory): the contig-*
#     commands print what the kernel printed (vmallocinfo, buddyinfo,
#     meminfo, slabinfo, layout, dmesg), contig-check passes and then
#     reports the fields gdb corrupts, a page walk finds the frame
#     vmalloc_to_pfn() named, `bt` from the #PF handler and from vfree()
#     shows the callers;
#   ktest=_crash and ktest=_panic: gdb stops in die() and panic() by itself
#     with a message and the backtrace, while QEMU still runs.
# Bounded by timeouts (about 5 s per boot when all is well, under 2 min in
# all); QEMU is killed by its PID on every exit.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
elf=${CONTIG_ELF:-$top/build/contig.elf}
GDB_TIMEOUT=90

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
		setsid "$top/scripts/qemu.sh" --elf "$elf" --mem 256M --timeout 150 --cmdline "$1" \
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

# The gdb command line a user would type: helpers auto-loaded with the ELF.
safe_path=(-iex "add-auto-load-safe-path $(dirname "$elf")")

# check_autoload: `gdb -batch ELF` defines contig-check with the safe-path
# and declines the helpers without it.
check_autoload() {
	local out
	[ -f "$elf-gdb.py" ] || die "no $elf-gdb.py: run make"
	out=$(cd "$work" && timeout 30 gdb -batch -nx "${safe_path[@]}" "$elf" \
		-ex 'help contig-check' -ex 'contig-panic-break' 2>&1)
	grep -q '^Usage: contig-check' <<<"$out" || die "auto-load: contig-check is not defined: $out"
	grep -q '^contig-panic-break: on: panic, die$' <<<"$out" ||
		die "auto-load: no breakpoints on panic and die: $out"
	echo "ok: gdb -batch $elf -iex 'add-auto-load-safe-path ...' loads the helpers"
	out=$(cd "$work" && timeout 30 gdb -batch -nx "$elf" -ex 'help contig-check' 2>&1)
	grep -q 'auto-loading has been declined' <<<"$out" && ! grep -q '^Usage: contig-check' <<<"$out" ||
		die "without the safe-path gdb should decline the helpers: $out"
	echo "ok: without the safe-path gdb declines them"
}

# session CMDLINE RANDOMISED [MODE STOP SUMMARY]: one boot, the gdb checks,
# the self-tests' verdict (SUMMARY, default "1 passed, 0 failed").
session() {
	local status summary=${5:-"1 passed, 0 failed"}
	start_qemu "$1"
	(cd "$top" && CONTIG_GDB_PORT=$port CONTIG_GDB_SERIAL=$serial CONTIG_GDB_RANDOMISED=$2 \
		CONTIG_GDB_MODE=${3:-helpers} CONTIG_GDB_STOP=${4:-} CONTIG_GDB_QEMU_PID=$(cat "$pidfile") \
		timeout -k 5 "$GDB_TIMEOUT" gdb -batch -nx "${safe_path[@]}" "$elf" \
		-x scripts/gdb/gdbinit -x tests/e2e/gdb_check.py) >"$gdbout" 2>&1
	status=$?
	cat "$gdbout"
	if [ $status = 124 ] || [ $status = 137 ]; then
		show_serial
		die "boot '$1': gdb did not finish within ${GDB_TIMEOUT}s (kernel hung, or a breakpoint never hit)"
	fi
	grep -q '^gdb_check: 0 failure(s)$' "$gdbout" ||
		{ show_serial; die "boot '$1': gdb checks failed (gdb status $status)"; }
	# The kernel runs on to the end of its self-test and leaves QEMU itself;
	# qemu.sh's --timeout bounds the wait (a busy host may take a while).
	wait "$wrapper" 2>/dev/null
	wrapper=""
	if [ "${3:-}" = panic ] && [ "$4" = panic ]; then
		grep -q 'Kernel panic - not syncing: deliberate panic' <(tr -d '\r' <"$serial") ||
			{ show_serial; die "boot '$1': no panic on serial after gdb let it go on"; }
		echo "ok: boot '$1': the kernel panicked once gdb let it go on"
	else
		grep -q "# ktest: $summary, 0 skipped" <(tr -d '\r' <"$serial") ||
			{ show_serial; die "boot '$1': the self-tests did not end '$summary'"; }
		echo "ok: boot '$1': the self-tests ended '$summary'"
	fi
	stop_qemu
}

check_autoload
session "ktest=_gdb" 0
session "ktest=_gdb randomize_memory" 1
session "ktest=_crash" 0 panic die "1 passed, 1 failed"
session "ktest=_panic" 0 panic panic
echo "PASS"
