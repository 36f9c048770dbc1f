/*
 * Self-tests for the bounded worst cases of mm/vmalloc.c (issue 12, items
 * 6 and 7): the aligned lowest-fit search visits a bounded number of
 * free-tree nodes however fragmented the window, and the lazy purge runs
 * in bounded batches from the idle path instead of inside the vfree() that
 * crosses the budget, with the synchronous purge kept for allocations that
 * would otherwise fail.
 *
 * The tests work in a private window at the top of the vmalloc range,
 * which the lowest-fit allocator reaches last.
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "kernel/deferred.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define VP_PAGES(n) ((unsigned long)(n)*PAGE_SIZE)

/* Misaligned holes: 2,000 units of 4 pages, a 2-page area and a 2-page hole. */
#define VP_HOLES 2000

/* The top @pages pages of the vmalloc range, as [start, end) (end exclusive). */
static unsigned long vp_top(unsigned long pages)
{
	return VMALLOC_END + 1 - VP_PAGES(pages);
}

static struct vm_struct *vp_keep[VP_HOLES];

/*
 * Fill [w, w + 4 * VP_HOLES pages) with reserved 2-page areas at 4k and
 * 2-page holes at 4k + 2, which never start on a multiple of 8 pages: no
 * hole holds a 2-page request aligned to 8 pages. Reservations only, no
 * pages. Returns the number of units made.
 */
static unsigned long vp_make_holes(unsigned long w)
{
	unsigned long k;

	for (k = 0; k < VP_HOLES; k++) {
		unsigned long at = w + VP_PAGES(4 * k);
		struct vm_struct *gap;

		gap = __get_vm_area_caller(VP_PAGES(2), VM_NO_GUARD, at + VP_PAGES(2),
					   at + VP_PAGES(4), vp_make_holes);
		vp_keep[k] = __get_vm_area_caller(VP_PAGES(2), VM_NO_GUARD, at, at + VP_PAGES(4),
						  vp_make_holes);
		if (gap)
			free_vm_area(gap);
		if (!gap || !vp_keep[k])
			break;
	}
	vm_unmap_aliases();
	return k;
}

static void vp_free_holes(unsigned long nr)
{
	unsigned long k;

	for (k = 0; k < nr; k++)
		free_vm_area(vp_keep[k]);
	vm_unmap_aliases();
}

/* 2 * log2(n + 1): the height bound of a red-black tree of n nodes. */
static unsigned long vp_height_bound(unsigned long n)
{
	unsigned long h = 0;

	for (; n; n >>= 1)
		h++;
	return 2 * h;
}

/*
 * Regression (issue 12 item 6): an 8-page-aligned request over 2,000
 * misaligned holes visited every one of them (about 4,000 nodes). Now the
 * search visits at most its budget (256) plus a padded search's O(log n),
 * and still returns an aligned fit inside the window.
 */
KTEST(vmalloc_purge, aligned_search_visits_bounded)
{
	unsigned long w = vp_top(4 * VP_HOLES + 64), nr, visits, bound;
	void *p;

	ktest_need_pages(t, 256); /* the nodes and vm_structs of 4,000 areas */
	nr = vp_make_holes(w);
	KTEST_ASSERT_EQ(t, nr, (unsigned long)VP_HOLES);
	visits = vmalloc_stats.fit_visits;
	p = __vmalloc_node_range(VP_PAGES(2), VP_PAGES(8), w, VMALLOC_END,
				 GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL, VM_NO_GUARD, -1,
				 __builtin_return_address(0));
	visits = vmalloc_stats.fit_visits - visits;
	bound = 256 + 8 * vp_height_bound(vmalloc_stats.nr_free_blocks);
	KTEST_EXPECT_NOT_NULL(t, p);
	KTEST_EXPECT_LE(t, visits, bound);
	KTEST_EXPECT_EQ(t, (unsigned long)p & (VP_PAGES(8) - 1), 0UL);
	KTEST_EXPECT_GE(t, (unsigned long)p, w + VP_PAGES(4 * VP_HOLES));
	vfree(p);
	vp_free_holes(nr);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* The batch the purge takes per lock hold (mm/vmalloc.c VMAP_PURGE_BATCH). */
#define VP_BATCH 64

/* Run the idle path's deferred work until none is left; the steps taken. */
static unsigned long vp_idle(void)
{
	unsigned long steps = 1;

	while (deferred_work_run())
		steps++;
	return steps;
}

static unsigned long vp_flushes(void)
{
	return pgtable_stats.flush_ranges + pgtable_stats.flush_all;
}

static void *vp_alloc_top(unsigned long w)
{
	return __vmalloc_node_range(VP_PAGES(1), 1, w, VMALLOC_END, GFP_KERNEL | __GFP_NOWARN,
				    PAGE_KERNEL, 0, -1, __builtin_return_address(0));
}

/*
 * Regression (issue 12 item 7): the vfree() that crossed the lazy budget
 * purged the whole list itself, interrupts off for 4-18 ms under TCG at
 * the default budget. Now it leaves the purge pending; the idle hook then
 * purges at most one batch per step, and everything is back after it.
 */
KTEST(vmalloc_purge, vfree_crossing_budget_does_not_purge_synchronously)
{
	enum {
		N = 150
	}; /* 300 lazy pages: over a budget of 100, under its cap */
	unsigned long old = vmalloc_lazy_max_pages(), w = vp_top(2 * N + 64);
	unsigned long flushes, purges, areas;
	static void *p[N];
	int i;

	ktest_need_pages(t, N + 64);
	vm_unmap_aliases();
	vp_idle();
	vmalloc_set_lazy_max_pages(100);
	for (i = 0; i < N; i++) {
		p[i] = vp_alloc_top(w);
		KTEST_ASSERT_NOT_NULL(t, p[i]);
	}
	flushes = vp_flushes();
	purges = vmalloc_stats.nr_purges;
	areas = vmalloc_stats.purged_areas;
	for (i = 1; i < N; i += 2) /* odd, then even: no area merges with another */
		vfree(p[i]);
	for (i = 0; i < N; i += 2)
		vfree(p[i]);
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 2UL * N);
	KTEST_EXPECT_EQ(t, vmalloc_stats.nr_purges, purges);
	KTEST_EXPECT_EQ(t, vp_flushes(), flushes);
	KTEST_EXPECT_TRUE(t, vmalloc_purge_pending());

	KTEST_EXPECT_TRUE(t, deferred_work_run()); /* one bounded step, more left */
	KTEST_EXPECT_EQ(t, vmalloc_stats.purged_areas, areas + VP_BATCH);
	KTEST_EXPECT_EQ(t, vmalloc_stats.nr_purges, purges + 1);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	KTEST_EXPECT_EQ(t, vp_idle(), (unsigned long)(N + VP_BATCH - 1) / VP_BATCH - 1);
	KTEST_EXPECT_FALSE(t, vmalloc_purge_pending());
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 0UL);
	KTEST_EXPECT_EQ(t, vmalloc_stats.purged_areas, areas + N);
	vmalloc_set_lazy_max_pages(old);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * A window filled but for one lazily freed area: the allocation that needs
 * that space still succeeds, through the synchronous purge.
 */
KTEST(vmalloc_purge, alloc_needing_lazy_space_purges_synchronously)
{
	unsigned long w = vp_top(16), purges;
	void *p[8], *q;
	int i;

	vm_unmap_aliases();
	vp_idle();
	for (i = 0; i < 8; i++) {
		p[i] = vp_alloc_top(w);
		KTEST_ASSERT_NOT_NULL(t, p[i]);
	}
	vfree(p[5]);
	KTEST_EXPECT_FALSE(t, vmalloc_purge_pending());
	purges = vmalloc_stats.nr_purges;
	q = vp_alloc_top(w);
	KTEST_EXPECT_EQ(t, (unsigned long)q, w + VP_PAGES(10));
	KTEST_EXPECT_GT(t, vmalloc_stats.nr_purges, purges);
	vfree(q);
	for (i = 0; i < 8; i++)
		if (i != 5)
			vfree(p[i]);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Nobody idles: past the hard cap (4 times the budget) each free purges one
 * bounded batch itself, so a vmalloc/vfree loop cannot grow the lazy list.
 */
KTEST(vmalloc_purge, lazy_list_capped_without_idle)
{
	unsigned long old = vmalloc_lazy_max_pages(), most = 0, areas, worst = 0;
	int i;

	vm_unmap_aliases();
	vp_idle();
	vmalloc_set_lazy_max_pages(16);
	for (i = 0; i < 1000; i++) {
		void *a = vmalloc(VP_PAGES(1)), *b = vzalloc(VP_PAGES(1));

		KTEST_ASSERT_NOT_NULL(t, a);
		KTEST_ASSERT_NOT_NULL(t, b);
		areas = vmalloc_stats.purged_areas;
		vfree(a); /* different callers: a and b never merge */
		vfree(b);
		worst = max(worst, vmalloc_stats.purged_areas - areas);
		most = max(most, vmalloc_stats.lazy_pages);
	}
	KTEST_EXPECT_LE(t, most, 16UL * 4 + 2);
	KTEST_EXPECT_LE(t, worst, 2UL * VP_BATCH);
	KTEST_EXPECT_GT(t, worst, 0UL);
	vp_idle();
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 0UL);
	vmalloc_set_lazy_max_pages(old);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}
