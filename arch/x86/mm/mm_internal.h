/* What the files of arch/x86/mm share and nobody else may use. */
#ifndef ARCH_X86_MM_INTERNAL_H
#define ARCH_X86_MM_INTERNAL_H

#include "asm/pgtable.h"

/* A zeroed page-table page (memblock at boot, buddy after); NULL when out of memory. */
void *pgtable_alloc(void);

#endif /* ARCH_X86_MM_INTERNAL_H */
