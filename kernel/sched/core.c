/*
 * The scheduler (include/kernel/sched.h): per-CPU run queues, round robin,
 * the switch, preemption at an interrupt's return, timed sleeps, the idle
 * loop.
 *
 * A task is on exactly one of: its CPU's queue (runnable), that CPU
 * (rq->curr), or nowhere (asleep, new, dead; a timed sleeper is also on
 * rq->sleepers). Only the task's own CPU takes it off the queue to run it,
 * so a task that another CPU wakes while it is still switching out cannot
 * run anywhere before its registers are saved. The switch runs with
 * interrupts off but without the run queue lock: nothing else can pick the
 * tasks involved.
 *
 * Lock order: a wait queue's lock, then a run queue's lock; the run queue
 * lock is taken with interrupts off (the tick takes it).
 */
#include "asm/apic_timer.h"
#include "kernel/sched.h"

#include "asm/irqflags.h"
#include "asm/processor.h"
#include "asm/traps.h"
#include "asm/tsc.h"
#include "kernel/deferred.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched/internal.h"
#include "lib/ratelimit.h"
#include "lib/string.h"

DEFINE_PER_CPU(struct task_struct *, current_task);
DEFINE_PER_CPU(unsigned int, preempt_count_pcpu);
DEFINE_PER_CPU(unsigned int, need_resched_pcpu);
DEFINE_PER_CPU(struct rq, runqueues);

unsigned long sched_atomic_bugs;
static struct ratelimit_state sched_atomic_rs =
	RATELIMIT_STATE_INIT(DEFAULT_RATELIMIT_INTERVAL_NS, DEFAULT_RATELIMIT_BURST);

static struct rq *this_rq(void)
{
	return this_cpu_ptr(&runqueues);
}

unsigned int sched_cpu(void)
{
	return current ? smp_processor_id() : 0;
}

u64 sched_clock_ns(void)
{
	return tsc_cycles_to_ns(rdtsc());
}

void rq_init(struct rq *rq, unsigned int cpu)
{
	memset(rq, 0, sizeof(*rq));
	spin_lock_init(&rq->lock, cpu ? "rq" : "rq0");
	INIT_LIST_HEAD(&rq->queue);
	INIT_LIST_HEAD(&rq->sleepers);
}

static void enqueue_task_locked(struct rq *rq, struct task_struct *p)
{
	assert_held(&rq->lock);
	list_add_tail(&p->run_list, &rq->queue);
	p->on_rq = true;
	rq->nr_queued++;
}

static struct task_struct *pick_next_task_locked(struct rq *rq)
{
	struct task_struct *p;

	assert_held(&rq->lock);
	if (list_empty(&rq->queue))
		return rq->idle;
	p = list_first_entry(&rq->queue, struct task_struct, run_list);
	list_del_init(&p->run_list);
	p->on_rq = false;
	rq->nr_queued--;
	return p;
}

/* Make @p runnable. Return: whether it was asleep or new. */
static bool try_to_wake_up_locked(struct rq *rq, struct task_struct *p)
{
	long state = READ_ONCE(p->state);

	assert_held(&rq->lock);
	if (state == TASK_RUNNING || state == TASK_DEAD)
		return false;
	WRITE_ONCE(p->state, TASK_RUNNING);
	if (!list_empty(&p->sleep_list))
		list_del_init(&p->sleep_list);
	if (!p->on_rq && rq->curr != p)
		enqueue_task_locked(rq, p);
	return true;
}

/* Wake the timed sleepers whose time has come. */
static void wake_expired_locked(struct rq *rq, u64 now)
{
	struct task_struct *p, *n;

	assert_held(&rq->lock);
	list_for_each_entry_safe(p, n, &rq->sleepers, sleep_list)
		if (p->wake_at_ns <= now)
			try_to_wake_up_locked(rq, p);
}

bool wake_up_process(struct task_struct *p)
{
	struct rq *rq = task_rq(p);
	bool woken, kick = false;

	spin_lock(&rq->lock);
	woken = try_to_wake_up_locked(rq, p);
	/* An idle CPU switches at its next interrupt's return (this one's, if it is ours). */
	if (woken && rq->curr == rq->idle) {
		per_cpu(need_resched_pcpu, p->cpu) = 1;
		kick = p->cpu != sched_cpu();
	}
	spin_unlock(&rq->lock);
	if (kick)
		smp_send_reschedule(p->cpu);
	return woken;
}

/*
 * After the switch, on the new task's stack: a dead previous task has left
 * its stack for good, so its joiner may free it. exited is set under the
 * exit queue's lock, and the joiner takes that lock before freeing, so the
 * struct outlives this wake-up.
 */
void finish_task_switch(struct task_struct *prev)
{
	if (READ_ONCE(prev->state) != TASK_DEAD)
		return;
	spin_lock(&prev->exit_wait.lock);
	prev->exited = true;
	wake_up_all_locked(&prev->exit_wait);
	spin_unlock(&prev->exit_wait.lock);
}

/*
 * The switch. @preempt: current is being preempted, so it stays runnable
 * whatever state it set (it was about to test a condition, not asleep).
 */
void __schedule(bool preempt)
{
	struct task_struct *prev = current, *next;
	unsigned long flags;
	struct rq *rq;

	BUILD_BUG_ON(__builtin_offsetof(struct task_struct, rsp) != 0);
	local_irq_save(flags);
	rq = this_rq();
	spin_lock(&rq->lock);
	this_cpu_write(need_resched_pcpu, 0);
	wake_expired_locked(rq, sched_clock_ns());
	if ((preempt || READ_ONCE(prev->state) == TASK_RUNNING) && !(prev->flags & PF_IDLE) &&
	    !prev->on_rq)
		enqueue_task_locked(rq, prev);
	next = pick_next_task_locked(rq);
	if (next == prev) {
		spin_unlock(&rq->lock);
		local_irq_restore(flags);
		return;
	}
	rq->curr = next;
	rq->nr_switches++;
	next->nr_switches++;
	if (preempt)
		rq->nr_preemptions++;
	spin_unlock(&rq->lock); /* interrupts stay off: they were off when it was taken */
	this_cpu_write(current_task, next);
	prev = __switch_to_asm(prev, next);
	finish_task_switch(prev);
	local_irq_restore(flags);
}

/* May current sleep here? If not, say so loudly (rate-limited) and keep it running. */
static bool sched_may_sleep(void)
{
	struct task_struct *p = current;
	unsigned int suppressed;

	if (!p)
		return false;
	if (!preempt_count() && !irqs_disabled())
		return true;
	sched_atomic_bugs++;
	if (ratelimit_at(&sched_atomic_rs, sched_clock_ns() + 1, &suppressed)) {
		if (suppressed)
			printk(KERN_ERR "sched: %u 'scheduling while atomic' reports suppressed\n",
			       suppressed);
		printk(KERN_ERR "BUG: scheduling while atomic: %s/%d/%#x on CPU %u%s\n", p->comm,
		       p->pid, preempt_count(), smp_processor_id(),
		       irqs_disabled() ? " (interrupts off)" : "");
		dump_stack();
	}
	__set_current_state(TASK_RUNNING);
	return false;
}

void schedule(void)
{
	if (sched_may_sleep())
		__schedule(false);
}

void yield(void)
{
	__set_current_state(TASK_RUNNING);
	schedule();
}

void cond_resched(void)
{
	if (this_cpu_read(need_resched_pcpu) && !preempt_count() && !irqs_disabled())
		yield();
}

void preempt_enable(void)
{
	barrier();
	this_cpu_dec(preempt_count_pcpu);
	if (!preempt_count() && this_cpu_read(need_resched_pcpu) && !irqs_disabled() && current)
		__schedule(true);
}

bool sched_runnable_waiting(void)
{
	struct rq *rq = this_rq();

	return rq->ready && READ_ONCE(rq->nr_queued) != 0;
}

void scheduler_tick(void)
{
	struct rq *rq = this_rq();

	if (!rq->ready)
		return;
	spin_lock(&rq->lock);
	rq->nr_ticks++;
	wake_expired_locked(rq, sched_clock_ns());
	if (rq->nr_queued)
		this_cpu_write(need_resched_pcpu, 1);
	spin_unlock(&rq->lock);
}

void sched_irq_return(void)
{
	if (!this_cpu_read(need_resched_pcpu) || preempt_count() || !current || !this_rq()->ready)
		return;
	__schedule(true);
}

/* ---- timed sleeps ---- */

long schedule_timeout(long ms)
{
	struct task_struct *p = current;
	struct rq *rq = this_rq();
	u64 now = sched_clock_ns(), end;
	unsigned long flags;

	if (ms == MAX_SCHEDULE_TIMEOUT) {
		schedule();
		return ms;
	}
	if (!p)
		return 0; /* before sched_init(): nothing to switch to */
	if (ms <= 0) {
		__set_current_state(TASK_RUNNING);
		return 0;
	}
	end = now + (u64)ms * 1000000;
	local_irq_save(flags);
	spin_lock(&rq->lock);
	p->wake_at_ns = end;
	list_add_tail(&p->sleep_list, &rq->sleepers);
	spin_unlock(&rq->lock);
	local_irq_restore(flags);
	schedule();
	local_irq_save(flags);
	spin_lock(&rq->lock);
	if (!list_empty(&p->sleep_list))
		list_del_init(&p->sleep_list);
	spin_unlock(&rq->lock);
	local_irq_restore(flags);
	now = sched_clock_ns();
	return now >= end ? 0 : (long)DIV_ROUND_UP(end - now, 1000000);
}

void msleep(unsigned int ms)
{
	u64 end = sched_clock_ns() + (u64)ms * 1000000, now;

	if (!current) { /* before sched_init(): spin the time */
		while (sched_clock_ns() < end)
			cpu_relax();
		return;
	}
	/* schedule_timeout() may return early (a wake-up, an atomic caller): sleep the rest. */
	while ((now = sched_clock_ns()) < end) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_timeout((long)DIV_ROUND_UP(end - now, 1000000));
	}
	__set_current_state(TASK_RUNNING);
}

/* ---- idle ---- */

/*
 * Halt when there is nothing to run, no deferred work this CPU queued (its
 * kworker takes it: deferred_work_idle()) and no timed sleeper; "sti; hlt"
 * enables interrupts only once hlt has begun, so a wake-up from an
 * interrupt between the test and hlt still ends the halt. Timed sleepers
 * are woken by the tick; on a CPU without one the loop polls the clock
 * instead, since nothing else would end the halt when their time comes.
 */
void __noreturn cpu_idle_loop(void)
{
	struct rq *rq = this_rq();

	for (;;) {
		local_irq_disable();
		if (READ_ONCE(rq->nr_queued) || this_cpu_read(need_resched_pcpu) ||
		    deferred_work_idle()) {
			local_irq_enable();
			__schedule(false);
			continue;
		}
		if (!list_empty(&rq->sleepers) && !apic_timer_running(sched_cpu())) {
			spin_lock(&rq->lock);
			wake_expired_locked(rq, sched_clock_ns());
			spin_unlock(&rq->lock);
			local_irq_enable();
			cpu_relax();
			continue;
		}
		__asm__ __volatile__("sti; hlt" ::: "memory");
	}
}

/* ---- boot ---- */

void sched_init(void)
{
	struct rq *rq = cpu_rq(0);
	struct task_struct *idle;

	rq_init(rq, 0);
	task_list_add(&init_task);
	rq->curr = &init_task;
	this_cpu_write(current_task, &init_task);
	idle = idle_task_create(0);
	if (!idle)
		panic("sched_init: no memory for CPU 0's idle thread");
	rq->idle = idle;
	rq->ready = true;
	/* init is a thread like the others from here: it may sleep, so interrupts go on. */
	local_irq_enable();
	pr_info("sched: init is pid %d on the boot stack [%#lx-%#lx), idle/0 pid %d\n",
		init_task.pid, init_task.stack, init_task.stack_end, idle->pid);
}

struct sched_cpu_stats sched_cpu_stats(unsigned int cpu)
{
	struct sched_cpu_stats s = { 0, 0, 0 };
	struct rq *rq;

	if (!cpu_online(cpu))
		return s;
	rq = cpu_rq(cpu);
	s.nr_switches = READ_ONCE(rq->nr_switches);
	s.nr_ticks = READ_ONCE(rq->nr_ticks);
	s.nr_preemptions = READ_ONCE(rq->nr_preemptions);
	return s;
}
