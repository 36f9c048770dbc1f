/*
 * Self-tests of the buddy allocator on the live machine: every free page
 * allocated once and only once (a bitmap over all pfns), the free lists
 * restored exactly after freeing, the same with random orders, a MAX_ORDER
 * block rebuilt from its 1024 pages, misuse refused without changing any
 * count, fault injection, and the gfp flags. The free lists' shape is read
 * after drain_all_pages(), with no page left in a CPU's cache.
 *
 * The tests take all free memory for a moment: nothing else may allocate
 * meanwhile (Contig has one CPU and no allocating interrupt handlers).
 * What they hold is on the static list `held` (or in a block whose pages
 * a deferred action finds), so a failed assertion or a fault gives it all
 * back (ktest_defer()) and the tests after it find the memory free.
 */
#include "debug/ktest.h"
#include "kernel/panic.h"
#include "lib/list.h"
#include "lib/random.h"
#include "lib/string.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"

extern char _text[];

#define NOFAIL	  (__GFP_NOWARN | __GFP_NOFAULT)
#define BLOCK_SIG 0x6275646479736967UL
#define WORD_BITS (8 * sizeof(unsigned long))

/* One bit per pfn below max_pfn, in pages taken from the buddy itself. */
struct pfn_bitmap {
	unsigned long *bits;
	struct page *page;
	unsigned int order;
};

/* The bitmap's pages are freed when @t ends (or by pfn_bitmap_free()). */
static bool pfn_bitmap_alloc(struct ktest *t, struct pfn_bitmap *bm)
{
	unsigned long bytes = DIV_ROUND_UP(max_pfn, 8);

	for (bm->order = 0; (PAGE_SIZE << bm->order) < bytes; bm->order++)
		if (bm->order == MAX_ORDER)
			return false;
	bm->page = ktest_alloc_pages(t, NOFAIL | __GFP_ZERO, bm->order);
	bm->bits = bm->page ? page_address(bm->page) : NULL;
	return bm->page != NULL;
}

static void pfn_bitmap_free(struct ktest *t, struct pfn_bitmap *bm)
{
	ktest_free_pages(t, bm->page);
}

/* Set the bit of @pfn; true if it was already set. */
static bool pfn_test_and_set(struct pfn_bitmap *bm, unsigned long pfn)
{
	unsigned long *w = &bm->bits[pfn / WORD_BITS], bit = 1UL << (pfn % WORD_BITS);
	bool was = *w & bit;

	*w |= bit;
	return was;
}

/* The buddy lists' shape, every CPU's page cache given back to them first. */
static void drained_counts(unsigned long counts[NR_PAGE_ORDERS])
{
	drain_all_pages();
	buddy_free_counts(counts);
}

static void expect_counts_equal(struct ktest *t, const unsigned long *got,
				const unsigned long *want)
{
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		if (got[o] != want[o])
			ktest_fail(t, __FILE__, __LINE__, "order %u: %lu free blocks, expected %lu",
				   o, got[o], want[o]);
}

/* The blocks a test holds, linked through page->lru (order in page->order). */
static struct list_head held;

/* Free every block on @arg (a list like held), alternate ones first. */
static void free_held(void *arg)
{
	struct list_head *list = arg;
	struct page *p, *n;
	bool skip = false;

	list_for_each_entry_safe(p, n, list, lru) {
		skip = !skip;
		if (skip)
			continue;
		list_del(&p->lru);
		__free_pages(p, p->order);
	}
	list_for_each_entry_safe(p, n, list, lru) {
		list_del(&p->lru);
		__free_pages(p, p->order);
	}
}

/* An empty held list, given back when @t ends however it ends. */
static void held_init(struct ktest *t)
{
	INIT_LIST_HEAD(&held);
	ktest_defer(t, free_held, &held);
}

/*
 * End of an exhaustion test: free everything held, then the free page count,
 * the free lists' shape per order, the lists' invariants and the WARN count
 * must all be as they were at the start.
 */
static void give_back_all(struct ktest *t, struct pfn_bitmap *bm, unsigned long free0,
			  const unsigned long start[NR_PAGE_ORDERS], unsigned long w)
{
	unsigned long end[NR_PAGE_ORDERS];

	KTEST_EXPECT_TRUE(t, ktest_release(t, free_held, &held));
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	drained_counts(end);
	expect_counts_equal(t, end, start);
	pfn_bitmap_free(t, bm);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	KTEST_EXPECT_EQ(t, warn_count, w);
}

/* Every free page, order 0, until none is left: each exactly once. */
KTEST(buddy, alloc_every_page_once)
{
	unsigned long start[NR_PAGE_ORDERS];
	unsigned long free0, n = 0, dups = 0, bad = 0, w = warn_count;
	struct pfn_bitmap bm;
	struct page *p;

	if (!pfn_bitmap_alloc(t, &bm))
		KTEST_SKIP(t, "no memory for a pfn bitmap");
	held_init(t);
	KTEST_ASSERT_EQ(t, buddy_check(), 0);
	kmem_cache_shrink_all(); /* the empty slabs an exhausted buddy would take back */
	free0 = nr_free_pages();
	drained_counts(start);
	while ((p = alloc_page(GFP_KERNEL | __GFP_NOWARN))) {
		unsigned long pfn = page_to_pfn(p);

		if (!pfn_valid(pfn) || p->flags != PG_head || p->order != 0)
			bad++;
		else if (pfn_test_and_set(&bm, pfn))
			dups++;
		list_add(&p->lru, &held);
		n++;
	}
	KTEST_EXPECT_EQ(t, n, free0);
	KTEST_EXPECT_EQ(t, dups, 0UL);
	KTEST_EXPECT_EQ(t, bad, 0UL);
	KTEST_EXPECT_EQ(t, nr_free_pages(), 0UL);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	/* the bitmap's own pages were never handed out */
	for (unsigned long i = 0; i < (1UL << bm.order); i++)
		KTEST_EXPECT_FALSE(t, pfn_test_and_set(&bm, page_to_pfn(bm.page) + i));
	give_back_all(t, &bm, free0, start, w);
}

/* Random orders until order 0 fails: blocks aligned, disjoint, intact, then all back. */
KTEST(buddy, alloc_random_orders)
{
	unsigned long start[NR_PAGE_ORDERS];
	unsigned long free0, pages = 0, dups = 0, bad = 0, w = warn_count;
	struct pfn_bitmap bm;
	struct rnd_state rng;
	struct page *p, *n;

	if (!pfn_bitmap_alloc(t, &bm))
		KTEST_SKIP(t, "no memory for a pfn bitmap");
	held_init(t);
	free0 = nr_free_pages();
	drained_counts(start);
	rnd_seed(&rng, 0x9e3779b97f4a7c15UL);
	for (;;) {
		unsigned long r = rnd_below(&rng, 100), pfn;
		unsigned int order = r < 60 ? 0 : r < 85 ? rnd_below(&rng, 4) : rnd_below(&rng, 11);

		p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
		if (!p) {
			if (order == 0)
				break;
			continue;
		}
		pfn = page_to_pfn(p);
		if ((pfn & ((1UL << order) - 1)) || p->flags != PG_head || p->order != order ||
		    (pfn < (1UL << 20)) != (pfn + (1UL << order) - 1 < (1UL << 20)))
			bad++;
		for (unsigned long i = 0; i < (1UL << order); i++) {
			if (i && (p[i].flags != PG_tail || p[i].private != pfn))
				bad++;
			if (pfn_test_and_set(&bm, pfn + i))
				dups++;
		}
		((unsigned long *)page_address(p))[0] = pfn ^ BLOCK_SIG;
		list_add(&p->lru, &held);
		pages += 1UL << order;
	}
	KTEST_EXPECT_EQ(t, pages, free0);
	KTEST_EXPECT_EQ(t, dups, 0UL);
	KTEST_EXPECT_EQ(t, bad, 0UL);
	KTEST_EXPECT_EQ(t, nr_free_pages(), 0UL);
	list_for_each_entry_safe(p, n, &held, lru)
		if (((unsigned long *)page_address(p))[0] != (page_to_pfn(p) ^ BLOCK_SIG))
			bad++;
	KTEST_EXPECT_EQ(t, bad, 0UL);
	give_back_all(t, &bm, free0, start, w);
}

/* The highest order with a free block now (MAX_ORDER on a roomy machine), or -1. */
static int largest_free_order(void)
{
	unsigned long counts[NR_PAGE_ORDERS];

	drained_counts(counts);
	for (int o = MAX_ORDER; o >= 0; o--)
		if (counts[o])
			return o;
	return -1;
}

/* The block merge_max_order_block takes apart: [head, head + pages). */
static unsigned long merge_head, merge_pages;

/* A ktest_defer() action: free the block's pages still allocated (order 0). */
static void free_block_pages(void *unused)
{
	for (unsigned long pfn = merge_head; pfn < merge_head + merge_pages; pfn++) {
		struct page *p = pfn_to_page(pfn);

		if (p->flags == PG_head && p->order == 0)
			__free_page(p);
	}
	merge_pages = 0;
}

/*
 * The largest free block (4 MiB at MAX_ORDER; smaller when a small machine
 * has none that big) taken apart page by page comes back as one block.
 */
KTEST(buddy, merge_max_order_block)
{
	unsigned long start[NR_PAGE_ORDERS], now[NR_PAGE_ORDERS];
	unsigned long head, inside = 0, free0, block;
	int order = largest_free_order();
	struct page *p, *n;

	if (order < 1)
		KTEST_SKIP(t, "no free block of two pages or more");
	block = 1UL << order;
	p = alloc_pages(NOFAIL, order);
	KTEST_ASSERT_NOT_NULL(t, p);
	head = page_to_pfn(p);
	__free_pages(p, order);
	merge_head = head;
	merge_pages = block;
	ktest_defer(t, free_block_pages, NULL); /* runs after free_held */
	held_init(t);
	free0 = nr_free_pages();
	drained_counts(start);
	while ((p = alloc_page(NOFAIL)))
		list_add(&p->lru, &held);
	/* give back everything outside the block */
	list_for_each_entry_safe(p, n, &held, lru) {
		list_del(&p->lru);
		if (page_to_pfn(p) - head < block)
			inside++;
		else
			__free_page(p);
	}
	KTEST_ASSERT_EQ(t, inside, block);
	drained_counts(now);
	start[order]--;
	expect_counts_equal(t, now, start);
	start[order]++;
	/* now its pages, in a scrambled order (337 is odd: a permutation of any 2^order) */
	for (unsigned long i = 0; i < block; i++) {
		unsigned long pfn = head + (i * 337) % block;

		if (i == block - 1) {
			drained_counts(now);
			KTEST_EXPECT_EQ(t, now[order], start[order] - 1);
		}
		__free_page(pfn_to_page(pfn));
	}
	drained_counts(now);
	expect_counts_equal(t, now, start);
	KTEST_EXPECT_EQ(t, pfn_to_page(head)->flags, PG_buddy);
	KTEST_EXPECT_EQ(t, pfn_to_page(head)->private, (unsigned long)order);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Run @stmt, which must WARN once and leave every count as it was. */
#define EXPECT_REFUSED(t, stmt)                                                           \
	do {                                                                              \
		unsigned long saved_counts_[NR_PAGE_ORDERS], new_counts_[NR_PAGE_ORDERS]; \
		unsigned long saved_free_ = nr_free_pages(), saved_warns_ = warn_count;   \
		drained_counts(saved_counts_);                                            \
		stmt;                                                                     \
		KTEST_EXPECT_EQ(t, warn_count, saved_warns_ + 1);                         \
		KTEST_EXPECT_EQ(t, nr_free_pages(), saved_free_);                         \
		drained_counts(new_counts_);                                              \
		expect_counts_equal(t, new_counts_, saved_counts_);                       \
		KTEST_EXPECT_EQ(t, buddy_check(), 0);                                     \
	} while (0)

KTEST(buddy, misuse_refused)
{
	struct page *p, *q, *image = pfn_to_page(PHYS_PFN(__pa_symbol(_text)));

	p = alloc_page(NOFAIL);
	KTEST_ASSERT_NOT_NULL(t, p);
	__free_page(p);
	EXPECT_REFUSED(t, __free_page(p)); /* double free */
	q = alloc_pages(NOFAIL, 2);
	KTEST_ASSERT_NOT_NULL(t, q);
	EXPECT_REFUSED(t, __free_pages(q, 1));		   /* wrong order */
	EXPECT_REFUSED(t, __free_page(q + 1));		   /* not the head */
	EXPECT_REFUSED(t, __free_pages(q, MAX_ORDER + 1)); /* order too large */
	EXPECT_REFUSED(t, free_pages((unsigned long)page_address(q) + 64, 2));
	__free_pages(q, 2);
	KTEST_ASSERT_TRUE(t, pfn_valid(page_to_pfn(image)));
	KTEST_EXPECT_EQ(t, image->flags, PG_reserved);
	EXPECT_REFUSED(t, __free_page(image)); /* the kernel image */
	EXPECT_REFUSED(t, KTEST_EXPECT_NULL(t, alloc_pages(GFP_KERNEL, MAX_ORDER + 1)));
}

KTEST(buddy, fault_injection)
{
	unsigned long free0 = nr_free_pages(), inj0 = fail_page_alloc_injected;
	struct page *a, *b, *c;

	fail_page_alloc_set(2, 2);
	a = alloc_page(GFP_KERNEL);			    /* 1st counted: fine */
	b = alloc_page(__GFP_NOFAULT);			    /* not counted */
	KTEST_EXPECT_NULL(t, alloc_page(__GFP_NOWARN));	    /* 2nd: injected */
	KTEST_EXPECT_NULL(t, alloc_pages(__GFP_NOWARN, 3)); /* 3rd: injected */
	c = alloc_page(GFP_KERNEL);			    /* disarmed again */
	KTEST_EXPECT_NOT_NULL(t, a);
	KTEST_EXPECT_NOT_NULL(t, b);
	KTEST_EXPECT_NOT_NULL(t, c);
	KTEST_EXPECT_EQ(t, fail_page_alloc_injected, inj0 + 2);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0 - 3);
	fail_page_alloc_set(1, 1);
	KTEST_EXPECT_NULL(t, alloc_pages(__GFP_NOWARN | __GFP_ZERO, 0));
	KTEST_EXPECT_EQ(t, fail_page_alloc_injected, inj0 + 3);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0 - 3);
	if (a)
		__free_page(a);
	if (b)
		__free_page(b);
	if (c)
		__free_page(c);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

KTEST(buddy, gfp_flags)
{
	struct page *p = alloc_pages(NOFAIL, 1);
	unsigned long addr, pfn;

	KTEST_ASSERT_NOT_NULL(t, p);
	pfn = page_to_pfn(p);
	memset(page_address(p), 0x5a, 2 * PAGE_SIZE);
	__free_pages(p, 1);
	p = alloc_pages(NOFAIL | __GFP_ZERO, 1); /* the same block (LIFO) */
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, page_to_pfn(p), pfn);
	KTEST_EXPECT_NULL(t, memchr_inv(page_address(p), 0, 2 * PAGE_SIZE));
	__free_pages(p, 1);
	addr = __get_free_pages(NOFAIL | __GFP_DMA32, 2);
	KTEST_ASSERT_NE(t, addr, 0UL);
	KTEST_EXPECT_LT(t, __pa(addr) + 4 * PAGE_SIZE, 1UL << 32);
	free_pages(addr, 2);
	addr = get_zeroed_page(NOFAIL);
	KTEST_ASSERT_NE(t, addr, 0UL);
	KTEST_EXPECT_NULL(t, memchr_inv((void *)addr, 0, PAGE_SIZE));
	free_page(addr);
	KTEST_EXPECT_LE(t, nr_free_pages(), totalram_pages);
}
