/*
 * Self-tests for the bounded worst cases of mm/vmalloc.c (issue 12, items
 * 6 and 7): the aligned lowest-fit search visits a bounded number of
 * free-tree nodes however fragmented the window, and the lazy purge runs
 * in bounded batches from the idle path instead of inside the vfree() that
 * crosses the budget, with the synchronous purge kept for allocations that
 * would otherwise fail. The deferred suite: the idle path's deferred work
 * neither runs nor claims to be pending inside a critical section.
 *
 * The tests work in a private window at the top of the vmalloc range,
 * which the lowest-fit allocator reaches last.
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "kernel/deferred.h"
#include "kernel/sched.h"
#include "kernel/panic.h"
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
static unsigned long vp_nr_keep; /* vp_keep[0..vp_nr_keep) are reserved */

/*
 * Fill [w, w + 4 * VP_HOLES pages) with reserved 2-page areas at 4k and
 * 2-page holes at 4k + 2, which never start on a multiple of 8 pages: no
 * hole holds a 2-page request aligned to 8 pages. Reservations only, no
 * pages. Returns the number of units made; vp_free_holes() gives them back.
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
		vp_nr_keep = k + 1;
	}
	if (k < VP_HOLES)
		free_vm_area(vp_keep[k]); /* NULL, or kept without its hole */
	vm_unmap_aliases();
	return k;
}

/* A ktest_defer() action: give back the reservations vp_make_holes() made. */
static void vp_free_holes(void *unused __unused)
{
	while (vp_nr_keep)
		free_vm_area(vp_keep[--vp_nr_keep]);
	vm_unmap_aliases();
}

/* The areas a test holds at once, for vp_free_live() (NULL slots are free). */
struct vp_live {
	void **areas;
	unsigned long n;
};

/* A ktest_defer() action: vfree the areas still in @arg's array. */
static void vp_free_live(void *arg)
{
	struct vp_live *live = arg;

	for (unsigned long i = 0; i < live->n; i++) {
		vfree(live->areas[i]);
		live->areas[i] = NULL;
	}
}

/* A ktest_defer() action: the lazy budget back to @pages. */
static void vp_lazy_restore(void *pages)
{
	vmalloc_set_lazy_max_pages((unsigned long)pages);
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
	ktest_defer(t, vp_free_holes, NULL);
	nr = vp_make_holes(w);
	KTEST_ASSERT_EQ(t, nr, (unsigned long)VP_HOLES);
	visits = vmalloc_stats.fit_visits;
	p = __vmalloc_node_range(VP_PAGES(2), VP_PAGES(8), w, VMALLOC_END,
				 GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL, VM_NO_GUARD, -1,
				 __builtin_return_address(0));
	visits = vmalloc_stats.fit_visits - visits;
	bound = 256 + 8 * vp_height_bound(vmalloc_stats.nr_free_blocks);
	if (p)
		ktest_defer(t, ktest_action_vfree, p);
	KTEST_EXPECT_NOT_NULL(t, p);
	KTEST_EXPECT_LE(t, visits, bound);
	KTEST_EXPECT_EQ(t, (unsigned long)p & (VP_PAGES(8) - 1), 0UL);
	KTEST_EXPECT_GE(t, (unsigned long)p, w + VP_PAGES(4 * VP_HOLES));
	if (p)
		ktest_release(t, ktest_action_vfree, p);
	ktest_release(t, vp_free_holes, NULL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* The batch the purge takes per lock hold (mm/vmalloc.c VMAP_PURGE_BATCH). */
#define VP_BATCH 64

/* Run the idle path's deferred work until none is left, and the background purge. */
static void vp_idle(void)
{
	while (deferred_work_run())
		;
	vmalloc_purge_flush();
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
 * the default budget. Now it leaves the purge pending for the kworker
 * (kept off this CPU by preempt_disable() while the test frees), which
 * purges every area with one flush, one lock hold per batch.
 */
KTEST(vmalloc_purge, vfree_crossing_budget_does_not_purge_synchronously)
{
	enum {
		N = 150
	}; /* 300 lazy pages: over a budget of 100, under its cap */
	unsigned long old = vmalloc_lazy_max_pages(), w = vp_top(2 * N + 64);
	unsigned long flushes, purges, areas;
	static void *p[N];
	static struct vp_live live = { p, N };
	int i;

	ktest_need_pages(t, N + 64);
	vm_unmap_aliases();
	vp_idle();
	ktest_defer(t, vp_lazy_restore, (void *)old);
	ktest_defer(t, vp_free_live, &live);
	vmalloc_set_lazy_max_pages(100);
	for (i = 0; i < N; i++) {
		p[i] = vp_alloc_top(w);
		KTEST_ASSERT_NOT_NULL(t, p[i]);
	}
	flushes = vp_flushes();
	purges = vmalloc_stats.nr_purges;
	areas = vmalloc_stats.purged_areas;
	preempt_disable();	     /* this CPU's kworker waits */
	for (i = 1; i < N; i += 2) { /* odd, then even: no area merges with another */
		vfree(p[i]);
		p[i] = NULL;
	}
	for (i = 0; i < N; i += 2) {
		vfree(p[i]);
		p[i] = NULL;
	}
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 2UL * N);
	KTEST_EXPECT_EQ(t, vmalloc_stats.nr_purges, purges);
	if (!vmalloc_debug_flush_enabled()) /* that flushes at every vfree */
		KTEST_EXPECT_EQ(t, vp_flushes(), flushes);
	KTEST_EXPECT_TRUE(t, vmalloc_purge_pending());
	preempt_enable();

	vmalloc_purge_flush();
	KTEST_EXPECT_EQ(t, vmalloc_stats.nr_purges, purges + 1); /* one flush for all */
	KTEST_EXPECT_FALSE(t, vmalloc_purge_pending());
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 0UL);
	KTEST_EXPECT_EQ(t, vmalloc_stats.purged_areas, areas + N);
	ktest_release(t, vp_lazy_restore, (void *)old);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * A window filled but for one lazily freed area: the allocation that needs
 * that space still succeeds, through the synchronous purge.
 */
KTEST(vmalloc_purge, alloc_needing_lazy_space_purges_synchronously)
{
	unsigned long w = vp_top(16), purges;
	static void *p[9]; /* p[8]: the allocation that needs p[5]'s space */
	static struct vp_live live = { p, 9 };
	int i;

	vm_unmap_aliases();
	vp_idle();
	ktest_defer(t, vp_free_live, &live);
	for (i = 0; i < 8; i++) {
		p[i] = vp_alloc_top(w);
		KTEST_ASSERT_NOT_NULL(t, p[i]);
	}
	vfree(p[5]);
	p[5] = NULL;
	KTEST_EXPECT_FALSE(t, vmalloc_purge_pending());
	purges = vmalloc_stats.nr_purges;
	p[8] = vp_alloc_top(w);
	KTEST_EXPECT_EQ(t, (unsigned long)p[8], w + VP_PAGES(10));
	KTEST_EXPECT_GT(t, vmalloc_stats.nr_purges, purges);
	ktest_release(t, vp_free_live, &live);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Nobody idles: past the hard cap (4 times the budget) the free purges the
 * lazy list down to the budget itself, so a vmalloc/vfree loop cannot grow
 * it (the bound per lock hold is inside mm/vmalloc.c, not per free).
 */
KTEST(vmalloc_purge, lazy_list_capped_without_idle)
{
	unsigned long old = vmalloc_lazy_max_pages(), most = 0, areas, worst = 0, after = 0;
	static void *ab[2];
	static struct vp_live live = { ab, 2 };
	int i;

	vm_unmap_aliases();
	vp_idle();
	ktest_defer(t, vp_lazy_restore, (void *)old);
	ktest_defer(t, vp_free_live, &live);
	vmalloc_set_lazy_max_pages(16);
	preempt_disable(); /* the worker starved: only the cap bounds the lists */
	for (i = 0; i < 1000; i++) {
		ab[0] = vmalloc(VP_PAGES(1));
		ab[1] = vzalloc(VP_PAGES(1));
		KTEST_ASSERT_NOT_NULL(t, ab[0]);
		KTEST_ASSERT_NOT_NULL(t, ab[1]);
		areas = vmalloc_stats.purged_areas;
		vp_free_live(&live); /* different callers: the two never merge */
		worst = max(worst, vmalloc_stats.purged_areas - areas);
		if (vmalloc_stats.purged_areas != areas)
			after = max(after, vmalloc_stats.lazy_pages);
		most = max(most, vmalloc_stats.lazy_pages);
	}
	preempt_enable();
	KTEST_EXPECT_LE(t, most, 16UL * 4 + 2);
	KTEST_EXPECT_LE(t, after, 16UL + 2); /* down to the budget, then one more free */
	KTEST_EXPECT_LE(t, worst, 2UL * VP_BATCH);
	KTEST_EXPECT_GT(t, worst, 0UL);
	vp_idle();
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 0UL);
	ktest_release(t, vp_free_live, &live);
	ktest_release(t, vp_lazy_restore, (void *)old);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* The regression below: 1-page vmalloc+vfree pairs, a budget of 2048 pages. */
#define VP_CAP_FREES  20000UL
#define VP_CAP_BUDGET 2048UL

/*
 * Regression: with pool-sized areas kept whole on the lazy list, a
 * vmalloc/vfree loop that never idles reached the hard cap, and from then
 * on every free past it purged one batch of 64 areas with its own TLB
 * flush: a full flush every 64 frees (`make bench`: 15 flushes per 1,000
 * operations). Now the capped free purges the list down to the budget,
 * thousands of areas per flush: here about 6 flushes for 20,000 frees,
 * where the old code made about 250.
 */
KTEST(vmalloc_purge, hard_cap_purge_flushes_once_per_many_areas)
{
	unsigned long old = vmalloc_lazy_max_pages(), purges, areas, flushes, busy, most = 0;
	unsigned long i;
	static void *p[1];
	static struct vp_live live = { p, 1 };

	if (vmalloc_debug_vm)
		KTEST_SKIP(t, "DEBUG_VM checks every change: too slow for 20,000 frees");
	ktest_need_pages(t, 256);
	vm_unmap_aliases();
	vp_idle();
	ktest_defer(t, vp_lazy_restore, (void *)old);
	ktest_defer(t, vp_free_live, &live);
	vmalloc_set_lazy_max_pages(VP_CAP_BUDGET);
	purges = vmalloc_stats.nr_purges;
	areas = vmalloc_stats.purged_areas;
	flushes = vp_flushes();
	busy = vmalloc_nr_busy();
	preempt_disable(); /* the worker starved: the background purge cannot run */
	for (i = 0; i < VP_CAP_FREES; i++) {
		p[0] = vmalloc(VP_PAGES(1));
		if (!p[0])
			break;
		vfree(p[0]);
		p[0] = NULL;
		most = max(most, vmalloc_stats.lazy_pages);
	}
	preempt_enable();
	KTEST_ASSERT_EQ(t, i, VP_CAP_FREES);
	KTEST_EXPECT_LE(t, most, VP_CAP_BUDGET * 4 + 2);
	KTEST_EXPECT_GT(t, vmalloc_stats.nr_purges, purges); /* the cap was reached */
	KTEST_EXPECT_LE(t, vmalloc_stats.nr_purges - purges, VP_CAP_FREES / 1000);
	if (!vmalloc_debug_flush_enabled()) /* that flushes at every vfree */
		KTEST_EXPECT_LE(t, vp_flushes() - flushes, VP_CAP_FREES / 1000);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 0UL);
	KTEST_EXPECT_EQ(t, vmalloc_stats.purged_areas - areas, VP_CAP_FREES);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	ktest_release(t, vp_free_live, &live);
	ktest_release(t, vp_lazy_restore, (void *)old);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

static unsigned long vp_job_steps;

static bool vp_job_step(void)
{
	vp_job_steps++;
	return false;
}

static struct deferred_work vp_job = DEFERRED_WORK_INIT("ktest", vp_job_step);
static DEFINE_SPINLOCK(vp_lock);

/*
 * Regression: with spinlock_depth raised (a fault inside a critical section
 * leaves it so for good), deferred_work_run() said "busy" on every call, so
 * the console's idle loop never halted and the work never ran. Now it runs
 * nothing, says nothing is pending, warns once, and the job waits queued.
 */
KTEST(deferred, run_inside_lock_claims_no_work)
{
	unsigned long warns;
	bool first, again;

	vp_idle();
	vp_job_steps = 0;
	deferred_work_queue(&vp_job);
	warns = warn_count;
	spin_lock(&vp_lock);
	first = deferred_work_run();
	again = deferred_work_run();
	spin_unlock(&vp_lock);
	KTEST_EXPECT_FALSE(t, first);
	KTEST_EXPECT_FALSE(t, again);
	KTEST_EXPECT_EQ(t, warn_count, warns + 1);
	KTEST_EXPECT_EQ(t, vp_job_steps, 0UL);
	KTEST_EXPECT_TRUE(t, deferred_work_pending(&vp_job));
	vp_idle();
	KTEST_EXPECT_EQ(t, vp_job_steps, 1UL);
	KTEST_EXPECT_FALSE(t, deferred_work_pending(&vp_job));
}
