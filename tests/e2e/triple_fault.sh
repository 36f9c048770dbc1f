#!/usr/bin/env bash
# A triple fault is a failure, not a quit: with -no-reboot (tests) and with
# --interactive (make run, where a reset reboots and a watcher stops QEMU).
. "$(dirname "$0")/lib.sh"
boot 256M "ktest=_triple"
expect_status 3
expect_line '^qemu.sh: triple fault \(the CPU reset itself; QEMU stopped\)$'
expect_no_line 'QEMU quit'

# Interactive: the watcher stops QEMU (else it would reboot into the fault
# until the timeout, status 124) and names the faulting RIP.
E2E_LOG=$E2E_OUT/e2e-triple_fault-interactive.log
"$E2E_TOP/scripts/qemu.sh" --interactive --mem 256M --timeout 120 --cmdline "ktest=_triple" \
	</dev/null >"$E2E_LOG" 2>&1
E2E_STATUS=$?
tr -d '\r' <"$E2E_LOG" >"$E2E_LOG.tmp" && mv "$E2E_LOG.tmp" "$E2E_LOG"
echo "interactive boot 'ktest=_triple': status $E2E_STATUS"
expect_status 3
expect_line '^qemu.sh: triple fault at RIP=ffffffff8[0-9a-f]{7} \(the CPU reset itself; QEMU stopped\)$'
rip=$(sed -nE 's/^qemu.sh: triple fault at RIP=([0-9a-f]+) .*/\1/p' "$E2E_LOG")
sym=$(awk -v a="$rip" 'tolower($1) <= a && $2 ~ /[tT]/ { s = $3 } END { print s }' "$E2E_TOP/build/contig.sym")
[ "$sym" = machine_triple_fault ] && echo "ok: RIP $rip is in machine_triple_fault" ||
	fail "RIP $rip is in '$sym', not machine_triple_fault"
finish
