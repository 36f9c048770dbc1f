/*
 * vmalloc benchmarks: bench=all or bench=name,name on the command line.
 *
 * Every timed scenario runs BENCH_REPS repetitions of `loops` operations
 * (one operation = one allocation and its free) between two TSC reads; we
 * report the median of the per-operation averages with the fastest and the
 * slowest repetition, in ns and in TSC cycles, and per page where the
 * scenario allocates pages. Counters (TLB flushes, lazy purges, page-table
 * pages) are differences over the timed repetitions only.
 *
 * Besides the scenarios of the issue (after Linux's test_vmalloc, written
 * anew), a few measurements put the numbers in context:
 *   floors	the physical floor of one page: buddy alloc+free; one PTE
 *		written, cleared and its share of one TLB flush; one page
 *		zeroed (the cheapest of three ways)
 *   scaling	1-page alloc+free while N = 10..100000 areas are live with a
 *		free hole between each two of them
 *   size_curve	cost per page for allocations of 1 page .. 64 MiB
 *   map	the vmalloc range after a random workload (busy/guard/free)
 *   memory	metadata bytes per live area and per mapped page
 *   profile	vmalloc's phases, timed one by one through the public API
 *
 * Output: a human table on the console, and for the host one JSON object
 * per line, each starting with {"bench": (scripts/run-bench.sh collects
 * them). No floating point in the kernel: fractions are printed from
 * fixed-point integers (x1000).
 *
 * Everything allocated is freed before bench_run() returns; a final check
 * compares the free page count with the start (page tables excepted: the
 * kernel never frees them) and runs vmalloc_check().
 */
#include "debug/bench.h"
#include "debug/console.h"
#include "lib/sort.h"

#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/tsc.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/memlayout.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define BENCH_NO_NODE (-1)

/* Per-page floors, by bit, for the scenarios that allocate many pages. */
#define FLOOR_PAGE BIT(0) /* buddy order-0 alloc + free */
#define FLOOR_PTE  BIT(1) /* write one PTE, clear it, its share of one TLB flush */
#define FLOOR_ZERO BIT(2) /* zero one 4 KiB page */
#define NR_FLOORS  3

/* State a scenario keeps across its repetitions. */
struct bench_ctx {
	u64 rng;	     /* reset at each repetition: same sizes every time */
	unsigned long size;  /* bytes per allocation, where fixed */
	unsigned long align; /* alignment, where fixed */
	unsigned long pages; /* pages allocated in this repetition */
	unsigned long frees; /* frees done in this repetition */
	void **live;	     /* areas held while the timed part runs */
	unsigned long nr_live;
	struct page *page; /* vmap_1page: the page mapped each time */
};

struct bench_scenario {
	const char *name;
	const char *desc;
	unsigned long loops; /* operations per repetition */
	unsigned long size;  /* bytes per allocation, 0 if random */
	unsigned long align;
	unsigned int floors;   /* FLOOR_*: compare ns/page with these */
	unsigned int linux_ns; /* Linux 6.12 reference, 0 = none */
	bool ref_per_page;     /* linux_ns is per page, not per operation */
	int (*setup)(struct bench_ctx *ctx);
	int (*step)(struct bench_ctx *ctx, unsigned long loops);
	void (*teardown)(struct bench_ctx *ctx);
	int (*run)(void); /* a composite item: does it all itself */
};

/* Counters that the timed part moves. */
struct bench_counters {
	unsigned long flush_single, flush_ranges, flush_all, pt_pages, purges;
};

static bool bench_quiet;	       /* bench_run_one(): no output */
static u64 floor_cyc_x1000[NR_FLOORS]; /* cycles per page, x1000; 0 = not measured */
static const char *const floor_names[NR_FLOORS] = { "page", "pte", "zero" };

#define bench_out(fmt, ...)                                   \
	do {                                                  \
		if (!bench_quiet)                             \
			printk(KERN_INFO fmt, ##__VA_ARGS__); \
	} while (0)

/* ---------------------------------------------------------------------- */
/* Small helpers.                                                          */

u64 bench_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void counters_read(struct bench_counters *c)
{
	c->flush_single = pgtable_stats.flush_single;
	c->flush_ranges = pgtable_stats.flush_ranges;
	c->flush_all = pgtable_stats.flush_all;
	c->pt_pages = pgtable_stats.pt_pages;
	c->purges = vmalloc_stats.nr_purges;
}

/* "12.345" from a value scaled by 1000, into @buf. */
static const char *fixed3(char *buf, size_t len, u64 x1000)
{
	snprintf(buf, len, "%lu.%03lu", x1000 / 1000, x1000 % 1000);
	return buf;
}

/* "1.23" from a value scaled by 1000 (rounded), into @buf. */
static const char *fixed2(char *buf, size_t len, u64 x1000)
{
	u64 x100 = (x1000 + 5) / 10;

	snprintf(buf, len, "%lu.%02lu", x100 / 100, x100 % 100);
	return buf;
}

static u64 ns_of(u64 cycles)
{
	return tsc_cycles_to_ns(cycles);
}

/* An array of @n pointers, zeroed; vmalloc'ed since it may be large. */
static void **ptr_array_alloc(unsigned long n)
{
	return vzalloc(n * sizeof(void *));
}

static inline void touch(void *p)
{
	*(volatile u8 *)p = 1;
}

static inline const void *caller_ip(void)
{
	return __builtin_return_address(0);
}

/* ---------------------------------------------------------------------- */
/* The timed steps: each does @loops operations and counts pages/frees.    */

static int step_vzalloc(struct bench_ctx *ctx, unsigned long loops)
{
	for (unsigned long i = 0; i < loops; i++) {
		void *p = vzalloc(ctx->size);

		if (!p)
			return -ENOMEM;
		touch(p);
		vfree(p);
	}
	ctx->pages += loops * (ctx->size >> PAGE_SHIFT);
	ctx->frees += loops;
	return 0;
}

static void *vmalloc_aligned(unsigned long size, unsigned long align)
{
	return __vmalloc_node_range(size, align, VMALLOC_START, VMALLOC_END, GFP_KERNEL,
				    PAGE_KERNEL, 0, BENCH_NO_NODE, caller_ip());
}

/*
 * One operation of the vmalloc scenarios: allocate @pages pages (aligned to
 * @align when it is non-zero, else plain vmalloc()), write a byte, free.
 */
static __always_inline int alloc_touch_free(struct bench_ctx *ctx, unsigned long pages,
					    unsigned long align)
{
	unsigned long size = pages << PAGE_SHIFT;
	void *p = align ? vmalloc_aligned(size, align) : vmalloc(size);

	if (!p)
		return -ENOMEM;
	touch(p);
	vfree(p);
	ctx->pages += pages;
	ctx->frees++;
	return 0;
}

static int step_fixed(struct bench_ctx *ctx, unsigned long loops)
{
	for (unsigned long i = 0; i < loops; i++)
		if (alloc_touch_free(ctx, ctx->size >> PAGE_SHIFT, 0))
			return -ENOMEM;
	return 0;
}

static int step_fixed_align(struct bench_ctx *ctx, unsigned long loops)
{
	for (unsigned long i = 0; i < loops; i++)
		if (alloc_touch_free(ctx, ctx->size >> PAGE_SHIFT, ctx->align))
			return -ENOMEM;
	return 0;
}

/* 1..100 pages, uniformly. */
static int step_random_size(struct bench_ctx *ctx, unsigned long loops)
{
	for (unsigned long i = 0; i < loops; i++)
		if (alloc_touch_free(ctx, 1 + bench_rand(&ctx->rng) % 100, 0))
			return -ENOMEM;
	return 0;
}

/* 1..10 pages aligned to 4 KiB..1 MiB (2^12..2^20), both uniformly. */
static int step_random_align(struct bench_ctx *ctx, unsigned long loops)
{
	for (unsigned long i = 0; i < loops; i++) {
		u64 r = bench_rand(&ctx->rng);

		if (alloc_touch_free(ctx, 1 + r % 10, PAGE_SIZE << ((r >> 32) % 9)))
			return -ENOMEM;
	}
	return 0;
}

static int step_vmap_1page(struct bench_ctx *ctx, unsigned long loops)
{
	for (unsigned long i = 0; i < loops; i++) {
		void *p = vmap(&ctx->page, 1, 0, PAGE_KERNEL);

		if (!p)
			return -ENOMEM;
		touch(p);
		vunmap(p);
	}
	ctx->pages += loops;
	ctx->frees += loops;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Set-up and tear-down of the scenarios that hold areas.                  */

static void free_live(struct bench_ctx *ctx)
{
	if (!ctx->live)
		return;
	for (unsigned long i = 0; i < ctx->nr_live; i++)
		vfree(ctx->live[i]);
	vfree(ctx->live);
	ctx->live = NULL;
	ctx->nr_live = 0;
	vm_unmap_aliases();
}

/* @n live 1-page areas, allocated back to back. */
static int hold_pages(struct bench_ctx *ctx, unsigned long n)
{
	ctx->live = ptr_array_alloc(n);
	if (!ctx->live)
		return -ENOMEM;
	for (ctx->nr_live = 0; ctx->nr_live < n; ctx->nr_live++) {
		ctx->live[ctx->nr_live] = vmalloc(PAGE_SIZE);
		if (!ctx->live[ctx->nr_live]) {
			free_live(ctx);
			return -ENOMEM;
		}
	}
	return 0;
}

#define LONG_BUSY_AREAS 50000

static int setup_long_busy(struct bench_ctx *ctx)
{
	return hold_pages(ctx, LONG_BUSY_AREAS);
}

/*
 * full_fit: 8192 pairs of 1-page areas; the second of each pair is freed
 * and purged, leaving 8192 holes of exactly one page plus its guard, each
 * between two live areas. A 1-page vmalloc fits a hole exactly.
 */
#define FULL_FIT_HOLES 8192

static int setup_full_fit(struct bench_ctx *ctx)
{
	void **junk = ptr_array_alloc(FULL_FIT_HOLES);
	int err = -ENOMEM;

	if (!junk)
		return -ENOMEM;
	ctx->live = ptr_array_alloc(FULL_FIT_HOLES);
	if (!ctx->live)
		goto out_free_junk;
	for (ctx->nr_live = 0; ctx->nr_live < FULL_FIT_HOLES; ctx->nr_live++) {
		ctx->live[ctx->nr_live] = vmalloc(PAGE_SIZE);
		junk[ctx->nr_live] = vmalloc(PAGE_SIZE);
		if (!ctx->live[ctx->nr_live] || !junk[ctx->nr_live]) {
			ctx->nr_live++;
			goto out_free_junk;
		}
	}
	err = 0;
out_free_junk:
	for (unsigned long i = 0; i < FULL_FIT_HOLES; i++)
		vfree(junk[i]);
	vfree(junk);
	if (err)
		free_live(ctx);
	vm_unmap_aliases(); /* the holes are free blocks from now on */
	return err;
}

static int setup_vmap_1page(struct bench_ctx *ctx)
{
	ctx->page = alloc_page(GFP_KERNEL);
	return ctx->page ? 0 : -ENOMEM;
}

static void teardown_vmap_1page(struct bench_ctx *ctx)
{
	__free_page(ctx->page);
	ctx->page = NULL;
}

/* ---------------------------------------------------------------------- */
/* The generic driver.                                                     */

/* Time @sc for @reps repetitions of @loops operations into @res. */
static int scenario_measure(const struct bench_scenario *sc, unsigned long loops, unsigned int reps,
			    struct bench_result *res)
{
	struct bench_ctx ctx = { .size = sc->size, .align = sc->align };
	struct bench_counters c0, c1;
	u64 cyc[BENCH_MAX_REPS], total_pages = 0;
	int err = 0;

	memset(res, 0, sizeof(*res));
	vm_unmap_aliases(); /* start with an empty lazy list */
	if (sc->setup && (err = sc->setup(&ctx)) != 0)
		return err;
	counters_read(&c0);
	for (unsigned int r = 0; r < reps && !err; r++) {
		u64 t0, t1;

		ctx.rng = BENCH_SEED;
		ctx.pages = 0;
		t0 = rdtsc_ordered();
		err = sc->step(&ctx, loops);
		t1 = rdtsc_ordered();
		cyc[r] = t1 - t0;
		total_pages += ctx.pages;
	}
	counters_read(&c1);
	if (sc->teardown)
		sc->teardown(&ctx);
	else
		free_live(&ctx);
	if (err)
		return err;

	sort_u64(cyc, reps);
	res->loops = loops;
	res->reps = reps;
	res->cyc_min = cyc[0] / loops;
	res->cyc_med = cyc[reps / 2] / loops;
	res->cyc_max = cyc[reps - 1] / loops;
	res->ns_min = ns_of(cyc[0]) / loops;
	res->ns_med = ns_of(cyc[reps / 2]) / loops;
	res->ns_max = ns_of(cyc[reps - 1]) / loops;
	res->pages = total_pages / reps;
	res->ns_page = res->pages ? ns_of(cyc[reps / 2]) / res->pages : 0;
	res->frees = ctx.frees;
	res->flush_single = c1.flush_single - c0.flush_single;
	res->flush_ranges = c1.flush_ranges - c0.flush_ranges;
	res->flush_all = c1.flush_all - c0.flush_all;
	res->purges = c1.purges - c0.purges;
	res->pt_pages = c1.pt_pages - c0.pt_pages;
	return 0;
}

/* Sum of the floors named by @floors, in cycles per page x1000. */
static u64 floor_sum(unsigned int floors)
{
	u64 sum = 0;

	for (unsigned int i = 0; i < NR_FLOORS; i++)
		if (floors & BIT(i))
			sum += floor_cyc_x1000[i];
	return sum;
}

/* Cycles per page x1000 for a result, median repetition. */
static u64 result_cyc_page_x1000(const struct bench_result *res)
{
	if (!res->pages)
		return 0;
	return res->cyc_med * res->loops * 1000 / res->pages;
}

static void print_table_header(void)
{
	bench_out("%-24s %7s %8s %8s %8s %8s %7s %7s %7s %6s %5s %7s %s\n", "scenario", "loops",
		  "ns/op", "min", "max", "cyc/op", "ns/page", "fl/1k", "inv/1k", "purges", "ptpg",
		  "goal", "");
}

/* One table row and one JSON line for @res. */
static void print_result(const struct bench_scenario *sc, const struct bench_result *res)
{
	unsigned long flushes = res->flush_ranges + res->flush_all;
	u64 fl_x1000 = res->frees ? (u64)flushes * 1000000 / res->frees : 0;
	u64 inv_x1000 = res->frees ? (u64)res->flush_single * 1000000 / res->frees : 0;
	u64 goal = sc->linux_ns / 2, got = sc->ref_per_page ? res->ns_page : res->ns_med;
	u64 floor = floor_sum(sc->floors);
	u64 ratio = floor ? result_cyc_page_x1000(res) * 1000 / floor : 0;
	char a[24], b[24], g[24], r[24];
	const char *verdict;

	if (goal)
		snprintf(g, sizeof(g), "%lu", goal);
	else
		strlcpy(g, "-", sizeof(g));
	verdict = !goal ? "" : got <= goal ? "ok" : "SLOW";
	bench_out("%-24s %7lu %8lu %8lu %8lu %8lu %7lu %7s %7s %6lu %5lu %7s %s\n", sc->name,
		  res->loops, res->ns_med, res->ns_min, res->ns_max, res->cyc_med, res->ns_page,
		  fixed2(a, sizeof(a), fl_x1000), fixed2(b, sizeof(b), inv_x1000), res->purges,
		  res->pt_pages, g, verdict);
	bench_out("{\"bench\":\"scenario\",\"name\":\"%s\",\"loops\":%lu,\"reps\":%u,"
		  "\"ns_med\":%lu,\"ns_min\":%lu,\"ns_max\":%lu,\"cyc_med\":%lu,"
		  "\"pages_per_op\":%s,\"ns_page\":%lu,\"frees\":%lu,\"flush_single\":%lu,"
		  "\"flush_ranges\":%lu,\"flush_all\":%lu,\"purges\":%lu,\"pt_pages\":%lu,"
		  "\"linux_ns\":%u,\"ref_per_page\":%s,\"floor_ns\":%lu,\"floor_ratio\":%s}\n",
		  sc->name, res->loops, res->reps, res->ns_med, res->ns_min, res->ns_max,
		  res->cyc_med, fixed3(a, sizeof(a), res->pages * 1000 / res->loops), res->ns_page,
		  res->frees, res->flush_single, res->flush_ranges, res->flush_all, res->purges,
		  res->pt_pages, sc->linux_ns, sc->ref_per_page ? "true" : "false",
		  ns_of(floor) / 1000, ratio ? fixed3(r, sizeof(r), ratio) : "null");
}

/* ---------------------------------------------------------------------- */
/* Floors.                                                                 */

#define FLOOR_BATCH	 16384 /* pages per repetition: as many as big_alloc maps */
#define FLOOR_PTE_PAGES	 4096
#define FLOOR_ZERO_PAGES 1024

/*
 * The fastest of BENCH_REPS runs of @fn(@arg), in cycles x1000 per page of
 * @pages (0 if none ran): a floor is the best the machine can do, so noise
 * from a busy host must not raise it.
 */
static u64 floor_best(u64 (*fn)(void *arg), void *arg, unsigned long pages)
{
	u64 best = ~0ULL;

	for (unsigned int r = 0; r < BENCH_REPS; r++) {
		u64 cyc = fn(arg);

		if (cyc) /* 0: it could not allocate */
			best = min(best, cyc);
	}
	return best == ~0ULL ? 0 : best * 1000 / pages;
}

/* FLOOR_BATCH order-0 pages allocated, then all freed: the buddy's part of big_alloc. */
static u64 floor_page_once(void *arg)
{
	struct page **pages = arg;
	u64 t0 = rdtsc_ordered();

	for (unsigned long i = 0; i < FLOOR_BATCH; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			while (i--)
				__free_page(pages[i]);
			return 0;
		}
	}
	for (unsigned long i = 0; i < FLOOR_BATCH; i++)
		__free_page(pages[i]);
	return rdtsc_ordered() - t0;
}

struct pte_floor {
	unsigned long addr; /* the first page of the window */
	pte_t **ptes;	    /* FLOOR_PTE_PAGES entries, in order */
	pte_t val;	    /* what a mapping writes */
	bool invlpg_each;   /* invlpg every page instead of one flush at the end */
};

/*
 * Write each PTE and clear it again: map + unmap at their barest. The
 * invalidation is either one full flush for the whole window, which is what
 * a lazy purge does for a large area (and so the floor), or one invlpg per
 * page (printed for comparison).
 */
static u64 floor_pte_once(void *arg)
{
	struct pte_floor *f = arg;
	u64 t0 = rdtsc_ordered();

	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++) {
		WRITE_ONCE(*f->ptes[i], f->val);
		WRITE_ONCE(*f->ptes[i], 0);
		if (f->invlpg_each)
			invlpg(f->addr + (i << PAGE_SHIFT));
	}
	if (!f->invlpg_each)
		flush_tlb_all();
	return rdtsc_ordered() - t0;
}

/*
 * Three ways to zero a page: the kernel's memset() (unrolled 8-byte stores in
 * 64-byte blocks), rep stosq, and rep stosb (what memset used to be). Under
 * TCG a rep-prefixed string instruction costs about one loop turn per
 * element, so the element size matters a lot there (and hardly at all on a
 * real CPU with ERMS).
 */
static void zero_memset(void *p)
{
	memset(p, 0, PAGE_SIZE);
}

static void zero_stosq(void *p)
{
	unsigned long n = PAGE_SIZE / 8;

	__asm__ __volatile__("rep stosq" : "+D"(p), "+c"(n) : "a"(0UL) : "memory");
}

static void zero_stosb(void *p)
{
	unsigned long n = PAGE_SIZE;

	__asm__ __volatile__("rep stosb" : "+D"(p), "+c"(n) : "a"(0) : "memory");
}

struct zero_floor {
	struct page **pages;
	void (*zero)(void *p);
};

static u64 floor_zero_once(void *arg)
{
	struct zero_floor *z = arg;
	u64 t0 = rdtsc_ordered();

	for (unsigned long i = 0; i < FLOOR_ZERO_PAGES; i++)
		z->zero(page_address(z->pages[i]));
	return rdtsc_ordered() - t0;
}

static int floor_measure_page(void)
{
	struct page **pages = (struct page **)ptr_array_alloc(FLOOR_BATCH);

	if (!pages)
		return -ENOMEM;
	floor_cyc_x1000[0] = 0;
	if (floor_page_once(pages)) /* warm-up: the first run splits large blocks */
		floor_cyc_x1000[0] = floor_best(floor_page_once, pages, FLOOR_BATCH);
	vfree(pages);
	return floor_cyc_x1000[0] ? 0 : -ENOMEM;
}

/*
 * A window of FLOOR_PTE_PAGES pages whose page tables exist (mapped once,
 * the same page everywhere), then unmapped; the floor writes its PTEs.
 */
static int floor_measure_pte(u64 *invlpg_each)
{
	struct page **pages = (struct page **)ptr_array_alloc(FLOOR_PTE_PAGES);
	struct pte_floor f = { .ptes = (pte_t **)ptr_array_alloc(FLOOR_PTE_PAGES) };
	struct page *page = alloc_page(GFP_KERNEL);
	struct vm_struct *area =
		get_vm_area_caller(FLOOR_PTE_PAGES << PAGE_SHIFT, VM_MAP, caller_ip());
	int err = -ENOMEM;

	if (!pages || !f.ptes || !page || !area)
		goto out;
	f.addr = (unsigned long)area->addr;
	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++)
		pages[i] = page;
	if (vmap_pages_range(f.addr, f.addr + (FLOOR_PTE_PAGES << PAGE_SHIFT), PAGE_KERNEL, pages))
		goto out;
	f.val = *lookup_address(f.addr, &(enum pg_level){ 0 });
	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++)
		f.ptes[i] = lookup_address(f.addr + (i << PAGE_SHIFT), &(enum pg_level){ 0 });
	vunmap_range(f.addr, f.addr + (FLOOR_PTE_PAGES << PAGE_SHIFT));
	floor_cyc_x1000[1] = floor_best(floor_pte_once, &f, FLOOR_PTE_PAGES);
	f.invlpg_each = true;
	*invlpg_each = floor_best(floor_pte_once, &f, FLOOR_PTE_PAGES);
	err = 0;
out:
	if (area)
		free_vm_area(area);
	if (page)
		__free_page(page);
	vfree(f.ptes);
	vfree(pages);
	return err;
}

/* Each zeroing method's cost (cycles x1000 per page); the floor is the cheapest. */
static int floor_measure_zero(u64 per_method[3])
{
	static void (*const methods[3])(void *) = { zero_memset, zero_stosq, zero_stosb };
	struct zero_floor z = { .pages = (struct page **)ptr_array_alloc(FLOOR_ZERO_PAGES) };
	unsigned long n = 0;
	int err = -ENOMEM;

	if (!z.pages)
		return -ENOMEM;
	for (; n < FLOOR_ZERO_PAGES; n++)
		if (!(z.pages[n] = alloc_page(GFP_KERNEL)))
			goto out;
	floor_cyc_x1000[2] = ~0ULL;
	for (unsigned int m = 0; m < 3; m++) {
		z.zero = methods[m];
		per_method[m] = floor_best(floor_zero_once, &z, FLOOR_ZERO_PAGES);
		floor_cyc_x1000[2] = min(floor_cyc_x1000[2], per_method[m]);
	}
	err = 0;
out:
	while (n--)
		__free_page(z.pages[n]);
	vfree(z.pages);
	return err;
}

/* Measure the three floors into floor_cyc_x1000[], with the alternatives. */
static int floors_measure(u64 *invlpg_each, u64 zero[3])
{
	int err = floor_measure_page();

	if (!err)
		err = floor_measure_pte(invlpg_each);
	if (!err)
		err = floor_measure_zero(zero);
	if (err) {
		memset(floor_cyc_x1000, 0, sizeof(floor_cyc_x1000));
		pr_err("bench: floors: out of memory\n");
	}
	return err;
}

static int floors_run(void)
{
	static const char *const zero_names[3] = { "memset", "stosq", "stosb" };
	u64 zero[3], invlpg_each;
	char a[24], b[24], c[24];

	if (floors_measure(&invlpg_each, zero))
		return -ENOMEM;
	bench_out("floors (per page): buddy alloc+free %s ns, PTE write+clear+flush %s ns, "
		  "zero %s ns\n",
		  fixed2(a, sizeof(a), ns_of(floor_cyc_x1000[0])),
		  fixed2(b, sizeof(b), ns_of(floor_cyc_x1000[1])),
		  fixed2(c, sizeof(c), ns_of(floor_cyc_x1000[2])));
	for (unsigned int i = 0; i < NR_FLOORS; i++)
		bench_out("{\"bench\":\"floor\",\"name\":\"%s\",\"cyc\":%s,\"ns\":%s}\n",
			  floor_names[i], fixed3(a, sizeof(a), floor_cyc_x1000[i]),
			  fixed3(b, sizeof(b), ns_of(floor_cyc_x1000[i])));
	bench_out("  PTE write+clear+invlpg %s ns/page\n",
		  fixed2(a, sizeof(a), ns_of(invlpg_each)));
	bench_out("{\"bench\":\"floor_info\",\"name\":\"pte_invlpg_each\",\"ns\":%s}\n",
		  fixed3(b, sizeof(b), ns_of(invlpg_each)));
	for (unsigned int m = 0; m < 3; m++) {
		bench_out("  zeroing with %-6s %8s ns/page\n", zero_names[m],
			  fixed2(a, sizeof(a), ns_of(zero[m])));
		bench_out("{\"bench\":\"zero_method\",\"name\":\"%s\",\"ns\":%s}\n", zero_names[m],
			  fixed3(b, sizeof(b), ns_of(zero[m])));
	}
	return 0;
}

/*
 * The floors again, quietly, right before a scenario that is compared with
 * them: on a busy host, speed drifts over a run, and a ratio is only fair
 * between numbers taken close together.
 */
static int floors_refresh(void)
{
	u64 zero[3], invlpg_each;

	return floors_measure(&invlpg_each, zero);
}

/* After big_alloc/vzalloc: their cost per page against the floors they need. */
static void print_floor_ratio(const struct bench_scenario *sc, const struct bench_result *res)
{
	u64 floor = floor_sum(sc->floors);
	char a[24], b[24], c[24];

	if (!floor || !res->pages)
		return;
	bench_out("  %s: %s ns/page = %s x floor (page + pte%s = %s ns/page, measured just "
		  "before), target <= 1.2\n",
		  sc->name, fixed2(a, sizeof(a), ns_of(result_cyc_page_x1000(res))),
		  fixed2(b, sizeof(b), result_cyc_page_x1000(res) * 1000 / floor),
		  (sc->floors & FLOOR_ZERO) ? " + zero" : "", fixed2(c, sizeof(c), ns_of(floor)));
}

/* ---------------------------------------------------------------------- */
/* Scaling: 1-page alloc+free against the number of live areas.           */

#define SCALING_LOOPS		 100000UL
#define SCALING_SPACER_MAX_PAGES 16
static const unsigned long scaling_n[] = { 10, 100, 1000, 10000, 100000 };

struct scaling_state {
	void **keep;		   /* N live 1-page vmalloc areas */
	struct vm_struct **spacer; /* N reservations freed to make the holes */
	unsigned long n;
};

static void scaling_release(struct scaling_state *s)
{
	if (s->keep)
		for (unsigned long i = 0; i < s->n; i++)
			vfree(s->keep[i]);
	if (s->spacer)
		for (unsigned long i = 0; i < s->n; i++)
			free_vm_area(s->spacer[i]);
	vfree(s->keep);
	vfree(s->spacer);
	vm_unmap_aliases();
}

/*
 * Lay out [spacer][keep][spacer][keep]... from the lowest free address,
 * then free every spacer: N live areas with N holes of 2..17 pages
 * between them. Spacers are bare reservations (get_vm_area(), no pages) so
 * that 100 000 holes of random size fit in the guest's memory; the tree
 * shapes are the same as with vmalloc()ed spacers.
 */
static int scaling_populate(struct scaling_state *s, unsigned long n)
{
	u64 rng = BENCH_SEED ^ n;

	memset(s, 0, sizeof(*s));
	s->keep = ptr_array_alloc(n);
	s->spacer = (struct vm_struct **)ptr_array_alloc(n);
	if (!s->keep || !s->spacer)
		goto fail;
	for (; s->n < n; s->n++) {
		unsigned long pages = 1 + bench_rand(&rng) % SCALING_SPACER_MAX_PAGES;

		s->spacer[s->n] = get_vm_area_caller(pages << PAGE_SHIFT, VM_MAP, caller_ip());
		s->keep[s->n] = vmalloc(PAGE_SIZE);
		if (!s->spacer[s->n] || !s->keep[s->n]) {
			s->n++;
			goto fail;
		}
	}
	for (unsigned long i = 0; i < n; i++) {
		free_vm_area(s->spacer[i]);
		s->spacer[i] = NULL;
	}
	vm_unmap_aliases();
	return 0;
fail:
	scaling_release(s);
	return -ENOMEM;
}

static const struct bench_scenario scaling_step = {
	.name = "scaling",
	.size = PAGE_SIZE,
	.step = step_fixed,
};

static int scaling_run(void)
{
	struct bench_result res[ARRAY_SIZE(scaling_n)];
	struct scaling_state s;
	u64 ratio;
	char a[24];

	bench_out("scaling: 1-page vmalloc+vfree, %lu loops, with N live areas and N holes\n",
		  SCALING_LOOPS);
	bench_out("%10s %8s %8s %8s %8s %8s %7s\n", "N", "ns/op", "min", "max", "cyc/op",
		  "free_blk", "purges");
	for (unsigned int i = 0; i < ARRAY_SIZE(scaling_n); i++) {
		unsigned long blocks;
		int err = scaling_populate(&s, scaling_n[i]);

		if (!err) {
			blocks = vmalloc_stats.nr_free_blocks;
			err = scenario_measure(&scaling_step, SCALING_LOOPS, BENCH_REPS, &res[i]);
			scaling_release(&s);
		}
		if (err) {
			pr_err("bench: scaling at N=%lu failed (%d)\n", scaling_n[i], err);
			return err;
		}
		bench_out("%10lu %8lu %8lu %8lu %8lu %8lu %7lu\n", scaling_n[i], res[i].ns_med,
			  res[i].ns_min, res[i].ns_max, res[i].cyc_med, blocks, res[i].purges);
		bench_out("{\"bench\":\"scaling\",\"n\":%lu,\"ns_med\":%lu,\"ns_min\":%lu,"
			  "\"ns_max\":%lu,\"cyc_med\":%lu,\"free_blocks\":%lu}\n",
			  scaling_n[i], res[i].ns_med, res[i].ns_min, res[i].ns_max, res[i].cyc_med,
			  blocks);
	}
	ratio = res[ARRAY_SIZE(scaling_n) - 1].cyc_med * 1000 / max(res[0].cyc_med, 1UL);

	bench_out("scaling: N=100000 / N=10 = %s (target <= 1.5)\n", fixed2(a, sizeof(a), ratio));
	bench_out("{\"bench\":\"scaling_ratio\",\"ratio\":%s}\n", fixed3(a, sizeof(a), ratio));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Cost per page against the size of the allocation.                      */

#define CURVE_MAX_ORDER	    14 /* 2^14 pages = 64 MiB */
#define CURVE_PAGES_PER_REP 32768UL

static int size_curve_run(void)
{
	bench_out("size_curve: vmalloc+vfree, cost per page by size\n");
	bench_out("%8s %7s %10s %8s %8s\n", "pages", "loops", "ns/op", "ns/page", "cyc/page");
	for (unsigned int order = 0; order <= CURVE_MAX_ORDER; order++) {
		struct bench_scenario sc = { .name = "size_curve",
					     .size = PAGE_SIZE << order,
					     .step = step_fixed };
		unsigned long loops = clamp(CURVE_PAGES_PER_REP >> order, 4UL, 4096UL);
		struct bench_result res;
		int err = scenario_measure(&sc, loops, BENCH_REPS, &res);

		if (err) {
			pr_err("bench: size_curve at %lu pages failed (%d)\n", 1UL << order, err);
			return err;
		}
		bench_out("%8lu %7lu %10lu %8lu %8lu\n", 1UL << order, loops, res.ns_med,
			  res.ns_page, result_cyc_page_x1000(&res) / 1000);
		bench_out("{\"bench\":\"size_curve\",\"pages\":%lu,\"loops\":%lu,\"ns_med\":%lu,"
			  "\"ns_page\":%lu}\n",
			  1UL << order, loops, res.ns_med, res.ns_page);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* A map of the vmalloc range after a random workload.                    */

#define MAP_AREAS    600
#define MAP_PER_LINE 16

/* Print [offset, pages, guard pages] of @vm, 16 to a JSON line. */
static void map_emit(char *line, size_t size, size_t *len, unsigned int *n,
		     const struct vm_struct *vm)
{
	if (vm)
		*len += scnprintf(line + *len, size - *len, "%s[%lu,%lu,%u]", *n ? "," : "",
				  ((unsigned long)vm->addr - VMALLOC_START) >> PAGE_SHIFT,
				  vm->size >> PAGE_SHIFT, (vm->flags & VM_NO_GUARD) ? 0 : 1);
	if ((vm && ++*n == MAP_PER_LINE) || (!vm && *n)) {
		bench_out("{\"bench\":\"map\",\"areas\":[%s]}\n", line);
		*n = 0;
		*len = 0;
	}
}

/*
 * Walk [VMALLOC_START, @top) page by page with find_vm_area(): every busy
 * area there (the workload's and any other) is printed, guard page
 * included, and skipped; what lies between is free (the caller purged).
 */
static void map_print(unsigned long top)
{
	unsigned long addr = VMALLOC_START, busy = 0, free = 0;
	unsigned int n = 0;
	char line[480];
	size_t len = 0;

	bench_out("{\"bench\":\"map_begin\",\"base\":\"%#lx\",\"span_pages\":%lu}\n", VMALLOC_START,
		  (top - VMALLOC_START) >> PAGE_SHIFT);
	while (addr < top) {
		struct vm_struct *vm = find_vm_area((void *)addr);

		if (!vm) {
			free++;
			addr += PAGE_SIZE;
			continue;
		}
		busy++;
		map_emit(line, sizeof(line), &len, &n, vm);
		addr = (unsigned long)vm->addr + vm->size;
	}
	map_emit(line, sizeof(line), &len, &n, NULL);
	bench_out("map: %lu busy areas and %lu free pages below %#lx (JSON \"map\" lines)\n", busy,
		  free, top);
}

/*
 * The random workload: MAP_AREAS areas of 1..100 pages, a random half of
 * them freed, the lazy ones purged; then the map, then everything freed.
 */
static int map_run(void)
{
	void **p = ptr_array_alloc(MAP_AREAS);
	u64 rng = BENCH_SEED;
	unsigned long i, top = VMALLOC_START;
	int err = -ENOMEM;

	if (!p)
		return -ENOMEM;
	for (i = 0; i < MAP_AREAS; i++)
		if (!(p[i] = vmalloc((1 + bench_rand(&rng) % 100) << PAGE_SHIFT)))
			goto out;
	for (i = 0; i < MAP_AREAS; i++) {
		if (bench_rand(&rng) & 1) {
			vfree(p[i]);
			p[i] = NULL;
		}
	}
	vm_unmap_aliases();
	for (i = 0; i < MAP_AREAS; i++) {
		struct vm_struct *vm = p[i] ? find_vm_area(p[i]) : NULL;

		if (vm)
			top = max(top, (unsigned long)vm->addr + vm->size);
	}
	map_print(top);
	err = 0;
out:
	for (i = 0; i < MAP_AREAS; i++)
		vfree(p[i]);
	vfree(p);
	vm_unmap_aliases();
	return err;
}

/* ---------------------------------------------------------------------- */
/* Memory: metadata per live area and per mapped page.                    */

#define MEM_AREAS     20000UL
#define MEM_BIG_PAGES 16384UL

static void print_meta(const char *what, unsigned long bytes_x1000, const char *note)
{
	char a[24];

	bench_out("  %-28s %9s B  %s\n", what, fixed2(a, sizeof(a), bytes_x1000), note);
}

/*
 * Metadata per live 1-page area: the drop of nr_free_pages() over
 * MEM_AREAS vmalloc(PAGE_SIZE) calls, less the data pages and our own
 * pointer array. ksize() names the vm_struct and pages-array parts; the
 * rest is the vmap_area and slab slack. Page tables are counted as the
 * kernel allocates them: a range whose tables already exist costs none.
 */
static int memory_per_area(unsigned long *total, unsigned long *vm_bytes, unsigned long *arr_bytes,
			   unsigned long *pt_pages)
{
	struct bench_ctx ctx = { 0 };
	unsigned long free0, pt0, used;
	struct vm_struct *vm;
	bool inline_arr;

	vm_unmap_aliases();
	free0 = nr_free_pages();
	pt0 = pgtable_stats.pt_pages;
	if (hold_pages(&ctx, MEM_AREAS))
		return -ENOMEM;
	used = free0 - nr_free_pages() - MEM_AREAS -
	       DIV_ROUND_UP(MEM_AREAS * sizeof(void *), PAGE_SIZE) - 1;
	vm = find_vm_area(ctx.live[0]);
	*vm_bytes = ksize(vm);
	/* A small area's pages array lives inside its vm_struct's object. */
	inline_arr = (char *)vm->pages > (char *)vm && (char *)vm->pages < (char *)vm + *vm_bytes;
	*arr_bytes = inline_arr ? 0 : ksize(vm->pages);
	*pt_pages = pgtable_stats.pt_pages - pt0;
	*total = used * PAGE_SIZE * 1000 / MEM_AREAS;
	free_live(&ctx);
	return 0;
}

/* Metadata per mapped page of one 64 MiB area: the pages array and the PTEs. */
static int memory_per_page(unsigned long *per_page, unsigned long *pt_pages)
{
	unsigned long free0, pt0;
	void *big;

	vm_unmap_aliases();
	free0 = nr_free_pages();
	pt0 = pgtable_stats.pt_pages;
	big = vmalloc(MEM_BIG_PAGES << PAGE_SHIFT);
	if (!big)
		return -ENOMEM;
	*per_page = (free0 - nr_free_pages() - MEM_BIG_PAGES) * PAGE_SIZE * 1000 / MEM_BIG_PAGES;
	*pt_pages = pgtable_stats.pt_pages - pt0;
	vfree(big);
	vm_unmap_aliases();
	return 0;
}

static int memory_run(void)
{
	unsigned long total, vm_bytes, arr_bytes, pt_area, per_page, pt_big;
	char a[24], b[24];

	if (memory_per_area(&total, &vm_bytes, &arr_bytes, &pt_area) ||
	    memory_per_page(&per_page, &pt_big))
		return -ENOMEM;
	bench_out(
		"memory: %lu live 1-page areas (nr_free_pages() before/after), %lu new PT pages\n",
		MEM_AREAS, pt_area);
	print_meta("per live area", total, "");
	print_meta("  vm_struct (slab)", vm_bytes * 1000, arr_bytes ? "" : "(pages array inside)");
	print_meta("  pages array (kmalloc)", arr_bytes * 1000, "");
	print_meta("  vmap_area + slab slack",
		   total - min(total, (vm_bytes + arr_bytes) * 1000 +
					      pt_area * PAGE_SIZE * 1000 / MEM_AREAS),
		   "");
	print_meta("  page tables", pt_area * PAGE_SIZE * 1000 / MEM_AREAS,
		   "(16 B when new: 2 PTEs, area + guard)");
	bench_out("memory: one 64 MiB area, %lu new PT pages\n", pt_big);
	print_meta("per mapped page", per_page, "(the pages array, 8 B)");
	print_meta("  + PTE", 8000, "(in tables that stay, 1/512 of a page each)");
	bench_out("{\"bench\":\"memory\",\"per_area\":%s,\"vm_struct\":%lu,\"pages_array\":%lu,"
		  "\"pt_pages_new\":%lu,\"per_page\":%s,\"pte\":8}\n",
		  fixed3(a, sizeof(a), total), vm_bytes, arr_bytes, pt_area,
		  fixed3(b, sizeof(b), per_page));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Profile: vmalloc's phases, one by one, through the public API.         */

enum phase {
	PH_RESERVE,    /* get_vm_area: vm_struct, vmap_area, range search, busy insert */
	PH_ARRAY,      /* the pages array */
	PH_PAGES,      /* alloc_page() per page */
	PH_MAP,	       /* vmap_pages_range(): PTE writes */
	PH_TOUCH,      /* first access: TLB fill */
	PH_UNMAP,      /* vunmap_range_noflush(): PTE clears */
	PH_FREE_PAGES, /* __free_page() per page */
	PH_FREE_ARRAY,
	PH_RELEASE, /* free_vm_area() without a purge: detach, lazy insert */
	PH_PURGE,   /* free_vm_area() calls that purged: TLB flush + merges */
	NR_PHASES
};

static const char *const phase_names[NR_PHASES] = {
	"reserve",    "pages_array", "alloc_pages", "map_ptes",	    "touch",
	"unmap_ptes", "free_pages",  "free_array",  "release_lazy", "purge_flush",
};

static struct page **profile_array_alloc(unsigned long pages)
{
	if (pages * sizeof(struct page *) > PAGE_SIZE)
		return (struct page **)ptr_array_alloc(pages);
	return kcalloc(pages, sizeof(struct page *), GFP_KERNEL);
}

static void profile_array_free(struct page **arr)
{
	if (is_vmalloc_addr(arr))
		vfree(arr);
	else
		kfree(arr);
}

/*
 * One vmalloc+vfree done by hand, each phase timed into @cyc. The steps
 * are vmalloc's own, in its order, through the public API.
 */
static int profile_once(unsigned long pages, u64 cyc[NR_PHASES])
{
	unsigned long purges = vmalloc_stats.nr_purges, addr, end, n = 0;
	struct vm_struct *area;
	struct page **arr;
	u64 t = rdtsc_ordered(), t1;

#define PHASE(ph)                     \
	do {                          \
		t1 = rdtsc_ordered(); \
		cyc[ph] += t1 - t;    \
		t = t1;               \
	} while (0)
	area = get_vm_area_caller(pages << PAGE_SHIFT, VM_MAP, caller_ip());
	PHASE(PH_RESERVE);
	if (!area)
		return -ENOMEM;
	addr = (unsigned long)area->addr;
	end = addr + (pages << PAGE_SHIFT);
	arr = profile_array_alloc(pages);
	PHASE(PH_ARRAY);
	if (!arr)
		goto out_free_area;
	for (; n < pages; n++)
		if (!(arr[n] = alloc_page(GFP_KERNEL)))
			goto out_free_pages;
	PHASE(PH_PAGES);
	if (vmap_pages_range(addr, end, PAGE_KERNEL, arr))
		goto out_free_pages;
	PHASE(PH_MAP);
	touch(area->addr);
	PHASE(PH_TOUCH);
	vunmap_range_noflush(addr, end);
	PHASE(PH_UNMAP);
	while (n)
		__free_page(arr[--n]);
	PHASE(PH_FREE_PAGES);
	profile_array_free(arr);
	PHASE(PH_FREE_ARRAY);
	free_vm_area(area);
	PHASE(vmalloc_stats.nr_purges != purges ? PH_PURGE : PH_RELEASE);
#undef PHASE
	return 0;

out_free_pages:
	while (n)
		__free_page(arr[--n]);
	profile_array_free(arr);
out_free_area:
	free_vm_area(area);
	return -ENOMEM;
}

static const unsigned long profile_pages[] = { 1, 3, 16384 };

static int profile_size(unsigned long pages)
{
	unsigned long loops = pages >= 1024 ? 10 : 20000;
	struct bench_scenario sc = { .name = "profile",
				     .size = pages << PAGE_SHIFT,
				     .step = step_fixed };
	u64 cyc[NR_PHASES] = { 0 }, sum = 0, ovh, t0;
	struct bench_result direct;

	/* the cost of one PHASE() itself, to subtract */
	t0 = rdtsc_ordered();
	for (unsigned int i = 0; i < 1000; i++)
		rdtsc_ordered();
	ovh = (rdtsc_ordered() - t0) / 1000;

	vm_unmap_aliases();
	for (unsigned long i = 0; i < loops; i++)
		if (profile_once(pages, cyc))
			return -ENOMEM;
	vm_unmap_aliases();
	if (scenario_measure(&sc, loops, 3, &direct))
		return -ENOMEM;
	for (unsigned int ph = 0; ph < NR_PHASES; ph++) {
		cyc[ph] = cyc[ph] / loops;
		cyc[ph] -= min(cyc[ph], ph == PH_PURGE ? 0 : ovh); /* purges are rare */
		sum += cyc[ph];
	}
	bench_out("profile: %lu page(s), %lu loops; vmalloc+vfree itself: %lu ns/op\n", pages,
		  loops, direct.ns_med);
	for (unsigned int ph = 0; ph < NR_PHASES; ph++) {
		bench_out("  %-13s %10lu ns/op %5lu%%\n", phase_names[ph], ns_of(cyc[ph]),
			  sum ? cyc[ph] * 100 / sum : 0);
		bench_out("{\"bench\":\"profile\",\"pages\":%lu,\"phase\":\"%s\",\"ns\":%lu}\n",
			  pages, phase_names[ph], ns_of(cyc[ph]));
	}
	bench_out("  %-13s %10lu ns/op (rdtsc cost %lu cycles subtracted per phase)\n", "sum",
		  ns_of(sum), ovh);
	return 0;
}

/* Slab pairs: the kmalloc/kfree that vmalloc does two or three times per call. */
static void profile_slab(void)
{
	static const size_t sizes[] = { 8, 64, 128 };

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 t0 = rdtsc_ordered();

		for (unsigned int n = 0; n < 10000; n++)
			kfree(kmalloc(sizes[i], GFP_KERNEL));
		bench_out("  kmalloc(%zu)+kfree %lu ns/op\n", sizes[i],
			  ns_of((rdtsc_ordered() - t0) / 10000));
	}
}

static int profile_run(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(profile_pages); i++) {
		int err = profile_size(profile_pages[i]);

		if (err) {
			pr_err("bench: profile at %lu pages failed (%d)\n", profile_pages[i], err);
			return err;
		}
	}
	profile_slab();
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The scenarios, in the order bench=all runs them.                        */

static const struct bench_scenario scenarios[] = {
	{ .name = "floors",
	  .desc = "per-page floors: buddy, PTE + flush, zeroing",
	  .run = floors_run },
	{ .name = "fix_size_alloc",
	  .desc = "vmalloc(3 pages) + vfree",
	  .loops = 100000,
	  .size = 3 * PAGE_SIZE,
	  .linux_ns = 5325,
	  .step = step_fixed },
	{ .name = "fix_size_1page",
	  .desc = "vmalloc(1 page) + vfree",
	  .loops = 100000,
	  .size = PAGE_SIZE,
	  .linux_ns = 5348,
	  .step = step_fixed },
	{ .name = "fix_align_alloc",
	  .desc = "5 pages aligned to 32 KiB",
	  .loops = 100000,
	  .size = 5 * PAGE_SIZE,
	  .align = 32768,
	  .step = step_fixed_align },
	{ .name = "random_size_alloc",
	  .desc = "1..100 pages, fixed seed",
	  .loops = 100000,
	  .linux_ns = 24328,
	  .step = step_random_size },
	{ .name = "random_size_align_alloc",
	  .desc = "1..10 pages aligned 4 KiB..1 MiB",
	  .loops = 100000,
	  .step = step_random_align },
	{ .name = "long_busy_list_alloc",
	  .desc = "1 page while 50000 1-page areas are live",
	  .loops = 100000,
	  .size = PAGE_SIZE,
	  .linux_ns = 5847,
	  .setup = setup_long_busy,
	  .step = step_fixed },
	{ .name = "full_fit_alloc",
	  .desc = "1 page into 8192 exact holes",
	  .loops = 100000,
	  .size = PAGE_SIZE,
	  .linux_ns = 5901,
	  .setup = setup_full_fit,
	  .step = step_fixed },
	{ .name = "big_alloc",
	  .desc = "vmalloc(64 MiB) + vfree",
	  .loops = 10,
	  .size = 64UL << 20,
	  .floors = FLOOR_PAGE | FLOOR_PTE,
	  .linux_ns = 406,
	  .ref_per_page = true,
	  .step = step_fixed },
	{ .name = "vzalloc_16M",
	  .desc = "vzalloc(16 MiB) + vfree",
	  .loops = 20,
	  .size = 16UL << 20,
	  .floors = FLOOR_PAGE | FLOOR_PTE | FLOOR_ZERO,
	  .linux_ns = 1269,
	  .ref_per_page = true,
	  .step = step_vzalloc },
	{ .name = "vmap_1page",
	  .desc = "vmap + vunmap of one given page",
	  .loops = 100000,
	  .linux_ns = 3053,
	  .setup = setup_vmap_1page,
	  .step = step_vmap_1page,
	  .teardown = teardown_vmap_1page },
	{ .name = "scaling",
	  .desc = "1 page with N = 10..100000 live areas and holes",
	  .run = scaling_run },
	{ .name = "size_curve", .desc = "ns/page for 1 page .. 64 MiB", .run = size_curve_run },
	{ .name = "map", .desc = "vmalloc range map after a random workload", .run = map_run },
	{ .name = "memory", .desc = "metadata bytes per area and per page", .run = memory_run },
	{ .name = "profile", .desc = "vmalloc phases timed one by one", .run = profile_run },
};

static bool name_eq(const char *name, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];
		char n = name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i];

		if (!name[i] || c != n)
			return false;
	}
	return !name[len];
}

/* By name, ignoring case: the command line takes lower case only (vzalloc_16m). */
static const struct bench_scenario *scenario_find(const char *name, size_t len)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (name_eq(scenarios[i].name, name, len))
			return &scenarios[i];
	return NULL;
}

void bench_list(void)
{
	printk(KERN_INFO "bench: scenarios (bench=all or bench=name,name):\n");
	for (unsigned int i = 0; i < ARRAY_SIZE(scenarios); i++)
		printk(KERN_INFO "  %-24s %s\n", scenarios[i].name, scenarios[i].desc);
}

int bench_run_one(const char *name, unsigned long loops, unsigned int reps,
		  struct bench_result *res)
{
	const struct bench_scenario *sc = scenario_find(name, strlen(name));
	int err;

	if (!sc || !sc->step || reps > BENCH_MAX_REPS)
		return -EINVAL;
	tsc_calibrate();
	bench_quiet = true;
	err = scenario_measure(sc, loops ? loops : sc->loops, reps ? reps : BENCH_REPS, res);
	bench_quiet = false;
	return err;
}

static int bench_item(const struct bench_scenario *sc, bool *header_done)
{
	struct bench_result res;
	int err;

	if (sc->run)
		return sc->run();
	if (sc->floors && (err = floors_refresh()) != 0)
		return err;
	if (!*header_done) {
		print_table_header();
		*header_done = true;
	}
	err = scenario_measure(sc, sc->loops, BENCH_REPS, &res);
	if (err) {
		pr_err("bench: %s failed (%d)\n", sc->name, err);
		return err;
	}
	print_result(sc, &res);
	print_floor_ratio(sc, &res);
	return 0;
}

static void print_config(void)
{
	char a[24];

	bench_out("bench: TSC %s MHz (%s); %u repetitions per scenario: median [min max]\n",
		  fixed3(a, sizeof(a), tsc_khz), tsc_source_name(tsc_source), BENCH_REPS);
	bench_out("bench: %lu MiB RAM, %lu MiB free, lazy purge above %lu pages\n",
		  totalram_pages >> (20 - PAGE_SHIFT), nr_free_pages() >> (20 - PAGE_SHIFT),
		  vmalloc_lazy_max_pages());
	bench_out("{\"bench\":\"config\",\"tsc_khz\":%lu,\"tsc_source\":\"%s\",\"reps\":%u,"
		  "\"ram_pages\":%lu,\"lazy_max_pages\":%lu}\n",
		  tsc_khz, tsc_source_name(tsc_source), BENCH_REPS, totalram_pages,
		  vmalloc_lazy_max_pages());
}

/* Pages a run may leave behind: partly used slabs of the kmalloc caches. */
#define BENCH_SLACK_PAGES 256

/*
 * After everything: nothing leaked (page tables excepted, the kernel never
 * frees them), the trees are sound, and the TSC still agrees with the PIT.
 */
static int bench_check(unsigned long free0, unsigned long pt0)
{
	unsigned long pt = pgtable_stats.pt_pages - pt0;
	long held;
	u64 khz;
	int bad = 0;

	vm_unmap_aliases();
	held = (long)free0 - (long)nr_free_pages() - (long)pt;
	bench_out("bench: %ld pages held after the run (slab caches), %lu page-table pages added\n",
		  held, pt);
	if (held > BENCH_SLACK_PAGES) {
		pr_err("bench: %ld pages not returned\n", held);
		bad++;
	}
	if (vmalloc_check()) {
		pr_err("bench: vmalloc_check() failed after the run\n");
		bad++;
	}
	khz = tsc_source == TSC_SRC_PIT ? tsc_pit_khz() : 0;
	if (khz && (khz > tsc_khz + tsc_khz / 100 || khz < tsc_khz - tsc_khz / 100))
		pr_warn("bench: the TSC now runs at %lu kHz against the PIT, not %lu: times are "
			"suspect (pin QEMU to one host CPU)\n",
			khz, tsc_khz);
	return bad;
}

int bench_run(const char *spec)
{
	unsigned long free0 = nr_free_pages(), pt0 = pgtable_stats.pt_pages;
	bool all = !strcmp(spec, "all"), header_done = false;
	u64 t0 = rdtsc_ordered();
	int failed = 0;
	char a[24];

	tsc_calibrate();
	print_config();
	for (unsigned int i = 0; all && i < ARRAY_SIZE(scenarios) && !console_interrupted(); i++)
		failed += bench_item(&scenarios[i], &header_done) ? 1 : 0;
	for (const char *p = spec; !all && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const struct bench_scenario *sc = scenario_find(p, len);

		if (!sc) {
			pr_err("bench: unknown scenario \"%.*s\"\n", (int)len, p);
			bench_list();
			failed++;
		} else if (bench_item(sc, &header_done)) {
			failed++;
		}
		p += len + (comma ? 1 : 0);
	}
	failed += bench_check(free0, pt0);
	bench_out("bench: done in %s s, %d failed\n",
		  fixed2(a, sizeof(a), ns_of(rdtsc_ordered() - t0) / 1000000), failed);
	bench_out("{\"bench\":\"done\",\"failed\":%d,\"ms\":%lu}\n", failed,
		  ns_of(rdtsc_ordered() - t0) / 1000000);
	return failed;
}
