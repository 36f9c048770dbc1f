/*
 * Deferred work (include/kernel/deferred.h): a FIFO of jobs, each run one
 * bounded step at a time by whoever idles. The queue is guarded by
 * disabling interrupts [D], so that any context may queue; steps run with
 * the caller's interrupt state, outside the queue's critical section, and
 * a job is off the queue while its step runs (so the step may queue it, or
 * any other job, again).
 *
 * Called inside a critical section (or after a fault inside one left
 * spinlock_depth raised), it runs nothing and says nothing is left, so an
 * idle loop still halts instead of spinning on work it can never run; it
 * warns once for each such stretch of calls.
 */
#include "kernel/deferred.h"

#include "asm/irqflags.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"

static struct deferred_work *deferred_head;		      /* [D] */
static struct deferred_work **deferred_tail = &deferred_head; /* [D] */
static unsigned int deferred_nr;			      /* [D] jobs queued */
/* idle path only (deferred_work_run): warned since the last call without locks */
static bool deferred_locked_warned;

void deferred_work_queue(struct deferred_work *w)
{
	unsigned long flags;

	local_irq_save(flags);
	if (!w->pending) {
		w->pending = true;
		w->next = NULL;
		*deferred_tail = w;
		deferred_tail = &w->next;
		deferred_nr++;
	}
	local_irq_restore(flags);
}

bool deferred_work_pending(const struct deferred_work *w)
{
	return READ_ONCE(w->pending);
}

/* Take the first job off the queue, or NULL. */
static struct deferred_work *deferred_pop(void)
{
	struct deferred_work *w;
	unsigned long flags;

	local_irq_save(flags);
	w = deferred_head;
	if (w) {
		deferred_head = w->next;
		if (!deferred_head)
			deferred_tail = &deferred_head;
		w->next = NULL;
		w->pending = false;
		deferred_nr--;
	}
	local_irq_restore(flags);
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
