/*
 * The memory map sanitiser: the multiboot2 memory map tag (6) is read entry
 * by entry into a raw scratch list (the EFI cross-check in kernel/efi.c adds
 * the firmware ranges it reserves again), then sanitised the way e820 maps
 * are: empty and overflowing entries are dropped, overlaps are resolved in
 * favour of the more restrictive type, equal neighbours merge and the result
 * is sorted by address into bi->mmap[]. Merging touching neighbours and
 * sorting are normal work, not problems. Also owns the e820 type names and
 * the dump of the map.
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

struct mb2_tag_mmap {
	struct mb2_tag tag;
	u32 entry_size;
	u32 entry_version;
	/* followed by entries of entry_size bytes each */
};

BUILD_BUG_ON(sizeof(struct mb2_tag_mmap) != 16);

struct mmap_point {
	u64 addr;
	u16 range; /* index into raw[] */
	bool is_start;
};

/*
 * Memory map scratch: the raw entries as read, then the boundary points of
 * the sweep that sanitises them. Static to keep multi-KiB arrays off the boot
 * stack; multiboot2_parse() is a boot-time function with one caller at a time.
 */
static struct {
	unsigned int nr_raw;
	struct mmap_range raw[MMAP_RAW_MAX];
	struct mmap_point points[2 * MMAP_RAW_MAX];
	bool active[MMAP_RAW_MAX];
} mmap_scratch;

/* boot_mmap_reset - see kernel/boot_internal.h. */
void boot_mmap_reset(void)
{
	mmap_scratch.nr_raw = 0;
}

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

/* boot_mmap_type_str - see kernel/boot_internal.h. */
const char *boot_mmap_type_str(u32 type, char *buf, size_t size)
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
		       boot_mmap_type_str(e->type, buf, sizeof(buf)));
	}
	efi_dump(&bi->efi);
}

/*
 * The more restrictive of two types wins an overlap: anything beats 1
 * (usable); among the others the higher number wins.
 */
static u64 mmap_type_rank(u32 type)
{
	return type == MB2_MEMORY_AVAILABLE ? 0 : (u64)type + 1;
}

/*
 * boot_mmap_add_raw - take one raw memory map entry into the scratch list, or
 * refuse it (see kernel/boot_internal.h).
 * @index is the entry's number in its source: the multiboot2 map, or with
 * MMAP_FROM_EFI, the EFI memory map (a firmware range reserved again).
 */
void boot_mmap_add_raw(struct boot_info *bi, const struct mb2_mmap_entry *e, u32 index)
{
	const char *src = index & MMAP_FROM_EFI ? "EFI descriptor" : "memory map entry";
	unsigned int limit = index & MMAP_FROM_EFI ? MMAP_RAW_MAX : BOOT_MMAP_MAX;
	u32 n = index & ~MMAP_FROM_EFI;
	char buf[16];
	struct mmap_range *r;

	if (e->len == 0) {
		mb2_problem(bi, "%s %u at 0x%016llx (%s) has zero length, dropped\n", src, n,
			    (unsigned long long)e->addr,
			    boot_mmap_type_str(e->type, buf, sizeof(buf)));
		return;
	}
	if (e->len > ~0ULL - e->addr) {
		mb2_problem(
			bi,
			"%s %u: 0x%llx + 0x%llx (%s) runs past the end of the address space, dropped\n",
			src, n, (unsigned long long)e->addr, (unsigned long long)e->len,
			boot_mmap_type_str(e->type, buf, sizeof(buf)));
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

/* boot_mmap_parse_tag - see kernel/boot_internal.h. */
void boot_mmap_parse_tag(struct mb2_walk *w, u32 off, u32 size)
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
		boot_mmap_add_raw(bi, &e, i);
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
				boot_mmap_type_str(a->type, b1, sizeof(b1)),
				(unsigned long long)b->start, (unsigned long long)(b->end - 1),
				boot_mmap_type_str(b->type, b2, sizeof(b2)),
				a->type == b->type ? "merging" : "keeping",
				a->type == b->type ? "them"
						   : boot_mmap_type_str(keep, b3, sizeof(b3)));
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
			boot_mmap_type_str(type, buf, sizeof(buf)));
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
 *
 * boot_mmap_sanitise - see kernel/boot_internal.h.
 */
void boot_mmap_sanitise(struct boot_info *bi)
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

/* boot_mmap_raw_usable_overlap - see kernel/boot_internal.h. */
const struct mmap_range *boot_mmap_raw_usable_overlap(u64 start, u64 end)
{
	for (unsigned int i = 0; i < mmap_scratch.nr_raw; i++) {
		const struct mmap_range *r = &mmap_scratch.raw[i];

		if (r->type == MB2_MEMORY_AVAILABLE && r->start < end && start < r->end)
			return r;
	}
	return NULL;
}
