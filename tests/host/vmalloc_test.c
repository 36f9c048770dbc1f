/*
 * Host tests for mm/vmalloc.c, compiled together with lib/rbtree.c against
 * shim/vmalloc_shim.h (real aliasing of vmalloc addresses and fake RAM, a
 * fake page table, fault-injecting buddy and slab).
 *
 * The state is set up once (two early areas, then vmalloc_init()); every
 * test leaves it as it found it, which end_clean() checks: the free tree
 * exactly as after init, no busy area but the early ones, no PTE, no page
 * or slab object leaked. DEBUG_VM (vmalloc_check() after every change) is
 * on, except in the long random run, which checks every 1000 operations.
 */
#define _GNU_SOURCE
#include "host_shim.h"
#include "vmalloc_shim.h"
#include "lib/random.h"

#include "arch/x86/mm/memtype.c"
#include "kernel/deferred.c"
#include "lib/ratelimit.c"
#include "lib/rbtree.c"
#include "mm/gfp.c"
#include "mm/vmalloc.c"

#define P(n)	 ((unsigned long)(n)*PAGE_SIZE)
#define MAX_SNAP 512

/* Early areas: 3 pages at VMALLOC_START, then 2 pages aligned to 16 pages. */
static struct vm_struct early_a = { .size = 3 * 4096, .flags = VM_ALLOC | VM_NO_GUARD };
static struct vm_struct early_b = { .size = 2 * 4096, .flags = VM_MAP };
/* Registered after early_b, then given back (a failed setup): never imported. */
static struct vm_struct early_gone = { .size = 4 * 4096, .flags = VM_IOREMAP };

struct snap {
	unsigned long free_pages, ptes, slab_live, busy, lazy_pages, nr_free;
	unsigned long free[MAX_SNAP][2];
};

static struct snap initial;

static void take_snap(struct snap *s)
{
	struct vmap_area *va;

	s->free_pages = nr_free_pages();
	s->ptes = shim_pt_present;
	s->slab_live = shim_slab_live - (ne_fit_spare ? 1 : 0);
	s->busy = vmalloc_nr_busy();
	s->lazy_pages = vmalloc_stats.lazy_pages;
	s->nr_free = 0;
	list_for_each_entry(va, &vmap_free.head, list) {
		assert_true(s->nr_free < MAX_SNAP);
		s->free[s->nr_free][0] = va->va_start;
		s->free[s->nr_free][1] = va->va_end;
		s->nr_free++;
	}
}

static void assert_snap_equal(const struct snap *got, const struct snap *want)
{
	unsigned long i;

	assert_int_equal(got->free_pages, want->free_pages);
	assert_int_equal(got->ptes, want->ptes);
	assert_int_equal(got->slab_live, want->slab_live);
	assert_int_equal(got->busy, want->busy);
	assert_int_equal(got->lazy_pages, want->lazy_pages);
	assert_int_equal(got->nr_free, want->nr_free);
	for (i = 0; i < got->nr_free; i++) {
		assert_int_equal(got->free[i][0], want->free[i][0]);
		assert_int_equal(got->free[i][1], want->free[i][1]);
	}
}

static void assert_now_equal(const struct snap *want)
{
	static struct snap now;

	take_snap(&now);
	assert_snap_equal(&now, want);
}

/* Every test ends here: everything back as after vmalloc_init(). */
static void end_clean(void)
{
	vfree_deferred_run();
	vmalloc_purge_flush(); /* the background purge, if queued */
	assert_false(vmalloc_purge_pending());
	vm_unmap_aliases();
	assert_int_equal(vmalloc_check(), 0);
	assert_now_equal(&initial);
	fail_page_alloc_set(0, 0);
	fail_slab_set(0, 0);
	shim_fail_vmap_set(0, 0);
}

/* Free blocks of the free tree inside [start, end): count, and the first. */
static unsigned long free_blocks_in(unsigned long start, unsigned long end,
				    unsigned long *first_start, unsigned long *first_end)
{
	struct vmap_area *va;
	unsigned long n = 0;

	list_for_each_entry(va, &vmap_free.head, list) {
		if (va->va_end <= start || va->va_start >= end)
			continue;
		if (!n++) {
			*first_start = va->va_start;
			*first_end = va->va_end;
		}
	}
	return n;
}

/*
 * Reference lowest fit, written independently of the tree search: scan the
 * free list in address order and step through aligned candidates.
 */
static unsigned long ref_fit(unsigned long size, unsigned long align, unsigned long start,
			     unsigned long end)
{
	struct vmap_area *va;

	list_for_each_entry(va, &vmap_free.head, list) {
		unsigned long lo = va->va_start > start ? va->va_start : start;
		unsigned long a = lo / align * align;

		if (va->va_end <= start)
			continue;
		if (va->va_start >= end)
			break;
		if (a < lo)
			a += align;
		if (a + size <= va->va_end && a + size <= end)
			return a;
	}
	return 0;
}

/*
 * Reference of the padded search the bounded one falls back to: the lowest
 * fit among the free blocks of at least size + align - PAGE_SIZE bytes.
 */
static unsigned long ref_padded_fit(unsigned long size, unsigned long align, unsigned long start,
				    unsigned long end)
{
	struct vmap_area *va;

	list_for_each_entry(va, &vmap_free.head, list) {
		unsigned long lo = va->va_start > start ? va->va_start : start;
		unsigned long a = (lo + align - 1) / align * align;

		if (va->va_end <= start || va->va_end - va->va_start < size + align - PAGE_SIZE)
			continue;
		if (va->va_start >= end)
			break;
		if (a + size <= va->va_end && a + size <= end)
			return a;
	}
	return 0;
}

/*
 * Reference of the pools' pick: the first of the first VMAP_POOL_SCAN
 * pooled areas of exactly @size bytes that is aligned and inside the
 * window; 0 when none is (the allocation then searches the free tree).
 */
static unsigned long ref_pool_fit(unsigned long size, unsigned long align, unsigned long start,
				  unsigned long end)
{
	unsigned long pages = size / PAGE_SIZE, seen = 0;
	struct vmap_area *va;

	if (!pages || pages > VMAP_POOL_MAX_PAGES)
		return 0;
	list_for_each_entry(va, &vmap_pools[0].sizes[pages - 1], list) {
		if (va->va_start >= start && va->va_end <= end && va->va_start % align == 0)
			return va->va_start;
		if (++seen == VMAP_POOL_SCAN)
			break;
	}
	return 0;
}

/* What the bounded search must return: the lowest fit, unless it fell back. */
static unsigned long want_fit(unsigned long size, unsigned long align, unsigned long start,
			      unsigned long end, unsigned long fallbacks_before)
{
	if (vmalloc_stats.fit_fallbacks != fallbacks_before)
		return ref_padded_fit(size, align, start, end);
	return ref_fit(size, align, start, end);
}

/* find_lowest_fit_locked() itself: the address found (0 for none), nodes visited. */
static unsigned long search(unsigned long size, unsigned long align, unsigned long start,
			    unsigned long end, unsigned long *visits)
{
	unsigned long v0 = vmalloc_stats.fit_visits, addr = 0;
	struct vmap_area *va;

	spin_lock(&vmap_free.lock);
	va = find_lowest_fit_locked(size, align, start, end, &addr);
	spin_unlock(&vmap_free.lock);
	if (visits)
		*visits = vmalloc_stats.fit_visits - v0;
	if (va)
		assert_true(addr >= va->va_start && addr + size <= va->va_end);
	return va ? addr : 0;
}

/* Address-derived pattern in three words of every page. */
static void fill(void *p, unsigned long bytes, unsigned long seed)
{
	unsigned long off;

	for (off = 0; off < bytes; off += PAGE_SIZE) {
		unsigned long *w = (unsigned long *)((char *)p + off);

		w[0] = (unsigned long)&w[0] ^ seed;
		w[256] = (unsigned long)&w[256] ^ seed;
		w[511] = (unsigned long)&w[511] ^ seed;
	}
}

static void check_fill(const void *p, unsigned long bytes, unsigned long seed)
{
	unsigned long off;

	for (off = 0; off < bytes; off += PAGE_SIZE) {
		const unsigned long *w = (const unsigned long *)((const char *)p + off);

		assert_int_equal(w[0], (unsigned long)&w[0] ^ seed);
		assert_int_equal(w[256], (unsigned long)&w[256] ^ seed);
		assert_int_equal(w[511], (unsigned long)&w[511] ^ seed);
	}
}

static void *valloc_range(unsigned long size, unsigned long align, unsigned long start,
			  unsigned long end, unsigned long vm_flags)
{
	return __vmalloc_node_range(size, align, start, end, GFP_KERNEL, PAGE_KERNEL, vm_flags,
				    NUMA_NO_NODE, __builtin_return_address(0));
}

/* A private window far above everything else in the vmalloc range. */
static unsigned long window(void)
{
	return VMALLOC_START + (1UL << 40);
}

static struct rnd_state rng;

/* ---- tests ------------------------------------------------------------------ */

static void test_init_state(void **state)
{
	(void)state;
	/* Early areas at ascending addresses from VMALLOC_START, aligned. */
	assert_int_equal((unsigned long)early_a.addr, VMALLOC_START);
	assert_int_equal((unsigned long)early_b.addr, VMALLOC_START + P(16));
	assert_true(early_a.flags & VM_EARLY);
	assert_ptr_equal(find_vm_area(early_b.addr), &early_b);
	assert_int_equal(vmalloc_nr_busy(), 2);
	assert_null(early_gone.addr); /* given back: neither busy nor flagged */
	assert_false(early_gone.flags & VM_EARLY);
	/* Free: the alignment gap, the rest of vmalloc, the module range. */
	assert_int_equal(initial.nr_free, 3);
	assert_int_equal(initial.free[0][0], VMALLOC_START + P(3));
	assert_int_equal(initial.free[0][1], VMALLOC_START + P(16));
	assert_int_equal(initial.free[1][0], VMALLOC_START + P(18));
	assert_int_equal(initial.free[1][1], VMALLOC_END + 1);
	assert_int_equal(initial.free[2][0], MODULES_VADDR);
	assert_int_equal(initial.free[2][1], MODULES_END);
	assert_int_equal(vmalloc_check(), 0);

	/* Too late to register early; early areas cannot be vfree()d. */
	{
		struct vm_struct late = { .size = P(1) };
		unsigned long warns = warn_count;

		vm_area_register_early(&late, 0);
		assert_null(late.addr);
		vfree(early_a.addr);
		assert_int_equal(warn_count, warns + 2);
	}
	end_clean();
}

static void test_lowest_fit_order(void **state)
{
	void *p[8];
	int i;

	(void)state;
	/* The 13-page early gap comes first: 1-page areas (+guard) fill it. */
	for (i = 0; i < 8; i++) {
		p[i] = vmalloc(P(1));
		assert_non_null(p[i]);
	}
	for (i = 0; i < 6; i++)
		assert_int_equal((unsigned long)p[i], VMALLOC_START + P(3 + 2 * i));
	/* Gap has one page left (15): the 7th goes after early_b. */
	assert_int_equal((unsigned long)p[6], VMALLOC_START + P(18));
	assert_int_equal((unsigned long)p[7], VMALLOC_START + P(20));

	/* Holes of 2, 4 and 1 pages, lowest first; a 4-page need takes the 4. */
	vfree(p[1]);
	vfree(p[3]);
	vfree(p[4]);
	vm_unmap_aliases();
	{
		void *a = vmalloc(P(3)), *b = vmalloc(P(1)), *c = vmalloc(P(1));

		assert_int_equal((unsigned long)a, VMALLOC_START + P(9));  /* 4-page hole */
		assert_int_equal((unsigned long)b, VMALLOC_START + P(5));  /* 2-page hole */
		assert_int_equal((unsigned long)c, VMALLOC_START + P(22)); /* after p[7] */
		vfree(a);
		vfree(b);
		vfree(c);
	}
	for (i = 0; i < 8; i++)
		if (i != 1 && i != 3 && i != 4)
			vfree(p[i]);
	end_clean();
}

static void test_alignment(void **state)
{
	unsigned long shift;

	(void)state;
	for (shift = 13; shift <= 20; shift++) {
		unsigned long align = 1UL << shift, want;
		void *small, *big, *filler = vmalloc(P(1));

		want = ref_fit(P(2), align, VMALLOC_START, VMALLOC_END + 1);
		small = valloc_range(P(1), align, VMALLOC_START, VMALLOC_END, 0);
		assert_int_equal((unsigned long)small, want);
		assert_int_equal((unsigned long)small & (align - 1), 0);
		/* align > size and size > align */
		want = ref_fit(align + P(3), align, VMALLOC_START, VMALLOC_END + 1);
		big = valloc_range(align + P(2), align, VMALLOC_START, VMALLOC_END, 0);
		assert_int_equal((unsigned long)big, want);
		fill(big, align + P(2), shift);
		check_fill(big, align + P(2), shift);
		vfree(small);
		vfree(big);
		vfree(filler);
		assert_int_equal(vmalloc_check(), 0);
	}
	/* Not a power of two: refused with a message. */
	shim_log_clear();
	assert_null(valloc_range(P(1), 3 * PAGE_SIZE, VMALLOC_START, VMALLOC_END, 0));
	assert_true(shim_log_has("is not a power of two"));
	end_clean();
}

/*
 * The exact search finds a fit in a block shorter than size + align - 1
 * whose start happens to be aligned (a padded search would skip it), and
 * skips a bigger, lower block whose alignment does not work out.
 */
static void test_alignment_exact(void **state)
{
	unsigned long w = window(), start, end;
	void *p[64], *q;
	int i;

	(void)state;
	for (i = 0; i < 64; i++) {
		p[i] = valloc_range(P(1), 1, w, w + P(64), VM_NO_GUARD);
		assert_int_equal((unsigned long)p[i], w + P(i));
	}
	/* holes: [1,4) three pages unaligned; [16,18) two pages at 64 KiB */
	for (i = 1; i < 4; i++)
		vfree(p[i]);
	vfree(p[16]);
	vfree(p[17]);
	vm_unmap_aliases();
	q = valloc_range(P(2), P(16), w, w + P(64), VM_NO_GUARD);
	assert_int_equal((unsigned long)q, w + P(16));
	assert_int_equal(free_blocks_in(w, w + P(64), &start, &end), 1);
	assert_int_equal(start, w + P(1));
	assert_int_equal(end, w + P(4));
	vfree(q);
	for (i = 0; i < 64; i++)
		if (i < 1 || (i >= 4 && i != 16 && i != 17))
			vfree(p[i]);
	end_clean();
}

/*
 * The search against the reference for every window [s, e) inside a
 * fragmented 64-page region, every size 1..4 and alignment 1..8 pages: the
 * window edges fall on every kind of node, so each pruning rule is tested
 * at its boundary.
 */
static void check_fit_window(unsigned long pattern, unsigned long start, unsigned long end)
{
	unsigned long size, align, got, want, fallbacks;

	for (size = P(1); size <= P(4); size += P(1)) {
		for (align = P(1); align <= P(8); align *= 2) {
			fallbacks = vmalloc_stats.fit_fallbacks;
			got = search(size, align, start, end, NULL);
			want = want_fit(size, align, start, end, fallbacks);
			if (got != want)
				fail_msg(
					"pattern %#lx window [%#lx-%#lx) size %#lx align %#lx: got %#lx want %#lx",
					pattern, start, end, size, align, got, want);
		}
	}
}

static void test_fit_exhaustive(void **state)
{
	unsigned long w = window(), s, e, pattern;
	void *p[64];
	int i, round;

	(void)state;
	rnd_seed(&rng, 0xf17f17f17ULL);
	for (round = 0; round < 8; round++) {
		pattern = rnd_next(&rng);
		for (i = 0; i < 64; i++)
			p[i] = valloc_range(P(1), 1, w, w + P(64), VM_NO_GUARD);
		for (i = 0; i < 64; i++)
			if (pattern & (1UL << i))
				vfree(p[i]);
		vm_unmap_aliases();
		for (s = 0; s < 64; s++)
			for (e = s + 1; e <= 64; e++)
				check_fit_window(pattern, w + P(s), w + P(e));
		for (i = 0; i < 64; i++)
			if (!(pattern & (1UL << i)))
				vfree(p[i]);
		vm_unmap_aliases();
	}
	end_clean();
}

/*
 * Misaligned holes for a 2-page request aligned to 8 pages: @nr units of
 * 4 pages from @w, each a reserved 2-page area and a 2-page hole at page
 * 4k + 2 (never a multiple of 8). With @aligned_last (@nr even), the last
 * unit but one is laid out the other way round, so that its hole starts on
 * a multiple of 8 pages: the only exact fit among the holes.
 * Reservations only (get_vm_area), no pages: fast, and no RAM needed.
 */
#define HOLES_MAX 100000
static struct vm_struct *hole_keep[HOLES_MAX];

static void make_misaligned_holes(unsigned long w, unsigned long nr, bool aligned_last)
{
	struct vm_struct *gap;
	unsigned long k;

	vmalloc_debug_vm = false; /* vmalloc_check() after each would be O(n^2) */
	for (k = 0; k < nr; k++) {
		bool flip = aligned_last && k == nr - 2;
		unsigned long at = w + P(4 * k);

		gap = __get_vm_area_caller(P(2), VM_NO_GUARD, at + (flip ? 0 : P(2)), at + P(4),
					   make_misaligned_holes);
		hole_keep[k] = __get_vm_area_caller(P(2), VM_NO_GUARD, at, at + P(4),
						    make_misaligned_holes);
		assert_non_null(gap);
		assert_non_null(hole_keep[k]);
		free_vm_area(gap);
	}
	vm_unmap_aliases();
	vmalloc_debug_vm = true;
	assert_int_equal(vmalloc_check(), 0);
}

static void free_misaligned_holes(unsigned long nr)
{
	unsigned long k;

	vmalloc_debug_vm = false;
	for (k = 0; k < nr; k++)
		free_vm_area(hole_keep[k]);
	vm_unmap_aliases();
	vmalloc_debug_vm = true;
}

/* 2 * log2(n + 1) bounds the height of a red-black tree of n nodes. */
static unsigned long rb_height_bound(unsigned long n)
{
	unsigned long h = 0;

	while (n) {
		h++;
		n >>= 1;
	}
	return 2 * h;
}

/*
 * Regression (issue 12 item 6, issue 16 item 3): with align > PAGE_SIZE the
 * exact search visited every misaligned hole (100,000 holes: 200,000
 * nodes, 4 ms on the host). Now it visits at most its budget plus the padded search's
 * O(log n), and returns a valid fit (the padded search's) that is not the
 * lowest one: the last hole, aligned, lies beyond the budget.
 */
static void test_aligned_search_visits_bounded(void **state)
{
	unsigned long w = window(), end = w + P(4 * HOLES_MAX + 64), got, visits, fallbacks, bound;
	struct vmap_area *va;

	(void)state;
	make_misaligned_holes(w, HOLES_MAX, true);
	fallbacks = vmalloc_stats.fit_fallbacks;
	got = search(P(2), P(8), w, end, &visits);
	bound = VMAP_FIT_BUDGET + 8 * rb_height_bound(vmalloc_stats.nr_free_blocks);
	printf("aligned search over %d misaligned holes: %lu nodes visited (bound %lu)\n",
	       HOLES_MAX, visits, bound);
	assert_true(visits <= bound);
	assert_int_equal(vmalloc_stats.fit_fallbacks, fallbacks + 1);
	/* A valid fit: in the window, aligned, inside one free block. */
	assert_true(got >= w && got + P(2) <= end);
	assert_int_equal(got & (P(8) - 1), 0);
	va = find_va_containing(&vmap_free, got);
	assert_non_null(va);
	assert_true(got + P(2) <= va->va_end);
	/* The padded search's answer, above the lowest fit (the last hole). */
	assert_int_equal(got, ref_padded_fit(P(2), P(8), w, end));
	assert_int_equal(ref_fit(P(2), P(8), w, end), w + P(4 * (HOLES_MAX - 2)));
	assert_true(got > ref_fit(P(2), P(8), w, end));
	/* A window holding only misaligned holes: no fit, and no full walk either. */
	assert_int_equal(search(P(2), P(8), w, w + P(4 * HOLES_MAX - 16), &visits), 0);
	assert_true(visits <= bound);
	/* align == PAGE_SIZE stays exact and cheap: the first hole. */
	fallbacks = vmalloc_stats.fit_fallbacks;
	assert_int_equal(search(P(2), P(1), w, end, &visits), w + P(2));
	assert_int_equal(vmalloc_stats.fit_fallbacks, fallbacks);
	assert_true(visits <= 2 * rb_height_bound(vmalloc_stats.nr_free_blocks));
	free_misaligned_holes(HOLES_MAX);
	end_clean();
}

/*
 * Regression (issue 16 item 3): with the window ending just after the one
 * aligned hole, beyond the budget, the padded walk finds no block of
 * size + align - PAGE_SIZE bytes, and the search then walked every hole to
 * the end (unbounded). Now it gives up after its budget: NULL, and the
 * allocator fails with -ENOSPC, as Linux's padded-only search does.
 */
static void test_aligned_search_gives_up_past_budget(void **state)
{
	unsigned long w = window(), end = w + P(4 * HOLES_MAX), hole = w + P(4 * (HOLES_MAX - 2));
	unsigned long fallbacks, visits;

	(void)state;
	make_misaligned_holes(w, HOLES_MAX, true);
	assert_int_equal(ref_fit(P(2), P(8), w, end), hole);
	assert_int_equal(ref_padded_fit(P(2), P(8), w, end), 0);
	fallbacks = vmalloc_stats.fit_fallbacks;
	assert_int_equal(search(P(2), P(8), w, end, &visits), 0);
	assert_int_equal(vmalloc_stats.fit_fallbacks, fallbacks + 1);
	assert_true(visits <= VMAP_FIT_BUDGET + 8 * rb_height_bound(vmalloc_stats.nr_free_blocks));
	/* through the allocator too: a clean failure */
	assert_null(valloc_range(P(2), P(8), w, end, VM_NO_GUARD));
	free_misaligned_holes(HOLES_MAX);
	end_clean();
}

/* Within the budget the aligned search still returns the lowest fit. */
static void test_aligned_search_lowest_within_budget(void **state)
{
	unsigned long w = window(), end = w + P(4 * 8 + 64), got, visits, fallbacks;

	(void)state;
	make_misaligned_holes(w, 8, true); /* 6 misaligned holes, then an aligned one */
	fallbacks = vmalloc_stats.fit_fallbacks;
	got = search(P(2), P(8), w, end, &visits);
	assert_int_equal(got, w + P(4 * 6));
	assert_int_equal(got, ref_fit(P(2), P(8), w, end));
	assert_true(got < ref_padded_fit(P(2), P(8), w, end)); /* Linux's would be higher */
	assert_int_equal(vmalloc_stats.fit_fallbacks, fallbacks);
	assert_true(visits <= VMAP_FIT_BUDGET + 8 * rb_height_bound(vmalloc_stats.nr_free_blocks));
	/* through the allocator too */
	{
		void *p = valloc_range(P(2), P(8), w, end, VM_NO_GUARD);

		assert_int_equal((unsigned long)p, w + P(4 * 6));
		vfree(p);
	}
	free_misaligned_holes(8);
	end_clean();
}

/*
 * The free blocks of at least @size bytes that the exact walk must test
 * before it gets past [start, stop): the blocks it rejects on its way to
 * a fit at or after stop.
 */
static unsigned long blocks_to_test(unsigned long size, unsigned long start, unsigned long stop)
{
	struct vmap_area *va;
	unsigned long n = 0;

	list_for_each_entry(va, &vmap_free.head, list) {
		if (va->va_start >= stop)
			break;
		if (va->va_end > start && va->va_end - va->va_start >= size)
			n++;
	}
	return n;
}

/*
 * The documented fit (find_lowest_fit_locked()) against the brute-force
 * references on random trees of ~1,500 free blocks of random sizes and
 * offsets, for random windows, sizes and alignments: the lowest fit L,
 * unless the search counted a fallback, then the padded fit P (which may
 * be L); a fallback only when the tree is larger than half the budget;
 * a fallback always when the exact walk must test more blocks than its
 * budget before reaching L; never more visits than the budget plus the
 * padded walk's O(log n).
 */
#define RT_PAGES 8192
static struct vm_struct *rt_area[RT_PAGES];
static unsigned long rt_forced; /* searches that had to fall back */

static void check_random_fit(unsigned long w)
{
	unsigned long size = P(1 + rnd_below(&rng, 16)), align = P(1) << rnd_below(&rng, 7);
	unsigned long s = rnd_below(&rng, RT_PAGES), e = s + 1 + rnd_below(&rng, RT_PAGES - s);
	unsigned long start = w + P(s), end = w + P(e), got, low, padded, visits, fallbacks;
	struct vmap_area *va;
	bool fell_back;

	if (rnd_below(&rng, 4) == 0) /* a window running past the region's end */
		end = VMALLOC_END + 1;
	low = ref_fit(size, align, start, end);
	padded = ref_padded_fit(size, align, start, end);
	fallbacks = vmalloc_stats.fit_fallbacks;
	got = search(size, align, start, end, &visits);
	fell_back = vmalloc_stats.fit_fallbacks != fallbacks;
	if (got != (fell_back ? padded : low))
		fail_msg("size %#lx align %#lx [%#lx-%#lx): got %#lx, lowest %#lx, padded %#lx%s",
			 size, align, start, end, got, low, padded,
			 fell_back ? " (fell back)" : "");
	assert_true(visits <= VMAP_FIT_BUDGET + 8 * rb_height_bound(vmalloc_stats.nr_free_blocks));
	if (fell_back) {
		assert_true(align > PAGE_SIZE);
		assert_true(vmalloc_stats.nr_free_blocks > VMAP_FIT_BUDGET / 2);
	}
	if (low && (!padded || low < padded)) {
		va = find_va_containing(&vmap_free, low);
		assert_non_null(va);
		if (blocks_to_test(size, start, va->va_start) + 1 > VMAP_FIT_BUDGET) {
			assert_true(fell_back);
			rt_forced++;
		}
	}
}

static void test_fit_random_trees(void **state)
{
	unsigned long w = window(), k, fallbacks = vmalloc_stats.fit_fallbacks, lowest = 0;
	int round, q;

	(void)state;
	rnd_seed(&rng, 0xa119edf17ULL);
	for (round = 0; round < 6; round++) {
		vmalloc_debug_vm = false;
		for (k = 0; k < RT_PAGES; k++) {
			rt_area[k] = __get_vm_area_caller(P(1), VM_NO_GUARD, w + P(k), w + P(k + 1),
							  test_fit_random_trees);
			assert_non_null(rt_area[k]);
		}
		/* runs of 1..8 pages freed with probability 1/3: holes of every size */
		for (k = 0; k < RT_PAGES;) {
			unsigned long run = 1 + rnd_below(&rng, 8), i;
			bool drop = rnd_below(&rng, 3) == 0;

			for (i = k; i < k + run && i < RT_PAGES; i++) {
				if (drop) {
					free_vm_area(rt_area[i]);
					rt_area[i] = NULL;
				}
			}
			k += run;
		}
		vm_unmap_aliases();
		vmalloc_debug_vm = true;
		assert_int_equal(vmalloc_check(), 0);
		for (q = 0; q < 2000; q++) {
			unsigned long f = vmalloc_stats.fit_fallbacks;

			check_random_fit(w);
			if (vmalloc_stats.fit_fallbacks == f)
				lowest++;
		}
		vmalloc_debug_vm = false;
		for (k = 0; k < RT_PAGES; k++)
			if (rt_area[k])
				free_vm_area(rt_area[k]);
		vm_unmap_aliases();
		vmalloc_debug_vm = true;
	}
	printf("random trees: %lu of 12000 searches found the lowest fit in budget, %lu fell back "
	       "(%lu had to)\n",
	       lowest, vmalloc_stats.fit_fallbacks - fallbacks, rt_forced);
	/* both answers occur, or the test proves nothing about one of them */
	assert_true(rt_forced > 0);
	assert_true(lowest > 0);
	end_clean();
}

static void test_range_limits(void **state)
{
	unsigned long w = window(), start = 0, end = 0;
	void *p[8], *m;
	int i;

	(void)state;
	/* 16 pages hold exactly 8 one-page areas with their guards. */
	for (i = 0; i < 8; i++) {
		p[i] = valloc_range(P(1), 1, w, w + P(16), 0);
		assert_int_equal((unsigned long)p[i], w + P(2 * i));
	}
	shim_log_clear();
	assert_null(valloc_range(P(1), 1, w, w + P(16), 0));
	assert_true(shim_log_has("vmalloc: allocation failure: 4096 bytes, caller "));
	/* "last byte" ends mean the same window */
	assert_null(valloc_range(P(1), 1, w, w + P(16) - 1, 0));
	for (i = 0; i < 8; i++)
		vfree(p[i]);
	vm_unmap_aliases();
	/* back to one free block covering the window and beyond */
	assert_int_equal(free_blocks_in(w, w + P(16), &start, &end), 1);
	assert_true(start < w && end > w + P(16));

	/* the module range is managed too; outside both nothing is found */
	m = valloc_range(P(2), 1, MODULES_VADDR, MODULES_END, 0);
	assert_int_equal((unsigned long)m, MODULES_VADDR);
	assert_true(is_vmalloc_or_module_addr(m));
	assert_false(is_vmalloc_addr(m));
	assert_int_equal(find_vm_area(m)->size, P(3));
	vfree(m);
	assert_null(valloc_range(P(1), 1, 0x100000, 0x200000, 0));
	assert_null(valloc_range(P(1), 1, w + P(5), w + P(4), 0)); /* empty window */
	end_clean();
}

static void test_guard_spacing(void **state)
{
	enum pg_level level;
	struct vm_struct *vm;
	void *a, *b, *c, *d;

	(void)state;
	a = valloc_range(P(3), 1, window(), window() + P(64), 0);
	b = valloc_range(P(2), 1, window(), window() + P(64), VM_NO_GUARD);
	c = valloc_range(P(1), 1, window(), window() + P(64), 0);
	d = valloc_range(P(1), 1, window(), window() + P(64), 0);
	assert_int_equal((unsigned long)b, (unsigned long)a + P(4));
	assert_int_equal((unsigned long)c, (unsigned long)b + P(2)); /* no guard after b */
	assert_int_equal((unsigned long)d, (unsigned long)c + P(2));
	vm = find_vm_area(a);
	assert_int_equal(vm->size, P(4));
	assert_int_equal(get_vm_area_size(vm), P(3));
	assert_ptr_equal(find_vm_area((char *)a + P(3)), vm); /* guard belongs to a */
	assert_null(lookup_address((unsigned long)a + P(3), &level));
	assert_non_null(lookup_address((unsigned long)a + P(2), &level));
	assert_int_equal(find_vm_area(b)->size, P(2));
	vfree(a);
	vfree(b);
	vfree(c);
	vfree(d);
	end_clean();
}

/* The four merge cases of merge_or_add_free_locked(), one block count each. */
static void test_merge_cases(void **state)
{
	unsigned long w = window(), s, e, before;
	void *p[8];
	int i;

	(void)state;
	for (i = 0; i < 8; i++)
		p[i] = valloc_range(P(1), 1, w, w + P(8), VM_NO_GUARD);
	before = vmalloc_stats.nr_free_blocks;

	vfree(p[2]); /* none: a block of its own */
	vm_unmap_aliases();
	assert_int_equal(vmalloc_stats.nr_free_blocks, before + 1);
	assert_int_equal(free_blocks_in(w, w + P(8), &s, &e), 1);
	assert_int_equal(s, w + P(2));
	assert_int_equal(e, w + P(3));

	vfree(p[3]); /* left: the block before grows */
	vm_unmap_aliases();
	assert_int_equal(vmalloc_stats.nr_free_blocks, before + 1);
	free_blocks_in(w, w + P(8), &s, &e);
	assert_int_equal(s, w + P(2));
	assert_int_equal(e, w + P(4));

	vfree(p[1]); /* right: the block after grows down */
	vm_unmap_aliases();
	assert_int_equal(vmalloc_stats.nr_free_blocks, before + 1);
	free_blocks_in(w, w + P(8), &s, &e);
	assert_int_equal(s, w + P(1));
	assert_int_equal(e, w + P(4));

	vfree(p[5]);
	vm_unmap_aliases();
	assert_int_equal(vmalloc_stats.nr_free_blocks, before + 2);
	vfree(p[4]); /* both: three blocks become one */
	vm_unmap_aliases();
	assert_int_equal(vmalloc_stats.nr_free_blocks, before + 1);
	assert_int_equal(free_blocks_in(w, w + P(8), &s, &e), 1);
	assert_int_equal(s, w + P(1));
	assert_int_equal(e, w + P(6));

	vfree(p[0]);
	vfree(p[6]);
	vfree(p[7]);
	end_clean();
}

/* Fail the i-th page of a 16-page vmalloc, for every i: nothing may remain. */
static void test_fault_pages(void **state)
{
	static struct snap before;
	unsigned long i, injected;
	void *p;

	(void)state;
	vfree(vmalloc(P(16))); /* warm-up: the spare node exists */
	vm_unmap_aliases();
	take_snap(&before);
	for (i = 1; i <= 16; i++) {
		injected = fail_page_alloc_injected;
		shim_log_clear();
		fail_page_alloc_set(i, 1);
		p = vmalloc(P(16));
		assert_null(p);
		assert_int_equal(fail_page_alloc_injected, injected + 1);
		assert_true(shim_log_has("vmalloc: allocation failure: 65536 bytes"));
		assert_int_equal(vmalloc_check(), 0);
		assert_now_equal(&before);
	}
	fail_page_alloc_set(17, 1);
	p = vmalloc(P(16));
	assert_non_null(p);
	fail_page_alloc_set(0, 0);
	vfree(p);

	/* Big area: its page array is vmalloc()ed too; fail inside that as well. */
	for (i = 1; i <= 3; i++) {
		fail_page_alloc_set(i, 1);
		assert_null(vmalloc(P(600)));
		vm_unmap_aliases(); /* the array's own area is vfree()d lazily */
		assert_now_equal(&before);
	}
	fail_page_alloc_set(600, 1);
	assert_null(vmalloc(P(600)));
	vm_unmap_aliases();
	assert_now_equal(&before);
	end_clean();
}

/* Fail the mapping itself: the PTEs set so far go, the TLB is flushed. */
static void test_fault_vmap(void **state)
{
	static struct snap before;
	unsigned long flushes;
	void *p;

	(void)state;
	vm_unmap_aliases();
	take_snap(&before);
	flushes = shim_flush_calls;
	shim_fail_vmap_set(1, 1);
	p = vmalloc(P(16));
	assert_null(p);
	assert_int_equal(shim_flush_calls, flushes + 1);
	assert_int_equal(shim_flush_end - shim_flush_start, P(16));
	assert_now_equal(&before);
	end_clean();
}

/* Fail each slab allocation vmalloc makes (vm_struct, vmap_area, spare, array). */
static void test_fault_slab(void **state)
{
	static struct snap before;
	unsigned long n, injected, failed = 0;
	void *p;

	(void)state;
	vm_unmap_aliases();
	take_snap(&before);
	for (n = 1; n < 20; n++) {
		injected = fail_slab_injected;
		fail_slab_set(n, 1);
		p = vmalloc(P(16));
		fail_slab_set(0, 0);
		if (p) {
			vfree(p);
			vm_unmap_aliases();
		} else {
			assert_int_equal(fail_slab_injected, injected + 1);
			failed++;
		}
		assert_int_equal(vmalloc_check(), 0);
		assert_now_equal(&before);
		if (p && fail_slab_injected == injected)
			break;
	}
	assert_true(failed >= 3); /* vm_struct, vmap_area, pages array */
	end_clean();
}

/* A middle split needs the spare node: if it cannot be had, fail cleanly. */
static void test_fault_split_spare(void **state)
{
	static struct snap before;
	unsigned long w = window(), injected;
	void *first, *p;

	(void)state;
	first = valloc_range(P(1), 1, w, w + P(16), VM_NO_GUARD);
	vm_unmap_aliases();
	/* no spare, and the next slab allocation after vm_struct + va fails */
	kmem_cache_free(vmap_area_cachep, ne_fit_spare);
	ne_fit_spare = NULL;
	take_snap(&before);
	injected = fail_slab_injected;
	fail_slab_set(3, 1);
	p = valloc_range(P(1), P(8), w, w + P(16), VM_NO_GUARD); /* fits at w + 8: middle */
	assert_null(p);
	assert_int_equal(fail_slab_injected, injected + 1);
	assert_now_equal(&before);
	/* with the spare it works, and splits the block in two */
	p = valloc_range(P(1), P(8), w, w + P(16), VM_NO_GUARD);
	assert_int_equal((unsigned long)p, w + P(8));
	vfree(p);
	vfree(first);
	end_clean();
}

struct live {
	void *p;
	unsigned long pages;
	unsigned long seed;
};

/* 100k random vmalloc/vfree against a shadow model and the reference fit. */
static void test_random_ops(void **state)
{
	static struct live live[1024];
	unsigned long nr = 0, live_pages = 0, op, i;
	unsigned long w = window();

	(void)state;
	rnd_seed(&rng, 0x5eed1234abcd9876ULL);
	vmalloc_debug_vm = false;
	vmalloc_set_lazy_max_pages(256);
	for (op = 0; op < 100000; op++) {
		uint64_t r = rnd_next(&rng);

		if (nr == 0 || (r % 100 < 55 && nr < 1024 && live_pages < 3000)) {
			unsigned long pages = (r >> 8) % 5 ? 1 + (r >> 16) % 8 : 1 + (r >> 16) % 64;
			unsigned long align = (r >> 24) % 4 ? 1 : 1UL << (13 + (r >> 28) % 5);
			unsigned long flags = (r >> 32) % 5 ? 0 : VM_NO_GUARD;
			bool small = (r >> 36) % 10 == 0;
			unsigned long vstart = small ? w : VMALLOC_START;
			unsigned long vend = small ? w + P(256) : VMALLOC_END + 1;
			unsigned long need = P(pages + (flags ? 0 : 1));
			unsigned long want, padded, pooled, fallbacks;
			void *p;

			vfree_deferred_run();
			align = max(align, PAGE_SIZE);
			pooled = ref_pool_fit(need, align, vstart, vend);
			want = ref_fit(need, align, vstart, vend);
			padded = ref_padded_fit(need, align, vstart, vend);
			if (!pooled && (!want || !padded) &&
			    (vmalloc_stats.lazy_pages || vmap_pools[0].nr_areas)) {
				vm_unmap_aliases(); /* as the allocation's retry would (pools drained) */
				want = ref_fit(need, align, vstart, vend);
				padded = ref_padded_fit(need, align, vstart, vend);
			}
			fallbacks = vmalloc_stats.fit_fallbacks;
			p = __vmalloc_node_range(P(pages), align, vstart, vend - 1,
						 GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL, flags,
						 NUMA_NO_NODE, test_random_ops);
			if (pooled)
				want = pooled;
			else if (vmalloc_stats.fit_fallbacks != fallbacks)
				want = padded;
			if ((unsigned long)p != want)
				fail_msg(
					"op %lu: alloc %lu pages align %#lx flags %#lx in [%#lx-%#lx): got %p want %#lx",
					op, pages, align, flags, vstart, vend, p, want);
			if (p) {
				live[nr] = (struct live){ p, pages, r };
				fill(p, P(pages), r);
				live_pages += pages;
				nr++;
			}
		} else {
			i = (r >> 8) % nr;
			check_fill(live[i].p, P(live[i].pages), live[i].seed);
			if ((r >> 40) % 16 == 0)
				vfree_atomic(live[i].p);
			else
				vfree(live[i].p);
			live_pages -= live[i].pages;
			live[i] = live[--nr];
		}
		if (op % 1000 == 999) {
			vfree_deferred_run();
			if (vmalloc_check())
				fail_msg("op %lu: vmalloc_check failed", op);
			assert_int_equal(vmalloc_nr_busy(), initial.busy + nr);
			assert_int_equal(shim_pt_present, live_pages);
			assert_int_equal(nr_free_pages(), initial.free_pages - live_pages);
		}
	}
	for (i = 0; i < nr; i++) {
		check_fill(live[i].p, P(live[i].pages), live[i].seed);
		vfree(live[i].p);
	}
	vmalloc_set_lazy_max_pages(LAZY_MAX_PAGES_DEFAULT);
	vmalloc_debug_vm = true;
	end_clean();
}

static void test_vfree_misuse(void **state)
{
	static struct snap before;
	unsigned long warns, local;
	struct page *pg;
	void *p, *v;

	(void)state;
	p = vmalloc(P(3));
	fill(p, P(3), 7);
	pg = alloc_page(GFP_KERNEL);
	v = vmap(&pg, 1, 0, PAGE_KERNEL);
	vm_unmap_aliases();
	take_snap(&before);
	warns = warn_count;
	shim_log_clear();

	vfree((char *)p + P(1)); /* inside */
	assert_true(shim_log_has("vfree: bad address"));
	vfree((char *)p + 1);
	vfree((char *)p + P(3));	/* its guard page */
	vfree((char *)window() + P(7)); /* free space */
	assert_true(shim_log_has("vfree: no vm area at"));
	vfree(&local); /* not vmalloc at all */
	vfree(v);      /* a vmap() area */
	vunmap(p);     /* a vmalloc() area */
	iounmap(p);
	free_vm_area(&early_a); /* early: never freed */
	vfree(NULL);		/* no-op, no warning */
	vunmap(NULL);
	assert_int_equal(warn_count, warns + 9);
	assert_now_equal(&before);
	check_fill(p, P(3), 7);

	vfree(p);
	warns = warn_count;
	vfree(p); /* double free */
	assert_int_equal(warn_count, warns + 1);
	vunmap(v);
	__free_page(pg);
	end_clean();
}

/* True when the 3-page area @b starts right after @a and its guard page. */
static bool follows(const void *a, const void *b)
{
	return (unsigned long)a + P(4) == (unsigned long)b;
}

static void test_lazy_purge(void **state)
{
	unsigned long flushes, purges, areas, lo, hi;
	void *p[9], *x;
	char msg[160], want[160];
	int i, runs;

	(void)state;
	vm_unmap_aliases();
	vmalloc_set_lazy_max_pages(32);
	assert_int_equal(vmalloc_lazy_max_pages(), 32);
	for (i = 0; i < 9; i++)
		p[i] = vmalloc(P(3)); /* 4 pages each with the guard */
	flushes = shim_flush_calls;
	purges = vmalloc_stats.nr_purges;
	areas = vmalloc_stats.purged_areas;
	lo = (unsigned long)p[0];
	hi = (unsigned long)p[8] + P(4);

	/*
	 * 32 pages: not over the budget. Pool-sized areas stay whole on the
	 * lazy list (no merging), each named on its own.
	 */
	for (i = 0; i < 8; i++)
		vfree(p[i]);
	assert_int_equal(shim_flush_calls, flushes);
	assert_int_equal(vmalloc_stats.lazy_pages, 32);
	assert_int_equal(vmalloc_check(), 0);
	assert_true(vmalloc_describe_fault((unsigned long)p[3] + 5, msg, sizeof(msg)));
	snprintf(want, sizeof(want), "freed vmalloc area [%#lx-%#lx] 4 pages, allocated by ",
		 (unsigned long)p[3], (unsigned long)p[3] + P(4));
	if (strncmp(msg, want, strlen(want)) != 0)
		fail_msg("describe_fault: got \"%s\", want \"%s...\"", msg, want);
	shim_log_clear();
	vmallocinfo_dump();
	for (i = 0; i < 8; i++) {
		snprintf(want, sizeof(want), "0x%016lx-0x%016lx %7lu unpurged vm_area\n",
			 (unsigned long)p[i], (unsigned long)p[i] + P(4), P(4));
		assert_true(shim_log_has(want));
	}
	runs = 9;
	/* lazily freed ranges are still reserved: a new area goes above */
	x = vmalloc(P(1));
	assert_int_equal((unsigned long)x, hi);

	vfree(p[8]); /* 36 > 32: the worker purges, one flush over the batch */
	assert_int_equal(shim_flush_calls, flushes);
	assert_true(vmalloc_purge_pending());
	vmalloc_purge_flush();
	assert_false(vmalloc_purge_pending());
	assert_int_equal(shim_flush_calls, flushes + 1);
	assert_int_equal(shim_flush_start, lo);
	assert_int_equal(shim_flush_end, hi);
	assert_int_equal(vmalloc_stats.lazy_pages, 0);
	assert_int_equal(vmalloc_stats.nr_purges, purges + 1);
	assert_int_equal(vmalloc_stats.purged_areas, areas + runs);
	vfree(x); /* 2 pages: below the budget again */
	assert_int_equal(shim_flush_calls, flushes + 1);
	vmalloc_set_lazy_max_pages(LAZY_MAX_PAGES_DEFAULT);
	end_clean();
}

/*
 * A second vfree() of an area still on a lazy list is refused naming the
 * freed area (found on the per-CPU lists, no tree), as the fault report does.
 */
static void test_double_vfree_names_lazy_area(void **state)
{
	char want[160];
	void *p;

	(void)state;
	vm_unmap_aliases();
	p = vmalloc(P(2));
	assert_non_null(p);
	vfree(p);
	shim_log_clear();
	vfree(p);
	snprintf(want, sizeof(want),
		 "vfree: no vm area at %p (freed vmalloc area [%#lx-%#lx] 3 pages", p,
		 (unsigned long)p, (unsigned long)p + P(3));
	if (!shim_log_has(want))
		fail_msg("want \"%s...\" in: %s", want, shim_log);
	assert_int_equal(vmalloc_check(), 0);
	end_clean();
}

/*
 * Free @n areas allocated one after the other in an order that keeps each
 * its own lazy node: the odd ones, then the even ones, so that none
 * continues the highest lazy area.
 */
static void free_unmerged(void **p, int n)
{
	int i;

	for (i = 1; i < n; i += 2)
		vfree(p[i]);
	for (i = 0; i < n; i += 2)
		vfree(p[i]);
}

/*
 * Regression (issue 12 item 7): the vfree() that crossed the budget purged
 * the whole lazy list itself, with interrupts off for milliseconds. Now it
 * only queues the background purge (issue 15 item 3), which takes every
 * area, VMAP_PURGE_BATCH per lock hold, with one flush over their union.
 */
static void test_vfree_crossing_budget_does_not_purge_synchronously(void **state)
{
	enum {
		N = 150
	}; /* 300 lazy pages: over a budget of 100, under its cap */
	unsigned long flushes, purges, areas;
	static void *p[N];
	int i;

	(void)state;
	vm_unmap_aliases();
	vmalloc_set_lazy_max_pages(100);
	for (i = 0; i < N; i++)
		assert_non_null(p[i] = valloc_range(P(1), 1, window(), window() + P(2 * N), 0));
	flushes = shim_flush_calls;
	purges = vmalloc_stats.nr_purges;
	areas = vmalloc_stats.purged_areas;
	free_unmerged(p, N);
	assert_int_equal(vmalloc_stats.lazy_pages, 2 * N);
	assert_int_equal(shim_flush_calls, flushes);
	assert_int_equal(vmalloc_stats.nr_purges, purges);
	assert_true(vmalloc_purge_pending());
	assert_int_equal(vmalloc_check(), 0);
	/* the ranges are still reserved: the window is full */
	assert_null(search(P(2), P(1), window(), window() + P(2 * N), NULL));

	vmalloc_purge_flush(); /* the worker: every CPU's areas, one flush */
	assert_int_equal(vmalloc_stats.nr_purges, purges + 1);
	assert_int_equal(shim_flush_calls, flushes + 1);
	assert_int_equal(shim_flush_start, window());
	assert_int_equal(shim_flush_end, window() + P(2 * N));
	assert_false(vmalloc_purge_pending());
	assert_int_equal(vmalloc_stats.lazy_pages, 0);
	assert_int_equal(vmalloc_stats.purged_areas, areas + N);
	assert_int_equal(vmalloc_check(), 0);
	vmalloc_set_lazy_max_pages(LAZY_MAX_PAGES_DEFAULT);
	end_clean();
}

/*
 * With nobody idling, the lazy list stops growing at the hard cap: a free
 * past it purges the list down to the budget (the bound is per lock hold,
 * inside the purge, not per free).
 */
static void test_lazy_list_capped_without_idle(void **state)
{
	unsigned long cap, most = 0, areas;
	void *a, *b;
	int i;

	(void)state;
	vm_unmap_aliases();
	vmalloc_set_lazy_max_pages(16);
	cap = 16 * LAZY_HARD_CAP_FACTOR;
	for (i = 0; i < 2000; i++) {
		a = vmalloc(P(1));
		b = vzalloc(P(1)); /* another caller: a and b never merge */
		areas = vmalloc_stats.purged_areas;
		vfree(a);
		vfree(b);
		assert_true(vmalloc_stats.purged_areas - areas <= 2 * VMAP_PURGE_BATCH);
		if (vmalloc_stats.purged_areas != areas)
			assert_true(vmalloc_stats.lazy_pages <= 16 + 2);
		most = max(most, vmalloc_stats.lazy_pages);
	}
	assert_true(most <= cap + 2);
	assert_true(vmalloc_purge_pending());
	assert_int_equal(vmalloc_check(), 0);
	vmalloc_set_lazy_max_pages(LAZY_MAX_PAGES_DEFAULT);
	end_clean();
}

/*
 * Regression: past the hard cap, every free purged one batch of
 * VMAP_PURGE_BATCH areas with its own TLB flush, a flush every 64 frees in
 * a loop that never idles. Now the capped free purges down to the budget,
 * thousands of areas per flush (about 6 flushes here, where it made 250).
 */
static void test_hard_cap_purge_flushes_once_per_many_areas(void **state)
{
	enum {
		N = 20000,
		BUDGET = 2048
	};
	unsigned long flushes, purges, areas, most = 0;
	void *a;
	int i;

	(void)state;
	vm_unmap_aliases();
	vmalloc_set_lazy_max_pages(BUDGET);
	flushes = shim_flush_calls;
	purges = vmalloc_stats.nr_purges;
	areas = vmalloc_stats.purged_areas;
	for (i = 0; i < N; i++) {
		assert_non_null(a = vmalloc(P(1)));
		vfree(a);
		most = max(most, vmalloc_stats.lazy_pages);
	}
	assert_true(most <= BUDGET * LAZY_HARD_CAP_FACTOR + 2);
	assert_true(vmalloc_stats.nr_purges > purges); /* the cap was reached */
	assert_true(shim_flush_calls - flushes <= N / 1000);
	assert_true(vmalloc_stats.nr_purges - purges <= N / 1000);
	assert_int_equal(vmalloc_check(), 0);
	vm_unmap_aliases();
	assert_int_equal(vmalloc_stats.lazy_pages, 0);
	assert_int_equal(vmalloc_stats.purged_areas - areas, N);
	vmalloc_set_lazy_max_pages(LAZY_MAX_PAGES_DEFAULT);
	end_clean();
}

/*
 * An allocation that only fits in lazily freed space still succeeds: the
 * synchronous purge runs when the search finds nothing.
 */
static void test_alloc_needing_lazy_space_purges_synchronously(void **state)
{
	unsigned long w = window(), purges;
	void *p[8], *q;
	int i;

	(void)state;
	vm_unmap_aliases();
	for (i = 0; i < 8; i++)
		assert_non_null(p[i] = valloc_range(P(1), 1, w, w + P(16), 0));
	vfree(p[3]);
	assert_int_equal(vmalloc_stats.lazy_pages, 2);
	assert_false(vmalloc_purge_pending()); /* under the budget */
	purges = vmalloc_stats.nr_purges;
	q = valloc_range(P(1), 1, w, w + P(16), 0);
	assert_int_equal((unsigned long)q, w + P(6));
	assert_int_equal(vmalloc_stats.nr_purges, purges + 1);
	assert_int_equal(vmalloc_stats.lazy_pages, 0);
	vfree(q);
	for (i = 0; i < 8; i++)
		if (i != 3)
			vfree(p[i]);
	end_clean();
}

/*
 * Regression (issue 12 item 7): vmallocinfo_dump() printed every line with
 * the busy and lazy locks held (interrupts off for the whole dump). Now it
 * prints with no lock held, in batches that resume where the last ended,
 * and still lists every area in address order.
 */
/* Areas the flush hook frees one per flush, as another CPU would. */
#define LATE_AREAS 16
static void *late_area[LATE_AREAS];
static unsigned int late_freed;

static void free_one_late_area(void)
{
	bool debug = vmalloc_debug_vm;

	if (late_freed == LATE_AREAS)
		return;
	vmalloc_debug_vm = false; /* vmalloc_check() would take Q, held here */
	vfree(late_area[late_freed++]);
	vmalloc_debug_vm = debug;
}

/*
 * Regression (review of issue 12 item 7): purge_vmap_area_lazy() looped
 * until the lazy list was empty, with interrupts on between batches, so
 * frees arriving meanwhile (other CPUs) could keep it going forever. It
 * purges what was lazy when it started: here 202 old areas, detached in
 * holds of 64 for one flush, which frees one more area above them; it waits.
 */
static void test_purge_bounded_to_areas_lazy_at_start(void **state)
{
	unsigned long w = window(), max = vmalloc_lazy_max_pages(), calls, nr = 3 * 64 + 10;
	static void *old[3 * 64 + 10];
	unsigned long i;

	(void)state;
	vmalloc_set_lazy_max_pages(~0UL); /* no purge but ours */
	for (i = 0; i < nr; i++)
		old[i] = valloc_range(P(1), 1, w, w + P(1 << 20), 0);
	for (i = 0; i < LATE_AREAS; i++)
		late_area[i] = valloc_range(P(1), 1, w + P(1 << 20), w + P(2 << 20), 0);
	for (i = nr; i-- > 0;) /* downwards: no two merge on the lazy list */
		vfree(old[i]);
	assert_int_equal(vmalloc_stats.lazy_pages, 2 * nr);
	late_freed = 0;
	shim_flush_hook = free_one_late_area;
	calls = shim_flush_calls;
	assert_true(purge_vmap_area_lazy());
	shim_flush_hook = NULL;
	assert_int_equal(shim_flush_calls - calls, 1); /* 202 areas, one flush */
	assert_int_equal(late_freed, 1);
	assert_int_equal(vmalloc_stats.lazy_pages, 2 * late_freed); /* the late ones wait */
	for (i = late_freed; i < LATE_AREAS; i++)
		vfree(late_area[i]);
	vmalloc_set_lazy_max_pages(max);
	end_clean();
}

static void test_vmallocinfo_prints_unlocked(void **state)
{
	enum {
		N = 3 * VMINFO_BATCH + 5
	};
	unsigned long w = window();
	static void *p[N];
	char line[160];
	const char *at;
	int i;

	(void)state;
	vm_unmap_aliases();
	for (i = 0; i < N; i++)
		assert_non_null(p[i] = valloc_range(P(1), 1, w, w + P(2 * N), 0));
	for (i = 0; i < N; i += 3) /* every third one lazy, between busy ones */
		vfree(p[i]);
	shim_log_clear();
	shim_printk_locked = 0;
	vmallocinfo_dump();
	assert_int_equal(shim_printk_locked, 0);
	for (i = 0, at = shim_log; i < N; i++) {
		snprintf(line, sizeof(line), "0x%016lx-0x%016lx    8192 %s", w + P(2 * i),
			 w + P(2 * i + 2), i % 3 ? "" : "unpurged vm_area\n");
		at = strstr(at, line);
		if (!at)
			fail_msg("area %d [%#lx) missing or out of order in: %s", i, w + P(2 * i),
				 shim_log);
	}
	shim_printk_locked = 0;
	vmalloc_meminfo_dump();
	assert_int_equal(shim_printk_locked, 0);
	for (i = 0; i < N; i++)
		if (i % 3)
			vfree(p[i]);
	end_clean();
}

/*
 * A freed area merges into the last lazy one only when it continues it and
 * has the same caller: any other order or caller keeps a node of its own,
 * so a fault in it still names its own range and allocator.
 */
static void test_lazy_merge_only_same_caller_in_order(void **state)
{
	unsigned long areas, base;
	void *q[3], *r[2];
	char msg[160], want[160];
	int i;

	(void)state;
	vm_unmap_aliases();
	areas = vmalloc_stats.purged_areas;
	for (i = 0; i < 3; i++) /* q[1] from another call site */
		q[i] = i == 1 ? vzalloc(P(1)) : vmalloc(P(1));
	base = (unsigned long)q[0];
	for (i = 0; i < 3; i++)
		assert_int_equal((unsigned long)q[i], base + P(2 * i));
	for (i = 0; i < 3; i++)
		vfree(q[i]);
	assert_int_equal(vmalloc_check(), 0);
	assert_int_equal(vmalloc_stats.lazy_pages, 6);
	assert_true(vmalloc_describe_fault(base + P(2) + 5, msg, sizeof(msg)));
	snprintf(want, sizeof(want), "freed vmalloc area [%#lx-%#lx] 2 pages, allocated by ",
		 base + P(2), base + P(4));
	assert_true(strncmp(msg, want, strlen(want)) == 0);
	vm_unmap_aliases();
	assert_int_equal(vmalloc_stats.purged_areas, areas + 3);

	for (i = 0; i < 2; i++)
		r[i] = vmalloc(P(1));
	assert_int_equal((unsigned long)r[1], (unsigned long)r[0] + P(2));
	vfree(r[1]); /* going down: no merge */
	vfree(r[0]);
	assert_int_equal(vmalloc_check(), 0);
	vm_unmap_aliases();
	assert_int_equal(vmalloc_stats.purged_areas, areas + 5);
	end_clean();
}

static void test_vfree_atomic(void **state)
{
	unsigned long busy, warns;
	void *p, *q, *r;

	(void)state;
	p = vmalloc(P(2));
	q = vmalloc(P(1));
	fill(p, P(2), 1);
	busy = vmalloc_nr_busy();
	vfree_atomic(p);
	vfree_atomic(q);
	assert_int_equal(vmalloc_nr_busy(), busy); /* only queued */
	assert_true(find_vm_area(p)->flags & VM_DEFER_FREE);
	check_fill(p, P(2), 1); /* the queue does not live in the areas */
	warns = warn_count;
	vfree_atomic(p);	     /* queued twice */
	vfree_atomic((char *)q + 8); /* not an area start */
	assert_int_equal(warn_count, warns + 2);
	vfree_deferred_run();
	assert_int_equal(vmalloc_nr_busy(), busy - 2);
	assert_null(find_vm_area(p));

	/* From "interrupt context" while vmalloc holds its lock: queue only. */
	r = vmalloc(P(1));
	spin_lock(&vmap_shards[0].busy.lock);
	vfree_atomic(r);
	vfree_deferred_run(); /* refuses: lock held */
	spin_unlock(&vmap_shards[0].busy.lock);
	assert_ptr_equal(find_vm_area(r)->addr, r);
	p = vmalloc(P(1)); /* entry runs the queue */
	assert_null(find_vm_area(r));
	vfree(p);

	/*
	 * Regression (review): with the lock held, nothing may be written into
	 * the area, and a bad or repeated address must not lose other frees.
	 */
	p = vmalloc(P(1));
	q = vmalloc(P(1));
	fill(p, P(1), 7);
	busy = vmalloc_nr_busy();
	spin_lock(&vmap_shards[0].busy.lock);
	vfree_atomic(q);
	vfree_atomic(p);
	vfree_atomic(p); /* twice, unchecked */
	spin_unlock(&vmap_shards[0].busy.lock);
	check_fill(p, P(1), 7); /* untouched */
	warns = warn_count;
	vfree_deferred_run();
	assert_int_equal(warn_count, warns + 1); /* the second p */
	assert_int_equal(vmalloc_nr_busy(), busy - 2);
	assert_null(find_vm_area(p));
	assert_null(find_vm_area(q));
	end_clean();
}

/*
 * Regression (review of issue 12 item 8): vfree_atomic() checked only V
 * before taking V, so an exception while Q, F or P was held took V inside
 * them, against the order Q -> V -> F -> P. With any of the four held it
 * parks the address unchecked; vfree_deferred_run() frees it later.
 */
static void test_vfree_atomic_inside_any_lock_parks(void **state)
{
	struct spinlock *locks[] = { &vmap_shards[0].busy.lock, &vmap_free.lock,
				     &vmap_lazy[0].lock,	&vmap_purge_lock,
				     &vmap_pools[0].lock,	&vmap_lazy[3].lock };
	unsigned long busy, parked;
	unsigned int i;
	void *r;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(locks); i++) {
		r = vmalloc(P(1));
		busy = vmalloc_nr_busy();
		parked = vfree_nr_unchecked;
		spin_lock(locks[i]);
		vfree_atomic(r);
		spin_unlock(locks[i]);
		assert_int_equal(vfree_nr_unchecked, parked + 1);
		assert_false(find_vm_area(r)->flags & VM_DEFER_FREE); /* not looked at */
		assert_int_equal(vmalloc_nr_busy(), busy);	      /* nothing freed */
		vfree_deferred_run();
		assert_int_equal(vfree_nr_unchecked, parked);
		assert_null(find_vm_area(r));
	}
	end_clean();
}

static void test_vread(void **state)
{
	unsigned long w = window(), i;
	static char buf[P(8) + 200];
	void *a, *b, *c;

	(void)state;
	a = valloc_range(P(1), 1, w, w + P(64), 0);
	b = valloc_range(P(2), 1, w, w + P(64), 0);
	c = valloc_range(P(1), 1, w, w + P(64), 0);
	memset(a, 0x11, P(1));
	memset(b, 0x22, P(2));
	memset(c, 0x33, P(1));
	/* a | guard | b b | guard | c | guard, from 100 bytes before a */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(vread(buf, (char *)a - 100, P(7) + 200), P(7) + 200);
	for (i = 0; i < P(7) + 200; i++) {
		unsigned long addr = (unsigned long)a - 100 + i;
		int want = 0;

		if (addr >= w && addr < w + P(1))
			want = 0x11;
		else if (addr >= w + P(2) && addr < w + P(4))
			want = 0x22;
		else if (addr >= w + P(5) && addr < w + P(6))
			want = 0x33;
		if ((unsigned char)buf[i] != want)
			fail_msg("vread byte %lu (%#lx): %#x, want %#x", i, addr,
				 (unsigned char)buf[i], want);
	}
	vfree(b); /* freed (lazily): reads as zeros */
	memset(buf, 0xee, 64);
	vread(buf, b, 64);
	assert_null(memchr(buf, 0xee, 64));
	assert_int_equal(buf[0], 0);
	/* not vmalloc at all, and wrapping past the top: zeros, no fault */
	memset(buf, 0xee, 64);
	vread(buf, (char *)&w, 64);
	assert_int_equal(buf[8], 0);
	vread(buf, (char *)(~0UL - 20), 64);
	assert_int_equal(buf[40], 0);
	vfree(a);
	vfree(c);
	end_clean();
}

/*
 * Regression (review of issue 12 item 7): vread() copied any mapped page,
 * so a page mapped where no busy area is (or in an area still being set
 * up) was read although nothing kept it there; its comment claimed the
 * area could not go while copied. It reads only pages of busy, set-up
 * areas, and takes the busy lock once per page.
 */
static void test_vread_only_busy_initialised_areas(void **state)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long a = window() + P(64), i, enables;
	struct vm_struct *vm;
	static char buf[P(8)];
	char *v;

	(void)state;
	memset(page_address(page), 0x5a, PAGE_SIZE);
	/* mapped, but in no busy area */
	assert_int_equal(vmap_pages_range(a, a + P(1), PAGE_KERNEL, &page), 0);
	memset(buf, 0xee, 64);
	vread(buf, (char *)a + 100, 64);
	assert_null(memchr(buf, 0xee, 64));
	assert_null(memchr(buf, 0x5a, 64));
	vunmap_range_noflush(a, a + P(1));
	/* a busy area still being set up, then set up */
	vm = get_vm_area(P(1), VM_MAP | VM_UNINITIALIZED);
	a = (unsigned long)vm->addr;
	assert_int_equal(vmap_pages_range(a, a + P(1), PAGE_KERNEL, &page), 0);
	vread(buf, (char *)a + 100, 64);
	assert_null(memchr(buf, 0x5a, 64));
	vm->flags &= ~VM_UNINITIALIZED;
	vread(buf, (char *)a + 100, 64);
	assert_int_equal(buf[0], 0x5a);
	assert_int_equal(buf[63], 0x5a);
	free_vm_area(vm);
	__free_page(page);

	/* one page per hold of the lock: never two lookups in one hold */
	v = vmalloc(P(8));
	fill(v, P(8), 7);
	shim_lookups_held_max = 0;
	enables = shim_holds_ended();
	vread(buf, v + 100, P(8) - 200);
	assert_int_equal(shim_lookups_held_max, 1);
	assert_true(shim_holds_ended() - enables >= 8);
	for (i = 0; i < P(8) - 200; i++)
		assert_int_equal(buf[i], v[100 + i]);
	vfree(v);
	end_clean();
}

static void test_vmap(void **state)
{
	struct page *pages[4];
	unsigned long freep;
	char *v;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	freep = nr_free_pages();
	assert_null(vmap(pages, 0, 0, PAGE_KERNEL));
	SHIM_EXPECT_ONE_WARNING(v = vmap(pages, 4, VM_NO_GUARD, PAGE_KERNEL),
				"VM_NO_GUARD ignored");
	assert_non_null(v);
	assert_true(find_vm_area(v)->flags & VM_MAP);
	assert_int_equal(find_vm_area(v)->size, P(5)); /* the guard page stays */
	for (i = 0; i < 4; i++) {
		assert_ptr_equal(vmalloc_to_page(v + P(i) + 17), pages[i]);
		assert_int_equal(vmalloc_to_pfn(v + P(i)), page_to_pfn(pages[i]));
		v[P(i) + 5] = (char)(i + 1);
		assert_int_equal(((char *)page_address(pages[i]))[5], i + 1);
	}
	vunmap(v);
	assert_int_equal(nr_free_pages(), freep); /* pages are the caller's */
	assert_null(vmalloc_to_page(v));
	assert_int_equal(vmalloc_to_pfn(v), 0);
	for (i = 0; i < 4; i++)
		__free_page(pages[i]);
	end_clean();
}

/* The flushes since @calls0: exactly one, over [start, end). */
static void assert_one_flush(unsigned long calls0, unsigned long start, unsigned long end)
{
	assert_int_equal(shim_flush_calls, calls0 + 1);
	assert_int_equal(shim_flush_start, start);
	assert_int_equal(shim_flush_end, end);
}

/*
 * Regression (review of issue 12 item 9): vmap() dropped
 * VM_FLUSH_RESET_PERMS (it passed only VM_MAP) and only vfree() honoured
 * the flag, so vunmap(), free_vm_area() and remove_vm_area() of an area
 * whose permissions had changed left its translations to the lazy purge.
 * Every unmap of such an area flushes its range at once.
 */
static void test_flush_reset_perms_flushes_every_unmap(void **state)
{
	struct page *pages[2] = { alloc_page(GFP_KERNEL), alloc_page(GFP_KERNEL) };
	unsigned long calls, a;
	struct vm_struct *vm;
	char *v;

	(void)state;
	v = vmap(pages, 2, VM_FLUSH_RESET_PERMS, PAGE_KERNEL);
	assert_non_null(v);
	assert_true(find_vm_area(v)->flags & VM_FLUSH_RESET_PERMS);
	calls = shim_flush_calls;
	vunmap(v);
	assert_one_flush(calls, (unsigned long)v, (unsigned long)v + P(2));

	vm = get_vm_area(P(1), VM_MAP | VM_FLUSH_RESET_PERMS);
	a = (unsigned long)vm->addr;
	assert_int_equal(vmap_pages_range(a, a + P(1), PAGE_KERNEL, pages), 0);
	calls = shim_flush_calls;
	free_vm_area(vm);
	assert_one_flush(calls, a, a + P(1));

	vm = get_vm_area(P(1), VM_MAP | VM_FLUSH_RESET_PERMS);
	a = (unsigned long)vm->addr;
	assert_int_equal(vmap_pages_range(a, a + P(1), PAGE_KERNEL, pages), 0);
	calls = shim_flush_calls;
	assert_ptr_equal(remove_vm_area(vm->addr), vm);
	assert_one_flush(calls, a, a + P(1));
	kfree(vm);

	v = __vmalloc_node_range(P(3), 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL, PAGE_KERNEL,
				 VM_FLUSH_RESET_PERMS, NUMA_NO_NODE,
				 test_flush_reset_perms_flushes_every_unmap);
	calls = shim_flush_calls;
	vfree(v);
	assert_one_flush(calls, (unsigned long)v, (unsigned long)v + P(3));

	/* Without the flag, vunmap() leaves the flush to the lazy purge. */
	v = vmap(pages, 2, 0, PAGE_KERNEL);
	calls = shim_flush_calls;
	vunmap(v);
	assert_int_equal(shim_flush_calls, calls);
	__free_page(pages[0]);
	__free_page(pages[1]);
	end_clean();
}

static void test_ioremap(void **state)
{
	enum pg_level level;
	struct vm_struct *vm;
	char line[160];
	char *io, *wc;
	pte_t *pte;

	(void)state;
	io = ioremap(0xfe000123ULL, 0x2000);
	assert_non_null(io);
	assert_int_equal((unsigned long)io & ~PAGE_MASK, 0x123);
	vm = find_vm_area(io);
	assert_true(vm->flags & VM_IOREMAP);
	assert_int_equal(vm->phys_addr, 0xfe000000ULL);
	assert_int_equal(vm->size, P(4)); /* 3 pages touched + guard */
	pte = lookup_address((unsigned long)io + P(2), &level);
	assert_non_null(pte);
	assert_int_equal(*pte & PTE_PFN_MASK, 0xfe002000ULL);
	assert_int_equal(*pte & _PAGE_CACHE_UC, _PAGE_CACHE_UC);
	assert_int_equal(vmalloc_to_pfn(io), 0xfe000);
	assert_null(vmalloc_to_page(io));
	shim_log_clear();
	vmallocinfo_dump();
	snprintf(line, sizeof(line), "0x%016lx-0x%016lx   16384", (unsigned long)vm->addr,
		 (unsigned long)vm->addr + P(4));
	assert_true(shim_log_has(line));
	assert_true(shim_log_has(" phys=0x00000000fe000000 ioremap\n"));

	wc = ioremap_wc(0xfd000000ULL, P(1));
	pte = lookup_address((unsigned long)wc, &level);
	assert_int_equal(*pte & _PAGE_CACHE_UC, _PAGE_CACHE_WC);

	shim_log_clear();
	assert_null(ioremap(P(5) + 8, 16)); /* RAM */
	assert_true(shim_log_has("ioremap: refusing to map RAM"));
	assert_null(ioremap(0xfe000000ULL, 0));
	assert_null(ioremap(~0ULL - 10, 100)); /* wraps */
	assert_true(shim_log_has("ioremap: bad range"));
	iounmap(io);
	iounmap(wc);
	end_clean();
}

/* At a flush, the references of the memtype range under test. */
static phys_addr_t memtype_probe;
static unsigned int memtype_refs_at_flush;

static void record_memtype_refs(void)
{
	memtype_refs_at_flush = memtype_refs(memtype_probe, memtype_probe + P(2));
}

/*
 * Regression (review of issue 12 item 5): iounmap() freed the memory-type
 * reservation before the lazy TLB flush, so a stale UC translation could
 * alias a new WC mapping of the same frames; and free_vm_area() or
 * remove_vm_area() of an ioremap() area never freed it at all (a later
 * ioremap_wc() of the range was refused as a conflict). Every way out
 * flushes the range, then frees the reservation.
 */
static void test_ioremap_flushes_before_memtype_free(void **state)
{
	phys_addr_t phys = 0xfe000000ULL;
	struct vm_struct *vm;
	unsigned long calls, a, warns;
	char *io;

	(void)state;
	memtype_probe = phys;
	shim_flush_hook = record_memtype_refs;
	io = ioremap(phys, P(2));
	assert_int_equal(memtype_refs(phys, phys + P(2)), 1);
	calls = shim_flush_calls;
	iounmap(io);
	assert_one_flush(calls, (unsigned long)io, (unsigned long)io + P(2));
	assert_int_equal(memtype_refs_at_flush, 1); /* still reserved while flushing */
	assert_int_equal(memtype_refs(phys, phys + P(2)), 0);

	io = ioremap(phys, P(2));
	calls = shim_flush_calls;
	free_vm_area(find_vm_area(io));
	assert_one_flush(calls, (unsigned long)io, (unsigned long)io + P(2));
	assert_int_equal(memtype_refs_at_flush, 1);
	assert_int_equal(memtype_refs(phys, phys + P(2)), 0);

	io = ioremap_wc(phys, P(2)); /* no UC reservation left to conflict with */
	assert_non_null(io);
	vm = find_vm_area(io);
	calls = shim_flush_calls;
	assert_ptr_equal(remove_vm_area(io), vm);
	assert_one_flush(calls, (unsigned long)io, (unsigned long)io + P(2));
	assert_int_equal(memtype_refs(phys, phys + P(2)), 0);
	kfree(vm);
	shim_flush_hook = NULL;

	/* A bare VM_IOREMAP reservation holds no memory type: nothing to free. */
	vm = get_vm_area(P(1), VM_IOREMAP);
	a = (unsigned long)vm->addr;
	assert_int_equal(vmap_range(a, a + P(1), phys, PAGE_KERNEL_NOCACHE), 0);
	warns = warn_count;
	shim_log_clear();
	free_vm_area(vm);
	assert_int_equal(warn_count, warns);
	assert_false(shim_log_has("memtype_free"));
	end_clean();
}

static void test_kvmalloc(void **state)
{
	char *small, *big, *z;
	unsigned long i;

	(void)state;
	small = kvmalloc(100, GFP_KERNEL);
	assert_false(is_vmalloc_addr(small));
	big = kvmalloc(P(16), GFP_KERNEL);
	assert_true(is_vmalloc_addr(big));
	z = kvzalloc(P(9) + 5, GFP_KERNEL);
	assert_true(is_vmalloc_addr(z));
	for (i = 0; i < P(9) + 5; i++)
		assert_int_equal(z[i], 0);
	kvfree(small);
	kvfree(big);
	kvfree(z);
	/* kmalloc fails quietly: falls back to vmalloc */
	shim_log_clear();
	fail_slab_set(1, 1);
	small = kvmalloc(100, GFP_KERNEL);
	assert_true(is_vmalloc_addr(small));
	kvfree(small);
	assert_null(kvmalloc(0, GFP_KERNEL));
	end_clean();
}

static void test_vzalloc_vmalloc32(void **state)
{
	unsigned char *z, *v;
	unsigned long i;

	(void)state;
	v = vmalloc(P(3));
	z = vzalloc(P(3));
	for (i = 0; i < P(3); i++) {
		assert_int_equal(z[i], 0);
		assert_int_equal(v[i], SHIM_POISON_ALLOC); /* vmalloc does not zero */
	}
	vfree(v);
	vfree(z);
	shim_page_gfp_seen = 0;
	v = vmalloc_32(P(2));
	assert_true(shim_page_gfp_seen & __GFP_DMA32);
	assert_true(vmalloc_to_pfn(v) < (1UL << (32 - PAGE_SHIFT)));
	vfree(v);
	shim_page_gfp_seen = 0;
	v = __vmalloc(P(1), __GFP_ZERO);
	assert_true(shim_page_gfp_seen & __GFP_ZERO);
	vfree(v);
	end_clean();
}

static void test_size_limits(void **state)
{
	unsigned long fails = vmalloc_stats.alloc_failures;

	(void)state;
	shim_log_clear();
	assert_null(vmalloc(0));
	assert_true(shim_log_has("vmalloc: allocation failure: 0 bytes, caller "));
	assert_true(shim_log_has(", mode:0x0(GFP_KERNEL), nodemask=(null)\n"));
	assert_true(shim_log_has("Call Trace:"));
	assert_null(vmalloc(P(totalram_pages + 1)));
	assert_null(vmalloc(~0UL - 5));
	shim_log_clear();
	assert_null(__vmalloc(0, __GFP_NOWARN));
	assert_false(shim_log_has("allocation failure"));
	assert_false(shim_log_has("Call Trace:"));
	assert_int_equal(vmalloc_stats.alloc_failures, fails + 4);
	end_clean();
}

static void test_dumps(void **state)
{
	char line[200], caller[40];
	struct vm_struct *vm;
	void *p, *big;

	(void)state;
	p = vmalloc(P(4));
	big = vmalloc(P(600)); /* its pages array is vmalloc()ed */
	vm = find_vm_area(p);
	shim_log_clear();
	vmallocinfo_dump();
	snprintf(caller, sizeof(caller), "%pS", vm->caller);
	snprintf(line, sizeof(line), "0x%016lx-0x%016lx   20480 %s pages=4 vmalloc N0=4\n",
		 (unsigned long)p, (unsigned long)p + P(5), caller);
	assert_true(shim_log_has(line));
	assert_true(shim_log_has(" pages=600 vmalloc vpages N0=600\n"));
	assert_true(shim_log_has(" pages=2 vmalloc N0=2\n")); /* the array itself */
	snprintf(line, sizeof(line), "0x%016lx-0x%016lx   12288 vmalloc\n", VMALLOC_START,
		 VMALLOC_START + P(3));
	assert_true(shim_log_has(line)); /* early area: no caller, no pages */

	shim_log_clear();
	vmalloc_meminfo_dump();
	assert_true(shim_log_has("VmallocTotal:   34359738367 kB\n")); /* (END - START) >> 10 */
	assert_true(shim_log_has("VmallocUsed:        2424 kB\n"));    /* 4 + 600 + 2 pages */
	snprintf(line, sizeof(line), "VmallocChunk:   %8lu kB\n",
		 (VMALLOC_END + 1 - ((unsigned long)big + P(601))) >> 10);
	assert_true(shim_log_has(line));
	shim_log_clear();
	vmalloc_stats_dump();
	assert_true(shim_log_has("vmalloc: busy areas 5, free blocks"));
	assert_true(shim_log_has("tlb flushes: single"));
	vfree(p);
	vfree(big);
	end_clean();
}

static void test_describe_fault(void **state)
{
	char msg[200], want[200], caller[40];
	struct vm_struct *area;
	void *p;

	(void)state;
	p = vmalloc(P(4));
	snprintf(caller, sizeof(caller), "%pS", find_vm_area(p)->caller);
	assert_true(vmalloc_describe_fault((unsigned long)p + P(4) + 8, msg, sizeof(msg)));
	snprintf(want, sizeof(want),
		 "guard page of vmalloc area [%#lx-%#lx] 4 pages, allocated by %s",
		 (unsigned long)p, (unsigned long)p + P(5), caller);
	assert_string_equal(msg, want);
	assert_true(vmalloc_describe_fault((unsigned long)p + 8, msg, sizeof(msg)));
	assert_true(strncmp(msg, "inside vmalloc area", 19) == 0);
	area = get_vm_area(P(2), VM_IOREMAP);
	assert_true(vmalloc_describe_fault((unsigned long)area->addr, msg, sizeof(msg)));
	assert_true(strncmp(msg, "inside (not mapped) vmalloc area", 32) == 0);
	assert_false(vmalloc_describe_fault(window(), msg, sizeof(msg)));
	assert_false(vmalloc_describe_fault(0x1000, msg, sizeof(msg)));
	free_vm_area(area);
	vfree(p);
	end_clean();
}

static void test_vm_area_api(void **state)
{
	struct vm_struct *a, *b, *c;
	unsigned long w = window();

	(void)state;
	a = get_vm_area(P(3), VM_IOREMAP);
	assert_non_null(a);
	assert_int_equal(a->size, P(4));
	assert_ptr_equal(find_vm_area((char *)a->addr + 5000), a);
	assert_ptr_equal(find_vm_area((char *)a->addr + P(3)), a); /* guard */
	assert_null(find_vm_area((char *)a->addr + P(4) + P(100)));
	b = __get_vm_area_caller(P(2), VM_NO_GUARD, w + P(3), w + P(9), test_vm_area_api);
	assert_int_equal((unsigned long)b->addr, w + P(3));
	assert_ptr_equal(b->caller, test_vm_area_api);
	c = get_vm_area_caller(P(1), 0, test_vm_area_api);
	assert_ptr_equal(remove_vm_area(c->addr), c);
	assert_null(remove_vm_area(c->addr));
	kfree(c);
	free_vm_area(a);
	free_vm_area(b);

	/* Regression (review): free_vm_area() of a vmalloc area would leak its
	 * pages; it is refused, and vfree() still frees everything. */
	{
		unsigned long warns = warn_count, free = nr_free_pages();
		void *p = vmalloc(P(3));

		free_vm_area(find_vm_area(p));
		assert_int_equal(warn_count, warns + 1);
		assert_ptr_equal(find_vm_area(p)->addr, p);
		vfree(p);
		vm_unmap_aliases();
		assert_int_equal(nr_free_pages(), free);
	}
	end_clean();
}

/* vmalloc_check() does catch corruption (and names the node). */
static void test_check_catches(void **state)
{
	struct vmap_area *va;
	unsigned long saved;
	void *p;

	(void)state;
	vmalloc_debug_vm = false;
	p = vmalloc(P(1));
	va = list_first_entry(&vmap_free.head, struct vmap_area, list);
	saved = va->subtree_max_size;
	va->subtree_max_size = saved + PAGE_SIZE;
	shim_log_clear();
	assert_int_equal(vmalloc_check(), -EINVAL);
	assert_true(shim_log_has("subtree_max_size"));
	va->subtree_max_size = saved;

	va = find_va_containing(&addr_shard((unsigned long)p)->busy, (unsigned long)p);
	va->va_end += PAGE_SIZE; /* now overlaps the free block after it */
	shim_log_clear();
	assert_int_equal(vmalloc_check(), -EINVAL);
	assert_true(shim_log_has("vmalloc_check: busy node"));
	va->va_end -= PAGE_SIZE;
	assert_int_equal(vmalloc_check(), 0);
	vfree(p);
	vmalloc_debug_vm = true;
	end_clean();
}

/*
 * An area linked into a shard other than the one its start hashes to is
 * invisible to vfree() (which looks in that one shard only): the checker
 * must say so, even with every counter right.
 */
static void test_check_catches_area_in_wrong_shard(void **state)
{
	struct vmap_shard *own, *other;
	struct vmap_area *va;
	void *p;

	(void)state;
	vmalloc_debug_vm = false;
	p = vmalloc(P(1));
	own = addr_shard((unsigned long)p);
	other = own + 1 == vmap_shards + VMAP_NR_SHARDS ? vmap_shards : own + 1;
	va = find_va_containing(&own->busy, (unsigned long)p);
	assert_non_null(va);
	unlink_va(va, &own->busy);
	own->nr_busy--;
	link_va(va, &other->busy, "busy");
	other->nr_busy++;
	shim_log_clear();
	assert_int_equal(vmalloc_check(), -EINVAL);
	assert_true(shim_log_has("its address hashes to shard"));
	assert_non_null(find_vm_area(p)); /* a lookup by address still tries every shard */
	unlink_va(va, &other->busy);
	other->nr_busy--;
	link_va(va, &own->busy, "busy");
	own->nr_busy++;
	assert_int_equal(vmalloc_check(), 0);
	vfree(p);
	vmalloc_debug_vm = true;
	end_clean();
}

/* ---- pools of flushed ranges (issue 16 item 2) ---- */

/* Purge what is lazy into the pools, as the background purge does. */
static void purge_to_pools(void)
{
	queue_work(&vmap_purge_work);
	vmalloc_purge_flush();
}

/*
 * Regression (review): a setup that failed gave its pooled range back to
 * the pool of the CPU it ran on by then, taking a hit off that pool's
 * count (0 - 1 there: ULONG_MAX). It goes back to the pool it came from.
 */
static void test_failed_setup_after_migration_gives_back_to_its_pool(void **state)
{
	unsigned long hits0;
	struct vm_struct *area;

	(void)state;
	vfree(vmalloc(P(1)));
	purge_to_pools();
	assert_int_equal(vmap_pools[0].nr_areas, 1);
	hits0 = vmap_pools[0].hits;
	area = get_vm_area(P(1), VM_MAP); /* on CPU 0: from its pool */
	assert_non_null(area);
	assert_int_equal(vmap_pools[0].nr_areas, 0);
	cpu_number = 1; /* moved to CPU 1 before the setup failed */
	release_vm_area(area);
	cpu_number = 0;
	assert_int_equal(vmap_pools[0].nr_areas, 1);
	assert_int_equal(vmap_pools[0].hits, hits0);
	assert_int_equal(vmap_pools[1].nr_areas, 0);
	assert_int_equal(vmap_pools[1].hits, 0);
	assert_int_equal(vmalloc_check(), 0);
	end_clean();
}

/*
 * A freed range is handed out again only after its flush, and then from
 * its pool: the same address, node and all, no free-tree search.
 */
static void test_pool_reuses_flushed_range(void **state)
{
	unsigned long flushes, hits = vmap_pools[0].hits, visits;
	void *p, *q, *r;

	(void)state;
	vm_unmap_aliases();
	p = vmalloc(P(3));
	assert_non_null(p);
	vfree(p);
	q = vmalloc(P(3)); /* p is lazy, not flushed: never handed out */
	assert_ptr_not_equal(q, p);
	assert_int_equal(vmap_pools[0].hits, hits);
	flushes = shim_flush_calls;
	purge_to_pools();
	assert_int_equal(shim_flush_calls, flushes + 1);
	assert_int_equal(vmap_pools[0].nr_areas, 1);
	assert_int_equal(vmap_pools[0].nr_pages, 4);
	assert_int_equal(vmalloc_check(), 0);
	visits = vmalloc_stats.fit_visits;
	r = vmalloc(P(3));
	assert_ptr_equal(r, p);
	assert_int_equal(vmap_pools[0].hits, hits + 1);
	assert_int_equal(vmalloc_stats.fit_visits, visits); /* no search */
	assert_int_equal(vmap_pools[0].nr_areas, 0);
	/* another size does not take it */
	vfree(r);
	purge_to_pools();
	r = vmalloc(P(2));
	assert_ptr_not_equal(r, p);
	assert_int_equal(vmap_pools[0].nr_areas, 1);
	vfree(r);
	vfree(q);
	end_clean();
}

/* A pooled range is refused to a request whose window or alignment it misses. */
static void test_pool_respects_window_and_alignment(void **state)
{
	unsigned long w = window();
	void *p, *q;

	(void)state;
	vm_unmap_aliases();
	p = valloc_range(P(1), 1, w + P(1), w + P(64), 0); /* at w + 1 page: not 2-page aligned */
	assert_int_equal((unsigned long)p, w + P(1));
	vfree(p);
	purge_to_pools();
	assert_int_equal(vmap_pools[0].nr_areas, 1);
	q = valloc_range(P(1), P(2), w, w + P(64), 0); /* lowest aligned free fit instead */
	assert_int_equal((unsigned long)q, w + P(4));
	vfree(q);
	q = valloc_range(P(1), 1, w + P(8), w + P(64), 0); /* window above it */
	assert_int_equal((unsigned long)q, w + P(8));
	vfree(q);
	q = valloc_range(P(1), 1, w, w + P(64), 0);
	assert_ptr_equal(q, p);
	vfree(q);
	end_clean();
}

/*
 * Regression: space kept in the pools must not make an allocation fail.
 * A window full of pooled 2-page areas still serves a request for all of
 * it: the allocation drains the pools (merging) and retries.
 */
static void test_pool_drained_when_space_runs_out(void **state)
{
	unsigned long w = window(), drained = vmap_pools[0].drained;
	void *p[8], *big;
	int i;

	(void)state;
	vm_unmap_aliases();
	for (i = 0; i < 8; i++)
		assert_non_null(p[i] = valloc_range(P(1), 1, w, w + P(16), 0));
	for (i = 0; i < 8; i++)
		vfree(p[i]);
	purge_to_pools();
	assert_int_equal(vmap_pools[0].nr_areas, 8);
	assert_int_equal(vmalloc_check(), 0);
	big = valloc_range(P(15), 1, w, w + P(16), 0);
	assert_int_equal((unsigned long)big, w);
	assert_int_equal(vmap_pools[0].nr_areas, 0);
	assert_int_equal(vmap_pools[0].drained, drained + 8);
	vfree(big);
	end_clean();
}

/*
 * Regression (found by the vmalloc fuzz target): a vmalloc() that took its
 * range from a pool and then failed merged the range into the free tree,
 * freeing its node. A failed allocation must leave the pools as it found them.
 */
static void test_pool_failed_alloc_gives_the_range_back(void **state)
{
	unsigned long hits, slab;
	void *p, *q;

	(void)state;
	vm_unmap_aliases();
	p = vmalloc(P(1));
	vfree(p);
	purge_to_pools();
	assert_int_equal(vmap_pools[0].nr_areas, 1);
	hits = vmap_pools[0].hits;
	slab = shim_slab_live;
	fail_page_alloc_set(1, 1);
	shim_log_clear();
	assert_null(vmalloc(P(1)));
	fail_page_alloc_set(0, 0);
	assert_int_equal(vmap_pools[0].nr_areas, 1);
	assert_int_equal(vmap_pools[0].hits, hits);
	assert_int_equal(shim_slab_live, slab);
	assert_int_equal(vmalloc_check(), 0);
	q = vmalloc(P(1));
	assert_ptr_equal(q, p);
	vfree(q);
	end_clean();
}

/* Areas beyond the largest pool size go to the free tree, merging. */
static void test_pool_only_small_areas(void **state)
{
	void *p;

	(void)state;
	vm_unmap_aliases();
	p = vmalloc(P(VMAP_POOL_MAX_PAGES)); /* + guard: one page too many */
	assert_non_null(p);
	vfree(p);
	purge_to_pools();
	assert_int_equal(vmap_pools[0].nr_areas, 0);
	p = vmalloc(P(VMAP_POOL_MAX_PAGES - 1));
	vfree(p);
	purge_to_pools();
	assert_int_equal(vmap_pools[0].nr_areas, 1);
	assert_int_equal(vmap_pools[0].nr_pages, VMAP_POOL_MAX_PAGES);
	end_clean();
}

/* The fault reporter names a pooled range as freed. */
static void test_pool_describe_fault(void **state)
{
	char msg[160], want[160];
	void *p;

	(void)state;
	vm_unmap_aliases();
	p = vmalloc(P(2));
	vfree(p);
	purge_to_pools();
	assert_true(vmalloc_describe_fault((unsigned long)p + P(1) + 8, msg, sizeof(msg)));
	snprintf(want, sizeof(want),
		 "freed vmalloc area [%#lx-%#lx] 3 pages (pooled), allocated by ", (unsigned long)p,
		 (unsigned long)p + P(3));
	if (strncmp(msg, want, strlen(want)) != 0)
		fail_msg("describe_fault: got \"%s\", want \"%s...\"", msg, want);
	shim_log_clear();
	vmalloc_stats_dump();
	assert_true(shim_log_has("vmalloc: pools: 1 areas, 3 pages"));
	end_clean();
}

/* vmalloc_check() catches a pool entry overlapping another area, a double entry, a bad list. */
static void test_check_catches_corrupt_pool(void **state)
{
	struct vmap_area *fake, *free_va;
	void *p;

	(void)state;
	vm_unmap_aliases();
	vmalloc_debug_vm = false;
	p = vmalloc(P(1));
	vfree(p);
	purge_to_pools();
	assert_int_equal(vmalloc_check(), 0);
	fake = kmem_cache_alloc(vmap_area_cachep, GFP_KERNEL);
	assert_non_null(fake);

	/* the same range pooled twice */
	*fake = *list_first_entry(&vmap_pools[0].sizes[1], struct vmap_area, list);
	spin_lock(&vmap_pools[0].lock);
	assert_true(vmap_pool_push_locked(&vmap_pools[0], fake));
	spin_unlock(&vmap_pools[0].lock);
	shim_log_clear();
	assert_int_equal(vmalloc_check(), -EINVAL);
	assert_true(shim_log_has("overlaps another lazy or pooled area"));
	spin_lock(&vmap_pools[0].lock);
	vmap_pool_unlink_locked(&vmap_pools[0], fake);
	spin_unlock(&vmap_pools[0].lock);

	/* a pool entry over the start of a free block */
	free_va = list_last_entry(&vmap_free.head, struct vmap_area, list);
	fake->va_start = free_va->va_start;
	fake->va_end = free_va->va_start + P(2);
	spin_lock(&vmap_pools[0].lock);
	assert_true(vmap_pool_push_locked(&vmap_pools[0], fake));
	spin_unlock(&vmap_pools[0].lock);
	shim_log_clear();
	assert_int_equal(vmalloc_check(), -EINVAL);
	assert_true(shim_log_has("pool entries lie outside the managed ranges or overlap"));

	/* on the list of another size */
	spin_lock(&vmap_pools[0].lock);
	list_move(&fake->list, &vmap_pools[0].sizes[4]);
	spin_unlock(&vmap_pools[0].lock);
	shim_log_clear();
	assert_int_equal(vmalloc_check(), -EINVAL);
	assert_true(shim_log_has("is on the list of 5 pages"));
	spin_lock(&vmap_pools[0].lock);
	vmap_pool_unlink_locked(&vmap_pools[0], fake);
	spin_unlock(&vmap_pools[0].lock);
	kmem_cache_free(vmap_area_cachep, fake);
	assert_int_equal(vmalloc_check(), 0);
	vmalloc_debug_vm = true;
	end_clean();
}

static int setup(void **state)
{
	(void)state;
	shim_vmalloc_setup();
	vm_area_register_early(&early_a, 0);
	vm_area_register_early(&early_b, P(16));
	vm_area_register_early(&early_gone, P(64));
	vm_area_unregister_early(&early_gone);
	vmalloc_init();
	vmalloc_debug_vm = true;
	vfree(vmalloc(P(1))); /* leaves the spare node in place */
	vm_unmap_aliases();
	take_snap(&initial);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_state),
		cmocka_unit_test(test_lowest_fit_order),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_alignment_exact),
		cmocka_unit_test(test_fit_exhaustive),
		cmocka_unit_test(test_aligned_search_visits_bounded),
		cmocka_unit_test(test_aligned_search_lowest_within_budget),
		cmocka_unit_test(test_aligned_search_gives_up_past_budget),
		cmocka_unit_test(test_fit_random_trees),
		cmocka_unit_test(test_range_limits),
		cmocka_unit_test(test_guard_spacing),
		cmocka_unit_test(test_merge_cases),
		cmocka_unit_test(test_fault_pages),
		cmocka_unit_test(test_fault_vmap),
		cmocka_unit_test(test_fault_slab),
		cmocka_unit_test(test_fault_split_spare),
		cmocka_unit_test(test_random_ops),
		cmocka_unit_test(test_vfree_misuse),
		cmocka_unit_test(test_lazy_purge),
		cmocka_unit_test(test_double_vfree_names_lazy_area),
		cmocka_unit_test(test_vfree_crossing_budget_does_not_purge_synchronously),
		cmocka_unit_test(test_lazy_list_capped_without_idle),
		cmocka_unit_test(test_hard_cap_purge_flushes_once_per_many_areas),
		cmocka_unit_test(test_alloc_needing_lazy_space_purges_synchronously),
		cmocka_unit_test(test_purge_bounded_to_areas_lazy_at_start),
		cmocka_unit_test(test_vmallocinfo_prints_unlocked),
		cmocka_unit_test(test_lazy_merge_only_same_caller_in_order),
		cmocka_unit_test(test_vfree_atomic),
		cmocka_unit_test(test_vfree_atomic_inside_any_lock_parks),
		cmocka_unit_test(test_vread),
		cmocka_unit_test(test_vread_only_busy_initialised_areas),
		cmocka_unit_test(test_vmap),
		cmocka_unit_test(test_flush_reset_perms_flushes_every_unmap),
		cmocka_unit_test(test_ioremap),
		cmocka_unit_test(test_ioremap_flushes_before_memtype_free),
		cmocka_unit_test(test_kvmalloc),
		cmocka_unit_test(test_vzalloc_vmalloc32),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_dumps),
		cmocka_unit_test(test_describe_fault),
		cmocka_unit_test(test_vm_area_api),
		cmocka_unit_test(test_check_catches),
		cmocka_unit_test(test_check_catches_area_in_wrong_shard),
		cmocka_unit_test(test_failed_setup_after_migration_gives_back_to_its_pool),
		cmocka_unit_test(test_pool_reuses_flushed_range),
		cmocka_unit_test(test_pool_respects_window_and_alignment),
		cmocka_unit_test(test_pool_drained_when_space_runs_out),
		cmocka_unit_test(test_pool_failed_alloc_gives_the_range_back),
		cmocka_unit_test(test_pool_only_small_areas),
		cmocka_unit_test(test_pool_describe_fault),
		cmocka_unit_test(test_check_catches_corrupt_pool),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
