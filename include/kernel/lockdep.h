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
 * Many locks of one class may be held at once under an outer "nest" lock
 * that every CPU taking several of them holds (vmalloc's shards under
 * vmap_purge_lock): spin_lock_nest_lock(). Two CPUs cannot then nest them
 * in opposite orders. The first lock of the class is checked and pushed as
 * usual; each further one taken under the nest while the class is on the
 * stack is checked against the other held locks (the locks taken since
 * the first still add their dependencies), is not reported as recursive
 * and adds a reference to the class's entry instead of a new entry, so
 * the stack has room for any number of them. Released in any order, the
 * entry goes when its last reference does. A lock taken by
 * spin_lock_nest_lock() without its nest held is reported as recursive
 * like spin_lock() (and warned about once). One blind spot: a lock of
 * such a class taken untracked (before lockdep was on, or while the
 * checker was busy) takes a reference of the class's entry when released,
 * so the entry may go early: dependencies taken later under the remaining
 * ones are then missed (never a false report).
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

/*
 * lock_acquire_nest - lock_acquire() for a lock taken under a nest lock
 * this CPU holds (spin_lock_nest_lock()): when a lock of @lock's class is
 * on this CPU's stack, @lock adds a reference to that entry, without the
 * recursion report; otherwise it is pushed as by lock_acquire().
 * => The caller checked that this CPU holds the nest lock.
 */
void lock_acquire_nest(struct spinlock *lock, unsigned long ip);

/*
 * lock_release - @lock leaves this CPU's stack (interrupts off): its own
 * entry, or a reference of its class's entry that stands for it.
 */
void lock_release(struct spinlock *lock);

/* Entries on this CPU's stack of held locks (for tests: a class nested counts once). */
unsigned int lockdep_depth(void);

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
