/*
 * What the files of kernel/sched/ share and nobody else may use: the run
 * queue, the switch, and the task bookkeeping of kthread.c.
 */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H

#include "kernel/sched.h"
#include "kernel/smp.h"

/*
 * One CPU's run queue. Only its CPU switches to the tasks on it; other
 * CPUs only add to it (wake_up_process()). [R] lock; [I] set by the CPU's
 * sched init.
 */
struct rq {
	struct spinlock lock;
	struct list_head queue;	      /* [R] runnable tasks, not running, round-robin order */
	struct list_head sleepers;    /* [R] tasks in schedule_timeout() */
	struct task_struct *curr;     /* [R] running now */
	struct task_struct *idle;     /* [I] */
	unsigned int nr_queued;	      /* [R] length of queue */
	unsigned long nr_switches;    /* [R] */
	unsigned long nr_ticks;	      /* [R] scheduler_tick() calls */
	unsigned long nr_preemptions; /* [R] switches at an interrupt's return */
	bool ready;		      /* [I] the CPU schedules */
};

DECLARE_PER_CPU(struct rq, runqueues);

static inline struct rq *cpu_rq(unsigned int cpu)
{
	return per_cpu_ptr(&runqueues, cpu);
}

static inline struct rq *task_rq(const struct task_struct *p)
{
	return cpu_rq(p->cpu);
}

/* switch.asm: save prev's callee-saved registers and rsp, load next's; returns prev. */
struct task_struct *__switch_to_asm(struct task_struct *prev, struct task_struct *next);
/* switch.asm: where a new thread's first switch returns to; calls kthread_entry(prev). */
void kthread_start_asm(void);
void __noreturn kthread_entry(struct task_struct *prev);

/* core.c */
void rq_init(struct rq *rq, unsigned int cpu);
void finish_task_switch(struct task_struct *prev);
void __schedule(bool preempt);

/* kthread.c */
int sched_new_pid(void);
void task_list_add(struct task_struct *p);
struct task_struct *idle_task_create(unsigned int cpu);

#endif /* KERNEL_SCHED_INTERNAL_H */
