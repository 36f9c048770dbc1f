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
#define MB2_TAG_ACPI_NEW      15

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

BUILD_BUG_ON(sizeof(struct mb2_mmap_entry) != MB2_MMAP_ENTRY_MIN);
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
	u32 index; /* position in the tag, for messages */
};

struct mmap_point {
	u64 addr;
	u16 range; /* index into raw[] */
	bool is_start;
};

static struct {
	unsigned int nr_raw;
	struct mmap_range raw[BOOT_MMAP_MAX];
	struct mmap_point points[2 * BOOT_MMAP_MAX];
	bool active[BOOT_MMAP_MAX];
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

static void mb2_parse_cmdline(struct mb2_walk *w, u32 off, u32 size)
{
	struct boot_info *bi = w->bi;

	mb2_copy_string(bi, "command line", w->base + off + sizeof(struct mb2_tag),
			size - sizeof(struct mb2_tag), bi->cmdline, sizeof(bi->cmdline));
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

/* Take one raw memory map entry into the scratch list, or refuse it. */
static void mmap_add_raw(struct boot_info *bi, const struct mb2_mmap_entry *e, u32 index)
{
	char buf[16];
	struct mmap_range *r;

	if (e->len == 0) {
		mb2_problem(bi, "memory map entry %u at 0x%016llx (%s) has zero length, dropped\n",
			    index, (unsigned long long)e->addr,
			    mmap_type_str(e->type, buf, sizeof(buf)));
		return;
	}
	if (e->len > ~0ULL - e->addr) {
		mb2_problem(
			bi,
			"memory map entry %u: 0x%llx + 0x%llx (%s) runs past the end of the address space, dropped\n",
			index, (unsigned long long)e->addr, (unsigned long long)e->len,
			mmap_type_str(e->type, buf, sizeof(buf)));
		return;
	}
	if (mmap_scratch.nr_raw == BOOT_MMAP_MAX) {
		mb2_problem(
			bi,
			"memory map entry %u [mem 0x%016llx-0x%016llx] is beyond the first %d, dropped\n",
			index, (unsigned long long)e->addr,
			(unsigned long long)(e->addr + e->len - 1), BOOT_MMAP_MAX);
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

/* Hand one tag, already checked to lie within the information, to its parser. */
static void mb2_parse_tag(struct mb2_walk *w, u32 type, u32 off, u32 size)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		mb2_parse_cmdline(w, off, size);
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
	if (!w.have_mmap) {
		pr_err("no memory map tag\n");
		return -EINVAL;
	}
	mmap_sanitise(bi);
	if (bi->nr_mmap == 0) {
		pr_err("memory map is empty after sanitising\n");
		return -EINVAL;
	}
	return 0;
}
