/*
 * multiboot2 boot information: the tags GRUB hands the kernel, parsed with a
 * bounds check on every length against total_size, into struct boot_info.
 * Nothing outside kernel/multiboot2.c reads the raw tags.
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
	unsigned int nr_problems;	/* malformed items refused or repaired */
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

/* Print the memory map as Linux's e820 lines: "BIOS-e820: [mem 0x...-0x...] usable". */
void boot_mmap_dump(const struct boot_info *bi);
const char *boot_mmap_type_name(u32 type);

#endif /* KERNEL_MULTIBOOT2_H */
