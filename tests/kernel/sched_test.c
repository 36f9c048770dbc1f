/*
 * Self-tests of kernel threads and the scheduler (suite sched): create,
 * exit and join with the exit code; stop; binding to a CPU; preemption at
 * the tick (the PIT's IRQ 0 as the tick, until the local APIC timer is
 * there); wait queues, completions, msleep; the workqueue and the deferred
 * work it now runs; "scheduling while atomic" reported; stacks given back
 * exactly, also after 64 threads and after allocation failures.
 *
 * Thread bodies record what they saw in static data and the test checks it
 * after the join: a KTEST_ASSERT from a thread would jump to the boot flow's
 * stack. Every wait is bounded (a hang detector, never a timing assertion).
 *
 * _kthread_overflow (only when named): a thread recursing into its guard
 * page; the kernel reports it by name and panics (tests/e2e/kthread_overflow.sh).
 */
#include "asm/io.h"
#include "asm/irqflags.h"
#include "asm/pic.h"
#include "asm/processor.h"
#include "debug/ktest.h"
#include "kernel/completion.h"
#include "kernel/deferred.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/wait.h"
#include "kernel/workqueue.h"
#include "lib/string.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define HANG_MS 20000 /* a bound for waits that should end in microseconds */

/* Wait (sleeping) until @p's state is @state; false after HANG_MS. */
static bool wait_for_state(struct task_struct *p, long state)
{
	for (int ms = 0; ms < HANG_MS; ms++) {
		if (READ_ONCE(p->state) == state)
			return true;
		msleep(1);
	}
	return false;
}

static int return_arg_times_3(void *arg)
{
	return (int)(long)arg * 3;
}

static int exit_from_nested_call(void *arg)
{
	kthread_exit(-1234);
}

KTEST(sched, kthread_create_exit_join_returns_code)
{
	struct task_struct *p = kthread_create(return_arg_times_3, (void *)14L, "t-%d", 7);

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_STREQ(t, p->comm, "t-7");
	KTEST_EXPECT_EQ(t, p->state, (long)TASK_NEW); /* created stopped */
	KTEST_EXPECT_TRUE(t, is_vmalloc_addr((void *)p->stack));
	KTEST_EXPECT_EQ(t, p->stack_end - p->stack, KTHREAD_STACK_SIZE);
	KTEST_EXPECT_NULL(t, vmalloc_to_page((void *)(p->stack - PAGE_SIZE))); /* guard below */
	KTEST_EXPECT_TRUE(t, wake_up_process(p));
	KTEST_EXPECT_EQ(t, kthread_join(p), 42);

	p = kthread_run(exit_from_nested_call, NULL, "exiter");
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, kthread_join(p), -1234);
}

static bool never_ran;

static int must_not_run(void *arg)
{
	never_ran = false;
	return 0;
}

/* kthread_stop() of a thread never woken: its function never runs. */
KTEST(sched, kthread_stop_unstarted_returns_eintr)
{
	struct task_struct *p = kthread_create(must_not_run, NULL, "unstarted");

	KTEST_ASSERT_NOT_NULL(t, p);
	never_ran = true;
	KTEST_EXPECT_EQ(t, kthread_join(p), -EINVAL); /* refused: it would never end */
	KTEST_EXPECT_EQ(t, kthread_stop(p), -EINTR);
	KTEST_EXPECT_TRUE(t, never_ran);
}

static unsigned long stop_loops;

static int sleep_until_stopped(void *arg)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		stop_loops++;
	}
	__set_current_state(TASK_RUNNING);
	return 77;
}

KTEST(sched, kthread_stop_wakes_a_sleeping_thread)
{
	struct task_struct *p = kthread_run(sleep_until_stopped, NULL, "stopme");

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_TRUE(t, wait_for_state(p, TASK_INTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, kthread_stop(p), 77);
}

static volatile unsigned int bound_cpu_seen;

static int record_cpu(void *arg)
{
	bound_cpu_seen = smp_processor_id();
	return current->cpu;
}

KTEST(sched, kthread_bind_runs_it_on_that_cpu)
{
	struct task_struct *p = kthread_create(record_cpu, NULL, "bound");
	unsigned int offline = NR_CPUS - 1;

	KTEST_ASSERT_NOT_NULL(t, p);
	if (!cpu_online(offline))
		KTEST_EXPECT_EQ(t, kthread_bind(p, offline), -EINVAL);
	if (!cpu_online(1)) { /* (num_online_cpus() needs libgcc's popcount: not linked) */
		KTEST_EXPECT_EQ(t, kthread_stop(p), -EINTR);
		KTEST_SKIP(t, "one CPU online: nothing to bind to but CPU 0");
	}
	KTEST_EXPECT_EQ(t, kthread_bind(p, 1), 0);
	bound_cpu_seen = ~0u;
	wake_up_process(p);
	KTEST_EXPECT_EQ(t, kthread_join(p), 1);
	KTEST_EXPECT_EQ(t, bound_cpu_seen, 1U);
	p = kthread_run(record_cpu, NULL, "started");
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, kthread_bind(p, 1), -EINVAL); /* too late */
	kthread_join(p);
}

/* ---- preemption at the tick: the PIT's IRQ 0 calls scheduler_tick() ---- */

#define PIT_CH0_DATA  0x40
#define PIT_MODE      0x43
#define PIT_CH0_RATE  0x34 /* channel 0, lobyte/hibyte, mode 2 (rate generator) */
#define PIT_TICKS_1MS 1193

static void pit_tick(struct pt_regs *regs)
{
	scheduler_tick();
}

static void pit_tick_start(void)
{
	outb(PIT_MODE, PIT_CH0_RATE);
	outb(PIT_CH0_DATA, PIT_TICKS_1MS & 0xff);
	outb(PIT_CH0_DATA, PIT_TICKS_1MS >> 8);
	irq_enable(0);
}

static void pit_tick_stop(void *unused)
{
	irq_disable(0);
	free_irq(0);
}

static volatile bool busy_started[2];

/*
 * Spin, never yielding, until the other busy thread has started: that can
 * only happen if the tick preempted this one (both are on this CPU).
 */
static int busy_until_other_ran(void *arg)
{
	long me = (long)arg;
	u64 end = sched_clock_ns() + (u64)HANG_MS * 1000000;

	busy_started[me] = true;
	while (!busy_started[!me])
		if (sched_clock_ns() > end)
			return -EBUSY;
	return 0;
}

KTEST(sched, preemption_lets_two_busy_threads_progress)
{
	struct sched_cpu_stats before = sched_cpu_stats(0), after;
	struct task_struct *a, *b;

	KTEST_ASSERT_EQ(t, request_irq(0, pit_tick), 0);
	ktest_defer(t, pit_tick_stop, NULL);
	busy_started[0] = busy_started[1] = false;
	a = kthread_create(busy_until_other_ran, (void *)0L, "busy-a");
	b = kthread_create(busy_until_other_ran, (void *)1L, "busy-b");
	KTEST_ASSERT_NOT_NULL(t, a);
	KTEST_ASSERT_NOT_NULL(t, b);
	KTEST_EXPECT_EQ(t, a->cpu, 0U);
	KTEST_EXPECT_EQ(t, b->cpu, 0U);
	pit_tick_start();
	wake_up_process(a);
	wake_up_process(b);
	KTEST_EXPECT_EQ(t, kthread_join(a), 0);
	KTEST_EXPECT_EQ(t, kthread_join(b), 0);
	ktest_release(t, pit_tick_stop, NULL);
	after = sched_cpu_stats(0);
	KTEST_EXPECT_GT(t, after.nr_preemptions, before.nr_preemptions);
	KTEST_EXPECT_GT(t, after.nr_ticks, before.nr_ticks);
}

/* ---- wait queues, completions, msleep ---- */

static DECLARE_WAIT_QUEUE_HEAD(test_wq);
static volatile bool wq_flag;

static int wait_for_flag(void *arg)
{
	wait_event(test_wq, READ_ONCE(wq_flag));
	return wq_flag ? 5 : -1;
}

KTEST(sched, wait_event_sleeps_until_wake_up)
{
	struct task_struct *p;

	wq_flag = false;
	p = kthread_run(wait_for_flag, NULL, "waiter");
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_TRUE(t, wait_for_state(p, TASK_UNINTERRUPTIBLE));
	KTEST_EXPECT_EQ(t, wake_up(&test_wq), 1U); /* spurious: the flag is still false */
	KTEST_EXPECT_TRUE(t, wait_for_state(p, TASK_UNINTERRUPTIBLE)); /* back asleep */
	WRITE_ONCE(wq_flag, true);
	KTEST_EXPECT_EQ(t, wake_up(&test_wq), 1U);
	KTEST_EXPECT_EQ(t, kthread_join(p), 5);
	KTEST_EXPECT_EQ(t, wake_up_all(&test_wq), 0U); /* nobody left on the queue */
}

static struct completion test_done;
static unsigned int completion_passes;

static int wait_for_test_done(void *arg)
{
	wait_for_completion(&test_done);
	completion_passes++;
	return 0;
}

KTEST(sched, completion_complete_one_complete_all_every_waiter)
{
	struct task_struct *p[3];

	init_completion(&test_done);
	completion_passes = 0;
	KTEST_EXPECT_EQ(t, wait_for_completion_timeout(&test_done, 2), 0L); /* nobody completes */
	for (int i = 0; i < 3; i++) {
		p[i] = kthread_run(wait_for_test_done, NULL, "cw%d", i);
		KTEST_ASSERT_NOT_NULL(t, p[i]);
	}
	for (int i = 0; i < 3; i++)
		KTEST_EXPECT_TRUE(t, wait_for_state(p[i], TASK_UNINTERRUPTIBLE));
	complete(&test_done); /* exactly one goes through */
	msleep(5);
	KTEST_EXPECT_EQ(t, completion_passes, 1U);
	complete_all(&test_done);
	for (int i = 0; i < 3; i++)
		kthread_join(p[i]);
	KTEST_EXPECT_EQ(t, completion_passes, 3U);
	KTEST_EXPECT_TRUE(t, try_wait_for_completion(&test_done)); /* stays done */
	reinit_completion(&test_done);
	KTEST_EXPECT_FALSE(t, try_wait_for_completion(&test_done));
	complete(&test_done);
	KTEST_EXPECT_GT(t, wait_for_completion_timeout(&test_done, 1000), 0L); /* banked pass */
}

static u64 thread_slept_ns;

static int sleep_25ms(void *arg)
{
	u64 t0 = sched_clock_ns();

	msleep(25);
	thread_slept_ns = sched_clock_ns() - t0;
	return 0;
}

KTEST(sched, msleep_sleeps_at_least_the_time)
{
	struct task_struct *p;
	u64 t0 = sched_clock_ns();

	msleep(20);
	KTEST_EXPECT_GE(t, sched_clock_ns() - t0, 20000000ULL);
	p = kthread_run(sleep_25ms, NULL, "sleeper");
	KTEST_ASSERT_NOT_NULL(t, p);
	kthread_join(p);
	KTEST_EXPECT_GE(t, thread_slept_ns, 25000000ULL);
}

/* ---- the workqueue ---- */

static volatile unsigned int work_runs;
static volatile bool work_in_kworker;
static struct completion work_gate;

static void slow_work_fn(struct work_struct *w)
{
	msleep(5);
	work_in_kworker = !strncmp(current->comm, "kworker/", 8);
	work_runs++;
}

static void gated_work_fn(struct work_struct *w)
{
	wait_for_completion(&work_gate);
}

KTEST(sched, workqueue_runs_work_and_flush_waits)
{
	static DECLARE_WORK(slow, slow_work_fn);
	static DECLARE_WORK(gate, gated_work_fn);
	static DECLARE_WORK(cancelled, slow_work_fn);

	work_runs = 0;
	work_in_kworker = false;
	KTEST_EXPECT_TRUE(t, queue_work(&slow));
	KTEST_EXPECT_FALSE(t, queue_work(&slow)); /* still pending */
	KTEST_EXPECT_TRUE(t, flush_work(&slow));
	KTEST_EXPECT_EQ(t, work_runs, 1U);
	KTEST_EXPECT_TRUE(t, work_in_kworker);
	KTEST_EXPECT_FALSE(t, work_pending(&slow));
	KTEST_EXPECT_FALSE(t, flush_work(&slow)); /* nothing to wait for */

	/* The worker is held by the gate: the next work stays pending, and is cancelled. */
	init_completion(&work_gate);
	KTEST_EXPECT_TRUE(t, queue_work(&gate));
	KTEST_EXPECT_TRUE(t, queue_work(&cancelled));
	KTEST_EXPECT_TRUE(t, cancel_work_sync(&cancelled));
	KTEST_EXPECT_FALSE(t, work_pending(&cancelled));
	complete(&work_gate);
	KTEST_EXPECT_TRUE(t, flush_work(&gate));
	KTEST_EXPECT_EQ(t, work_runs, 1U); /* the cancelled one never ran */
}

static volatile bool deferred_step_in_kworker;
static volatile unsigned int deferred_steps;

static bool two_steps(void)
{
	deferred_step_in_kworker = !strncmp(current->comm, "kworker/", 8);
	return ++deferred_steps < 2;
}

static struct deferred_work test_deferred = DEFERRED_WORK_INIT("sched_test", two_steps);

/* deferred_work_queue() work runs in a kworker without anyone calling deferred_work_run(). */
KTEST(sched, deferred_work_runs_in_a_kworker)
{
	deferred_steps = 0;
	deferred_step_in_kworker = false;
	deferred_work_queue(&test_deferred);
	for (int ms = 0; ms < HANG_MS && deferred_work_pending(&test_deferred); ms++)
		msleep(1);
	for (int ms = 0; ms < HANG_MS && deferred_steps < 2; ms++)
		msleep(1);
	KTEST_EXPECT_EQ(t, deferred_steps, 2U);
	KTEST_EXPECT_TRUE(t, deferred_step_in_kworker);
	KTEST_EXPECT_FALSE(t, deferred_work_pending(&test_deferred));
}

/* ---- sleeping where it may not ---- */

static DEFINE_SPINLOCK(atomic_test_lock);

KTEST(sched, scheduling_while_atomic_is_reported)
{
	unsigned long bugs = sched_atomic_bugs, mark = ktest_log_mark();

	preempt_disable();
	schedule();
	preempt_enable();
	KTEST_EXPECT_EQ(t, sched_atomic_bugs, bugs + 1);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "BUG: scheduling while atomic: init/1/0x1"));

	mark = ktest_log_mark();
	spin_lock(&atomic_test_lock);
	msleep(1); /* refused sleeps: it spins the millisecond instead */
	spin_unlock(&atomic_test_lock);
	KTEST_EXPECT_GT(t, sched_atomic_bugs, bugs + 1);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "(interrupts off)"));
	KTEST_EXPECT_EQ(t, current->state, (long)TASK_RUNNING);
}

/* ---- stacks and task structs given back ---- */

struct page_counts {
	unsigned long free, busy;
};

static struct page_counts page_counts_now(void)
{
	vm_unmap_aliases();
	return (struct page_counts){ nr_free_pages(), vmalloc_nr_busy() };
}

KTEST(sched, thread_stacks_freed_at_exit)
{
	struct page_counts before, after;
	struct task_struct *p;

	kthread_join(kthread_run(return_arg_times_3, NULL, "warmup")); /* slab, page tables */
	before = page_counts_now();
	p = kthread_run(return_arg_times_3, (void *)1L, "counted");
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), before.busy + 1);
	KTEST_EXPECT_EQ(t, kthread_join(p), 3);
	after = page_counts_now();
	KTEST_EXPECT_EQ(t, after.busy, before.busy);
	KTEST_EXPECT_EQ(t, after.free, before.free);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

#define MANY 64

KTEST(sched, many_threads_created_and_joined_exactly)
{
	static struct task_struct *p[MANY];
	struct page_counts before, after;
	long sum = 0;

	ktest_need_pages(t, MANY * (KTHREAD_STACK_SIZE / PAGE_SIZE + 2) + 64);
	for (int i = 0; i < MANY; i++) /* warm-up: the task slab and page tables for MANY stacks */
		p[i] = kthread_run(return_arg_times_3, (void *)(long)i, "many/%d", i);
	for (int i = 0; i < MANY; i++)
		if (p[i])
			kthread_join(p[i]);
	before = page_counts_now();
	for (int i = 0; i < MANY; i++)
		p[i] = kthread_run(return_arg_times_3, (void *)(long)i, "many/%d", i);
	for (int i = 0; i < MANY; i++) {
		KTEST_EXPECT_NOT_NULL(t, p[i]);
		if (p[i])
			sum += kthread_join(p[i]);
	}
	KTEST_EXPECT_EQ(t, sum, 3L * MANY * (MANY - 1) / 2);
	after = page_counts_now();
	KTEST_EXPECT_EQ(t, after.busy, before.busy);
	KTEST_EXPECT_EQ(t, after.free, before.free);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

static void fail_injection_off(void *unused)
{
	fail_page_alloc_set(0, 0);
	fail_slab_set(0, 0);
}

/* An allocation failure at any step of kthread_create() leaves nothing behind. */
KTEST(sched, kthread_create_failure_leaves_nothing)
{
	struct page_counts before, after;
	struct task_struct *p;

	kthread_join(kthread_run(return_arg_times_3, NULL, "warmup"));
	ktest_defer(t, fail_injection_off, NULL);
	before = page_counts_now();
	fail_slab_set(1, 1); /* the task struct */
	p = kthread_create(return_arg_times_3, NULL, "noslab");
	fail_injection_off(NULL);
	KTEST_EXPECT_NULL(t, p);
	fail_page_alloc_set(1, 1); /* the stack's first page */
	p = kthread_create(return_arg_times_3, NULL, "nopage");
	fail_injection_off(NULL);
	KTEST_EXPECT_NULL(t, p);
	after = page_counts_now();
	KTEST_EXPECT_EQ(t, after.busy, before.busy);
	KTEST_EXPECT_EQ(t, after.free, before.free);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	if (p)
		kthread_stop(p);
}

/* ---- a stack overflow in a thread (the kernel panics: tests/e2e) ---- */

static volatile unsigned long overflow_limit = ~0UL;

static __noinline unsigned long overflow_recurse(unsigned long n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	if (n >= overflow_limit)
		return 0;
	return overflow_recurse(n + 1) + pad[0];
}

static int overflow_thread(void *arg)
{
	return (int)overflow_recurse(0);
}

KTEST(_kthread_overflow, recursing_thread_is_caught_and_named)
{
	struct task_struct *p = kthread_run(overflow_thread, NULL, "overflow-test");

	KTEST_ASSERT_NOT_NULL(t, p);
	kthread_join(p);
	ktest_fail(t, __FILE__, __LINE__, "the overflowing thread came back");
}

/* ---- a measurement, not a test (only when named: ktest=_sched_cost) ---- */

#define PINGPONG_ROUNDS 20000

static int yield_rounds(void *arg)
{
	for (int i = 0; i < PINGPONG_ROUNDS; i++)
		yield();
	return 0;
}

/* Two threads yielding to each other: TSC time per switch (yield + switch + back). */
KTEST(_sched_cost, context_switch_ns)
{
	struct sched_cpu_stats s0 = sched_cpu_stats(0), s1;
	struct task_struct *a = kthread_create(yield_rounds, NULL, "ping");
	struct task_struct *b = kthread_create(yield_rounds, NULL, "pong");
	u64 t0;

	KTEST_ASSERT_NOT_NULL(t, a);
	KTEST_ASSERT_NOT_NULL(t, b);
	t0 = sched_clock_ns();
	wake_up_process(a);
	wake_up_process(b);
	kthread_join(a);
	kthread_join(b);
	t0 = sched_clock_ns() - t0;
	s1 = sched_cpu_stats(0);
	printk("    # context_switch_ns: %lu switches in %lu us: %lu ns per switch\n",
	       s1.nr_switches - s0.nr_switches, t0 / 1000,
	       t0 / (s1.nr_switches - s0.nr_switches + 1));
}

/*
 * For tests/e2e/gdb_ps.sh (boot with ktest=_gdb_ps): the thread "counted"
 * waits until its creator sleeps in kthread_join(), then calls
 * gdb_ps_stop(), where the debugger stops it. So contig-ps sees init asleep
 * (D) and "counted" running whatever the ticks did meanwhile: with
 * thread_stacks_freed_at_exit, a tick that preempted init before it
 * reached kthread_join() showed it runnable, and the scenario failed.
 */
static struct task_struct *gdb_ps_creator;

static __noinline int gdb_ps_stop(int v)
{
	barrier();
	return v * 3;
}

static int gdb_ps_thread(void *arg)
{
	wait_for_state(gdb_ps_creator, TASK_UNINTERRUPTIBLE);
	return gdb_ps_stop((int)(long)arg);
}

KTEST(_gdb_ps, counted_stops_with_its_creator_asleep)
{
	struct task_struct *p;

	gdb_ps_creator = current;
	p = kthread_run(gdb_ps_thread, (void *)1L, "counted");
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, kthread_join(p), 3);
}
