#!/usr/bin/env bash
# Modules end to end, with every module of build/modules/ in the ISO
# (MODULES=all): a fault inside a module is reported with the module's name
# in the oops ("symbol+off/size [module]"), then a console session loads,
# lists and unloads modules by hand (tests/e2e/modules_test.py).
. "$(dirname "$0")/lib.sh"
ls "$E2E_TOP"/build/modules/*.ko >/dev/null 2>&1 || { fail "no build/modules/*.ko: run make"; finish; }
export CONTIG_MODULES=all

# Bug: a module's debug info named the checkout's directory, so its size
# (which insmod prints, and README's sessions show) changed with the path of
# the clone. No .ko may hold the path of the tree it was built in.
for ko in "$E2E_TOP"/build/modules/*.ko; do
	if grep -qaF "$E2E_TOP" "$ko"; then
		fail "$(basename "$ko") holds the build directory $E2E_TOP"
	else
		echo "ok: $(basename "$ko") names no build directory"
	fi
done

boot 256M ktest=_module_crash
expect_status 1
expect_line '^module faulty: loaded, text at 0xffffffff[a-f][0-9a-f]{7} '
expect_line '^BUG: unable to handle page fault at 0xffffffff[a-f][0-9a-f]{7}'
expect_line '^RIP: 0008:ffffffff[a-f][0-9a-f]{7} faulty_write_text\+0x[0-9a-f]+/0x[0-9a-f]+ \[faulty\]$'
expect_line '^ \[<ffffffff[a-f][0-9a-f]{7}>\] faulty_write_text\+0x[0-9a-f]+/0x[0-9a-f]+ \[faulty\]$'
expect_line '^ \[<ffffffff8[0-9a-f]+>\] (\? )?ktest__module_crash_fault_inside_a_module\+0x[0-9a-f]+/0x[0-9a-f]+$'
expect_line '^    not ok 1 fault_inside_a_module$'

# modules= loads GRUB modules at boot; a name that matches none is reported.
boot 256M "modules=vmstress,nosuch poweroff"
expect_status 0
expect_line '^vmstress: 5 areas, [0-9]+ bytes written, checked and freed: ok$'
expect_line '^module vmstress: loaded, text at 0xffffffff[a-f][0-9a-f]{7} '
expect_line '^modules=: no GRUB module matches "nosuch" \([0-9]+ GRUB modules\)$'

if ! /usr/bin/python3 -c 'import pexpect' 2>/dev/null; then
	fail "python3-pexpect is missing (apt-get install -y python3-pexpect)"
	finish
fi
/usr/bin/python3 "$(dirname "$0")/modules_test.py" || fail "the console session (above)"
finish
