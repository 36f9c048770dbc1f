#!/usr/bin/env bash
# make run CMDLINE=poweroff: boots, prints the memory map, the layout dump and
# the allocator dumps, and powers off with status 0.
. "$(dirname "$0")/lib.sh"
boot 1G poweroff
expect_status 0
expect_line '^BIOS-e820: \[mem 0x0000000000000000-0x[0-9a-f]{16}\] usable$'
expect_line '^Virtual kernel memory layout:$'
expect_line '^ +vmalloc +: 0xffffc20000000000 - 0xffffe20000000000 +\( +32 TB\)$'
expect_line '^ +direct map +: 0xffff810000000000 - 0xffffc10000000000'
expect_line '^ +guard hole +: 0xffffe20000000000 - 0xffffe30000000000 +\( +1024 GB\)$'
expect_line '^ +vmemmap +: 0xffffe30000000000 - 0xffffe40000000000 +\( +1024 GB\)$'
expect_no_line '^layout: '
expect_line '^x86/mm: Checked W\+X mappings: passed, no W\+X pages found\.$'
expect_no_line '^x86/mm: Found insecure W\+X mapping'
expect_line '^ +\.text +: 0xffffffff80'
expect_line '^MEMBLOCK configuration:$'
expect_line '^Node 0, zone +DMA32'
expect_line '^MemTotal: +[0-9]+ kB$'
expect_line '^VmallocTotal: +3435973836[78] kB$'
expect_line '^0xffffc20000000000-0xffffc20000002000 +8192 kmain\+0x[0-9a-f]+/0x[0-9a-f]+ phys=0x00000000000b8000 ioremap$'
expect_line '^0xffffc2000000[0-9a-f]{4}-0xffffc2000000[0-9a-f]{4} +12288 ist_stacks_vmalloc\+0x[0-9a-f]+/0x[0-9a-f]+ pages=2 vmalloc N0=2$'
expect_line '^poweroff: powering off$'
expect_no_line 'WARNING|BUG:|Oops|panic'
finish
