#!/usr/bin/env bash
# A failed early mapping leaves no trace: with fail_page_alloc=1 the first
# page allocation after the buddy takes over, the page table of the VGA text
# screen's mapping, fails. The kernel says so and goes on with serial only;
# the screen's early vm area is given back before vmalloc_init() imports it,
# so the boot's vmallocinfo does not list it (it used to: an unmapped area at
# 0xb8000 that a peek reported as not mapped) and the self-test that checks
# every listed early area is mapped passes.
. "$(dirname "$0")/lib.sh"
boot 64M "fail_page_alloc=1 poweroff" 60
expect_status 0
expect_line '^page allocation failure: order:0, gfp:0x[0-9a-f]+ \(caller pgtable_alloc'
expect_line '^vga: mapping 0xb8000 at 0x[0-9a-f]{16} failed \(-12\), serial only$'
expect_line '^vmallocinfo:$'
expect_line ' ist_stacks_vmalloc\+0x[0-9a-f]+/0x[0-9a-f]+ pages=2 vmalloc$'
expect_no_line 'phys=0xb8000'
# The IST stacks now start where the screen would have been.
expect_line '^0xffffc20000000000-0xffffc20000003000 +12288 ist_stacks_vmalloc'

boot 64M "fail_page_alloc=1 ktest=early_area" 60
expect_status 0
expect_line '^vga: mapping 0xb8000 .* failed'
expect_line '^    ok 1 failed_early_map_leaves_no_area # SKIP no early vm area'

# Without the injected failure the screen is an early area, mapped.
boot 64M "ktest=early_area" 60
expect_status 0
expect_line '^    ok 1 failed_early_map_leaves_no_area$'
finish
