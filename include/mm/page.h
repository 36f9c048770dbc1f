/*
 * struct page: one per physical page frame, in the virtually contiguous
 * vmemmap array at VMEMMAP_START (seed 000). Only the parts of the array that
 * describe real RAM are backed by pages, so pfn_to_page() and page_to_pfn()
 * are plain arithmetic and holes cost nothing.
 *
 * Kept small: flags, a list link, and one word whose meaning depends on who
 * owns the page (see the PG_ flags).
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include "asm/page.h"
#include "lib/list.h"

struct kmem_cache;

struct page {
	unsigned long flags; /* PG_* bits; see below */
	union {
		struct list_head lru;	    /* PG_buddy: free_area[order] list */
		struct list_head slab_list; /* PG_slab: cache's partial/full/free list */
	};
	union {
		unsigned long private;	       /* PG_buddy: order of the free block;
					 * PG_tail: pfn of the block's head;
					 * PG_pcp: the CPU whose cache holds it */
		struct kmem_cache *slab_cache; /* PG_slab: owning cache */
	};
	unsigned int order;	 /* PG_head: order it was allocated with */
	unsigned short inuse;	 /* PG_slab: objects allocated */
	unsigned short freelist; /* PG_slab: index of the first free object */
};

/* 40 bytes: 102.4 per 4 KiB page of vmemmap, 1% of RAM. Grow it knowingly. */
_Static_assert(sizeof(struct page) == 40, "struct page must stay 40 bytes");

/* Page flags. */
#define PG_reserved (1UL << 0) /* never given to the buddy (holes, image, boot data) */
#define PG_buddy    (1UL << 1) /* head of a free buddy block; ->private = order */
#define PG_slab	    (1UL << 2) /* owned by a slab cache */
#define PG_head	    (1UL << 3) /* head of an allocated block; ->order = its order */
#define PG_vmalloc  (1UL << 4) /* mapped into a vmalloc area (diagnostics) */
#define PG_pgtable  (1UL << 5) /* a page-table page */
#define PG_tail	    (1UL << 6) /* an allocated page that is not the head of its block */
#define PG_pcp	    (1UL << 7) /* free, order 0, in a CPU's page cache; ->private = CPU */

#define vmemmap		   ((struct page *)vmemmap_base)
#define pfn_to_page(pfn)   (vmemmap + (pfn))
#define page_to_pfn(page)  ((unsigned long)((page)-vmemmap))
#define page_to_phys(page) PFN_PHYS(page_to_pfn(page))
#define phys_to_page(phys) pfn_to_page(PHYS_PFN(phys))
#define page_to_virt(page) __va(page_to_phys(page))
#define page_address(page) page_to_virt(page)
#define virt_to_page(addr) pfn_to_page(PHYS_PFN(__pa(addr)))
#define virt_to_pfn(addr)  PHYS_PFN(__pa(addr))

/* True when @pfn is RAM that has a struct page (mm/vmemmap.c). O(1) after vmemmap_init(). */
bool pfn_valid(unsigned long pfn);
/* Map and initialise the struct page array for all RAM (boot, after paging_init). */
void vmemmap_init(void);

#endif /* MM_PAGE_H */
