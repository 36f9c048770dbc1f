/*
 * Self-tests of the page allocator's fast paths (mm/page_alloc.c): the
 * per-CPU order-0 cache (batched refill and drain, counted as free, bad
 * frees still refused), bulk allocation in split high-order blocks with
 * fault injection at every page, aligned runs freed as whole blocks,
 * vmalloc on an unfragmented and on a fragmented buddy, and the pfn_valid()
 * bitmap against memblock.
 *
 * Steps that read this CPU's cache run with interrupts off, so nothing else
 * on this CPU touches it meanwhile.
 */
#include "debug/ktest.h"
#include "asm/ipi.h"
#include "asm/irqflags.h"
#include "kernel/panic.h"
#include "kernel/smp.h"
#include "lib/list.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define NOFAIL	 (__GFP_NOWARN | __GFP_NOFAULT)
#define BULK_NR	 63 /* blocks of order 5, 4, 3, 2, then 3 pages, on an unfragmented buddy */
#define VM_PAGES 64

/* Pages on the buddy's free lists (not in any CPU's cache). */
static unsigned long buddy_pages(void)
{
	unsigned long counts[NR_PAGE_ORDERS], n = 0;

	buddy_free_counts(counts);
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		n += counts[o] << o;
	return n;
}

/* The highest order with a free block once the caches are drained, or -1. */
static int largest_free_order(void)
{
	unsigned long counts[NR_PAGE_ORDERS];

	drain_all_pages();
	buddy_free_counts(counts);
	for (int o = MAX_ORDER; o >= 0; o--)
		if (counts[o])
			return o;
	return -1;
}

static void expect_counts_equal(struct ktest *t, const unsigned long *got,
				const unsigned long *want)
{
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		if (got[o] != want[o])
			ktest_fail(t, __FILE__, __LINE__, "order %u: %lu free blocks, expected %lu",
				   o, got[o], want[o]);
}

/* Every pfn up to past max_pfn: the bitmap says what memblock says. */
KTEST(buddy_bulk, pfn_valid_matches_memblock)
{
	unsigned long bad = 0, first_bad = 0, ram = 0;

	for (unsigned long pfn = 0; pfn < max_pfn + 1024; pfn++) {
		bool want = pfn < max_pfn && memblock_is_memory(PFN_PHYS(pfn));

		if (pfn_valid(pfn) != want && !bad++)
			first_bad = pfn;
		ram += want;
	}
	if (bad)
		ktest_fail(t, __FILE__, __LINE__, "%lu pfns wrong, the first %#lx", bad, first_bad);
	KTEST_EXPECT_GE(t, ram, totalram_pages);
	KTEST_EXPECT_FALSE(t, pfn_valid(max_pfn));
	KTEST_EXPECT_FALSE(t, pfn_valid(~0UL));
}

/* An empty cache takes one batch from the buddy; a freed page stays cached, counted free. */
KTEST(buddy_bulk, pcp_refills_a_batch_and_counts_as_free)
{
	unsigned long before[NR_PAGE_ORDERS], after[NR_PAGE_ORDERS];
	unsigned long flags, buddy0, buddy1, free0, free1, free2, pflags;
	struct page *p;

	ktest_need_pages(t, 4 * PCP_BATCH);
	local_irq_save(flags);
	drain_local_pages();
	buddy0 = buddy_pages();
	free0 = nr_free_pages();
	p = alloc_page(NOFAIL);
	buddy1 = buddy_pages();
	free1 = nr_free_pages();
	buddy_free_counts(before);
	if (p)
		__free_page(p);
	buddy_free_counts(after);
	free2 = nr_free_pages();
	pflags = p ? p->flags : 0;
	drain_local_pages();
	local_irq_restore(flags);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, buddy0 - buddy1, (unsigned long)PCP_BATCH);
	KTEST_EXPECT_EQ(t, free0 - free1, 1UL);
	expect_counts_equal(t, after, before); /* the buddy lists did not move */
	KTEST_EXPECT_EQ(t, free2, free0);
	KTEST_EXPECT_EQ(t, pflags, PG_pcp);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* A full cache (PCP_HIGH pages) gives one batch back on the next free. */
KTEST(buddy_bulk, pcp_full_gives_back_a_batch)
{
	static struct page *pages[PCP_HIGH + 1];
	unsigned long flags, buddy_full = 0, buddy_after = 0, free0, free1;
	unsigned int n = 0;

	ktest_need_pages(t, 2 * PCP_HIGH);
	free0 = nr_free_pages();
	local_irq_save(flags);
	while (n < ARRAY_SIZE(pages) && (pages[n] = alloc_page(NOFAIL)))
		n++;
	drain_local_pages();
	for (unsigned int i = 0; i < n; i++) {
		if (i == PCP_HIGH)
			buddy_full = buddy_pages();
		__free_page(pages[i]);
	}
	if (n == ARRAY_SIZE(pages))
		buddy_after = buddy_pages();
	local_irq_restore(flags);
	free1 = nr_free_pages();
	drain_all_pages();
	KTEST_ASSERT_EQ(t, n, (unsigned int)ARRAY_SIZE(pages));
	KTEST_EXPECT_EQ(t, buddy_after - buddy_full, (unsigned long)PCP_BATCH);
	KTEST_EXPECT_EQ(t, free1, free0);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Freeing a page that sits in a CPU's cache is a double free: refused, nothing moves. */
KTEST(buddy_bulk, double_free_into_cache_refused)
{
	unsigned long w, free0, free1, mark, flags;
	struct page *p = alloc_page(NOFAIL);

	KTEST_ASSERT_NOT_NULL(t, p);
	local_irq_save(flags); /* nothing on this CPU takes it from the cache meanwhile */
	__free_page(p);
	w = warn_count;
	free0 = nr_free_pages();
	mark = ktest_log_mark();
	__free_page(p);
	free1 = nr_free_pages();
	local_irq_restore(flags);
	KTEST_EXPECT_EQ(t, warn_count, w + 1);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "double free"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "page cache"));
	KTEST_EXPECT_EQ(t, free1, free0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* Where alloc_pages_bulk_array() starts the block holding entry @i of BULK_NR. */
static unsigned long bulk_block_start(unsigned long i)
{
	unsigned long start = 0, left = BULK_NR;

	for (;;) {
		unsigned long size = 1;

		while (size * 2 <= left && size < (1UL << MAX_ORDER))
			size *= 2;
		if (size < 4)
			size = 1; /* below order 2: page by page through the cache */
		if (i < start + size)
			return start;
		start += size;
		left -= size;
	}
}

/*
 * Fail the k-th page of a bulk request, for every k: the array holds
 * exactly the blocks before the one with page k, every page independent;
 * given back, the free count and the lists are as before.
 */
KTEST(buddy_bulk, bulk_fault_injection_at_every_page)
{
	static struct page *pages[BULK_NR];
	unsigned long free0, inj0 = fail_page_alloc_injected, bad = 0;

	if (largest_free_order() < 5)
		KTEST_SKIP(t, "no free block of 32 pages");
	free0 = nr_free_pages();
	for (unsigned long k = 1; k <= BULK_NR + 1; k++) {
		unsigned long n, want = k <= BULK_NR ? bulk_block_start(k - 1) : BULK_NR;

		fail_page_alloc_set(k, 1);
		n = alloc_pages_bulk_array(GFP_KERNEL | __GFP_NOWARN, BULK_NR, pages);
		fail_page_alloc_set(0, 0);
		KTEST_EXPECT_EQ(t, n, want);
		for (unsigned long i = 0; i < n; i++) {
			if (pages[i]->flags != PG_head || pages[i]->order)
				bad++;
			for (unsigned long j = 0; j < i; j++)
				bad += pages[j] == pages[i];
		}
		free_pages_bulk(n, pages);
		KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	}
	KTEST_EXPECT_EQ(t, bad, 0UL);
	KTEST_EXPECT_EQ(t, fail_page_alloc_injected - inj0, (unsigned long)BULK_NR);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static void fail_page_alloc_off(void *unused __unused)
{
	fail_page_alloc_set(0, 0);
}

/* The same through vmalloc: each failure gives every page back, none leaks. */
KTEST(buddy_bulk, vmalloc_fault_injection_at_every_page)
{
	unsigned long free0, busy0;
	void *p;

	if (largest_free_order() < 5)
		KTEST_SKIP(t, "no free block of 32 pages");
	p = vmalloc(BULK_NR * PAGE_SIZE); /* warm-up: page tables, metadata slabs */
	KTEST_ASSERT_NOT_NULL(t, p);
	vfree(p);
	vm_unmap_aliases();
	free0 = nr_free_pages();
	busy0 = vmalloc_nr_busy();
	ktest_defer(t, fail_page_alloc_off, NULL);
	for (unsigned long k = 1; k <= BULK_NR; k++) {
		fail_page_alloc_set(k, 1);
		p = __vmalloc(BULK_NR * PAGE_SIZE, __GFP_NOWARN);
		fail_page_alloc_set(0, 0);
		KTEST_EXPECT_NULL(t, p);
		if (p)
			vfree(p);
		vm_unmap_aliases();
		KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
		KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy0);
	}
	ktest_release(t, fail_page_alloc_off, NULL);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * With isolated free pages on the order-0 list (taken first by a page-at-a-
 * time fill), a 64-page vmalloc still gets one aligned 64-page block.
 */
KTEST(buddy_bulk, vmalloc_takes_high_order_blocks)
{
	unsigned long pfn0 = 0, breaks = 0;
	struct page *blk;
	char *v;

	if (largest_free_order() < 6)
		KTEST_SKIP(t, "no free block of 64 pages");
	blk = alloc_pages(NOFAIL, 4);
	KTEST_ASSERT_NOT_NULL(t, blk);
	split_page(blk, 4);
	for (unsigned int i = 1; i < 16; i += 2)
		__free_page(blk + i); /* each one's buddy stays allocated */
	drain_all_pages();
	v = vmalloc(VM_PAGES * PAGE_SIZE);
	if (v) {
		pfn0 = page_to_pfn(vmalloc_to_page(v));
		for (unsigned long i = 1; i < VM_PAGES; i++)
			breaks += page_to_pfn(vmalloc_to_page(v + i * PAGE_SIZE)) != pfn0 + i;
		vfree(v);
	}
	for (unsigned int i = 0; i < 16; i += 2)
		__free_page(blk + i);
	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, breaks, 0UL);
	KTEST_EXPECT_EQ(t, pfn0 % VM_PAGES, 0UL);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* The pages a fragmenting test holds, linked through page->lru. */
static struct list_head held;

static void free_held(void *unused __unused)
{
	struct page *p, *n;

	list_for_each_entry_safe(p, n, &held, lru) {
		list_del(&p->lru);
		__free_page(p);
	}
}

/*
 * Every free page taken, the even pfns given back: no free block above
 * order 0 anywhere. A 64-page vmalloc is still satisfied, from those pages.
 */
KTEST(buddy_bulk, fragmented_buddy_still_satisfies_vmalloc)
{
	unsigned long counts[NR_PAGE_ORDERS], free0, higher = 0, odd = 0;
	struct page *p, *n;
	char *v;

	if (totalram_pages > (1UL << 18))
		KTEST_SKIP(t, "takes every free page: up to 1 GiB of RAM only");
	ktest_need_pages(t, 4 * VM_PAGES);
	INIT_LIST_HEAD(&held);
	ktest_defer(t, free_held, NULL);
	kmem_cache_shrink_all(); /* the empty slabs an exhausted buddy would take back */
	free0 = nr_free_pages();
	while ((p = alloc_page(NOFAIL)))
		list_add(&p->lru, &held);
	list_for_each_entry_safe(p, n, &held, lru) {
		if (page_to_pfn(p) % 2 == 0) {
			list_del(&p->lru);
			__free_page(p);
		}
	}
	drain_all_pages();
	buddy_free_counts(counts);
	for (unsigned int o = 1; o < NR_PAGE_ORDERS; o++)
		higher += counts[o];
	v = vmalloc(VM_PAGES * PAGE_SIZE);
	if (v) {
		for (unsigned long i = 0; i < VM_PAGES; i++)
			odd += page_to_pfn(vmalloc_to_page(v + i * PAGE_SIZE)) % 2;
		vfree(v);
		vm_unmap_aliases();
	}
	ktest_release(t, free_held, NULL);
	KTEST_EXPECT_EQ(t, higher, 0UL);
	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, odd, 0UL);
	kmem_cache_shrink_all(); /* the slab vmalloc's metadata took, empty again */
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* An aligned run of 16 split pages goes back as one block, not through the cache. */
KTEST(buddy_bulk, free_pages_bulk_gives_runs_back_as_blocks)
{
	unsigned long before[NR_PAGE_ORDERS], after[NR_PAGE_ORDERS], flags;
	struct page *pages[16], *blk;

	if (largest_free_order() < 4)
		KTEST_SKIP(t, "no free block of 16 pages");
	local_irq_save(flags);
	drain_local_pages();
	buddy_free_counts(before);
	blk = alloc_pages(NOFAIL, 4);
	if (blk) {
		split_page(blk, 4);
		for (unsigned int i = 0; i < 16; i++)
			pages[i] = blk + i;
		free_pages_bulk(16, pages);
	}
	buddy_free_counts(after);
	local_irq_restore(flags);
	KTEST_ASSERT_NOT_NULL(t, blk);
	expect_counts_equal(t, after, before);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/*
 * Regression: free_pages_bulk() read a NULL entry's flags (a fault) before
 * __free_page() could refuse it. Now: one WARN for it, the others freed.
 */
KTEST(buddy_bulk, free_pages_bulk_null_entry_faults)
{
	struct page *pages[4];
	unsigned long w, free0;

	KTEST_ASSERT_EQ(t, alloc_pages_bulk_array(NOFAIL, 3, pages + 1), 3UL);
	pages[0] = NULL;
	vm_unmap_aliases();
	free0 = nr_free_pages();
	w = warn_count;
	free_pages_bulk(4, pages);
	KTEST_EXPECT_EQ(t, warn_count, w + 1);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0 + 3);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

/* On another CPU (an IPI): take pages and give them back, into its page cache. */
static void fill_this_pcp(void *unused __unused)
{
	struct page *pages[32];
	unsigned int n;

	for (n = 0; n < 32; n++)
		if (!(pages[n] = alloc_page(NOFAIL)))
			break;
	while (n)
		__free_page(pages[--n]);
}

/* Chain a block of @order from the buddy onto @list through its first words. */
static bool take_block_onto(void ***list, unsigned int order)
{
	struct page *pg = alloc_pages(NOFAIL, order);
	void **blk;

	if (!pg)
		return false;
	blk = page_address(pg);
	blk[0] = *list;
	blk[1] = (void *)(unsigned long)order;
	*list = blk;
	return true;
}

/* Take every block of order 9 and up onto @list. Interrupts off. */
static void take_huge_blocks(void ***list)
{
	for (int order = MAX_ORDER; order >= 9; order--)
		while (take_block_onto(list, (unsigned int)order))
			;
}

/* Give back the blocks chained on @list. */
static void give_huge_blocks(void **list)
{
	while (list) {
		void **next = list[0];

		free_pages((unsigned long)list, (unsigned int)(unsigned long)list[1]);
		list = next;
	}
}

/*
 * Regression: each failed order-9 attempt of vmalloc_huge() drained every
 * CPU's page cache (an IPI to each). With no 2 MiB block in the buddy, a
 * vmalloc_huge() of 2 MiB now leaves the other CPUs' caches alone.
 */
KTEST(buddy_bulk, vmalloc_huge_block_attempt_drains_all_cpus)
{
	unsigned long flags, hidden;
	unsigned int cpu;
	void **list = NULL, **spare = NULL;
	void *p;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU: no other CPU's page cache");
	for_each_online_cpu(cpu) if (cpu != smp_processor_id())
		smp_call_function_single(cpu, fill_this_pcp, NULL, true);
	local_irq_save(flags);
	/* order-8 blocks, every other one to give back once no 2 MiB block is left */
	for (int i = 0; i < 32 && take_block_onto(i & 1 ? &spare : &list, 8); i++)
		;
	take_huge_blocks(&list);
	give_huge_blocks(spare);
	take_huge_blocks(&list); /* those that merged again */
	local_irq_restore(flags);
	if (buddy_pages() < 4 * 512) { /* the 4 KiB fallback must not need a drain */
		give_huge_blocks(list);
		KTEST_SKIP(t, "too few pages outside 2 MiB blocks");
	}
	p = vmalloc_huge(2 * 1024 * 1024, GFP_KERNEL | __GFP_NOWARN);
	vfree(p);
	local_irq_save(flags);
	drain_local_pages();
	hidden = nr_free_pages() - buddy_pages(); /* in the other CPUs' caches */
	local_irq_restore(flags);
	give_huge_blocks(list);
	KTEST_EXPECT_NOT_NULL(t, p);
	KTEST_EXPECT_GT(t, hidden, 0UL);
}
