/*
 * vmalloc benchmarks (debug/bench/bench.c), run by bench= on the command line
 * and by `make bench`. Each scenario is timed with the TSC over several
 * repetitions inside one boot; the median, min and max of the per-operation
 * averages are printed as a table and as JSON lines for the host.
 */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H

#include "kernel/types.h"

#define BENCH_REPS     5 /* repetitions per scenario */
#define BENCH_MAX_REPS 16
#define BENCH_SEED     0x9e3779b97f4a7c15ULL /* every random sequence starts here */

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
};

/*
 * bench_run - run the benchmarks named in @spec
 *  => @spec is "all" or a comma-separated list of names (see bench_list());
 *     an unknown name is reported with the list of known ones and skipped.
 *  => Calibrates the TSC first. Allocates up to ~600 MiB while it runs and
 *     frees everything it allocated before returning.
 *  => Prints the table on the console and one JSON line per result.
 * Return: 0 if every named scenario ran, else the number that failed or
 * were unknown.
 */
int bench_run(const char *spec);

/*
 * bench_run_one - run one scenario with @loops operations per repetition
 * (0 = its default) and @reps repetitions (0 = BENCH_REPS), quietly.
 * Return: 0 with @res filled, -EINVAL for an unknown name or bad @reps,
 * -ENOMEM if the scenario could not allocate.
 */
int bench_run_one(const char *name, unsigned long loops, unsigned int reps,
		  struct bench_result *res);

/* Print the scenario names with one line of description each. */
void bench_list(void);

/* The benchmarks' generator (xorshift64*): the same @state, the same numbers. */
u64 bench_rand(u64 *state);

#endif /* KERNEL_BENCH_H */
