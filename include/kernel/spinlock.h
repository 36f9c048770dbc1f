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
#include "asm/traps.h"
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
	u8 stat_class;			  /* lock_stat's cache of the class + 1, 0 = unknown */
	u8 stat_last_cpu;		  /* lock_stat: the CPU of the last acquisition + 1 */
	u64 stat_since;			  /* lock_stat: TSC when the holder took it, 0 = unknown */
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
 * spin_lock() is inline: the uncontended way in is the enter step
 * (pushf/cli, or a preempt count increment for the noirq kind), one
 * compare of the two debug switches (lockdep, lock_stat) and the noirq
 * kind's in-interrupt test, the window mark, one fetch-and-add, the owner's
 * records and the unmark. Whatever the compares catch goes out of line to
 * spin_lock_slow(), which does every check; a taken lock (or one this CPU
 * already holds: recursion) waits, or panics, in spin_lock_contended(),
 * which also counts the contention for lock_stat. The address a lock was
 * taken at is the call site's own instruction. spin_unlock() is one call:
 * inline it cost ~150 bytes at each of ~190 sites, and the noirq kind's
 * release makes a call (preempt_enable()) anyway.
 *
 * The windows. An interrupt can land on any instruction of a noirq lock's
 * spin_lock() or spin_unlock() (the other kind has interrupts off there),
 * inline or out of line (every path marks its windows the same way).
 * A handler that wants the same lock (vfree_atomic() from a tick, through
 * spin_trylock()) must tell "this CPU owns it or is about to" from "another
 * CPU holds it": the first would spin forever. It looks at owner_cpu and at
 * spin_waiting_for (spin_waited_for_by_this_cpu()). spin_mark() writes
 * spin_waiting_for before the ticket is taken and spin_unmark() restores
 * it after the owner is recorded, so at each point of spin_lock() the
 * handler sees:
 *   before the mark            no ticket taken: the lock is another's or free
 *   mark .. fetch-and-add      marked (no ticket yet: parking is only cautious)
 *   fetch-and-add .. owner     marked: ticket held or waited for, owner -1
 *   owner written .. unmark    marked and owner_cpu == this CPU
 *   after the unmark           owner_cpu == this CPU
 * and in spin_unlock():
 *   before the mark            owner_cpu == this CPU
 *   mark .. owner cleared      marked and owner_cpu == this CPU
 *   owner cleared .. release   marked: ticket held, owner -1
 *   release .. unmark          marked (free, or the next CPU's: cautious)
 *   after the unmark           not ours: free or another CPU's
 * Never "owner -1 and not marked" while this CPU holds the ticket. A
 * handler that itself takes a lock marks and unmarks inside that, restoring
 * the outer mark, so the interrupted window is marked again on return. The
 * barriers keep the compiler from moving the records across the marks;
 * the CPU sees its own stores in order, and an interrupt runs on that CPU.
 */

/*
 * Out of line (kernel/spinlock.c): spin_lock() after spin_enter(), with
 * every check; the lock is recorded as taken at the return address (in
 * the caller's function, as the inline path's own address is).
 */
void spin_lock_slow(struct spinlock *lock, unsigned long flags);
/*
 * Out of line: ticket @ticket of @lock was not served at once: panic if
 * this CPU holds @lock (recursion), else wait for it serving TLB
 * shootdowns meanwhile, and count the contention and the wait.
 */
void spin_lock_contended(struct spinlock *lock, unsigned int ticket);

/* From kernel/sched.h, which includes this header. */
DECLARE_PER_CPU(unsigned int, preempt_count_pcpu);
void preempt_enable(void);

/* The lock this CPU is taking or releasing (innermost), or NULL. */
DECLARE_PER_CPU(const struct spinlock *, spin_waiting_for);

/* lock_stat's switch (the `lock_stat` command line; lock_stat_enable()). */
extern bool lock_stat_enabled;

/* Both debug switches: any acquisition or release then goes out of line. */
static __always_inline bool spin_debug_on(void)
{
	return READ_ONCE(lockdep_enabled) || READ_ONCE(lock_stat_enabled);
}

/* Open a window (above): @lock is this CPU's to take or release. Returns the outer mark. */
static __always_inline const struct spinlock *spin_mark(const struct spinlock *lock)
{
	const struct spinlock *outer = this_cpu_read(spin_waiting_for);

	this_cpu_write(spin_waiting_for, lock);
	barrier();
	return outer;
}

static __always_inline void spin_unmark(const struct spinlock *outer)
{
	barrier();
	this_cpu_write(spin_waiting_for, outer);
}

/* Interrupts (or, for a noirq lock, preemption) off; returns what unlock restores. */
static __always_inline unsigned long spin_enter(const struct spinlock *lock)
{
	if (lock->noirq) {
		this_cpu_inc(preempt_count_pcpu); /* preempt_disable() */
		barrier();
		return 0;
	}
	return arch_local_irq_save();
}

static __always_inline void spin_leave(bool noirq, unsigned long flags)
{
	if (noirq)
		preempt_enable();
	else
		arch_local_irq_restore(flags);
}

/* The lock is ours: record it. Interrupts (or preemption) are off. */
static __always_inline void spin_lock_acquired(struct spinlock *lock, unsigned long flags,
					       unsigned int cpu, unsigned long ip)
{
	lock->owner_cpu = (int)cpu;
	lock->owner_ip = ip;
	lock->saved_flags = flags;
	this_cpu_inc(spinlock_depth);
}

/*
 * spin_lock - disable interrupts, wait for @lock, take it
 * => Panics when this CPU already holds @lock.
 * => Interrupts stay off until the matching spin_unlock(); for a noirq
 *    lock, preemption does instead (interrupts are left as they are).
 */
static __always_inline void spin_lock(struct spinlock *lock)
{
	unsigned long flags = spin_enter(lock);
	unsigned int cpu = smp_processor_id();
	const struct spinlock *outer;
	unsigned int ticket;

	if (unlikely(spin_debug_on() || (lock->noirq && in_interrupt()))) {
		spin_lock_slow(lock, flags);
		return;
	}
	outer = spin_mark(lock);
	ticket = (unsigned int)atomic_fetch_add(1, &lock->raw.next);
	if (unlikely(smp_load_acquire(&lock->raw.serving) != ticket))
		spin_lock_contended(lock, ticket);
	spin_lock_acquired(lock, flags, cpu, _THIS_IP_);
	spin_unmark(outer);
}

/*
 * spin_lock_nest_lock - spin_lock() of one of many locks of a class held
 * at once, all taken under @nest (Linux's spin_lock_nest_lock()): lockdep
 * counts it on the class's held entry instead of reporting recursion
 * (include/kernel/lockdep.h). Out of line, always with every check; the
 * lock is recorded as taken at the caller. Release with spin_unlock(), in
 * any order.
 * => @nest is held by this CPU, and by any CPU holding two of the class:
 *    else a warning (once) and lockdep sees a plain spin_lock().
 * => Panics when this CPU already holds @lock, as spin_lock().
 */
void spin_lock_nest_lock(struct spinlock *lock, struct spinlock *nest);

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
 * Out of line: the noirq kind's unlock calls preempt_enable() anyway, and
 * one call here instead of an inline release at every site keeps .text
 * small (kernel/spinlock.c).
 */
void spin_unlock(struct spinlock *lock);

/* Held by any CPU (or being waited for). */
static inline bool spin_is_locked(const struct spinlock *lock)
{
	return arch_spin_is_locked(&lock->raw);
}

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

/*
 * Lock statistics per lock class (kernel/lock_stat.c), in the columns of
 * Linux's /proc/lock_stat. Contentions and wait times are always counted
 * (in spin_lock_contended(): free when uncontended); acquisitions, bounces
 * and hold times only while lock_stat is on (every lock then goes out of
 * line, as with lockdep). A class is lockdep's: a static lock, or one
 * spin_lock_init() site. Times are TSC cycles, printed in ns.
 */

/* lock_stat_enable/disable - count acquisitions and hold times from now on (or stop). */
void lock_stat_enable(void);
void lock_stat_disable(void);

/* The totals of one class over every CPU (lock_stat_read()). */
struct lock_stat_totals {
	u64 contentions, con_bounces;
	u64 wait_min, wait_max, wait_total; /* cycles */
	u64 acq_bounces, acquisitions;
	u64 hold_min, hold_max, hold_total; /* cycles */
};

/*
 * lock_stat_read - what has been counted for @lock's class so far
 * Return: false (and zeros) when the class has never been counted.
 */
bool lock_stat_read(const struct spinlock *lock, struct lock_stat_totals *out);

/* lock_stat_print - the classes counted, busiest first, as /proc/lock_stat (printk). */
void lock_stat_print(void);

/*
 * lock_stat_reset - zero every class's counters (classes stay known).
 * => Counts made by other CPUs at the same moment may survive in part.
 */
void lock_stat_reset(void);

/* Out of line, for spinlock.c: a contention of @lock waited @cycles. */
void lock_stat_contended(struct spinlock *lock, u64 cycles);
/* Out of line, lock_stat on: @lock was just taken on @cpu. */
void lock_stat_acquired(struct spinlock *lock, unsigned int cpu);
/* Out of line, lock_stat on: @lock is about to be released by its owner. */
void lock_stat_released(struct spinlock *lock);

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
