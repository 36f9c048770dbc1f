/*
 * The workqueue: functions queued to run later in a thread, one worker
 * thread per CPU ("kworker/N", bound to it), in the order queued.
 *
 *	static void purge_fn(struct work_struct *w) { ... }
 *	static DECLARE_WORK(purge_work, purge_fn);
 *	queue_work(&purge_work);	from any context; does nothing if still pending
 *	flush_work(&purge_work);	wait until it has run
 *
 * A work item is pending from queue_work() until its function starts; it
 * may be queued again meanwhile running (it then runs once more). Its
 * function runs in the worker with interrupts on and may sleep.
 */
#ifndef KERNEL_WORKQUEUE_H
#define KERNEL_WORKQUEUE_H

#include "kernel/types.h"
#include "lib/list.h"

struct work_struct;
struct worker_pool;
typedef void (*work_func_t)(struct work_struct *work);

#define WORK_PENDING_BIT 0

struct work_struct {
	unsigned long flags;	/* WORK_PENDING_BIT, set atomically */
	struct list_head entry; /* [P] on the pool's list while pending */
	work_func_t func;
	struct worker_pool *pool; /* [P] where it was last queued */
};

#define WORK_INIT(name, fn)                                                                 \
	{                                                                                   \
		.flags = 0, .entry = LIST_HEAD_INIT(name.entry), .func = (fn), .pool = NULL \
	}
#define DECLARE_WORK(name, fn) struct work_struct name = WORK_INIT(name, fn)

static inline void INIT_WORK(struct work_struct *w, work_func_t fn)
{
	w->flags = 0;
	INIT_LIST_HEAD(&w->entry);
	w->func = fn;
	w->pool = NULL;
}

/* Queued and not yet started. */
bool work_pending(const struct work_struct *w);

/*
 * queue_work_on - run @w in CPU @cpu's worker
 *  => Any context. Return: false when @w was already pending (nothing
 *     changes) or there is no worker yet on @cpu (too early in boot, or an
 *     offline CPU: then a message).
 * queue_work - the same on this CPU (CPU 0's worker if this one has none).
 */
bool queue_work_on(unsigned int cpu, struct work_struct *w);
bool queue_work(struct work_struct *w);

/*
 * flush_work - wait until @w is neither pending nor running
 *  => May sleep; not from @w's own function. Return: whether it waited.
 */
bool flush_work(struct work_struct *w);
/*
 * cancel_work_sync - take @w off its queue if pending, then wait for a
 * running instance to finish. Return: whether it was pending.
 */
bool cancel_work_sync(struct work_struct *w);

/* CPU 0's worker (kmain, after sched_init()). */
void workqueue_init(void);
/* Start @cpu's worker (sched_init_this_cpu() calls it on each AP). */
void workqueue_init_cpu(unsigned int cpu);

/* Works run so far by @cpu's worker (0 when it has none). */
unsigned long workqueue_nr_done(unsigned int cpu);

#endif /* KERNEL_WORKQUEUE_H */
