/*
 * What kernel/multiboot2.c, kernel/boot_mmap.c and kernel/efi.c share and
 * nobody else may use (only the .c files of kernel/ and the host test include
 * it): the state of one walk over the tags, the way a problem is reported,
 * the raw layouts more than one of them reads, and the calls between them,
 * among them those on the memory map scratch list that kernel/boot_mmap.c
 * owns and the EFI cross-check adds to.
 *
 * The *_parse_tag() functions take a tag the walker has already checked to
 * lie inside the information: [off, off + size) within w->limit, size >= 8.
 * Context: boot time, one caller at a time (static scratch space).
 */
#ifndef KERNEL_BOOT_INTERNAL_H
#define KERNEL_BOOT_INTERNAL_H

#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

#define MB2_MMAP_ENTRY_MIN 24 /* the version 0 entry */

struct mb2_tag {
	u32 type;
	u32 size;
};

struct mb2_mmap_entry {
	u64 addr;
	u64 len;
	u32 type;
	u32 reserved;
};

BUILD_BUG_ON(sizeof(struct mb2_mmap_entry) != MB2_MMAP_ENTRY_MIN);

/* Refuse or repair something malformed: one warning line, one count. */
#define mb2_problem(bi, fmt, ...)            \
	do {                                 \
		pr_warn(fmt, ##__VA_ARGS__); \
		(bi)->nr_problems++;         \
	} while (0)

/* The state of one walk over the tags. */
struct mb2_walk {
	const u8 *base;	  /* the information, readable for limit bytes */
	u32 limit;	  /* total_size, already checked against avail */
	phys_addr_t phys; /* physical address of base */
	struct boot_info *bi;
	bool have_mmap;
	u32 cmdline_off, cmdline_size; /* the last command line tag; size 0: none */
};

/* One raw memory map entry in the scratch list that kernel/boot_mmap.c keeps. */
struct mmap_range {
	u64 start;
	u64 end; /* exclusive; start < end */
	u32 type;
	u32 index; /* position in the tag, for messages; MMAP_FROM_EFI: added by the cross-check */
};

#define MMAP_FROM_EFI (1u << 31)

/*
 * Room for every multiboot2 entry and, after them, one reservation per kept
 * EFI descriptor: a firmware range must never be dropped for lack of space,
 * or the usable entry it overlaps would stay usable.
 */
#define MMAP_RAW_MAX (BOOT_MMAP_MAX + BOOT_EFI_MMAP_MAX)

/* kernel/boot_mmap.c */

/* Empty the scratch list; => called once per multiboot2_parse(), before the walk. */
void boot_mmap_reset(void);
/* Tag 6: => each entry goes to the scratch list; a second tag is a problem, ignored. */
void boot_mmap_parse_tag(struct mb2_walk *w, u32 off, u32 size);
/* => Adds @e to the scratch list, or reports why not (@index: as for struct mmap_range). */
void boot_mmap_add_raw(struct boot_info *bi, const struct mb2_mmap_entry *e, u32 index);
/* => The first raw usable entry that overlaps [start, end), or NULL. */
const struct mmap_range *boot_mmap_raw_usable_overlap(u64 start, u64 end);
/* => Sorts and sweeps the scratch list into bi->mmap[], reporting overlaps. */
void boot_mmap_sanitise(struct boot_info *bi);
/* => The e820 name of @type, or "type N" written into @buf (@size bytes). */
const char *boot_mmap_type_str(u32 type, char *buf, size_t size);

/* kernel/efi.c */

/* Tag 12: => sets bi->efi.systab, or reports a NULL or misaligned pointer. */
void efi_parse_systab_tag(struct mb2_walk *w, u32 off, u32 size);
/* Tag 17: => keeps the good descriptors in bi->efi.mmap[], sorted by start. */
void efi_parse_mmap_tag(struct mb2_walk *w, u32 off, u32 size);
/* => Adds to the scratch list, as reserved, each firmware range it calls usable. */
void efi_reserve_conflicts(struct boot_info *bi);
/* => Counts efi.usable_only_in_efi against the sanitised bi->mmap[]. */
void efi_count_usable_only_in_efi(struct boot_info *bi);
/* => Prints the system table line and the EFI memory map, those that exist. */
void efi_dump(const struct boot_efi *efi);

#endif /* KERNEL_BOOT_INTERNAL_H */
