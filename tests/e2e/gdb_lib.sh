# Helpers for the scenarios that drive a paused kernel from gdb
# (gdb_ps.sh, modules_gdb.sh). Sourced, not run: sets top, elf, work and
# pidfile, and kills QEMU (by its PID) and removes $work on every exit.
#   gdb_qemu NAME TIMEOUT CMDLINE   boot paused with the stub on a free port ($port)
#   gdb_run TIMEOUT ARGS...         gdb -batch on the ELF, connected; output in $out
#   expect REGEX                    one line of $out must match; counts $fails
#   gdb_finish LINES                exit 1 with the serial's last LINES if any failed
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
elf=${CONTIG_ELF:-$top/build/contig.elf}
work=$(mktemp -d "${TMPDIR:-/tmp}/contig-gdb.XXXXXX")
pidfile=$work/qemu.pid wrapper="" port="" out="" fails=0

stop_qemu() {
	local pid
	pid=$(cat "$pidfile" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	[ -n "$wrapper" ] && wait "$wrapper" 2>/dev/null
}
trap 'stop_qemu; rm -rf "$work"' EXIT
command -v gdb >/dev/null || { echo "FAIL: gdb is not installed"; exit 1; }

gdb_qemu() {
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	setsid "$top/scripts/qemu.sh" --elf "$elf" --mem 256M --timeout "$1" --cmdline "$2" \
		--gdb "$port" -- -pidfile "$pidfile" </dev/null >"$work/serial" 2>&1 &
	wrapper=$!
	for _ in $(seq 100); do
		grep -q "^ *[0-9]*: 0100007F$(printf ':%04X ' "$port")[0-9A-F:]* 0A " /proc/net/tcp && break
		sleep 0.1
	done
}

gdb_run() {
	local limit=$1
	shift
	out=$(cd "$top" && timeout -k 5 "$limit" gdb -batch -nx \
		-iex "add-auto-load-safe-path $(dirname "$elf")" "$elf" -x scripts/gdb/gdbinit \
		-ex "target remote 127.0.0.1:$port" "$@" 2>&1)
	echo "$out"
}

expect() {
	grep -qE -- "$1" <<<"$out" && echo "ok: /$1/" || { echo "FAIL: no line matches /$1/"; fails=$((fails + 1)); }
}

gdb_finish() {
	[ $fails = 0 ] || { echo "---- serial ----"; tail -"$1" "$work/serial"; exit 1; }
}
