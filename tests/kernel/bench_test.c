/*
 * Self-tests of the benchmark harness (debug/bench/) and of the TSC
 * calibration it relies on. They check that the harness measures what it
 * says, not how fast anything is: timing targets live in `make bench`,
 * never in tests. Each scenario runs with a handful of loops; the
 * scenarios themselves are checked by vmalloc.scenarios_checked.
 */
#include "debug/bench.h"
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "asm/tsc.h"
#include "kernel/errno.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

/* The rate is plausible for any x86-64 and came from a named source. */
KTEST(bench, tsc_calibrated_sane)
{
	tsc_calibrate();
	KTEST_EXPECT_NE(t, (int)tsc_source, (int)TSC_SRC_NONE);
	KTEST_EXPECT_GE(t, tsc_khz, 100000ULL);	  /* 100 MHz */
	KTEST_EXPECT_LE(t, tsc_khz, 10000000ULL); /* 10 GHz */
	/* 1 ms worth of cycles is 10^6 ns */
	KTEST_EXPECT_EQ(t, tsc_cycles_to_ns(tsc_khz), 1000000ULL);
}

/*
 * A second PIT measurement agrees with the boot calibration, to within what
 * TCG guarantees. The guest TSC and QEMU's PIT both follow host time, so a
 * PIT window measures the TSC rate exactly but for the error in seeing its
 * two edges: tsc_pit_khz() keeps only windows whose edges were each seen
 * within 1/2000 of the window (0.1% for both), and NTP may slew the host
 * clock by up to 500 ppm (0.05%). Two undisturbed measurements thus agree
 * within 2 x 0.15% = 0.3%; we allow 0.5%.
 *
 * Not guaranteed is that a measurement is undisturbed: on a busy host the
 * vCPU loses whole host time slices, and we have seen single measurements
 * off by 10-30% (every window of one disturbed, or the first window, which
 * judges the others, stretched). So we take up to TSC_TRIES measurements:
 *  - one within the bound of tsc_khz: pass;
 *  - none, but two within the bound of each other: the machine can measure
 *    and the calibration is wrong: fail (a rate off by over 0.5% always does);
 *  - no two agree: the host is too busy to tell; skip, saying so.
 * The boot calibration itself takes measurements until two agree, so a
 * calibration that is off needs two measurements off alike; when it found
 * no agreeing pair (tsc_pit_confirmed false) there is nothing to check.
 */
#define TSC_TRIES	     5
#define TSC_AGREE_PER_100000 500 /* 0.5% */

static bool khz_agree(u64 a, u64 b, u64 bound)
{
	return (a > b ? a - b : b - a) <= bound;
}

/* Do two of the @n measurements in @khz agree with each other? */
static bool khz_pair_agrees(const u64 *khz, unsigned int n, u64 bound)
{
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			if (khz_agree(khz[i], khz[j], bound))
				return true;
	return false;
}

KTEST(bench, tsc_pit_remeasure_agrees)
{
	u64 khz[TSC_TRIES], bound;

	tsc_calibrate();
	if (tsc_source != TSC_SRC_PIT)
		KTEST_SKIP(t, "TSC not calibrated from the PIT");
	if (!tsc_pit_confirmed)
		KTEST_SKIP(t,
			   "the boot calibration was not confirmed (busy host): nothing to check");
	bound = tsc_khz * TSC_AGREE_PER_100000 / 100000;
	for (unsigned int i = 0; i < TSC_TRIES; i++) {
		khz[i] = tsc_pit_khz();
		KTEST_ASSERT_NE(t, khz[i], 0ULL);
		if (khz_agree(khz[i], tsc_khz, bound))
			return;
	}
	if (!khz_pair_agrees(khz, TSC_TRIES, bound))
		KTEST_SKIP(t, "no two PIT measurements agree (busy host): cannot judge");
	ktest_fail(t, __FILE__, __LINE__,
		   "calibrated %lu kHz, PIT now %lu %lu %lu %lu %lu kHz: none within 0.5%%",
		   tsc_khz, khz[0], khz[1], khz[2], khz[3], khz[4]);
}

/*
 * Bug: the boot calibration kept a single PIT measurement, and on a busy
 * host one was 2465564 kHz for a 2.1 GHz TSC (every later one ~2100012):
 * every time in ns was off by 17%. Now two measurements must agree.
 */
KTEST(bench, calibration_kept_a_disturbed_measurement)
{
	const u64 seen[] = { 2465564, 2100012, 3354524, 2100026 };
	const u64 apart[] = { 2465564, 2100012, 3354524 };
	u64 khz = 0;

	KTEST_EXPECT_FALSE(t, tsc_pit_agreeing(seen, 1, &khz));
	KTEST_EXPECT_FALSE(t, tsc_pit_agreeing(seen, 2, &khz));
	KTEST_EXPECT_FALSE(t, tsc_pit_agreeing(seen, 3, &khz));
	KTEST_EXPECT_EQ(t, khz, 0ULL);
	KTEST_EXPECT_TRUE(t, tsc_pit_agreeing(seen, 4, &khz));
	KTEST_EXPECT_EQ(t, khz, 2100019ULL);
	KTEST_EXPECT_FALSE(t, tsc_pit_agreeing(apart, 3, &khz));
	/* 0.3% apart still agree; just over does not */
	KTEST_EXPECT_TRUE(t, tsc_pit_agreeing((const u64[]){ 2000000, 2006000 }, 2, &khz));
	KTEST_EXPECT_FALSE(t, tsc_pit_agreeing((const u64[]){ 2000000, 2006100 }, 2, &khz));
}

/* The generator is a pure function of its seed, and not stuck. */
KTEST(bench, rand_repeatable)
{
	struct rnd_state a, b;
	u64 first;

	rnd_seed(&a, BENCH_SEED);
	rnd_seed(&b, BENCH_SEED);
	first = rnd_next(&a);
	KTEST_EXPECT_EQ(t, rnd_next(&b), first);
	for (int i = 0; i < 100; i++)
		KTEST_EXPECT_EQ(t, rnd_next(&a), rnd_next(&b));
	KTEST_EXPECT_NE(t, rnd_next(&a), first);
	KTEST_EXPECT_NE(t, a.x, 0ULL);
	rnd_seed(&a, 0); /* 0 would stick at 0: replaced */
	KTEST_EXPECT_NE(t, rnd_next(&a), 0ULL);
}

/* 10 loops x 3 repetitions of fix_size_alloc: the counts add up. */
KTEST(bench, fix_size_runs_10_loops)
{
	const struct bench_params p = { .loops = 10, .pages = 3 };
	unsigned long vfrees = vmalloc_nr_vfree();
	struct bench_result res;

	KTEST_ASSERT_EQ(t, bench_run_one("fix_size_alloc", &p, 3, &res), 0);
	KTEST_EXPECT_EQ(t, res.loops, 10UL);
	KTEST_EXPECT_EQ(t, res.reps, 3U);
	KTEST_EXPECT_EQ(t, res.pages, 30ULL); /* 3 pages x 10 loops per repetition */
	KTEST_EXPECT_EQ(t, res.frees, 30UL);  /* over the 3 repetitions */
	KTEST_EXPECT_EQ(t, vmalloc_nr_vfree() - vfrees, 30UL);
	KTEST_EXPECT_GT(t, res.cyc_min, 0ULL);
	KTEST_EXPECT_LE(t, res.cyc_min, res.cyc_med);
	KTEST_EXPECT_LE(t, res.cyc_med, res.cyc_max);
	KTEST_EXPECT_LE(t, res.ns_min, res.ns_med);
	KTEST_EXPECT_EQ(t, res.ns_page, res.ns_med / 3);
}

/* A ktest_defer() action: the lazy budget back to @pages, and the purge list empty. */
static void lazy_budget_restore(void *pages)
{
	vmalloc_set_lazy_max_pages((unsigned long)pages);
	vm_unmap_aliases();
}

/*
 * One run of random_size_alloc (20 loops, 1..100 pages, 2 repetitions);
 * returns the pages vmalloc itself saw freed: with the lazy budget out of
 * reach, every area waits on the purge list with its guard page.
 */
static unsigned long random_size_run(struct ktest *t, struct bench_result *res)
{
	const struct bench_params p = { .loops = 20, .pages = 100 };
	unsigned long vmallocs = vmalloc_nr_vmalloc();

	KTEST_ASSERT_EQ(t, bench_run_one("random_size_alloc", &p, 2, res), 0);
	KTEST_EXPECT_EQ(t, vmalloc_nr_vmalloc() - vmallocs, 40UL);
	KTEST_EXPECT_EQ(t, res->frees, 40UL);
	return res->lazy_end; /* each repetition ends by purging its lazy pages */
}

/*
 * random_size_alloc allocates the sizes it reports, the same from the same
 * seed, and they vary. The expectation is what vmalloc counted (each area's
 * pages and its guard on the purge list), not the scenario's own formula
 * run again: a scenario that allocated other sizes than it counts fails.
 */
KTEST(bench, random_sizes_follow_the_seed)
{
	struct bench_result a, b;
	unsigned long lazy_a, lazy_b;

	ktest_defer(t, lazy_budget_restore, (void *)vmalloc_lazy_max_pages());
	vmalloc_set_lazy_max_pages(1UL << 30);
	lazy_a = random_size_run(t, &a);
	lazy_b = random_size_run(t, &b);
	KTEST_EXPECT_EQ(t, lazy_a, 2 * a.pages + 40); /* 2 repetitions, 40 guard pages */
	KTEST_EXPECT_EQ(t, lazy_b, lazy_a);
	KTEST_EXPECT_EQ(t, b.pages, a.pages);
	/* 20 sizes of 1..100 pages: neither all 1 nor all 100 */
	KTEST_EXPECT_GT(t, a.pages, 20ULL);
	KTEST_EXPECT_LT(t, a.pages, 2000ULL);
}

/* Pages a scenario may leave in partly used slabs. */
#define SLAB_SLACK_PAGES 64UL

/* Pages in use since @free0/@pt0 was read, page-table pages not counted. */
static unsigned long pages_kept(unsigned long free0, unsigned long pt0)
{
	vm_unmap_aliases();
	return free0 - nr_free_pages() - (pgtable_stats.pt_pages - pt0);
}

/* full_fit with @p gives back everything but slab slack, and the trees are sound. */
static void full_fit_check(struct ktest *t, const struct bench_params *p)
{
	unsigned long free0, pt0 = pgtable_stats.pt_pages;
	struct bench_result res;

	vm_unmap_aliases();
	free0 = nr_free_pages();
	KTEST_ASSERT_EQ(t, bench_run_one("full_fit_alloc", p, 1, &res), 0);
	KTEST_EXPECT_LE(t, pages_kept(free0, pt0), SLAB_SLACK_PAGES);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* Scenarios that hold areas give back everything but slab slack (self-test size). */
KTEST(bench, full_fit_gives_memory_back)
{
	full_fit_check(t, &bench_scenario_find("full_fit_alloc")->test);
}

/*
 * The same at the benchmark's size, which needs 2 pages per hole and the
 * pointer arrays: sized for -m 1G, skipped where the RAM cannot hold it
 * twice over (32M and 64M guests).
 */
KTEST(bench, full_fit_bench_size_gives_memory_back)
{
	struct bench_params p = bench_scenario_find("full_fit_alloc")->bench;
	unsigned long need = 2 * p.held + 2 * DIV_ROUND_UP(p.held * sizeof(void *), PAGE_SIZE);

	if (nr_free_pages() < 2 * need)
		KTEST_SKIP(t, "the benchmark's full_fit needs twice its 64 MiB free");
	p.loops = 10;
	full_fit_check(t, &p);
}

/* vmap_1page maps its one page each time: one page per loop, no page allocated. */
KTEST(bench, vmap_counts_pages)
{
	const struct bench_params p = { .loops = 10, .pages = 1 };
	struct bench_result res;

	KTEST_ASSERT_EQ(t, bench_run_one("vmap_1page", &p, 1, &res), 0);
	KTEST_EXPECT_EQ(t, res.pages, 10ULL);
	KTEST_EXPECT_EQ(t, res.frees, 10UL);
}

KTEST(bench, bad_requests_refused)
{
	const struct bench_params p = { .loops = 10, .pages = 1 };
	struct bench_result res;

	KTEST_EXPECT_EQ(t, bench_run_one("no_such_scenario", &p, 1, &res), -EINVAL);
	KTEST_EXPECT_EQ(t, bench_run_one("scaling", &p, 1, &res), -EINVAL); /* a study */
	KTEST_EXPECT_EQ(t, bench_run_one("fix_size_alloc", &p, BENCH_MAX_REPS + 1, &res), -EINVAL);
}

/* bench= with a name or glob that matches nothing runs nothing, not even the good ones. */
KTEST(bench, unknown_name_runs_nothing)
{
	unsigned long vfrees = vmalloc_nr_vfree(), vmallocs = vmalloc_nr_vmalloc();

	KTEST_EXPECT_EQ(t, bench_run("no_such_benchmark"), -EINVAL);
	KTEST_EXPECT_EQ(t, bench_run("fix_size_alloc,nosuch_*"), -EINVAL);
	KTEST_EXPECT_EQ(t, bench_run("fix_size_alloc,ALL"), -EINVAL); /* names are lower case */
	KTEST_EXPECT_EQ(t, vmalloc_nr_vfree(), vfrees);
	KTEST_EXPECT_EQ(t, vmalloc_nr_vmalloc(), vmallocs);
}

/*
 * The physical floor is a fixed part per operation (a range, a first touch)
 * plus the same terms for every page: linear in the pages, more with
 * zeroing, less for vmap (the page is given), and none of it the buddy's.
 */
KTEST(bench, floor_adds_each_page_once)
{
	const struct bench_scenario plain = { .name = "plain" };
	const struct bench_scenario zeroed = { .floors = BENCH_FLOOR_PAGE | BENCH_FLOOR_PTE |
							 BENCH_FLOOR_ZERO };
	const struct bench_scenario mapped = { .floors = BENCH_FLOOR_PTE };
	struct bench_result one = { .loops = 10, .pages = 10 }, two = one, three = one;
	unsigned long free0 = nr_free_pages();
	u64 f1, f2, f3;

	two.pages = 20;
	three.pages = 30;
	KTEST_ASSERT_EQ(t, floors_refresh(), 0);
	f1 = bench_floor_op_x1000(&plain, &one);
	f2 = bench_floor_op_x1000(&plain, &two);
	f3 = bench_floor_op_x1000(&plain, &three);
	KTEST_EXPECT_GT(t, f1, 0ULL);
	KTEST_EXPECT_GT(t, f2, f1);
	KTEST_EXPECT_EQ(t, f3 - f2, f2 - f1); /* each page costs the same */
	KTEST_EXPECT_GT(t, f1, f2 - f1);      /* and there is a fixed part */
	KTEST_EXPECT_GT(t, bench_floor_op_x1000(&zeroed, &one), f1);
	KTEST_EXPECT_LT(t, bench_floor_op_x1000(&mapped, &one), f1);
	KTEST_EXPECT_EQ(t, bench_floor_op_x1000(&plain, &(struct bench_result){ 0 }), 0ULL);
	vm_unmap_aliases();
	/* the primitives gave their pages back (page tables excepted: never freed) */
	KTEST_EXPECT_LE(t, (long)free0 - (long)nr_free_pages(), 16L);
}
