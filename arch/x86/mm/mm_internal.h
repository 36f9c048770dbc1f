/* What the files of arch/x86/mm share and nobody else may use. */
#ifndef ARCH_X86_MM_INTERNAL_H
#define ARCH_X86_MM_INTERNAL_H

#include "asm/pgtable.h"

/* A zeroed page-table page (memblock at boot, buddy after); NULL when out of memory. */
void *pgtable_alloc(void);
/* Give back a table from pgtable_alloc() that was never linked in (buddy only). */
void pgtable_free_unused(void *table);
/* Table page <-> physical address, valid before and after the CR3 switch. */
void *pgtable_va(phys_addr_t phys);
phys_addr_t pgtable_pa(const void *table);
/* paging_init() has switched to the final tables at page_offset_base. */
void pgtable_switched(void);

/* Pages of each size in the direct map (arch/x86/mm/init.c); splits move them down. */
extern unsigned long direct_pages_count[4];

#endif /* ARCH_X86_MM_INTERNAL_H */
