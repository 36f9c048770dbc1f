/*
 * Wait queues: a task sleeps until a condition holds; whoever makes it hold
 * calls wake_up(). The condition is always tested again after a wake-up, so
 * a spurious or early wake-up costs a loop, never a wrong answer.
 *
 *	wait_event(wq, READ_ONCE(done));	the sleeper
 *	WRITE_ONCE(done, true);			the waker, then
 *	wake_up(&wq);
 *
 * The sleeper sets its state before it tests the condition and the waker
 * changes the condition before it looks at the queue, so a wake-up between
 * the test and schedule() makes schedule() return at once instead of being
 * lost. Locking: [W] the queue's own lock (interrupts off): wake_up() may be
 * called from interrupts.
 */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H

#include "kernel/spinlock.h"
#include "lib/list.h"

struct task_struct;

struct wait_queue_head {
	struct spinlock lock;
	struct list_head head; /* [W] struct wait_queue_entry.entry */
};

#define WQ_FLAG_EXCLUSIVE 0x01u /* wake_up() wakes one such waiter, after the others */

struct wait_queue_entry {
	struct task_struct *task;
	unsigned int flags;
	struct list_head entry; /* [W] on the queue, or empty */
};

#define WAIT_QUEUE_HEAD_INIT(name)                                             \
	{                                                                      \
		.lock = SPINLOCK_INIT(name), .head = LIST_HEAD_INIT(name.head) \
	}
#define DECLARE_WAIT_QUEUE_HEAD(name) struct wait_queue_head name = WAIT_QUEUE_HEAD_INIT(name)

void init_waitqueue_head(struct wait_queue_head *wq, const char *name);

/*
 * prepare_to_wait - put @w (of current) on @wq, once, and set current's
 * state to @state (TASK_INTERRUPTIBLE or TASK_UNINTERRUPTIBLE)
 * finish_wait - take @w off @wq and make current runnable again
 *  => Between the two, test the condition and call schedule() while it is
 *     false. Any context that may sleep.
 */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w, long state);
void prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *w, long state);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w);

/*
 * wake_up - wake every non-exclusive waiter of @wq and the first exclusive
 * one; wake_up_all - every waiter. Any context (interrupts included).
 * Return: the number of tasks made runnable.
 */
unsigned int wake_up(struct wait_queue_head *wq);
unsigned int wake_up_all(struct wait_queue_head *wq);
/* As wake_up_all(), with @wq's lock already held. */
unsigned int wake_up_all_locked(struct wait_queue_head *wq);

/* A wait_queue_entry for current, not yet on any queue. */
#define DEFINE_WAIT(name)                                 \
	struct wait_queue_entry name = { .task = current, \
					 .flags = 0,      \
					 .entry = LIST_HEAD_INIT(name.entry) }

/*
 * wait_event - sleep until @cond is true (uninterruptible)
 *  => May sleep: not with a spinlock held, interrupts off or preemption
 *     disabled (that is reported, and the wait then spins).
 */
#define wait_event(wq, cond)                                                \
	do {                                                                \
		DEFINE_WAIT(__w);                                           \
		for (;;) {                                                  \
			prepare_to_wait(&(wq), &__w, TASK_UNINTERRUPTIBLE); \
			if (cond)                                           \
				break;                                      \
			schedule();                                         \
		}                                                           \
		finish_wait(&(wq), &__w);                                   \
	} while (0)

/*
 * wait_event_timeout - as wait_event(), giving up after @ms milliseconds
 * Return: 0 when @cond is still false at the end, else the milliseconds
 * left (at least 1).
 */
#define wait_event_timeout(wq, cond, ms)                                    \
	({                                                                  \
		long __left = (ms);                                         \
		DEFINE_WAIT(__w);                                           \
		for (;;) {                                                  \
			prepare_to_wait(&(wq), &__w, TASK_UNINTERRUPTIBLE); \
			if (cond) {                                         \
				__left = __left ? __left : 1;               \
				break;                                      \
			}                                                   \
			if (!__left)                                        \
				break;                                      \
			__left = schedule_timeout(__left);                  \
		}                                                           \
		finish_wait(&(wq), &__w);                                   \
		__left;                                                     \
	})

#include "kernel/sched.h" /* current, schedule() for the macros above */

#endif /* KERNEL_WAIT_H */
