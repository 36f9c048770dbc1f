/*
 * multiboot2 boot information: walk the tags GRUB leaves in memory and copy
 * what the kernel needs into struct boot_info. This file owns the walk and the
 * simple tags (command line, boot loader name, modules, basic meminfo,
 * framebuffer, ACPI RSDP); it hands the memory map tag to kernel/boot_mmap.c
 * and the EFI tags to kernel/efi.c. Only these three files read the raw tags;
 * the layouts they share are in kernel/boot_internal.h.
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
 * After the walk the EFI cross-check (kernel/efi.c) and the memory map
 * sweep (kernel/boot_mmap.c) run, in that order.
 *
 * GRUB quotes the command line it passes for a Linux-style parser; when GRUB
 * is the loader that quoting is undone (mb2_unquote_grub()), so the kernel
 * sees the line as written in grub.cfg.
 */
#define pr_fmt(fmt) "multiboot2: " fmt

#include "boot_internal.h"
#include "kernel/compiler.h"
#include "kernel/errno.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/string.h"

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

struct mb2_info_header {
	u32 total_size;
	u32 reserved;
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

BUILD_BUG_ON(sizeof(struct mb2_tag_framebuffer) != 30);
BUILD_BUG_ON(sizeof(struct acpi_rsdp) != ACPI_RSDP_V1_SIZE);

struct boot_info boot_info;

/* boot_has_text_screen - see include/kernel/multiboot2.h. */
bool boot_has_text_screen(const struct boot_info *bi)
{
	return bi->has_framebuffer && bi->fb.type == MB2_FB_TYPE_EGA_TEXT;
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
		boot_mmap_parse_tag(w, off, size);
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
		efi_parse_systab_tag(w, off, size);
		break;
	case MB2_TAG_EFI_MMAP:
		efi_parse_mmap_tag(w, off, size);
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
	boot_mmap_reset();
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
	boot_mmap_sanitise(bi);
	if (bi->nr_mmap == 0) {
		pr_err("memory map is empty after sanitising\n");
		return -EINVAL;
	}
	if (bi->efi.has_mmap)
		efi_count_usable_only_in_efi(bi);
	return 0;
}
