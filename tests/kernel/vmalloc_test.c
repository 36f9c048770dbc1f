/*
 * In-kernel tests for mm/vmalloc.c: the scenarios of Linux's
 * lib/test_vmalloc.c, from the one table the benchmark times too
 * (bench_scenarios[], debug/bench/scenarios.c), run small as correctness
 * tests (every page of every area filled with an address-derived pattern
 * and checked before it is freed); plus guard-page faults, window limits,
 * fault injection, a long random run against vmalloc_check(), misuse, and
 * the translation helpers.
 *
 * Tests that need a window of their own use the top of the vmalloc range,
 * which the lowest-fit allocator reaches last: nothing else lives there.
 */
#include "debug/bench.h"
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "kernel/deferred.h"
#include "kernel/panic.h"
#include "lib/random.h"
#include "lib/string.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define VT_PAGES(n) ((unsigned long)(n)*PAGE_SIZE)

/* The top @pages pages of the vmalloc range, as [start, end) (end exclusive). */
static unsigned long vt_top(unsigned long pages)
{
	return VMALLOC_END + 1 - VT_PAGES(pages);
}

static void *vt_alloc_in(unsigned long size, unsigned long align, unsigned long start,
			 unsigned long end, unsigned long vm_flags)
{
	return __vmalloc_node_range(size, align, start, end, GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL,
				    vm_flags, -1, __builtin_return_address(0));
}

/* Check and free one area; report a broken pattern. */
static void vt_check_free(struct ktest *t, void *p, unsigned long bytes, unsigned long seed)
{
	KTEST_EXPECT_EQ(t, bench_pattern_bad(p, bytes, seed), 0UL);
	vfree(p);
}

/* The live areas of a test that holds many at once, for vt_free_live(). */
struct vt_live {
	void **areas;
	unsigned long n;
};

/* A ktest_defer() action: vfree the areas still in @arg's array (NULL slots are free). */
static void vt_free_live(void *arg)
{
	struct vt_live *live = arg;

	for (unsigned long i = 0; i < live->n; i++) {
		vfree(live->areas[i]);
		live->areas[i] = NULL;
	}
}

static void vt_vunmap(void *addr)
{
	vunmap(addr);
}

static void vt_iounmap(void *addr)
{
	iounmap(addr);
}

static void vt_kvfree(void *p)
{
	kvfree(p);
}

/* A ktest_defer() action: the lazy budget back to @pages. */
static void vt_lazy_restore(void *pages)
{
	vmalloc_set_lazy_max_pages((unsigned long)pages);
}

/* A ktest_defer() action: no page allocation fails any more. */
static void vt_fail_page_alloc_off(void *unused __unused)
{
	fail_page_alloc_set(0, 0);
}

/* Pages a scenario may leave in partly used slabs of the kmalloc caches. */
#define VT_SLAB_SLACK 64UL

/* Run @sc small in check mode; then every page is back and the trees are sound. */
static void vt_scenario_check(struct ktest *t, const struct bench_scenario *sc)
{
	unsigned long free0, pt0 = pgtable_stats.pt_pages;
	long kept; /* below 0 when a slab gave back an empty page of earlier tests */
	struct bench_ctx ctx;
	int err;

	vm_unmap_aliases();
	free0 = nr_free_pages();
	err = bench_scenario_run(sc, &sc->test, 1, true, &ctx);
	if (err)
		ktest_fail(t, __FILE__, __LINE__, "%s: returned %d", sc->name, err);
	else if (ctx.nr_frees != sc->test.loops)
		ktest_fail(t, __FILE__, __LINE__, "%s: %lu frees for %lu loops", sc->name,
			   ctx.nr_frees, sc->test.loops);
	vm_unmap_aliases();
	kept = (long)(free0 - nr_free_pages() - (pgtable_stats.pt_pages - pt0));
	if (kept > (long)VT_SLAB_SLACK)
		ktest_fail(t, __FILE__, __LINE__, "%s: %ld pages not given back", sc->name, kept);
	if (vmalloc_check())
		ktest_fail(t, __FILE__, __LINE__, "%s: vmalloc_check() failed", sc->name);
}

/* Every scenario of the table, with its self-test parameters. */
KTEST(vmalloc, scenarios_checked)
{
	for (unsigned int i = 0; i < bench_nr_scenarios; i++)
		vt_scenario_check(t, &bench_scenarios[i]);
}

/*
 * align_shift_alloc_test: one page at every alignment up to 1 GiB; inside
 * a 64-page window near the top, alignments the window cannot hold fail.
 */
KTEST(vmalloc, align_shift_alloc)
{
	unsigned long shift, align, start = vt_top(64);
	void *p;

	for (shift = PAGE_SHIFT; shift <= 30; shift++) {
		align = 1UL << shift;
		p = vt_alloc_in(VT_PAGES(1), align, VMALLOC_START, VMALLOC_END, 0);
		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT_EQ(t, (unsigned long)p & (align - 1), 0UL);
		bench_pattern_fill(p, VT_PAGES(1), shift);
		vt_check_free(t, p, VT_PAGES(1), shift);

		vm_unmap_aliases(); /* the window's last area was freed lazily */
		p = vt_alloc_in(VT_PAGES(1), align, start, VMALLOC_END, 0);
		if (ALIGN(start, align) + VT_PAGES(2) <= VMALLOC_END + 1) {
			KTEST_EXPECT_EQ(t, (unsigned long)p, ALIGN(start, align));
			vfree(p);
		} else {
			KTEST_EXPECT_NULL(t, p);
		}
	}
}

/* pcpu_alloc_test-like: many small areas alive at once, freed in random order. */
KTEST(vmalloc, many_small_areas)
{
	enum {
		N = 1000
	};
	static void *areas[N];
	static unsigned long sizes[N], seeds[N];
	static struct vt_live live = { areas, N };
	struct rnd_state rng;
	unsigned long i, j;

	memset(areas, 0, sizeof(areas));
	ktest_defer(t, vt_free_live, &live);
	rnd_seed(&rng, 0x9c9c);
	for (i = 0; i < N; i++) {
		sizes[i] = VT_PAGES(1 + rnd_below(&rng, 3));
		seeds[i] = rnd_next(&rng);
		areas[i] = vt_alloc_in(sizes[i], 1, VMALLOC_START, VMALLOC_END,
				       (i & 1) ? VM_NO_GUARD : 0);
		KTEST_ASSERT_NOT_NULL(t, areas[i]);
		bench_pattern_fill(areas[i], sizes[i], seeds[i]);
	}
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	for (i = N; i > 0; i--) {
		j = rnd_below(&rng, i);
		vt_check_free(t, areas[j], sizes[j], seeds[j]);
		areas[j] = areas[i - 1]; /* the last survivor fills the slot */
		sizes[j] = sizes[i - 1];
		seeds[j] = seeds[i - 1];
		areas[i - 1] = NULL;
	}
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* vm_map_ram_test-like: vmap() pages we own; they stay ours after vunmap(). */
KTEST(vmalloc, vmap_pages)
{
	enum {
		N = 16
	};
	struct page *pages[N];
	unsigned long free_before;
	char *v;
	int i;

	for (i = 0; i < N; i++) {
		pages[i] = ktest_alloc_pages(t, GFP_KERNEL, 0);
		KTEST_ASSERT_NOT_NULL(t, pages[i]);
	}
	v = vmap(pages, N, 0, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, v);
	ktest_defer(t, vt_vunmap, v);
	for (i = 0; i < N; i++) {
		KTEST_EXPECT_EQ(t, (unsigned long)vmalloc_to_page(v + VT_PAGES(i) + 100),
				(unsigned long)pages[i]);
		v[VT_PAGES(i) + 7] = (char)(0x40 + i);
		KTEST_EXPECT_EQ(t, ((char *)page_address(pages[i]))[7], (char)(0x40 + i));
	}
	free_before = nr_free_pages();
	ktest_release(t, vt_vunmap, v);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free_before);
	KTEST_EXPECT_NULL(t, vmalloc_to_page(v));
	for (i = 0; i < N; i++)
		ktest_free_pages(t, pages[i]);
}

/* Touching the guard page faults, at exactly the guard address. */
KTEST(vmalloc, guard_page_fault)
{
	char *p = ktest_vmalloc(t, VT_PAGES(2));
	char *guard = p + VT_PAGES(2);
	char desc[160];

	KTEST_ASSERT_NOT_NULL(t, p);
	p[VT_PAGES(2) - 1] = 1; /* last byte of the area is fine */
	KTEST_EXPECT_FAULT(t, *(volatile char *)guard = 1);
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)guard);
	KTEST_EXPECT_TRUE(t, vmalloc_describe_fault((unsigned long)guard, desc, sizeof(desc)));
	KTEST_EXPECT_EQ(t, strncmp(desc, "guard page of vmalloc area", 26), 0);
	ktest_vfree(t, p);
}

/*
 * A 16-page window exhausted exactly (8 one-page areas with guards), then
 * freed: the free tree is back to what it was, one block across the window.
 */
KTEST(vmalloc, tiny_range_exhaust)
{
	unsigned long start = vt_top(16), blocks, i;
	static void *p[10]; /* p[8], p[9]: what must not fit */
	static struct vt_live live = { p, 10 };

	vm_unmap_aliases();
	blocks = vmalloc_stats.nr_free_blocks;
	ktest_defer(t, vt_free_live, &live);
	for (i = 0; i < 8; i++) {
		p[i] = vt_alloc_in(VT_PAGES(1), 1, start, VMALLOC_END, 0);
		KTEST_EXPECT_EQ(t, (unsigned long)p[i], start + VT_PAGES(2 * i));
	}
	p[8] = vt_alloc_in(VT_PAGES(1), 1, start, VMALLOC_END, 0);
	KTEST_EXPECT_NULL(t, p[8]);
	p[9] = vt_alloc_in(VT_PAGES(16), 1, start, VMALLOC_END, VM_NO_GUARD);
	KTEST_EXPECT_NULL(t, p[9]);
	ktest_release(t, vt_free_live, &live);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_stats.nr_free_blocks, blocks);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	/* the whole window is one free block again: all 16 pages fit at once */
	p[0] = vt_alloc_in(VT_PAGES(16), 1, start, VMALLOC_END, VM_NO_GUARD);
	KTEST_EXPECT_EQ(t, (unsigned long)p[0], start);
	vfree(p[0]);
}

/*
 * Fail the i-th page of a 16-page vmalloc for every i: free pages, busy
 * areas and every PTE of the range are exactly as before.
 */
KTEST(vmalloc, fault_inject_pages)
{
	unsigned long free_before, busy_before, blocks_before, addr, i, j;
	enum pg_level level;
	void *p;

	p = vmalloc(VT_PAGES(16)); /* warm-up: page tables for the range exist */
	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)p;
	vfree(p);
	vm_unmap_aliases();
	free_before = nr_free_pages();
	busy_before = vmalloc_nr_busy();
	blocks_before = vmalloc_stats.nr_free_blocks;
	ktest_defer(t, vt_fail_page_alloc_off, NULL); /* should __vmalloc() fault */
	for (i = 1; i <= 16; i++) {
		fail_page_alloc_set(i, 1);
		p = __vmalloc(VT_PAGES(16), __GFP_NOWARN);
		fail_page_alloc_set(0, 0);
		KTEST_EXPECT_NULL(t, p);
		KTEST_EXPECT_EQ(t, nr_free_pages(), free_before);
		KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy_before);
		KTEST_EXPECT_EQ(t, vmalloc_stats.nr_free_blocks, blocks_before);
		for (j = 0; j <= 16; j++)
			KTEST_EXPECT_NULL(t, lookup_address(addr + VT_PAGES(j), &level));
	}
	ktest_release(t, vt_fail_page_alloc_off, NULL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	p = vmalloc(VT_PAGES(16));
	KTEST_EXPECT_EQ(t, (unsigned long)p, addr); /* the range was given back */
	vfree(p);
}

/* 100k random small vmalloc/vfree operations, checked every 1000. */
KTEST(vmalloc, random_ops)
{
	enum {
		LIVE = 256
	};
	static void *live[LIVE];
	static unsigned long live_size[LIVE], live_seed[LIVE];
	static struct vt_live held = { live, LIVE };
	unsigned long nr = 0, op, i;
	struct rnd_state rng;
	u64 r;

	memset(live, 0, sizeof(live));
	ktest_defer(t, vt_free_live, &held);
	rnd_seed(&rng, 0xdeadbeefcafeULL);
	for (op = 0; op < 100000; op++) {
		r = rnd_next(&rng);
		if (nr == 0 || (nr < LIVE && r % 2)) {
			unsigned long size = VT_PAGES(1 + (r >> 8) % 4);
			unsigned long shift = (r >> 16) % 8 ? 0 : (r >> 20) % 4;
			unsigned long align = PAGE_SIZE << shift;

			live[nr] = vt_alloc_in(size, align, VMALLOC_START, VMALLOC_END,
					       (r >> 24) % 4 ? 0 : VM_NO_GUARD);
			KTEST_ASSERT_NOT_NULL(t, live[nr]);
			KTEST_EXPECT_EQ(t, (unsigned long)live[nr] & (align - 1), 0UL);
			live_size[nr] = size;
			live_seed[nr] = r;
			bench_pattern_fill(live[nr], size, r);
			nr++;
		} else {
			i = (r >> 8) % nr;
			vt_check_free(t, live[i], live_size[i], live_seed[i]);
			nr--;
			live[i] = live[nr];
			live_size[i] = live_size[nr];
			live_seed[i] = live_seed[nr];
			live[nr] = NULL;
		}
		if (op % 1000 == 999)
			KTEST_ASSERT_EQ(t, vmalloc_check(), 0);
	}
	for (i = 0; i < nr; i++) {
		vt_check_free(t, live[i], live_size[i], live_seed[i]);
		live[i] = NULL;
	}
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* vmalloc_to_page()/vmalloc_to_pfn() agree with the page tables. */
KTEST(vmalloc, to_page_matches_page_tables)
{
	char *p = ktest_vmalloc(t, VT_PAGES(8));
	enum pg_level level;
	pte_t *pte;
	int i;

	KTEST_ASSERT_NOT_NULL(t, p);
	for (i = 0; i < 8; i++) {
		char *page = p + VT_PAGES(i);
		unsigned long pfn;

		pte = lookup_address((unsigned long)page, &level);
		KTEST_ASSERT_NOT_NULL(t, pte);
		KTEST_EXPECT_EQ(t, (int)level, (int)PG_LEVEL_4K);
		pfn = PHYS_PFN(*pte & PTE_PFN_MASK);
		KTEST_EXPECT_EQ(t, vmalloc_to_pfn(page + 5), pfn);
		KTEST_EXPECT_EQ(t, page_to_pfn(vmalloc_to_page(page)), pfn);
		KTEST_EXPECT_EQ(t, *pte & PAGE_KERNEL, PAGE_KERNEL);
	}
	KTEST_EXPECT_NULL(t, vmalloc_to_page(p + VT_PAGES(8))); /* guard */
	ktest_vfree(t, p);
}

/* Bad vfree()s warn and change nothing. */
KTEST(vmalloc, vfree_misuse)
{
	char *p = vmalloc(VT_PAGES(3));
	unsigned long warns, busy, local = 0;

	KTEST_ASSERT_NOT_NULL(t, p);
	bench_pattern_fill(p, VT_PAGES(3), 3);
	warns = warn_count;
	busy = vmalloc_nr_busy();
	vfree(p + VT_PAGES(1)); /* middle of the area */
	vfree(p + 8);
	vfree(p + VT_PAGES(3)); /* its guard page */
	vfree(&local);		/* not a vmalloc address */
	vunmap(p);		/* wrong kind */
	vfree(NULL);		/* no-op */
	KTEST_EXPECT_EQ(t, warn_count, warns + 5);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, bench_pattern_bad(p, VT_PAGES(3), 3), 0UL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vfree(p);
	vfree(p); /* double free */
	KTEST_EXPECT_EQ(t, warn_count, warns + 6);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy - 1);
}

KTEST(vmalloc, vzalloc_zeroed)
{
	char *p = vzalloc(VT_PAGES(5) + 123);

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_NULL(t, memchr_inv(p, 0, VT_PAGES(6)));
	vfree(p);
}

KTEST(vmalloc, vmalloc_32_below_4g)
{
	char *p = vmalloc_32(VT_PAGES(8));
	int i;

	KTEST_ASSERT_NOT_NULL(t, p);
	for (i = 0; i < 8; i++)
		KTEST_EXPECT_LT(t, vmalloc_to_pfn(p + VT_PAGES(i)), 1UL << (32 - PAGE_SHIFT));
	vfree(p);
}

KTEST(vmalloc, kvmalloc_dispatch)
{
	void *small = kvmalloc(200, GFP_KERNEL);
	void *large = kvmalloc(VT_PAGES(64), GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, small);
	ktest_defer(t, vt_kvfree, small);
	KTEST_ASSERT_NOT_NULL(t, large);
	ktest_defer(t, vt_kvfree, large);
	KTEST_EXPECT_FALSE(t, is_vmalloc_addr(small));
	KTEST_EXPECT_TRUE(t, is_vmalloc_addr(large));
	ktest_release(t, vt_kvfree, small);
	ktest_release(t, vt_kvfree, large);
}

/* vread() across an area and its guard page: data, then zeros, no fault. */
KTEST(vmalloc, vread_guard_zeros)
{
	char *p = ktest_vmalloc(t, VT_PAGES(2));
	char *buf = ktest_vmalloc(t, VT_PAGES(3));

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_ASSERT_NOT_NULL(t, buf);
	memset(p, 0xab, VT_PAGES(2));
	memset(buf, 0x55, VT_PAGES(3));
	KTEST_EXPECT_EQ(t, vread(buf, p, VT_PAGES(3)), (long)VT_PAGES(3));
	KTEST_EXPECT_NULL(t, memchr_inv(buf, 0xab, VT_PAGES(2)));
	KTEST_EXPECT_NULL(t, memchr_inv(buf + VT_PAGES(2), 0, VT_PAGES(1)));
	ktest_vfree(t, p);
	ktest_vfree(t, buf);
}

/* Lazy purge: frees under the budget do not flush; crossing it, the idle path flushes once. */
KTEST(vmalloc, lazy_purge_batches)
{
	unsigned long old = vmalloc_lazy_max_pages(), flushes, purges, i;
	void *p[9];

	if (vmalloc_debug_flush_enabled())
		KTEST_SKIP(t, "vmalloc_debug_flush flushes at every vfree");
	vm_unmap_aliases();
	ktest_defer(t, vt_lazy_restore, (void *)old);
	vmalloc_set_lazy_max_pages(32);
	for (i = 0; i < 9; i++) {
		p[i] = ktest_vmalloc(t, VT_PAGES(3)); /* 4 pages with the guard */
		KTEST_ASSERT_NOT_NULL(t, p[i]);
	}
	flushes = pgtable_stats.flush_ranges + pgtable_stats.flush_all;
	purges = vmalloc_stats.nr_purges;
	for (i = 0; i < 8; i++)
		ktest_vfree(t, p[i]);
	KTEST_EXPECT_EQ(t, pgtable_stats.flush_ranges + pgtable_stats.flush_all, flushes);
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 32UL);
	ktest_vfree(t, p[8]);
	vmalloc_purge_flush(); /* the background purge it queued */
	KTEST_EXPECT_EQ(t, pgtable_stats.flush_ranges + pgtable_stats.flush_all, flushes + 1);
	KTEST_EXPECT_EQ(t, vmalloc_stats.nr_purges, purges + 1);
	KTEST_EXPECT_EQ(t, vmalloc_stats.lazy_pages, 0UL);
	ktest_release(t, vt_lazy_restore, (void *)old);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* vfree_atomic() only queues; vfree_deferred_run() frees. */
KTEST(vmalloc, vfree_atomic_deferred)
{
	void *p = vmalloc(VT_PAGES(2));
	unsigned long busy;

	KTEST_ASSERT_NOT_NULL(t, p);
	busy = vmalloc_nr_busy();
	vfree_atomic(p);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_NOT_NULL(t, find_vm_area(p));
	vfree_deferred_run();
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy - 1);
	KTEST_EXPECT_NULL(t, find_vm_area(p));
}

/* ioremap maps device memory uncached and refuses RAM. */
KTEST(vmalloc, ioremap_device_not_ram)
{
	const phys_addr_t hpet = 0xfed00000ULL;
	enum pg_level level;
	void *io = ioremap(hpet + 0x10, 0x100);
	pte_t *pte;

	KTEST_ASSERT_NOT_NULL(t, io);
	ktest_defer(t, vt_iounmap, io);
	KTEST_EXPECT_EQ(t, (unsigned long)io & ~PAGE_MASK, 0x10UL);
	KTEST_EXPECT_EQ(t, vmalloc_to_pfn(io), PHYS_PFN(hpet));
	pte = lookup_address((unsigned long)io, &level);
	KTEST_ASSERT_NOT_NULL(t, pte);
	KTEST_EXPECT_EQ(t, *pte & _PAGE_CACHE_UC, _PAGE_CACHE_UC);
	ktest_release(t, vt_iounmap, io);
	KTEST_EXPECT_NULL(t, ioremap(0x200000, PAGE_SIZE)); /* RAM */
	KTEST_EXPECT_NULL(t, ioremap(hpet, 0));
}
