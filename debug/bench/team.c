/*
 * A scenario's timed step on a team of threads, one bound to each of the
 * first bench_threads online CPUs and released together: make bench at
 * SMP > 1, after the threads=N mode of make bench-linux's module.
 *
 * Each member works on its own copy of the scenario's context (the areas
 * the scenario holds are shared, its random sequence restarts from
 * BENCH_SEED in every member), and does the same loop as a 1-thread run.
 * The repetition is timed on the calling CPU from the release to the last
 * member's end plus the purge of the lazy areas (vm_unmap_aliases()), so
 * the figure per operation is the team's wall time over one member's loops:
 * with perfect scaling it equals the 1-thread figure. Thread creation, the
 * wait until every member is ready and the joins are outside the timing.
 */
#include "internal.h"

#include "kernel/atomic.h"
#include "kernel/completion.h"
#include "kernel/errno.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "mm/vmalloc.h"

unsigned int bench_threads = 1;

struct team_member {
	struct bench_ctx ctx;
	int (*step)(struct bench_ctx *ctx);
	int err;
};

static struct team_member team_members[NR_CPUS];
static struct task_struct *team_tasks[NR_CPUS];
static struct completion team_go, team_done;
static atomic_t team_ready, team_left;

static int team_thread(void *arg)
{
	struct team_member *m = arg;

	atomic_inc(&team_ready);
	wait_for_completion(&team_go);
	m->err = m->step(&m->ctx);
	if (atomic_dec_and_test(&team_left))
		complete(&team_done);
	return 0;
}

/* Create (not wake) up to @n members bound to the first online CPUs; returns how many. */
static unsigned int team_create(const struct bench_ctx *ctx, int (*step)(struct bench_ctx *ctx),
				unsigned int n)
{
	unsigned int cpu, made = 0;

	for_each_online_cpu(cpu)
	{
		struct team_member *m = &team_members[made];

		if (made == n)
			break;
		m->ctx = *ctx;
		m->ctx.nr_pages = 0;
		m->ctx.nr_frees = 0;
		rnd_seed(&m->ctx.rng, BENCH_SEED);
		m->step = step;
		m->err = 0;
		team_tasks[made] = kthread_create(team_thread, m, "bench/%u", cpu);
		if (!team_tasks[made])
			break;
		if (kthread_bind(team_tasks[made], cpu)) {
			kthread_stop(team_tasks[made]); /* never woken: it exits at once */
			break;
		}
		made++;
	}
	return made;
}

/* Release the woken members, wait for the last; the TSC cycles, purge included. */
static u64 team_time(struct bench_ctx *ctx)
{
	u64 t0;

	while ((unsigned int)atomic_read(&team_ready) < bench_threads)
		msleep(1);
	t0 = rdtsc_ordered();
	complete_all(&team_go);
	wait_for_completion(&team_done);
	ctx->lazy_end += vmalloc_stats.lazy_pages;
	vm_unmap_aliases();
	return rdtsc_ordered() - t0;
}

int bench_team_rep(struct bench_ctx *ctx, int (*step)(struct bench_ctx *ctx), u64 *cyc)
{
	unsigned int n = bench_threads, made;
	int err = 0;

	init_completion(&team_go);
	init_completion(&team_done);
	atomic_set(&team_ready, 0);
	atomic_set(&team_left, (int)n);
	made = team_create(ctx, step, n);
	if (made < n) {
		pr_err("bench: could not start thread %u of %u\n", made, n);
		for (unsigned int i = 0; i < made; i++)
			kthread_stop(team_tasks[i]);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++)
		wake_up_process(team_tasks[i]);
	*cyc = team_time(ctx);
	for (unsigned int i = 0; i < n; i++) {
		kthread_join(team_tasks[i]);
		ctx->nr_frees += team_members[i].ctx.nr_frees;
		err = err ? err : team_members[i].err;
	}
	ctx->nr_pages += team_members[0].ctx.nr_pages;
	vm_unmap_aliases(); /* the stacks the joins freed are not the next repetition's work */
	return err;
}
