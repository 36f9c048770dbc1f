/*
 * Self-tests for the cheaper small areas of mm/vmalloc.c (issue 16, item
 * 2), suite vmalloc_pool: the pools of flushed ranges (reused only after
 * their flush, drained when space runs out), the noirq spinlock kind
 * vmalloc's own locks use (interrupts left on, preemption off, a finding
 * when an interrupt takes one) and the path an interrupt does take
 * (vfree_atomic()).
 *
 * "In interrupt context" is simulated as ipi.c's deferred calls do: with
 * interrupts off and this CPU's irq_depth raised, so in_interrupt() is true.
 */
#include "debug/ktest.h"

#include "asm/irqflags.h"
#include "asm/pgtable.h"
#include "asm/traps.h"
#include "kernel/deferred.h"
#include "kernel/lockdep.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define POOL_PAGES(n) ((unsigned long)(n)*PAGE_SIZE)
/* A lazy budget no test here reaches: frees stay lazy. */
#define LAZY_MAX_PAGES_FOR_TEST (1UL << 20)

/* A ktest_defer() action: the lazy budget back to @pages. */
static void pool_lazy_restore(void *pages)
{
	vmalloc_set_lazy_max_pages((unsigned long)pages);
}

/*
 * Purge everything lazy into the pools, as the background purge does: with
 * a budget of 0 every free purges into the pools itself (the hard cap is 0
 * too) and queues the worker; wait for it.
 */
static void pool_purge_to_pools(void)
{
	while (READ_ONCE(vmalloc_stats.lazy_pages))
		vmalloc_purge_flush();
	vmalloc_purge_flush();
	vmalloc_check(); /* takes the purge lock: a batch in transit is in its pool now */
}

/* Every free queues the purge while the test runs; empty lazy list and pools first. */
static void pool_setup(struct ktest *t)
{
	ktest_defer(t, pool_lazy_restore, (void *)vmalloc_lazy_max_pages());
	vm_unmap_aliases();
	vmalloc_set_lazy_max_pages(0);
}

KTEST(vmalloc_pool, freed_range_is_reused_from_its_pool_once_purged)
{
	struct vmalloc_pool_info before, after;
	void *p, *q, *r;

	pool_setup(t);
	vmalloc_set_lazy_max_pages(LAZY_MAX_PAGES_FOR_TEST); /* no purge yet */
	p = vmalloc(POOL_PAGES(3));
	KTEST_ASSERT_NOT_NULL(t, p);
	vmalloc_pool_info(&before);
	vfree(p);
	q = vmalloc(POOL_PAGES(3)); /* p is lazy, not flushed: never handed out */
	KTEST_ASSERT_NOT_NULL(t, q);
	KTEST_EXPECT_TRUE(t, q != p);
	vmalloc_set_lazy_max_pages(0);
	vfree(q); /* over the budget: the deferred purge pools both */
	pool_purge_to_pools();
	vmalloc_pool_info(&after);
	KTEST_EXPECT_GE(t, after.nr_areas, before.nr_areas + 2);
	r = vmalloc(POOL_PAGES(3));
	KTEST_EXPECT_TRUE(t, r == p || r == q);
	vmalloc_pool_info(&after);
	KTEST_EXPECT_EQ(t, after.hits, before.hits + 1);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(r);
	vm_unmap_aliases();
	vmalloc_pool_info(&after);
	KTEST_EXPECT_EQ(t, after.nr_areas, 0UL); /* the synchronous purge drains them */
}

/*
 * Regression: a pooled range must be flushed before it is handed out. Read
 * a page through a vmap(), unmap it (the TLB keeps the translation), let
 * the range go through the pool to a vmap() of another page: reading it
 * must show the new page, never the old one through a stale translation.
 */
KTEST(vmalloc_pool, pooled_range_is_never_read_through_a_stale_translation)
{
	struct page *old = ktest_alloc_pages(t, GFP_KERNEL, 0);
	struct page *new = ktest_alloc_pages(t, GFP_KERNEL, 0);
	volatile unsigned long *a, *b;

	KTEST_ASSERT_NOT_NULL(t, old);
	KTEST_ASSERT_NOT_NULL(t, new);
	pool_setup(t);
	*(unsigned long *)page_address(old) = 0x01d01d01dUL;
	*(unsigned long *)page_address(new) = 0x9e79e79eUL;
	a = vmap(&old, 1, VM_MAP, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, a);
	KTEST_EXPECT_EQ(t, *a, 0x01d01d01dUL); /* the translation is in the TLB now */
	vunmap((void *)a);
	pool_purge_to_pools();
	b = vmap(&new, 1, VM_MAP, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, b);
	KTEST_EXPECT_TRUE(t, b == a); /* reused from the pool */
	KTEST_EXPECT_EQ(t, *b, 0x9e79e79eUL);
	vunmap((void *)b);
}

/* The top @pages pages of the vmalloc range, which the lowest fit reaches last. */
static unsigned long pool_top(unsigned long pages)
{
	return VMALLOC_END + 1 - POOL_PAGES(pages);
}

static void *pool_alloc_in(unsigned long pages, unsigned long w)
{
	return __vmalloc_node_range(POOL_PAGES(pages), 1, w, VMALLOC_END, GFP_KERNEL | __GFP_NOWARN,
				    PAGE_KERNEL, 0, -1, __builtin_return_address(0));
}

/*
 * Regression: space kept in the pools must not make an allocation fail. A
 * window full of pooled 2-page areas still serves one request for all of
 * it: the allocation drains the pools and retries.
 */
KTEST(vmalloc_pool, pools_are_drained_when_an_allocation_needs_their_space)
{
	unsigned long w = pool_top(16);
	struct vmalloc_pool_info before, after;
	void *p[8], *big;
	int i;

	pool_setup(t);
	for (i = 0; i < 8; i++) {
		p[i] = pool_alloc_in(1, w);
		KTEST_ASSERT_NOT_NULL(t, p[i]);
	}
	for (i = 0; i < 8; i++)
		vfree(p[i]);
	pool_purge_to_pools();
	vmalloc_pool_info(&before);
	KTEST_EXPECT_GE(t, before.nr_areas, 8UL);
	big = pool_alloc_in(15, w);
	KTEST_EXPECT_TRUE(t, (unsigned long)big == w);
	vmalloc_pool_info(&after);
	KTEST_EXPECT_GE(t, after.drained, before.drained + 8);
	vfree(big);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

static DEFINE_SPINLOCK_NOIRQ(pool_noirq_lock);

/* Enter (and leave) what in_interrupt() takes for an interrupt handler. */
static unsigned long pool_fake_irq_enter(void)
{
	unsigned long flags;

	local_irq_save(flags);
	this_cpu_inc(irq_depth);
	return flags;
}

static void pool_fake_irq_exit(unsigned long flags)
{
	this_cpu_dec(irq_depth);
	local_irq_restore(flags);
}

static void pool_forget(void *lock)
{
	lockdep_forget(lock);
}

KTEST(vmalloc_pool, noirq_lock_keeps_interrupts_on_and_preemption_off)
{
	unsigned int depth = spin_locks_held(), count = preempt_count();

	KTEST_ASSERT_TRUE(t, !irqs_disabled());
	spin_lock(&pool_noirq_lock);
	KTEST_EXPECT_FALSE(t, irqs_disabled());
	KTEST_EXPECT_EQ(t, preempt_count(), count + 1);
	KTEST_EXPECT_EQ(t, spin_locks_held(), depth + 1);
	KTEST_EXPECT_TRUE(t, spin_held_by_this_cpu(&pool_noirq_lock));
	spin_unlock(&pool_noirq_lock);
	KTEST_EXPECT_FALSE(t, irqs_disabled());
	KTEST_EXPECT_EQ(t, preempt_count(), count);
	KTEST_EXPECT_EQ(t, spin_locks_held(), depth);

	/* a failed trylock gives preemption back too */
	KTEST_ASSERT_TRUE(t, spin_trylock(&pool_noirq_lock));
	KTEST_EXPECT_FALSE(t, spin_trylock(&pool_noirq_lock));
	KTEST_EXPECT_EQ(t, preempt_count(), count + 1);
	spin_unlock(&pool_noirq_lock);
	KTEST_EXPECT_EQ(t, preempt_count(), count);
}

/* Not inlined: its name is in the report. */
static __noinline void pool_take_noirq_in_irq(bool trylock)
{
	unsigned long flags = pool_fake_irq_enter();

	if (!trylock)
		spin_lock(&pool_noirq_lock);
	else if (!spin_trylock(&pool_noirq_lock))
		goto out;
	spin_unlock(&pool_noirq_lock);
out:
	pool_fake_irq_exit(flags);
}

KTEST(vmalloc_pool, noirq_lock_taken_in_interrupt_is_a_lockdep_finding)
{
	unsigned int findings = lockdep_findings();
	unsigned long mark;

	if (!READ_ONCE(lockdep_enabled))
		KTEST_SKIP(t, "lockdep is off (boot with lockdep)");
	ktest_defer(t, pool_forget, &pool_noirq_lock);
	mark = ktest_log_mark();
	pool_take_noirq_in_irq(true); /* a trylock cannot deadlock: allowed */
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
	pool_take_noirq_in_irq(false);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings + 1);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "WARNING: noirq lock taken in interrupt context"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "(pool_noirq_lock) at pool_take_noirq_in_irq"));
	mark = ktest_log_mark();
	pool_take_noirq_in_irq(false); /* once per class */
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings + 1);
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, "WARNING: noirq"));
	lockdep_forget(&pool_noirq_lock);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
}

/* The interrupt path into vmalloc: vfree_atomic() takes V by trylock only. */
KTEST(vmalloc_pool, vfree_atomic_in_interrupt_takes_no_noirq_lock)
{
	unsigned int findings = lockdep_findings();
	unsigned long flags, mark = ktest_log_mark();
	void *p = vmalloc(PAGE_SIZE);

	KTEST_ASSERT_NOT_NULL(t, p);
	flags = pool_fake_irq_enter();
	vfree(p); /* in interrupt context: deferred as vfree_atomic() */
	pool_fake_irq_exit(flags);
	vfree_deferred_flush();
	KTEST_EXPECT_NULL(t, find_vm_area(p));
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, "WARNING"));
}
