/*
 * The vmalloc scenarios, after Linux's lib/test_vmalloc.c (written anew):
 * one table, bench_scenarios[], of functions with parameters. Each does
 * real work through the public vmalloc API and returns 0 or -errno; the
 * self-tests run it small in check mode, the benchmark times it large.
 *
 * A scenario sets up what it holds (live areas, holes, a page), then calls
 * bench_timed() with its step: the step does p.loops operations, and only
 * the steps are timed, ctx->reps times. In check mode every page of every
 * area is filled with an address-derived pattern and verified before the
 * free, alignments are checked and full_fit checks that it fills its holes;
 * otherwise one byte is written per area, which is what the benchmark times.
 */
#include "internal.h"

#include "asm/pgtable.h"
#include "asm/processor.h"
#include "kernel/errno.h"
#include "lib/string.h"
#include "mm/memlayout.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define BENCH_NO_NODE (-1)

/* full_fit works in the top half of the vmalloc space, where nothing else lives. */
#define FULL_FIT_START (VMALLOC_START + vmalloc_range_size / 2)

void bench_pattern_fill(void *p, unsigned long bytes, unsigned long seed)
{
	unsigned long last = PAGE_SIZE / sizeof(long) - 1;

	for (unsigned long off = 0; off < bytes; off += PAGE_SIZE) {
		unsigned long *w = (unsigned long *)((char *)p + off);

		w[0] = (unsigned long)&w[0] ^ seed;
		w[last] = (unsigned long)&w[last] ^ seed;
	}
}

unsigned long bench_pattern_bad(const void *p, unsigned long bytes, unsigned long seed)
{
	unsigned long bad = 0, last = PAGE_SIZE / sizeof(long) - 1;

	for (unsigned long off = 0; off < bytes; off += PAGE_SIZE) {
		const unsigned long *w = (const unsigned long *)((const char *)p + off);

		bad += w[0] != ((unsigned long)&w[0] ^ seed);
		bad += w[last] != ((unsigned long)&w[last] ^ seed);
	}
	return bad;
}

void **bench_ptr_array(unsigned long n)
{
	return vzalloc(n * sizeof(void *));
}

void bench_release(void **areas, unsigned long n)
{
	if (!areas)
		return;
	for (unsigned long i = 0; i < n; i++)
		vfree(areas[i]);
	vfree(areas);
	vm_unmap_aliases();
}

void **bench_hold_pages(unsigned long n)
{
	void **areas = bench_ptr_array(n);

	for (unsigned long i = 0; areas && i < n; i++) {
		areas[i] = vmalloc(PAGE_SIZE);
		if (!areas[i]) {
			bench_release(areas, i);
			return NULL;
		}
	}
	return areas;
}

static void counters_read(struct bench_counters *c)
{
	c->flush_single = pgtable_stats.flush_single;
	c->flush_ranges = pgtable_stats.flush_ranges;
	c->flush_all = pgtable_stats.flush_all;
	c->pt_pages = pgtable_stats.pt_pages;
	c->purges = vmalloc_stats.nr_purges;
}

/*
 * Run @step ctx->reps times, each timed and from the same seed. Each
 * repetition ends with vm_unmap_aliases() inside its timing, so it pays for
 * the purges of its own frees and leaves no lazy backlog to the next one (or
 * to be purged untimed after the last); make bench-linux's module does the
 * same. With bench_threads > 1 (never in check mode) each repetition runs
 * on a team of threads (team.c).
 */
static int bench_timed(struct bench_ctx *ctx, int (*step)(struct bench_ctx *ctx))
{
	int err = 0;

	counters_read(&ctx->c0);
	for (unsigned int r = 0; r < ctx->reps && !err; r++) {
		u64 t0;

		if (bench_threads > 1 && !ctx->check) {
			err = bench_team_rep(ctx, step, &ctx->cyc[r]);
			continue;
		}
		rnd_seed(&ctx->rng, BENCH_SEED);
		t0 = rdtsc_ordered();
		err = step(ctx);
		ctx->lazy_end += vmalloc_stats.lazy_pages;
		vm_unmap_aliases();
		ctx->cyc[r] = rdtsc_ordered() - t0;
	}
	counters_read(&ctx->c1);
	return err;
}

static void *range_alloc(unsigned long size, unsigned long align, unsigned long start)
{
	return __vmalloc_node_range(size, align, start, VMALLOC_END, GFP_KERNEL, PAGE_KERNEL, 0,
				    BENCH_NO_NODE, __builtin_return_address(0));
}

static void *area_alloc(const struct bench_ctx *ctx, unsigned long pages, unsigned long align)
{
	unsigned long size = pages << PAGE_SHIFT;

	if (ctx->holes)
		return range_alloc(size, PAGE_SIZE, FULL_FIT_START);
	if (align)
		return range_alloc(size, align, VMALLOC_START);
	return vmalloc(size);
}

static bool is_hole(const struct bench_ctx *ctx, const void *p)
{
	for (unsigned long i = 0; i < ctx->nr_holes; i++)
		if (ctx->holes[i] == (unsigned long)p)
			return true;
	return false;
}

/* Check mode: @p is where it must be, and each of its pages holds its own data. */
static int area_verify(const struct bench_ctx *ctx, void *p, unsigned long bytes,
		       unsigned long align)
{
	if (align && ((unsigned long)p & (align - 1)))
		return -EFAULT;
	/* while holes remain, each area takes one whole (lazy frees keep theirs busy) */
	if (ctx->holes && ctx->nr_frees < ctx->nr_holes && !is_hole(ctx, p))
		return -EFAULT;
	bench_pattern_fill(p, bytes, ctx->nr_frees);
	return bench_pattern_bad(p, bytes, ctx->nr_frees) ? -EIO : 0;
}

/* One operation: allocate @pages (aligned to @align if non-zero), use, free. */
static __always_inline int alloc_use_free(struct bench_ctx *ctx, unsigned long pages,
					  unsigned long align)
{
	void *p = area_alloc(ctx, pages, align);
	int err = 0;

	if (!p)
		return -ENOMEM;
	if (ctx->check)
		err = area_verify(ctx, p, pages << PAGE_SHIFT, align);
	else
		bench_touch(p);
	vfree(p);
	ctx->nr_pages += pages;
	ctx->nr_frees++;
	return err;
}

static int step_fixed(struct bench_ctx *ctx)
{
	for (unsigned long i = 0; i < ctx->p.loops; i++) {
		int err = alloc_use_free(ctx, ctx->p.pages, ctx->p.align);

		if (err)
			return err;
	}
	return 0;
}

/* 1..p.pages pages, uniformly. */
static int step_random_size(struct bench_ctx *ctx)
{
	for (unsigned long i = 0; i < ctx->p.loops; i++) {
		int err = alloc_use_free(ctx, 1 + rnd_below(&ctx->rng, ctx->p.pages), 0);

		if (err)
			return err;
	}
	return 0;
}

/* 1..p.pages pages aligned to PAGE_SIZE..p.align (powers of two), both uniformly. */
static int step_random_align(struct bench_ctx *ctx)
{
	unsigned int shifts = __builtin_ctzl(ctx->p.align) - PAGE_SHIFT + 1;

	for (unsigned long i = 0; i < ctx->p.loops; i++) {
		u64 r = rnd_next(&ctx->rng);
		int err = alloc_use_free(ctx, 1 + r % ctx->p.pages,
					 PAGE_SIZE << ((r >> 32) % shifts));

		if (err)
			return err;
	}
	return 0;
}

static int step_vzalloc(struct bench_ctx *ctx)
{
	unsigned long bytes = ctx->p.pages << PAGE_SHIFT;

	for (unsigned long i = 0; i < ctx->p.loops; i++) {
		void *p = vzalloc(bytes);
		int err = 0;

		if (!p)
			return -ENOMEM;
		if (ctx->check && memchr_inv(p, 0, bytes))
			err = -EIO;
		else if (ctx->check)
			err = area_verify(ctx, p, bytes, 0);
		else
			bench_touch(p);
		vfree(p);
		ctx->nr_pages += ctx->p.pages;
		ctx->nr_frees++;
		if (err)
			return err;
	}
	return 0;
}

/* vmap the same page each time; check mode: the write lands in that page. */
static int step_vmap(struct bench_ctx *ctx)
{
	for (unsigned long i = 0; i < ctx->p.loops; i++) {
		u8 *p = vmap(&ctx->page, 1, 0, PAGE_KERNEL);
		int err = 0;

		if (!p)
			return -ENOMEM;
		bench_touch(p);
		if (ctx->check) {
			p[7] = (u8)i;
			err = ((u8 *)page_address(ctx->page))[7] != (u8)i ? -EIO : 0;
		}
		vunmap(p);
		ctx->nr_pages++;
		ctx->nr_frees++;
		if (err)
			return err;
	}
	return 0;
}

static int fixed_size(struct bench_ctx *ctx)
{
	return bench_timed(ctx, step_fixed);
}

static int random_size(struct bench_ctx *ctx)
{
	return bench_timed(ctx, step_random_size);
}

static int random_size_align(struct bench_ctx *ctx)
{
	return bench_timed(ctx, step_random_align);
}

static int vzalloc_pages(struct bench_ctx *ctx)
{
	return bench_timed(ctx, step_vzalloc);
}

/* vmalloc_huge(): 2 MiB leaves where the buddy has order-9 blocks. */
static int step_huge(struct bench_ctx *ctx)
{
	for (unsigned long i = 0; i < ctx->p.loops; i++) {
		void *p = vmalloc_huge(ctx->p.pages << PAGE_SHIFT, GFP_KERNEL);
		int err = 0;

		if (!p)
			return -ENOMEM;
		if (ctx->check)
			err = area_verify(ctx, p, ctx->p.pages << PAGE_SHIFT, 0);
		else
			bench_touch(p);
		vfree(p);
		ctx->nr_pages += ctx->p.pages;
		ctx->nr_frees++;
		if (err)
			return err;
	}
	return 0;
}

static int big_alloc_huge(struct bench_ctx *ctx)
{
	return bench_timed(ctx, step_huge);
}

/* p.held 1-page areas stay live while the operations run. */
static int long_busy_list(struct bench_ctx *ctx)
{
	void **held = bench_hold_pages(ctx->p.held);
	int err;

	if (!held)
		return -ENOMEM;
	err = bench_timed(ctx, step_fixed);
	bench_release(held, ctx->p.held);
	return err;
}

/*
 * p.held pairs of 1-page areas; the second of each pair is freed and
 * purged, leaving p.held holes of exactly one page plus its guard, each
 * between two live areas. A 1-page vmalloc fits a hole exactly.
 */
static int full_fit(struct bench_ctx *ctx)
{
	unsigned long n = ctx->p.held, made = 0;
	unsigned long *holes = (unsigned long *)bench_ptr_array(n);
	void **keep = bench_ptr_array(n);
	int err = -ENOMEM;

	if (!holes || !keep)
		goto out;
	for (; made < n; made++) {
		keep[made] = range_alloc(PAGE_SIZE, PAGE_SIZE, FULL_FIT_START);
		holes[made] = (unsigned long)range_alloc(PAGE_SIZE, PAGE_SIZE, FULL_FIT_START);
		if (!keep[made] || !holes[made]) {
			made++;
			goto out;
		}
	}
	for (unsigned long i = 0; i < n; i++)
		vfree((void *)holes[i]);
	made = 0;
	vm_unmap_aliases(); /* the holes are free blocks from now on */
	ctx->holes = holes;
	ctx->nr_holes = n;
	err = bench_timed(ctx, step_fixed);
	ctx->holes = NULL;
out:
	for (unsigned long i = 0; holes && i < made; i++)
		vfree((void *)holes[i]);
	vfree(holes);
	bench_release(keep, keep ? n : 0);
	return err;
}

static int vmap_1page(struct bench_ctx *ctx)
{
	int err;

	ctx->page = alloc_page(GFP_KERNEL);
	if (!ctx->page)
		return -ENOMEM;
	err = bench_timed(ctx, step_vmap);
	__free_page(ctx->page);
	ctx->page = NULL;
	return err;
}

/*
 * In the order bench=all runs them (scripts/linux-bench/contig_bench.c has
 * the same table for Linux: keep the two in step). The floor counts a page
 * popped and pushed plus a PTE written and cleared per page unless .floors
 * says otherwise.
 */
const struct bench_scenario bench_scenarios[] = {
	{ .name = "fix_size_alloc",
	  .desc = "vmalloc(3 pages) + vfree",
	  .fn = fixed_size,
	  .test = { .loops = 200, .pages = 3 },
	  .bench = { .loops = 100000, .pages = 3 } },
	{ .name = "fix_size_1page",
	  .desc = "vmalloc(1 page) + vfree",
	  .fn = fixed_size,
	  .test = { .loops = 200, .pages = 1 },
	  .bench = { .loops = 100000, .pages = 1 } },
	{ .name = "fix_align_alloc",
	  .desc = "5 pages aligned to 32 KiB",
	  .fn = fixed_size,
	  .test = { .loops = 200, .pages = 5, .align = 32768 },
	  .bench = { .loops = 100000, .pages = 5, .align = 32768 } },
	{ .name = "random_size_alloc",
	  .desc = "1..100 pages, fixed seed",
	  .fn = random_size,
	  .test = { .loops = 300, .pages = 100 },
	  .bench = { .loops = 100000, .pages = 100 } },
	{ .name = "random_size_align_alloc",
	  .desc = "1..10 pages aligned 4 KiB..1 MiB",
	  .fn = random_size_align,
	  .test = { .loops = 300, .pages = 10, .align = 1UL << 20 },
	  .bench = { .loops = 100000, .pages = 10, .align = 1UL << 20 } },
	{ .name = "long_busy_list_alloc",
	  .desc = "1 page while 50000 1-page areas are live",
	  .fn = long_busy_list,
	  .test = { .loops = 200, .pages = 1, .held = 500 },
	  .bench = { .loops = 100000, .pages = 1, .held = 50000 } },
	{ .name = "full_fit_alloc",
	  .desc = "1 page into 8192 exact holes",
	  .fn = full_fit,
	  .test = { .loops = 100, .pages = 1, .held = 64 },
	  .bench = { .loops = 100000, .pages = 1, .held = 8192 } },
	{ .name = "big_alloc",
	  .desc = "vmalloc(64 MiB) + vfree",
	  .fn = fixed_size,
	  .test = { .loops = 4, .pages = 256 },
	  .bench = { .loops = 10, .pages = 16384 },
	  .floors = BENCH_FLOOR_PAGE | BENCH_FLOOR_PTE,
	  .ref_per_page = true },
	{ .name = "big_alloc_huge",
	  .desc = "vmalloc_huge(64 MiB) + vfree: 2 MiB leaves",
	  .fn = big_alloc_huge,
	  .test = { .loops = 2, .pages = 513 },
	  .bench = { .loops = 10, .pages = 16384 },
	  .ref_per_page = true },
	{ .name = "vzalloc",
	  .desc = "vzalloc(16 MiB) + vfree",
	  .fn = vzalloc_pages,
	  .test = { .loops = 4, .pages = 64 },
	  .bench = { .loops = 20, .pages = 4096 },
	  .floors = BENCH_FLOOR_PAGE | BENCH_FLOOR_PTE | BENCH_FLOOR_ZERO,
	  .ref_per_page = true },
	{ .name = "vmap_1page",
	  .desc = "vmap + vunmap of one given page",
	  .fn = vmap_1page,
	  .test = { .loops = 200, .pages = 1 },
	  .bench = { .loops = 100000, .pages = 1 },
	  .floors = BENCH_FLOOR_PTE },
};

const unsigned int bench_nr_scenarios = ARRAY_SIZE(bench_scenarios);

const struct bench_scenario *bench_scenario_find(const char *name)
{
	for (unsigned int i = 0; i < bench_nr_scenarios; i++)
		if (!strcmp(bench_scenarios[i].name, name))
			return &bench_scenarios[i];
	return NULL;
}

int bench_scenario_run(const struct bench_scenario *sc, const struct bench_params *p,
		       unsigned int reps, bool check, struct bench_ctx *ctx)
{
	if (!reps || reps > BENCH_MAX_REPS)
		return -EINVAL;
	memset(ctx, 0, sizeof(*ctx));
	ctx->p = *p;
	ctx->reps = reps;
	ctx->check = check;
	vm_unmap_aliases(); /* start with an empty lazy list */
	return sc->fn(ctx);
}
