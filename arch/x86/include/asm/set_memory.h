/*
 * The permission API (arch/x86/mm/set_memory.c), with Linux's names: change
 * the protection of whole pages of a vmalloc, vmap, ioremap or module area.
 *
 *	set_memory_ro	clear RW	set_memory_rw	set RW
 *	set_memory_nx	set NX		set_memory_x	clear NX
 *	set_memory_rox	clear RW and NX at once (a module's text)
 *
 * ro, rw and rox also change the RW bit of each RAM page's direct-map alias
 * (splitting a large direct-map page where needed), so a read-only page is
 * read-only at both addresses.
 *
 * Executable kernel mappings outside the image are made only through these:
 * vmalloc() and vmap() map RAM NX, and set_memory_x()/_rox() is the one way
 * to clear it. The W+X checker (ptdump_check_wx()) reports a page left both
 * writable and executable.
 */
#ifndef ASM_SET_MEMORY_H
#define ASM_SET_MEMORY_H

/*
 * set_memory_ro/rw/nx/x/rox - change the protection of @numpages pages at @addr
 *  => @addr is page aligned, and [addr, addr + numpages pages) lies inside
 *     the mapped pages of ONE busy vm area (its guard page excluded), each
 *     mapped by a 4 KiB pte (vmalloc_huge's 2 MiB leaves are refused).
 *     Anything else, a direct-map address above all, is refused with one
 *     message naming the operation and the range: -EINVAL, and nothing
 *     has changed.
 *  => ro/rox/rw: the direct-map alias of each RAM page in the range gets
 *     the same RW bit (frames of the kernel image excepted). A large
 *     direct-map page over an alias is split first; no memory for that
 *     table: -ENOMEM, and no right has changed.
 *  => @numpages 0 is a no-op (0); a negative count is refused.
 *  => Return: 0 with every pte of the range changed and the TLB flushed for
 *     the range before the call returns, and the area marked
 *     VM_FLUSH_RESET_PERMS, so its vfree() or vunmap() flushes at once.
 *  => The area stays its owner's: it must not be freed during the call.
 *     Not from interrupt context (takes the vmalloc busy-tree lock).
 */
int set_memory_ro(unsigned long addr, int numpages);
int set_memory_rw(unsigned long addr, int numpages);
int set_memory_nx(unsigned long addr, int numpages);
int set_memory_x(unsigned long addr, int numpages);
int set_memory_rox(unsigned long addr, int numpages);

/*
 * set_memory_reset_aliases - before [start, end) of a VM_FLUSH_RESET_PERMS
 * area is unmapped: its executable ptes become NX (flushed), then every
 * direct-map alias of its pages is RW again (flushed)
 *  => For mm/vmalloc.c's unmap; the ptes must still be mapped.
 */
void set_memory_reset_aliases(unsigned long start, unsigned long end);

#endif /* ASM_SET_MEMORY_H */
