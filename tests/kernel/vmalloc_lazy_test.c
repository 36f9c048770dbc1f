/*
 * Self-tests for the lazy purge as background work (issue 15 item 3) over
 * per-CPU lazy lists (issue 16 item 2), suite vmalloc_lazy: the free that
 * crosses the budget only queues the kworker's purge, which brings the lazy
 * total back under the budget (waited for with vmalloc_purge_flush(), never
 * by a timed sleep); an allocation that only fits in lazily freed space
 * purges synchronously; the default budget scales with the CPUs; and the
 * shootdown: after the worker's purge no CPU reads a freed range through a
 * stale translation once it is mapped again.
 *
 * While a test frees past the budget it holds preemption off, so that this
 * CPU's kworker (the one queue_work() picks) cannot run before it looks.
 */
#include "asm/ipi.h"
#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/traps.h"
#include "debug/ktest.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define VL_PATTERN_OLD 0x6f6c642070616765ULL
#define VL_PATTERN_NEW 0x6e65772070616765ULL

/* A ktest_defer() action: the lazy budget back to @pages. */
static void vl_lazy_restore(void *pages)
{
	vmalloc_set_lazy_max_pages((unsigned long)pages);
}

/* Every test starts with nothing lazy and its budget restored at the end. */
static void vl_setup(struct ktest *t)
{
	ktest_defer(t, vl_lazy_restore, (void *)vmalloc_lazy_max_pages());
	vmalloc_purge_flush();
	vm_unmap_aliases();
}

/* The budget until someone sets one: 32 MiB times fls(online CPUs), as Linux. */
KTEST(vmalloc_lazy, default_budget_scales_with_cpus)
{
	unsigned int cpus = num_online_cpus(), bits = 0;

	if (cmdline_opts.lazy_max_pages)
		KTEST_SKIP(t, "vmalloc_lazy= on the command line sets the budget");
	while (cpus >> bits)
		bits++;
	KTEST_EXPECT_EQ(t, vmalloc_lazy_max_pages(),
			(unsigned long)bits * ((32UL << 20) >> PAGE_SHIFT));
}

/*
 * The free that crosses the budget queues the background purge and purges
 * nothing itself; once the worker ran, the lazy total is back under the
 * budget, with one purge (one shootdown) for every area.
 */
KTEST(vmalloc_lazy, crossing_budget_queues_worker_then_lazy_falls_back)
{
	enum {
		N = 48, /* 96 lazy pages: over a budget of 64, under its cap */
		BUDGET = 64
	};
	static void *p[N];
	unsigned long purges, areas;
	int i, got;

	vl_setup(t);
	vmalloc_set_lazy_max_pages(BUDGET);
	for (got = 0; got < N; got++)
		if (!(p[got] = vmalloc(PAGE_SIZE)))
			break;
	purges = vmalloc_stats.nr_purges;
	areas = vmalloc_stats.purged_areas;
	preempt_disable(); /* this CPU's kworker waits until we have looked */
	for (i = 0; i < got; i++)
		vfree(p[i]);
	KTEST_EXPECT_FALSE(t, vmalloc_stats.nr_purges != purges);
	KTEST_EXPECT_GT(t, vmalloc_stats.lazy_pages, (unsigned long)BUDGET);
	KTEST_EXPECT_TRUE(t, vmalloc_purge_pending());
	preempt_enable();
	KTEST_ASSERT_EQ(t, got, N);

	vmalloc_purge_flush();
	KTEST_EXPECT_LE(t, vmalloc_stats.lazy_pages, (unsigned long)BUDGET);
	KTEST_EXPECT_FALSE(t, vmalloc_purge_pending());
	KTEST_EXPECT_GT(t, vmalloc_stats.nr_purges, purges);
	KTEST_EXPECT_GE(t, vmalloc_stats.purged_areas - areas, (unsigned long)N);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * A window whose only space is lazily freed (the worker not due: the
 * budget is far away): the allocation purges synchronously and gets it.
 */
KTEST(vmalloc_lazy, alloc_that_would_fail_purges_synchronously)
{
	struct vm_struct *a, *b;
	unsigned long start, purges;

	vl_setup(t);
	vmalloc_set_lazy_max_pages(~0UL >> 1);
	a = get_vm_area(3 * PAGE_SIZE, VM_MAP); /* 4 pages with the guard */
	KTEST_ASSERT_NOT_NULL(t, a);
	start = (unsigned long)a->addr;
	free_vm_area(a); /* lazy: the window [start, start + 4 pages) is all reserved */
	KTEST_EXPECT_FALSE(t, vmalloc_purge_pending());
	purges = vmalloc_stats.nr_purges;
	b = __get_vm_area_caller(3 * PAGE_SIZE, VM_MAP, start, start + 4 * PAGE_SIZE,
				 __builtin_return_address(0));
	KTEST_ASSERT_NOT_NULL(t, b);
	KTEST_EXPECT_EQ(t, (unsigned long)b->addr, start);
	KTEST_EXPECT_GT(t, vmalloc_stats.nr_purges, purges);
	free_vm_area(b);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

struct vl_probe {
	const void *addr;
	u64 val;
	int err;
};

static void vl_probe_read(void *arg)
{
	struct vl_probe *pr = arg;

	pr->err = read_kernel_nofault(pr->addr, &pr->val);
}

/* Read the u64 at @addr on CPU @cpu (a fault reads as -EFAULT). */
static struct vl_probe vl_remote_read(unsigned int cpu, const void *addr)
{
	struct vl_probe pr = { addr, 0, -EINVAL };

	smp_call_function_single(cpu, vl_probe_read, &pr, true);
	return pr;
}

/* A ktest_defer() action: give back the page @pg. */
static void vl_free_page(void *pg)
{
	__free_pages(pg, 0);
}

/*
 * The shootdown: CPU 1 reads a vmap()ed page (its TLB now holds the
 * translation), the range is vunmap()ed, the worker purges it (one
 * shootdown for every CPU), the same range is mapped to another page:
 * CPU 1 must read the new page, never the old one through a stale entry.
 */
KTEST(vmalloc_lazy, after_worker_purge_no_cpu_reads_freed_range)
{
	unsigned int cpu = (smp_processor_id() + 1) % NR_CPUS;
	struct page *old, *new;
	struct vl_probe pr;
	void *p, *q;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs a second online CPU");
	while (!cpu_online(cpu) || cpu == smp_processor_id())
		cpu = (cpu + 1) % NR_CPUS;
	old = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, old);
	ktest_defer(t, vl_free_page, old);
	new = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, new);
	ktest_defer(t, vl_free_page, new);
	*(u64 *)page_address(old) = VL_PATTERN_OLD;
	*(u64 *)page_address(new) = VL_PATTERN_NEW;
	vl_setup(t);
	vmalloc_set_lazy_max_pages(1); /* the 2-page range crosses it, not its cap */

	p = vmap(&old, 1, VM_MAP, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	pr = vl_remote_read(cpu, p); /* CPU 1's TLB holds p -> old now */
	KTEST_EXPECT_EQ(t, pr.err, 0);
	KTEST_EXPECT_EQ(t, pr.val, VL_PATTERN_OLD);
	vunmap(p); /* lazy: queues the worker */
	vmalloc_purge_flush();
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 0UL);

	q = vmap(&new, 1, VM_MAP, PAGE_KERNEL); /* the range back from its pool */
	KTEST_ASSERT_NOT_NULL(t, q);
	KTEST_EXPECT_EQ(t, (unsigned long)q, (unsigned long)p);
	pr = vl_remote_read(cpu, q);
	KTEST_EXPECT_EQ(t, pr.err, 0);
	KTEST_EXPECT_EQ(t, pr.val, VL_PATTERN_NEW);
	vunmap(q);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}
