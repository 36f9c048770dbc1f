/*
 * Self-test of vmalloc=SIZE (vmalloc_set_size(), mm/layout.c): a size the
 * layout cannot take is refused with a message naming the regions, and the
 * size in force is kept. Only refusals and the size already in force are
 * tried here: the layout is fixed once vmalloc_init() has run.
 * tests/e2e/vmalloc_size_option.sh boots with the option itself.
 */
#include "debug/ktest.h"
#include "kernel/errno.h"
#include "mm/layout.h"
#include "mm/memlayout.h"
#include "mm/vmalloc.h"

/* The largest size that keeps VMALLOC_GUARD_HOLE_MIN before vmemmap. */
static unsigned long vs_max(void)
{
	return VMEMMAP_START - VMALLOC_GUARD_HOLE_MIN - VMALLOC_START;
}

/* Bug: a vmalloc= that ran into the guard hole or vmemmap would have been taken. */
KTEST(vmalloc_size, too_large_is_refused_naming_vmemmap)
{
	const unsigned long keep = vmalloc_range_size;
	unsigned long mark = ktest_log_mark();

	KTEST_EXPECT_EQ(t, vmalloc_set_size(vs_max() + PAGE_SIZE), -EINVAL);
	KTEST_EXPECT_EQ(t, vmalloc_range_size, keep);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "vmalloc region overlap: vmalloc "));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, " and vmemmap "));
	KTEST_EXPECT_EQ(t, vmalloc_set_size(vs_max() + (1UL << 30)), -EINVAL);
	KTEST_EXPECT_EQ(t, vmalloc_set_size(~0UL & PAGE_MASK), -EINVAL);
	KTEST_EXPECT_EQ(t, vmalloc_range_size, keep);
	KTEST_EXPECT_EQ(t, VMALLOC_END + 1, VMALLOC_START + keep);
}

/* Bug: a vmalloc= too small for the boot-time areas would have been taken. */
KTEST(vmalloc_size, too_small_or_unaligned_is_refused)
{
	const unsigned long keep = vmalloc_range_size;
	unsigned long mark = ktest_log_mark();

	KTEST_EXPECT_EQ(t, vmalloc_set_size(PAGE_SIZE), -EINVAL);
	KTEST_EXPECT_EQ(t, vmalloc_set_size(VMALLOC_SIZE_MIN - PAGE_SIZE), -EINVAL);
	KTEST_EXPECT_EQ(t, vmalloc_set_size(0), -EINVAL);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "vmalloc region too small: vmalloc "));
	mark = ktest_log_mark();
	KTEST_EXPECT_EQ(t, vmalloc_set_size((1UL << 30) + 1), -EINVAL);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "not a multiple of the page size"));
	KTEST_EXPECT_EQ(t, vmalloc_range_size, keep);
}

/* The size in force is accepted again and the derived bounds follow it. */
KTEST(vmalloc_size, size_in_force_is_accepted)
{
	const unsigned long keep = vmalloc_range_size;

	KTEST_ASSERT_GE(t, keep, VMALLOC_SIZE_MIN);
	KTEST_ASSERT_LE(t, keep, vs_max());
	KTEST_EXPECT_EQ(t, vmalloc_set_size(keep), 0);
	KTEST_EXPECT_EQ(t, vmalloc_range_size, keep);
	KTEST_EXPECT_TRUE(t, is_vmalloc_addr((void *)(VMALLOC_START + keep - 1)));
	KTEST_EXPECT_FALSE(t, is_vmalloc_addr((void *)(VMALLOC_START + keep)));
	KTEST_EXPECT_EQ(t, mem_regions[REGION_VMALLOC].end, VMALLOC_START + keep);
	KTEST_EXPECT_EQ(t, mem_regions[REGION_GUARD_HOLE].start, VMALLOC_START + keep);
}

/* Bug: vmalloc_set_size() after boot moved VMALLOC_END under a free tree built for the old range. */
KTEST(vmalloc_size, change_after_boot_is_refused)
{
	const unsigned long keep = vmalloc_range_size;
	unsigned long other = keep > VMALLOC_SIZE_MIN ? keep - PAGE_SIZE : keep + PAGE_SIZE;

	KTEST_EXPECT_EQ(t, vmalloc_set_size(other), -EBUSY);
	KTEST_EXPECT_EQ(t, vmalloc_range_size, keep);
}
