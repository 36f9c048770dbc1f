/*
 * Spinlocks (include/kernel/spinlock.h): the ticket lock with the checks
 * around it. Out of line, so each call site costs a call: the address a
 * lock was taken at is the caller's return address.
 *
 * Order in spin_lock(): interrupts off, the recursion test (only this CPU
 * writes its own number into owner_cpu, so reading it unlocked is exact
 * for this CPU), the lock-order checker (before waiting: an inversion is
 * reported even when it then deadlocks), the wait, then the owner's
 * records. spin_unlock() undoes them in reverse and lets the next ticket
 * in before it restores the interrupt state.
 *
 * A waiter spins with interrupts off, so it would not answer a TLB
 * shootdown: a holder that flushes (vmalloc's purge under vmap_purge_lock)
 * would wait for it forever. So the wait serves this CPU's pending
 * shootdowns (they take no lock). Cross-CPU calls that wait are not served:
 * holding a spinlock across one stays forbidden (asm/ipi.h).
 *
 * A noirq lock (include/kernel/spinlock.h) takes the same steps with
 * preemption off instead of interrupts: its waiter may spin with
 * interrupts on (the shootdown IPI is then served as an interrupt) or off
 * (served by the loop, as for the others).
 */
#include "kernel/spinlock.h"

#include "asm/tlbflush.h"
#include "asm/traps.h"
#include "kernel/lockdep.h"
#include "kernel/panic.h"
#include "kernel/sched.h"

DEFINE_PER_CPU(unsigned int, spinlock_depth);

static void __noreturn spin_lock_recursion(const struct spinlock *lock, unsigned long ip)
{
	panic("spin_lock: recursive acquisition of %s on CPU %u: held since %pS, taken again at %pS",
	      lock->name, smp_processor_id(), (void *)lock->owner_ip, (void *)ip);
}

DEFINE_PER_CPU(const struct spinlock *, spin_waiting_for);

/*
 * For a noirq lock, an interrupt may land anywhere in spin_lock(),
 * spin_trylock() or spin_unlock(): between taking the ticket and recording
 * the owner, or between clearing the owner and handing the ticket on. This
 * CPU then holds (or is next for) the lock while owner_cpu does not say so,
 * and a handler spinning on spin_trylock() of it would never get it. So
 * spin_waiting_for names the lock across the whole of each such window:
 * spin_waited_for_by_this_cpu() covers it (an interrupt may wait inside a
 * wait: the outer mark is restored after).
 */
static inline const struct spinlock *spin_mark(const struct spinlock *lock)
{
	const struct spinlock *outer = this_cpu_read(spin_waiting_for);

	this_cpu_write(spin_waiting_for, lock);
	barrier();
	return outer;
}

static inline void spin_unmark(const struct spinlock *outer)
{
	barrier();
	this_cpu_write(spin_waiting_for, outer);
}

static void spin_wait(struct spinlock *lock)
{
	unsigned int ticket = (unsigned int)atomic_fetch_add(1, &lock->raw.next);

	while (smp_load_acquire(&lock->raw.serving) != ticket) {
		tlb_shootdown_run();
		cpu_relax();
	}
}

/* The lock is ours: record it. Interrupts are off. */
static void spin_lock_acquired(struct spinlock *lock, unsigned long flags, unsigned int cpu,
			       unsigned long ip)
{
	lock->owner_cpu = (int)cpu;
	lock->owner_ip = ip;
	lock->saved_flags = flags;
	this_cpu_inc(spinlock_depth);
}

/*
 * A noirq lock taken by spin_lock() in an interrupt handler: lockdep counts
 * it as a finding when it runs, otherwise it is a WARN here.
 */
static void spin_noirq_in_interrupt(const struct spinlock *lock, unsigned long ip)
{
	if (!READ_ONCE(lockdep_enabled))
		WARN_ONCE(1, "spin_lock: %s is a noirq lock, taken in interrupt context at %pS",
			  lock->name, (void *)ip);
}

/* Interrupts (or, for a noirq lock, preemption) off; returns what unlock restores. */
static inline unsigned long spin_enter(const struct spinlock *lock)
{
	if (lock->noirq) {
		preempt_disable();
		return 0;
	}
	return arch_local_irq_save();
}

static inline void spin_leave(bool noirq, unsigned long flags)
{
	if (noirq)
		preempt_enable();
	else
		arch_local_irq_restore(flags);
}

void spin_lock(struct spinlock *lock)
{
	unsigned long flags = spin_enter(lock);
	unsigned int cpu = smp_processor_id();
	const struct spinlock *outer;

	if (unlikely(READ_ONCE(lock->owner_cpu) == (int)cpu))
		spin_lock_recursion(lock, _RET_IP_);
	if (unlikely(lock->noirq && in_interrupt()))
		spin_noirq_in_interrupt(lock, _RET_IP_);
	if (unlikely(READ_ONCE(lockdep_enabled)))
		lock_acquire(lock, _RET_IP_, false);
	outer = spin_mark(lock);
	spin_wait(lock);
	spin_lock_acquired(lock, flags, cpu, _RET_IP_);
	spin_unmark(outer);
}

bool spin_trylock(struct spinlock *lock)
{
	unsigned long flags = spin_enter(lock);
	const struct spinlock *outer = spin_mark(lock);

	if (!arch_spin_trylock(&lock->raw)) {
		spin_unmark(outer);
		spin_leave(lock->noirq, flags);
		return false;
	}
	spin_lock_acquired(lock, flags, smp_processor_id(), _RET_IP_);
	spin_unmark(outer);
	if (unlikely(READ_ONCE(lockdep_enabled)))
		lock_acquire(lock, _RET_IP_, true);
	return true;
}

void spin_unlock(struct spinlock *lock)
{
	unsigned long flags = lock->saved_flags; /* before the next owner writes it */
	bool noirq = lock->noirq;		 /* nor read @lock once it is released */
	int owner = READ_ONCE(lock->owner_cpu);
	const struct spinlock *outer;

	if (WARN_ONCE(owner != (int)smp_processor_id(),
		      "spin_unlock: %s is not held by CPU %u (owner %d), at %pS", lock->name,
		      smp_processor_id(), owner, (void *)_RET_IP_))
		return;
	if (unlikely(READ_ONCE(lockdep_enabled)))
		lock_release(lock);
	outer = spin_mark(lock);
	lock->owner_cpu = -1;
	lock->owner_ip = 0;
	this_cpu_dec(spinlock_depth);
	arch_spin_unlock(&lock->raw);
	spin_unmark(outer);
	spin_leave(noirq, flags);
}

void spin_assert_held_failed(const struct spinlock *lock, const char *file, int line,
			     unsigned long ip)
{
	int owner = spin_lock_owner(lock);

	if (owner < 0)
		__warn(file, line, ip, "assert_held: %s is not held (this CPU is %u)", lock->name,
		       smp_processor_id());
	else
		__warn(file, line, ip,
		       "assert_held: %s is held by CPU %d (taken at %pS), not by this CPU %u",
		       lock->name, owner, (void *)READ_ONCE(lock->owner_ip), smp_processor_id());
}
