/*
 * Memory types of mapped physical ranges (arch/x86/mm/memtype.c): every
 * ioremap() reserves its range with the cache mode its PTEs select, so that
 * no two live mappings of one physical byte disagree on it.
 */
#ifndef ASM_MEMTYPE_H
#define ASM_MEMTYPE_H

#include "asm/pgtable.h"
#include "kernel/types.h"

/* Cache modes, in the order of the PAT entries cpu.c programs (0-3). */
enum memtype {
	MEMTYPE_WB,
	MEMTYPE_WC,
	MEMTYPE_UC_MINUS,
	MEMTYPE_UC,
	NR_MEMTYPES
};

/* The mode a 4 KiB PTE with @prot selects (PWT and PCD; PAT entries 4-7 repeat 0-3). */
enum memtype memtype_of_prot(pgprot_t prot);
/* "write-back", "write-combining", "uncached-minus", "uncached". */
const char *memtype_name(enum memtype type);

/*
 * memtype_reserve - record that [start, end) is mapped with @type
 *  => Refused with -EBUSY and a message naming both ranges and both types
 *     when a live reservation overlapping it has another type; an identical
 *     reservation is counted, an overlapping one of the same type is allowed.
 *  => -ENOMEM (with a message) when no entry can be allocated; -EINVAL for
 *     an empty range. @op and @caller name the mapper in the messages.
 *  => Takes memtype_lock; may allocate (GFP_KERNEL).
 */
int memtype_reserve(phys_addr_t start, phys_addr_t end, enum memtype type, const char *op,
		    const void *caller);
/*
 * memtype_free - drop one reference of the reservation of exactly [start, end)
 *  => A range that was not reserved is refused with a message (-EINVAL).
 */
int memtype_free(phys_addr_t start, phys_addr_t end);
/* References held on exactly [start, end) (0: none); for tests. */
unsigned int memtype_refs(phys_addr_t start, phys_addr_t end);
/* Live reservations (entries, not references); for tests. */
unsigned long memtype_nr_entries(void);

#endif /* ASM_MEMTYPE_H */
