/*
 * The kernel's virtual address space (4-level paging, 48-bit addresses).
 *
 *   0xffff810000000000 +--------------------------+ page_offset_base
 *                      | direct map of all RAM    |  64 TiB  __va()/__pa()
 *   0xffffc10000000000 +--------------------------+
 *                      | hole (catches overruns)  |   1 TiB
 *   0xffffc20000000000 +--------------------------+ vmalloc_base = VMALLOC_START
 *                      | vmalloc / ioremap        |  32 TiB
 *   0xffffe1ffffffffff +--------------------------+ VMALLOC_END (last byte)
 *   0xffffe20000000000 +--------------------------+
 *                      | guard hole (never mapped)|   1 TiB  stops overruns of vmalloc
 *   0xffffe30000000000 +--------------------------+ vmemmap_base
 *                      | struct page array        |   1 TiB  backed only where RAM is
 *                      +--------------------------+
 *                      |   ...                    |
 *   0xffffffff80000000 +--------------------------+ __START_KERNEL_map
 *                      | kernel image             | 512 MiB  __pa_symbol()
 *   0xffffffffa0000000 +--------------------------+ MODULES_VADDR
 *                      | modules (vmalloc-managed)| ~1.5 GiB
 *   0xffffffffff000000 +--------------------------+ MODULES_END (exclusive)
 *                      | fixmap                   | FIXADDR_START..FIXADDR_TOP
 *
 * The three bases are variables, as with Linux's DYNAMIC_MEMORY_LAYOUT, so
 * that memory-region randomisation can move them at boot; their order never
 * changes, nor do the sizes but vmalloc's (vmalloc=SIZE sets vmalloc_range_size).
 * Ends written *_END are exclusive unless named "last".
 *
 * The guard hole after vmalloc is Linux's unused hole before vmemmap: an
 * area at the very top of vmalloc space (VM_NO_GUARD has no guard page)
 * must fault one byte past its end instead of reading struct page 0. The
 * randomised layout keeps at least VMALLOC_GUARD_HOLE_MIN of it.
 */
#ifndef MM_MEMLAYOUT_H
#define MM_MEMLAYOUT_H

#include "kernel/types.h"

#define __PAGE_OFFSET_BASE_DEFAULT 0xffff810000000000UL
#define __VMALLOC_BASE_DEFAULT	   0xffffc20000000000UL
#define __VMEMMAP_BASE_DEFAULT	   0xffffe30000000000UL

#define DIRECT_MAP_SIZE (64UL << 40)
#define VMALLOC_SIZE	(32UL << 40) /* the default of vmalloc_range_size */
/* vmalloc= below this is refused: the early areas (VGA screen) and the boot's own
 * vmallocs (IST stacks, slab-backed tables, the self-tests) take a few MiB. */
#define VMALLOC_SIZE_MIN (16UL << 20)
#define VMEMMAP_SIZE	 (1UL << 40)

/* The unmapped hole between VMALLOC_END and vmemmap: 1 TiB by default, one
 * PUD (1 GiB) at least when randomised. */
#define VMALLOC_GUARD_HOLE     (__VMEMMAP_BASE_DEFAULT - __VMALLOC_BASE_DEFAULT - VMALLOC_SIZE)
#define VMALLOC_GUARD_HOLE_MIN (1UL << 30)

extern unsigned long page_offset_base;
extern unsigned long vmalloc_base;
extern unsigned long vmemmap_base;
/* The size of the vmalloc area: VMALLOC_SIZE, or vmalloc=SIZE (vmalloc_set_size()). */
extern unsigned long vmalloc_range_size;
/* The direct map's reach: DIRECT_MAP_SIZE, or RAM + padding when randomised. */
extern unsigned long direct_map_size;
extern bool memory_randomized;

/* Move the three bases at random, keeping their order (arch/x86/mm/kaslr.c). */
void kernel_randomize_memory(void);
/* The placement it uses, for a direct map of @dm_size bytes and draws from @random:
 * bases[] = { direct map, vmalloc, vmemmap }, with the guard hole after vmalloc.
 * Returns 0, or -EINVAL (bases[] untouched) when the regions do not fit or @dm_size is
 * not PUD-aligned. */
int kaslr_place_regions(unsigned long dm_size, u64 (*random)(void), unsigned long bases[3]);

/*
 * vmalloc_set_size - vmalloc=@size, before kernel_randomize_memory() and paging_init()
 *  => 0 with vmalloc_range_size = @size when [vmalloc_base, +@size) holds the early areas
 *     (VMALLOC_SIZE_MIN) and leaves VMALLOC_GUARD_HOLE_MIN before vmemmap.
 *  => -EINVAL otherwise, with one line naming vmalloc, the region it would run
 *     into and their ranges; vmalloc_range_size is kept (mm/layout.c).
 */
int vmalloc_set_size(unsigned long size);

#define PAGE_OFFSET   page_offset_base
#define VMALLOC_START vmalloc_base
/* The last byte of the vmalloc area, as in Linux (seed 000: 0xffffe1ffffffffff). */
#define VMALLOC_END   (vmalloc_base + vmalloc_range_size - 1)
#define VMEMMAP_START vmemmap_base

#define __START_KERNEL_map 0xffffffff80000000UL
#define KERNEL_IMAGE_SIZE  (512UL << 20)
#define MODULES_VADDR	   (__START_KERNEL_map + KERNEL_IMAGE_SIZE)
#define MODULES_END	   0xffffffffff000000UL
#define MODULES_LEN	   (MODULES_END - MODULES_VADDR)

_Static_assert(VMALLOC_GUARD_HOLE >= VMALLOC_GUARD_HOLE_MIN,
	       "the default layout has no guard hole between vmalloc and vmemmap");
_Static_assert(__VMEMMAP_BASE_DEFAULT + VMEMMAP_SIZE <= __START_KERNEL_map,
	       "the default vmemmap runs into the kernel image");

/* Fixmap: compile-time slots, one page each, growing down from FIXADDR_TOP. */
enum fixed_addresses {
	FIX_HOLE, /* the unmapped page below FIXADDR_TOP; slots come with their users */
	__end_of_fixed_addresses
};
#define FIXADDR_TOP	 0xffffffffff7ff000UL
#define FIXADDR_SIZE	 ((unsigned long)__end_of_fixed_addresses << 12)
#define FIXADDR_START	 (FIXADDR_TOP - FIXADDR_SIZE)
#define __fix_to_virt(x) (FIXADDR_TOP - ((unsigned long)(x) << 12))

/* One region of the layout table that the boot dump, checks and GDB share. */
struct mem_region {
	const char *name;
	unsigned long start;
	unsigned long end; /* exclusive */
};

#endif /* MM_MEMLAYOUT_H */
