/*
 * The constants of the GDB helpers, computed by the compiler from the
 * kernel's own headers (Linux's asm-offsets trick, not its text): the
 * Makefile compiles this file with the kernel's CFLAGS to assembly, where
 * each CONTIG_CONST() leaves a line "@@contig NAME VALUE", and turns those
 * lines into build/gdb/contig/constants.py. So a changed flag, shift or base
 * reaches the helpers at the next build instead of silently breaking them.
 *
 * Only what DWARF does not carry belongs here: macros. Struct layouts and
 * enums are read from the ELF's debug information by gdb itself.
 */
#include "asm/page.h"
#include "asm/pgtable.h"
#include "lib/rbtree_augmented.h"
#include "mm/memlayout.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define CONTIG_CONST(name) \
	__asm__ __volatile__("\n.ascii \"@@contig " #name " %0\"" ::"i"((unsigned long)(name)))

void contig_gdb_constants(void);

void contig_gdb_constants(void)
{
	CONTIG_CONST(PAGE_SHIFT);
	CONTIG_CONST(PMD_SHIFT);
	CONTIG_CONST(PUD_SHIFT);
	CONTIG_CONST(PGDIR_SHIFT);
	CONTIG_CONST(PTRS_PER_TABLE);
	CONTIG_CONST(PTE_PFN_MASK);

	CONTIG_CONST(_PAGE_PRESENT);
	CONTIG_CONST(_PAGE_RW);
	CONTIG_CONST(_PAGE_USER);
	CONTIG_CONST(_PAGE_PWT);
	CONTIG_CONST(_PAGE_PCD);
	CONTIG_CONST(_PAGE_ACCESSED);
	CONTIG_CONST(_PAGE_DIRTY);
	CONTIG_CONST(_PAGE_PSE);
	CONTIG_CONST(_PAGE_GLOBAL);
	CONTIG_CONST(_PAGE_NX);

	CONTIG_CONST(__PAGE_OFFSET_BASE_DEFAULT);
	CONTIG_CONST(__VMALLOC_BASE_DEFAULT);
	CONTIG_CONST(__VMEMMAP_BASE_DEFAULT);
	CONTIG_CONST(DIRECT_MAP_SIZE);
	CONTIG_CONST(VMALLOC_SIZE);
	CONTIG_CONST(VMEMMAP_SIZE);
	CONTIG_CONST(__START_KERNEL_map);
	CONTIG_CONST(MODULES_VADDR);
	CONTIG_CONST(MODULES_END);

	CONTIG_CONST(MAX_ORDER);
	CONTIG_CONST(NR_PAGE_ORDERS);

	CONTIG_CONST(PG_reserved);
	CONTIG_CONST(PG_buddy);
	CONTIG_CONST(PG_slab);
	CONTIG_CONST(PG_head);
	CONTIG_CONST(PG_vmalloc);
	CONTIG_CONST(PG_pgtable);
	CONTIG_CONST(PG_tail);

	CONTIG_CONST(VM_IOREMAP);
	CONTIG_CONST(VM_ALLOC);
	CONTIG_CONST(VM_MAP);
	CONTIG_CONST(VM_UNINITIALIZED);
	CONTIG_CONST(VM_NO_GUARD);
	CONTIG_CONST(VM_EARLY);
	CONTIG_CONST(VM_DEFER_FREE);
	CONTIG_CONST(VM_FLUSH_RESET_PERMS);
	CONTIG_CONST(VM_MEMTYPE);
	CONTIG_CONST(VM_MAP_RAM);

	CONTIG_CONST(RB_RED);
	CONTIG_CONST(RB_BLACK);
}
