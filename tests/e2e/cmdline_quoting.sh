#!/usr/bin/env bash
# Command lines reach the kernel as typed: every character that GRUB's
# shell-like syntax or the shell and make treat specially comes back byte
# for byte in the kernel's boot line `boot: loaded by ..., command line "..."`.
. "$(dirname "$0")/lib.sh"

# got_cmdline: the command line the kernel printed in the last boot.
got_cmdline() {
	sed -E -n 's/^(\[ *[0-9]+\.[0-9]{6}\] )?boot: loaded by [^,]*, command line "(.*)"$/\2/p' "$E2E_LOG"
}

# expect_cmdline WANT: the kernel printed exactly WANT.
expect_cmdline() {
	local got
	got=$(got_cmdline)
	if [ "$got" == "$1" ]; then
		echo "ok: command line came through byte for byte (${#1} bytes)"
	else
		fail "command line: got $(printf %q "$got"), want $(printf %q "$1")"
	fi
}

# roundtrip LINE: boot with "poweroff LINE", compare.
roundtrip() {
	boot 128M "poweroff $1"
	expect_status 0
	expect_cmdline "poweroff $1"
}

# A few boots, each with a family of characters (a boot takes about a second).
roundtrip '& | $root ${prefix} $1 $$ a;b #comment `id` $(id) *?[a] ~ < > { } ( ) ! %'
roundtrip 'it'"'"'s '"''"' a"b "c d" back\slash \\ \" \'"'"' trailing\'
roundtrip $'  two  spaces, tabs\tin\tthe middle and a trailing space '
roundtrip 'é € 日本 😀 &|$;#'"'"'"\'

# A long line (430 bytes: printk keeps 511 bytes a message, the boot line's
# own text included), then one past the kernel's 511-byte buffer: truncated,
# with a message.
long=$(printf 'x%.0s' $(seq 1 421))
roundtrip "$long"
boot 128M "poweroff $(printf 'y%.0s' $(seq 1 600))"
expect_status 0
expect_line '^multiboot2: command line is 609 characters long, truncated to 511$'

# A line break cannot be passed (GRUB would end the command): refused by name.
boot 128M $'poweroff\nx'
expect_status 3
expect_line '^mkiso.sh: the command line holds a line break'

# Through make, as a user types it: quotes, $ and spaces stay as they are.
# make builds the kernel first (nothing to do after make test's build).
E2E_LOG=$E2E_OUT/e2e-cmdline_quoting-make-run.log
want='poweroff a"b $root $(x) it'"'"'s &|; #c'
# make run has no timeout of its own (it is interactive): if the quoting
# lost "poweroff", the kernel would wait at its console forever.
timeout -k 5 120 make -s -C "$E2E_TOP" run CMDLINE="$want" MEM=128M </dev/null >"$E2E_LOG" 2>&1
E2E_STATUS=$?
tr -d '\r' <"$E2E_LOG" >"$E2E_LOG.tmp" && mv "$E2E_LOG.tmp" "$E2E_LOG"
echo "make run CMDLINE=$(printf %q "$want"): status $E2E_STATUS"
expect_status 0
expect_cmdline "$want"
finish
