/*
 * The buddy allocator: physical pages in blocks of 2^order, order 0 (4 KiB)
 * to MAX_ORDER (4 MiB).
 */
#ifndef MM_PAGE_ALLOC_H
#define MM_PAGE_ALLOC_H

#include "mm/gfp.h"
#include "mm/page.h"

#define MAX_ORDER      10 /* largest block: 2^10 pages = 4 MiB */
#define NR_PAGE_ORDERS (MAX_ORDER + 1)

extern unsigned long totalram_pages; /* pages handed to the buddy at boot */

/* Allocate 2^@order contiguous pages. Return the head page or NULL. */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
#define alloc_page(gfp) alloc_pages(gfp, 0)
/* Free a block; @order must be the order it was allocated with. */
void __free_pages(struct page *page, unsigned int order);
#define __free_page(page) __free_pages(page, 0)

/* The same, by direct-map address; 0 on failure. */
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
#define __get_free_page(gfp) __get_free_pages(gfp, 0)
unsigned long get_zeroed_page(gfp_t gfp);
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr) free_pages(addr, 0)

/* Free pages, in the buddy and in every CPU's page cache. */
unsigned long nr_free_pages(void);

/*
 * Per-CPU order-0 page cache (mm/page_alloc.c): refilled and drained
 * PCP_BATCH pages at a time, at most PCP_HIGH pages per CPU.
 */
#define PCP_BATCH 31
#define PCP_HIGH  (6 * PCP_BATCH)
/* Give this CPU's cached pages back to the buddy. Any context. */
void drain_local_pages(void);
/*
 * Give every CPU's cached pages back to the buddy (IPIs, waited for), e.g.
 * before reading the buddy lists' exact shape. With interrupts off: this CPU only.
 */
void drain_all_pages(void);

/* Bulk order-0 pages (vmalloc's pages array); see mm/page_alloc.c. */
void split_page(struct page *page, unsigned int order);
unsigned long alloc_pages_bulk_array(gfp_t gfp, unsigned long nr, struct page **pages);
void free_pages_bulk(unsigned long nr, struct page *const *pages);

/* Give the free range [start_pfn, end_pfn) to the buddy (memblock hand-over). */
void free_pages_range(unsigned long start_pfn, unsigned long end_pfn);

/* Counts of free blocks per order, as /proc/buddyinfo shows. */
void buddy_free_counts(unsigned long counts[NR_PAGE_ORDERS]);
void buddyinfo_dump(void);
void meminfo_dump(void);
/* Walk every free list and check the invariants; 0 or -EINVAL (with message). */
int buddy_check(void);

/*
 * Fault injection (after Linux's fail_page_alloc): fail the @nth page
 * allocation from now on (1 = the next one), @times times in a row
 * (0 = disabled). Allocations with __GFP_NOFAULT are not counted.
 */
void fail_page_alloc_set(unsigned long nth, unsigned long times);
extern unsigned long fail_page_alloc_injected; /* failures injected so far */

#endif /* MM_PAGE_ALLOC_H */
