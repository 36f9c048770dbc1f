#!/usr/bin/env bash
# An NMI on an application processor is reported on that CPU's own IST
# stack, names the CPU, and its backtrace walks the AP's own (vmalloc'ed)
# stack down to its entry. The NMI comes from QEMU's monitor (`nmi`, all
# CPUs), typed through the serial multiplexer (Ctrl-A c) once the console
# prompt shows, i.e. once both CPUs are up.
. "$(dirname "$0")/lib.sh"
E2E_LOG=$E2E_OUT/e2e-$E2E_NAME-1.serial.log
fifo=$E2E_OUT/tmp/$E2E_NAME.in
rm -f "$fifo" && mkfifo "$fifo"
CONTIG_SMP=2 "$E2E_TOP/scripts/qemu.sh" --mem 256M --timeout 90 --cmdline "" <"$fifo" >"$E2E_LOG" 2>&1 &
qemu=$!
exec 3>"$fifo"
for _ in $(seq 600); do
	grep -q 'contig> ' "$E2E_LOG" 2>/dev/null && break
	kill -0 $qemu 2>/dev/null || break
	sleep 0.1
done
printf '\001c' >&3
sleep 0.5
printf 'nmi\r' >&3
wait $qemu
E2E_STATUS=$?
exec 3>&-
rm -f "$fifo"
tr -d '\r' <"$E2E_LOG" | sed -E 's/^\[ *[0-9]+\.[0-9]{6}\] //' >"$E2E_LOG.tmp" && mv "$E2E_LOG.tmp" "$E2E_LOG"
expect_line '^smp: brought up 2 CPUs in [0-9]+ ms$'
expect_status 2
expect_line '^Oops: NMI, error code 0 \[#[12]\]$'
expect_line '^CPU: 1$'
expect_line '^CPU: 0$'
expect_line '^RIP: 0008:ffffffff8[0-9a-f]+ smp_(idle_loop|ap_entry)\+0x'
expect_line '^RSP: 0010:ffffc2[0-9a-f]+ '
expect_line '^ \[<ffffffff8[0-9a-f]+>\] smp_ap_start64'
expect_line 'Kernel panic - not syncing: Fatal exception: NMI'
finish
