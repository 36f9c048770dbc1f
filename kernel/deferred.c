/*
 * Deferred work (include/kernel/deferred.h): a FIFO of jobs, each run one
 * bounded step at a time. The queue is guarded by deferred_lock [D]
 * (interrupts off), so that any context on any CPU may queue; steps run
 * with the caller's interrupt state, outside the queue's critical section,
 * and a job is off the queue while its step runs (so the step may queue it,
 * or any other job, again).
 *
 * Who runs the steps: the idle time of the CPU that queued the latest job.
 * When that CPU's idle thread finds jobs queued (deferred_work_idle()), it
 * queues a work item (deferred_kick) on its CPU's kworker, which drains the
 * queue, yielding between rounds. So the work still runs only when its CPU
 * has nothing else to do, as it did from the idle loop, but in a thread
 * that may sleep and is preempted at the tick; a busy flow that queues a
 * job and then looks at it (the self-tests) sees it untouched until it
 * sleeps. Whoever idles without the idle thread may still call
 * deferred_work_run() itself (the console waiting for a key does).
 *
 * Called inside a critical section (or after a fault inside one left
 * spinlock_depth raised), it runs nothing and says nothing is left, so an
 * idle loop still halts instead of spinning on work it can never run; it
 * warns once for each such stretch of calls.
 */
#include "kernel/deferred.h"

#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "kernel/workqueue.h"

static DEFINE_SPINLOCK(deferred_lock);

static struct deferred_work *deferred_head;		      /* [D] */
static struct deferred_work **deferred_tail = &deferred_head; /* [D] */
static unsigned int deferred_nr;			      /* [D] jobs queued */
static unsigned int deferred_cpu; /* [D] the CPU that queued the latest job */
/* idle path only (deferred_work_run): warned since the last call without locks */
static bool deferred_locked_warned;

/* The workqueue's side: run rounds until nothing is left, letting others run between them. */
static void deferred_worker_fn(struct work_struct *work __unused)
{
	while (deferred_work_run())
		yield();
}

static DECLARE_WORK(deferred_kick, deferred_worker_fn);

void deferred_work_queue(struct deferred_work *w)
{
	spin_lock(&deferred_lock);
	deferred_cpu = sched_cpu();
	if (!w->pending) {
		w->pending = true;
		w->next = NULL;
		*deferred_tail = w;
		deferred_tail = &w->next;
		deferred_nr++;
	}
	spin_unlock(&deferred_lock);
}

bool deferred_work_idle(void)
{
	unsigned int cpu = sched_cpu();

	if (!READ_ONCE(deferred_nr) || READ_ONCE(deferred_cpu) != cpu ||
	    work_pending(&deferred_kick))
		return false;
	return queue_work_on(cpu, &deferred_kick);
}

bool deferred_work_pending(const struct deferred_work *w)
{
	return READ_ONCE(w->pending);
}

/* Take the first job off the queue, or NULL. */
static struct deferred_work *deferred_pop(void)
{
	struct deferred_work *w;

	spin_lock(&deferred_lock);
	w = deferred_head;
	if (w) {
		deferred_head = w->next;
		if (!deferred_head)
			deferred_tail = &deferred_head;
		w->next = NULL;
		w->pending = false;
		deferred_nr--;
	}
	spin_unlock(&deferred_lock);
	return w;
}

bool deferred_work_run(void)
{
	unsigned int n = READ_ONCE(deferred_nr);
	struct deferred_work *w;

	if (spin_locks_held()) {
		if (!deferred_locked_warned)
			WARN(true, "deferred_work_run: %u spinlock(s) held, %u job(s) left queued",
			     spin_locks_held(), n);
		deferred_locked_warned = true;
		return false;
	}
	deferred_locked_warned = false;
	/* The jobs queued now, once each: one queued again waits for the next call. */
	while (n-- && (w = deferred_pop()))
		if (w->step())
			deferred_work_queue(w);
	return READ_ONCE(deferred_nr) != 0;
}
