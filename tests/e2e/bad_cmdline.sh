#!/usr/bin/env bash
# Bad command-line values are refused with a message naming the option; the
# defaults are kept and the kernel boots on.
. "$(dirname "$0")/lib.sh"
boot 256M "loglevel=banana frobnicate=1 poweroff=yes poweroff"
expect_status 0
expect_line "cmdline: .*loglevel.*banana"
expect_line "cmdline: .*frobnicate"
expect_line "cmdline: .*poweroff"
expect_line '^Virtual kernel memory layout:$'
expect_line '^poweroff: powering off$'

# mem= limits usable RAM; a value below the minimum is refused.
boot 1G "mem=64M poweroff"
expect_status 0
expect_line '^mem=: usable RAM limited to below 0x4000000$'
# Below 64 MiB, less what the kernel reserves (its image, page tables, the
# low 1 MiB: a few MiB, which grow with the image; 16 MiB is ample).
total=$(sed -nE 's/^MemTotal: +([0-9]+) kB$/\1/p' "$E2E_LOG" | head -1)
[ -n "$total" ] && [ "$total" -lt 65536 ] && [ "$total" -gt 49152 ] &&
	echo "ok: MemTotal $total kB is below 64 MiB" || fail "MemTotal '${total}' kB with mem=64M"
boot 256M "mem=1k poweroff"
expect_status 0
expect_line "cmdline: .*mem.*1k"
expect_no_line '^mem=: usable RAM limited'
finish
