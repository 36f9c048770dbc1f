/*
 * Host tests for mm/page_alloc.c over a simulated memory map (mm_shim.h):
 * 8192 pfns straddling 4 GiB (the DMA32/Normal boundary), RAM in four
 * ranges with holes and an unaligned start.
 *
 * The shadow model keeps which pfns were handed to the buddy and which the
 * test holds. Since free buddies always merge, the free lists have a single
 * shape for a given set of free pages: an aligned block of order k is listed
 * iff all its pages are free and its parent block (order k+1) is not. The
 * model computes that shape and every step compares it with the zones' lists,
 * after buddy_check().
 */
#include "host_shim.h"
#include "mm_shim.h"

#include "../../mm/memblock.c"
#include "../../mm/page_alloc.c"

/* meminfo_dump() asks the slab and the page tables, which this test has not. */
struct pgtable_stats pgtable_stats;
unsigned long slab_nr_pages(void)
{
	return 0;
}
unsigned long kmem_cache_shrink_all(void)
{
	return 0;
}

#define BASE (DMA32_END_PFN - 0x1000)
#define NR   0x2000UL

static const unsigned long ranges[][2] = {
	{ BASE + 0x3, BASE + 0x500 },	  /* unaligned start */
	{ BASE + 0x523, BASE + 0x1000 },  /* up to the zone boundary */
	{ BASE + 0x1000, BASE + 0x17ff }, /* Normal, odd end */
	{ BASE + 0x1900, BASE + 0x2000 },
};

/* Pages of ranges[0] that stay reserved (never handed over). */
#define KEPT_START (BASE + 0x100)
#define KEPT_END   (BASE + 0x104)

static bool handed[NR]; /* given to the buddy */
static bool held[NR];	/* allocated, owned by the test */
static unsigned char full[NR_PAGE_ORDERS][NR];

static void buddy_reset(void)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		for (int o = 0; o < NR_PAGE_ORDERS; o++) {
			INIT_LIST_HEAD(&zones[z].free_area[o].free_list);
			zones[z].free_area[o].nr_free = 0;
		}
		zones[z].free_pages = 0;
		zones[z].managed_pages = 0;
	}
	totalram_pages = 0;
	pcp.count = 0;
	fail_page_alloc_set(0, 0);
	fail_page_alloc_injected = 0;
	memset(handed, 0, sizeof(handed));
	memset(held, 0, sizeof(held));
	warn_count = 0;
	shim_log_clear();
}

static int setup_sim(void **state)
{
	(void)state;
	sim_mem_init(BASE, NR, ranges, ARRAY_SIZE(ranges));
	buddy_reset();
	return 0;
}

static int teardown_sim(void **state)
{
	(void)state;
	sim_mem_exit();
	return 0;
}

static void hand_over(unsigned long start, unsigned long end)
{
	free_pages_range(start, end);
	for (unsigned long pfn = start; pfn < end; pfn++)
		if (pfn_valid(pfn))
			handed[pfn - BASE] = true;
}

/* Hand over all RAM but [KEPT_START, KEPT_END). */
static void hand_over_all(void)
{
	hand_over(ranges[0][0], KEPT_START);
	hand_over(KEPT_END, ranges[0][1]);
	for (unsigned int i = 1; i < ARRAY_SIZE(ranges); i++)
		hand_over(ranges[i][0], ranges[i][1]);
}

/* The free-list shape the model predicts, per zone and order. */
static unsigned long model_counts(unsigned long counts[MAX_NR_ZONES][NR_PAGE_ORDERS])
{
	unsigned long free = 0;

	memset(counts, 0, sizeof(unsigned long) * MAX_NR_ZONES * NR_PAGE_ORDERS);
	for (unsigned long b = 0; b < NR; b++) {
		full[0][b] = handed[b] && !held[b];
		free += full[0][b];
	}
	for (int k = 1; k <= MAX_ORDER; k++)
		for (unsigned long b = 0; b < (NR >> k); b++)
			full[k][b] = full[k - 1][2 * b] && full[k - 1][2 * b + 1];
	for (int k = 0; k <= MAX_ORDER; k++)
		for (unsigned long b = 0; b < (NR >> k); b++)
			if (full[k][b] && (k == MAX_ORDER || !full[k + 1][b >> 1]))
				counts[pfn_zone(BASE + (b << k)) - zones][k]++;
	return free;
}

static void zone_counts(unsigned long counts[MAX_NR_ZONES][NR_PAGE_ORDERS])
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			counts[z][o] = zones[z].free_area[o].nr_free;
}

/* Everything the model can say about the buddy now. */
static void check_state(void)
{
	unsigned long want[MAX_NR_ZONES][NR_PAGE_ORDERS], got[MAX_NR_ZONES][NR_PAGE_ORDERS];
	unsigned long free = model_counts(want);

	assert_int_equal(buddy_check(), 0);
	assert_int_equal(nr_free_pages(), free);
	drain_local_pages(); /* the model knows no CPU cache */
	assert_int_equal(buddy_check(), 0);
	zone_counts(got);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			if (got[z][o] != want[z][o])
				fail_msg("zone %s order %d: %lu free blocks, model says %lu",
					 zones[z].name, o, got[z][o], want[z][o]);
	assert_int_equal(nr_free_pages(), free);
	/* no free page is held by the test */
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int o = 0; o < NR_PAGE_ORDERS; o++) {
			struct page *p;

			list_for_each_entry(p, &zones[z].free_area[o].free_list, lru)
				for (unsigned long i = 0; i < (1UL << o); i++)
					assert_false(held[page_to_pfn(p) + i - BASE]);
		}
}

/* The model's answer: does a zone hold a free block of at least @order? */
static bool model_has(int z, unsigned int order)
{
	unsigned long want[MAX_NR_ZONES][NR_PAGE_ORDERS];

	model_counts(want);
	for (unsigned int o = order; o <= MAX_ORDER; o++)
		if (want[z][o])
			return true;
	return false;
}

/* Take a block the buddy just returned into the shadow, checking it. */
static void hold_block(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	assert_int_equal(pfn & ((1UL << order) - 1), 0);
	assert_true(pfn >= BASE && pfn + (1UL << order) <= BASE + NR);
	assert_int_equal(page->flags, PG_head);
	assert_int_equal(page->order, order);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		assert_true(pfn_valid(pfn + i));
		assert_true(handed[pfn + i - BASE]);
		if (held[pfn + i - BASE])
			fail_msg("pfn %#lx handed out twice", pfn + i);
		held[pfn + i - BASE] = true;
		if (i) {
			assert_int_equal(page[i].flags, PG_tail);
			assert_int_equal(page[i].private, pfn);
		}
	}
	*(unsigned long *)page_address(page) = pfn;
}

static void release_block(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	assert_int_equal(*(unsigned long *)page_address(page), pfn);
	__free_pages(page, order);
	for (unsigned long i = 0; i < (1UL << order); i++)
		held[pfn + i - BASE] = false;
}

static void test_hand_over(void **state)
{
	unsigned long expect = 0;

	(void)state;
	hand_over_all();
	for (unsigned int i = 0; i < ARRAY_SIZE(ranges); i++)
		expect += ranges[i][1] - ranges[i][0];
	expect -= KEPT_END - KEPT_START;
	assert_int_equal(totalram_pages, expect);
	assert_int_equal(nr_free_pages(), expect);
	assert_int_equal(zones[ZONE_DMA32].managed_pages, 0x500 - 3 - 4 + 0x1000 - 0x523);
	assert_int_equal(zones[ZONE_NORMAL].managed_pages, 0x7ff + 0x700);
	check_state();
	/* a few blocks the arithmetic fixes: pfn BASE+3 alone, then 4, 8, ... */
	assert_true(pfn_to_page(BASE + 3)->flags == PG_buddy &&
		    pfn_to_page(BASE + 3)->private == 0);
	assert_true(pfn_to_page(BASE + 4)->flags == PG_buddy &&
		    pfn_to_page(BASE + 4)->private == 2);
	assert_true(pfn_to_page(BASE + 0x400)->flags == PG_buddy &&
		    pfn_to_page(BASE + 0x400)->private == 8);
	assert_true(pfn_to_page(BASE + 0xc00)->private == MAX_ORDER);
	assert_int_equal(pfn_to_page(KEPT_START)->flags, PG_reserved);

	/* handing over again: refused page by page, nothing counted twice */
	assert_int_equal(warn_count, 0);
	free_pages_range(KEPT_START - 2, KEPT_END + 2);
	assert_int_equal(warn_count, 2);
	assert_true(shim_log_has("free_pages_range: pfns [0xff0fe-0xff100) are not reserved RAM"));
	for (unsigned long pfn = KEPT_START; pfn < KEPT_END; pfn++)
		handed[pfn - BASE] = true;
	assert_int_equal(totalram_pages, expect + 4);
	check_state();
	/* a hole: skipped without touching its (poisoned) struct pages */
	free_pages_range(BASE + 0x500, BASE + 0x523);
	assert_int_equal(warn_count, 3);
	assert_int_equal(totalram_pages, expect + 4);
	check_state();
}

/* Split and merge on a tiny map: exact block positions. */
static void test_split_merge_small(void **state)
{
	static const unsigned long tiny[][2] = { { 0x200000, 0x200010 }, { 0x200010, 0x200018 } };
	const unsigned long b = 0x200000;
	struct page *p, *q;

	(void)state;
	sim_mem_exit();
	sim_mem_init(b, 1024, tiny, 2);
	free_pages_range(b, b + 0x18);
	assert_int_equal(zones[ZONE_NORMAL].free_area[4].nr_free, 1);
	assert_int_equal(zones[ZONE_NORMAL].free_area[3].nr_free, 1);
	/* the smallest block that fits is split: order 3 at b+16 (order 1: order 0 is cached) */
	p = alloc_pages(GFP_KERNEL, 1);
	assert_non_null(p);
	assert_int_equal(page_to_pfn(p), b + 16);
	for (int o = 1; o < 3; o++)
		assert_int_equal(zones[ZONE_NORMAL].free_area[o].nr_free, 1);
	assert_int_equal(zones[ZONE_NORMAL].free_area[0].nr_free, 0);
	assert_int_equal(pfn_to_page(b + 18)->private, 1);
	assert_int_equal(pfn_to_page(b + 20)->private, 2);
	assert_int_equal(zones[ZONE_NORMAL].free_area[3].nr_free, 0);
	assert_int_equal(buddy_check(), 0);
	/* back: merges up to order 3, not further (b+24 is a hole, b is order 4) */
	__free_pages(p, 1);
	assert_int_equal(zones[ZONE_NORMAL].free_area[3].nr_free, 1);
	assert_int_equal(zones[ZONE_NORMAL].free_area[4].nr_free, 1);
	assert_int_equal(nr_free_pages(), 24);
	q = alloc_pages(GFP_KERNEL, 4);
	assert_int_equal(page_to_pfn(q), b);
	shim_log_clear();
	assert_null(alloc_pages(GFP_KERNEL, 4));
	assert_true(shim_log_has("page allocation failure: order:4, gfp:0x0"));
	shim_log_clear();
	assert_null(alloc_pages(__GFP_DMA32, 0)); /* nothing below 4 GiB here */
	assert_true(shim_log_has("page allocation failure: order:0, gfp:0x2"));
	__free_pages(q, 4);
	assert_int_equal(nr_free_pages(), 24);
	assert_int_equal(buddy_check(), 0);
	assert_int_equal(warn_count, 0);
}

/* Thousands of random allocations and frees against the model. */
static void test_random_ops(void **state)
{
	static struct {
		struct page *page;
		unsigned int order;
	} live[NR];
	unsigned long start[MAX_NR_ZONES][NR_PAGE_ORDERS], end[MAX_NR_ZONES][NR_PAGE_ORDERS];
	unsigned long nr_live = 0, fails = 0, allocs = 0;

	(void)state;
	hand_over_all();
	check_state();
	zone_counts(start);
	sim_srand(20240601);
	for (int op = 0; op < 6000; op++) {
		unsigned long r = sim_rand() % 100;

		if (r < 55 || !nr_live) {
			unsigned long pick = sim_rand() % 100;
			unsigned int order = pick < 70	 ? sim_rand() % 3
					     : pick < 95 ? sim_rand() % 7
							 : sim_rand() % 11;
			gfp_t gfp = __GFP_NOWARN | (sim_rand() % 4 == 0 ? __GFP_DMA32 : 0);
			bool in_normal = model_has(ZONE_NORMAL, order);
			bool in_dma32 = model_has(ZONE_DMA32, order);
			struct page *page = alloc_pages(gfp, order);

			if (gfp & __GFP_DMA32)
				assert_int_equal(page != NULL, in_dma32);
			else
				assert_int_equal(page != NULL, in_normal || in_dma32);
			if (!page) {
				fails++;
				check_state();
				continue;
			}
			if ((gfp & __GFP_DMA32) || !in_normal)
				assert_true(page_to_pfn(page) < DMA32_END_PFN);
			else
				assert_true(page_to_pfn(page) >= DMA32_END_PFN);
			hold_block(page, order);
			live[nr_live].page = page;
			live[nr_live].order = order;
			nr_live++;
			allocs++;
		} else {
			unsigned long i = sim_rand() % nr_live;
			struct page *page = live[i].page;
			unsigned int order = live[i].order;

			release_block(page, order);
			live[i] = live[--nr_live];
			if (sim_rand() % 50 == 0) {
				/* a double free is refused and changes nothing */
				unsigned long w = warn_count;

				__free_pages(page, order);
				assert_int_equal(warn_count, w + 1);
			}
		}
		check_state();
	}
	assert_true(allocs > 2000);
	assert_true(fails > 10); /* the map did fill up at times */
	while (nr_live) {
		nr_live--;
		release_block(live[nr_live].page, live[nr_live].order);
	}
	check_state();
	zone_counts(end);
	assert_memory_equal(start, end, sizeof(start));
	assert_int_equal(nr_free_pages(), totalram_pages);
}

/* Order-0 allocations until none is left: every page once, then all back. */
static void test_exhaust(void **state)
{
	static struct page *pages[NR];
	unsigned long start[MAX_NR_ZONES][NR_PAGE_ORDERS], end[MAX_NR_ZONES][NR_PAGE_ORDERS];
	unsigned long n = 0, free_start, dma32_free;
	struct page *p;

	(void)state;
	hand_over_all();
	zone_counts(start);
	free_start = nr_free_pages();
	dma32_free = zones[ZONE_DMA32].free_pages;
	/* DMA32 only: exactly the DMA32 pages */
	while ((p = alloc_page(__GFP_DMA32 | __GFP_NOWARN))) {
		assert_true(page_to_pfn(p) < DMA32_END_PFN);
		hold_block(p, 0);
		pages[n++] = p;
	}
	assert_int_equal(n, dma32_free);
	while ((p = alloc_page(__GFP_NOWARN))) {
		hold_block(p, 0);
		pages[n++] = p;
	}
	assert_int_equal(n, free_start);
	assert_int_equal(nr_free_pages(), 0);
	check_state();
	/* free in an order unrelated to the allocation order */
	for (unsigned long i = 0; i < n; i += 2)
		release_block(pages[i], 0);
	check_state();
	for (unsigned long i = 1; i < n; i += 2)
		release_block(pages[i], 0);
	check_state();
	zone_counts(end);
	assert_memory_equal(start, end, sizeof(start));
	assert_int_equal(warn_count, 0);
}

/* Each misuse warns once, names the pfn, and changes nothing. */
static void test_misuse(void **state)
{
	unsigned long before[MAX_NR_ZONES][NR_PAGE_ORDERS], after[MAX_NR_ZONES][NR_PAGE_ORDERS];
	unsigned long free_before, w;
	struct page *p, *q;
	char msg[128];

	(void)state;
	hand_over_all();

#define EXPECT_REFUSED(stmt, text)                                  \
	do {                                                        \
		zone_counts(before);                                \
		free_before = nr_free_pages();                      \
		SHIM_EXPECT_ONE_WARNING(stmt, text);                \
		zone_counts(after);                                 \
		assert_memory_equal(before, after, sizeof(before)); \
		assert_int_equal(nr_free_pages(), free_before);     \
		check_state();                                      \
	} while (0)

	p = alloc_page(GFP_KERNEL);
	hold_block(p, 0);
	release_block(p, 0);
	snprintf(msg, sizeof(msg), "double free of pfn %#lx", page_to_pfn(p));
	EXPECT_REFUSED(__free_page(p), msg);
	/* a page inside a free block was never allocated */
	snprintf(msg, sizeof(msg), "pfn %#lx is not allocated", BASE + 0x401);
	EXPECT_REFUSED(__free_page(pfn_to_page(BASE + 0x401)), msg);

	q = alloc_pages(GFP_KERNEL, 2);
	hold_block(q, 2);
	snprintf(msg, sizeof(msg), "pfn %#lx freed with order 1, allocated with order 2",
		 page_to_pfn(q));
	EXPECT_REFUSED(__free_pages(q, 1), msg);
	snprintf(msg, sizeof(msg), "pfn %#lx is not the head of its block (head pfn %#lx)",
		 page_to_pfn(q) + 1, page_to_pfn(q));
	EXPECT_REFUSED(__free_page(q + 1), msg);
	EXPECT_REFUSED(__free_pages(q, MAX_ORDER + 1), "order 11 > MAX_ORDER 10");
	q->flags |= PG_slab;
	EXPECT_REFUSED(__free_pages(q, 2), "belongs to a slab cache");
	q->flags &= ~PG_slab;
	EXPECT_REFUSED(free_pages((unsigned long)page_address(q) + 8, 2),
		       "is not a page of the direct map");
	release_block(q, 2);

	snprintf(msg, sizeof(msg), "pfn %#lx is reserved", KEPT_START + 1);
	EXPECT_REFUSED(__free_page(pfn_to_page(KEPT_START + 1)), msg);
	snprintf(msg, sizeof(msg), "pfn %#lx is not RAM", BASE + 0x510);
	EXPECT_REFUSED(__free_page(pfn_to_page(BASE + 0x510)), msg);
	EXPECT_REFUSED(__free_page(NULL), "__free_pages: NULL page");
	EXPECT_REFUSED(assert_null(alloc_pages(GFP_KERNEL, MAX_ORDER + 1)),
		       "alloc_pages: order 11 > MAX_ORDER 10");

	/* no WARN for a NOWARN request of a bad order; free_pages(0) is a no-op */
	w = warn_count;
	assert_null(alloc_pages(__GFP_NOWARN, MAX_ORDER + 1));
	free_pages(0, 3);
	assert_int_equal(warn_count, w);
	check_state();
#undef EXPECT_REFUSED
}

static void test_fault_injection(void **state)
{
	struct page *a, *b, *c, *d, *e, *f;
	unsigned long free_before;

	(void)state;
	hand_over_all();
	fail_page_alloc_set(3, 2);
	a = alloc_page(GFP_KERNEL);
	b = alloc_page(GFP_KERNEL);
	c = alloc_page(__GFP_NOFAULT); /* not counted */
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	free_before = nr_free_pages();
	shim_log_clear();
	assert_null(alloc_page(GFP_KERNEL));
	assert_true(shim_log_has("page allocation failure: order:0, gfp:0x0"));
	shim_log_clear();
	d = alloc_pages(__GFP_NOFAULT, 3); /* not counted, succeeds in between */
	assert_non_null(d);
	free_before -= 8;
	assert_null(alloc_pages(__GFP_NOWARN, 5));
	assert_false(shim_log_has("page allocation failure"));
	assert_int_equal(nr_free_pages(), free_before);
	assert_int_equal(fail_page_alloc_injected, 2);
	e = alloc_page(GFP_KERNEL); /* disarmed */
	assert_non_null(e);
	f = alloc_page(GFP_KERNEL);
	assert_non_null(f);
	assert_int_equal(fail_page_alloc_injected, 2);

	/* nth = 1: the very next one; then off again */
	fail_page_alloc_set(1, 1);
	assert_null(alloc_pages(__GFP_NOWARN | __GFP_ZERO, 0));
	assert_int_equal(fail_page_alloc_injected, 3);
	/* disarming: set(0, n) and set(n, 0) */
	fail_page_alloc_set(1, 5);
	fail_page_alloc_set(0, 5);
	fail_page_alloc_set(1, 0);
	__free_page(a);
	a = alloc_page(GFP_KERNEL);
	assert_non_null(a);
	assert_int_equal(fail_page_alloc_injected, 3);
	__free_page(a);
	__free_page(b);
	__free_page(c);
	__free_pages(d, 3);
	__free_page(e);
	__free_page(f);
	assert_int_equal(nr_free_pages(), totalram_pages);
	assert_int_equal(buddy_check(), 0);
	assert_int_equal(warn_count, 0);
}

static void test_gfp_zero_and_addresses(void **state)
{
	unsigned long addr, pfn;
	struct page *p;

	(void)state;
	hand_over_all();
	p = alloc_pages(GFP_KERNEL, 2);
	pfn = page_to_pfn(p);
	memset(page_address(p), 0xa5, 4 * PAGE_SIZE);
	__free_pages(p, 2);
	p = alloc_pages(__GFP_ZERO, 2); /* LIFO: the same block again */
	assert_int_equal(page_to_pfn(p), pfn);
	for (unsigned long i = 0; i < 4 * PAGE_SIZE; i++)
		if (((unsigned char *)page_address(p))[i])
			fail_msg("byte %lu not zeroed", i);
	__free_pages(p, 2);
	addr = get_zeroed_page(GFP_KERNEL);
	assert_true(addr != 0 && PAGE_ALIGNED(addr));
	assert_int_equal(virt_to_page(addr)->flags, PG_head);
	free_page(addr);
	addr = __get_free_pages(__GFP_DMA32, 3);
	assert_true(virt_to_pfn(addr) < DMA32_END_PFN);
	free_pages(addr, 3);
	assert_int_equal(nr_free_pages(), totalram_pages);
	assert_int_equal(buddy_check(), 0);
}

static void test_dumps(void **state)
{
	unsigned long counts[NR_PAGE_ORDERS], sum = 0;
	char line[160];
	int len;

	(void)state;
	hand_over_all();
	buddy_free_counts(counts);
	for (int o = 0; o < NR_PAGE_ORDERS; o++) {
		assert_int_equal(counts[o],
				 zones[0].free_area[o].nr_free + zones[1].free_area[o].nr_free);
		sum += counts[o] << o;
	}
	assert_int_equal(sum, nr_free_pages());
	shim_log_clear();
	buddyinfo_dump();
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		len = snprintf(line, sizeof(line), "Node 0, zone %8s", zones[z].name);
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			len += snprintf(line + len, sizeof(line) - len, " %6lu",
					zones[z].free_area[o].nr_free);
		assert_true(shim_log_has(line));
	}
	assert_true(shim_log_has("Node 0, zone    DMA32 "));
	assert_true(shim_log_has("Node 0, zone   Normal "));
	shim_log_clear();
	meminfo_dump();
	snprintf(line, sizeof(line), "MemTotal:       %8lu kB\nMemFree:        %8lu kB\n",
		 totalram_pages * 4, nr_free_pages() * 4);
	assert_true(shim_log_has(line));
}

/* memblock_free_all() feeding the buddy: the counts add up. */
static void test_memblock_hand_over(void **state)
{
	(void)state;
	memset(&memblock, 0, sizeof(memblock));
	memblock.memory.name = "memory";
	memblock.reserved.name = "reserved";
	memset(&memblock_handover, 0, sizeof(memblock_handover));
	for (unsigned int i = 0; i < ARRAY_SIZE(ranges); i++)
		memblock_add(PFN_PHYS(ranges[i][0]), PFN_PHYS(ranges[i][1] - ranges[i][0]));
	memblock_reserve(PFN_PHYS(BASE + 0x200) + 0x10, 0x3000);   /* 4 pages touched */
	memblock_reserve(PFN_PHYS(BASE + 0x1000) - 0x800, 0x1000); /* 2, across the zones */
	assert_int_equal(memblock_free_all(), sim_ram_pages() - 6);
	assert_int_equal(totalram_pages, sim_ram_pages() - 6);
	assert_int_equal(memblock_handover.memory_pages - memblock_handover.reserved_pages,
			 totalram_pages);
	assert_int_equal(pfn_to_page(BASE + 0x203)->flags, PG_reserved);
	assert_int_equal(pfn_to_page(BASE + 0x204)->flags & PG_reserved, 0);
	assert_int_equal(pfn_to_page(BASE + 0xfff)->flags, PG_reserved);
	assert_int_equal(pfn_to_page(BASE + 0x1000)->flags, PG_reserved);
	assert_int_equal(nr_free_pages(), totalram_pages);
	assert_int_equal(buddy_check(), 0);
	assert_int_equal(warn_count, 0);
}

/* buddy_check() notices corruption. */
static void test_check_detects(void **state)
{
	struct page *p;

	(void)state;
	hand_over_all();
	p = pfn_to_page(BASE + 0x400); /* an order-8 free block */
	p->private = 7;
	assert_int_equal(buddy_check(), -EINVAL);
	assert_true(shim_log_has("private is not the list's order"));
	p->private = 8;
	zones[ZONE_DMA32].free_area[8].nr_free++;
	assert_int_equal(buddy_check(), -EINVAL);
	zones[ZONE_DMA32].free_area[8].nr_free--;
	p[5].flags = PG_head;
	assert_int_equal(buddy_check(), -EINVAL);
	assert_true(shim_log_has("a page inside has flags"));
	p[5].flags = 0;
	assert_int_equal(buddy_check(), 0);
}

/* ---- per-CPU cache and bulk ---- */

/* Take an order-0 page the buddy just returned (bulk or split) into the shadow. */
static void hold_page(struct page *page)
{
	hold_block(page, 0);
}

/* Give back the pages of @pages in bulk, after checking and clearing the shadow. */
static void release_bulk(struct page **pages, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		unsigned long pfn = page_to_pfn(pages[i]);

		assert_int_equal(*(unsigned long *)page_address(pages[i]), pfn);
		held[pfn - BASE] = false;
	}
	free_pages_bulk(n, pages);
}

/* split_page() makes independent pages; bulk_run_order() finds aligned runs only. */
static void test_split_page_and_runs(void **state)
{
	struct page *p, *q, *arr[16];

	(void)state;
	hand_over_all();
	p = alloc_pages(GFP_KERNEL, 4);
	assert_non_null(p);
	assert_int_equal(page_to_pfn(p) % 16, 0);
	split_page(p, 4);
	for (int i = 0; i < 16; i++) {
		assert_int_equal(p[i].flags, PG_head);
		assert_int_equal(p[i].order, 0);
		assert_int_equal(p[i].private, 0);
		hold_page(p + i);
		arr[i] = p + i;
	}
	check_state();
	assert_int_equal(bulk_run_order(arr, 16), 4);
	assert_int_equal(bulk_run_order(arr, 15), 3);
	assert_int_equal(bulk_run_order(arr, 5), 2);
	assert_int_equal(bulk_run_order(arr + 1, 15), 0); /* misaligned */
	assert_int_equal(bulk_run_order(arr + 2, 14), 1);
	assert_int_equal(bulk_run_order(arr + 4, 12), 2);
	assert_int_equal(bulk_run_order(arr + 8, 8), 3);
	assert_int_equal(bulk_run_order(arr + 15, 1), 0);
	p[3].flags |= PG_vmalloc; /* not freeable as part of a block */
	assert_int_equal(bulk_run_order(arr, 16), 1);
	p[3].flags = PG_head;
	arr[5] = p + 6; /* not consecutive */
	arr[6] = p + 5;
	assert_int_equal(bulk_run_order(arr, 16), 2);
	assert_int_equal(bulk_run_order(arr + 4, 4), 0);
	arr[5] = p + 5;
	arr[6] = p + 6;
	/* a wrong split is refused */
	q = alloc_pages(GFP_KERNEL, 2);
	hold_block(q, 2);
	SHIM_EXPECT_ONE_WARNING(split_page(q, 3), "not the head of an order-3 block");
	assert_int_equal(q[1].flags, PG_tail);
	/* back in runs: [1] alone, [2,3] order 1, [4..7] order 2, [8..15] order 3, then [0] */
	release_bulk(arr + 1, 15);
	check_state();
	release_bulk(arr, 1);
	release_block(q, 2);
	check_state();
	assert_int_equal(warn_count, 1);
}

/* Bulk on a whole buddy takes few large blocks; on a fragmented one, order 0. */
static void test_bulk_blocks_and_fallback(void **state)
{
	static struct page *arr[NR], *all[NR];
	unsigned long start[MAX_NR_ZONES][NR_PAGE_ORDERS], end[MAX_NR_ZONES][NR_PAGE_ORDERS];
	unsigned long breaks = 0, n = 0, kept = 0;

	(void)state;
	hand_over_all();
	check_state();
	zone_counts(start);
	assert_int_equal(alloc_pages_bulk_array(GFP_KERNEL, 100, arr), 100);
	for (int i = 0; i < 100; i++) {
		hold_page(arr[i]);
		if (i)
			breaks += arr[i] != arr[i - 1] + 1;
	}
	assert_true(breaks <= 2); /* 64 + 32 + 4 */
	check_state();
	release_bulk(arr, 100);
	check_state();
	zone_counts(end);
	assert_memory_equal(start, end, sizeof(start));
	/* everything held, the even pfns given back: no block above order 0 is free */
	while ((all[n] = alloc_page(GFP_KERNEL | __GFP_NOWARN)))
		hold_page(all[n++]);
	for (unsigned long i = 0; i < n; i++)
		if (page_to_pfn(all[i]) % 2 == 0)
			release_block(all[i], 0);
		else
			all[kept++] = all[i];
	check_state();
	assert_int_equal(alloc_pages_bulk_array(GFP_KERNEL, 50, arr), 50);
	for (int i = 0; i < 50; i++) {
		assert_int_equal(page_to_pfn(arr[i]) % 2, 0);
		hold_page(arr[i]);
	}
	check_state();
	release_bulk(arr, 50);
	release_bulk(all, kept);
	check_state();
	zone_counts(end);
	assert_memory_equal(start, end, sizeof(start));
	assert_int_equal(warn_count, 0);
}

/* Injected failure at the k-th page, every k: exactly the blocks before it, none lost. */
static void test_bulk_fault_injection(void **state)
{
	static struct page *arr[100];

	(void)state;
	hand_over_all();
	for (unsigned long k = 1; k <= 101; k++) {
		unsigned long n;

		fail_page_alloc_set(k, 1);
		n = alloc_pages_bulk_array(GFP_KERNEL | __GFP_NOWARN, 100, arr);
		fail_page_alloc_set(0, 0);
		if (k <= 64)
			assert_int_equal(n, 0); /* the first block is 64 pages */
		else if (k <= 96)
			assert_int_equal(n, 64);
		else if (k <= 100)
			assert_int_equal(n, 96);
		else
			assert_int_equal(n, 100);
		for (unsigned long i = 0; i < n; i++)
			hold_page(arr[i]);
		check_state();
		release_bulk(arr, n);
		check_state();
	}
	assert_int_equal(fail_page_alloc_injected, 100);
	/* a failure is reported once, naming the request */
	shim_log_clear();
	fail_page_alloc_set(1, 1);
	assert_int_equal(alloc_pages_bulk_array(GFP_KERNEL, 8, arr), 0);
	assert_true(shim_log_has("page allocation failure"));
	check_state();
}

/* The cache: a batch per refill, a batch back when full, bad entries found. */
static void test_pcp(void **state)
{
	static struct page *pages[PCP_HIGH + 1];
	unsigned long buddy0;
	struct page *p;

	(void)state;
	hand_over_all();
	buddy0 = zones[ZONE_DMA32].free_pages + zones[ZONE_NORMAL].free_pages;
	p = alloc_page(GFP_KERNEL);
	assert_int_equal(pcp.count, PCP_BATCH - 1);
	assert_int_equal(zones[ZONE_DMA32].free_pages + zones[ZONE_NORMAL].free_pages,
			 buddy0 - PCP_BATCH);
	assert_int_equal(nr_free_pages(), buddy0 - 1);
	__free_page(p);
	assert_int_equal(p->flags, PG_pcp);
	assert_int_equal(pcp.pages[pcp.count - 1], p);
	/* a double free of a cached page is refused */
	SHIM_EXPECT_ONE_WARNING(__free_page(p), "in CPU 0's page cache");
	assert_int_equal(pcp.count, PCP_BATCH);
	/* buddy_check() sees a bad or doubled entry */
	p->flags = PG_head;
	assert_int_equal(buddy_check(), -EINVAL);
	assert_true(shim_log_has("flags are not PG_pcp alone"));
	p->flags = PG_pcp;
	pcp.pages[pcp.count++] = p;
	assert_int_equal(buddy_check(), -EINVAL);
	assert_true(shim_log_has("listed twice"));
	pcp.count--;
	assert_int_equal(buddy_check(), 0);
	/* full: the next free gives the PCP_BATCH coldest back */
	drain_local_pages();
	for (unsigned int i = 0; i < ARRAY_SIZE(pages); i++)
		pages[i] = alloc_page(GFP_KERNEL);
	drain_local_pages();
	for (unsigned int i = 0; i < PCP_HIGH; i++)
		__free_page(pages[i]);
	assert_int_equal(pcp.count, PCP_HIGH);
	__free_page(pages[PCP_HIGH]);
	assert_int_equal(pcp.count, PCP_HIGH - PCP_BATCH + 1);
	assert_int_equal(pages[0]->flags & PG_pcp, 0); /* the coldest went back */
	assert_int_equal(pcp.pages[0], pages[PCP_BATCH]);
	assert_int_equal(nr_free_pages(), buddy0);
	check_state();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_sim, teardown_sim)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hand_over),
		T(test_split_merge_small),
		T(test_random_ops),
		T(test_exhaust),
		T(test_misuse),
		T(test_fault_injection),
		T(test_gfp_zero_and_addresses),
		T(test_dumps),
		T(test_memblock_hand_over),
		T(test_check_detects),
		T(test_split_page_and_runs),
		T(test_bulk_blocks_and_fallback),
		T(test_bulk_fault_injection),
		T(test_pcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
