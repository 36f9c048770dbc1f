/*
 * Spinlocks (include/kernel/spinlock.h): the out-of-line parts. The
 * uncontended spin_lock()/spin_unlock() with nothing to check are inline in
 * the header; they come here when a check fires, lockdep or lock_stat is
 * on, or the lock is taken (spin_lock_contended(), which also catches the
 * recursion the inline path does not test: this CPU's own ticket is never
 * served). Every path here marks its windows as the inline one does (the
 * table in the header): an interrupt that lands inside sees the lock as
 * this CPU's.
 *
 * spin_lock_nest_lock() takes the same way as a spin_lock() with checks
 * on, telling lockdep that the nest lock covers the lock's class.
 *
 * Order in spin_lock(): interrupts off (inline), the recursion test (only this CPU
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

#include "asm/processor.h"
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
 * The caller marked the window (spin_mark()) and took @ticket, which was
 * not served at once. The wait is timed for lock_stat: rdtsc costs nothing
 * beside a wait.
 */
void spin_lock_contended(struct spinlock *lock, unsigned int ticket)
{
	u64 t0;

	if (unlikely(READ_ONCE(lock->owner_cpu) == (int)smp_processor_id()))
		spin_lock_recursion(lock, _RET_IP_);
	t0 = rdtsc();
	while (smp_load_acquire(&lock->raw.serving) != ticket) {
		tlb_shootdown_run();
		cpu_relax();
	}
	lock_stat_contended(lock, rdtsc() - t0);
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

/* spin_lock() with every check, for @ip; @nest: under a nest lock this CPU holds. */
static __always_inline void spin_lock_checked(struct spinlock *lock, unsigned long flags,
					      unsigned long ip, bool nest)
{
	unsigned int cpu = smp_processor_id();
	const struct spinlock *outer;
	unsigned int ticket;

	if (unlikely(READ_ONCE(lock->owner_cpu) == (int)cpu))
		spin_lock_recursion(lock, ip);
	if (unlikely(lock->noirq && in_interrupt()))
		spin_noirq_in_interrupt(lock, ip);
	if (unlikely(READ_ONCE(lockdep_enabled))) {
		if (nest)
			lock_acquire_nest(lock, ip);
		else
			lock_acquire(lock, ip, false);
	}
	outer = spin_mark(lock);
	ticket = (unsigned int)atomic_fetch_add(1, &lock->raw.next);
	if (smp_load_acquire(&lock->raw.serving) != ticket)
		spin_lock_contended(lock, ticket);
	spin_lock_acquired(lock, flags, cpu, ip);
	spin_unmark(outer);
	if (unlikely(READ_ONCE(lock_stat_enabled)))
		lock_stat_acquired(lock, cpu);
}

void spin_lock_slow(struct spinlock *lock, unsigned long flags)
{
	spin_lock_checked(lock, flags, _RET_IP_, false);
}

/*
 * Whether @nest is held is exact before spin_enter(): only this CPU can
 * make it "held by this CPU", and a CPU that does hold it cannot move.
 */
void spin_lock_nest_lock(struct spinlock *lock, struct spinlock *nest)
{
	unsigned long ip = _RET_IP_;
	bool nested = spin_held_by_this_cpu(nest);

	WARN_ONCE(!nested, "spin_lock_nest_lock: %s taken at %pS under %s, not held by this CPU",
		  lock->name, (void *)ip, nest->name);
	spin_lock_checked(lock, spin_enter(lock), ip, nested);
}

bool spin_trylock(struct spinlock *lock)
{
	unsigned long flags = spin_enter(lock);
	const struct spinlock *outer = spin_mark(lock);
	unsigned int cpu;

	if (!arch_spin_trylock(&lock->raw)) {
		spin_unmark(outer);
		spin_leave(lock->noirq, flags);
		return false;
	}
	cpu = smp_processor_id();
	spin_lock_acquired(lock, flags, cpu, _RET_IP_);
	spin_unmark(outer);
	if (unlikely(READ_ONCE(lockdep_enabled)))
		lock_acquire(lock, _RET_IP_, true);
	if (unlikely(READ_ONCE(lock_stat_enabled)))
		lock_stat_acquired(lock, cpu);
	return true;
}

/* Release @lock, this CPU being its owner (the records, the ticket, the enter step). */
static __always_inline void spin_unlock_owned(struct spinlock *lock)
{
	unsigned long flags = lock->saved_flags; /* before the next owner writes it */
	bool noirq = lock->noirq;		 /* nor read @lock once it is released */
	const struct spinlock *outer = spin_mark(lock);

	lock->owner_cpu = -1;
	lock->owner_ip = 0;
	this_cpu_dec(spinlock_depth);
	arch_spin_unlock(&lock->raw);
	spin_unmark(outer);
	spin_leave(noirq, flags);
}

static __noinline void spin_unlock_checked(struct spinlock *lock, unsigned long ip)
{
	int owner = READ_ONCE(lock->owner_cpu);

	if (WARN_ONCE(owner != (int)smp_processor_id(),
		      "spin_unlock: %s is not held by CPU %u (owner %d), at %pS", lock->name,
		      smp_processor_id(), owner, (void *)ip))
		return;
	if (unlikely(READ_ONCE(lockdep_enabled)))
		lock_release(lock);
	if (unlikely(READ_ONCE(lock_stat_enabled)))
		lock_stat_released(lock);
	spin_unlock_owned(lock);
}

void spin_unlock(struct spinlock *lock)
{
	if (unlikely(READ_ONCE(lock->owner_cpu) != (int)smp_processor_id() || spin_debug_on())) {
		spin_unlock_checked(lock, _RET_IP_);
		return;
	}
	spin_unlock_owned(lock);
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
