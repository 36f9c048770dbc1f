/*
 * The struct page array (seed 000): one struct page per page frame, at
 * vmemmap_base + pfn * sizeof(struct page). Only the parts that describe
 * RAM are backed: for every memblock memory region, the pages of the array
 * that hold its struct pages are allocated from memblock and mapped; holes
 * in physical memory cost no memory here, and pfn_to_page() stays plain
 * arithmetic because the array is virtually contiguous.
 *
 * Every struct page starts PG_reserved; memblock_free_all() later hands the
 * free ones to the buddy.
 */
#include "asm/pgtable.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/memblock.h"
#include "mm/page.h"

unsigned long vmemmap_pages; /* pages backing the array */

bool pfn_valid(unsigned long pfn)
{
	return pfn < max_pfn && memblock_is_memory(PFN_PHYS(pfn));
}

/* Back [start, end) of the array with zeroed pages where it is not yet mapped. */
static void vmemmap_populate(unsigned long start, unsigned long end)
{
	enum pg_level level;

	for (unsigned long va = start; va < end; va += PAGE_SIZE) {
		phys_addr_t phys;

		if (lookup_address(va, &level))
			continue; /* shared with the previous region */
		phys = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);
		if (!phys)
			panic("vmemmap: out of memory backing %#lx", va);
		if (vmap_range(va, va + PAGE_SIZE, phys, PAGE_KERNEL))
			panic("vmemmap: cannot map %#lx", va);
		vmemmap_pages++;
	}
}

void vmemmap_init(void)
{
	BUILD_BUG_ON(PAGE_SIZE % sizeof(unsigned long));
	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		unsigned long start = (unsigned long)pfn_to_page(PHYS_PFN(r->base));
		unsigned long end = (unsigned long)pfn_to_page(PHYS_PFN(r->base + r->size));

		start &= PAGE_MASK;
		end = PAGE_ALIGN(end);
		vmemmap_populate(start, end);
		/* Every struct page wholly on these pages, RAM or hole, starts reserved. */
		for (unsigned long pfn = DIV_ROUND_UP(start - vmemmap_base, sizeof(struct page));
		     pfn < (end - vmemmap_base) / sizeof(struct page); pfn++) {
			struct page *p = pfn_to_page(pfn);

			memset(p, 0, sizeof(*p));
			p->flags = PG_reserved;
		}
	}
	pr_info("vmemmap: struct page is %zu bytes; %lu pages (%lu KiB) back the array at %#lx\n",
		sizeof(struct page), vmemmap_pages, vmemmap_pages * 4, vmemmap_base);
}
