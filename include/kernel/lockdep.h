/*
 * Lockdep-lite: a lock-order checker for the spinlocks (kernel/lockdep.c).
 *
 * Every lock belongs to a class: a statically defined lock
 * (DEFINE_SPINLOCK, SPINLOCK_INIT) is its own class, named after it; the
 * locks set up by one spin_lock_init() call site share that site's class
 * (all slab caches' locks are "mm/slab.c:&c->lock"). Each CPU keeps the
 * stack of the locks it holds. Taking a lock of class B while holding one
 * of class A records the dependency A -> B, with the stack of the first
 * time it was seen. If B already leads to A (directly or through other
 * classes), two CPUs taking them in the two orders can deadlock: the
 * checker prints "WARNING: possible circular locking dependency detected"
 * with both locks, the stacks where the other order was first seen and the
 * current stack, once per pair, and counts it. Taking a second lock of a
 * class already held (two instances nested) is reported the same way as
 * "possible recursive locking"; a noirq lock taken by spin_lock() in
 * interrupt context as "noirq lock taken in interrupt context". A
 * spin_trylock() cannot deadlock: it adds
 * no dependency, but the locks taken under it depend on it.
 *
 * Off unless the command line says `lockdep` (it costs on every
 * spin_lock); make test turns it on. Its own state is guarded by a bare
 * arch_spinlock it does not track, taken with interrupts off.
 */
#ifndef KERNEL_LOCKDEP_H
#define KERNEL_LOCKDEP_H

#include "kernel/types.h"

struct spinlock;

/* One per spin_lock_init() call site: its address is the class's identity. */
struct lock_class_key {
	const char *name;
};

#define LOCKDEP_MAX_CLASSES 64 /* more turns the checker off, with a message */
#define LOCKDEP_MAX_EDGES   256
#define LOCKDEP_MAX_HELD    16 /* locks one CPU may hold at once while tracked */
#define LOCKDEP_TRACE_DEPTH 8  /* return addresses kept per dependency */

extern bool lockdep_enabled; /* set by lockdep_enable(); read by spin_lock() */

/*
 * lockdep_enable - start checking from the next spin_lock()
 * => Boot CPU, no spinlock held (the command-line switch).
 */
void lockdep_enable(void);

/*
 * lock_acquire - @lock is about to be taken at @ip (before waiting for it;
 * after, for a successful @trylock): check the order against the locks
 * this CPU holds, record the new dependencies, push @lock on its stack.
 * Context: interrupts off (spin_lock() disabled them).
 */
void lock_acquire(struct spinlock *lock, unsigned long ip, bool trylock);

/* lock_release - @lock leaves this CPU's stack (interrupts off). */
void lock_release(struct spinlock *lock);

/* Problems found so far: inversions and recursive locking, each counted once. */
unsigned int lockdep_findings(void);

/* Has a lock of @to's class been taken while one of @from's was held? */
bool lockdep_dependency(const struct spinlock *from, const struct spinlock *to);

/*
 * lockdep_forget - drop what the checker learnt about @lock's class: its
 * dependencies both ways and the findings that name it (the count goes
 * down by as many). For tests that invert an order on purpose.
 * => No CPU may hold a lock of that class.
 */
void lockdep_forget(struct spinlock *lock);

/* Print the classes, the dependencies and the findings (console `lockdep`). */
void lockdep_dump(void);

/* One line for the end of a test run: "lockdep: N findings (C classes, D dependencies)". */
void lockdep_print_summary(void);

#endif /* KERNEL_LOCKDEP_H */
