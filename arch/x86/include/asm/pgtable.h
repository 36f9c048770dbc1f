/*
 * x86-64 4-level page tables: pgd (PML4) -> pud (PDPT) -> pmd (PD) -> pte (PT).
 *
 *  63  62..52 51.............12 11..9 8 7   6 5 4   3   2  1  0
 *  NX  avail  physical frame    avail G PS  D A PCD PWT US RW P
 *             (PS=1 in a pmd/pud: 2 MiB / 1 GiB leaf; in a pte bit 7 is PAT)
 *
 * Every table is one page. All kernel mappings share the one kernel pgd, so
 * there is nothing to synchronise between address spaces.
 */
#ifndef ASM_PGTABLE_H
#define ASM_PGTABLE_H

#include "asm/page.h"
#include "asm/tlbflush.h"

typedef u64 pgd_t;
typedef u64 pud_t;
typedef u64 pmd_t;
typedef u64 pte_t;
typedef u64 pgprot_t;

#define _PAGE_PRESENT	(1UL << 0)
#define _PAGE_RW	(1UL << 1)
#define _PAGE_USER	(1UL << 2)
#define _PAGE_PWT	(1UL << 3)
#define _PAGE_PCD	(1UL << 4)
#define _PAGE_ACCESSED	(1UL << 5)
#define _PAGE_DIRTY	(1UL << 6)
#define _PAGE_PSE	(1UL << 7)  /* pmd/pud: large page */
#define _PAGE_PAT	(1UL << 7)  /* pte: PAT index bit 2 */
#define _PAGE_PAT_LARGE (1UL << 12) /* pmd/pud leaf: PAT index bit 2 (bit 7 is PSE) */
#define _PAGE_GLOBAL	(1UL << 8)
#define _PAGE_NX	(1UL << 63)

#define PTE_PFN_MASK   0x000ffffffffff000UL
#define PTE_FLAGS_MASK (~PTE_PFN_MASK)
#define PTRS_PER_TABLE 512

/*
 * Cache modes come from the PAT, which cpu_init() programs as
 * index 0 WB, 1 WC, 2 UC-, 3 UC (and again for 4..7): so PWT selects WC
 * and PWT|PCD selects UC.
 */
#define _PAGE_CACHE_WC _PAGE_PWT
#define _PAGE_CACHE_UC (_PAGE_PWT | _PAGE_PCD)

#define __PAGE_KERNEL_BASE  (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL)
#define PAGE_KERNEL	    (__PAGE_KERNEL_BASE | _PAGE_RW | _PAGE_DIRTY | _PAGE_NX)
#define PAGE_KERNEL_RO	    (__PAGE_KERNEL_BASE | _PAGE_NX)
#define PAGE_KERNEL_EXEC    (__PAGE_KERNEL_BASE | _PAGE_RW | _PAGE_DIRTY)
#define PAGE_KERNEL_RX	    (__PAGE_KERNEL_BASE)
#define PAGE_KERNEL_NOCACHE (PAGE_KERNEL | _PAGE_CACHE_UC)
#define PAGE_KERNEL_WC	    (PAGE_KERNEL | _PAGE_CACHE_WC)
/* Table entries pointing to a lower table: permissive, the leaf decides. */
#define _KERNPG_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

#define pgd_index(a) (((a) >> PGDIR_SHIFT) & 511)
#define pud_index(a) (((a) >> PUD_SHIFT) & 511)
#define pmd_index(a) (((a) >> PMD_SHIFT) & 511)
#define pte_index(a) (((a) >> PAGE_SHIFT) & 511)

/* Levels reported by lookup_address(). */
enum pg_level {
	PG_LEVEL_NONE,
	PG_LEVEL_4K,
	PG_LEVEL_2M,
	PG_LEVEL_1G,
	PG_LEVEL_512G
};

/* The kernel's top-level table (virtual address in the direct map). */
extern pgd_t *init_pgd;

/*
 * The four levels, top first, and the one table of their facts, which every
 * walker uses (the map/unmap loops, pt_walk(), ptdump): what one entry maps
 * (1 << shift bytes), how many entries a table has, the name dumps print.
 */
enum pt_level {
	PT_PGD,
	PT_PUD,
	PT_PMD,
	PT_PTE,
	PT_LEVELS
};

struct pt_level_info {
	unsigned int shift;
	unsigned int entries;
	const char *name;
};

extern const struct pt_level_info pt_levels[PT_LEVELS];

static inline unsigned long pt_level_size(enum pt_level level)
{
	return 1UL << pt_levels[level].shift;
}

/* The slot of @addr in a table of @level. */
static inline unsigned int pt_index(unsigned long addr, enum pt_level level)
{
	return (addr >> pt_levels[level].shift) & (pt_levels[level].entries - 1);
}

/* A present @entry of @level maps memory itself (a pte, or PS in a pud/pmd). */
static inline bool pt_entry_leaf(u64 entry, enum pt_level level)
{
	return level == PT_PTE || (level != PT_PGD && (entry & _PAGE_PSE));
}

/* lookup_address()'s name for a walk that stopped at @level: PT_PTE is PG_LEVEL_4K. */
static inline enum pg_level pt_pg_level(enum pt_level level)
{
	return (enum pg_level)(PT_LEVELS - level);
}

/*
 * pt_walk - the entry of init_pgd's tables for @addr at @level, or above it
 *  => Walks down from the pgd and stops early at an entry that is not
 *     present or is a leaf (a 1 GiB / 2 MiB page); *@stopped says where.
 *     The entry returned is then the one for @addr at *@stopped.
 *  => Never allocates, never fails; reads through pgtable_va(), so it works
 *     before and after paging_init()'s switch. No lock (kernel tables are
 *     never freed).
 */
u64 *pt_walk(unsigned long addr, enum pt_level level, enum pt_level *stopped);

/*
 * Kernel page-table operations (arch/x86/mm/pgtable.c). Tables below the pgd
 * are allocated on demand: from memblock during boot, from the buddy after.
 */

/* Map @pages[0..] at [addr, end) with @prot. On failure every PTE this call
 * set is cleared again, the range is as before, and -ENOMEM is returned.
 * Both mappers map RAM NX whatever @prot says (only set_memory_x() makes
 * it executable). */
struct page;
int vmap_pages_range(unsigned long addr, unsigned long end, pgprot_t prot, struct page **pages);
/* Map the physically contiguous [phys, phys + end - addr) at [addr, end). */
int vmap_range(unsigned long addr, unsigned long end, phys_addr_t phys, pgprot_t prot);
/*
 * The same, also with large leaves where @huge (VMAP_HUGE_*) allows them:
 * each 2 MiB (1 GiB) block of [addr, end) that is aligned, wholly inside,
 * and backed by physically contiguous, aligned memory gets one pmd (pud)
 * leaf; 1 GiB only on a CPU with pdpe1gb. The rest gets 4 KiB PTEs.
 */
#define VMAP_HUGE_PMD 0x1u
#define VMAP_HUGE_PUD 0x2u
int vmap_pages_range_huge(unsigned long addr, unsigned long end, pgprot_t prot, struct page **pages,
			  unsigned int huge);
int vmap_range_huge(unsigned long addr, unsigned long end, phys_addr_t phys, pgprot_t prot,
		    unsigned int huge);
/* Clear the PTEs of [addr, end); no TLB flush (the caller batches it). Large
 * leaves go when [addr, end) covers them whole (else a WARN keeps them). */
void vunmap_range_noflush(unsigned long addr, unsigned long end);
/* Clear the PTEs of [addr, end) and flush the TLB for that range. */
void vunmap_range(unsigned long addr, unsigned long end);

/* The leaf entry mapping @addr and its level, or NULL when unmapped (pt_walk() to PT_PTE). */
pte_t *lookup_address(unsigned long addr, enum pg_level *level);

/* TLB flushes, this CPU's and every CPU's: asm/tlbflush.h (included above). */

/* Boot: build the final kernel tables and switch to them (arch/x86/mm/init.c). */
void paging_init(void);
/* From now on page-table pages come from the buddy, not memblock. */
void pgtable_use_buddy(void);

/* Counters for dumps and benchmarks. */
struct pgtable_stats {
	unsigned long flush_single; /* invlpg instructions issued */
	unsigned long flush_ranges; /* ranges flushed page by page */
	unsigned long flush_all;    /* full flushes (CR4.PGE toggle) */
	unsigned long pt_pages;	    /* table pages allocated */
	unsigned long pmd_leaves;   /* 2 MiB leaves set by the vmap mappers */
	unsigned long pud_leaves;   /* 1 GiB leaves set by the vmap mappers */
};
extern struct pgtable_stats pgtable_stats;

#endif /* ASM_PGTABLE_H */
