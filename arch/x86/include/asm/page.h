/*
 * Pages and address translation (LDD3's address kinds, seed 004):
 *  - physical addresses (phys_addr_t);
 *  - kernel logical addresses: the direct map, __va(phys) = phys + PAGE_OFFSET;
 *  - kernel virtual addresses: vmalloc/ioremap, translated only through the
 *    page tables (vmalloc_to_page / vmalloc_to_pfn), never with __pa().
 *
 * __pa()/__va() hold only for the direct map, __pa_symbol() only for the
 * kernel image. Invariants (seed 002): x1 < x2 => __va(x1) < __va(x2), and
 * __va(__pa(x)) == x for every x in the direct map.
 */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include "kernel/types.h"
#include "mm/memlayout.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGNED(x) (((unsigned long)(x) & (PAGE_SIZE - 1)) == 0)

#define PMD_SHIFT   21
#define PMD_SIZE    (1UL << PMD_SHIFT)
#define PUD_SHIFT   30
#define PUD_SIZE    (1UL << PUD_SHIFT)
#define PGDIR_SHIFT 39
#define PGDIR_SIZE  (1UL << PGDIR_SHIFT)

#define PHYS_PFN(x)   ((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_PHYS(pfn) ((phys_addr_t)(pfn) << PAGE_SHIFT)
#define PFN_UP(x)     (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)   ((x) >> PAGE_SHIFT)

extern unsigned long max_pfn; /* one past the highest usable RAM pfn */

#define __va(x)	       ((void *)((unsigned long)(x) + PAGE_OFFSET))
#define __pa(x)	       ((phys_addr_t)((unsigned long)(x)-PAGE_OFFSET))
#define __pa_symbol(x) ((phys_addr_t)((unsigned long)(x)-__START_KERNEL_map))

/* True when @x is a direct-map address backed by RAM the kernel knows. */
static inline bool virt_addr_valid(const void *x)
{
	unsigned long a = (unsigned long)x;

	return a >= PAGE_OFFSET && a - PAGE_OFFSET < (max_pfn << PAGE_SHIFT);
}

#endif /* ASM_PAGE_H */
