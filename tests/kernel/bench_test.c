/*
 * Self-tests of the benchmark harness (debug/bench/bench.c) and of the TSC
 * calibration it relies on. They check that the harness measures what it
 * says, not how fast anything is: timing targets live in `make bench`,
 * never in tests. Each scenario runs with a handful of loops.

 */
#include "asm/tsc.h"
#include "debug/bench.h"
#include "kernel/errno.h"
#include "debug/ktest.h"
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

/* A second PIT measurement agrees with the first within 1%. */
KTEST(bench, tsc_pit_remeasure_agrees)
{
	u64 khz;

	tsc_calibrate();
	if (tsc_source != TSC_SRC_PIT)
		KTEST_SKIP(t, "TSC not calibrated from the PIT");
	khz = tsc_pit_khz();
	KTEST_EXPECT_GE(t, khz, tsc_khz - tsc_khz / 100);
	KTEST_EXPECT_LE(t, khz, tsc_khz + tsc_khz / 100);
}

/* The generator is a pure function of its state, and not stuck. */
KTEST(bench, rand_repeatable)
{
	u64 a = BENCH_SEED, b = BENCH_SEED, first;

	first = bench_rand(&a);
	KTEST_EXPECT_EQ(t, bench_rand(&b), first);
	for (int i = 0; i < 100; i++)
		KTEST_EXPECT_EQ(t, bench_rand(&a), bench_rand(&b));
	KTEST_EXPECT_NE(t, bench_rand(&a), first);
	KTEST_EXPECT_NE(t, a, 0ULL);
}

/* 10 loops x 3 repetitions of fix_size_alloc: the counts add up. */
KTEST(bench, fix_size_runs_10_loops)
{
	struct bench_result res;
	unsigned long vfrees = vmalloc_stats.nr_vfree;

	KTEST_ASSERT_EQ(t, bench_run_one("fix_size_alloc", 10, 3, &res), 0);
	KTEST_EXPECT_EQ(t, res.loops, 10UL);
	KTEST_EXPECT_EQ(t, res.reps, 3U);
	KTEST_EXPECT_EQ(t, res.pages, 30ULL); /* 3 pages x 10 loops per repetition */
	KTEST_EXPECT_EQ(t, res.frees, 30UL);  /* over the 3 repetitions */
	KTEST_EXPECT_EQ(t, vmalloc_stats.nr_vfree - vfrees, 30UL);
	KTEST_EXPECT_GT(t, res.cyc_min, 0ULL);
	KTEST_EXPECT_LE(t, res.cyc_min, res.cyc_med);
	KTEST_EXPECT_LE(t, res.cyc_med, res.cyc_max);
	KTEST_EXPECT_LE(t, res.ns_min, res.ns_med);
	KTEST_EXPECT_EQ(t, res.ns_page, res.ns_med / 3);
}

/* random_size_alloc allocates exactly the sizes the seeded generator gives. */
KTEST(bench, random_sizes_follow_the_seed)
{
	struct bench_result res;
	u64 rng = BENCH_SEED, want = 0;

	for (int i = 0; i < 20; i++)
		want += 1 + bench_rand(&rng) % 100;
	KTEST_ASSERT_EQ(t, bench_run_one("random_size_alloc", 20, 2, &res), 0);
	KTEST_EXPECT_EQ(t, res.pages, want);
}

/* Scenarios that hold areas give back everything but slab slack. */
KTEST(bench, full_fit_gives_memory_back)
{
	struct bench_result res;
	unsigned long free0, pt0 = pgtable_stats.pt_pages;

	vm_unmap_aliases();
	free0 = nr_free_pages();
	KTEST_ASSERT_EQ(t, bench_run_one("full_fit_alloc", 10, 1, &res), 0);
	vm_unmap_aliases();
	KTEST_EXPECT_LE(t, free0 - nr_free_pages() - (pgtable_stats.pt_pages - pt0), 64UL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* vmap_1page maps its one page each time: one page per loop, no page allocated. */
KTEST(bench, vmap_counts_pages)
{
	struct bench_result res;

	KTEST_ASSERT_EQ(t, bench_run_one("vmap_1page", 10, 1, &res), 0);
	KTEST_EXPECT_EQ(t, res.pages, 10ULL);
	KTEST_EXPECT_EQ(t, res.frees, 10UL);
}

KTEST(bench, bad_requests_refused)
{
	struct bench_result res;

	KTEST_EXPECT_EQ(t, bench_run_one("no_such_scenario", 10, 1, &res), -EINVAL);
	KTEST_EXPECT_EQ(t, bench_run_one("scaling", 10, 1, &res), -EINVAL); /* composite */
	KTEST_EXPECT_EQ(t, bench_run_one("fix_size_alloc", 10, BENCH_MAX_REPS + 1, &res), -EINVAL);
}
