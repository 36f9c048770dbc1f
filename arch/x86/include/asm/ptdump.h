/*
 * Page-table dump (arch/x86/mm/ptdump.c): walk init_pgd and report the
 * address space as runs of pages with the same attributes, in the format of
 * Linux's x86 dump_pagetables, under the headings of the region table:
 *
 *   ---[ vmalloc ]---
 *   0xffffc20000000000-0xffffc20000004000          16K     RW                 GLB NX pte
 *   0xffffc20000004000-0xffffc20000005000           4K                               pte
 */
#ifndef ASM_PTDUMP_H
#define ASM_PTDUMP_H

#include "asm/pgtable.h"

/* Levels as ptdump names them; PTDUMP_PTE is the deepest. */
enum ptdump_level {
	PTDUMP_PGD,
	PTDUMP_PUD,
	PTDUMP_PMD,
	PTDUMP_PTE
};

/* One run of pages with equal attributes, all inside one region. */
struct ptdump_range {
	unsigned long start;
	unsigned long last;	 /* inclusive: the run may end at the top of memory */
	pgprot_t prot;		 /* shown bits of the leaf entry; 0 when not present */
	enum ptdump_level level; /* level of the leaf, or where the walk found nothing */
	const char *region;	 /* heading: a mem_regions name, "hole" or "user space" */
};

typedef void (*ptdump_fn)(const struct ptdump_range *r, void *data);

/*
 * ptdump_walk_ranges - call @fn for every run in [start, end), lowest first.
 * => @end is exclusive; 0 means the top of the address space. Both are
 *    rounded out to pages. The non-canonical hole is skipped.
 * => Runs are split where the region changes, so each carries one heading.
 * => Reads init_pgd only; mappings must not change during the walk.
 */
void ptdump_walk_ranges(unsigned long start, unsigned long end, ptdump_fn fn, void *data);

/* Print [start, end) as Linux's dump_pagetables does (headings included). */
void ptdump_walk(unsigned long start, unsigned long end);

/* Format @r as one dump line (no newline) into @buf. Returns the length. */
int ptdump_format_range(char *buf, size_t len, const struct ptdump_range *r);
/* Print a size as the dump does: the largest unit that divides it ("16K", "2M", "1T"). */
int ptdump_format_size(char *buf, size_t len, unsigned long bytes);

/* True when @addr is canonical (bits 63..47 all equal). */
static inline bool ptdump_addr_canonical(unsigned long addr)
{
	return ((long)(addr << 16) >> 16) == (long)addr;
}

/* Print the walk of @addr through all four levels, entry by entry. */
void ptdump_show_walk(unsigned long addr);

/* What the W+X check found. */
struct ptdump_wx {
	unsigned long wx_pages;	   /* pages mapped both writable and executable */
	unsigned long alias_pages; /* executable pages whose direct-map alias is writable */
	unsigned long first_wx;	   /* the lowest W+X page, when wx_pages */
	unsigned long first_alias; /* the lowest writable alias, when alias_pages */
};

/*
 * ptdump_count_wx - count the insecure pages of every mapping into *@wx
 * => A page is W+X when its entries at all levels together leave it
 *    writable and executable; an alias is counted when an executable page
 *    (image, module, any vm area) has a writable direct-map mapping of its
 *    frame.
 * => With @report, one "x86/mm: Found ..." warning per run found.
 * => Reads init_pgd only, as ptdump_walk_ranges().
 */
void ptdump_count_wx(struct ptdump_wx *wx, bool report);

/*
 * ptdump_check_wx - Linux's DEBUG_WX check: ptdump_count_wx() with reports,
 * then "x86/mm: Checked W+X mappings: passed, ..." or "FAILED, N W+X pages
 * found." (N counts the writable aliases too). Return: N.
 */
unsigned long ptdump_check_wx(void);

#endif /* ASM_PTDUMP_H */
