/*
 * Self-tests for the spinlocks (include/kernel/spinlock.h) and the
 * lock-order checker (kernel/lockdep.c), suite spinlock.
 *
 * Mutual exclusion is tested under contention: every online CPU increments
 * a shared, non-atomic counter under one lock, with a pause between the
 * read and the write that a missing exclusion turns into lost updates. The
 * lockdep tests invert an order on purpose, on locks of their own, and
 * make the checker forget those classes afterwards (also when a test
 * fails half-way: a deferred action), so the run's final count of
 * findings (ktest_run() prints it, make test wants 0) only counts what
 * the rest of the kernel did. They skip when the checker is off (boot
 * without `lockdep`).
 */
#include "debug/ktest.h"

#include "asm/ipi.h"
#include "asm/irqflags.h"
#include "asm/page.h"
#include "asm/tlbflush.h"
#include "kernel/atomic.h"
#include "kernel/lockdep.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/symbols.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

/*
 * Lock/unlock pairs per CPU: alone, TORTURE_SOLO_ROUNDS; with others, until
 * the CPUs together found the lock taken TORTURE_CONTENTION times (on a
 * loaded host the vCPUs often run one after the other, so a fixed count
 * may see no contention at all), at most TORTURE_MAX_ROUNDS. Contended
 * rounds are slow here: with more vCPUs than host cores a ticket lock
 * waits for each preempted waiter in turn, a host time slice at worst.
 */
#define TORTURE_SOLO_ROUNDS 2000
#define TORTURE_MAX_ROUNDS  200000
#define TORTURE_CONTENTION  200

struct spin_torture {
	struct spinlock lock;
	unsigned long counter; /* [lock], incremented non-atomically on purpose */
	atomic_t inside;       /* CPUs between lock and unlock right now */
	atomic_t overlaps;     /* times a CPU found another one inside */
	atomic_t arrived;      /* CPUs at the start line */
	unsigned int nr_cpus;  /* how many will arrive */
	atomic_t contended;    /* acquisitions that found the lock taken */
	unsigned long ran_on;  /* bit n: CPU n ran the body */
	unsigned long rounds[NR_CPUS];
};

static struct spin_torture torture = { .lock = SPINLOCK_INIT(torture.lock) };

static void spin_torture_round(struct spin_torture *st)
{
	unsigned long v;

	if (!spin_trylock(&st->lock)) {
		atomic_inc(&st->contended);
		spin_lock(&st->lock);
	}
	if (atomic_inc_return(&st->inside) != 1)
		atomic_inc(&st->overlaps);
	v = READ_ONCE(st->counter);
	cpu_relax(); /* widen the window a broken lock would lose updates in */
	WRITE_ONCE(st->counter, v + 1);
	atomic_dec(&st->inside);
	spin_unlock(&st->lock);
}

static void spin_torture_body(void *arg)
{
	struct spin_torture *st = arg;
	unsigned long n = 0;

	atomic_inc(&st->arrived); /* start together, or the first CPU is done before the last */
	while ((unsigned int)atomic_read(&st->arrived) < st->nr_cpus)
		cpu_relax();
	while (st->nr_cpus == 1 ? n < TORTURE_SOLO_ROUNDS
				: n < TORTURE_MAX_ROUNDS &&
					  atomic_read(&st->contended) < TORTURE_CONTENTION) {
		spin_torture_round(st);
		n++;
	}
	st->rounds[smp_processor_id()] = n;
	set_bit(smp_processor_id(), &st->ran_on);
}

static unsigned int spin_torture_reset(struct spin_torture *st)
{
	unsigned int cpus = 0, cpu;

	for_each_online_cpu(cpu) /* not num_online_cpus(): popcount is a libgcc call here */
		cpus++;
	st->counter = 0;
	st->nr_cpus = cpus;
	st->ran_on = 0;
	atomic_set(&st->overlaps, 0);
	atomic_set(&st->arrived, 0);
	atomic_set(&st->contended, 0);
	memset(st->rounds, 0, sizeof(st->rounds));
	return cpus;
}

KTEST(spinlock, counter_torture_is_exact_on_all_cpus)
{
	unsigned int cpus = spin_torture_reset(&torture);
	unsigned long flags, total = 0;

	local_irq_save(flags);
	local_irq_enable(); /* waiting for the other CPUs with interrupts off is refused */
	on_each_cpu(spin_torture_body, &torture, true);
	local_irq_restore(flags);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		total += torture.rounds[cpu];
	printk("    # %s: %u CPU(s), %lu rounds, %u found the lock taken\n", t->name, cpus, total,
	       atomic_read(&torture.contended));
	KTEST_EXPECT_EQ(t, torture.ran_on, READ_ONCE(cpu_online_mask_bits));
	KTEST_EXPECT_GE(t, total, (unsigned long)cpus);
	KTEST_EXPECT_EQ(t, torture.counter, total);
	KTEST_EXPECT_EQ(t, atomic_read(&torture.overlaps), 0);
	KTEST_EXPECT_FALSE(t, spin_is_locked(&torture.lock));
}

static DEFINE_SPINLOCK(owner_lock);

/* The function holding @ip, by the symbol table. */
static const char *spin_test_function_of(unsigned long ip)
{
	unsigned long offset, size;
	const char *name = symbols_lookup(ip, &offset, &size);

	return name ? name : "?";
}

KTEST(spinlock, owner_cpu_and_ip_are_recorded)
{
	unsigned int depth = spin_locks_held();

	KTEST_EXPECT_EQ(t, spin_lock_owner(&owner_lock), -1);
	spin_lock(&owner_lock);
	KTEST_EXPECT_EQ(t, spin_lock_owner(&owner_lock), (int)smp_processor_id());
	KTEST_EXPECT_TRUE(t, spin_held_by_this_cpu(&owner_lock));
	KTEST_EXPECT_EQ(t, spin_locks_held(), depth + 1);
	KTEST_EXPECT_STREQ(t, spin_test_function_of(owner_lock.owner_ip), __func__);
	spin_unlock(&owner_lock);
	KTEST_EXPECT_EQ(t, spin_lock_owner(&owner_lock), -1);
	KTEST_EXPECT_FALSE(t, spin_held_by_this_cpu(&owner_lock));
	KTEST_EXPECT_EQ(t, spin_locks_held(), depth);
}

static DEFINE_SPINLOCK(outer_lock);
static DEFINE_SPINLOCK(inner_lock);

/* Interrupts are off while any lock is held and come back as they were. */
KTEST(spinlock, interrupts_off_while_held_restored_after)
{
	unsigned long flags = arch_local_save_flags();

	local_irq_enable();
	spin_lock(&outer_lock);
	KTEST_EXPECT_TRUE(t, irqs_disabled());
	spin_lock(&inner_lock);
	spin_unlock(&inner_lock);
	KTEST_EXPECT_TRUE(t, irqs_disabled()); /* the inner one saved "off" */
	spin_unlock(&outer_lock);
	KTEST_EXPECT_FALSE(t, irqs_disabled());
	arch_local_irq_restore(flags);
	if (!(flags & X86_EFLAGS_IF))
		local_irq_disable();
}

static DEFINE_SPINLOCK(try_lock);

KTEST(spinlock, trylock_takes_a_free_lock_only)
{
	unsigned long flags = arch_local_save_flags();
	unsigned long ip;

	KTEST_ASSERT_TRUE(t, spin_trylock(&try_lock));
	KTEST_EXPECT_TRUE(t, spin_held_by_this_cpu(&try_lock));
	KTEST_EXPECT_TRUE(t, irqs_disabled());
	ip = try_lock.owner_ip;
	/* held (by this CPU): refused, without the recursion panic, nothing changed */
	KTEST_EXPECT_FALSE(t, spin_trylock(&try_lock));
	KTEST_EXPECT_EQ(t, try_lock.owner_ip, ip);
	KTEST_EXPECT_TRUE(t, spin_is_locked(&try_lock));
	KTEST_EXPECT_TRUE(t, irqs_disabled()); /* the failed trylock restored "off" */
	spin_unlock(&try_lock);
	KTEST_EXPECT_EQ(t, arch_local_save_flags() & X86_EFLAGS_IF, flags & X86_EFLAGS_IF);
	KTEST_EXPECT_FALSE(t, spin_is_locked(&try_lock));
	KTEST_EXPECT_TRUE(t, spin_trylock(&try_lock));
	spin_unlock(&try_lock);
}

static DEFINE_SPINLOCK(assert_lock);
static bool assert_site_fired; /* assert_held() warns once per call site */

static bool spin_test_assert(struct spinlock *lock)
{
	bool bad = assert_held(lock);

	if (bad)
		assert_site_fired = true;
	return bad;
}

KTEST(spinlock, assert_held_knows_this_cpu_holds_it)
{
	bool fired_before = assert_site_fired;
	unsigned long warns = warn_count, mark;

	spin_lock(&assert_lock);
	KTEST_EXPECT_FALSE(t, spin_test_assert(&assert_lock));
	spin_unlock(&assert_lock);
	KTEST_EXPECT_EQ(t, warn_count, warns);
	mark = ktest_log_mark();
	KTEST_EXPECT_TRUE(t, spin_test_assert(&assert_lock)); /* not held */
	if (!fired_before) {
		KTEST_EXPECT_EQ(t, warn_count, warns + 1);
		KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "assert_held: assert_lock is not held"));
	}
}

static DEFINE_SPINLOCK(remote_lock);

static void spin_test_hold(void *lock)
{
	spin_lock(lock);
}

static void spin_test_release(void *lock)
{
	spin_unlock(lock);
}

/* Another online CPU than this one, or -1. */
static int spin_test_other_cpu(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) if (cpu != smp_processor_id()) return (int)cpu;
	return -1;
}

static bool remote_site_fired; /* this file's second assert_held() site */

/* A lock another CPU holds: not ours to assert, try or release. */
KTEST(spinlock, held_by_another_cpu_is_not_held_here)
{
	int other = spin_test_other_cpu();
	bool fired_before = remote_site_fired;
	unsigned long mark, flags;
	char want[KTEST_NEEDLE_MAX];

	if (other < 0)
		KTEST_SKIP(t, "one CPU online");
	local_irq_save(flags);
	local_irq_enable(); /* the calls below wait for the other CPU */
	KTEST_ASSERT_EQ(t, smp_call_function_single(other, spin_test_hold, &remote_lock, true), 0);
	KTEST_EXPECT_EQ(t, spin_lock_owner(&remote_lock), other);
	KTEST_EXPECT_FALSE(t, spin_held_by_this_cpu(&remote_lock));
	KTEST_EXPECT_FALSE(t, spin_trylock(&remote_lock));
	mark = ktest_log_mark();
	if (assert_held(&remote_lock))
		remote_site_fired = true;
	KTEST_EXPECT_TRUE(t, remote_site_fired);
	snprintf(want, sizeof(want),
		 "assert_held: remote_lock is held by CPU %d (taken at spin_test_hold", other);
	if (!fired_before)
		KTEST_EXPECT_TRUE(t, ktest_log_has(mark, want));
	spin_unlock(&remote_lock); /* not ours: refused */
	KTEST_EXPECT_EQ(t, spin_lock_owner(&remote_lock), other);
	KTEST_EXPECT_EQ(t, smp_call_function_single(other, spin_test_release, &remote_lock, true),
			0);
	local_irq_restore(flags);
	KTEST_EXPECT_EQ(t, spin_lock_owner(&remote_lock), -1);
	KTEST_EXPECT_FALSE(t, spin_is_locked(&remote_lock));
}

static DEFINE_SPINLOCK(flush_lock);
static int flush_stage; /* 1: the other CPU holds flush_lock; 2: this one goes to wait */
static char flush_page[PAGE_SIZE] __aligned(PAGE_SIZE);

/* On the other CPU: take the lock, let the first CPU queue behind it, shoot down a page. */
static void spin_test_flush_holding(void *arg __unused)
{
	spin_lock(&flush_lock);
	smp_store_release(&flush_stage, 1);
	while (smp_load_acquire(&flush_stage) != 2)
		cpu_relax();
	for (unsigned int i = 0; i < 100000; i++) /* let it reach the wait */
		cpu_relax();
	flush_tlb_kernel_range((unsigned long)flush_page, (unsigned long)flush_page + PAGE_SIZE);
	spin_unlock(&flush_lock);
}

/*
 * Regression: a CPU waiting in spin_lock() has interrupts off; when the
 * holder flushed the TLB, its shootdown waited for that CPU forever (and
 * the waiter for the lock). The wait now serves shootdowns. On the old
 * code this test hangs (the run's timeout catches it).
 */
KTEST(spinlock, waiter_answers_the_holders_shootdown)
{
	int other = spin_test_other_cpu();
	unsigned long flags;

	if (other < 0)
		KTEST_SKIP(t, "one CPU online");
	WRITE_ONCE(flush_stage, 0);
	local_irq_save(flags);
	local_irq_enable();
	KTEST_ASSERT_EQ(t, smp_call_function_single(other, spin_test_flush_holding, NULL, false),
			0);
	while (smp_load_acquire(&flush_stage) != 1)
		cpu_relax();
	smp_store_release(&flush_stage, 2);
	spin_lock(&flush_lock); /* interrupts off from here until we get it */
	KTEST_EXPECT_TRUE(t, spin_held_by_this_cpu(&flush_lock));
	spin_unlock(&flush_lock);
	local_irq_restore(flags);
}

/* ---- the lock-order checker ---- */

static DEFINE_SPINLOCK(ld_a);
static DEFINE_SPINLOCK(ld_b);
static DEFINE_SPINLOCK(ld_c);

static void spin_test_forget(void *lock)
{
	lockdep_forget(lock);
}

/* Skip unless the checker runs; forget @a and @b (and @c) when the test ends. */
static void lockdep_test_setup(struct ktest *t, struct spinlock *a, struct spinlock *b,
			       struct spinlock *c)
{
	if (!READ_ONCE(lockdep_enabled))
		KTEST_SKIP(t, "lockdep is off (boot with lockdep)");
	ktest_defer(t, spin_test_forget, a);
	ktest_defer(t, spin_test_forget, b);
	if (c)
		ktest_defer(t, spin_test_forget, c);
}

/* Take @first, then @second, release both. Not inlined: its name is in the report. */
static __noinline void spin_test_take_pair(struct spinlock *first, struct spinlock *second)
{
	spin_lock(first);
	spin_lock(second);
	spin_unlock(second);
	spin_unlock(first);
}

KTEST(spinlock, lockdep_consistent_order_is_not_reported)
{
	unsigned int findings = lockdep_findings();
	unsigned long mark = ktest_log_mark();

	lockdep_test_setup(t, &ld_a, &ld_b, NULL);
	spin_test_take_pair(&ld_a, &ld_b);
	spin_test_take_pair(&ld_a, &ld_b);
	KTEST_EXPECT_TRUE(t, lockdep_dependency(&ld_a, &ld_b));
	KTEST_EXPECT_FALSE(t, lockdep_dependency(&ld_b, &ld_a));
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, "WARNING: possible"));
}

KTEST(spinlock, lockdep_catches_a_deliberate_inversion_once)
{
	unsigned int findings = lockdep_findings();
	unsigned long mark;

	lockdep_test_setup(t, &ld_a, &ld_b, NULL);
	spin_test_take_pair(&ld_a, &ld_b);
	mark = ktest_log_mark();
	spin_test_take_pair(&ld_b, &ld_a); /* the other order, on purpose */
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings + 1);
	KTEST_EXPECT_TRUE(
		t, ktest_log_has(mark, "WARNING: possible circular locking dependency detected"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "(ld_a) at spin_test_take_pair"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "(ld_b) at spin_test_take_pair"));
	/* the other order's first stack, symbolised */
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "lockdep_catches_a_deliberate_inversion_once"));
	KTEST_EXPECT_FALSE(t, lockdep_dependency(&ld_b, &ld_a)); /* not recorded */

	mark = ktest_log_mark();
	spin_test_take_pair(&ld_b, &ld_a);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings + 1);
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, "WARNING: possible"));

	lockdep_forget(&ld_a);
	lockdep_forget(&ld_b);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
	KTEST_EXPECT_FALSE(t, lockdep_dependency(&ld_a, &ld_b));
}

/* a -> b and b -> c were seen: c then a closes the cycle through b. */
KTEST(spinlock, lockdep_catches_a_transitive_inversion)
{
	unsigned int findings = lockdep_findings();
	unsigned long mark;

	lockdep_test_setup(t, &ld_a, &ld_b, &ld_c);
	spin_test_take_pair(&ld_a, &ld_b);
	spin_test_take_pair(&ld_b, &ld_c);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
	mark = ktest_log_mark();
	spin_test_take_pair(&ld_c, &ld_a);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings + 1);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "-> (ld_b) taken at"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "-> (ld_c) taken at"));
	lockdep_forget(&ld_a);
	lockdep_forget(&ld_b);
	lockdep_forget(&ld_c);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
}

/* A trylock cannot deadlock: it adds no dependency; what is taken under it depends on it. */
KTEST(spinlock, lockdep_trylock_adds_no_dependency)
{
	unsigned int findings = lockdep_findings();

	lockdep_test_setup(t, &ld_a, &ld_b, &ld_c);
	spin_test_take_pair(&ld_a, &ld_b);
	spin_lock(&ld_b);
	KTEST_EXPECT_TRUE(t, spin_trylock(&ld_a)); /* b then a, but a trylock */
	spin_lock(&ld_c);
	spin_unlock(&ld_c);
	spin_unlock(&ld_a);
	spin_unlock(&ld_b);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
	KTEST_EXPECT_FALSE(t, lockdep_dependency(&ld_b, &ld_a));
	KTEST_EXPECT_TRUE(t, lockdep_dependency(&ld_a, &ld_c));
	KTEST_EXPECT_TRUE(t, lockdep_dependency(&ld_b, &ld_c));
}

/* Two locks set up by one spin_lock_init() call share a class. */
static struct spinlock same_site[2];

static void spin_test_init_same_site(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(same_site); i++)
		spin_lock_init(&same_site[i], i ? "same_site[1]" : "same_site[0]");
}

KTEST(spinlock, lockdep_reports_two_of_one_class_nested)
{
	unsigned int findings = lockdep_findings();
	unsigned long mark;

	spin_test_init_same_site();
	lockdep_test_setup(t, &same_site[0], &same_site[1], NULL);
	mark = ktest_log_mark();
	spin_test_take_pair(&same_site[0], &same_site[1]);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings + 1);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "WARNING: possible recursive locking detected"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "spinlock_test.c:&same_site[i]"));
	lockdep_forget(&same_site[0]);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
}

/* ---- many locks of one class under a nest lock (spin_lock_nest_lock()) ---- */

#define NEST_LOCKS 20 /* more than LOCKDEP_MAX_HELD: only one entry may hold them */

static DEFINE_SPINLOCK(nest_outer);
static DEFINE_SPINLOCK(nest_other);
static struct spinlock nest_many[NEST_LOCKS]; /* one class: one spin_lock_init() site */

static void spin_test_init_nest_many(void)
{
	for (unsigned int i = 0; i < NEST_LOCKS; i++)
		spin_lock_init(&nest_many[i], "nest_many[i]");
}

/* Skip without lockdep; forget the nest tests' classes when the test ends. */
static void nest_test_setup(struct ktest *t)
{
	spin_test_init_nest_many();
	lockdep_test_setup(t, &nest_outer, &nest_many[0], &nest_other);
}

/* The scrambled release order: 3, 10, 17, 4, ... (7 is prime to 20), the first taken in the middle. */
static unsigned int nest_release_order(unsigned int i)
{
	return (i * 7 + 3) % NEST_LOCKS;
}

/*
 * NEST_LOCKS locks of one class taken under nest_outer, released in a
 * scrambled order: no finding, one stack entry for the class (the locks
 * would overflow the stack otherwise), and the stack as it was after.
 */
KTEST(spinlock, nest_lock_holds_many_of_one_class_without_recursion)
{
	unsigned int findings = lockdep_findings(), held = spin_locks_held();
	unsigned int depth = lockdep_depth();
	unsigned long mark = ktest_log_mark();
	bool checking = READ_ONCE(lockdep_enabled);

	if (checking)
		nest_test_setup(t);
	else
		spin_test_init_nest_many(); /* spin_unlock() of nested locks with lockdep off */
	spin_lock(&nest_outer);
	for (unsigned int i = 0; i < NEST_LOCKS; i++)
		spin_lock_nest_lock(&nest_many[i], &nest_outer);
	KTEST_EXPECT_EQ(t, spin_locks_held(), held + 1 + NEST_LOCKS);
	KTEST_EXPECT_TRUE(t, spin_held_by_this_cpu(&nest_many[NEST_LOCKS - 1]));
	KTEST_EXPECT_STREQ(t, spin_test_function_of(nest_many[5].owner_ip), __func__);
	if (checking) {
		KTEST_EXPECT_EQ(t, lockdep_depth(), depth + 2);
		KTEST_EXPECT_TRUE(t, lockdep_dependency(&nest_outer, &nest_many[0]));
	}
	for (unsigned int i = 0; i < NEST_LOCKS - 1; i++)
		spin_unlock(&nest_many[nest_release_order(i)]);
	if (checking) /* the entry stays while one of its class is held */
		KTEST_EXPECT_EQ(t, lockdep_depth(), depth + 2);
	spin_unlock(&nest_many[nest_release_order(NEST_LOCKS - 1)]);
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth + (checking ? 1 : 0));
	spin_unlock(&nest_outer);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, "WARNING: possible"));
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, "is not tracked"));
	for (unsigned int i = 0; i < NEST_LOCKS; i++)
		KTEST_EXPECT_EQ(t, spin_lock_owner(&nest_many[i]), -1);
	KTEST_EXPECT_EQ(t, spin_locks_held(), held);
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth);

	/* the stack is usable: an ordinary lock of another class comes and goes */
	spin_lock(&nest_other);
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth + (checking ? 1 : 0));
	spin_unlock(&nest_other);
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
}

/* The same nesting with the nest lock not held: reported as recursive, as spin_lock() is. */
KTEST(spinlock, nest_lock_not_held_is_still_recursive)
{
	unsigned int findings = lockdep_findings(), depth = lockdep_depth();
	unsigned long mark;

	nest_test_setup(t);
	mark = ktest_log_mark();
	spin_lock_nest_lock(&nest_many[0], &nest_outer);
	spin_lock_nest_lock(&nest_many[1], &nest_outer);
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth + 2); /* pushed, not a reference */
	spin_unlock(&nest_many[0]);
	spin_unlock(&nest_many[1]);
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings + 1);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "WARNING: possible recursive locking detected"));
	lockdep_forget(&nest_many[0]);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
}

/* Take nest_outer then two of the class, release all. Not inlined: its name is in the report. */
static __noinline void spin_test_take_nested_two(void)
{
	spin_lock(&nest_outer);
	spin_lock_nest_lock(&nest_many[0], &nest_outer);
	spin_lock_nest_lock(&nest_many[1], &nest_outer);
	spin_unlock(&nest_many[1]);
	spin_unlock(&nest_many[0]);
	spin_unlock(&nest_outer);
}

/* other then (nest, class x2), and class then other: an inversion, the nest lock aside. */
KTEST(spinlock, nest_lock_class_inversion_is_still_reported)
{
	unsigned int findings = lockdep_findings();
	unsigned long mark;

	nest_test_setup(t);
	spin_lock(&nest_other);
	spin_test_take_nested_two();
	spin_unlock(&nest_other);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
	KTEST_EXPECT_TRUE(t, lockdep_dependency(&nest_other, &nest_many[1]));
	mark = ktest_log_mark();
	spin_test_take_pair(&nest_many[2], &nest_other); /* the other order, on purpose */
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings + 1);
	KTEST_EXPECT_TRUE(
		t, ktest_log_has(mark, "WARNING: possible circular locking dependency detected"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "(nest_other) at spin_test_take_pair"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "spin_test_take_nested_two"));
	lockdep_forget(&nest_many[0]);
	lockdep_forget(&nest_other);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
}

/*
 * A further lock of the class is still checked against what was taken
 * since the first: nest, class, other, class again is "other then class"
 * after "class then other", which deadlocks against a CPU taking one lock
 * of the class and then other, without the nest.
 */
KTEST(spinlock, nest_lock_reference_is_checked_against_locks_taken_since)
{
	unsigned int findings = lockdep_findings(), depth = lockdep_depth();
	unsigned long mark;

	nest_test_setup(t);
	spin_lock(&nest_outer);
	spin_lock_nest_lock(&nest_many[0], &nest_outer);
	spin_lock(&nest_other);
	mark = ktest_log_mark();
	spin_lock_nest_lock(&nest_many[1], &nest_outer);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings + 1);
	KTEST_EXPECT_TRUE(
		t, ktest_log_has(mark, "WARNING: possible circular locking dependency detected"));
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth + 3); /* a reference, not an entry */
	spin_unlock(&nest_many[0]); /* the entry's own lock first: the entry stays */
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth + 3);
	spin_unlock(&nest_other);
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth + 2);
	spin_unlock(&nest_many[1]);
	spin_unlock(&nest_outer);
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth);
	lockdep_forget(&nest_many[0]);
	KTEST_EXPECT_EQ(t, lockdep_findings(), findings);
}

/* ---- lock statistics (kernel/lock_stat.c) ---- */

#define STAT_ROUNDS 3000 /* lock/unlock pairs per CPU after the forced contention */

static DEFINE_SPINLOCK(stat_hammer_lock);
static DEFINE_SPINLOCK(stat_lonely_lock);
static int stat_stage; /* 1: the other CPU holds stat_hammer_lock; 2: it is done */

/* lock_stat on for this test, as it was after (a deferred action also when it fails half-way). */
static void stat_restore_off(void *arg __unused)
{
	lock_stat_disable();
}

static void stat_switch_on(struct ktest *t)
{
	if (READ_ONCE(lock_stat_enabled))
		return; /* booted with lock_stat: leave it on */
	lock_stat_enable();
	ktest_defer(t, stat_restore_off, NULL);
}

static void stat_pairs(struct spinlock *lock, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		spin_lock(lock);
		spin_unlock(lock);
	}
}

/*
 * On the other CPU: hold the lock until the first CPU has taken the next
 * ticket (so its spin_lock() is contended whatever the host's timing),
 * then hammer it alongside.
 */
static void stat_hammer_other(void *arg __unused)
{
	struct arch_spinlock *raw = &stat_hammer_lock.raw;

	spin_lock(&stat_hammer_lock);
	smp_store_release(&stat_stage, 1);
	while ((unsigned int)atomic_read(&raw->next) - READ_ONCE(raw->serving) < 2)
		cpu_relax();
	spin_unlock(&stat_hammer_lock);
	stat_pairs(&stat_hammer_lock, STAT_ROUNDS);
	smp_store_release(&stat_stage, 2);
}

/*
 * Two CPUs take one lock: the first acquisition of this CPU is made while
 * the other holds it (a contention, by construction), then both take it
 * STAT_ROUNDS more times. Every acquisition is counted exactly once, and
 * at least that one contention.
 */
KTEST(spinlock, lock_stat_counts_contentions_and_every_acquisition)
{
	int other = spin_test_other_cpu();
	struct lock_stat_totals before, after;
	unsigned long flags;

	if (other < 0)
		KTEST_SKIP(t, "one CPU online");
	stat_switch_on(t);
	lock_stat_read(&stat_hammer_lock, &before);
	WRITE_ONCE(stat_stage, 0);
	local_irq_save(flags);
	local_irq_enable();
	KTEST_ASSERT_EQ(t, smp_call_function_single(other, stat_hammer_other, NULL, false), 0);
	while (smp_load_acquire(&stat_stage) != 1)
		cpu_relax();
	spin_lock(&stat_hammer_lock); /* the other CPU holds it until we wait */
	spin_unlock(&stat_hammer_lock);
	stat_pairs(&stat_hammer_lock, STAT_ROUNDS);
	while (smp_load_acquire(&stat_stage) != 2)
		cpu_relax();
	local_irq_restore(flags);
	KTEST_ASSERT_TRUE(t, lock_stat_read(&stat_hammer_lock, &after));
	printk("    # %s: %lu contentions, %lu acquisitions\n", t->name,
	       (unsigned long)(after.contentions - before.contentions),
	       (unsigned long)(after.acquisitions - before.acquisitions));
	KTEST_EXPECT_GT(t, after.contentions - before.contentions, 0UL);
	KTEST_EXPECT_EQ(t, after.acquisitions - before.acquisitions, 2UL * (1 + STAT_ROUNDS));
	KTEST_EXPECT_EQ(t, after.con_bounces, after.contentions);
	KTEST_EXPECT_GE(t, after.wait_max, after.wait_min);
	KTEST_EXPECT_GE(t, after.wait_total, after.wait_max);
	KTEST_EXPECT_GE(t, after.hold_max, after.hold_min);
	KTEST_EXPECT_GT(t, after.acq_bounces,
			before.acq_bounces); /* it changed CPU at least once */
}

/* A lock only this CPU ever takes: every acquisition counted, never a contention. */
KTEST(spinlock, lock_stat_never_contended_lock_shows_no_contention)
{
	struct lock_stat_totals before, after;

	stat_switch_on(t);
	lock_stat_read(&stat_lonely_lock, &before);
	stat_pairs(&stat_lonely_lock, STAT_ROUNDS);
	KTEST_ASSERT_TRUE(t, lock_stat_read(&stat_lonely_lock, &after));
	KTEST_EXPECT_EQ(t, after.contentions, 0UL);
	KTEST_EXPECT_EQ(t, after.wait_total, 0UL);
	KTEST_EXPECT_EQ(t, after.acquisitions - before.acquisitions, (unsigned long)STAT_ROUNDS);
	KTEST_EXPECT_GE(t, after.hold_max, after.hold_min);
}

/* The printout has Linux's header and a line for a counted class; a reset zeroes it. */
KTEST(spinlock, lock_stat_print_shows_the_class_and_reset_zeroes_it)
{
	struct lock_stat_totals after;
	unsigned long mark;

	stat_switch_on(t);
	stat_pairs(&stat_lonely_lock, 10);
	mark = ktest_log_mark();
	lock_stat_print();
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "lock_stat version 0.4"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "class name    con-bounces    contentions"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "holdtime-total   holdtime-avg"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "stat_lonely_lock:"));
	lock_stat_reset();
	KTEST_ASSERT_TRUE(t, lock_stat_read(&stat_lonely_lock, &after));
	KTEST_EXPECT_EQ(t, after.acquisitions, 0UL);
	KTEST_EXPECT_EQ(t, after.hold_total, 0UL);
	stat_pairs(&stat_lonely_lock, 7);
	KTEST_ASSERT_TRUE(t, lock_stat_read(&stat_lonely_lock, &after));
	KTEST_EXPECT_EQ(t, after.acquisitions, 7UL);
}

/* lock_stat counts and times each lock of the class on its own. */
KTEST(spinlock, nest_lock_each_lock_is_counted_by_lock_stat)
{
	struct lock_stat_totals before, after;
	unsigned int held = spin_locks_held(), depth = lockdep_depth();

	if (READ_ONCE(lockdep_enabled))
		nest_test_setup(t);
	else
		spin_test_init_nest_many();
	stat_switch_on(t);
	lock_stat_read(&nest_many[0], &before);
	spin_lock(&nest_outer);
	for (unsigned int i = 0; i < NEST_LOCKS; i++)
		spin_lock_nest_lock(&nest_many[i], &nest_outer);
	for (unsigned int i = 0; i < NEST_LOCKS; i++)
		spin_unlock(&nest_many[nest_release_order(i)]);
	spin_unlock(&nest_outer);
	KTEST_ASSERT_TRUE(t, lock_stat_read(&nest_many[0], &after));
	KTEST_EXPECT_EQ(t, after.acquisitions - before.acquisitions, (unsigned long)NEST_LOCKS);
	KTEST_EXPECT_GE(t, after.hold_max, after.hold_min);
	KTEST_EXPECT_EQ(t, spin_locks_held(), held);
	KTEST_EXPECT_EQ(t, lockdep_depth(), depth);
}

static DEFINE_SPINLOCK(recurse_lock);

static __noinline void spin_test_take(struct spinlock *lock)
{
	spin_lock(lock);
}

/*
 * Run only when named (tests/e2e/spinlock_recursion.sh): taking a lock
 * this CPU holds panics, naming the lock, the CPU and both callers.
 */
KTEST(_spinrecurse, second_acquisition_on_the_same_cpu_panics)
{
	spin_lock(&recurse_lock);
	spin_test_take(&recurse_lock);
	spin_unlock(&recurse_lock);
	KTEST_EXPECT_TRUE(t, false); /* not reached */
}
