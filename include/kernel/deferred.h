/*
 * Deferred work: jobs that core code cannot do where the need arises (too
 * long to run with interrupts off, or in the wrong context) and queues
 * instead. When the CPU that queued a job has nothing else to do, its
 * kworker runs the queue (deferred_work_idle()); whatever waits for
 * something to do without the idle thread (the console waiting for a key)
 * calls deferred_work_run() itself. Each job runs in bounded steps,
 * so the idle path stays responsive: a step that leaves work behind is
 * queued again and resumed on the next call.
 *
 *	static bool purge_step(void);		one bounded step, true: more left
 *	static struct deferred_work purge_work = DEFERRED_WORK_INIT("purge", purge_step);
 *	...
 *	deferred_work_queue(&purge_work);	from anywhere, idempotent
 */
#ifndef KERNEL_DEFERRED_H
#define KERNEL_DEFERRED_H

#include "kernel/types.h"

/* Fields marked [D] are guarded by deferred_lock (kernel/deferred.c). */
struct deferred_work {
	const char *name;
	bool (*step)(void);	    /* one bounded step; true while work remains */
	bool pending;		    /* [D] queued, its next step not yet run */
	struct deferred_work *next; /* [D] the queue */
};

#define DEFERRED_WORK_INIT(n, fn)                                         \
	{                                                                 \
		.name = (n), .step = (fn), .pending = false, .next = NULL \
	}

/*
 * deferred_work_queue - have @w's step run in idle time (a kworker, or the idle path)
 *  => Any context, interrupts on or off; queuing a pending job does nothing.
 */
void deferred_work_queue(struct deferred_work *w);

/*
 * deferred_work_idle - for a CPU's idle thread: when jobs are queued and
 * this CPU queued the latest, hand them to this CPU's kworker.
 * Return: whether it did (the kworker is runnable now).
 */
bool deferred_work_idle(void);

/* deferred_work_pending - @w is queued and its next step has not run. */
bool deferred_work_pending(const struct deferred_work *w);

/*
 * deferred_work_run - run one step of every job queued now
 *  => For the idle path: call with no lock held and interrupts on; each step
 *     takes what locks it needs.
 *  => Inside a critical section (spinlock_depth not 0, also when a fault
 *     left it so) runs nothing, warns once until a call without locks, and
 *     returns false: the caller may idle, the jobs stay queued.
 *  => A job whose step returns true is queued again.
 *  => Returns true while any job is still queued (call again before idling).
 */
bool deferred_work_run(void);

#endif /* KERNEL_DEFERRED_H */
