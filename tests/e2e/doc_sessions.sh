#!/usr/bin/env bash
# The sessions shown in README.md and docs/debugging.md are what the kernel
# prints today: scripts/doc-sessions.py boots each one (a poweroff boot, the
# console through a pty, gdb through QEMU's stub) and compares. `make docs`
# rewrites them when this fails.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout -k 5 400 "$top/scripts/doc-sessions.py" --check
