#!/usr/bin/env bash
# The one place that knows the QEMU command line.
#
# Usage: qemu.sh [--mem SIZE] [--smp N] [--cmdline "..."] [--firmware bios|uefi]
#                [--interactive] [--gdb [PORT]] [--iso FILE] [--elf FILE] [--log FILE]
#                [--timeout SECS] [-- extra qemu args]
#
# Serial goes to stdio (and to --log). --firmware uefi boots the same ISO
# under OVMF instead of SeaBIOS; the default is $CONTIG_FIRMWARE, else bios
# (make passes FIRMWARE= that way). --smp N (1..16, the kernel's NR_CPUS)
# defaults to $CONTIG_SMP, else 1 (make passes SMP= that way).
#
# How QEMU ends. QEMU exits 0 on Ctrl-A X, on a reset with -no-reboot and on
# a triple fault alike, so QEMU logs its CPU resets (-d cpu_reset) to a file
# this script reads: "Triple fault" is followed by the state of the CPU that
# faulted. Two modes:
#   default        (tests) -no-reboot: any reset ends QEMU; a reset is an error.
#   --interactive  (make run) a reset really reboots (the console's `reboot`);
#                  a watcher stops QEMU on a triple fault, except the one
#                  SeaBIOS itself takes to reset the machine on a reboot.
# The kernel leaves QEMU through the isa-debug-exit device; this script turns
# QEMU's status back into ours:
#   0  the kernel powered off or its tests passed     (QEMU status 33)
#      or, with --interactive, QEMU was quit (Ctrl-A X)  (QEMU status 0)
#   1  self-tests failed                               (QEMU status 35)
#   2  kernel panic                                    (QEMU status 37)
#   3  triple fault, a reset without --interactive, or QEMU itself failed
#      (QEMU status 1: it could not start)
#   124 the timeout (a hang detector) expired
set -uo pipefail
# --help (first argument only: a later one may be a value): the comment above.
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

mem=1G smp=${CONTIG_SMP:-1} cmdline="" gdb="" iso="" elf="$top/build/contig.elf" log="" timeout=0
firmware=${CONTIG_FIRMWARE:-bios} interactive=0
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--firmware) firmware=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--gdb) if [[ ${2:-} =~ ^[0-9]+$ ]]; then gdb=$2; shift 2; else gdb=1234; shift; fi ;;
	--iso) iso=$2; shift 2 ;;
	--elf) elf=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--) shift; extra=("$@"); break ;;
	*) echo "qemu.sh: unknown argument '$1'" >&2; exit 3 ;;
	esac
done

if ! [[ $smp =~ ^[0-9]+$ ]] || [ "$smp" -lt 1 ] || [ "$smp" -gt 16 ]; then
	echo "qemu.sh: --smp wants 1..16 CPUs (the kernel's NR_CPUS), got '$smp'" >&2
	exit 3
fi

OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
case $firmware in
bios) fw_args=() ;;
uefi)
	[ -r "$OVMF" ] || { echo "qemu.sh: no UEFI firmware at $OVMF (apt-get install ovmf)" >&2; exit 3; }
	fw_args=(-bios "$OVMF") ;;
*) echo "qemu.sh: --firmware wants bios or uefi, got '$firmware'" >&2; exit 3 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/contig-qemu.XXXXXX")
watcher=""
# Whatever ends this script (an error, a signal) ends its QEMU too.
cleanup() {
	[ -z "$watcher" ] || kill "$watcher" 2>/dev/null
	[ -s "${pidfile:-}" ] && kill "$(cat "$pidfile")" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
# QEMU exits 0 on Ctrl-C; without this the caller would read that as a reset
# and go on to its next boot.
trap 'exit 130' INT
resets=$work/resets.log
if [ -z "$iso" ]; then
	iso=$work/contig.iso
	"$here/mkiso.sh" "$elf" "$iso" "$cmdline" || exit 3
fi

args=(-machine pc -cpu qemu64 -m "$mem" -smp "$smp" "${fw_args[@]}" -cdrom "$iso" -boot d
	-display none -vga std -serial mon:stdio
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -d cpu_reset -D "$resets")
# One pidfile: the caller's (-- -pidfile FILE), else our own.
pidfile=$work/qemu.pid
for ((i = 0; i + 1 < ${#extra[@]}; i++)); do
	[ "${extra[$i]}" = -pidfile ] && pidfile=${extra[$((i + 1))]}
done
[ "$pidfile" = "$work/qemu.pid" ] && args+=(-pidfile "$pidfile")
[ $interactive = 1 ] || args+=(-no-reboot)
if [ -n "$gdb" ]; then
	args+=(-gdb "tcp:127.0.0.1:$gdb" -S)
	echo "qemu.sh: paused, GDB stub on 127.0.0.1:$gdb" >&2
fi
args+=("${extra[@]}")

# fatal_triple_fault: the reset log holds a triple fault that is not SeaBIOS's
# own way of resetting on a reboot (32-bit code in the BIOS area
# 0xe0000-0xfffff). QEMU dumps the faulting CPU after "Triple fault" only when
# it goes on to reset; then this prints its instruction pointer. With
# -no-reboot the line stands alone, and any triple fault is fatal.
fatal_triple_fault() {
	awk -v pending_is_fatal=$((!interactive)) '
		/^Triple fault/ { t = 1; next }
		t && /^(EIP|RIP)=/ { t = 0; if ($1 !~ /^EIP=000[ef][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/) { print $1; found = 1; exit } }
		END { if (!found && t && pending_is_fatal) found = 1
		      exit !found }' "$resets" 2>/dev/null
}

# With --interactive, stop QEMU once a fatal triple fault is logged (it would
# otherwise reboot into the same fault); the marker tells the status below.
watch_resets() {
	while sleep 0.2; do
		[ -s "$pidfile" ] || continue
		if fatal_triple_fault >/dev/null; then
			touch "$work/triple"
			kill "$(cat "$pidfile")" 2>/dev/null
			return
		fi
	done
}
if [ $interactive = 1 ]; then
	watch_resets &
	watcher=$!
fi

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

if [ -e "$work/triple" ] || { [ "$status" = 0 ] && fatal_triple_fault >/dev/null; }; then
	rip=$(fatal_triple_fault)
	echo "qemu.sh: triple fault${rip:+ at $rip} (the CPU reset itself; QEMU stopped)" >&2
	exit 3
fi
case $status in
33) exit 0 ;;
35) exit 1 ;;
37) exit 2 ;;
124) echo "qemu.sh: timed out after ${timeout}s (hang?)" >&2; exit 124 ;;
0)
	if [ $interactive = 1 ]; then
		echo "qemu.sh: QEMU quit" >&2
		exit 0
	fi
	echo "qemu.sh: the guest reset the machine (reboot?), or QEMU was quit, without a status" >&2
	exit 3 ;;
*) echo "qemu.sh: qemu exited with status $status" >&2; exit 3 ;;
esac
