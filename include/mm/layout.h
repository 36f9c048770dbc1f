/* The kernel's region table and the boot layout dump (mm/layout.c). */
#ifndef MM_LAYOUT_H
#define MM_LAYOUT_H

#include "mm/memlayout.h"

enum mem_region_id {
	REGION_DIRECT_MAP,
	REGION_VMALLOC,
	REGION_GUARD_HOLE, /* never mapped: nothing in vmalloc runs into vmemmap */
	REGION_VMEMMAP,
	REGION_KERNEL,
	REGION_MODULES,
	REGION_FIXMAP,
	NR_MEM_REGIONS
};

/* Filled by layout_init() from the (possibly randomised) bases. */
extern struct mem_region mem_regions[NR_MEM_REGIONS];

void layout_init(void);
/* Print "Virtual kernel memory layout:", the image sections and the RAM size. */
void layout_dump(void);
/* Check that no two of @n regions overlap and none is empty; messages name them.
 * Returns 0 or -1. */
int layout_check(const struct mem_region *r, int n);
/* Check that VMALLOC_GUARD_HOLE_MIN or more lies between @vmalloc_end (the last
 * byte of vmalloc) and @vmemmap_start; a message names both. Returns 0 or -1. */
int layout_check_guard_hole(unsigned long vmalloc_end, unsigned long vmemmap_start);

#endif /* MM_LAYOUT_H */
