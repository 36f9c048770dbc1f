// SPDX-License-Identifier: GPL-2.0
/*
 * contig_bench: Contig's vmalloc scenarios (debug/bench/scenarios.c) timed
 * on Linux, for `make bench-linux`. Written for Contig, not taken from
 * Linux: the same table of scenarios with the same sizes, loop counts and
 * seed, one byte written per area, BENCH_REPS repetitions of the timed
 * loop, and the median of the per-operation averages with the fastest and
 * the slowest repetition. Lazy purges happen inside the loop (whatever the
 * kernel does during the loop is in the wall-clock time).
 *
 * On init it prints one JSON line per scenario, each starting with
 * {"bench":"linux_scenario", and returns -ECANCELED so nothing stays loaded.
 *
 * threads=N (default 1) runs each repetition on N kthreads, one bound to
 * each of CPUs 0..N-1, started together; a repetition lasts until the last
 * one finishes, and the per-operation figures are that time over one
 * thread's loops.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#define BENCH_REPS  5
#define BENCH_SEED  0x9e3779b97f4a7c15ULL /* as Contig's BENCH_SEED */
#define MAX_THREADS 16

static unsigned int threads = 1;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "kthreads per repetition, one per CPU from CPU 0 (1..16)");

static char *only = "";
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "comma-separated scenario names to run (default: all)");

/* xorshift64*, as Contig's include/lib/random.h, so the sizes are the same. */
struct rnd {
	u64 x;
};

static void rnd_seed(struct rnd *s, u64 seed)
{
	s->x = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static u64 rnd_next(struct rnd *s)
{
	u64 x = s->x;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->x = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * __vmalloc_node_range() is not exported; the aligned scenarios and
 * full_fit need it (an alignment, a range of their own). Its address comes
 * from kallsyms_lookup_name(), itself found through a kprobe.
 */
typedef void *(*range_fn_t)(unsigned long size, unsigned long align, unsigned long start,
			    unsigned long end, gfp_t gfp, pgprot_t prot, unsigned long vm_flags,
			    int node, const void *caller);
static range_fn_t range_fn;

static unsigned long symbol_address(const char *name)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long (*lookup)(const char *name);

	if (register_kprobe(&kp))
		return 0;
	lookup = (void *)kp.addr;
	unregister_kprobe(&kp);
	return lookup ? lookup(name) : 0;
}

/* full_fit works in the top half of the vmalloc space, as on Contig. */
#define FULL_FIT_START (VMALLOC_START + (VMALLOC_END - VMALLOC_START) / 2)

static void *range_alloc(unsigned long size, unsigned long align, unsigned long start)
{
	return range_fn(size, align, start, VMALLOC_END, GFP_KERNEL, PAGE_KERNEL, 0, NUMA_NO_NODE,
			__builtin_return_address(0));
}

struct params {
	unsigned long loops, pages, align, held;
};

/* One thread's run of a scenario's step. */
struct worker {
	const struct params *p;
	struct rnd rng;
	struct page *page;	/* vmap_1page */
	bool holes;		/* full_fit: allocate in its range */
	unsigned long nr_pages; /* pages allocated, this repetition */
	int err;
};

static void *area_alloc(struct worker *w, unsigned long pages, unsigned long align)
{
	unsigned long size = pages << PAGE_SHIFT;

	if (w->holes)
		return range_alloc(size, PAGE_SIZE, FULL_FIT_START);
	if (align)
		return range_alloc(size, align, VMALLOC_START);
	return vmalloc(size);
}

static int alloc_use_free(struct worker *w, unsigned long pages, unsigned long align)
{
	void *p = area_alloc(w, pages, align);

	if (!p)
		return -ENOMEM;
	*(volatile u8 *)p = 1;
	vfree(p);
	w->nr_pages += pages;
	return 0;
}

static int step_fixed(struct worker *w)
{
	for (unsigned long i = 0; i < w->p->loops; i++)
		if (alloc_use_free(w, w->p->pages, w->p->align))
			return -ENOMEM;
	return 0;
}

static int step_random_size(struct worker *w)
{
	for (unsigned long i = 0; i < w->p->loops; i++)
		if (alloc_use_free(w, 1 + rnd_next(&w->rng) % w->p->pages, 0))
			return -ENOMEM;
	return 0;
}

static int step_random_align(struct worker *w)
{
	unsigned int shifts = __builtin_ctzl(w->p->align) - PAGE_SHIFT + 1;

	for (unsigned long i = 0; i < w->p->loops; i++) {
		u64 r = rnd_next(&w->rng);

		if (alloc_use_free(w, 1 + r % w->p->pages, PAGE_SIZE << ((r >> 32) % shifts)))
			return -ENOMEM;
	}
	return 0;
}

static int step_vzalloc(struct worker *w)
{
	for (unsigned long i = 0; i < w->p->loops; i++) {
		void *p = vzalloc(w->p->pages << PAGE_SHIFT);

		if (!p)
			return -ENOMEM;
		*(volatile u8 *)p = 1;
		vfree(p);
		w->nr_pages += w->p->pages;
	}
	return 0;
}

static int step_huge(struct worker *w)
{
	for (unsigned long i = 0; i < w->p->loops; i++) {
		void *p = vmalloc_huge(w->p->pages << PAGE_SHIFT, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		*(volatile u8 *)p = 1;
		vfree(p);
		w->nr_pages += w->p->pages;
	}
	return 0;
}

static int step_vmap(struct worker *w)
{
	for (unsigned long i = 0; i < w->p->loops; i++) {
		void *p = vmap(&w->page, 1, 0, PAGE_KERNEL);

		if (!p)
			return -ENOMEM;
		*(volatile u8 *)p = 1;
		vunmap(p);
		w->nr_pages++;
	}
	return 0;
}

/* What a scenario holds while its step is timed: live areas, holes, a page. */
enum setup {
	HOLD_NONE,
	HOLD_BUSY,
	HOLD_HOLES,
	HOLD_PAGE
};

struct scenario {
	const char *name;
	int (*step)(struct worker *w);
	enum setup setup;
	bool needs_range; /* uses __vmalloc_node_range() */
	bool per_page;	  /* compared per page (big areas) */
	struct params p;
};

/* Contig's bench_scenarios[] `bench` parameters, in the same order. */
static const struct scenario scenarios[] = {
	{ "fix_size_alloc", step_fixed, HOLD_NONE, false, false, { 100000, 3 } },
	{ "fix_size_1page", step_fixed, HOLD_NONE, false, false, { 100000, 1 } },
	{ "fix_align_alloc", step_fixed, HOLD_NONE, true, false, { 100000, 5, 32768 } },
	{ "random_size_alloc", step_random_size, HOLD_NONE, false, false, { 100000, 100 } },
	{ "random_size_align_alloc",
	  step_random_align,
	  HOLD_NONE,
	  true,
	  false,
	  { 100000, 10, 1UL << 20 } },
	{ "long_busy_list_alloc", step_fixed, HOLD_BUSY, false, false, { 100000, 1, 0, 50000 } },
	{ "full_fit_alloc", step_fixed, HOLD_HOLES, true, false, { 100000, 1, 0, 8192 } },
	{ "big_alloc", step_fixed, HOLD_NONE, false, true, { 10, 16384 } },
	{ "big_alloc_huge", step_huge, HOLD_NONE, false, true, { 10, 16384 } },
	{ "vzalloc", step_vzalloc, HOLD_NONE, false, true, { 20, 4096 } },
	{ "vmap_1page", step_vmap, HOLD_PAGE, false, false, { 100000, 1 } },
};

/* The areas a scenario holds; freed by release(). */
struct held {
	void **keep;
	unsigned long n;
	struct page *page;
};

static void release(struct held *h)
{
	for (unsigned long i = 0; h->keep && i < h->n; i++)
		vfree(h->keep[i]);
	vfree(h->keep);
	if (h->page)
		__free_page(h->page);
	vm_unmap_aliases();
}

/*
 * HOLD_BUSY: p.held live 1-page areas. HOLD_HOLES: p.held pairs in the
 * full_fit range, the second of each freed and purged, leaving exact
 * 1-page holes between live areas. HOLD_PAGE: the page vmap maps.
 */
static int setup(const struct scenario *sc, struct held *h)
{
	unsigned long n = sc->p.held;
	void **holes = NULL;

	memset(h, 0, sizeof(*h));
	if (sc->setup == HOLD_PAGE) {
		h->page = alloc_page(GFP_KERNEL);
		return h->page ? 0 : -ENOMEM;
	}
	if (sc->setup == HOLD_NONE)
		return 0;
	h->keep = vzalloc(n * sizeof(void *));
	if (!h->keep)
		return -ENOMEM;
	if (sc->setup == HOLD_HOLES && !(holes = vzalloc(n * sizeof(void *))))
		return -ENOMEM;
	for (; h->n < n; h->n++) {
		if (sc->setup == HOLD_BUSY) {
			h->keep[h->n] = vmalloc(PAGE_SIZE);
		} else {
			h->keep[h->n] = range_alloc(PAGE_SIZE, PAGE_SIZE, FULL_FIT_START);
			holes[h->n] = range_alloc(PAGE_SIZE, PAGE_SIZE, FULL_FIT_START);
		}
		if (!h->keep[h->n] || (holes && !holes[h->n])) {
			vfree(h->keep[h->n]); /* release() frees the first h->n */
			break;
		}
	}
	for (unsigned long i = 0; holes && i < n; i++)
		vfree(holes[i]);
	vfree(holes);
	vm_unmap_aliases(); /* the holes are free blocks from now on */
	return h->n == n ? 0 : -ENOMEM;
}

/* One repetition on N bound kthreads, released together by @go. */
struct team {
	struct worker w[MAX_THREADS];
	struct task_struct *task[MAX_THREADS];
	const struct scenario *sc;
	bool abort; /* a thread could not be made: the others skip the work */
	struct completion go;
	atomic_t left;
	struct completion done;
};

static void worker_init(struct worker *w, const struct scenario *sc, struct page *page)
{
	memset(w, 0, sizeof(*w));
	w->p = &sc->p;
	w->page = page;
	w->holes = sc->setup == HOLD_HOLES;
	rnd_seed(&w->rng, BENCH_SEED);
}

struct thread_arg {
	struct team *team;
	unsigned int i;
};

/*
 * Wait for go, do the step, then wait to be stopped: kthread_stop() returns
 * only once the thread has left this module's code, which the module must
 * not be freed before.
 */
static int team_thread(void *arg)
{
	struct thread_arg *a = arg;
	struct team *t = a->team;
	struct worker *w = &t->w[a->i];

	wait_for_completion(&t->go);
	if (!READ_ONCE(t->abort))
		w->err = t->sc->step(w);
	if (atomic_dec_and_test(&t->left))
		complete(&t->done);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Make the threads, release them together, time until the last one is done. */
static int run_team(struct team *t, u64 *ns)
{
	static struct thread_arg args[MAX_THREADS];
	unsigned int made = 0;
	int err = 0;
	u64 t0;

	t->abort = false;
	init_completion(&t->go);
	init_completion(&t->done);
	for (; made < threads; made++) {
		args[made] = (struct thread_arg){ t, made };
		t->task[made] = kthread_create(team_thread, &args[made], "contig_bench/%u", made);
		if (IS_ERR(t->task[made])) {
			err = PTR_ERR(t->task[made]);
			t->abort = true;
			break;
		}
		kthread_bind(t->task[made], made);
	}
	atomic_set(&t->left, made);
	for (unsigned int i = 0; i < made; i++)
		wake_up_process(t->task[i]);
	msleep(10); /* all of them waiting on go */
	t0 = ktime_get_ns();
	complete_all(&t->go);
	if (made)
		wait_for_completion(&t->done);
	vm_unmap_aliases(); /* the purges of this repetition's frees, timed */
	*ns = ktime_get_ns() - t0;
	for (unsigned int i = 0; i < made; i++) {
		kthread_stop(t->task[i]);
		err = err ? err : t->w[i].err;
	}
	return err;
}

/*
 * Time one repetition in ns: on this CPU, or on @threads kthreads. The
 * repetition ends with vm_unmap_aliases(), inside the timing: each one pays
 * for the purges of its own frees, none leaves a backlog to the next.
 */
static int run_rep(const struct scenario *sc, struct held *h, u64 *ns, unsigned long *pages)
{
	static struct team t;
	u64 t0;
	int err;

	t.sc = sc;
	for (unsigned int i = 0; i < threads; i++)
		worker_init(&t.w[i], sc, h->page);
	if (threads == 1) {
		t0 = ktime_get_ns();
		err = sc->step(&t.w[0]);
		vm_unmap_aliases(); /* the purges of this repetition's frees, timed */
		*ns = ktime_get_ns() - t0;
	} else {
		err = run_team(&t, ns);
	}
	*pages = t.w[0].nr_pages;
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static bool selected(const char *name)
{
	size_t len = strlen(name);

	if (!*only)
		return true;
	for (const char *p = only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, len) && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

static void run_scenario(const struct scenario *sc)
{
	unsigned long loops = sc->p.loops, pages = 0;
	u64 ns[BENCH_REPS];
	struct held h;
	int err = 0;

	if (sc->needs_range && !range_fn) {
		pr_info("{\"bench\":\"linux_scenario\",\"name\":\"%s\",\"skipped\":"
			"\"__vmalloc_node_range not found\"}\n",
			sc->name);
		return;
	}
	vm_unmap_aliases(); /* start with an empty lazy list, as Contig does */
	err = setup(sc, &h);
	for (unsigned int r = 0; r < BENCH_REPS && !err; r++)
		err = run_rep(sc, &h, &ns[r], &pages);
	release(&h);
	if (err) {
		pr_info("{\"bench\":\"linux_scenario\",\"name\":\"%s\",\"error\":%d}\n", sc->name,
			err);
		return;
	}
	sort(ns, BENCH_REPS, sizeof(ns[0]), cmp_u64, NULL);
	pr_info("{\"bench\":\"linux_scenario\",\"name\":\"%s\",\"loops\":%lu,\"reps\":%u,"
		"\"threads\":%u,\"ns_med\":%llu,\"ns_min\":%llu,\"ns_max\":%llu,"
		"\"pages_per_op\":%lu.%03lu,\"ns_page\":%llu,\"ref_per_page\":%s}\n",
		sc->name, loops, BENCH_REPS, threads, ns[BENCH_REPS / 2] / loops, ns[0] / loops,
		ns[BENCH_REPS - 1] / loops, pages / loops, pages * 1000 / loops % 1000,
		pages ? ns[BENCH_REPS / 2] / pages : 0, sc->per_page ? "true" : "false");
}

static int __init contig_bench_init(void)
{
	if (!threads || threads > MAX_THREADS || threads > num_online_cpus()) {
		pr_err("contig_bench: threads=%u: want 1..%u (online CPUs, at most %u)\n", threads,
		       num_online_cpus(), MAX_THREADS);
		return -EINVAL;
	}
	range_fn = (range_fn_t)symbol_address("__vmalloc_node_range_noprof");
	pr_info("{\"bench\":\"linux_config\",\"release\":\"%s\",\"threads\":%u,\"reps\":%u,"
		"\"cpus\":%u,\"ram_pages\":%lu,\"init_on_alloc\":%s}\n",
		init_utsname()->release, threads, BENCH_REPS, num_online_cpus(), totalram_pages(),
		want_init_on_alloc(GFP_KERNEL) ? "true" : "false");
	for (unsigned int i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (selected(scenarios[i].name))
			run_scenario(&scenarios[i]);
	pr_info("{\"bench\":\"linux_done\"}\n");
	return -ECANCELED; /* nothing to keep loaded */
}
module_init(contig_bench_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Contig's vmalloc scenarios timed on Linux (make bench-linux)");
