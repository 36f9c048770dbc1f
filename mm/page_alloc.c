/*
 * The buddy allocator: every page of RAM that memblock did not keep, in
 * blocks of 2^order pages (order 0..MAX_ORDER), each naturally aligned
 * (pfn % 2^order == 0), on the free list of its order in its zone.
 *
 * Two zones: DMA32 holds the pfns below 4 GiB, Normal those above. 4 GiB is
 * a multiple of the largest block, so no aligned block crosses it.
 *
 * A block of order k at pfn p has one buddy, at p ^ 2^k; together they form
 * the block of order k+1 at p & ~2^k. Freeing merges upwards while the buddy
 * is itself a free block of the same order in the same zone:
 *
 *   order 2:  [ A . . . | B . . . ]    A freed, B (= A ^ 4) free, order 2
 *   order 3:  [ A . . . . . . . . ]    -> one block of order 3 at A
 *
 * and allocating splits the smallest large-enough block, putting the upper
 * halves back one order at a time. Since no two free buddies of the same
 * order ever stay apart, the free lists have one shape for a given set of
 * free pages: freeing everything restores them exactly.
 *
 * Page states (struct page of each page of a block):
 *   free block     head: PG_buddy, private = order, on free_area[order]; rest: 0
 *   allocated      head: PG_head, order = order; rest: PG_tail, private = head pfn
 *   never given    PG_reserved (memblock kept it), or no struct page (a hole)
 *   in a CPU cache PG_pcp, private = that CPU (order 0 only; see below)
 * Every bad free is refused with a WARN naming the pfn, before any list moves.
 *
 * In front of the buddy, each CPU keeps a cache of free order-0 pages (after
 * Linux's per_cpu_pages): an array used as a stack, touched only by its CPU
 * with interrupts off, so alloc_page() and __free_page() take no zone lock
 * and toggle interrupts once. An empty cache is refilled with PCP_BATCH
 * pages under one zone lock; a full one (PCP_HIGH) gives its PCP_BATCH
 * coldest pages back. Batch 31 and high 186 (6 batches) are Linux's values
 * for a small zone: a refill or drain costs one lock pair per 31 pages, and
 * four CPUs hide at most 744 pages (2.9 MiB), which an allocation that
 * would otherwise fail takes back with drain_all_pages(), then with
 * kmem_cache_shrink_all() (the slabs' CPU arrays drained, their empty slabs
 * freed). Cached pages count as free (nr_free_pages(), MemFree); buddyinfo
 * shows the buddy lists only.
 * __GFP_DMA32 order-0 allocations bypass the cache (it mixes zones).
 *
 * alloc_pages_bulk_array() fills an array with order-0 pages taken as the
 * largest blocks that fit and split (vmalloc's pages); free_pages_bulk()
 * gives naturally aligned runs of consecutive pfns back as whole blocks.
 *
 * Lock legend:
 *   [Z] zone->lock	the zone's free lists and counters
 *   [H] hand-over	written by free_pages_range() at boot, read-only after
 *   [I] immutable
 *   [C] this CPU only, interrupts off (other CPUs read the count, racily)
 * Lock order: a slab cache's lock, then a zone lock; never two zone locks.
 */
#include "asm/ipi.h"
#include "asm/irqflags.h"
#include "asm/pgtable.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/internal.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"

#define LOCAL_TRACE 0

/* Run buddy_check() after every free (slow; for debugging). */
#ifndef DEBUG_VM
#define DEBUG_VM 0
#endif

#define DMA32_END_PFN (1UL << (32 - PAGE_SHIFT))
BUILD_BUG_ON(DMA32_END_PFN % (1UL << MAX_ORDER));

enum zone_type {
	ZONE_DMA32,
	ZONE_NORMAL,
	MAX_NR_ZONES
};

struct free_area {
	struct list_head free_list; /* [Z] heads of free blocks of this order */
	unsigned long nr_free;	    /* [Z] blocks on free_list */
};

struct zone {
	struct spinlock lock;
	const char *name;			    /* [I] */
	unsigned long start_pfn;		    /* [I] first pfn the zone may hold */
	unsigned long end_pfn;			    /* [I] one past the last */
	unsigned long managed_pages;		    /* [Z] pages handed to this zone */
	unsigned long free_pages;		    /* [Z] pages on its free lists */
	struct free_area free_area[NR_PAGE_ORDERS]; /* [Z] */
};

#define FREE_AREA(z, o) [o] = { .free_list = LIST_HEAD_INIT(zones[z].free_area[o].free_list) }
#define FREE_AREAS(z)                                                                        \
	FREE_AREA(z, 0), FREE_AREA(z, 1), FREE_AREA(z, 2), FREE_AREA(z, 3), FREE_AREA(z, 4), \
		FREE_AREA(z, 5), FREE_AREA(z, 6), FREE_AREA(z, 7), FREE_AREA(z, 8),          \
		FREE_AREA(z, 9), FREE_AREA(z, 10)
BUILD_BUG_ON(NR_PAGE_ORDERS != 11);

static struct zone zones[MAX_NR_ZONES] = {
	[ZONE_DMA32] = { .lock = SPINLOCK_INIT(zone_dma32_lock),
			 .name = "DMA32",
			 .start_pfn = 0,
			 .end_pfn = DMA32_END_PFN,
			 .free_area = { FREE_AREAS(ZONE_DMA32) } },
	[ZONE_NORMAL] = { .lock = SPINLOCK_INIT(zone_normal_lock),
			  .name = "Normal",
			  .start_pfn = DMA32_END_PFN,
			  .end_pfn = ~0UL >> PAGE_SHIFT,
			  .free_area = { FREE_AREAS(ZONE_NORMAL) } },
};

unsigned long totalram_pages; /* [H] */

struct per_cpu_pages {
	unsigned int count;	      /* [C] pages in pages[] */
	struct page *pages[PCP_HIGH]; /* [C] a stack: the hottest on top */
};
/* Empty in the template percpu_init() takes (before the buddy is up). */
static DEFINE_PER_CPU(struct per_cpu_pages, pcp);

unsigned long fail_page_alloc_injected; /* [L] of fail_page_alloc */
static struct fault_attr fail_page_alloc =
	FAULT_ATTR_INIT(fail_page_alloc_lock, fail_page_alloc_injected);

static inline struct zone *pfn_zone(unsigned long pfn)
{
	return pfn < DMA32_END_PFN ? &zones[ZONE_DMA32] : &zones[ZONE_NORMAL];
}

/* ---- fault injection ---- */

void fault_attr_set(struct fault_attr *attr, unsigned long nth, unsigned long times)
{
	spin_lock(&attr->lock);
	attr->nth = times ? nth : 0;
	attr->times = nth ? times : 0;
	spin_unlock(&attr->lock);
}

/*
 * Count @n allocations at once (the pages of one block taken in bulk): true
 * when the one to fail is among them. The knob then moves on as if the
 * failed one were the last counted.
 */
static bool should_fail_nr(struct fault_attr *attr, unsigned long n)
{
	bool fail = false;

	if (!READ_ONCE(attr->nth))
		return false;
	spin_lock(&attr->lock);
	if (attr->nth > n) {
		attr->nth -= n;
	} else if (attr->nth) {
		fail = true;
		(*attr->injected)++;
		attr->nth = --attr->times ? 1 : 0;
	}
	spin_unlock(&attr->lock);
	return fail;
}

bool should_fail(struct fault_attr *attr)
{
	bool fail = false;

	/*
	 * Disarmed (the normal case): no lock. Arming races with nothing that
	 * matters, since a call that reads 0 just before fault_attr_set() is
	 * simply not counted, as if it had come first.
	 */
	if (!READ_ONCE(attr->nth))
		return false;
	spin_lock(&attr->lock);
	if (attr->nth > 1) {
		attr->nth--;
	} else if (attr->nth == 1) {
		fail = true;
		(*attr->injected)++;
		if (--attr->times == 0)
			attr->nth = 0;
	}
	spin_unlock(&attr->lock);
	return fail;
}

/*
 * fail_page_alloc_set - make the @nth counted allocation from now fail, and
 * the @times - 1 counted ones after it; then the knob disarms itself.
 * => nth == 0 or times == 0 disarms. __GFP_NOFAULT allocations are not counted.
 */
void fail_page_alloc_set(unsigned long nth, unsigned long times)
{
	fault_attr_set(&fail_page_alloc, nth, times);
}

/* ---- free lists ---- */

static void add_to_free_area_locked(struct zone *zone, struct page *page, unsigned int order)
{
	assert_held(&zone->lock);
	page->flags = PG_buddy;
	page->private = order;
	list_add(&page->lru, &zone->free_area[order].free_list);
	zone->free_area[order].nr_free++;
}

static void del_from_free_area_locked(struct zone *zone, struct page *page, unsigned int order)
{
	assert_held(&zone->lock);
	list_del(&page->lru);
	zone->free_area[order].nr_free--;
	page->flags = 0;
	page->private = 0;
}

/* Put the block [pfn, pfn + 2^order) on the free lists, merging with its buddies. */
static void free_one_block_locked(struct zone *zone, unsigned long pfn, unsigned int order)
{
	assert_held(&zone->lock);
	zone->free_pages += 1UL << order;
	while (order < MAX_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy;

		if (!pfn_valid(buddy_pfn) || pfn_zone(buddy_pfn) != zone)
			break;
		buddy = pfn_to_page(buddy_pfn);
		if (!(buddy->flags & PG_buddy) || buddy->private != order)
			break;
		del_from_free_area_locked(zone, buddy, order);
		pfn &= ~(1UL << order);
		order++;
	}
	add_to_free_area_locked(zone, pfn_to_page(pfn), order);
}

/* Take a block of @order off the free lists, splitting a larger one if needed. */
static struct page *rmqueue_locked(struct zone *zone, unsigned int order)
{
	unsigned int o;
	struct page *page;
	unsigned long pfn;

	assert_held(&zone->lock);
	for (o = order; o <= MAX_ORDER; o++)
		if (!list_empty(&zone->free_area[o].free_list))
			break;
	if (o > MAX_ORDER)
		return NULL;
	page = list_first_entry(&zone->free_area[o].free_list, struct page, lru);
	del_from_free_area_locked(zone, page, o);
	pfn = page_to_pfn(page);
	while (o > order) {
		o--;
		add_to_free_area_locked(zone, pfn_to_page(pfn + (1UL << o)), o);
	}
	zone->free_pages -= 1UL << order;
	return page;
}

/*
 * Take up to @nr blocks of @order into @out, from the zones @gfp allows in
 * their order of preference, one lock pair per zone. Return how many.
 */
static unsigned int rmqueue_bulk(gfp_t gfp, unsigned int order, unsigned int nr, struct page **out)
{
	static const enum zone_type any[] = { ZONE_NORMAL, ZONE_DMA32 };
	static const enum zone_type dma32[] = { ZONE_DMA32 };
	const enum zone_type *list = (gfp & __GFP_DMA32) ? dma32 : any;
	unsigned int n = (gfp & __GFP_DMA32) ? ARRAY_SIZE(dma32) : ARRAY_SIZE(any);
	unsigned int got = 0;

	for (unsigned int i = 0; i < n && got < nr; i++) {
		struct zone *zone = &zones[list[i]];

		/* Below 4 GiB of RAM, Normal is empty: do not lock it and scan 11 lists. */
		if (!READ_ONCE(zone->managed_pages))
			continue;
		spin_lock(&zone->lock);
		while (got < nr && (out[got] = rmqueue_locked(zone, order)))
			got++;
		spin_unlock(&zone->lock);
	}
	return got;
}

static struct page *rmqueue(gfp_t gfp, unsigned int order)
{
	struct page *page;

	return rmqueue_bulk(gfp, order, 1, &page) ? page : NULL;
}

/* ---- per-CPU page cache ---- */

/* Give @n order-0 pages (flags PG_pcp) back to the buddy: one lock pair per zone. */
static void free_pcp_pages(struct page **pages, unsigned int n)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &zones[z];
		bool locked = false;

		for (unsigned int i = 0; i < n; i++) {
			unsigned long pfn = page_to_pfn(pages[i]);

			if (pfn_zone(pfn) != zone)
				continue;
			if (!locked)
				spin_lock(&zone->lock);
			locked = true;
			pages[i]->flags = 0;
			pages[i]->private = 0;
			free_one_block_locked(zone, pfn, 0);
		}
		if (locked)
			spin_unlock(&zone->lock);
	}
}

/* Fill this CPU's empty cache with up to PCP_BATCH pages. Interrupts off. */
static void pcp_refill(struct per_cpu_pages *p)
{
	unsigned int cpu = smp_processor_id();

	p->count = rmqueue_bulk(0, 0, PCP_BATCH, p->pages);
	for (unsigned int i = 0; i < p->count; i++) {
		p->pages[i]->flags = PG_pcp;
		p->pages[i]->private = cpu;
	}
}

/* An order-0 page from this CPU's cache (refilled if empty), or NULL. */
static struct page *pcp_alloc(void)
{
	struct per_cpu_pages *p;
	struct page *page = NULL;
	unsigned long flags;

	local_irq_save(flags);
	p = this_cpu_ptr(&pcp);
	if (!p->count)
		pcp_refill(p);
	if (p->count) {
		page = p->pages[--p->count];
		page->flags = 0;
		page->private = 0;
	}
	local_irq_restore(flags);
	return page;
}

/* Put a checked order-0 page (flags already cleared) in this CPU's cache. */
static void pcp_free(struct page *page)
{
	struct per_cpu_pages *p;
	unsigned long flags;

	local_irq_save(flags);
	p = this_cpu_ptr(&pcp);
	if (p->count >= PCP_HIGH) {
		/* The coldest batch, at the bottom, goes back. */
		free_pcp_pages(p->pages, PCP_BATCH);
		p->count -= PCP_BATCH;
		memmove(p->pages, p->pages + PCP_BATCH, p->count * sizeof(p->pages[0]));
	}
	page->flags = PG_pcp;
	page->private = smp_processor_id();
	p->pages[p->count++] = page;
	local_irq_restore(flags);
}

/*
 * drain_local_pages - give every page of this CPU's cache back to the buddy.
 * => Any context.
 */
void drain_local_pages(void)
{
	struct per_cpu_pages *p;
	unsigned long flags;

	local_irq_save(flags);
	p = this_cpu_ptr(&pcp);
	free_pcp_pages(p->pages, p->count);
	p->count = 0;
	local_irq_restore(flags);
}

static void drain_local_pages_ipi(void *unused __unused)
{
	drain_local_pages();
}

/*
 * drain_all_pages - empty every online CPU's cache into the buddy (an IPI
 * to each, waited for), so that the buddy lists hold every free page.
 * => With interrupts off (an IPI could not be waited for), only this CPU's.
 */
void drain_all_pages(void)
{
	if (irqs_disabled())
		drain_local_pages();
	else
		on_each_cpu(drain_local_pages_ipi, NULL, true);
}

/* Mark a block just taken off the free lists as allocated. */
static void prep_new_block(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	page->flags = PG_head;
	page->order = order;
	page->private = 0;
	for (unsigned long i = 1; i < (1UL << order); i++) {
		struct page *tail = page + i;

		WARN(tail->flags, "alloc_pages: pfn %#lx inside free block %#lx has flags %#lx",
		     pfn + i, pfn, tail->flags);
		tail->flags = PG_tail;
		tail->private = pfn;
	}
}

/*
 * A block of @order from this CPU's cache (order 0) or the buddy; NULL if
 * none anywhere (with __GFP_NORETRY: none without draining the others').
 */
static struct page *take_block(gfp_t gfp, unsigned int order)
{
	struct page *page;

	if (!order && !(gfp & __GFP_DMA32))
		page = pcp_alloc();
	else
		page = rmqueue(gfp, order);
	if (!page && !(gfp & __GFP_NORETRY)) {
		/* Other CPUs' caches may hold what the buddy lacks. */
		drain_all_pages();
		page = rmqueue(gfp, order);
	}
	/* Then the slabs' empty pages, once their CPU arrays are drained. */
	if (!page && !(gfp & __GFP_NORETRY) && kmem_cache_shrink_all()) {
		drain_all_pages();
		page = rmqueue(gfp, order);
	}
	return page;
}

static void alloc_failure_warn(gfp_t gfp, unsigned int order, unsigned long caller)
{
	if (!(gfp & __GFP_NOWARN))
		pr_warn("page allocation failure: order:%u, gfp:0x%x (caller %pS)\n", order, gfp,
			(void *)caller);
}

/*
 * __alloc_pages - alloc_pages() naming @caller in its failure message.
 * => Any context (the zone locks disable interrupts); never sleeps.
 * => Fails (NULL) when no zone allowed by @gfp has a block of @order, even
 *    after draining the CPU caches (not tried with __GFP_NORETRY), or by
 *    injection; then prints one line unless __GFP_NOWARN. Counters
 *    unchanged.
 */
struct page *__alloc_pages(gfp_t gfp, unsigned int order, unsigned long caller)
{
	struct page *page;

	if (order > MAX_ORDER) {
		WARN(!(gfp & __GFP_NOWARN), "alloc_pages: order %u > MAX_ORDER %u (caller %pS)",
		     order, MAX_ORDER, (void *)caller);
		return NULL;
	}
	if (!(gfp & __GFP_NOFAULT) && should_fail(&fail_page_alloc))
		goto fail;
	page = take_block(gfp, order);
	if (!page)
		goto fail;
	prep_new_block(page, order);
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
	ltrace("pfn %#lx order %u\n", page_to_pfn(page), order);
	return page;
fail:
	alloc_failure_warn(gfp, order, caller);
	return NULL;
}

/*
 * alloc_pages - allocate 2^@order physically contiguous pages.
 * => __GFP_DMA32: below 4 GiB only; otherwise Normal first, then DMA32.
 * => __GFP_ZERO: zeroed through the direct map.
 * Return: the head page, or NULL (see __alloc_pages()).
 */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return __alloc_pages(gfp, order, _RET_IP_);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = __alloc_pages(gfp, order, _RET_IP_);

	return page ? (unsigned long)page_address(page) : 0;
}

unsigned long get_zeroed_page(gfp_t gfp)
{
	struct page *page = __alloc_pages(gfp | __GFP_ZERO, 0, _RET_IP_);

	return page ? (unsigned long)page_address(page) : 0;
}

/* True when freeing @page with @order is legal; otherwise say why, with a WARN. */
static bool free_pages_check(struct page *page, unsigned int order, unsigned long caller)
{
	unsigned long pfn, flags;

	if (WARN(!page, "__free_pages: NULL page (caller %pS)", (void *)caller))
		return false;
	pfn = page_to_pfn(page);
	if (WARN(order > MAX_ORDER, "__free_pages: pfn %#lx: order %u > MAX_ORDER %u (caller %pS)",
		 pfn, order, MAX_ORDER, (void *)caller))
		return false;
	if (WARN(!pfn_valid(pfn), "__free_pages: pfn %#lx is not RAM (caller %pS)", pfn,
		 (void *)caller))
		return false;
	flags = page->flags;
	if (WARN(flags & PG_reserved, "__free_pages: pfn %#lx is reserved (caller %pS)", pfn,
		 (void *)caller))
		return false;
	if (WARN(flags & PG_buddy,
		 "__free_pages: double free of pfn %#lx (free, order %lu) (caller %pS)", pfn,
		 page->private, (void *)caller))
		return false;
	if (WARN(flags & PG_pcp,
		 "__free_pages: double free of pfn %#lx (free, in CPU %lu's page cache) (caller %pS)",
		 pfn, page->private, (void *)caller))
		return false;
	if (WARN(flags & PG_tail,
		 "__free_pages: pfn %#lx is not the head of its block (head pfn %#lx) (caller %pS)",
		 pfn, page->private, (void *)caller))
		return false;
	if (WARN(!(flags & PG_head),
		 "__free_pages: pfn %#lx is not allocated (double free?) (caller %pS)", pfn,
		 (void *)caller))
		return false;
	if (WARN(page->order != order,
		 "__free_pages: pfn %#lx freed with order %u, allocated with order %u (caller %pS)",
		 pfn, order, page->order, (void *)caller))
		return false;
	if (WARN(flags & PG_slab, "__free_pages: pfn %#lx belongs to a slab cache (caller %pS)",
		 pfn, (void *)caller))
		return false;
	return true;
}

static void __free_pages_caller(struct page *page, unsigned int order, unsigned long caller)
{
	unsigned long pfn;
	struct zone *zone;

	if (!free_pages_check(page, order, caller))
		return;
	pfn = page_to_pfn(page);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		page[i].flags = 0;
		page[i].private = 0;
	}
	page->order = 0;
	if (!order) {
		pcp_free(page);
	} else {
		zone = pfn_zone(pfn);
		spin_lock(&zone->lock);
		free_one_block_locked(zone, pfn, order);
		spin_unlock(&zone->lock);
	}
	ltrace("pfn %#lx order %u\n", pfn, order);
	if (DEBUG_VM)
		buddy_check();
}

/*
 * __free_pages - give back a block from alloc_pages().
 * => @order must be the order it was allocated with, @page its head.
 * => Any misuse (double free, wrong order, tail, reserved page, order too
 *    large) is refused with a WARN naming the pfn; nothing changes then.
 */
void __free_pages(struct page *page, unsigned int order)
{
	__free_pages_caller(page, order, _RET_IP_);
}

/* free_pages - __free_pages() by direct-map address; 0 is a no-op. */
void free_pages(unsigned long addr, unsigned int order)
{
	if (!addr)
		return;
	if (WARN(!virt_addr_valid((void *)addr) || !PAGE_ALIGNED(addr),
		 "free_pages: %#lx is not a page of the direct map (caller %pS)", addr,
		 (void *)_RET_IP_))
		return;
	__free_pages_caller(virt_to_page(addr), order, _RET_IP_);
}

/* ---- bulk ---- */

/* Put the block of @order at @page, every flag already clear, on the free lists. */
static void free_block(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	struct zone *zone = pfn_zone(pfn);

	spin_lock(&zone->lock);
	free_one_block_locked(zone, pfn, order);
	spin_unlock(&zone->lock);
}

/*
 * split_page - make the allocated block of @order at @page 2^@order
 * independent order-0 pages, each freed on its own (or in runs by
 * free_pages_bulk()).
 * => @page must be the head of a block allocated with @order; else WARN, no change.
 */
void split_page(struct page *page, unsigned int order)
{
	if (WARN(!(page->flags & PG_head) || page->order != order,
		 "split_page: pfn %#lx is not the head of an order-%u block (flags %#lx, order %u)",
		 page_to_pfn(page), order, page->flags, page->order))
		return;
	for (unsigned long i = 0; i < (1UL << order); i++) {
		page[i].flags = (page[i].flags & ~PG_tail) | PG_head;
		page[i].order = 0;
		page[i].private = 0;
	}
}

static inline unsigned int floor_log2(unsigned long x)
{
	return 63 - __builtin_clzl(x);
}

/*
 * The smallest block worth the zone lock in bulk: measured under TCG, an
 * order-2 block taken, split and freed as one costs what four pages through
 * the CPU cache do; order 1 costs more than two pages (the lock and the
 * merges), order 3 half of eight pages, order 6 a tenth.
 */
#define BULK_MIN_ORDER 2

/*
 * The next block of a bulk request with @left pages to go: the largest
 * block of at least BULK_MIN_ORDER that fits, at most *@max; else an
 * order-0 page from this CPU's cache. *@order is set to what was taken;
 * *@max drops to it, or to 0 when no block was free.
 */
static struct page *take_bulk_block(gfp_t gfp, unsigned long left, unsigned int *max,
				    unsigned int *order)
{
	if (left >= (1UL << BULK_MIN_ORDER)) {
		for (int o = min(floor_log2(left), *max); o >= BULK_MIN_ORDER; o--) {
			struct page *page = rmqueue(gfp, o);

			if (page) {
				*order = *max = o;
				return page;
			}
		}
		*max = 0;
	}
	*order = 0;
	return take_block(gfp, 0);
}

/*
 * alloc_pages_bulk_array - put @nr independent order-0 pages in
 * @pages[0..@nr), taken as the largest blocks that fit what is left (at
 * most MAX_ORDER) and split; where no block of an order is free, smaller
 * ones, down to BULK_MIN_ORDER; the rest (and a remainder below 4 pages)
 * order 0 through this CPU's cache.
 * => Fault injection counts every page of a block; an injected failure
 *    stops the request there (the block is given back), as a real one does.
 * => __GFP_ZERO zeroes each block; __GFP_DMA32 as alloc_pages().
 * Return: how many entries were filled, from the start (@nr unless it
 * failed; one failure line then, unless __GFP_NOWARN). The rest is untouched.
 */
unsigned long alloc_pages_bulk_array(gfp_t gfp, unsigned long nr, struct page **pages)
{
	unsigned int max = MAX_ORDER;
	unsigned long done = 0;

	while (done < nr) {
		unsigned int order;
		struct page *page = take_bulk_block(gfp, nr - done, &max, &order);

		if (!page)
			break;
		if (!(gfp & __GFP_NOFAULT) && should_fail_nr(&fail_page_alloc, 1UL << order)) {
			free_block(page, order);
			break;
		}
		prep_new_block(page, order);
		split_page(page, order);
		if (gfp & __GFP_ZERO)
			memset(page_address(page), 0, PAGE_SIZE << order);
		for (unsigned long i = 0; i < (1UL << order); i++)
			pages[done++] = page + i;
	}
	if (done < nr)
		alloc_failure_warn(gfp, 0, _RET_IP_);
	return done;
}

/*
 * The order of the block that starts @pages[0], of at most @nr entries:
 * the largest k such that the 2^k entries are consecutive pfns from one
 * aligned to 2^k, each an order-0 page that may be freed (PG_head, order 0,
 * no other flag). 0 when the run is a single page.
 */
static unsigned int bulk_run_order(struct page *const *pages, unsigned long nr)
{
	unsigned long pfn, len = 1;
	unsigned int order;

	if (!pages[0] || pages[0]->flags != PG_head || pages[0]->order)
		return 0; /* NULL: __free_page() refuses it with its WARN */
	pfn = page_to_pfn(pages[0]);
	order = pfn ? min((unsigned int)__builtin_ctzl(pfn), (unsigned int)MAX_ORDER) : MAX_ORDER;
	order = min(order, floor_log2(nr));
	while (len < (1UL << order)) {
		struct page *p = pages[len];

		if (p != pages[0] + len || p->flags != PG_head || p->order)
			break;
		len++;
	}
	return min(order, floor_log2(len));
}

/*
 * free_pages_bulk - give back @nr order-0 pages of @pages (from
 * alloc_pages_bulk_array(), alloc_page() or split_page()): each naturally
 * aligned run of 2^k consecutive pfns (k >= BULK_MIN_ORDER) as one block of
 * order k, the rest one by one through __free_page() (which refuses and
 * WARNs on a bad one).
 */
void free_pages_bulk(unsigned long nr, struct page *const *pages)
{
	unsigned long i = 0;

	while (i < nr) {
		unsigned int order = bulk_run_order(pages + i, nr - i);
		struct page *page = pages[i];

		if (order < BULK_MIN_ORDER) {
			__free_pages_caller(page, 0, _RET_IP_);
			i++;
			continue;
		}
		for (unsigned long j = 0; j < (1UL << order); j++)
			page[j].flags = 0;
		free_block(page, order);
		i += 1UL << order;
	}
	if (DEBUG_VM)
		buddy_check();
}

/* Free pages: the buddy's and those in every CPU's cache. */
unsigned long nr_free_pages(void)
{
	unsigned long total = 0;
	unsigned int cpu;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		spin_lock(&zones[z].lock);
		total += zones[z].free_pages;
		spin_unlock(&zones[z].lock);
	}
	for_each_possible_cpu(cpu) total += READ_ONCE(per_cpu(pcp, cpu).count);
	return total;
}

/* ---- hand-over from memblock ---- */

/* A page memblock may hand over: RAM with a struct page, still untouched. */
static bool page_is_handable(unsigned long pfn)
{
	return pfn_valid(pfn) && pfn_to_page(pfn)->flags == PG_reserved;
}

/* Free [pfn, end), all handable, in the largest aligned blocks that fit. */
static void free_pages_run(unsigned long pfn, unsigned long end)
{
	while (pfn < end) {
		unsigned int order = MAX_ORDER;
		struct zone *zone = pfn_zone(pfn);

		while (order && ((pfn & ((1UL << order) - 1)) || pfn + (1UL << order) > end))
			order--;
		for (unsigned long i = 0; i < (1UL << order); i++)
			memset(pfn_to_page(pfn + i), 0, sizeof(struct page));
		spin_lock(&zone->lock);
		zone->managed_pages += 1UL << order;
		free_one_block_locked(zone, pfn, order);
		spin_unlock(&zone->lock);
		totalram_pages += 1UL << order;
		pfn += 1UL << order;
	}
}

/*
 * free_pages_range - give [start_pfn, end_pfn) to the buddy (memblock hand-over).
 * => Boot, single-threaded. Each page must be RAM and PG_reserved as
 *    vmemmap_init left it; other pages (holes, pages already given) are
 *    skipped with a WARN, so that no page is ever handed out twice.
 * => Clears PG_reserved and counts the pages in totalram_pages.
 */
void free_pages_range(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long pfn = start_pfn;

	WARN(start_pfn > end_pfn, "free_pages_range: start pfn %#lx > end pfn %#lx", start_pfn,
	     end_pfn);
	while (pfn < end_pfn) {
		unsigned long run = pfn;

		if (!page_is_handable(pfn)) {
			while (pfn < end_pfn && !page_is_handable(pfn))
				pfn++;
			WARN(1, "free_pages_range: pfns [%#lx-%#lx) are not reserved RAM, skipped",
			     run, pfn);
			continue;
		}
		while (pfn < end_pfn && page_is_handable(pfn))
			pfn++;
		free_pages_run(run, pfn);
	}
}

/* ---- reports ---- */

void buddy_free_counts(unsigned long counts[NR_PAGE_ORDERS])
{
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		counts[o] = 0;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		spin_lock(&zones[z].lock);
		for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
			counts[o] += zones[z].free_area[o].nr_free;
		spin_unlock(&zones[z].lock);
	}
}

/* /proc/buddyinfo: one line per populated zone, free blocks per order. */
void buddyinfo_dump(void)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &zones[z];
		unsigned long counts[NR_PAGE_ORDERS], managed;
		char line[160];
		int len;

		spin_lock(&zone->lock);
		managed = zone->managed_pages;
		for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
			counts[o] = zone->free_area[o].nr_free;
		spin_unlock(&zone->lock);
		if (!managed)
			continue;
		len = snprintf(line, sizeof(line), "Node 0, zone %8s ", zone->name);
		for (unsigned int o = 0; o < NR_PAGE_ORDERS && len < (int)sizeof(line); o++)
			len += snprintf(line + len, sizeof(line) - len, "%6lu ", counts[o]);
		printk("%s\n", line);
	}
}

static void meminfo_line(const char *name, unsigned long pages)
{
	printk("%-16s%8lu kB\n", name, pages << (PAGE_SHIFT - 10));
}

/*
 * /proc/meminfo up to PageTables, with every field free(1) and vmstat(1)
 * read; the Vmalloc lines follow from vmalloc_meminfo_dump(). Contig has no
 * page cache, swap, user memory or reclaimable slab, so those are 0, and
 * everything free is available.
 */
void meminfo_dump(void)
{
	static const char *const zero[] = {
		"Buffers:",	   "Cached:",	    "SwapCached:",     "Active:",
		"Inactive:",	   "Active(anon):", "Inactive(anon):", "Active(file):",
		"Inactive(file):", "Unevictable:",  "Mlocked:",	       "SwapTotal:",
		"SwapFree:",	   "Dirty:",	    "Writeback:",      "AnonPages:",
		"Mapped:",	   "Shmem:",	    "KReclaimable:",
	};
	unsigned long free = nr_free_pages(), slab = slab_nr_pages();

	meminfo_line("MemTotal:", totalram_pages);
	meminfo_line("MemFree:", free);
	meminfo_line("MemAvailable:", free);
	for (unsigned int i = 0; i < ARRAY_SIZE(zero); i++)
		meminfo_line(zero[i], 0);
	meminfo_line("Slab:", slab);
	meminfo_line("SReclaimable:", 0);
	meminfo_line("SUnreclaim:", slab);
	meminfo_line("KernelStack:", 0);
	meminfo_line("PageTables:", pgtable_stats.pt_pages);
}

/* ---- consistency check ---- */

/* Check one free block; NULL or what is wrong with it. */
static const char *check_free_block(struct zone *zone, struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page), buddy_pfn = pfn ^ (1UL << order);

	if (page->lru.next->prev != &page->lru || page->lru.prev->next != &page->lru)
		return "broken list links";
	if (!pfn_valid(pfn))
		return "not RAM";
	if (pfn_zone(pfn) != zone)
		return "in the wrong zone";
	if (page->flags != PG_buddy)
		return "head flags are not PG_buddy alone";
	if (page->private != order)
		return "private is not the list's order";
	if (pfn & ((1UL << order) - 1))
		return "misaligned for its order";
	for (unsigned long i = 1; i < (1UL << order); i++) {
		if (!pfn_valid(pfn + i) || pfn_zone(pfn + i) != zone)
			return "covers a hole or another zone";
		if (page[i].flags)
			return "a page inside has flags (overlapping blocks?)";
	}
	if (order < MAX_ORDER && pfn_valid(buddy_pfn) && pfn_zone(buddy_pfn) == zone &&
	    (pfn_to_page(buddy_pfn)->flags & PG_buddy) && pfn_to_page(buddy_pfn)->private == order)
		return "its buddy is free with the same order (missed merge)";
	return NULL;
}

static int zone_check_locked(struct zone *zone)
{
	unsigned long pages = 0;

	assert_held(&zone->lock);
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		struct list_head *head = &zone->free_area[o].free_list, *pos;
		unsigned long n = 0;

		for (pos = head->next; pos != head; pos = pos->next) {
			struct page *page = list_entry(pos, struct page, lru);
			const char *why;

			if (n++ > zone->managed_pages) {
				pr_err("buddy_check: zone %s order %u: list does not end\n",
				       zone->name, o);
				return -EINVAL;
			}
			why = check_free_block(zone, page, o);
			if (why) {
				pr_err("buddy_check: zone %s order %u pfn %#lx: %s\n", zone->name,
				       o, page_to_pfn(page), why);
				return -EINVAL;
			}
		}
		if (n != zone->free_area[o].nr_free) {
			pr_err("buddy_check: zone %s order %u: %lu blocks listed, nr_free %lu\n",
			       zone->name, o, n, zone->free_area[o].nr_free);
			return -EINVAL;
		}
		pages += n << o;
	}
	if (pages != zone->free_pages || pages > zone->managed_pages) {
		pr_err("buddy_check: zone %s: %lu pages listed, free_pages %lu, managed %lu\n",
		       zone->name, pages, zone->free_pages, zone->managed_pages);
		return -EINVAL;
	}
	return 0;
}

/* What is wrong with entry @i of @p, this CPU's cache; NULL if nothing. */
static const char *check_pcp_page(const struct per_cpu_pages *p, unsigned int i, unsigned int cpu)
{
	const struct page *page = p->pages[i];
	unsigned long pfn = page_to_pfn(page);

	if (!pfn_valid(pfn))
		return "not RAM";
	if (page->flags != PG_pcp)
		return "flags are not PG_pcp alone";
	if (page->private != cpu)
		return "private names another CPU (in two caches?)";
	for (unsigned int j = 0; j < i; j++)
		if (p->pages[j] == page)
			return "listed twice";
	return NULL;
}

/* Check this CPU's cache; 0 or -EINVAL (printed). Interrupts off. */
static int pcp_check_local(void)
{
	const struct per_cpu_pages *p = this_cpu_ptr(&pcp);
	unsigned int cpu = smp_processor_id();

	if (p->count > PCP_HIGH) {
		pr_err("buddy_check: CPU %u page cache: count %u > high %u\n", cpu, p->count,
		       PCP_HIGH);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < p->count; i++) {
		const char *why = check_pcp_page(p, i, cpu);

		if (why) {
			pr_err("buddy_check: CPU %u page cache entry %u pfn %#lx: %s\n", cpu, i,
			       page_to_pfn(p->pages[i]), why);
			return -EINVAL;
		}
	}
	return 0;
}

static void pcp_check_ipi(void *arg)
{
	if (pcp_check_local())
		WRITE_ONCE(*(int *)arg, -EINVAL);
}

/* Every online CPU checks its own cache (only this one's with interrupts off). */
static int pcp_check_all(void)
{
	unsigned long flags;
	int err = 0;

	if (!irqs_disabled()) {
		on_each_cpu(pcp_check_ipi, &err, true);
		return READ_ONCE(err);
	}
	local_irq_save(flags);
	err = pcp_check_local();
	local_irq_restore(flags);
	return err;
}

/*
 * buddy_check - walk every free list and check flags, order, alignment,
 * zone, that no two free buddies stayed unmerged, and every count; then
 * every CPU's page cache (each entry RAM, PG_pcp naming that CPU, none
 * twice, count within high).
 * => Takes each zone lock in turn. O(free pages). With interrupts on, an IPI
 *    to every CPU; with them off, only this CPU's cache is checked.
 * Return: 0, or -EINVAL after printing the first problem.
 */
int buddy_check(void)
{
	unsigned long managed = 0, free = 0;
	unsigned int cpu;
	int err = 0;

	for (int z = 0; z < MAX_NR_ZONES && !err; z++) {
		spin_lock(&zones[z].lock);
		err = zone_check_locked(&zones[z]);
		managed += zones[z].managed_pages;
		free += zones[z].free_pages;
		spin_unlock(&zones[z].lock);
	}
	if (!err)
		err = pcp_check_all();
	for_each_possible_cpu(cpu) free += READ_ONCE(per_cpu(pcp, cpu).count);
	if (!err && free > managed) {
		pr_err("buddy_check: %lu pages free (buddy and CPU caches), %lu managed\n", free,
		       managed);
		err = -EINVAL;
	}
	if (!err && managed != totalram_pages) {
		pr_err("buddy_check: zones manage %lu pages, totalram_pages %lu\n", managed,
		       totalram_pages);
		err = -EINVAL;
	}
	return err;
}
