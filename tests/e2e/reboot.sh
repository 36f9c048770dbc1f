#!/usr/bin/env bash
# Leaving and restarting the machine the way `make run` does it (qemu.sh
# --interactive, on a pty): Ctrl-A X quits with status 0 and "QEMU quit";
# `reboot` at the console brings GRUB and the kernel up again, under BIOS and
# UEFI; `poweroff` then ends with status 0 (tests/e2e/reboot_test.py).
here=$(cd "$(dirname "$0")" && pwd)
if ! /usr/bin/python3 -c 'import pexpect' 2>/dev/null; then
	echo "FAIL: reboot: python3-pexpect is missing (apt-get install -y python3-pexpect)"
	exit 1
fi
exec /usr/bin/python3 "$here/reboot_test.py" "$@"
