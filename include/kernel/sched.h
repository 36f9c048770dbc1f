/*
 * Kernel threads and the scheduler.
 *
 * Every flow of control is a struct task_struct. The boot flow becomes the
 * "init" thread (pid 1) at sched_init() and keeps the boot stack: the
 * self-tests, benchmarks and the console run in it, and may sleep like any
 * thread. Each CPU has an idle thread ("idle/N") that runs when nothing else
 * can and halts: CPU 0's gets a vmalloc'ed stack, an application processor's
 * is its boot flow (sched_init_this_cpu()). Other threads come from
 * kthread_create(), each on a 16 KiB vmalloc'ed stack with an unmapped page
 * below it, so that an overflow faults (Linux's VMAP_STACK).
 *
 * Each CPU has a run queue, round robin: a task stays on the CPU it was
 * created on or bound to (kthread_bind() before its first wake-up), and only
 * that CPU switches to it. Switches happen in schedule() (a sleep, a yield,
 * an exit) and when an interrupt returns to a preemptible context after the
 * tick (scheduler_tick()) or a wake-up asked for one (need_resched).
 * Preemption is off while this CPU's preempt count is not zero
 * (preempt_disable()) and while interrupts are off, which includes every
 * spinlock critical section; sleeping there is reported loudly as "BUG:
 * scheduling while atomic" and the call returns without sleeping.
 *
 * Sleeps with a timeout measure time with the TSC: the tick, the idle loop
 * and each schedule() wake the sleepers whose time has come.
 *
 * Lock legend: [R] the run queue lock of the task's CPU (task->cpu),
 * [T] tasks_lock (the list of every task), [C] only the task itself,
 * [I] set before the task first runs, then read-only.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "kernel/atomic.h"
#include "kernel/percpu.h"
#include "kernel/types.h"
#include "kernel/wait.h"
#include "lib/list.h"

#define TASK_COMM_LEN	   16
#define KTHREAD_STACK_SIZE (16UL << 10)

/* Task states ([R]; a task writes its own with set_current_state()). */
#define TASK_RUNNING	     0 /* running or on its run queue */
#define TASK_INTERRUPTIBLE   1 /* asleep; kthread_stop() and any wake-up end it */
#define TASK_UNINTERRUPTIBLE 2 /* asleep until the wake-up it waits for */
#define TASK_NEW	     3 /* created, never woken (kthread_create()) */
#define TASK_DEAD	     4 /* exited; kthread_join() collects it */

/* task->flags ([I]) */
#define PF_IDLE	      0x1u /* a CPU's idle thread: never on a run queue */
#define PF_INIT	      0x2u /* the boot flow */
#define PF_BOUND      0x4u /* kthread_bind() chose its CPU */
#define PF_VMAP_STACK 0x8u /* the stack is a vmalloc area of ours (freed at join) */

struct task_struct {
	unsigned long rsp; /* [C] saved stack pointer while switched out (switch.asm: offset 0) */
	int pid;	   /* [I] */
	unsigned int flags;
	char comm[TASK_COMM_LEN]; /* [I] name */
	long state;		  /* [R] TASK_* */
	unsigned int cpu;	  /* [I] the CPU it runs on (kthread_bind() before the first run) */
	bool on_rq;		  /* [R] on its CPU's queue (the running task is not) */
	struct list_head run_list;	  /* [R] on rq->queue */
	struct list_head sleep_list;	  /* [R] on rq->sleepers (schedule_timeout()) */
	u64 wake_at_ns;			  /* [R] when a timed sleep ends */
	unsigned long stack;		  /* [I] lowest address of the stack */
	unsigned long stack_end;	  /* [I] one past the highest */
	unsigned long nr_switches;	  /* [R] times switched to */
	int (*fn)(void *arg);		  /* [I] kthread body */
	void *arg;			  /* [I] */
	bool should_stop;		  /* kthread_stop() asked */
	bool exited;			  /* [W of exit_wait] it has left the CPU for good */
	int exit_code;			  /* [C] until exited */
	struct wait_queue_head exit_wait; /* kthread_join() sleeps here */
	struct list_head tasks;		  /* [T] every task */
	const void *creator;		  /* [I] who called kthread_create() */
};

DECLARE_PER_CPU(struct task_struct *, current_task);
DECLARE_PER_CPU(unsigned int, preempt_count_pcpu);
DECLARE_PER_CPU(unsigned int, need_resched_pcpu);

/* The task running on this CPU; NULL before sched_init(). */
#define current this_cpu_read(current_task)

/* [T] every task, in creation order, for ps and the GDB helpers */
extern struct list_head task_list;
extern struct spinlock tasks_lock;
extern struct task_struct init_task;
/* Times schedule() was called where it may not sleep (reported "BUG: scheduling while atomic"). */
extern unsigned long sched_atomic_bugs;

/* ---- boot ---- */

/*
 * sched_init - the boot flow becomes "init" (pid 1) on CPU 0, and CPU 0
 * gets its idle thread. Context: boot CPU, after vmalloc_init(); panics
 * when there is no memory for the idle thread.
 */
void sched_init(void);
/*
 * sched_init_this_cpu - on an application processor, after set_cpu_online():
 * its run queue, and its boot flow becomes its idle thread "idle/N"; starts
 * its kworker. Then call cpu_idle_loop().
 */
void sched_init_this_cpu(void);
/* The idle thread's loop: run what is runnable, else halt. Never returns. */
void __noreturn cpu_idle_loop(void);

/* ---- switching ---- */

/*
 * schedule - give the CPU to the next runnable task; current keeps it only
 * if it is still TASK_RUNNING and nothing else is runnable.
 *  => Context: may sleep. With preemption disabled or interrupts off (a
 *     spinlock held) it reports "BUG: scheduling while atomic", sets
 *     current TASK_RUNNING and returns at once.
 */
void schedule(void);
/* Let the other runnable tasks of this CPU run first. */
void yield(void);
/* yield() when the tick asked for it (long loops in threads call it). */
void cond_resched(void);

/*
 * schedule_timeout - sleep in the state current has set until woken or
 * @ms milliseconds have passed (MAX_SCHEDULE_TIMEOUT: no limit).
 * Return: the milliseconds left, 0 when the time ran out.
 */
#define MAX_SCHEDULE_TIMEOUT ((long)(~0UL >> 1))
long schedule_timeout(long ms);
/* Sleep at least @ms milliseconds. May sleep. */
void msleep(unsigned int ms);

/* This CPU's number; 0 before sched_init() (out of line, for code the host tests build). */
unsigned int sched_cpu(void);

/* Nanoseconds of the TSC clock that timed sleeps use. */
u64 sched_clock_ns(void);

/*
 * wake_up_process - make @p runnable on its CPU's queue (and start a
 * thread that kthread_create() left stopped)
 *  => Any context. Return: true when @p was asleep or new.
 *  => A remote idle CPU is kicked with smp_send_reschedule().
 */
bool wake_up_process(struct task_struct *p);
/* Interrupt @cpu so that it looks at its run queue: the reschedule IPI
 * (arch/x86/kernel/ipi.c). Any context; does not wait. */
void smp_send_reschedule(unsigned int cpu);

/*
 * scheduler_tick - the timer interrupt's call, on every CPU: wakes timed
 * sleepers and asks for preemption when another task is runnable.
 * Context: interrupt, interrupts off.
 */
void scheduler_tick(void);
/*
 * sched_irq_return - from the interrupt return path, when the interrupted
 * context had interrupts on: switch if need_resched is set and preemption
 * is allowed. Context: interrupts off, outermost interrupt.
 */
void sched_irq_return(void);

/* Does this CPU's queue hold a task waiting for the CPU (a poller should yield)? */
bool sched_runnable_waiting(void);

#define set_current_state(s)                     \
	do {                                     \
		WRITE_ONCE(current->state, (s)); \
		smp_mb();                        \
	} while (0)
#define __set_current_state(s) WRITE_ONCE(current->state, (s))

/* ---- preemption ---- */

static inline unsigned int preempt_count(void)
{
	return this_cpu_read(preempt_count_pcpu);
}

static inline void preempt_disable(void)
{
	this_cpu_inc(preempt_count_pcpu);
	barrier();
}

/* Re-enable preemption; switch now if the tick asked for it meanwhile. */
void preempt_enable(void);
/* As preempt_enable(), never switching (the pending request waits). */
static inline void preempt_enable_no_resched(void)
{
	barrier();
	this_cpu_dec(preempt_count_pcpu);
}

/* ---- kernel threads ---- */

/*
 * kthread_create - a new thread that will run @fn(@arg), created stopped
 * (TASK_NEW) on this CPU; wake_up_process() starts it.
 *  => @namefmt: printf format of its name (truncated to 15 characters).
 *  => Its stack: KTHREAD_STACK_SIZE from vmalloc, the page below unmapped.
 *  => Return: the task, or NULL when memory ran out (nothing left behind).
 *  => The thread ends when @fn returns (its value is the exit code) or it
 *     calls kthread_exit(). Every thread must be collected once, by
 *     kthread_join() or kthread_stop(): that frees its stack and task.
 */
struct task_struct *kthread_create(int (*fn)(void *arg), void *arg, const char *namefmt, ...)
	__printf(3, 4);
/* kthread_create() then wake_up_process(). */
#define kthread_run(fn, arg, ...)                                               \
	({                                                                      \
		struct task_struct *__k = kthread_create(fn, arg, __VA_ARGS__); \
		if (__k)                                                        \
			wake_up_process(__k);                                   \
		__k;                                                            \
	})
/*
 * kthread_bind - run @p on @cpu. Only before its first wake-up, and @cpu
 * must be online. Return: 0, or -EINVAL with a message.
 */
int kthread_bind(struct task_struct *p, unsigned int cpu);
/* For the thread itself: has kthread_stop() been called on it? */
bool kthread_should_stop(void);
/*
 * kthread_stop - ask @p to stop, wake it, and collect it (kthread_join()).
 * A thread never woken does not run @fn at all and exits with -EINTR.
 * Return: its exit code. May sleep.
 */
int kthread_stop(struct task_struct *p);
/*
 * kthread_join - wait for @p to end, free its stack and task.
 * Return: its exit code (-EINVAL for a thread never started or current).
 * May sleep. Once per thread.
 */
int kthread_join(struct task_struct *p);
/* End the calling thread with @code. Not for init or an idle thread. */
void __noreturn kthread_exit(int code);

/* ---- for the exception path and the tools ---- */

/* Is this the boot flow (or is the scheduler not up yet)? The self-test hooks only act there. */
bool in_boot_thread(void);
/* Is [@p, @p+16) on current's stack (for frame-pointer backtraces)? */
bool on_current_stack(unsigned long p);
/*
 * sched_report_stack_overflow - from the double fault handler: if @rsp or
 * @cr2 lies in the unmapped page below current's stack, print which thread
 * overflowed, on which CPU, its stack's area and where. Return: whether it did.
 */
bool sched_report_stack_overflow(unsigned long rsp, unsigned long cr2);

/* One task as ps shows it. */
struct task_info {
	int pid;
	char comm[TASK_COMM_LEN];
	char state; /* R running, r runnable, I idle (not running), S/D asleep, N new, X dead */
	unsigned int cpu;
	unsigned long stack, stack_end;
	unsigned long nr_switches;
};
/* Copy up to @max tasks, in creation order. Return: how many tasks there are. */
unsigned int sched_task_snapshot(struct task_info *out, unsigned int max);
/* This CPU's context switches, ticks and preemptions so far. */
struct sched_cpu_stats {
	unsigned long nr_switches, nr_ticks, nr_preemptions;
};
struct sched_cpu_stats sched_cpu_stats(unsigned int cpu);

#endif /* KERNEL_SCHED_H */
