#!/usr/bin/env bash
# The interactive console: boot with neither ktest= nor poweroff, drive the
# prompt over the serial line and check real outcomes (tests/e2e/console_test.py).
# Exit 0 on success, 1 with the failed checks and the serial transcript.
here=$(cd "$(dirname "$0")" && pwd)
if ! /usr/bin/python3 -c 'import pexpect' 2>/dev/null; then
	echo "FAIL: console: python3-pexpect is missing (apt-get install -y python3-pexpect)"
	exit 1
fi
exec /usr/bin/python3 "$here/console_test.py" "$@"
