/*
 * What the files of debug/bench/ share and nobody else may use: the output
 * helpers (harness.c), the areas held by several scenarios and studies
 * (scenarios.c), the floors (floors.c) and the composite benchmarks
 * ("studies": floors.c, studies.c, profile.c), each run whole by bench_run().
 */
#ifndef DEBUG_BENCH_INTERNAL_H
#define DEBUG_BENCH_INTERNAL_H

#include "debug/bench.h"

#include "asm/tsc.h"
#include "kernel/printk.h"

/* bench_run_one() is quiet: no table lines, no JSON. */
extern bool bench_quiet;

#define bench_out(fmt, ...)                                   \
	do {                                                  \
		if (!bench_quiet)                             \
			printk(KERN_INFO fmt, ##__VA_ARGS__); \
	} while (0)

/* "12.345" and "12.35" from a value scaled by 1000, into @buf. */
const char *bench_fixed3(char *buf, size_t len, u64 x1000);
const char *bench_fixed2(char *buf, size_t len, u64 x1000);

static inline u64 ns_of(u64 cycles)
{
	return tsc_cycles_to_ns(cycles);
}

static inline void bench_touch(void *p)
{
	*(volatile u8 *)p = 1;
}

/* An array of @n pointers, zeroed; vmalloc'ed since it may be large. */
void **bench_ptr_array(unsigned long n);

/* @n live 1-page areas in a new pointer array, or NULL; bench_release() frees them. */
void **bench_hold_pages(unsigned long n);
void bench_release(void **areas, unsigned long n);

/*
 * Threads a scenario's timed step runs on (team.c): 1 = the calling CPU,
 * N = one thread bound to each of the first N online CPUs. bench_run() sets
 * it for the scenarios only; the studies and bench_run_one() run with 1.
 */
extern unsigned int bench_threads;

/*
 * bench_team_rep - one timed repetition of @step on bench_threads threads
 *  => Each thread runs @step on its own copy of @ctx (random sequence from
 *     BENCH_SEED); *@cyc is the wall time from their release to the last
 *     one's end plus vm_unmap_aliases(), on the calling CPU.
 *  => Adds every thread's frees and the first thread's pages to @ctx.
 *  => May sleep. Return: 0, the first thread's error, or -ENOMEM when a
 *     thread could not be made (nothing timed then).
 */
int bench_team_rep(struct bench_ctx *ctx, int (*step)(struct bench_ctx *ctx), u64 *cyc);

/* Run @sc with @p (loops as given) for @reps repetitions into @res. */
int bench_measure(const struct bench_scenario *sc, const struct bench_params *p, unsigned int reps,
		  struct bench_result *res);

/* Cycles per page x1000 for a result, median repetition (0 if it has no pages). */
u64 bench_cyc_page_x1000(const struct bench_result *res);

/* The studies, each run whole; 0 or -errno. */
int floors_run(void);
int scaling_run(void);
int size_curve_run(void);
int map_run(void);
int memory_run(void);
int profile_run(void);
int purge_irqoff_run(void);
int ipi_run(void);   /* ipi.c */
int locks_run(void); /* locks.c */
int align_run(void); /* align.c */

#endif /* DEBUG_BENCH_INTERNAL_H */
