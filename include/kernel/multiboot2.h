/*
 * multiboot2 boot information: the tags GRUB hands the kernel, parsed with a
 * bounds check on every length against total_size, into struct boot_info.
 * Nothing outside kernel/multiboot2.c, kernel/boot_mmap.c and kernel/efi.c
 * reads the raw tags.
 */
#ifndef KERNEL_MULTIBOOT2_H
#define KERNEL_MULTIBOOT2_H

#include "kernel/types.h"

#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36d76289u

/* Memory types, as multiboot2 (and e820) number them. */
#define MB2_MEMORY_AVAILABLE	    1
#define MB2_MEMORY_RESERVED	    2
#define MB2_MEMORY_ACPI_RECLAIMABLE 3
#define MB2_MEMORY_NVS		    4
#define MB2_MEMORY_BADRAM	    5

#define BOOT_MMAP_MAX	     128
#define BOOT_MODULES_MAX     16
#define BOOT_CMDLINE_MAX     512
#define BOOT_LOADER_NAME_MAX 64
#define BOOT_EFI_MMAP_MAX    256

/* Framebuffer types of tag 8: GRUB leaves an EGA text screen only under BIOS. */
#define MB2_FB_TYPE_INDEXED  0
#define MB2_FB_TYPE_RGB	     1
#define MB2_FB_TYPE_EGA_TEXT 2

/* EFI memory types (UEFI 2.x, EFI_MEMORY_TYPE), as the EFI memory map tag has them. */
#define EFI_RESERVED_TYPE	  0
#define EFI_LOADER_CODE		  1
#define EFI_LOADER_DATA		  2
#define EFI_BOOT_SERVICES_CODE	  3
#define EFI_BOOT_SERVICES_DATA	  4
#define EFI_RUNTIME_SERVICES_CODE 5
#define EFI_RUNTIME_SERVICES_DATA 6
#define EFI_CONVENTIONAL_MEMORY	  7
#define EFI_UNUSABLE_MEMORY	  8
#define EFI_ACPI_RECLAIM_MEMORY	  9
#define EFI_ACPI_MEMORY_NVS	  10
#define EFI_MEMORY_MAPPED_IO	  11
#define EFI_MEMORY_MAPPED_IO_PORT 12
#define EFI_PAL_CODE		  13
#define EFI_PERSISTENT_MEMORY	  14
#define EFI_UNACCEPTED_MEMORY	  15
#define EFI_PAGE_SHIFT		  12

struct boot_mmap_entry {
	u64 addr;
	u64 len;
	u32 type;
};

struct boot_module {
	u32 start;
	u32 end; /* exclusive */
	char name[32];
};

struct boot_framebuffer {
	u64 addr;
	u32 pitch, width, height;
	u8 bpp, type;
};

/* One EFI memory descriptor, checked: start page-aligned, pages > 0, no wrap. */
struct boot_efi_mmap_entry {
	u64 start;
	u64 pages; /* of 4 KiB */
	u64 attr;  /* EFI_MEMORY_UC ... EFI_MEMORY_RUNTIME bits */
	u32 type;  /* EFI_CONVENTIONAL_MEMORY ... */
};

/* What the EFI tags said (GRUB passes them when it booted under UEFI). */
struct boot_efi {
	bool has_systab; /* tag 12 */
	u64 systab;	 /* physical address of the EFI64 system table */
	bool has_mmap;	 /* tag 17, accepted */
	u32 desc_size, desc_version;
	unsigned int nr_mmap; /* descriptors kept, sorted by start */
	struct boot_efi_mmap_entry mmap[BOOT_EFI_MMAP_MAX];
	unsigned int nr_conflicts; /* ranges reserved by EFI but usable in the mb2 map */
	u64 usable_only_in_efi;	   /* bytes usable per EFI that the mb2 map does not offer */
};

struct boot_info {
	phys_addr_t mbi_phys; /* where the raw information lies */
	u32 mbi_size;	      /* its total_size */
	char cmdline[BOOT_CMDLINE_MAX];
	char loader_name[BOOT_LOADER_NAME_MAX];
	unsigned int nr_mmap; /* after sanitising: sorted, no overlaps, no empty entries */
	struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
	unsigned int nr_modules;
	struct boot_module modules[BOOT_MODULES_MAX];
	bool has_framebuffer;
	struct boot_framebuffer fb;
	phys_addr_t rsdp_phys;		/* 0 when no ACPI tag; address of the copy inside the mbi */
	u8 rsdp_revision;		/* 1 = ACPI 1.0 tag (14), 2 = new (15) */
	u32 mem_lower_kb, mem_upper_kb; /* basic meminfo tag, when present */
	struct boot_efi efi;
	unsigned int nr_problems; /* malformed items refused or repaired */
};

extern struct boot_info boot_info;

/*
 * multiboot2_parse - parse the boot information at @mbi (mapped, readable for
 * at least @avail bytes) into @bi.
 *
 * => Every tag is checked against total_size and @avail before it is read;
 *    a tag that runs past the end, a bad size or misalignment stops the walk
 *    with a message; what was parsed before is kept.
 * => The memory map is sanitised: zero-length entries dropped, overlaps
 *    resolved in favour of the more restrictive type, entries sorted.
 * Return: 0, or -EINVAL when the information is unusable (bad header, no
 *    memory map): the message says why.
 */
int multiboot2_parse(const void *mbi, size_t avail, phys_addr_t mbi_phys, struct boot_info *bi);

/*
 * boot_mmap_dump - print the memory map as Linux's e820 lines,
 * "BIOS-e820: [mem 0x...-0x...] usable", then, when GRUB passed them, the EFI
 * system table and the EFI memory map ("efi: [mem 0x...-0x...] Conventional
 * Memory WB|WT|WC|UC", neighbours of one type and attribute merged) and the
 * result of the cross-check between the two maps.
 */
void boot_mmap_dump(const struct boot_info *bi);
const char *boot_mmap_type_name(u32 type);
/* The UEFI name of an EFI memory type ("Conventional Memory"), "unknown" past 15. */
const char *efi_mem_type_name(u32 type);

/*
 * boot_has_text_screen - did the boot loader leave an EGA text screen?
 * => True only with a framebuffer tag of type MB2_FB_TYPE_EGA_TEXT (GRUB under
 *    BIOS). Under UEFI GRUB leaves a graphics mode (type RGB) or nothing.
 */
bool boot_has_text_screen(const struct boot_info *bi);

#endif /* KERNEL_MULTIBOOT2_H */
