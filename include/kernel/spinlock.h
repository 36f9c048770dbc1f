/*
 * Spinlocks for a uniprocessor kernel written as if it were SMP.
 *
 * Contig runs on one CPU, so taking a lock only disables interrupts and
 * records the owner; but every piece of shared data is declared next to the
 * lock that guards it and every _locked function asserts it, so that SMP
 * later changes only this file.
 *
 * A lock must not be taken twice (no recursion): that is reported and the
 * second acquisition is refused loudly, since it means a broken invariant.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "asm/irqflags.h"
#include "kernel/panic.h"

/* Spinlocks held right now (all of them: one CPU). A fault inside a
 * critical section leaves this non-zero; ktest uses it to stop safely. */
extern unsigned int spinlock_depth;

struct spinlock {
	bool locked;
	const char *name;
	unsigned long saved_flags;
};

#define SPINLOCK_INIT(n)                                      \
	{                                                     \
		.locked = false, .name = #n, .saved_flags = 0 \
	}
#define DEFINE_SPINLOCK(n) struct spinlock n = SPINLOCK_INIT(n)

static inline void spin_lock_init(struct spinlock *lock, const char *name)
{
	lock->locked = false;
	lock->name = name;
	lock->saved_flags = 0;
}

static inline void spin_lock(struct spinlock *lock)
{
	unsigned long flags = arch_local_irq_save();

	if (lock->locked)
		panic("spin_lock: recursive acquisition of %s", lock->name);
	lock->locked = true;
	lock->saved_flags = flags;
	spinlock_depth++;
}

static inline void spin_unlock(struct spinlock *lock)
{
	unsigned long flags = lock->saved_flags;

	WARN_ON_ONCE(!lock->locked);
	lock->locked = false;
	spinlock_depth--;
	arch_local_irq_restore(flags);
}

static inline bool spin_is_locked(const struct spinlock *lock)
{
	return lock->locked;
}

#define assert_held(lock) WARN_ON_ONCE(!spin_is_locked(lock))

#endif /* KERNEL_SPINLOCK_H */
