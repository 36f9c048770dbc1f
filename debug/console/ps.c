/*
 * ps: every thread, one line each, from a snapshot taken under tasks_lock
 * (printing happens after it is released):
 *
 *	  PID NAME             S CPU STACK                                 SWITCHES
 *	    1 init             R   0 ffffffff80123000-ffffffff80127000            4
 *
 * S: R running, r runnable, I an idle thread not running, S/D asleep, N created and not started, X dead
 * and not yet joined. STACK is [start, end) of the thread's stack (a
 * vmalloc area for kernel threads, the boot stack for init). SWITCHES counts
 * the times the scheduler switched to it. The same format as contig-ps.
 */
#include "debug/console/internal.h"
#include "kernel/sched.h"
#include "kernel/smp.h"

#define PS_MAX 128 /* lines shown; the rest are counted */

static struct task_info ps_snap[PS_MAX];

static int cmd_ps(int argc, char **argv)
{
	unsigned int n = sched_task_snapshot(ps_snap, PS_MAX), cpu;

	con_printf("  PID NAME             S CPU STACK                                 SWITCHES\n");
	for (unsigned int i = 0; i < n && i < PS_MAX; i++) {
		const struct task_info *ti = &ps_snap[i];

		con_printf("%5d %-16s %c %3u %016lx-%016lx %8lu\n", ti->pid, ti->comm, ti->state,
			   ti->cpu, ti->stack, ti->stack_end, ti->nr_switches);
	}
	if (n > PS_MAX)
		con_printf("(%u more threads not shown)\n", n - PS_MAX);
	for_each_online_cpu(cpu)
	{
		struct sched_cpu_stats s = sched_cpu_stats(cpu);

		con_printf("CPU %u: %lu context switches, %lu preemptions, %lu ticks\n", cpu,
			   s.nr_switches, s.nr_preemptions, s.nr_ticks);
	}
	return 0;
}
CONSOLE_CMD(
	ps, "", "every thread: pid, name, state, CPU, stack area, context switches", cmd_ps,
	.details =
		"S: R running, r runnable, I idle, S/D asleep, N not started, X dead (not joined).");
