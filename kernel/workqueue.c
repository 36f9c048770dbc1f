/*
 * The workqueue (include/kernel/workqueue.h): one pool per CPU, each a
 * list of pending work and one worker thread bound to the CPU that runs
 * them in order. A work item leaves the list (and stops being pending)
 * just before its function runs, so it can be queued again from there.
 *
 * [P] pool->lock, interrupts off: queue_work() may come from interrupts.
 * Lock order: pool->lock, then a run queue's (waking the worker).
 */
#include "kernel/workqueue.h"

#include "kernel/atomic.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/wait.h"

struct worker_pool {
	struct spinlock lock;
	struct list_head worklist;	  /* [P] pending work, oldest first */
	struct work_struct *current_work; /* [P] running now */
	struct task_struct *worker;	  /* [I] kworker/N */
	unsigned long nr_done;		  /* [P] */
	struct wait_queue_head done_wait; /* flush_work() sleeps here */
	bool ready;			  /* [I] the worker exists */
};

static struct worker_pool pools[NR_CPUS];

bool work_pending(const struct work_struct *w)
{
	return test_bit(WORK_PENDING_BIT, &w->flags);
}

static int worker_thread(void *arg)
{
	struct worker_pool *pool = arg;
	struct work_struct *w;

	for (;;) {
		spin_lock(&pool->lock);
		if (list_empty(&pool->worklist)) {
			set_current_state(TASK_INTERRUPTIBLE);
			spin_unlock(&pool->lock);
			if (kthread_should_stop())
				break;
			schedule();
			continue;
		}
		w = list_first_entry(&pool->worklist, struct work_struct, entry);
		list_del_init(&w->entry);
		clear_bit(WORK_PENDING_BIT, &w->flags);
		pool->current_work = w;
		spin_unlock(&pool->lock);

		w->func(w);

		spin_lock(&pool->lock);
		pool->current_work = NULL;
		pool->nr_done++;
		spin_unlock(&pool->lock);
		wake_up_all(&pool->done_wait);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

bool queue_work_on(unsigned int cpu, struct work_struct *w)
{
	struct worker_pool *pool;

	if (cpu >= NR_CPUS || !smp_load_acquire(&pools[cpu].ready)) {
		if (cpu >= NR_CPUS || cpu_online(cpu))
			pr_err("queue_work_on: CPU %u has no worker (work %ps)\n", cpu, w->func);
		return false;
	}
	if (test_and_set_bit(WORK_PENDING_BIT, &w->flags))
		return false;
	pool = &pools[cpu];
	spin_lock(&pool->lock);
	w->pool = pool;
	list_add_tail(&w->entry, &pool->worklist);
	spin_unlock(&pool->lock);
	wake_up_process(pool->worker);
	return true;
}

bool queue_work(struct work_struct *w)
{
	unsigned int cpu = current ? smp_processor_id() : 0;

	if (!smp_load_acquire(&pools[cpu].ready))
		cpu = 0;
	if (!smp_load_acquire(&pools[cpu].ready))
		return false; /* before workqueue_init(): the caller's own fallback runs it */
	return queue_work_on(cpu, w);
}

/* Is @w queued on or running in @pool? */
static bool work_busy(struct worker_pool *pool, struct work_struct *w)
{
	bool busy;

	spin_lock(&pool->lock);
	busy = pool->current_work == w || (w->pool == pool && !list_empty(&w->entry));
	spin_unlock(&pool->lock);
	return busy;
}

bool flush_work(struct work_struct *w)
{
	struct worker_pool *pool = READ_ONCE(w->pool);

	if (!pool || !work_busy(pool, w))
		return false;
	if (WARN(current == pool->worker, "flush_work: %ps flushed from its own worker", w->func))
		return false;
	wait_event(pool->done_wait, !work_busy(pool, w));
	return true;
}

bool cancel_work_sync(struct work_struct *w)
{
	struct worker_pool *pool = READ_ONCE(w->pool);
	bool was_pending = false;

	if (!pool)
		return false;
	spin_lock(&pool->lock);
	if (!list_empty(&w->entry)) {
		list_del_init(&w->entry);
		clear_bit(WORK_PENDING_BIT, &w->flags);
		was_pending = true;
	}
	spin_unlock(&pool->lock);
	if (current != pool->worker)
		wait_event(pool->done_wait, READ_ONCE(pool->current_work) != w);
	return was_pending;
}

void workqueue_init_cpu(unsigned int cpu)
{
	struct worker_pool *pool = &pools[cpu];
	struct task_struct *t;

	spin_lock_init(&pool->lock, "worker_pool");
	INIT_LIST_HEAD(&pool->worklist);
	init_waitqueue_head(&pool->done_wait, "work_done");
	t = kthread_create(worker_thread, pool, "kworker/%u", cpu);
	if (!t || kthread_bind(t, cpu)) {
		pr_err("workqueue: no worker for CPU %u\n", cpu);
		if (t)
			kthread_stop(t);
		return;
	}
	pool->worker = t;
	smp_store_release(&pool->ready, true);
	wake_up_process(t);
}

void workqueue_init(void)
{
	workqueue_init_cpu(0);
}

unsigned long workqueue_nr_done(unsigned int cpu)
{
	return cpu < NR_CPUS ? READ_ONCE(pools[cpu].nr_done) : 0;
}
