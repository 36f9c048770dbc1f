#!/usr/bin/env bash
# A failed early mapping leaves no trace. The first page allocations after
# the buddy takes over are the VGA text screen's: fail_page_alloc=1 fails
# its memory-type entry, fail_page_alloc=2 its page table. Either way the
# kernel says so and goes on with serial only;
# the screen's early vm area is given back before vmalloc_init() imports it,
# so the boot's vmallocinfo does not list it (it used to: an unmapped area at
# 0xb8000 that a peek reported as not mapped) and the self-test that checks
# every listed early area is mapped passes.
. "$(dirname "$0")/lib.sh"
boot 64M "fail_page_alloc=1 poweroff" 60
expect_status 0
expect_line '^vga: no memory to track the memory type of phys 0xb8000-0xb8fff '
expect_line '^vga: mapping 0xb8000 at 0x[0-9a-f]{16} failed \(-12\), serial only$'
expect_line '^vmallocinfo:$'
expect_line ' ist_stacks_vmalloc\+0x[0-9a-f]+/0x[0-9a-f]+ pages=2 vmalloc N0=2$'
expect_no_line 'phys=0x00000000000b8000'
# The IST stacks now start where the screen would have been: the first area
# listed begins at the start of the vmalloc range the layout dump shows.
vstart=$(sed -nE 's/^ +vmalloc +: (0x[0-9a-f]{16}) - 0x[0-9a-f]{16} .*/\1/p' "$E2E_LOG" | head -1)
first=$(sed -n '/^vmallocinfo:$/{n;p;q}' "$E2E_LOG")
if [ -n "$vstart" ] && [[ $first =~ ^$vstart-0x[0-9a-f]{16}\ +12288\ ist_stacks_vmalloc ]]; then
	echo "ok: the first area, at the vmalloc start $vstart, is an IST stack"
else
	fail "vmalloc start '$vstart', first area listed: '$first'"
fi

# The page table fails after the memory type was reserved: both go back.
boot 64M "fail_page_alloc=2 ktest=early_area,ioremap" 60
expect_status 0
expect_line '^page allocation failure: order:0, gfp:0x[0-9a-f]+ \(caller pgtable_alloc'
expect_line '^vga: mapping 0xb8000 .* failed \(-12\)'
expect_no_line 'phys=0x00000000000b8000'
expect_line '^    ok 1 failed_early_map_leaves_no_area # SKIP no early vm area'
expect_line '^    ok [0-9]+ vga_screen_memtype_reserved$'
expect_line '^# ktest: [0-9]+ passed, 0 failed'

boot 64M "fail_page_alloc=1 ktest=early_area" 60
expect_status 0
expect_line '^vga: mapping 0xb8000 .* failed'
expect_line '^    ok 1 failed_early_map_leaves_no_area # SKIP no early vm area'

# Without the injected failure the screen is an early area, mapped.
boot 64M "ktest=early_area" 60
expect_status 0
expect_line '^    ok 1 failed_early_map_leaves_no_area$'
finish
