/*
 * memblock: the boot-time physical memory manager. It knows the usable RAM
 * (from the multiboot2 memory map) and the ranges reserved in it (the low
 * 1 MiB, the kernel image, the boot information, modules, and its own
 * allocations), serves early allocations until the buddy exists, and then
 * hands every range that is memory and not reserved to the buddy.
 */
#ifndef MM_MEMBLOCK_H
#define MM_MEMBLOCK_H

#include "kernel/types.h"

#define MEMBLOCK_MAX_REGIONS 128

struct memblock_region {
	phys_addr_t base;
	phys_addr_t size;
};

struct memblock_type {
	unsigned long cnt;
	const char *name;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

struct memblock {
	phys_addr_t current_limit; /* allocations stay below this */
	struct memblock_type memory;
	struct memblock_type reserved;
};

extern struct memblock memblock;

struct boot_info;

/*
 * Add every usable (type 1) range of @bi's memory map, page-aligned inwards,
 * set aside the AP trampoline's low pages, and reserve the first 1 MiB, the
 * kernel image, the multiboot2 information and every module. Problems are
 * printed; boot goes on with what is left.
 */
void memblock_setup(const struct boot_info *bi);

/*
 * Pages of usable RAM below 1 MiB that memblock_setup() sets aside for the
 * real-mode start-up code of the other CPUs (arch/x86/kernel/smpboot.c),
 * at memblock_trampoline_phys; 0 when the map had no such range.
 */
#define MEMBLOCK_TRAMPOLINE_PAGES 4
extern phys_addr_t memblock_trampoline_phys;

/* Add/reserve [base, base+size); regions are kept sorted and merged.
 * 0, -EINVAL (zero size, overflow), -ENOSPC (array full) or -EBUSY (after
 * memblock_free_all()); every refusal is printed. */
int memblock_add(phys_addr_t base, phys_addr_t size);
int memblock_reserve(phys_addr_t base, phys_addr_t size);
/* Undo a reservation (e.g. a failed early allocation): the whole range must
 * be reserved. 0, -EINVAL, -ENOSPC (a split needs a slot) or -EBUSY. */
int memblock_phys_free(phys_addr_t base, phys_addr_t size);

/* Allocate @size bytes aligned to @align, top-down below current_limit.
 * Returns the physical address, zeroing is the caller's business; 0 on failure. */
phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align);
void memblock_set_current_limit(phys_addr_t limit);

phys_addr_t memblock_start_of_DRAM(void);
phys_addr_t memblock_end_of_DRAM(void);
phys_addr_t memblock_phys_mem_size(void);
phys_addr_t memblock_reserved_size(void);
bool memblock_is_memory(phys_addr_t addr);
bool memblock_is_reserved(phys_addr_t addr);

/* Iterate over the free ranges (memory minus reserved), lowest first:
 * for (u64 i = 0; memblock_next_free(&i, &start, &end);) ... */
bool memblock_next_free(u64 *idx, phys_addr_t *start, phys_addr_t *end);
#define for_each_free_mem_range(i, start, end) for (u64 i = 0; memblock_next_free(&i, start, end);)

/* Hand every free range to the buddy; returns the number of pages. After
 * this memblock refuses allocations. */
unsigned long memblock_free_all(void);

/* What memblock_free_all() saw, for the self-tests: memory_pages counts the
 * whole pages of memory, reserved_pages those of them touched by a
 * reservation (counted independently of the hand-over), freed_pages what
 * went to the buddy; memory_pages - reserved_pages == freed_pages. */
struct memblock_handover {
	bool done;
	unsigned long memory_pages;
	unsigned long reserved_pages;
	unsigned long freed_pages;
	unsigned long nr_ranges;
};
extern struct memblock_handover memblock_handover;

void memblock_dump(void);

#endif /* MM_MEMBLOCK_H */
