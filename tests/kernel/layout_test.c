/*
 * Self-tests of the virtual layout (include/mm/memlayout.h, mm/layout.c,
 * arch/x86/mm/kaslr.c): the unmapped guard hole between the top of vmalloc
 * space and vmemmap, in the running layout (default or randomised, make
 * test boots both) and in the randomised placement for any draws.
 */
#include "debug/ktest.h"

#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/traps.h"
#include "kernel/errno.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "lib/random.h"
#include "mm/layout.h"
#include "mm/memlayout.h"
#include "mm/vmalloc.h"

#define KASLR_END (__VMEMMAP_BASE_DEFAULT + VMEMMAP_SIZE)

/*
 * Bug: VMALLOC_END was immediately followed by vmemmap, so a VM_NO_GUARD
 * area at the very top read struct page 0 one byte past its end.
 */
KTEST(layout, no_guard_area_at_vmalloc_top_faults_past_end)
{
	unsigned long top = VMALLOC_END + 1;
	char *p;

	p = __vmalloc_node_range(PAGE_SIZE, 1, top - PAGE_SIZE, VMALLOC_END,
				 GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL, VM_NO_GUARD, -1,
				 __builtin_return_address(0));
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, (unsigned long)p, top - PAGE_SIZE);
	p[PAGE_SIZE - 1] = 0x5a; /* its last byte is fine */
	KTEST_EXPECT_FAULT(t, (void)*(volatile char *)(p + PAGE_SIZE));
	KTEST_EXPECT_EQ(t, t->fault_addr, top);
	vfree(p);
}

/* @s starts with @prefix and holds @part somewhere after it. */
static bool layout_has(const char *s, const char *prefix, const char *part)
{
	size_t n = strlen(prefix), m = strlen(part);

	if (strncmp(s, prefix, n))
		return false;
	for (s += n; *s; s++)
		if (!strncmp(s, part, m))
			return true;
	return false;
}

/*
 * Bug: a fault in the guard hole after vmalloc got no region name in the
 * oops; it names the hole and the area that ends where the hole starts.
 */
KTEST(layout, fault_in_guard_hole_is_named_with_area_below)
{
	unsigned long top = VMALLOC_END + 1;
	char desc[256], start[24];
	char *p;

	KTEST_ASSERT_TRUE(t, fault_describe(VMEMMAP_START - 1, 0, desc, sizeof(desc)));
	KTEST_EXPECT_EQ(t, strncmp(desc, "guard hole after vmalloc", 24), 0);
	p = __vmalloc_node_range(PAGE_SIZE, 1, top - PAGE_SIZE, VMALLOC_END,
				 GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL, VM_NO_GUARD, -1,
				 __builtin_return_address(0));
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_FAULT(t, (void)*(volatile char *)(p + PAGE_SIZE));
	KTEST_EXPECT_EQ(t, t->fault_addr, top);
	snprintf(start, sizeof(start), "[%#lx-", (unsigned long)p);
	KTEST_EXPECT_TRUE(t, fault_describe(t->fault_addr, 0, desc, sizeof(desc)));
	vfree(p);
	KTEST_EXPECT_TRUE(t, layout_has(desc, "guard hole after vmalloc; just below: ", start));
}

/* Bug: the running layout had no hole between VMALLOC_END and VMEMMAP_START. */
KTEST(layout, guard_hole_between_vmalloc_and_vmemmap)
{
	const struct mem_region *hole = &mem_regions[REGION_GUARD_HOLE];
	enum pg_level level;

	KTEST_ASSERT_TRUE(t, VMEMMAP_START > VMALLOC_END);
	KTEST_EXPECT_GE(t, VMEMMAP_START - (VMALLOC_END + 1), VMALLOC_GUARD_HOLE_MIN);
	if (!memory_randomized) {
		KTEST_EXPECT_EQ(t, VMEMMAP_START - (VMALLOC_END + 1),
				VMALLOC_GUARD_HOLE + VMALLOC_SIZE - vmalloc_range_size);
		KTEST_EXPECT_EQ(t, VMEMMAP_START, 0xffffe30000000000UL);
	}
	KTEST_EXPECT_EQ(t, layout_check_guard_hole(VMALLOC_END, VMEMMAP_START), 0);
	KTEST_EXPECT_EQ(t, hole->start, VMALLOC_END + 1);
	KTEST_EXPECT_EQ(t, hole->end, VMEMMAP_START);
	KTEST_EXPECT_NULL(t, lookup_address(hole->start, &level));
	KTEST_EXPECT_NULL(t, lookup_address(hole->end - PAGE_SIZE, &level));
}

/* A hole below the minimum, or none, is reported. */
KTEST(layout, guard_hole_check_refuses_short_hole)
{
	unsigned long end = 0xffffe1ffffffffffUL;

	KTEST_EXPECT_EQ(t, layout_check_guard_hole(end, end + 1), -1);
	KTEST_EXPECT_EQ(t, layout_check_guard_hole(end, end + VMALLOC_GUARD_HOLE_MIN), -1);
	KTEST_EXPECT_EQ(t, layout_check_guard_hole(end, end + 1 + VMALLOC_GUARD_HOLE_MIN), 0);
	KTEST_EXPECT_EQ(t, layout_check_guard_hole(end, end - PAGE_SIZE), -1);
}

static u64 draw_zero(void)
{
	return 0;
}

static u64 draw_max(void)
{
	return ~0ULL;
}

static struct rnd_state layout_rnd;

static u64 draw_rnd(void)
{
	return rnd_next(&layout_rnd);
}

/* Check one placement; returns the number of broken rules. */
static int placement_bad(struct ktest *t, unsigned long dm_size, u64 (*draw)(void))
{
	unsigned long b[3];
	int bad = 0;

	if (kaslr_place_regions(dm_size, draw, b)) {
		ktest_fail(t, __FILE__, __LINE__, "placement of a %#lx direct map refused",
			   dm_size);
		return 1;
	}
	bad += b[0] < __PAGE_OFFSET_BASE_DEFAULT;
	bad += b[0] + dm_size > b[1];
	bad += b[1] + ALIGN(vmalloc_range_size, PUD_SIZE) + VMALLOC_GUARD_HOLE_MIN > b[2];
	bad += b[2] + VMEMMAP_SIZE > KASLR_END;
	bad += (b[0] | b[1] | b[2]) % PUD_SIZE != 0;
	if (bad)
		ktest_fail(t, __FILE__, __LINE__,
			   "placement of a %#lx direct map: %#lx %#lx %#lx breaks %d rules",
			   dm_size, b[0], b[1], b[2], bad);
	return bad;
}

/*
 * Bug: the randomised placement could put vmemmap right after vmalloc (an
 * offset of 0 for it, as with the all-zero draws here).
 */
KTEST(layout, randomised_layout_keeps_guard_hole)
{
	unsigned long dm = 1UL << 40;
	int bad = 0;

	bad += placement_bad(t, dm, draw_zero);
	bad += placement_bad(t, dm, draw_max);
	bad += placement_bad(t, 64UL << 40, draw_zero);
	rnd_seed(&layout_rnd, 12);
	for (int i = 0; i < 1000 && !bad; i++)
		bad += placement_bad(t, dm << (i % 4), draw_rnd);
	KTEST_EXPECT_EQ(t, bad, 0);
}

/*
 * Bug: a direct map too big for the KASLR space made the entropy left over
 * underflow, and the bases landed anywhere; now the placement is refused
 * and bases[] untouched (the boot then keeps the default layout).
 */
KTEST(layout, randomised_placement_refuses_direct_map_too_big)
{
	const unsigned long fit = KASLR_END - __PAGE_OFFSET_BASE_DEFAULT -
				  ALIGN(vmalloc_range_size, PUD_SIZE) - VMALLOC_GUARD_HOLE_MIN -
				  VMEMMAP_SIZE;
	unsigned long b[3] = { 1, 2, 3 };

	KTEST_EXPECT_EQ(t, kaslr_place_regions(fit + PUD_SIZE, draw_max, b), -EINVAL);
	KTEST_EXPECT_EQ(t, kaslr_place_regions(~0UL & ~(PUD_SIZE - 1), draw_rnd, b), -EINVAL);
	KTEST_EXPECT_EQ(t, kaslr_place_regions(PUD_SIZE + PAGE_SIZE, draw_zero, b), -EINVAL);
	KTEST_EXPECT_EQ(t, b[0] + b[1] + b[2], 6UL);
	/* The exact fit leaves no entropy: the regions are packed from the start. */
	KTEST_EXPECT_EQ(t, placement_bad(t, fit, draw_max), 0);
	KTEST_ASSERT_EQ(t, kaslr_place_regions(fit, draw_max, b), 0);
	KTEST_EXPECT_EQ(t, b[0], (unsigned long)__PAGE_OFFSET_BASE_DEFAULT);
	KTEST_EXPECT_EQ(t, b[2] + VMEMMAP_SIZE, (unsigned long)KASLR_END);
}
