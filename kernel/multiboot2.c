/*
 * multiboot2 boot information: walk the tags GRUB leaves in memory and copy
 * what the kernel needs into struct boot_info. This file is the only reader of
 * the raw tags; their layouts below are private to it.
 *
 * Layout of the information (multiboot2 specification, all fields little endian):
 *
 *	+0  u32 total_size   (header included)
 *	+4  u32 reserved
 *	+8  tag: u32 type, u32 size (header included), payload, padding to 8
 *	    tag ...
 *	    end tag: type 0, size 8
 *
 * Invariants of the walk:
 *  - no byte outside [mbi, mbi + total_size) is read, and total_size <= avail;
 *  - every tag header and every tag body is checked to lie inside total_size
 *    before its first byte is read; fields are copied out with memcpy, so
 *    a badly aligned field never becomes an unaligned load;
 *  - something malformed is refused (or repaired) with one warning line, and
 *    bi->nr_problems counts it; parsing goes on where that is safe.
 *
 * The memory map is sanitised the way e820 maps are: empty and overflowing
 * entries are dropped, overlaps are resolved in favour of the more restrictive
 * type, equal neighbours merge and the result is sorted by address. Merging
 * touching neighbours and sorting are normal work, not problems.
 *
 * Under UEFI GRUB also passes the EFI system table (tag 12) and the firmware's
 * own memory map (tag 17), taken at ExitBootServices(). Its descriptors are
 * checked one by one and then cross-checked against the multiboot2 map: a
 * range the firmware keeps (runtime services, ACPI, MMIO, reserved) that the
 * multiboot2 map calls usable is added to the map as reserved before the
 * sweep, so the kernel never hands firmware memory to the allocators.
 *
 * GRUB quotes the command line it passes for a Linux-style parser; when GRUB
 * is the loader that quoting is undone (mb2_unquote_grub()), so the kernel
 * sees the line as written in grub.cfg.
 */
#define pr_fmt(fmt) "multiboot2: " fmt

#include "kernel/compiler.h"
#include "kernel/errno.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/sort.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

#define MB2_TAG_END	      0
#define MB2_TAG_CMDLINE	      1
#define MB2_TAG_LOADER_NAME   2
#define MB2_TAG_MODULE	      3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP	      6
#define MB2_TAG_FRAMEBUFFER   8
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_EFI64	      12
#define MB2_TAG_ACPI_NEW      15
#define MB2_TAG_EFI_MMAP      17

#define MB2_TAG_ALIGN	   8
#define MB2_MIN_TOTAL_SIZE 16 /* the fixed header plus an end tag */
#define MB2_MMAP_ENTRY_MIN 24 /* the version 0 entry */

struct mb2_info_header {
	u32 total_size;
	u32 reserved;
};

struct mb2_tag {
	u32 type;
	u32 size;
};

/* Tags 1 and 2 are a header followed by a NUL-terminated string. */

struct mb2_tag_module {
	struct mb2_tag tag;
	u32 mod_start;
	u32 mod_end;
	/* followed by the NUL-terminated command line of the module */
};

struct mb2_tag_basic_meminfo {
	struct mb2_tag tag;
	u32 mem_lower;
	u32 mem_upper;
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	u32 entry_size;
	u32 entry_version;
	/* followed by entries of entry_size bytes each */
};

struct mb2_mmap_entry {
	u64 addr;
	u64 len;
	u32 type;
	u32 reserved;
};

/* The common part of tag 8; the colour information that follows is not used. */
struct mb2_tag_framebuffer {
	struct mb2_tag tag;
	u64 addr;
	u32 pitch;
	u32 width;
	u32 height;
	u8 bpp;
	u8 type;
} __packed;

/* Tags 14 and 15 carry a copy of the ACPI RSDP: 20 bytes (1.0) or 36 (2.0+). */
struct acpi_rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt_addr;
} __packed;

#define ACPI_RSDP_V1_SIZE 20
#define ACPI_RSDP_V2_SIZE 36

/* Tag 12: the physical address of the EFI64 system table. */
struct mb2_tag_efi64 {
	struct mb2_tag tag;
	u64 pointer;
};

/* Tag 17: the EFI memory map, descriptors of descr_size bytes each. */
struct mb2_tag_efi_mmap {
	struct mb2_tag tag;
	u32 descr_size;
	u32 descr_vers;
	/* followed by the descriptors */
};

/* EFI_MEMORY_DESCRIPTOR, version 1; firmware may use a larger descr_size. */
struct efi_memory_desc {
	u32 type;
	u32 pad;
	u64 phys_start;
	u64 virt_start;
	u64 num_pages;
	u64 attribute;
};

#define EFI_MEMORY_DESCRIPTOR_VERSION 1

BUILD_BUG_ON(sizeof(struct mb2_mmap_entry) != MB2_MMAP_ENTRY_MIN);
BUILD_BUG_ON(sizeof(struct mb2_tag_efi64) != 16);
BUILD_BUG_ON(sizeof(struct mb2_tag_efi_mmap) != 16);
BUILD_BUG_ON(sizeof(struct efi_memory_desc) != 40);
BUILD_BUG_ON(sizeof(struct mb2_tag_mmap) != 16);
BUILD_BUG_ON(sizeof(struct mb2_tag_framebuffer) != 30);
BUILD_BUG_ON(sizeof(struct acpi_rsdp) != ACPI_RSDP_V1_SIZE);

struct boot_info boot_info;

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

/*
 * Memory map scratch: the raw entries as read, then the boundary points of
 * the sweep that sanitises them. Static to keep multi-KiB arrays off the boot
 * stack; multiboot2_parse() is a boot-time function with one caller at a time.
 */
struct mmap_range {
	u64 start;
	u64 end; /* exclusive; start < end */
	u32 type;
	u32 index; /* position in the tag, for messages; MMAP_FROM_EFI: added by the cross-check */
};

#define MMAP_FROM_EFI (1u << 31)

struct mmap_point {
	u64 addr;
	u16 range; /* index into raw[] */
	bool is_start;
};

/*
 * Room for every multiboot2 entry and, after them, one reservation per kept
 * EFI descriptor: a firmware range must never be dropped for lack of space,
 * or the usable entry it overlaps would stay usable.
 */
#define MMAP_RAW_MAX (BOOT_MMAP_MAX + BOOT_EFI_MMAP_MAX)

static struct {
	unsigned int nr_raw;
	struct mmap_range raw[MMAP_RAW_MAX];
	struct mmap_point points[2 * MMAP_RAW_MAX];
	bool active[MMAP_RAW_MAX];
} mmap_scratch;

static const char *mmap_known_name(u32 type)
{
	switch (type) {
	case MB2_MEMORY_AVAILABLE:
		return "usable";
	case MB2_MEMORY_RESERVED:
		return "reserved";
	case MB2_MEMORY_ACPI_RECLAIMABLE:
		return "ACPI data";
	case MB2_MEMORY_NVS:
		return "ACPI NVS";
	case MB2_MEMORY_BADRAM:
		return "unusable";
	default:
		return NULL;
	}
}

/* The e820 name of @type, or "type N" written into @buf. */
static const char *mmap_type_str(u32 type, char *buf, size_t size)
{
	const char *name = mmap_known_name(type);

	if (name)
		return name;
	snprintf(buf, size, "type %u", type);
	return buf;
}

/*
 * boot_mmap_type_name - the e820 name of a memory type.
 *
 * => Returns a static string: "usable", "reserved", "ACPI data", "ACPI NVS",
 *    "unusable" for types 1-5 and "unknown" for any other type (the dump and
 *    the messages print those as "type N").
 */
const char *boot_mmap_type_name(u32 type)
{
	const char *name = mmap_known_name(type);

	return name ? name : "unknown";
}

static u64 efi_end(const struct boot_efi_mmap_entry *e)
{
	return e->start + (e->pages << EFI_PAGE_SHIFT);
}

static const char *const efi_type_names[] = {
	[EFI_RESERVED_TYPE] = "Reserved",
	[EFI_LOADER_CODE] = "Loader Code",
	[EFI_LOADER_DATA] = "Loader Data",
	[EFI_BOOT_SERVICES_CODE] = "Boot Services Code",
	[EFI_BOOT_SERVICES_DATA] = "Boot Services Data",
	[EFI_RUNTIME_SERVICES_CODE] = "Runtime Services Code",
	[EFI_RUNTIME_SERVICES_DATA] = "Runtime Services Data",
	[EFI_CONVENTIONAL_MEMORY] = "Conventional Memory",
	[EFI_UNUSABLE_MEMORY] = "Unusable Memory",
	[EFI_ACPI_RECLAIM_MEMORY] = "ACPI Reclaim Memory",
	[EFI_ACPI_MEMORY_NVS] = "ACPI Memory NVS",
	[EFI_MEMORY_MAPPED_IO] = "MMIO",
	[EFI_MEMORY_MAPPED_IO_PORT] = "MMIO Port Space",
	[EFI_PAL_CODE] = "PAL Code",
	[EFI_PERSISTENT_MEMORY] = "Persistent Memory",
	[EFI_UNACCEPTED_MEMORY] = "Unaccepted Memory",
};

/* efi_mem_type_name - see include/kernel/multiboot2.h. */
const char *efi_mem_type_name(u32 type)
{
	return type < ARRAY_SIZE(efi_type_names) ? efi_type_names[type] : "unknown";
}

/* The EFI_MEMORY_* attribute bits, lowest first, and the runtime bit (63). */
static const char *const efi_attr_names[] = { "UC", "WC", "WT", "WB", "UCE", NULL, NULL,
					      NULL, NULL, NULL, NULL, NULL,  "WP", "RP",
					      "XP", "NV", "MR", "RO", "SP",  "CC" };

/* "RUNTIME|XP|WB|WT|WC|UC": highest bit first, as Linux prints them; unnamed bits as 0x... */
static const char *efi_attr_str(u64 attr, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (attr & (1ULL << 63))
		n += snprintf(buf + n, size - n, "RUNTIME");
	for (int bit = ARRAY_SIZE(efi_attr_names) - 1; bit >= 0; bit--) {
		if (!(attr & (1ULL << bit)) || !efi_attr_names[bit])
			continue;
		n += snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "|" : "",
			      efi_attr_names[bit]);
	}
	attr &= ~(1ULL << 63);
	for (unsigned int bit = 0; bit < ARRAY_SIZE(efi_attr_names); bit++)
		if (efi_attr_names[bit])
			attr &= ~(1ULL << bit);
	if (attr && n < size)
		snprintf(buf + n, size - n, "%s0x%llx", n ? "|" : "", (unsigned long long)attr);
	return buf;
}

/*
 * The dump merges touching descriptors of one attribute and one class: the
 * type, except that boot services code and data (dozens of alternating
 * descriptors under OVMF, all free RAM after ExitBootServices) are one class.
 */
static u32 efi_dump_class(u32 type)
{
	return type == EFI_BOOT_SERVICES_DATA ? EFI_BOOT_SERVICES_CODE : type;
}

/* Print one run of @nr touching descriptors from @e to @end; @mixed: code and data. */
static void efi_mmap_dump_run(const struct boot_efi_mmap_entry *e, u64 end, unsigned int nr,
			      bool mixed)
{
	char attr[96];

	printk(KERN_INFO "efi: [mem 0x%016llx-0x%016llx] %-23s %s", (unsigned long long)e->start,
	       (unsigned long long)end - 1,
	       mixed ? "Boot Services Code+Data" : efi_mem_type_name(e->type),
	       efi_attr_str(e->attr, attr, sizeof(attr)));
	if (nr > 1)
		printk(KERN_CONT " (%u descriptors)", nr);
	printk(KERN_CONT "\n");
}

/* Where the system table lies in the EFI map: it should be runtime data. */
static void efi_systab_dump(const struct boot_efi *efi)
{
	const char *where = "outside the EFI memory map";

	for (unsigned int i = 0; i < efi->nr_mmap; i++)
		if (efi->systab >= efi->mmap[i].start && efi->systab < efi_end(&efi->mmap[i]))
			where = efi_mem_type_name(efi->mmap[i].type);
	printk(KERN_INFO "efi: EFI64 system table at 0x%llx (%s)\n",
	       (unsigned long long)efi->systab, where);
}

/* The EFI memory map, touching neighbours of one class and attribute merged. */
static void efi_mmap_dump(const struct boot_efi *efi)
{
	unsigned int i = 0;

	printk(KERN_INFO "efi: memory map: %u descriptors of %u bytes (version %u)\n", efi->nr_mmap,
	       efi->desc_size, efi->desc_version);
	while (i < efi->nr_mmap) {
		const struct boot_efi_mmap_entry *first = &efi->mmap[i];
		u64 end = efi_end(first);
		unsigned int nr = 1;
		bool mixed = false;

		for (i++; i < efi->nr_mmap; i++, nr++) {
			const struct boot_efi_mmap_entry *e = &efi->mmap[i];

			if (e->start != end || e->attr != first->attr ||
			    efi_dump_class(e->type) != efi_dump_class(first->type))
				break;
			mixed |= e->type != first->type;
			end = efi_end(e);
		}
		efi_mmap_dump_run(first, end, nr, mixed);
	}
	printk(KERN_INFO
	       "efi: cross-check with the multiboot2 map: %u firmware ranges were usable there (now reserved), %llu KiB usable only in the EFI map\n",
	       efi->nr_conflicts, (unsigned long long)efi->usable_only_in_efi >> 10);
}

/* boot_has_text_screen - see include/kernel/multiboot2.h. */
bool boot_has_text_screen(const struct boot_info *bi)
{
	return bi->has_framebuffer && bi->fb.type == MB2_FB_TYPE_EGA_TEXT;
}

/*
 * boot_mmap_dump - print the sanitised memory map, one Linux e820 line per
 * entry: "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable"
 * (start and inclusive end).
 */
void boot_mmap_dump(const struct boot_info *bi)
{
	char buf[16];

	for (unsigned int i = 0; i < bi->nr_mmap; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];

		printk(KERN_INFO "BIOS-e820: [mem 0x%016llx-0x%016llx] %s\n",
		       (unsigned long long)e->addr, (unsigned long long)(e->addr + e->len - 1),
		       mmap_type_str(e->type, buf, sizeof(buf)));
	}
	if (bi->efi.has_systab)
		efi_systab_dump(&bi->efi);
	if (bi->efi.has_mmap)
		efi_mmap_dump(&bi->efi);
}

/*
 * The more restrictive of two types wins an overlap: anything beats 1
 * (usable); among the others the higher number wins.
 */
static u64 mmap_type_rank(u32 type)
{
	return type == MB2_MEMORY_AVAILABLE ? 0 : (u64)type + 1;
}

/* Copy a string tag body [p, p+size) into @dst; false if it is unterminated. */
static bool mb2_copy_string(struct boot_info *bi, const char *what, const u8 *p, u32 size,
			    char *dst, size_t dst_size)
{
	size_t len = strnlen((const char *)p, size);

	if (len == size) {
		mb2_problem(bi, "%s tag is not NUL-terminated within its %u bytes, refused\n", what,
			    size);
		return false;
	}
	if (len >= dst_size) {
		mb2_problem(bi, "%s is %zu characters long, truncated to %zu\n", what, len,
			    dst_size - 1);
		len = dst_size - 1;
	}
	memcpy(dst, p, len);
	dst[len] = '\0';
	return true;
}

/*
 * GRUB builds the command line from the words of its multiboot2 command for a
 * Linux-style parser (grub_create_loader_cmdline()): a backslash before each
 * \, ' and ", and double quotes around a word that holds a space. Undo it:
 * drop the unescaped double quotes, keep the character after a backslash.
 * Writes at most @dst_size - 1 bytes and a NUL; returns the full decoded
 * length, so that a result >= @dst_size means it was truncated.
 */
static size_t mb2_unquote_grub(const char *src, size_t len, char *dst, size_t dst_size)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = src[i];

		if (c == '"')
			continue;
		if (c == '\\' && i + 1 < len && strchr("\\'\"", src[i + 1]))
			c = src[++i];
		if (n + 1 < dst_size)
			dst[n] = c;
		n++;
	}
	dst[min(n, dst_size - 1)] = '\0';
	return n;
}

/* The command line tag, read after the walk: the quoting depends on the loader. */
static void mb2_parse_cmdline(struct mb2_walk *w)
{
	struct boot_info *bi = w->bi;
	const char *p = (const char *)w->base + w->cmdline_off + sizeof(struct mb2_tag);
	u32 size = w->cmdline_size - sizeof(struct mb2_tag);
	size_t len = strnlen(p, size), n;

	if (strncmp(bi->loader_name, "GRUB", 4) != 0) {
		mb2_copy_string(bi, "command line", (const u8 *)p, size, bi->cmdline,
				sizeof(bi->cmdline));
		return;
	}
	if (len == size) {
		mb2_problem(bi,
			    "command line tag is not NUL-terminated within its %u bytes, refused\n",
			    size);
		return;
	}
	n = mb2_unquote_grub(p, len, bi->cmdline, sizeof(bi->cmdline));
	if (n >= sizeof(bi->cmdline))
		mb2_problem(bi, "command line is %zu characters long, truncated to %zu\n", n,
			    sizeof(bi->cmdline) - 1);
}

static void mb2_parse_loader_name(struct mb2_walk *w, u32 off, u32 size)
{
	struct boot_info *bi = w->bi;

	mb2_copy_string(bi, "boot loader name", w->base + off + sizeof(struct mb2_tag),
			size - sizeof(struct mb2_tag), bi->loader_name, sizeof(bi->loader_name));
}

static void mb2_parse_module(struct mb2_walk *w, u32 off, u32 size)
{
	struct boot_info *bi = w->bi;
	struct mb2_tag_module tag;
	struct boot_module *m;
	const char *name;
	size_t len;

	if (size < sizeof(tag) + 1) {
		mb2_problem(bi, "module tag of %u bytes is too small (at least %zu), refused\n",
			    size, sizeof(tag) + 1);
		return;
	}
	memcpy(&tag, w->base + off, sizeof(tag));
	name = (const char *)w->base + off + sizeof(tag);
	len = strnlen(name, size - sizeof(tag));
	if (len == size - sizeof(tag)) {
		mb2_problem(bi, "module tag at 0x%x is not NUL-terminated, refused\n",
			    tag.mod_start);
		return;
	}
	if (tag.mod_end < tag.mod_start) {
		mb2_problem(bi, "module [0x%x-0x%x) ends before it starts, refused\n",
			    tag.mod_start, tag.mod_end);
		return;
	}
	if (bi->nr_modules == BOOT_MODULES_MAX) {
		mb2_problem(bi, "more than %d modules, module [0x%x-0x%x) ignored\n",
			    BOOT_MODULES_MAX, tag.mod_start, tag.mod_end);
		return;
	}
	m = &bi->modules[bi->nr_modules++];
	m->start = tag.mod_start;
	m->end = tag.mod_end;
	len = min(len, sizeof(m->name) - 1);
	memcpy(m->name, name, len);
	m->name[len] = '\0';
}

static void mb2_parse_basic_meminfo(struct mb2_walk *w, u32 off, u32 size)
{
	struct mb2_tag_basic_meminfo tag;

	if (size < sizeof(tag)) {
		mb2_problem(w->bi, "basic meminfo tag of %u bytes is too small (%zu), refused\n",
			    size, sizeof(tag));
		return;
	}
	memcpy(&tag, w->base + off, sizeof(tag));
	w->bi->mem_lower_kb = tag.mem_lower;
	w->bi->mem_upper_kb = tag.mem_upper;
}

static void mb2_parse_framebuffer(struct mb2_walk *w, u32 off, u32 size)
{
	struct boot_info *bi = w->bi;
	struct mb2_tag_framebuffer tag;

	if (size < sizeof(tag)) {
		mb2_problem(bi, "framebuffer tag of %u bytes is too small (%zu), refused\n", size,
			    sizeof(tag));
		return;
	}
	memcpy(&tag, w->base + off, sizeof(tag));
	bi->has_framebuffer = true;
	bi->fb.addr = tag.addr;
	bi->fb.pitch = tag.pitch;
	bi->fb.width = tag.width;
	bi->fb.height = tag.height;
	bi->fb.bpp = tag.bpp;
	bi->fb.type = tag.type;
}

static u8 acpi_checksum(const u8 *p, size_t len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

/* Tag 14 (revision 1) or 15 (revision 2): remember where the RSDP copy lies. */
static void mb2_parse_acpi(struct mb2_walk *w, u32 off, u32 size, u8 revision)
{
	struct boot_info *bi = w->bi;
	size_t need = revision == 1 ? ACPI_RSDP_V1_SIZE : ACPI_RSDP_V2_SIZE;
	u32 rsdp_off = off + sizeof(struct mb2_tag);
	const u8 *rsdp = w->base + rsdp_off;

	if (size - sizeof(struct mb2_tag) < need) {
		mb2_problem(bi, "ACPI %s RSDP tag of %u bytes is too small (%zu), refused\n",
			    revision == 1 ? "1.0" : "2.0", size, need + sizeof(struct mb2_tag));
		return;
	}
	if (memcmp(rsdp, "RSD PTR ", 8) != 0) {
		mb2_problem(bi,
			    "ACPI RSDP copy at offset %u has no \"RSD PTR \" signature, refused\n",
			    rsdp_off);
		return;
	}
	if (acpi_checksum(rsdp, ACPI_RSDP_V1_SIZE) != 0) {
		mb2_problem(bi, "ACPI RSDP copy at offset %u has a bad checksum, refused\n",
			    rsdp_off);
		return;
	}
	/* The 2.0 RSDP (tag 15) is preferred whatever the order of the tags. */
	if (bi->rsdp_revision > revision)
		return;
	bi->rsdp_phys = w->phys + rsdp_off;
	bi->rsdp_revision = revision;
}

static void mb2_parse_efi64(struct mb2_walk *w, u32 off, u32 size)
{
	struct boot_info *bi = w->bi;
	struct mb2_tag_efi64 tag;

	if (size < sizeof(tag)) {
		mb2_problem(bi, "EFI64 system table tag of %u bytes is too small (%zu), refused\n",
			    size, sizeof(tag));
		return;
	}
	memcpy(&tag, w->base + off, sizeof(tag));
	if (tag.pointer == 0 || !IS_ALIGNED(tag.pointer, 8)) {
		mb2_problem(bi, "EFI64 system table pointer 0x%llx is %s, refused\n",
			    (unsigned long long)tag.pointer, tag.pointer ? "misaligned" : "NULL");
		return;
	}
	bi->efi.has_systab = true;
	bi->efi.systab = tag.pointer;
}

/* Check one EFI descriptor and keep it, or drop it with a message. */
static void efi_mmap_add(struct boot_info *bi, const struct efi_memory_desc *d, u32 index)
{
	struct boot_efi_mmap_entry *e;
	u64 max_pages = (~0ULL - d->phys_start) >> EFI_PAGE_SHIFT;

	if (d->num_pages == 0 || !IS_ALIGNED(d->phys_start, 1ULL << EFI_PAGE_SHIFT) ||
	    d->num_pages > max_pages) {
		mb2_problem(bi,
			    "EFI memory descriptor %u: %llu pages at 0x%llx (%s) is %s, dropped\n",
			    index, (unsigned long long)d->num_pages,
			    (unsigned long long)d->phys_start, efi_mem_type_name(d->type),
			    d->num_pages == 0	       ? "empty"
			    : d->num_pages > max_pages ? "past the end of the address space"
						       : "not page-aligned");
		return;
	}
	if (bi->efi.nr_mmap == BOOT_EFI_MMAP_MAX) {
		mb2_problem(bi,
			    "EFI memory descriptor %u at 0x%llx is beyond the first %d, dropped\n",
			    index, (unsigned long long)d->phys_start, BOOT_EFI_MMAP_MAX);
		return;
	}
	e = &bi->efi.mmap[bi->efi.nr_mmap++];
	e->start = d->phys_start;
	e->pages = d->num_pages;
	e->attr = d->attribute;
	e->type = d->type;
}

/* The tag as a whole: sizes first; a bad one refuses every descriptor. */
static bool efi_mmap_tag_ok(struct boot_info *bi, const struct mb2_tag_efi_mmap *tag)
{
	u32 body = tag->tag.size - sizeof(*tag);

	if (tag->descr_size < sizeof(struct efi_memory_desc)) {
		mb2_problem(
			bi,
			"EFI memory map descriptor size %u is below the %zu of EFI_MEMORY_DESCRIPTOR, tag refused\n",
			tag->descr_size, sizeof(struct efi_memory_desc));
		return false;
	}
	if (body % tag->descr_size) {
		mb2_problem(
			bi,
			"EFI memory map of %u bytes is not a multiple of its descriptor size %u, tag refused\n",
			body, tag->descr_size);
		return false;
	}
	if (body == 0) {
		mb2_problem(bi, "EFI memory map tag holds no descriptors, refused\n");
		return false;
	}
	if (tag->descr_vers != EFI_MEMORY_DESCRIPTOR_VERSION)
		pr_warn("EFI memory map descriptor version %u (expected %d), reading the version %d fields\n",
			tag->descr_vers, EFI_MEMORY_DESCRIPTOR_VERSION,
			EFI_MEMORY_DESCRIPTOR_VERSION);
	return true;
}

static int efi_cmp_start(const void *a, const void *b)
{
	u64 x = ((const struct boot_efi_mmap_entry *)a)->start;
	u64 y = ((const struct boot_efi_mmap_entry *)b)->start;

	return x < y ? -1 : x > y;
}

/* Sort the kept descriptors by start (stable: equal starts keep firmware order). */
static void efi_mmap_sort(struct boot_efi *efi)
{
	sort_small(efi->mmap, efi->nr_mmap, sizeof(efi->mmap[0]), efi_cmp_start);
}

/* Descriptors must not overlap: say so for each pair that does (they are kept). */
static void efi_mmap_report_overlaps(struct boot_info *bi)
{
	const struct boot_efi *efi = &bi->efi;

	for (unsigned int i = 1; i < efi->nr_mmap; i++) {
		const struct boot_efi_mmap_entry *a = &efi->mmap[i - 1], *b = &efi->mmap[i];

		if (b->start < efi_end(a))
			mb2_problem(
				bi,
				"EFI memory descriptors overlap: [mem 0x%016llx-0x%016llx] %s and [mem 0x%016llx-0x%016llx] %s\n",
				(unsigned long long)a->start, (unsigned long long)efi_end(a) - 1,
				efi_mem_type_name(a->type), (unsigned long long)b->start,
				(unsigned long long)efi_end(b) - 1, efi_mem_type_name(b->type));
	}
}

static void mb2_parse_efi_mmap(struct mb2_walk *w, u32 off, u32 size)
{
	struct boot_info *bi = w->bi;
	struct mb2_tag_efi_mmap tag;
	struct efi_memory_desc d;
	u32 nr;

	if (size < sizeof(tag)) {
		mb2_problem(bi, "EFI memory map tag of %u bytes is too small (%zu), refused\n",
			    size, sizeof(tag));
		return;
	}
	if (bi->efi.has_mmap) {
		mb2_problem(bi, "second EFI memory map tag at offset %u ignored\n", off);
		return;
	}
	memcpy(&tag, w->base + off, sizeof(tag));
	if (!efi_mmap_tag_ok(bi, &tag))
		return;
	bi->efi.has_mmap = true;
	bi->efi.desc_size = tag.descr_size;
	bi->efi.desc_version = tag.descr_vers;
	nr = (size - sizeof(tag)) / tag.descr_size;
	for (u32 i = 0; i < nr; i++) {
		memcpy(&d, w->base + off + sizeof(tag) + (size_t)i * tag.descr_size, sizeof(d));
		efi_mmap_add(bi, &d, i);
	}
	efi_mmap_sort(&bi->efi);
	efi_mmap_report_overlaps(bi);
}

/*
 * Take one raw memory map entry into the scratch list, or refuse it.
 * @index is the entry's number in its source: the multiboot2 map, or with
 * MMAP_FROM_EFI, the EFI memory map (a firmware range reserved again).
 */
static void mmap_add_raw(struct boot_info *bi, const struct mb2_mmap_entry *e, u32 index)
{
	const char *src = index & MMAP_FROM_EFI ? "EFI descriptor" : "memory map entry";
	unsigned int limit = index & MMAP_FROM_EFI ? MMAP_RAW_MAX : BOOT_MMAP_MAX;
	u32 n = index & ~MMAP_FROM_EFI;
	char buf[16];
	struct mmap_range *r;

	if (e->len == 0) {
		mb2_problem(bi, "%s %u at 0x%016llx (%s) has zero length, dropped\n", src, n,
			    (unsigned long long)e->addr, mmap_type_str(e->type, buf, sizeof(buf)));
		return;
	}
	if (e->len > ~0ULL - e->addr) {
		mb2_problem(
			bi,
			"%s %u: 0x%llx + 0x%llx (%s) runs past the end of the address space, dropped\n",
			src, n, (unsigned long long)e->addr, (unsigned long long)e->len,
			mmap_type_str(e->type, buf, sizeof(buf)));
		return;
	}
	if (mmap_scratch.nr_raw >= limit) {
		mb2_problem(bi, "%s %u [mem 0x%016llx-0x%016llx] is beyond the first %u, dropped\n",
			    src, n, (unsigned long long)e->addr,
			    (unsigned long long)(e->addr + e->len - 1), limit);
		return;
	}
	r = &mmap_scratch.raw[mmap_scratch.nr_raw++];
	r->start = e->addr;
	r->end = e->addr + e->len;
	r->type = e->type;
	r->index = index;
}

static void mb2_parse_mmap(struct mb2_walk *w, u32 off, u32 size)
{
	struct boot_info *bi = w->bi;
	struct mb2_tag_mmap tag;
	struct mb2_mmap_entry e;
	u32 body, nr, stray;

	if (size < sizeof(tag)) {
		mb2_problem(bi, "memory map tag of %u bytes is too small (%zu), refused\n", size,
			    sizeof(tag));
		return;
	}
	memcpy(&tag, w->base + off, sizeof(tag));
	if (tag.entry_size < MB2_MMAP_ENTRY_MIN) {
		mb2_problem(bi, "memory map entry_size %u is below %d, tag refused\n",
			    tag.entry_size, MB2_MMAP_ENTRY_MIN);
		return;
	}
	if (w->have_mmap) {
		mb2_problem(bi, "second memory map tag at offset %u ignored\n", off);
		return;
	}
	w->have_mmap = true;
	if (tag.entry_version != 0)
		pr_warn("memory map entry_version %u (expected 0), reading the version 0 fields\n",
			tag.entry_version);

	body = size - sizeof(tag);
	nr = body / tag.entry_size;
	stray = body % tag.entry_size;
	if (stray)
		mb2_problem(
			bi,
			"memory map tag of %u bytes holds %u entries of %u bytes and %u stray bytes, ignoring them\n",
			size, nr, tag.entry_size, stray);

	for (u32 i = 0; i < nr; i++) {
		memcpy(&e, w->base + off + sizeof(tag) + (size_t)i * tag.entry_size, sizeof(e));
		mmap_add_raw(bi, &e, i);
	}
}

static int mmap_cmp_start(const void *a, const void *b)
{
	u64 x = ((const struct mmap_range *)a)->start, y = ((const struct mmap_range *)b)->start;

	return x < y ? -1 : x > y;
}

/* Sort the raw entries by start address; false if they were not sorted. */
static bool mmap_sort_raw(void)
{
	struct mmap_range *raw = mmap_scratch.raw;
	bool was_sorted = true;

	for (unsigned int i = 1; i < mmap_scratch.nr_raw; i++)
		if (raw[i - 1].start > raw[i].start)
			was_sorted = false;
	sort_small(raw, mmap_scratch.nr_raw, sizeof(*raw), mmap_cmp_start);
	return was_sorted;
}

/* One line and one problem for every pair of raw entries that overlap. */
static void mmap_report_overlaps(struct boot_info *bi)
{
	const struct mmap_range *raw = mmap_scratch.raw;
	char b1[16], b2[16], b3[16];

	for (unsigned int i = 0; i < mmap_scratch.nr_raw; i++) {
		for (unsigned int j = i + 1; j < mmap_scratch.nr_raw; j++) {
			const struct mmap_range *a = &raw[i], *b = &raw[j];
			u32 keep;

			if (b->start >= a->end)
				break; /* sorted by start: no later entry reaches a */
			if ((a->index | b->index) & MMAP_FROM_EFI)
				continue; /* the cross-check said it already */
			keep = mmap_type_rank(b->type) > mmap_type_rank(a->type) ? b->type
										 : a->type;
			mb2_problem(
				bi,
				"memory map entries overlap: [mem 0x%016llx-0x%016llx] %s and [mem 0x%016llx-0x%016llx] %s, %s %s\n",
				(unsigned long long)a->start, (unsigned long long)(a->end - 1),
				mmap_type_str(a->type, b1, sizeof(b1)),
				(unsigned long long)b->start, (unsigned long long)(b->end - 1),
				mmap_type_str(b->type, b2, sizeof(b2)),
				a->type == b->type ? "merging" : "keeping",
				a->type == b->type ? "them" : mmap_type_str(keep, b3, sizeof(b3)));
		}
	}
}

static int mmap_cmp_addr(const void *a, const void *b)
{
	u64 x = ((const struct mmap_point *)a)->addr, y = ((const struct mmap_point *)b)->addr;

	return x < y ? -1 : x > y;
}

/* The winning type among the active raw entries; false when none is active. */
static bool mmap_active_type(u32 *type)
{
	bool any = false;

	for (unsigned int i = 0; i < mmap_scratch.nr_raw; i++) {
		u32 t = mmap_scratch.raw[i].type;

		if (!mmap_scratch.active[i])
			continue;
		if (!any || mmap_type_rank(t) > mmap_type_rank(*type))
			*type = t;
		any = true;
	}
	return any;
}

static void mmap_emit(struct boot_info *bi, u64 start, u64 end, u32 type)
{
	struct boot_mmap_entry *e;
	char buf[16];

	if (bi->nr_mmap == BOOT_MMAP_MAX) {
		mb2_problem(
			bi,
			"sanitised memory map has more than %d entries, [mem 0x%016llx-0x%016llx] %s dropped\n",
			BOOT_MMAP_MAX, (unsigned long long)start, (unsigned long long)(end - 1),
			mmap_type_str(type, buf, sizeof(buf)));
		return;
	}
	e = &bi->mmap[bi->nr_mmap++];
	e->addr = start;
	e->len = end - start;
	e->type = type;
}

/*
 * Sweep over the start and end points of the raw entries in address order.
 * Between two consecutive distinct points the set of covering entries is
 * fixed, and so is the winning type; a new output entry begins only where the
 * winning type changes or coverage stops, which merges equal neighbours:
 *
 *	raw:     |---- usable ----|
 *	                |-- reserved --|      |- usable -|- usable -|
 *	out:     |usable|-- reserved --|      |------ usable -------|
 */
static void mmap_sanitise(struct boot_info *bi)
{
	struct mmap_point *pts = mmap_scratch.points;
	unsigned int nr_pts = 0, i = 0;
	bool open = false;
	u64 open_start = 0;
	u32 open_type = 0, type = 0;

	if (!mmap_sort_raw())
		pr_info("memory map is not sorted by address, sorting it\n");
	mmap_report_overlaps(bi);

	for (unsigned int r = 0; r < mmap_scratch.nr_raw; r++) {
		pts[nr_pts++] = (struct mmap_point){ mmap_scratch.raw[r].start, r, true };
		pts[nr_pts++] = (struct mmap_point){ mmap_scratch.raw[r].end, r, false };
		mmap_scratch.active[r] = false;
	}
	sort_small(mmap_scratch.points, nr_pts, sizeof(struct mmap_point), mmap_cmp_addr);

	while (i < nr_pts) {
		u64 addr = pts[i].addr;
		bool any;

		for (; i < nr_pts && pts[i].addr == addr; i++)
			mmap_scratch.active[pts[i].range] = pts[i].is_start;
		any = mmap_active_type(&type);
		if (open && (!any || type != open_type)) {
			mmap_emit(bi, open_start, addr, open_type);
			open = false;
		}
		if (any && !open) {
			open = true;
			open_start = addr;
			open_type = type;
		}
	}
}

/* Types the kernel may use once boot services have exited. */
static bool efi_type_usable(u32 type)
{
	switch (type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return true;
	default:
		return false;
	}
}

/* The multiboot2 type that stands for a range the firmware keeps. */
static u32 efi_type_to_mb2(u32 type)
{
	switch (type) {
	case EFI_ACPI_RECLAIM_MEMORY:
		return MB2_MEMORY_ACPI_RECLAIMABLE;
	case EFI_ACPI_MEMORY_NVS:
		return MB2_MEMORY_NVS;
	case EFI_UNUSABLE_MEMORY:
		return MB2_MEMORY_BADRAM;
	default:
		return MB2_MEMORY_RESERVED;
	}
}

/* The first raw usable multiboot2 entry that overlaps [start, end), or NULL. */
static const struct mmap_range *mmap_raw_usable_overlap(u64 start, u64 end)
{
	for (unsigned int i = 0; i < mmap_scratch.nr_raw; i++) {
		const struct mmap_range *r = &mmap_scratch.raw[i];

		if (r->type == MB2_MEMORY_AVAILABLE && r->start < end && start < r->end)
			return r;
	}
	return NULL;
}

/*
 * Cross-check, first half: every range the firmware keeps must be absent from
 * the usable part of the multiboot2 map. One that is not is a problem, and is
 * added to the raw map with its reserved type, which wins in the sweep.
 */
static void efi_reserve_conflicts(struct boot_info *bi)
{
	struct boot_efi *efi = &bi->efi;
	char buf[16];

	for (unsigned int i = 0; i < efi->nr_mmap; i++) {
		const struct boot_efi_mmap_entry *e = &efi->mmap[i];
		struct mb2_mmap_entry as_mb2 = { e->start, e->pages << EFI_PAGE_SHIFT,
						 efi_type_to_mb2(e->type), 0 };
		const struct mmap_range *r;

		if (efi_type_usable(e->type))
			continue;
		r = mmap_raw_usable_overlap(e->start, efi_end(e));
		if (!r)
			continue;
		efi->nr_conflicts++;
		mb2_problem(
			bi,
			"EFI [mem 0x%016llx-0x%016llx] %s overlaps usable [mem 0x%016llx-0x%016llx] of the multiboot2 map, keeping it %s\n",
			(unsigned long long)e->start, (unsigned long long)efi_end(e) - 1,
			efi_mem_type_name(e->type), (unsigned long long)r->start,
			(unsigned long long)r->end - 1,
			mmap_type_str(as_mb2.type, buf, sizeof(buf)));
		mmap_add_raw(bi, &as_mb2, MMAP_FROM_EFI | i);
	}
}

/* Bytes of [start, end) that the sanitised map calls usable. */
static u64 mmap_usable_bytes(const struct boot_info *bi, u64 start, u64 end)
{
	u64 sum = 0;

	for (unsigned int i = 0; i < bi->nr_mmap; i++) {
		const struct boot_mmap_entry *m = &bi->mmap[i];
		u64 lo = max(start, m->addr), hi = min(end, m->addr + m->len);

		if (m->type == MB2_MEMORY_AVAILABLE && lo < hi)
			sum += hi - lo;
	}
	return sum;
}

/*
 * Cross-check, second half: RAM the firmware gives up that the multiboot2 map
 * does not offer is only lost, not dangerous: counted for the dump line.
 */
static void efi_count_usable_only_in_efi(struct boot_info *bi)
{
	struct boot_efi *efi = &bi->efi;

	for (unsigned int i = 0; i < efi->nr_mmap; i++) {
		const struct boot_efi_mmap_entry *e = &efi->mmap[i];

		if (efi_type_usable(e->type))
			efi->usable_only_in_efi += (e->pages << EFI_PAGE_SHIFT) -
						   mmap_usable_bytes(bi, e->start, efi_end(e));
	}
}

/* Hand one tag, already checked to lie within the information, to its parser. */
static void mb2_parse_tag(struct mb2_walk *w, u32 type, u32 off, u32 size)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		w->cmdline_off = off; /* parsed after the walk, once the loader is known */
		w->cmdline_size = size;
		break;
	case MB2_TAG_LOADER_NAME:
		mb2_parse_loader_name(w, off, size);
		break;
	case MB2_TAG_MODULE:
		mb2_parse_module(w, off, size);
		break;
	case MB2_TAG_BASIC_MEMINFO:
		mb2_parse_basic_meminfo(w, off, size);
		break;
	case MB2_TAG_MMAP:
		mb2_parse_mmap(w, off, size);
		break;
	case MB2_TAG_FRAMEBUFFER:
		mb2_parse_framebuffer(w, off, size);
		break;
	case MB2_TAG_ACPI_OLD:
		mb2_parse_acpi(w, off, size, 1);
		break;
	case MB2_TAG_ACPI_NEW:
		mb2_parse_acpi(w, off, size, 2);
		break;
	case MB2_TAG_EFI64:
		mb2_parse_efi64(w, off, size);
		break;
	case MB2_TAG_EFI_MMAP:
		mb2_parse_efi_mmap(w, off, size);
		break;
	default:
		pr_debug("tag type %u (%u bytes) at offset %u skipped\n", type, size, off);
		break;
	}
}

/* How a walk over the tags ended. */
enum mb2_walk_result {
	MB2_WALK_END_TAG, /* reached the end tag */
	MB2_WALK_NO_END,  /* every tag read, but no end tag among them */
	MB2_WALK_STOPPED, /* a bad tag header stopped it (already reported) */
};

/* Walk the tags from offset 8, handing each one that fits to its parser. */
static enum mb2_walk_result mb2_walk_tags(struct mb2_walk *w)
{
	struct boot_info *bi = w->bi;
	u64 off = sizeof(struct mb2_info_header); /* 64 bits: off + size cannot wrap */
	struct mb2_tag tag;

	while (off < w->limit) {
		if (w->limit - off < sizeof(tag)) {
			mb2_problem(bi,
				    "tag header at offset %u runs past total_size %u, stopping\n",
				    (u32)off, w->limit);
			return MB2_WALK_STOPPED;
		}
		memcpy(&tag, w->base + off, sizeof(tag));
		if (tag.size < sizeof(tag)) {
			mb2_problem(bi, "tag type %u at offset %u has size %u, below 8, stopping\n",
				    tag.type, (u32)off, tag.size);
			return MB2_WALK_STOPPED;
		}
		if (tag.size > w->limit - off) {
			mb2_problem(
				bi,
				"tag type %u at offset %u of size %u runs past total_size %u, stopping\n",
				tag.type, (u32)off, tag.size, w->limit);
			return MB2_WALK_STOPPED;
		}
		if (tag.type == MB2_TAG_END) {
			if (tag.size != sizeof(tag))
				mb2_problem(bi, "end tag at offset %u has size %u (expected 8)\n",
					    (u32)off, tag.size);
			return MB2_WALK_END_TAG;
		}
		mb2_parse_tag(w, tag.type, (u32)off, tag.size);
		off += ALIGN((u64)tag.size, MB2_TAG_ALIGN);
	}
	return MB2_WALK_NO_END;
}

/*
 * multiboot2_parse - see include/kernel/multiboot2.h.
 *
 * => @bi is cleared first; bi->mbi_phys and bi->mbi_size are set as soon as
 *    the header is readable.
 * => total_size must be at least 16 and no more than @avail, and @mbi must be
 *    8-byte aligned, or the information is refused whole (-EINVAL).
 * => A missing end tag is a problem (counted, warned), not a failure.
 * => The memory map must exist and keep at least one entry after sanitising,
 *    or -EINVAL.
 * Context: boot time, one caller at a time (it uses static scratch space).
 */
int multiboot2_parse(const void *mbi, size_t avail, phys_addr_t mbi_phys, struct boot_info *bi)
{
	struct mb2_info_header hdr;
	struct mb2_walk w;

	memset(bi, 0, sizeof(*bi));
	bi->mbi_phys = mbi_phys;
	if (!mbi || avail < sizeof(hdr)) {
		pr_err("boot information at %p: %zu bytes readable, the header needs %zu\n", mbi,
		       avail, sizeof(hdr));
		return -EINVAL;
	}
	if (!IS_ALIGNED((uintptr_t)mbi, MB2_TAG_ALIGN)) {
		pr_err("boot information at %p is not 8-byte aligned\n", mbi);
		return -EINVAL;
	}
	memcpy(&hdr, mbi, sizeof(hdr));
	bi->mbi_size = hdr.total_size;
	if (hdr.total_size < MB2_MIN_TOTAL_SIZE) {
		pr_err("total_size %u is below the minimum of %d\n", hdr.total_size,
		       MB2_MIN_TOTAL_SIZE);
		return -EINVAL;
	}
	if (hdr.total_size > avail) {
		pr_err("total_size %u is larger than the %zu bytes available\n", hdr.total_size,
		       avail);
		return -EINVAL;
	}
	if (!IS_ALIGNED(hdr.total_size, (u32)MB2_TAG_ALIGN))
		mb2_problem(bi, "total_size %u is not a multiple of 8\n", hdr.total_size);

	w = (struct mb2_walk){ .base = mbi, .limit = hdr.total_size, .phys = mbi_phys, .bi = bi };
	mmap_scratch.nr_raw = 0;
	if (mb2_walk_tags(&w) == MB2_WALK_NO_END)
		mb2_problem(bi, "no end tag within total_size %u, keeping what was parsed\n",
			    hdr.total_size);
	if (w.cmdline_size)
		mb2_parse_cmdline(&w);
	if (!w.have_mmap) {
		pr_err("no memory map tag\n");
		return -EINVAL;
	}
	if (bi->efi.has_mmap)
		efi_reserve_conflicts(bi);
	mmap_sanitise(bi);
	if (bi->nr_mmap == 0) {
		pr_err("memory map is empty after sanitising\n");
		return -EINVAL;
	}
	if (bi->efi.has_mmap)
		efi_count_usable_only_in_efi(bi);
	return 0;
}
