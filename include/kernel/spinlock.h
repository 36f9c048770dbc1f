/*
 * Spinlocks: ticket locks that also disable interrupts on the CPU that
 * holds them.
 *
 * A ticket lock hands out tickets in order (atomic fetch-and-add on @next)
 * and lets in the holder of ticket @serving; unlock moves @serving on. The
 * waiters are served first come, first served, and spin reading @serving
 * with cpu_relax(). struct arch_spinlock is that bare lock (no interrupts,
 * no checks), for the few places that must not be tracked (lockdep's own).
 *
 * struct spinlock adds what the kernel checks:
 *  - spin_lock() saves RFLAGS and disables interrupts first, then waits;
 *    the owner writes the saved flags into the lock once it is in, and
 *    spin_unlock() restores them after letting the next one in.
 *  - The owner's CPU and the address where it took the lock are recorded:
 *    taking a lock again on the CPU that holds it (from an interrupt or a
 *    fault inside the critical section, or a plain bug) would spin forever,
 *    so it panics naming the lock and both addresses.
 *  - assert_held() checks that THIS CPU holds the lock.
 *  - spinlock_depth counts, per CPU, the spinlocks that CPU holds (a fault
 *    inside a critical section leaves it non-zero: ktest and the deferred
 *    work stop safely then). Read it with spin_locks_held().
 *  - With the `lockdep` command-line switch, every acquisition goes through
 *    the lock-order checker (kernel/lockdep.c, include/kernel/lockdep.h).
 *
 * The noirq kind (DEFINE_SPINLOCK_NOIRQ, SPINLOCK_NOIRQ_INIT): for locks
 * that no interrupt handler ever takes. spin_lock() leaves the interrupt
 * flag alone (pushf/cli/popf cost ten times the lock itself under TCG) and
 * disables preemption instead, so the holder is never switched out; the
 * unlock re-enables it. Taking one with spin_lock() in interrupt context
 * is the bug this kind rules out (the interrupt may have hit its holder on
 * this CPU): lockdep reports it as a finding, and without lockdep it is a
 * WARN. spin_trylock() of one stays allowed anywhere (the page-fault
 * reporter): it cannot deadlock.
 *
 * Works from the first instruction of C on CPU 0 (GS base 0, so the
 * per-CPU variables are the section itself) and on an AP once it ran
 * percpu_enter(). No recursion: a lock is taken once, then released by the
 * CPU that took it.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "asm/irqflags.h"
#include "asm/processor.h"
#include "kernel/atomic.h"
#include "kernel/lockdep.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"

/* Spinlocks this CPU holds right now. */
DECLARE_PER_CPU(unsigned int, spinlock_depth);

static inline unsigned int spin_locks_held(void)
{
	return this_cpu_read(spinlock_depth);
}

/* The bare ticket lock: no interrupt handling, no owner, no checks. */
struct arch_spinlock {
	atomic_t next;	      /* the ticket the next comer takes */
	unsigned int serving; /* the ticket let in; only the holder moves it */
};

#define ARCH_SPINLOCK_INIT                           \
	{                                            \
		.next = ATOMIC_INIT(0), .serving = 0 \
	}

static inline void arch_spin_lock(struct arch_spinlock *l)
{
	unsigned int ticket = (unsigned int)atomic_fetch_add(1, &l->next);

	while (smp_load_acquire(&l->serving) != ticket)
		cpu_relax();
}

/* Take @l only if nobody holds it or waits for it. */
static inline bool arch_spin_trylock(struct arch_spinlock *l)
{
	unsigned int serving = READ_ONCE(l->serving);

	/* next == serving means free; claiming ticket @serving is then ours */
	return atomic_cmpxchg(&l->next, (int)serving, (int)(serving + 1)) == (int)serving;
}

static inline void arch_spin_unlock(struct arch_spinlock *l)
{
	smp_store_release(&l->serving, l->serving + 1);
}

static inline bool arch_spin_is_locked(const struct arch_spinlock *l)
{
	return (unsigned int)atomic_read(&l->next) != READ_ONCE(l->serving);
}

struct spinlock {
	struct arch_spinlock raw;
	int owner_cpu;		   /* the CPU holding it, -1 when free */
	unsigned long owner_ip;	   /* where the owner took it */
	unsigned long saved_flags; /* the owner's RFLAGS from before spin_lock() */
	const char *name;
	const struct lock_class_key *key; /* lockdep class: NULL = this lock's own */
	unsigned int class_id;		  /* lockdep's cache of the class, 0 = unknown */
	bool noirq;			  /* the noirq kind: never taken by an interrupt */
};

/*
 * A lock defined statically (DEFINE_SPINLOCK, SPINLOCK_INIT in a static
 * structure) is its own lockdep class, named @n. spin_lock_init() gives
 * every lock initialised at the same call site one class (the slab caches'
 * locks), named after that site.
 */
#define SPINLOCK_INIT(n)                                                                     \
	{                                                                                    \
		.raw = ARCH_SPINLOCK_INIT, .owner_cpu = -1, .owner_ip = 0, .saved_flags = 0, \
		.name = #n, .key = NULL, .class_id = 0, .noirq = false                       \
	}
#define DEFINE_SPINLOCK(n) struct spinlock n = SPINLOCK_INIT(n)

/* The noirq kind (see the top): preemption off while held, interrupts untouched. */
#define SPINLOCK_NOIRQ_INIT(n)                                                               \
	{                                                                                    \
		.raw = ARCH_SPINLOCK_INIT, .owner_cpu = -1, .owner_ip = 0, .saved_flags = 0, \
		.name = #n, .key = NULL, .class_id = 0, .noirq = true                        \
	}
#define DEFINE_SPINLOCK_NOIRQ(n) struct spinlock n = SPINLOCK_NOIRQ_INIT(n)

static inline void __spin_lock_init(struct spinlock *lock, const char *name,
				    const struct lock_class_key *key)
{
	*lock = (struct spinlock)SPINLOCK_INIT(unnamed);
	lock->name = name;
	lock->key = key;
}

#define spin_lock_init(lock, lock_name)                                                    \
	do {                                                                               \
		static const struct lock_class_key __key = { .name = __FILE__ ":" #lock }; \
		__spin_lock_init((lock), (lock_name), &__key);                             \
	} while (0)

/*
 * spin_lock - disable interrupts, wait for @lock, take it
 * => Panics when this CPU already holds @lock.
 * => Interrupts stay off until the matching spin_unlock(); for a noirq
 *    lock, preemption does instead (interrupts are left as they are).
 */
void spin_lock(struct spinlock *lock);

/*
 * spin_trylock - take @lock if it is free, without waiting
 * Return: true with the lock held (interrupts or, noirq, preemption off, as
 *    spin_lock()); false,
 *    with nothing changed, when any CPU holds it (this one included).
 */
bool spin_trylock(struct spinlock *lock);

/*
 * spin_unlock - release @lock and restore the interrupt state of its spin_lock()
 * => Refused with a warning when this CPU does not hold @lock.
 */
void spin_unlock(struct spinlock *lock);

/* Held by any CPU (or being waited for). */
static inline bool spin_is_locked(const struct spinlock *lock)
{
	return arch_spin_is_locked(&lock->raw);
}

/* The lock this CPU is taking or releasing (innermost), or NULL. */
DECLARE_PER_CPU(const struct spinlock *, spin_waiting_for);

/*
 * This CPU is inside spin_lock(), spin_trylock() or spin_unlock() of @lock:
 * an interrupt that hit one of them (only possible for a noirq lock). This
 * CPU may then hold the ticket without owner_cpu saying so; taking @lock
 * there, even by spinning on spin_trylock(), would never succeed.
 */
static inline bool spin_waited_for_by_this_cpu(const struct spinlock *lock)
{
	return this_cpu_read(spin_waiting_for) == lock;
}

/* Held by the CPU running this (stable: only this CPU can change that). */
static inline bool spin_held_by_this_cpu(const struct spinlock *lock)
{
	return READ_ONCE(lock->owner_cpu) == (int)smp_processor_id();
}

/* The CPU holding @lock, or -1. A snapshot, unless it is this CPU. */
static inline int spin_lock_owner(const struct spinlock *lock)
{
	return READ_ONCE(lock->owner_cpu);
}

/* assert_held()'s warning: free, or which CPU holds it and since where. */
void spin_assert_held_failed(const struct spinlock *lock, const char *file, int line,
			     unsigned long ip);

/*
 * assert_held - warn (once per call site) unless this CPU holds @lock
 * Return: true when the check failed.
 */
#define assert_held(lock)                                                            \
	({                                                                           \
		static bool __warned;                                                \
		const struct spinlock *__l = (lock);                                 \
		bool __bad = !spin_held_by_this_cpu(__l);                            \
		if (unlikely(__bad) && !__warned) {                                  \
			__warned = true;                                             \
			spin_assert_held_failed(__l, __FILE__, __LINE__, _THIS_IP_); \
		}                                                                    \
		__bad;                                                               \
	})

#endif /* KERNEL_SPINLOCK_H */
