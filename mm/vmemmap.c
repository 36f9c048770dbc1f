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
 *
 * pfn_valid() is O(1): vmemmap_init() also builds a bitmap with one bit per
 * pfn below max_pfn, set where memblock says RAM (pfn_valid_map; 32 KiB per
 * GiB of address space up to max_pfn, 160 KiB for the 4G layout's 5 GiB).
 * Until then, or if memblock cannot give that much, it asks memblock (a
 * binary search), which answers the same by construction.
 */
#include "asm/pgtable.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/memblock.h"
#include "mm/page.h"

#define MAP_BITS (8 * sizeof(unsigned long))

unsigned long vmemmap_pages;		 /* pages backing the array */
static unsigned long *pfn_valid_map;	 /* [H] bit n: pfn n is RAM; NULL before vmemmap_init */
static unsigned long pfn_valid_map_pfns; /* [H] pfns the map covers (max_pfn when built) */

bool pfn_valid(unsigned long pfn)
{
	if (pfn >= max_pfn)
		return false;
	if (likely(pfn < pfn_valid_map_pfns))
		return (pfn_valid_map[pfn / MAP_BITS] >> (pfn % MAP_BITS)) & 1;
	return memblock_is_memory(PFN_PHYS(pfn));
}

/* Set the bits of pfns [first, end) in @map, a word at a time in the middle. */
static void map_set_range(unsigned long *map, unsigned long first, unsigned long end)
{
	for (; first < end && first % MAP_BITS; first++)
		map[first / MAP_BITS] |= 1UL << (first % MAP_BITS);
	for (; first + MAP_BITS <= end; first += MAP_BITS)
		map[first / MAP_BITS] = ~0UL;
	for (; first < end; first++)
		map[first / MAP_BITS] |= 1UL << (first % MAP_BITS);
}

/*
 * Build pfn_valid_map from memblock's memory regions: pfn p is RAM iff its
 * first byte PFN_PHYS(p) lies in a region, as memblock_is_memory() says.
 */
static void pfn_valid_map_init(void)
{
	unsigned long words = DIV_ROUND_UP(max_pfn, MAP_BITS);
	phys_addr_t phys = memblock_phys_alloc(words * sizeof(unsigned long), PAGE_SIZE);
	unsigned long *map;

	if (!phys) {
		pr_warn("vmemmap: no memory for a %lu-byte pfn_valid bitmap; pfn_valid() searches memblock\n",
			words * sizeof(unsigned long));
		return;
	}
	map = __va(phys);
	memset(map, 0, words * sizeof(unsigned long));
	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];
		unsigned long first = DIV_ROUND_UP(r->base, PAGE_SIZE);
		unsigned long end = min(DIV_ROUND_UP(r->base + r->size, PAGE_SIZE), max_pfn);

		if (first < end)
			map_set_range(map, first, end);
	}
	pfn_valid_map = map;
	WRITE_ONCE(pfn_valid_map_pfns, max_pfn);
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
	pfn_valid_map_init();
	pr_info("vmemmap: struct page is %zu bytes; %lu pages (%lu KiB) back the array at %#lx\n",
		sizeof(struct page), vmemmap_pages, vmemmap_pages * 4, vmemmap_base);
}
