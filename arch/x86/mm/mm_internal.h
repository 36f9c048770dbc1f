/* What the files of arch/x86/mm share and nobody else may use. */
#ifndef ARCH_X86_MM_INTERNAL_H
#define ARCH_X86_MM_INTERNAL_H

#include "asm/pgtable.h"

/* A zeroed page-table page (memblock at boot, buddy after); NULL when out of memory. */
void *pgtable_alloc(void);
/* Table page <-> physical address, valid before and after the CR3 switch. */
void *pgtable_va(phys_addr_t phys);
phys_addr_t pgtable_pa(const void *table);
/* paging_init() has switched to the final tables at page_offset_base. */
void pgtable_switched(void);

#endif /* ARCH_X86_MM_INTERNAL_H */
