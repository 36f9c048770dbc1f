/*
 * Self-tests for the cheaper small areas of mm/vmalloc.c (issue 16, item
 * 2), suite vmalloc_pool: the noirq spinlock kind vmalloc's own locks use
 * (interrupts left on, preemption off, a finding when an interrupt takes
 * one) and the paths an interrupt does take (vfree_atomic()).
 *
 * "In interrupt context" is simulated as ipi.c's deferred calls do: with
 * interrupts off and this CPU's irq_depth raised, so in_interrupt() is true.
 */
#include "debug/ktest.h"

#include "asm/irqflags.h"
#include "asm/traps.h"
#include "kernel/lockdep.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "mm/vmalloc.h"

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
