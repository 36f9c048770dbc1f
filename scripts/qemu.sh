#!/usr/bin/env bash
# The one place that knows the QEMU command line.
#
# Usage: qemu.sh [--mem SIZE] [--smp N] [--cmdline "..."] [--gdb [PORT]]
#                [--iso FILE] [--elf FILE] [--log FILE] [--timeout SECS] [-- extra qemu args]
#
# Serial goes to stdio (and to --log). The kernel leaves QEMU through the
# isa-debug-exit device; this script turns QEMU's status back into ours:
#   0  the kernel powered off or its tests passed     (QEMU status 1)
#   1  self-tests failed                               (QEMU status 3)
#   2  kernel panic                                    (QEMU status 5)
#   3  reset / triple fault, or QEMU itself failed      (QEMU status 0 or other)
#   124 the timeout (a hang detector) expired
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

mem=1G smp=1 cmdline="" gdb="" iso="" elf="$top/build/contig.elf" log="" timeout=0
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--gdb) if [[ ${2:-} =~ ^[0-9]+$ ]]; then gdb=$2; shift 2; else gdb=1234; shift; fi ;;
	--iso) iso=$2; shift 2 ;;
	--elf) elf=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--) shift; extra=("$@"); break ;;
	*) echo "qemu.sh: unknown argument '$1'" >&2; exit 3 ;;
	esac
done

tmpiso=""
if [ -z "$iso" ]; then
	tmpiso=$(mktemp "${TMPDIR:-/tmp}/contig.XXXXXX.iso")
	iso=$tmpiso
	"$here/mkiso.sh" "$elf" "$iso" "$cmdline" || exit 3
fi
cleanup() { [ -n "$tmpiso" ] && rm -f "$tmpiso"; }
trap cleanup EXIT

args=(-machine pc -cpu qemu64 -m "$mem" -smp "$smp" -cdrom "$iso" -boot d
	-display none -vga std -serial mon:stdio -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)
if [ -n "$gdb" ]; then
	args+=(-gdb "tcp:127.0.0.1:$gdb" -S)
	echo "qemu.sh: paused, GDB stub on 127.0.0.1:$gdb" >&2
fi
args+=("${extra[@]}")

run() {
	if [ "$timeout" != 0 ]; then
		timeout --foreground -k 5 "$timeout" qemu-system-x86_64 "${args[@]}"
	else
		qemu-system-x86_64 "${args[@]}"
	fi
}
if [ -n "$log" ]; then
	run | tee "$log"
	status=${PIPESTATUS[0]}
else
	run
	status=$?
fi

case $status in
1) exit 0 ;;
3) exit 1 ;;
5) exit 2 ;;
124) echo "qemu.sh: timed out after ${timeout}s (hang?)" >&2; exit 124 ;;
0) echo "qemu.sh: the machine reset (triple fault?) without a status" >&2; exit 3 ;;
*) echo "qemu.sh: qemu exited with status $status" >&2; exit 3 ;;
esac
