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
