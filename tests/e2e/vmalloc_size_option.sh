#!/usr/bin/env bash
# vmalloc=SIZE sets the size of the vmalloc area before the layout is fixed:
# the layout dump, VmallocTotal and the ptdump-facing region table follow it;
# a size that would run into the guard hole and vmemmap, or that cannot hold
# the boot-time areas, is refused with one line naming the regions and their
# ranges, and the default (32 TB) is kept. Also under randomize_memory, with
# the self-tests of the vmalloc_size and layout suites.
. "$(dirname "$0")/lib.sh"
default_row='^ +vmalloc +: 0xffffc20000000000 - 0xffffe20000000000 +\( +32 TB\)$'

boot 512M "vmalloc=1G poweroff"
expect_status 0
expect_line '^ +vmalloc +: 0xffffc20000000000 - 0xffffc20040000000 +\( +1024 MB\)$'
expect_line '^ +guard hole +: 0xffffc20040000000 - 0xffffe30000000000 '
expect_line '^VmallocTotal: +1048575 kB$'
expect_no_line '^layout: |^vmalloc='
expect_line '^poweroff: powering off$'
expect_no_line 'WARNING|BUG:|Oops|panic'

boot 512M "vmalloc=64T poweroff"
expect_status 0
expect_line '^vmalloc=0x400000000000 \(64 TB\): vmalloc region overlap: vmalloc 0xffffc20000000000-0xffffffffffffffff overlaps guard hole 0xffffe2ffc0000000-0xffffe2ffffffffff and vmemmap 0xffffe30000000000-0xffffe3ffffffffff; keeping 32 TB$'
expect_line "$default_row"
expect_line '^VmallocTotal: +34359738367 kB$'
expect_line '^poweroff: powering off$'
expect_no_line 'WARNING|BUG:|Oops|panic'

# One page past the largest size that keeps the 1 GiB hole: refused too.
boot 512M "vmalloc=35432431620K poweroff"
expect_status 0
expect_line '^vmalloc=0x20ffc0001000 \(.*\): vmalloc region overlap: vmalloc 0xffffc20000000000-0xffffe2ffc0000fff overlaps guard hole 0xffffe2ffc0000000-'
expect_line "$default_row"

boot 512M "vmalloc=4K poweroff"
expect_status 0
expect_line '^vmalloc=0x1000 \(4 kB\): vmalloc region too small: vmalloc 0xffffc20000000000-0xffffc20000000fff cannot hold the boot-time areas, 16 MiB at least; keeping 32 TB$'
expect_line "$default_row"
expect_line '^poweroff: powering off$'

boot 512M "vmalloc=1M+ vmalloc=12345 poweroff"
expect_status 0
expect_line "^cmdline: vmalloc: invalid value '1M\+'"
expect_line "^cmdline: vmalloc: value '12345' is not a multiple of 4096, keeping default$"
expect_line "$default_row"

boot 512M "randomize_memory vmalloc=16M ktest=vmalloc_size,layout,paging,early_area" 300
expect_status 0
expect_line '^kaslr: randomised: '
expect_line '^ +vmalloc +: 0x[0-9a-f]{16} - 0x[0-9a-f]{16} +\( +16 MB\)$'
expect_line '^VmallocTotal: +16383 kB$'
expect_no_line '^layout: the memory layout is inconsistent|^kaslr: .*do not fit'
expect_line '^    ok [0-9]+ too_large_is_refused_naming_vmemmap$'
expect_line '^    ok [0-9]+ too_small_or_unaligned_is_refused$'
expect_line '^    ok [0-9]+ size_in_force_is_accepted$'
expect_line '^# ktest: [0-9]+ passed, 0 failed'
expect_no_line 'BUG:|Oops|panic'
finish
