/*
 * vmalloc benchmarks and the scenarios they share with the self-tests
 * (debug/bench/). A scenario (after Linux's lib/test_vmalloc.c) is one
 * function with parameters that does real vmalloc work and returns 0 or
 * -errno; bench_scenarios[] is the one table of them. The self-tests run
 * each with its small `test` parameters in check mode (every page filled and
 * verified) and then check the trees and the free page count; bench= and
 * `make bench` time each with its large `bench` parameters, over several
 * repetitions inside one boot, and print the median, min and max as a table
 * and as JSON lines for the host.
 */
#ifndef DEBUG_BENCH_H
#define DEBUG_BENCH_H

#include "kernel/types.h"
#include "lib/random.h"

#define BENCH_REPS     5 /* repetitions per scenario */
#define BENCH_MAX_REPS 16
#define BENCH_SEED     0x9e3779b97f4a7c15ULL /* every random sequence starts here */

/* A scenario's knobs; what each means for a given scenario is in its table entry. */
struct bench_params {
	unsigned long loops; /* operations per repetition (one = an allocation and its free) */
	unsigned long pages; /* pages per allocation; for random sizes the largest */
	unsigned long align; /* bytes, a power of two; for random alignments the largest */
	unsigned long held;  /* areas (or holes) kept while the operations run */
};

/* Counters that the timed part moves (page tables, TLB, lazy purges). */
struct bench_counters {
	unsigned long flush_single, flush_ranges, flush_all, pt_pages, purges;
};

/* One run of a scenario: the parameters in, the timings and counts out. */
struct bench_ctx {
	struct bench_params p;
	unsigned int reps;	  /* repetitions of the timed part, 1..BENCH_MAX_REPS */
	bool check;		  /* fill and verify every page, check alignment and placement */
	u64 cyc[BENCH_MAX_REPS];  /* TSC cycles of each repetition */
	struct bench_counters c0; /* before the first repetition */
	struct bench_counters c1; /* after the last */
	unsigned long nr_pages;	  /* pages allocated (or mapped), all repetitions */
	unsigned long nr_frees;	  /* frees done, all repetitions */
	unsigned long lazy_end;	  /* lazy pages purged at the repetitions' ends (timed) */
	struct rnd_state rng;	  /* restarted from BENCH_SEED at each repetition */
	/* the scenario's own state */
	const unsigned long *holes; /* full_fit: the hole addresses */
	unsigned long nr_holes;
	struct page *page; /* vmap_1page: the page mapped each time */
};

struct bench_scenario {
	const char *name;
	const char *desc;
	int (*fn)(struct bench_ctx *ctx);
	struct bench_params test;  /* the self-tests' (small: 16 MiB of RAM is enough) */
	struct bench_params bench; /* the benchmark's (for -m 1G) */
	unsigned int floors;	   /* BENCH_FLOOR_*: its floor's work per page; 0 = PAGE | PTE */
	bool ref_per_page;	   /* compared (with Linux) per page, not per operation */
};

/*
 * What a scenario's physical floor (floors.c) counts per page, by bit; every
 * operation also counts one range taken and given back and one first touch.
 */
#define BENCH_FLOOR_PAGE BIT(0) /* a page popped from an array and pushed back */
#define BENCH_FLOOR_PTE	 BIT(1) /* one PTE written and cleared, its share of one TLB flush */
#define BENCH_FLOOR_ZERO BIT(2) /* 4 KiB zeroed by the fastest loop */

extern const struct bench_scenario bench_scenarios[];
extern const unsigned int bench_nr_scenarios;

/* The scenario called @name, or NULL. */
const struct bench_scenario *bench_scenario_find(const char *name);

/*
 * bench_scenario_run - run @sc once with @p, @reps timed repetitions
 *  => @check: fill and verify every page and check where areas land (the
 *     self-tests); else one byte is written per area (the benchmark).
 *  => Purges the lazy areas first. Frees everything it allocated; the
 *     pages come back to the buddy once the lazy areas are purged.
 * Return: 0 with @ctx filled; -ENOMEM if an allocation failed, -EIO if a
 * page lost its pattern, -EFAULT if an area landed where it must not,
 * -EINVAL for @reps out of range.
 */
int bench_scenario_run(const struct bench_scenario *sc, const struct bench_params *p,
		       unsigned int reps, bool check, struct bench_ctx *ctx);

/*
 * bench_pattern_fill/bench_pattern_bad - write the first and last word of
 * every page of [@p, @p + @bytes) with its own address xor @seed; count the
 * words that no longer hold it (0 = intact).
 */
void bench_pattern_fill(void *p, unsigned long bytes, unsigned long seed);
unsigned long bench_pattern_bad(const void *p, unsigned long bytes, unsigned long seed);

/* One scenario's outcome: per-operation TSC cycles over the repetitions. */
struct bench_result {
	unsigned long loops; /* operations per repetition */
	unsigned int reps;
	u64 cyc_med, cyc_min, cyc_max; /* cycles per operation (median/min/max rep) */
	u64 ns_med, ns_min, ns_max;    /* the same in ns (0 if the TSC is uncalibrated) */
	u64 pages;		       /* pages allocated per repetition (sized scenarios) */
	u64 ns_page;		       /* median ns per page; 0 if not sized */
	unsigned long frees;	       /* free operations in the timed part */
	unsigned long flush_single;    /* invlpg issued in the timed part */
	unsigned long flush_ranges;    /* ranges flushed page by page */
	unsigned long flush_all;       /* full TLB flushes */
	unsigned long purges;	       /* lazy purges */
	unsigned long pt_pages;	       /* page-table pages allocated */
	unsigned long lazy_end;	       /* lazy pages left at the repetitions' ends, purged timed */
};

/*
 * floors_refresh - measure the machine's primitives again, quietly (floors.c)
 *  => bench_run() calls it before each scenario: on a busy host speed drifts,
 *     and a ratio is only fair between numbers taken close together.
 * Return: 0, or -ENOMEM (the floors then read as not measured).
 */
int floors_refresh(void);

/*
 * bench_floor_op_x1000 - @sc's physical floor for the work @res did
 *  => From the primitives of the last floors_refresh(): one range taken and
 *     given back and one first touch per operation, plus per page the terms
 *     of sc->floors (docs/performance.md has the formula).
 * Return: TSC cycles x1000 per operation; 0 if the primitives were never
 * measured or @res has no loops.
 */
u64 bench_floor_op_x1000(const struct bench_scenario *sc, const struct bench_result *res);

/*
 * bench_run - run the benchmarks named in @spec
 *  => @spec is "all" or a comma-separated list of names and globs
 *     (list_match(): fix_*,scaling).
 *  => A name or glob that matches nothing is refused before anything runs,
 *     with the list of valid names and what each one measures.
 *  => Calibrates the TSC first. Allocates up to ~600 MiB while it runs and
 *     frees everything it allocated before returning.
 *  => Prints the table on the console and one JSON line per result.
 * Return: 0 if every selected benchmark ran, -EINVAL if @spec named an
 * unknown one (nothing ran), else the number that failed.
 */
int bench_run(const char *spec);

/*
 * bench_run_one - time one scenario quietly with @p (NULL: its benchmark
 * parameters) and @reps repetitions (0 = BENCH_REPS).
 * Return: 0 with @res filled, -EINVAL for an unknown name or bad @reps,
 * else the scenario's error.
 */
int bench_run_one(const char *name, const struct bench_params *p, unsigned int reps,
		  struct bench_result *res);

#endif /* DEBUG_BENCH_H */
