/*
 * EFI boot data: under UEFI GRUB passes the EFI system table (tag 12) and
 * the firmware's own memory map (tag 17), taken at ExitBootServices(). This
 * file owns both: the descriptors are checked one by one, sorted and checked
 * for overlaps, then cross-checked against the multiboot2 map: a range the
 * firmware keeps (runtime services, ACPI, MMIO, reserved) that the multiboot2
 * map calls usable is added to the map's scratch list as reserved before the
 * sweep (kernel/boot_mmap.c), so the kernel never hands firmware memory to
 * the allocators. It also owns the EFI type and attribute names and the dump.
 */
#define pr_fmt(fmt) "multiboot2: " fmt

#include "boot_internal.h"
#include "kernel/compiler.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/sort.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

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

BUILD_BUG_ON(sizeof(struct mb2_tag_efi64) != 16);
BUILD_BUG_ON(sizeof(struct mb2_tag_efi_mmap) != 16);
BUILD_BUG_ON(sizeof(struct efi_memory_desc) != 40);

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

/* efi_dump - see kernel/boot_internal.h. */
void efi_dump(const struct boot_efi *efi)
{
	if (efi->has_systab)
		efi_systab_dump(efi);
	if (efi->has_mmap)
		efi_mmap_dump(efi);
}

/* efi_parse_systab_tag - see kernel/boot_internal.h. */
void efi_parse_systab_tag(struct mb2_walk *w, u32 off, u32 size)
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

/* efi_parse_mmap_tag - see kernel/boot_internal.h. */
void efi_parse_mmap_tag(struct mb2_walk *w, u32 off, u32 size)
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

/*
 * Cross-check, first half: every range the firmware keeps must be absent from
 * the usable part of the multiboot2 map. One that is not is a problem, and is
 * added to the raw map with its reserved type, which wins in the sweep.
 *
 * efi_reserve_conflicts - see kernel/boot_internal.h.
 */
void efi_reserve_conflicts(struct boot_info *bi)
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
		r = boot_mmap_raw_usable_overlap(e->start, efi_end(e));
		if (!r)
			continue;
		efi->nr_conflicts++;
		mb2_problem(
			bi,
			"EFI [mem 0x%016llx-0x%016llx] %s overlaps usable [mem 0x%016llx-0x%016llx] of the multiboot2 map, keeping it %s\n",
			(unsigned long long)e->start, (unsigned long long)efi_end(e) - 1,
			efi_mem_type_name(e->type), (unsigned long long)r->start,
			(unsigned long long)r->end - 1,
			boot_mmap_type_str(as_mb2.type, buf, sizeof(buf)));
		boot_mmap_add_raw(bi, &as_mb2, MMAP_FROM_EFI | i);
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
 *
 * efi_count_usable_only_in_efi - see kernel/boot_internal.h.
 */
void efi_count_usable_only_in_efi(struct boot_info *bi)
{
	struct boot_efi *efi = &bi->efi;

	for (unsigned int i = 0; i < efi->nr_mmap; i++) {
		const struct boot_efi_mmap_entry *e = &efi->mmap[i];

		if (efi_type_usable(e->type))
			efi->usable_only_in_efi += (e->pages << EFI_PAGE_SHIFT) -
						   mmap_usable_bytes(bi, e->start, efi_end(e));
	}
}
