/*
 * Host tests for kernel/multiboot2.c and the two files it hands tags to,
 * kernel/boot_mmap.c and kernel/efi.c (one unit, as they share
 * kernel/boot_internal.h). Each test builds a boot information
 * blob in memory with the tag helpers below, copies it into a malloc() of
 * exactly its size (so ASan catches any read past the end) and checks the
 * parsed struct boot_info, the return value, nr_problems and the messages.
 * The memory map sanitiser is also run against a shadow model (one type per
 * page), and a fuzz loop feeds mutated blobs to the parser.
 */
#include "host_shim.h"

/* host_shim.h included printk.h already: let the unit define its own prefix. */
#undef pr_fmt
#include "../../kernel/multiboot2.c"
#include "../../kernel/boot_mmap.c"
#include "../../kernel/efi.c"
#include "../../lib/sort.c"

#define MBI_PHYS 0x10000ULL

/* A blob under construction; total_size is written by blob_copy(). */
struct blob {
	u8 buf[16384];
	size_t len;
};

static struct blob blob;
static struct boot_info bi;

static void blob_init(struct blob *b)
{
	memset(b->buf, 0, sizeof(b->buf));
	b->len = sizeof(struct mb2_info_header);
}

static void blob_put32(struct blob *b, size_t off, u32 v)
{
	memcpy(b->buf + off, &v, sizeof(v));
}

/* Append a tag of 8 + @plen bytes with @payload; pad to 8. Returns its offset. */
static size_t blob_tag(struct blob *b, u32 type, const void *payload, size_t plen)
{
	size_t off = b->len;

	assert_true(off + 8 + plen + 8 <= sizeof(b->buf));
	blob_put32(b, off, type);
	blob_put32(b, off + 4, (u32)(8 + plen));
	if (plen)
		memcpy(b->buf + off + 8, payload, plen);
	b->len = ALIGN(off + 8 + plen, 8);
	return off;
}

static size_t blob_string(struct blob *b, u32 type, const char *s)
{
	return blob_tag(b, type, s, strlen(s) + 1);
}

static size_t blob_end(struct blob *b)
{
	return blob_tag(b, MB2_TAG_END, NULL, 0);
}

struct raw_entry {
	u64 addr, len;
	u32 type;
};

/* A memory map tag with @n entries of @entry_size bytes (>= 24: zero padded). */
static size_t blob_mmap_ex(struct blob *b, const struct raw_entry *e, size_t n, u32 entry_size,
			   u32 version)
{
	u8 payload[8 + 256 * 64];
	size_t plen = 8 + n * entry_size;

	assert_true(plen <= sizeof(payload));
	memset(payload, 0, sizeof(payload));
	memcpy(payload, &entry_size, 4);
	memcpy(payload + 4, &version, 4);
	for (size_t i = 0; i < n; i++) {
		struct mb2_mmap_entry me = { e[i].addr, e[i].len, e[i].type, 0 };

		memcpy(payload + 8 + i * entry_size, &me, min(sizeof(me), (size_t)entry_size));
	}
	return blob_tag(b, MB2_TAG_MMAP, payload, plen);
}

static size_t blob_mmap(struct blob *b, const struct raw_entry *e, size_t n)
{
	return blob_mmap_ex(b, e, n, 24, 0);
}

static size_t blob_module(struct blob *b, u32 start, u32 end, const char *name)
{
	u8 payload[256];
	size_t nlen = strlen(name) + 1;

	memcpy(payload, &start, 4);
	memcpy(payload + 4, &end, 4);
	memcpy(payload + 8, name, nlen);
	return blob_tag(b, MB2_TAG_MODULE, payload, 8 + nlen);
}

static size_t blob_rsdp(struct blob *b, u32 type, u8 revision)
{
	u8 rsdp[ACPI_RSDP_V2_SIZE];
	size_t len = type == MB2_TAG_ACPI_OLD ? ACPI_RSDP_V1_SIZE : ACPI_RSDP_V2_SIZE;

	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "BOCHS ", 6);
	rsdp[15] = revision;
	rsdp[16] = 0x34;
	rsdp[8] = (u8)-acpi_checksum(rsdp, ACPI_RSDP_V1_SIZE);
	assert_int_equal(acpi_checksum(rsdp, ACPI_RSDP_V1_SIZE), 0);
	return blob_tag(b, type, rsdp, len);
}

/* Copy the first @size bytes into a malloc() of exactly that size. */
static u8 *blob_copy(struct blob *b, size_t size)
{
	u8 *p = malloc(size ? size : 1);

	assert_non_null(p);
	memcpy(p, b->buf, size);
	return p;
}

/* Write total_size = len, then parse a copy of exactly len bytes. */
static int parse_blob(struct blob *b)
{
	u8 *p;
	int ret;

	blob_put32(b, 0, (u32)b->len);
	p = blob_copy(b, b->len);
	shim_log_clear();
	ret = multiboot2_parse(p, b->len, MBI_PHYS, &bi);
	free(p);
	return ret;
}

static const struct raw_entry qemu_map[] = {
	{ 0x0, 0x9fc00, 1 },	     { 0x9fc00, 0x400, 2 },	 { 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x1fee0000, 1 }, { 0x1ffe0000, 0x20000, 2 }, { 0xfffc0000, 0x40000, 2 },
};

static void expect_entry(unsigned int i, u64 addr, u64 len, u32 type)
{
	assert_true(i < bi.nr_mmap);
	if (bi.mmap[i].addr != addr || bi.mmap[i].len != len || bi.mmap[i].type != type)
		fail_msg("mmap[%u] = {0x%llx, 0x%llx, %u}, want {0x%llx, 0x%llx, %u}", i,
			 (unsigned long long)bi.mmap[i].addr, (unsigned long long)bi.mmap[i].len,
			 bi.mmap[i].type, (unsigned long long)addr, (unsigned long long)len, type);
}

/* Sorted, non-empty, non-overlapping, and touching neighbours differ in type. */
static void check_map_invariants(const struct boot_info *b)
{
	assert_true(b->nr_mmap <= BOOT_MMAP_MAX);
	for (unsigned int i = 0; i < b->nr_mmap; i++) {
		const struct boot_mmap_entry *e = &b->mmap[i];

		assert_true(e->len > 0);
		assert_true(e->addr + e->len - 1 >= e->addr);
		if (i == 0)
			continue;
		const struct boot_mmap_entry *p = &b->mmap[i - 1];

		assert_true(p->addr + p->len <= e->addr);
		if (p->addr + p->len == e->addr)
			assert_true(p->type != e->type);
	}
}

static void test_good_blob(void **state)
{
	struct mb2_tag_framebuffer fb = {
		.addr = 0xfd000000, .pitch = 4096, .width = 1024, .height = 768, .bpp = 32, .type = 1
	};
	u32 meminfo[2] = { 639, 523136 };
	u32 load_base = 0x100000;
	size_t acpi_new, unknown;
	char msg[128];

	(void)state;
	blob_init(&blob);
	blob_string(&blob, MB2_TAG_CMDLINE, "ktest=all poweroff");
	blob_string(&blob, MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u1");
	blob_module(&blob, 0x200000, 0x203000, "/boot/initrd");
	blob_tag(&blob, MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
	unknown = blob_tag(&blob, 21, &load_base, sizeof(load_base)); /* skipped */
	blob_mmap(&blob, qemu_map, ARRAY_SIZE(qemu_map));
	blob_tag(&blob, MB2_TAG_FRAMEBUFFER, (u8 *)&fb + 8, sizeof(fb) - 8);
	blob_rsdp(&blob, MB2_TAG_ACPI_OLD, 0);
	acpi_new = blob_rsdp(&blob, MB2_TAG_ACPI_NEW, 2);
	blob_end(&blob);

	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.nr_problems, 0);
	assert_int_equal(bi.mbi_phys, MBI_PHYS);
	assert_int_equal(bi.mbi_size, blob.len);
	assert_string_equal(bi.cmdline, "ktest=all poweroff");
	assert_string_equal(bi.loader_name, "GRUB 2.06-13+deb12u1");
	assert_int_equal(bi.nr_modules, 1);
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x203000);
	assert_string_equal(bi.modules[0].name, "/boot/initrd");
	assert_int_equal(bi.mem_lower_kb, 639);
	assert_int_equal(bi.mem_upper_kb, 523136);
	assert_true(bi.has_framebuffer);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.type, 1);
	assert_int_equal(bi.rsdp_revision, 2);
	assert_int_equal(bi.rsdp_phys, MBI_PHYS + acpi_new + 8);

	assert_int_equal(bi.nr_mmap, ARRAY_SIZE(qemu_map));
	for (unsigned int i = 0; i < ARRAY_SIZE(qemu_map); i++)
		expect_entry(i, qemu_map[i].addr, qemu_map[i].len, qemu_map[i].type);
	check_map_invariants(&bi);
	/* A good blob prints nothing but the debug line for the unknown tag. */
	snprintf(msg, sizeof(msg), "multiboot2: tag type 21 (12 bytes) at offset %zu skipped\n",
		 unknown);
	assert_string_equal(shim_log, msg);

	shim_log_clear();
	boot_mmap_dump(&bi);
	assert_true(
		shim_log_has("BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
			     "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
			     "BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved\n"
			     "BIOS-e820: [mem 0x0000000000100000-0x000000001ffdffff] usable\n"
			     "BIOS-e820: [mem 0x000000001ffe0000-0x000000001fffffff] reserved\n"
			     "BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved\n"));
}

static void test_acpi_variants(void **state)
{
	size_t old;
	u8 junk[20] = "XSD PTR ";

	(void)state;
	/* Only the 1.0 tag. */
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	old = blob_rsdp(&blob, MB2_TAG_ACPI_OLD, 0);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.rsdp_revision, 1);
	assert_int_equal(bi.rsdp_phys, MBI_PHYS + old + 8);

	/* New before old: the new one is kept. */
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	old = blob_rsdp(&blob, MB2_TAG_ACPI_NEW, 2);
	blob_rsdp(&blob, MB2_TAG_ACPI_OLD, 0);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.rsdp_revision, 2);
	assert_int_equal(bi.rsdp_phys, MBI_PHYS + old + 8);

	/* Bad signature, bad checksum, too short. */
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	blob_tag(&blob, MB2_TAG_ACPI_OLD, junk, sizeof(junk));
	old = blob_rsdp(&blob, MB2_TAG_ACPI_OLD, 0);
	blob.buf[old + 8 + 8] ^= 1;
	blob_tag(&blob, MB2_TAG_ACPI_NEW, junk, sizeof(junk));
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.rsdp_phys, 0);
	assert_int_equal(bi.rsdp_revision, 0);
	assert_int_equal(bi.nr_problems, 3);
	assert_true(shim_log_has("has no \"RSD PTR \" signature, refused"));
	assert_true(shim_log_has("has a bad checksum, refused"));
	assert_true(shim_log_has(
		"multiboot2: ACPI 2.0 RSDP tag of 28 bytes is too small (44), refused"));
}

static void test_total_size_larger_than_avail(void **state)
{
	u8 *p;

	(void)state;
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 3);
	blob_end(&blob);
	blob_put32(&blob, 0, (u32)blob.len);
	p = blob_copy(&blob, blob.len - 8); /* only this much is mapped */
	shim_log_clear();
	assert_int_equal(multiboot2_parse(p, blob.len - 8, MBI_PHYS, &bi), -EINVAL);
	free(p);
	assert_int_equal(bi.nr_mmap, 0);
	char msg[128];

	snprintf(msg, sizeof(msg),
		 "multiboot2: total_size %zu is larger than the %zu bytes available", blob.len,
		 blob.len - 8);
	assert_true(shim_log_has(msg));
}

static void test_total_size_too_small(void **state)
{
	u8 *p;

	(void)state;
	blob_init(&blob);
	blob_put32(&blob, 0, 8);
	p = blob_copy(&blob, 8);
	shim_log_clear();
	assert_int_equal(multiboot2_parse(p, 8, MBI_PHYS, &bi), -EINVAL);
	assert_true(shim_log_has("multiboot2: total_size 8 is below the minimum of 16"));
	free(p);

	/* Fewer bytes than the header itself. */
	p = blob_copy(&blob, 4);
	shim_log_clear();
	assert_int_equal(multiboot2_parse(p, 4, MBI_PHYS, &bi), -EINVAL);
	assert_true(shim_log_has("4 bytes readable, the header needs 8"));
	free(p);

	shim_log_clear();
	assert_int_equal(multiboot2_parse(NULL, 4096, MBI_PHYS, &bi), -EINVAL);
}

static void test_tag_past_total_size(void **state)
{
	size_t off;

	(void)state;
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	off = blob_string(&blob, MB2_TAG_CMDLINE, "ktest=all");
	blob_end(&blob);
	blob_put32(&blob, off + 4, 4096);	/* the cmdline claims 4096 bytes */
	assert_int_equal(parse_blob(&blob), 0); /* the memory map came first: kept */
	assert_int_equal(bi.nr_mmap, 2);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.nr_problems, 1);
	char msg[128];

	snprintf(
		msg, sizeof(msg),
		"multiboot2: tag type 1 at offset %zu of size 4096 runs past total_size %zu, stopping",
		off, blob.len);
	assert_true(shim_log_has(msg));

	/* The same with the memory map behind the bad tag: nothing usable. */
	blob_init(&blob);
	off = blob_string(&blob, MB2_TAG_CMDLINE, "ktest=all");
	blob_mmap(&blob, qemu_map, 2);
	blob_end(&blob);
	blob_put32(&blob, off + 4, 0xffffffff);
	assert_int_equal(parse_blob(&blob), -EINVAL);
	assert_true(shim_log_has("of size 4294967295 runs past total_size"));
	assert_true(shim_log_has("multiboot2: no memory map tag"));
}

static void test_tag_size_below_8(void **state)
{
	size_t off;

	(void)state;
	for (u32 size = 0; size < 8; size++) {
		blob_init(&blob);
		blob_mmap(&blob, qemu_map, 4);
		off = blob_tag(&blob, 77, NULL, 0);
		blob_string(&blob, MB2_TAG_CMDLINE, "after");
		blob_end(&blob);
		blob_put32(&blob, off + 4, size);
		assert_int_equal(parse_blob(&blob), 0);
		assert_int_equal(bi.nr_mmap, 4);
		assert_string_equal(bi.cmdline, ""); /* the walk stopped before it */
		assert_int_equal(bi.nr_problems, 1);
		char msg[128];

		snprintf(msg, sizeof(msg),
			 "multiboot2: tag type 77 at offset %zu has size %u, below 8, stopping",
			 off, size);
		assert_true(shim_log_has(msg));
	}
}

static void test_misaligned(void **state)
{
	u8 *p;
	size_t off;

	(void)state;
	/* total_size not a multiple of 8: reported, the tags are still read. */
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 3);
	blob_string(&blob, MB2_TAG_CMDLINE, "x");
	blob_end(&blob);
	blob.len += 4;
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.nr_problems, 1);
	assert_string_equal(bi.cmdline, "x");
	assert_true(shim_log_has("multiboot2: total_size "));
	assert_true(shim_log_has(" is not a multiple of 8"));

	/* The information itself at a misaligned address. */
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 3);
	blob_end(&blob);
	blob_put32(&blob, 0, (u32)blob.len);
	p = malloc(blob.len + 4);
	memcpy(p + 4, blob.buf, blob.len);
	shim_log_clear();
	assert_int_equal(multiboot2_parse(p + 4, blob.len, MBI_PHYS, &bi), -EINVAL);
	assert_true(shim_log_has("is not 8-byte aligned"));
	free(p);

	/*
	 * A loader that forgets the padding: a 13-byte cmdline tag with the
	 * memory map right after it at offset 21. The parser looks at offset 24
	 * and finds type 0x2800, size 0x1800, which runs past the end.
	 */
	blob_init(&blob);
	off = blob_string(&blob, MB2_TAG_CMDLINE, "abcd");
	assert_int_equal(off, 8);
	blob.len = 8 + 13;
	blob_mmap(&blob, qemu_map, 1);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), -EINVAL);
	assert_string_equal(bi.cmdline, "abcd");
	assert_true(shim_log_has(
		"multiboot2: tag type 10240 at offset 24 of size 6144 runs past total_size"));
	assert_true(shim_log_has("multiboot2: no memory map tag"));
}

static void test_unterminated_strings(void **state)
{
	size_t off;
	char big[600];

	(void)state;
	/* The last tag is an unterminated cmdline ending exactly at total_size. */
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	off = blob_tag(&blob, MB2_TAG_CMDLINE, "abc", 3);
	blob.len = off + 11;
	assert_int_equal(parse_blob(&blob), 0);
	assert_string_equal(bi.cmdline, "");
	assert_true(shim_log_has(
		"multiboot2: command line tag is not NUL-terminated within its 3 bytes, refused"));
	/* misaligned total_size, the refused tag, no end tag */
	assert_int_equal(bi.nr_problems, 3);
	assert_true(shim_log_has("multiboot2: no end tag within total_size"));

	/* The loader name and a module name the same way. */
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	blob_tag(&blob, MB2_TAG_LOADER_NAME, "GRUB", 4);
	off = blob_module(&blob, 0x1000, 0x2000, "mod");
	blob_put32(&blob, off + 4, 8 + 8 + 3); /* drop the NUL */
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_string_equal(bi.loader_name, "");
	assert_int_equal(bi.nr_modules, 0);
	assert_int_equal(bi.nr_problems, 2);
	assert_true(shim_log_has(
		"multiboot2: boot loader name tag is not NUL-terminated within its 4 bytes, refused"));
	assert_true(
		shim_log_has("multiboot2: module tag at 0x1000 is not NUL-terminated, refused"));

	/* Too long for boot_info: truncated and counted. */
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	blob_string(&blob, MB2_TAG_CMDLINE, big);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(bi.nr_problems, 1);
	assert_true(
		shim_log_has("multiboot2: command line is 599 characters long, truncated to 511"));
}

static void test_modules(void **state)
{
	(void)state;
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	blob_module(&blob, 0x3000, 0x2000, "backwards");
	for (u32 i = 0; i < BOOT_MODULES_MAX + 2; i++)
		blob_module(&blob, 0x400000 + i * 0x1000, 0x401000 + i * 0x1000,
			    "a-module-name-longer-than-thirty-one-characters");
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.nr_modules, BOOT_MODULES_MAX);
	assert_int_equal(bi.nr_problems, 3);
	assert_true(
		shim_log_has("multiboot2: module [0x3000-0x2000) ends before it starts, refused"));
	assert_true(shim_log_has(
		"multiboot2: more than 16 modules, module [0x410000-0x411000) ignored"));
	assert_int_equal(bi.modules[15].start, 0x40f000);
	assert_string_equal(bi.modules[0].name, "a-module-name-longer-than-thirt");
}

static void test_mmap_entry_size(void **state)
{
	(void)state;
	/* entry_size below 24: the tag is refused, so there is no map. */
	blob_init(&blob);
	blob_mmap_ex(&blob, qemu_map, 3, 16, 0);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), -EINVAL);
	assert_true(shim_log_has("multiboot2: memory map entry_size 16 is below 24, tag refused"));
	assert_true(shim_log_has("multiboot2: no memory map tag"));

	/* Larger entries (a future version) are read by their first 24 bytes. */
	blob_init(&blob);
	blob_mmap_ex(&blob, qemu_map, ARRAY_SIZE(qemu_map), 40, 1);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.nr_problems, 0);
	assert_int_equal(bi.nr_mmap, ARRAY_SIZE(qemu_map));
	for (unsigned int i = 0; i < ARRAY_SIZE(qemu_map); i++)
		expect_entry(i, qemu_map[i].addr, qemu_map[i].len, qemu_map[i].type);
	assert_true(shim_log_has("multiboot2: memory map entry_version 1 (expected 0)"));
}

static void test_mmap_stray_bytes(void **state)
{
	size_t off;

	(void)state;
	blob_init(&blob);
	off = blob_mmap(&blob, qemu_map, 2);
	blob.len += 8;
	blob_put32(&blob, off + 4, 16 + 2 * 24 + 8); /* 2 entries and 8 stray bytes */
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.nr_mmap, 2);
	assert_int_equal(bi.nr_problems, 1);
	assert_true(shim_log_has(
		"multiboot2: memory map tag of 72 bytes holds 2 entries of 24 bytes and 8 stray bytes, ignoring them"));

	/* A second memory map tag is ignored. */
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 3);
	blob_mmap(&blob, qemu_map + 3, 3);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.nr_mmap, 3);
	assert_int_equal(bi.nr_problems, 1);
	assert_true(shim_log_has("multiboot2: second memory map tag at offset"));

	/* A memory map tag too small for its own header. */
	blob_init(&blob);
	blob_tag(&blob, MB2_TAG_MMAP, "\x18\0\0\0", 4);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), -EINVAL);
	assert_true(
		shim_log_has("multiboot2: memory map tag of 12 bytes is too small (16), refused"));
}

static void test_missing_end_and_no_mmap(void **state)
{
	u32 meminfo[2] = { 1, 2 };

	(void)state;
	blob_init(&blob);
	blob_string(&blob, MB2_TAG_CMDLINE, "loglevel=7");
	blob_mmap(&blob, qemu_map, 4);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.nr_problems, 1);
	assert_int_equal(bi.nr_mmap, 4);
	assert_string_equal(bi.cmdline, "loglevel=7");
	assert_true(shim_log_has("multiboot2: no end tag within total_size"));

	blob_init(&blob);
	blob_string(&blob, MB2_TAG_CMDLINE, "loglevel=7");
	blob_tag(&blob, MB2_TAG_BASIC_MEMINFO, meminfo, sizeof(meminfo));
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), -EINVAL);
	assert_true(shim_log_has("multiboot2: no memory map tag"));

	/* An end tag of the wrong size still ends the walk, and is reported. */
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 4);
	blob_tag(&blob, MB2_TAG_END, "\0\0\0\0\0\0\0\0", 8);
	blob_string(&blob, MB2_TAG_CMDLINE, "never read");
	assert_int_equal(parse_blob(&blob), 0);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.nr_problems, 1);
	assert_true(shim_log_has("has size 16 (expected 8)"));
}

/* Parse a blob holding just @n entries; returns the parse result. */
static int parse_map(const struct raw_entry *e, size_t n)
{
	blob_init(&blob);
	blob_mmap(&blob, e, n);
	blob_end(&blob);
	return parse_blob(&blob);
}

static void test_zero_length_and_overflow(void **state)
{
	const struct raw_entry map[] = {
		{ 0x1000, 0, 1 },
		{ 0x100000, 0x100000, 1 },
		{ 0xfffffffffffff000ULL, 0x2000, 2 }, /* wraps */
		{ 0xfffffffffffff000ULL, 0x1000, 2 }, /* ends at 2^64: not representable */
		{ 0xffffffffffffe000ULL, 0x1000, 2 }, /* fine */
	};
	const struct raw_entry only_bad[] = { { 0x5000, 0, 1 } };

	(void)state;
	assert_int_equal(parse_map(map, ARRAY_SIZE(map)), 0);
	assert_int_equal(bi.nr_problems, 3);
	assert_int_equal(bi.nr_mmap, 2);
	expect_entry(0, 0x100000, 0x100000, 1);
	expect_entry(1, 0xffffffffffffe000ULL, 0x1000, 2);
	assert_true(shim_log_has(
		"multiboot2: memory map entry 0 at 0x0000000000001000 (usable) has zero length, dropped"));
	assert_true(shim_log_has(
		"multiboot2: memory map entry 2: 0xfffffffffffff000 + 0x2000 (reserved) runs past the end of the address space, dropped"));
	assert_true(shim_log_has("multiboot2: memory map entry 3: 0xfffffffffffff000 + 0x1000"));

	assert_int_equal(parse_map(only_bad, 1), -EINVAL);
	assert_true(shim_log_has("multiboot2: memory map is empty after sanitising"));
	assert_int_equal(parse_map(NULL, 0), -EINVAL);
	assert_true(shim_log_has("multiboot2: memory map is empty after sanitising"));
}

static void test_overlap_usable_inside_reserved(void **state)
{
	const struct raw_entry map[] = {
		{ 0x100000, 0x7f00000, 1 },
		{ 0x200000, 0x100000, 2 },
	};
	const struct raw_entry map2[] = {
		{ 0x0, 0x100000, 2 },
		{ 0x9f000, 0x1000, 1 },
	};

	(void)state;
	assert_int_equal(parse_map(map, ARRAY_SIZE(map)), 0);
	assert_int_equal(bi.nr_problems, 1);
	assert_int_equal(bi.nr_mmap, 3);
	expect_entry(0, 0x100000, 0x100000, 1);
	expect_entry(1, 0x200000, 0x100000, 2);
	expect_entry(2, 0x300000, 0x7d00000, 1);
	assert_true(shim_log_has(
		"multiboot2: memory map entries overlap: [mem 0x0000000000100000-0x0000000007ffffff] usable and [mem 0x0000000000200000-0x00000000002fffff] reserved, keeping reserved\n"));

	assert_int_equal(parse_map(map2, ARRAY_SIZE(map2)), 0);
	assert_int_equal(bi.nr_problems, 1);
	assert_int_equal(bi.nr_mmap, 1);
	expect_entry(0, 0, 0x100000, 2);
	assert_true(shim_log_has(
		"[mem 0x0000000000000000-0x00000000000fffff] reserved and [mem 0x000000000009f000-0x000000000009ffff] usable, keeping reserved"));
}

static void test_overlap_partial_and_identical(void **state)
{
	const struct raw_entry partial[] = {
		{ 0x0, 0x3000, 1 },
		{ 0x2000, 0x3000, 3 }, /* ACPI data over the usable tail */
		{ 0x4000, 0x2000, 4 }, /* NVS beats ACPI data */
		{ 0x5800, 0x1000, 7 }, /* type 7 beats NVS */
	};
	const struct raw_entry identical[] = {
		{ 0x100000, 0x100000, 1 },
		{ 0x100000, 0x100000, 2 },
		{ 0x300000, 0x1000, 1 },
		{ 0x300000, 0x1000, 1 },
	};

	(void)state;
	assert_int_equal(parse_map(partial, ARRAY_SIZE(partial)), 0);
	assert_int_equal(bi.nr_problems, 3);
	assert_int_equal(bi.nr_mmap, 4);
	expect_entry(0, 0x0, 0x2000, 1);
	expect_entry(1, 0x2000, 0x2000, 3);
	expect_entry(2, 0x4000, 0x1800, 4);
	expect_entry(3, 0x5800, 0x1000, 7);
	assert_true(shim_log_has(
		"usable and [mem 0x0000000000002000-0x0000000000004fff] ACPI data, keeping ACPI data"));
	assert_true(shim_log_has(
		"ACPI data and [mem 0x0000000000004000-0x0000000000005fff] ACPI NVS, keeping ACPI NVS"));
	assert_true(shim_log_has(
		"ACPI NVS and [mem 0x0000000000005800-0x00000000000067ff] type 7, keeping type 7"));

	assert_int_equal(parse_map(identical, ARRAY_SIZE(identical)), 0);
	assert_int_equal(bi.nr_problems, 2);
	assert_int_equal(bi.nr_mmap, 2);
	expect_entry(0, 0x100000, 0x100000, 2);
	expect_entry(1, 0x300000, 0x1000, 1);
	assert_true(shim_log_has(
		"[mem 0x0000000000100000-0x00000000001fffff] usable and [mem 0x0000000000100000-0x00000000001fffff] reserved, keeping reserved"));
	assert_true(shim_log_has(
		"[mem 0x0000000000300000-0x0000000000300fff] usable and [mem 0x0000000000300000-0x0000000000300fff] usable, merging them"));
}

static void test_unsorted_and_adjacent(void **state)
{
	struct raw_entry rev[ARRAY_SIZE(qemu_map)];
	const struct raw_entry adjacent[] = {
		{ 0x2000, 0x1000, 1 }, { 0x0, 0x1000, 1 },
		{ 0x1000, 0x1000, 1 }, { 0x3000, 0x1000, 2 },
		{ 0x4000, 0x1000, 2 }, { 0x6000, 0x1000, 2 }, /* a gap before it: stays apart */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(qemu_map); i++)
		rev[i] = qemu_map[ARRAY_SIZE(qemu_map) - 1 - i];
	assert_int_equal(parse_map(rev, ARRAY_SIZE(rev)), 0);
	assert_int_equal(bi.nr_problems, 0);
	assert_int_equal(bi.nr_mmap, ARRAY_SIZE(qemu_map));
	for (unsigned int i = 0; i < ARRAY_SIZE(qemu_map); i++)
		expect_entry(i, qemu_map[i].addr, qemu_map[i].len, qemu_map[i].type);
	assert_true(shim_log_has("multiboot2: memory map is not sorted by address, sorting it"));

	assert_int_equal(parse_map(adjacent, ARRAY_SIZE(adjacent)), 0);
	assert_int_equal(bi.nr_problems, 0);
	assert_int_equal(bi.nr_mmap, 3);
	expect_entry(0, 0x0, 0x3000, 1);
	expect_entry(1, 0x3000, 0x2000, 2);
	expect_entry(2, 0x6000, 0x1000, 2);
}

static void test_mmap_too_many(void **state)
{
	static struct raw_entry map[2 * BOOT_MMAP_MAX];

	(void)state;
	/* 130 disjoint entries: the last two do not fit the scratch list. */
	for (u32 i = 0; i < BOOT_MMAP_MAX + 2; i++)
		map[i] = (struct raw_entry){ 0x100000ULL * i, 0x1000, 1 };
	assert_int_equal(parse_map(map, BOOT_MMAP_MAX + 2), 0);
	assert_int_equal(bi.nr_mmap, BOOT_MMAP_MAX);
	assert_int_equal(bi.nr_problems, 2);
	assert_true(shim_log_has(
		"multiboot2: memory map entry 129 [mem 0x0000000008100000-0x0000000008100fff] is beyond the first 128, dropped"));
	check_map_invariants(&bi);

	/* 64 usable ranges each split by a reserved one: 192 results, 128 kept. */
	for (u32 i = 0; i < 64; i++) {
		map[2 * i] = (struct raw_entry){ 0x100000ULL * i, 0x3000, 1 };
		map[2 * i + 1] = (struct raw_entry){ 0x100000ULL * i + 0x1000, 0x1000, 2 };
	}
	assert_int_equal(parse_map(map, 128), 0);
	assert_int_equal(bi.nr_mmap, BOOT_MMAP_MAX);
	assert_int_equal(bi.nr_problems, 64 + 64);
	assert_true(shim_log_has("multiboot2: sanitised memory map has more than 128 entries"));
	check_map_invariants(&bi);
	expect_entry(127, 0x100000ULL * 42 + 0x1000, 0x1000, 2);
}

static void test_type_names(void **state)
{
	const struct raw_entry map[] = {
		{ 0x0, 0x1000, 1 },    { 0x1000, 0x1000, 2 }, { 0x2000, 0x1000, 3 },
		{ 0x3000, 0x1000, 4 }, { 0x4000, 0x1000, 5 }, { 0x5000, 0x1000, 12 },
	};

	(void)state;
	assert_string_equal(boot_mmap_type_name(1), "usable");
	assert_string_equal(boot_mmap_type_name(2), "reserved");
	assert_string_equal(boot_mmap_type_name(3), "ACPI data");
	assert_string_equal(boot_mmap_type_name(4), "ACPI NVS");
	assert_string_equal(boot_mmap_type_name(5), "unusable");
	assert_string_equal(boot_mmap_type_name(0), "unknown");
	assert_string_equal(boot_mmap_type_name(12), "unknown");
	assert_int_equal(parse_map(map, ARRAY_SIZE(map)), 0);
	shim_log_clear();
	boot_mmap_dump(&bi);
	assert_true(
		shim_log_has("BIOS-e820: [mem 0x0000000000002000-0x0000000000002fff] ACPI data\n"));
	assert_true(
		shim_log_has("BIOS-e820: [mem 0x0000000000003000-0x0000000000003fff] ACPI NVS\n"));
	assert_true(
		shim_log_has("BIOS-e820: [mem 0x0000000000004000-0x0000000000004fff] unusable\n"));
	assert_true(
		shim_log_has("BIOS-e820: [mem 0x0000000000005000-0x0000000000005fff] type 12\n"));
}

/*
 * The sanitiser against a shadow model: random entries over 64 pages, the
 * model keeps one type per page by the same rule (anything beats usable,
 * else the higher type), and the output, expanded to pages, must match it.
 */
#define MODEL_PAGES 64

static u32 model_rank(u32 t)
{
	return t == 1 ? 0 : t + 1;
}

static void test_sanitise_model(void **state)
{
	struct raw_entry map[24];
	u32 model[MODEL_PAGES];
	bool covered[MODEL_PAGES];

	(void)state;
	memset(model, 0, sizeof(model));
	srand(4242);
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = 1 + rand() % ARRAY_SIZE(map);
		unsigned int overlaps = 0;

		memset(covered, 0, sizeof(covered));
		for (size_t i = 0; i < n; i++) {
			u32 first = rand() % MODEL_PAGES;
			u32 pages = 1 + rand() % min(8u, MODEL_PAGES - first);
			u32 type = 1 + (rand() % 3 == 0 ? rand() % 6 : 0);

			map[i] = (struct raw_entry){ first * 0x1000ULL, pages * 0x1000ULL, type };
			for (u32 p = first; p < first + pages; p++) {
				if (!covered[p] || model_rank(type) > model_rank(model[p]))
					model[p] = type;
				covered[p] = true;
			}
		}
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (map[i].addr < map[j].addr + map[j].len &&
				    map[j].addr < map[i].addr + map[i].len)
					overlaps++;

		assert_int_equal(parse_map(map, n), 0);
		assert_int_equal(bi.nr_problems, overlaps);
		check_map_invariants(&bi);
		for (u32 p = 0; p < MODEL_PAGES; p++) {
			u32 got = 0;
			bool found = false;

			for (unsigned int k = 0; k < bi.nr_mmap; k++) {
				if (bi.mmap[k].addr <= p * 0x1000ULL &&
				    p * 0x1000ULL < bi.mmap[k].addr + bi.mmap[k].len) {
					got = bi.mmap[k].type;
					found = true;
				}
			}
			if (found != covered[p] || (found && got != model[p]))
				fail_msg("iteration %d page %u: got %s type %u, model %s type %u",
					 iter, p, found ? "covered" : "hole", got,
					 covered[p] ? "covered" : "hole", model[p]);
		}
	}
}

/* ---- EFI tags (12, 17), GRUB's command-line quoting, the text screen ---- */

struct efi_entry {
	u32 type;
	u64 start, pages, attr;
};

#define EFI_WB_ETC 0xfULL
#define EFI_RT	   (EFI_WB_ETC | (1ULL << 63))

/* An OVMF-like map (sorted, disjoint) that agrees with efi_mb2_map below. */
static const struct efi_entry ovmf_efi[] = {
	{ EFI_BOOT_SERVICES_CODE, 0x0, 1, EFI_WB_ETC },
	{ EFI_CONVENTIONAL_MEMORY, 0x1000, 0x9f, EFI_WB_ETC },
	{ EFI_LOADER_DATA, 0x100000, 0x100, EFI_WB_ETC },
	{ EFI_BOOT_SERVICES_DATA, 0x200000, 0x10, EFI_WB_ETC },
	{ EFI_BOOT_SERVICES_CODE, 0x210000, 0x10, EFI_WB_ETC },
	{ EFI_BOOT_SERVICES_DATA, 0x220000, 0x5e0, EFI_WB_ETC },
	{ EFI_ACPI_MEMORY_NVS, 0x800000, 0x8, EFI_WB_ETC },
	{ EFI_CONVENTIONAL_MEMORY, 0x808000, 0x7f8, EFI_WB_ETC },
	{ EFI_RUNTIME_SERVICES_DATA, 0x1000000, 0x10, EFI_RT },
	{ EFI_RUNTIME_SERVICES_CODE, 0x1010000, 0x10, EFI_RT },
	{ EFI_ACPI_RECLAIM_MEMORY, 0x1020000, 0x10, EFI_WB_ETC },
	{ EFI_CONVENTIONAL_MEMORY, 0x1030000, 0x1000, EFI_WB_ETC },
};

static const struct raw_entry efi_mb2_map[] = {
	{ 0x0, 0xa0000, 1 },	   { 0x100000, 0x700000, 1 },	{ 0x800000, 0x8000, 4 },
	{ 0x808000, 0x7f8000, 1 }, { 0x1000000, 0x10000, 2 },	{ 0x1010000, 0x10000, 20 },
	{ 0x1020000, 0x10000, 3 }, { 0x1030000, 0x1000000, 1 },
};

/* An EFI memory map tag: @n descriptors of @desc_size bytes (>= 40 zero padded, or cut). */
static size_t blob_efi_mmap_ex(struct blob *b, const struct efi_entry *e, size_t n, u32 desc_size,
			       u32 version, size_t extra)
{
	static u8 payload[8 + 256 * 64];
	size_t plen = 8 + n * desc_size + extra;

	assert_true(plen <= sizeof(payload));
	memset(payload, 0, sizeof(payload));
	memcpy(payload, &desc_size, 4);
	memcpy(payload + 4, &version, 4);
	for (size_t i = 0; i < n; i++) {
		struct efi_memory_desc d = { e[i].type, 0, e[i].start, 0, e[i].pages, e[i].attr };

		memcpy(payload + 8 + i * desc_size, &d, min(sizeof(d), (size_t)desc_size));
	}
	return blob_tag(b, MB2_TAG_EFI_MMAP, payload, plen);
}

static size_t blob_efi_mmap(struct blob *b, const struct efi_entry *e, size_t n)
{
	return blob_efi_mmap_ex(b, e, n, 48, 1, 0);
}

static size_t blob_efi64(struct blob *b, u64 systab)
{
	return blob_tag(b, MB2_TAG_EFI64, &systab, sizeof(systab));
}

/* The multiboot2 map plus an EFI map tag holding @n of @e. */
static int parse_efi(const struct efi_entry *e, size_t n)
{
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_efi_mmap(&blob, e, n);
	blob_end(&blob);
	return parse_blob(&blob);
}

/* Parse @size bytes of @src from an exact-size copy; check what came out. */
static void fuzz_one(const u8 *src, size_t size, size_t avail)
{
	u8 *p = malloc(avail ? avail : 1);
	int ret;

	memcpy(p, src, min(size, avail));
	ret = multiboot2_parse(p, avail, MBI_PHYS, &bi);
	free(p);
	assert_true(ret == 0 || ret == -EINVAL);
	assert_true(strnlen(bi.cmdline, sizeof(bi.cmdline)) < sizeof(bi.cmdline));
	assert_true(strnlen(bi.loader_name, sizeof(bi.loader_name)) < sizeof(bi.loader_name));
	assert_true(bi.nr_modules <= BOOT_MODULES_MAX);
	if (ret == 0) {
		assert_true(bi.nr_mmap > 0);
		check_map_invariants(&bi);
	}
	if (bi.rsdp_phys)
		assert_true(bi.rsdp_phys > MBI_PHYS && bi.rsdp_phys < MBI_PHYS + bi.mbi_size);
	assert_true(bi.efi.nr_mmap <= BOOT_EFI_MMAP_MAX);
	for (unsigned int i = 0; i < bi.efi.nr_mmap; i++) {
		const struct boot_efi_mmap_entry *e = &bi.efi.mmap[i];

		assert_true(e->pages > 0 && (e->start & 0xfff) == 0);
		assert_true(efi_end(e) > e->start); /* no wrap */
		if (i > 0)
			assert_true(bi.efi.mmap[i - 1].start <= e->start);
	}
}

static void test_fuzz(void **state)
{
	static u8 good[4096], buf[4096];
	size_t good_len;
	struct mb2_tag_framebuffer fb = { .addr = 0xfd000000, .bpp = 32 };

	(void)state;
	blob_init(&blob);
	blob_string(&blob, MB2_TAG_CMDLINE, "ktest=all");
	blob_string(&blob, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	blob_module(&blob, 0x200000, 0x201000, "m");
	blob_mmap(&blob, qemu_map, ARRAY_SIZE(qemu_map));
	blob_tag(&blob, MB2_TAG_FRAMEBUFFER, (u8 *)&fb + 8, sizeof(fb) - 8);
	blob_rsdp(&blob, MB2_TAG_ACPI_NEW, 2);
	blob_efi64(&blob, 0x1000018);
	blob_efi_mmap(&blob, ovmf_efi, 6);
	blob_end(&blob);
	blob_put32(&blob, 0, (u32)blob.len);
	good_len = blob.len;
	memcpy(good, blob.buf, good_len);

	srand(7);
	for (int iter = 0; iter < 10000; iter++) {
		size_t size = good_len, avail;
		int kind = rand() % 4;

		memcpy(buf, good, good_len);
		if (kind == 0) {
			/* Pure noise, with a plausible total_size half of the time. */
			size = 8 + rand() % 512;
			for (size_t i = 0; i < size; i++)
				buf[i] = rand();
			if (rand() % 2)
				memcpy(buf, &(u32){ (u32)size }, 4);
		} else if (kind == 1) {
			/* Flip a few bytes anywhere. */
			for (int k = 1 + rand() % 6; k > 0; k--)
				buf[rand() % size] = rand();
		} else if (kind == 2) {
			/* Rewrite a size or type field with an edge value. */
			static const u32 edge[] = { 0,	1,    7,	  8,	      9,
						    15, 16,   23,	  24,	      25,
						    40, 4095, 0x7fffffff, 0xfffffff8, 0xffffffff };
			size_t off = 4 * (rand() % (size / 4));

			memcpy(buf + off, &edge[rand() % ARRAY_SIZE(edge)], 4);
		} else {
			/* Cut the blob short, sometimes fixing total_size to match. */
			size = rand() % (good_len + 1);
			if (rand() % 2 && size >= 4)
				memcpy(buf, &(u32){ (u32)size }, 4);
		}
		avail = size;
		if (rand() % 8 == 0 && avail)
			avail -= 1 + rand() % avail; /* less mapped than written */
		fuzz_one(buf, size, avail);
	}
}

static void test_efi_good(void **state)
{
	(void)state;
	blob_init(&blob);
	blob_string(&blob, MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u2");
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_efi64(&blob, 0x1000018);
	blob_efi_mmap(&blob, ovmf_efi, ARRAY_SIZE(ovmf_efi));
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.nr_problems, 0);
	assert_string_equal(shim_log, "");
	assert_true(bi.efi.has_systab);
	assert_int_equal(bi.efi.systab, 0x1000018);
	assert_true(bi.efi.has_mmap);
	assert_int_equal(bi.efi.desc_size, 48);
	assert_int_equal(bi.efi.desc_version, 1);
	assert_int_equal(bi.efi.nr_mmap, ARRAY_SIZE(ovmf_efi));
	for (unsigned int i = 0; i < ARRAY_SIZE(ovmf_efi); i++) {
		assert_int_equal(bi.efi.mmap[i].type, ovmf_efi[i].type);
		assert_int_equal(bi.efi.mmap[i].start, ovmf_efi[i].start);
		assert_int_equal(bi.efi.mmap[i].pages, ovmf_efi[i].pages);
		assert_int_equal(bi.efi.mmap[i].attr, ovmf_efi[i].attr);
	}
	assert_int_equal(bi.efi.nr_conflicts, 0);
	assert_int_equal(bi.efi.usable_only_in_efi, 0);
	assert_int_equal(bi.nr_mmap, ARRAY_SIZE(efi_mb2_map));

	shim_log_clear();
	boot_mmap_dump(&bi);
	assert_true(shim_log_has(
		"efi: EFI64 system table at 0x1000018 (Runtime Services Data)\n"
		"efi: memory map: 12 descriptors of 48 bytes (version 1)\n"
		"efi: [mem 0x0000000000000000-0x0000000000000fff] Boot Services Code      WB|WT|WC|UC\n"
		"efi: [mem 0x0000000000001000-0x000000000009ffff] Conventional Memory     WB|WT|WC|UC\n"
		"efi: [mem 0x0000000000100000-0x00000000001fffff] Loader Data             WB|WT|WC|UC\n"
		"efi: [mem 0x0000000000200000-0x00000000007fffff] Boot Services Code+Data WB|WT|WC|UC (3 descriptors)\n"
		"efi: [mem 0x0000000000800000-0x0000000000807fff] ACPI Memory NVS         WB|WT|WC|UC\n"
		"efi: [mem 0x0000000000808000-0x0000000000ffffff] Conventional Memory     WB|WT|WC|UC\n"
		"efi: [mem 0x0000000001000000-0x000000000100ffff] Runtime Services Data   RUNTIME|WB|WT|WC|UC\n"
		"efi: [mem 0x0000000001010000-0x000000000101ffff] Runtime Services Code   RUNTIME|WB|WT|WC|UC\n"
		"efi: [mem 0x0000000001020000-0x000000000102ffff] ACPI Reclaim Memory     WB|WT|WC|UC\n"
		"efi: [mem 0x0000000001030000-0x000000000202ffff] Conventional Memory     WB|WT|WC|UC\n"
		"efi: cross-check with the multiboot2 map: 0 firmware ranges were usable there (now reserved), 0 KiB usable only in the EFI map\n"));
}

/* Descriptors in any order come out sorted; a larger descriptor size is fine. */
static void test_efi_unsorted_and_wide(void **state)
{
	struct efi_entry rev[ARRAY_SIZE(ovmf_efi)];

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(ovmf_efi); i++)
		rev[i] = ovmf_efi[ARRAY_SIZE(ovmf_efi) - 1 - i];
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_efi_mmap_ex(&blob, rev, ARRAY_SIZE(rev), 64, 1, 0);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.nr_problems, 0);
	assert_int_equal(bi.efi.nr_mmap, ARRAY_SIZE(ovmf_efi));
	for (unsigned int i = 0; i < ARRAY_SIZE(ovmf_efi); i++)
		assert_int_equal(bi.efi.mmap[i].start, ovmf_efi[i].start);
}

/* Malformed tags are refused whole, with a message; the mb2 map still parses. */
static void test_efi_bad_tags(void **state)
{
	(void)state;
	/* Descriptor size below sizeof(EFI_MEMORY_DESCRIPTOR). */
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_efi_mmap_ex(&blob, ovmf_efi, 4, 32, 1, 0);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_false(bi.efi.has_mmap);
	assert_int_equal(bi.efi.nr_mmap, 0);
	assert_int_equal(bi.nr_problems, 1);
	assert_true(shim_log_has(
		"multiboot2: EFI memory map descriptor size 32 is below the 40 of EFI_MEMORY_DESCRIPTOR, tag refused\n"));

	/* Descriptor size 0 (a division by zero if not refused first). */
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_efi_mmap_ex(&blob, ovmf_efi, 0, 0, 1, 48);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_false(bi.efi.has_mmap);
	assert_true(shim_log_has("descriptor size 0 is below the 40"));

	/* A total that is not a multiple of the descriptor size. */
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_efi_mmap_ex(&blob, ovmf_efi, 3, 48, 1, 8);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_false(bi.efi.has_mmap);
	assert_int_equal(bi.nr_problems, 1);
	assert_true(shim_log_has(
		"multiboot2: EFI memory map of 152 bytes is not a multiple of its descriptor size 48, tag refused\n"));

	/* No descriptors at all. */
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_efi_mmap_ex(&blob, ovmf_efi, 0, 48, 1, 0);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_false(bi.efi.has_mmap);
	assert_true(shim_log_has("multiboot2: EFI memory map tag holds no descriptors, refused\n"));

	/* A tag too small for its own header. */
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_tag(&blob, MB2_TAG_EFI_MMAP, "\x30\0\0\0", 4);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_false(bi.efi.has_mmap);
	assert_true(shim_log_has(
		"multiboot2: EFI memory map tag of 12 bytes is too small (16), refused\n"));

	/* Another version: read, with a warning, not counted as a problem. */
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_efi_mmap_ex(&blob, ovmf_efi, ARRAY_SIZE(ovmf_efi), 48, 2, 0);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_true(bi.efi.has_mmap);
	assert_int_equal(bi.nr_problems, 0);
	assert_true(shim_log_has("descriptor version 2 (expected 1)"));

	/* A second EFI map tag is ignored. */
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_efi_mmap(&blob, ovmf_efi, ARRAY_SIZE(ovmf_efi));
	blob_efi_mmap(&blob, ovmf_efi, 2);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.efi.nr_mmap, ARRAY_SIZE(ovmf_efi));
	assert_int_equal(bi.nr_problems, 1);
	assert_true(shim_log_has("multiboot2: second EFI memory map tag at offset"));

	/* The system table tag: too small, NULL, misaligned. */
	blob_init(&blob);
	blob_mmap(&blob, efi_mb2_map, ARRAY_SIZE(efi_mb2_map));
	blob_tag(&blob, MB2_TAG_EFI64, "\x18\0\0\0", 4);
	blob_efi64(&blob, 0);
	blob_efi64(&blob, 0x1000001);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_false(bi.efi.has_systab);
	assert_int_equal(bi.nr_problems, 3);
	assert_true(
		shim_log_has("EFI64 system table tag of 12 bytes is too small (16), refused\n"));
	assert_true(shim_log_has("EFI64 system table pointer 0x0 is NULL, refused\n"));
	assert_true(shim_log_has("EFI64 system table pointer 0x1000001 is misaligned, refused\n"));
}

/* Bad descriptors are dropped one by one; the others are kept. */
static void test_efi_bad_descriptors(void **state)
{
	struct efi_entry e[] = {
		{ EFI_CONVENTIONAL_MEMORY, 0x1000, 0x9f, EFI_WB_ETC },
		{ EFI_CONVENTIONAL_MEMORY, 0x200000, 0, EFI_WB_ETC },	 /* empty */
		{ EFI_LOADER_DATA, 0x300800, 1, EFI_WB_ETC },		 /* misaligned */
		{ EFI_RESERVED_TYPE, 0xfffffffffffff000ULL, 2, 0 },	 /* wraps */
		{ EFI_RESERVED_TYPE, 0x1000, 0x0010000000000000ULL, 0 }, /* wraps */
		{ 0x70000001, 0x1030000, 1, EFI_WB_ETC }, /* OEM type: kept, and kept off */
	};

	(void)state;
	assert_int_equal(parse_efi(e, ARRAY_SIZE(e)), 0);
	assert_int_equal(bi.efi.nr_mmap, 2);
	assert_int_equal(bi.efi.mmap[1].type, 0x70000001);
	assert_int_equal(bi.nr_problems, 5); /* 4 dropped, 1 conflict with usable RAM */
	assert_true(shim_log_has(
		"multiboot2: EFI memory descriptor 1: 0 pages at 0x200000 (Conventional Memory) is empty, dropped\n"));
	assert_true(shim_log_has(
		"multiboot2: EFI memory descriptor 2: 1 pages at 0x300800 (Loader Data) is not page-aligned, dropped\n"));
	assert_true(shim_log_has(
		"multiboot2: EFI memory descriptor 3: 2 pages at 0xfffffffffffff000 (Reserved) is past the end of the address space, dropped\n"));
	assert_true(shim_log_has(
		"multiboot2: EFI memory descriptor 4: 4503599627370496 pages at 0x1000 (Reserved) is past the end of the address space, dropped\n"));
	assert_true(shim_log_has(
		"multiboot2: EFI [mem 0x0000000001030000-0x0000000001030fff] unknown overlaps usable"));
}

/* Only a huge descriptor, whose end would wrap to below its start. */
static void test_efi_descriptor_wraps(void **state)
{
	struct efi_entry e[] = { { EFI_RESERVED_TYPE, 0x1000, 0x0010000000000000ULL, 0 } };

	(void)state;
	assert_int_equal(parse_efi(e, 1), 0);
	assert_int_equal(bi.efi.nr_mmap, 0);
	assert_int_equal(bi.nr_problems, 1);
	assert_true(shim_log_has("is past the end of the address space, dropped\n"));
}

static void test_efi_overlapping_descriptors(void **state)
{
	struct efi_entry e[] = {
		{ EFI_CONVENTIONAL_MEMORY, 0x100000, 0x100, EFI_WB_ETC },
		{ EFI_LOADER_DATA, 0x180000, 0x100, EFI_WB_ETC },
	};

	(void)state;
	assert_int_equal(parse_efi(e, ARRAY_SIZE(e)), 0);
	assert_int_equal(bi.efi.nr_mmap, 2);
	assert_int_equal(bi.nr_problems, 1);
	assert_true(shim_log_has(
		"multiboot2: EFI memory descriptors overlap: [mem 0x0000000000100000-0x00000000001fffff] Conventional Memory and [mem 0x0000000000180000-0x000000000027ffff] Loader Data\n"));
}

/*
 * Cross-check: firmware memory that the multiboot2 map calls usable becomes
 * reserved (once reported), and RAM only the EFI map offers is counted.
 */
static void test_efi_cross_check(void **state)
{
	struct efi_entry e[] = {
		{ EFI_CONVENTIONAL_MEMORY, 0x0, 0xa0, EFI_WB_ETC },
		{ EFI_RUNTIME_SERVICES_DATA, 0x200000, 0x10, EFI_RT },	 /* usable in mb2 */
		{ EFI_ACPI_MEMORY_NVS, 0x1040000, 0x2, EFI_WB_ETC },	 /* usable in mb2 */
		{ EFI_BOOT_SERVICES_DATA, 0x1000000, 0x10, EFI_WB_ETC }, /* reserved in mb2 */
	};

	(void)state;
	assert_int_equal(parse_efi(e, ARRAY_SIZE(e)), 0);
	assert_int_equal(bi.efi.nr_conflicts, 2);
	assert_int_equal(bi.nr_problems, 2);
	assert_true(shim_log_has(
		"multiboot2: EFI [mem 0x0000000000200000-0x000000000020ffff] Runtime Services Data overlaps usable [mem 0x0000000000100000-0x00000000007fffff] of the multiboot2 map, keeping it reserved\n"));
	assert_true(shim_log_has(
		"multiboot2: EFI [mem 0x0000000001040000-0x0000000001041fff] ACPI Memory NVS overlaps usable [mem 0x0000000001030000-0x000000000202ffff] of the multiboot2 map, keeping it ACPI NVS\n"));
	assert_false(shim_log_has("memory map entries overlap"));
	assert_int_equal(bi.efi.usable_only_in_efi, 0x10000);
	check_map_invariants(&bi);
	/* The usable range was split around the runtime data. */
	for (unsigned int i = 0; i < bi.nr_mmap; i++) {
		const struct boot_mmap_entry *m = &bi.mmap[i];

		if (m->addr <= 0x200000 && 0x200000 < m->addr + m->len)
			assert_int_equal(m->type, MB2_MEMORY_RESERVED);
		if (m->addr <= 0x1040000 && 0x1040000 < m->addr + m->len)
			assert_int_equal(m->type, MB2_MEMORY_NVS);
	}
	expect_entry(1, 0x100000, 0x100000, 1);
	expect_entry(2, 0x200000, 0x10000, 2);
	expect_entry(3, 0x210000, 0x5f0000, 1);
	shim_log_clear();
	boot_mmap_dump(&bi);
	assert_true(shim_log_has(
		"efi: cross-check with the multiboot2 map: 2 firmware ranges were usable there (now reserved), 64 KiB usable only in the EFI map\n"));
}

/*
 * Regression: with a full multiboot2 map (BOOT_MMAP_MAX entries) the EFI
 * cross-check had no room left to re-reserve a firmware range, so runtime
 * data inside a usable entry stayed usable and went to the allocators.
 */
static void test_efi_reservation_with_full_map(void **state)
{
	static struct raw_entry full[BOOT_MMAP_MAX];
	struct efi_entry e[] = {
		{ EFI_CONVENTIONAL_MEMORY, 0x0, 0x80, EFI_WB_ETC },
		{ EFI_RUNTIME_SERVICES_DATA, 0x100000, 0x10, EFI_RT },
	};

	(void)state;
	for (unsigned int i = 0; i < BOOT_MMAP_MAX; i++)
		full[i] = (struct raw_entry){ (u64)i << 20, 0x80000, 1 };
	blob_init(&blob);
	blob_mmap(&blob, full, ARRAY_SIZE(full));
	blob_efi_mmap(&blob, e, ARRAY_SIZE(e));
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(bi.efi.nr_conflicts, 1);
	check_map_invariants(&bi);
	for (unsigned int i = 0; i < bi.nr_mmap; i++) {
		const struct boot_mmap_entry *m = &bi.mmap[i];

		if (m->addr < 0x110000 && 0x100000 < m->addr + m->len)
			assert_int_not_equal(m->type, MB2_MEMORY_AVAILABLE);
	}
	assert_false(shim_log_has("EFI descriptor 1 [mem"));
}

static void test_efi_names(void **state)
{
	char buf[96];

	(void)state;
	assert_string_equal(efi_mem_type_name(EFI_RESERVED_TYPE), "Reserved");
	assert_string_equal(efi_mem_type_name(EFI_CONVENTIONAL_MEMORY), "Conventional Memory");
	assert_string_equal(efi_mem_type_name(EFI_UNACCEPTED_MEMORY), "Unaccepted Memory");
	assert_string_equal(efi_mem_type_name(16), "unknown");
	assert_string_equal(efi_mem_type_name(0x80000000u), "unknown");
	assert_string_equal(efi_attr_str(0, buf, sizeof(buf)), "");
	assert_string_equal(efi_attr_str(EFI_RT | (1ULL << 14), buf, sizeof(buf)),
			    "RUNTIME|XP|WB|WT|WC|UC");
	assert_string_equal(efi_attr_str((1ULL << 5) | 1, buf, sizeof(buf)), "UC|0x20");
	/* A buffer too small is cut, never overrun (ASan watches). */
	assert_int_equal(strlen(efi_attr_str(EFI_RT, buf, 8)), 7);
}

/* GRUB's quoting (a backslash before \ ' ", quotes around words with a space) is undone. */
static void test_cmdline_grub_unquote(void **state)
{
	static const struct {
		const char *loader, *raw, *want;
	} cases[] = {
		{ "GRUB 2.06", "poweroff", "poweroff" },
		{ "GRUB 2.06", "a\\\"b \"c d\" x\\\\y q\\'r", "a\"b c d x\\y q'r" },
		{ "GRUB 2.06", "\"  two  spaces \"", "  two  spaces " },
		{ "GRUB 2.06", "trailing\\", "trailing\\" },
		{ "GRUB 2.06", "\\n \\$ kept", "\\n \\$ kept" },
		{ "GRUB 2.06", "\"\"", "" },
		{ "other", "a\\\"b \"c\"", "a\\\"b \"c\"" }, /* not GRUB: as given */
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		blob_init(&blob);
		blob_string(&blob, MB2_TAG_CMDLINE, cases[i].raw);
		blob_string(&blob, MB2_TAG_LOADER_NAME, cases[i].loader); /* after, as GRUB does */
		blob_mmap(&blob, qemu_map, 2);
		blob_end(&blob);
		assert_int_equal(parse_blob(&blob), 0);
		assert_string_equal(bi.cmdline, cases[i].want);
		assert_int_equal(bi.nr_problems, 0);
	}
}

/* Truncation counts the decoded length: 511 decoded characters fit, quotes or not. */
static void test_cmdline_grub_unquote_long(void **state)
{
	char raw[BOOT_CMDLINE_MAX + 16];

	(void)state;
	raw[0] = '"';
	memset(raw + 1, 'x', BOOT_CMDLINE_MAX - 1);
	strcpy(raw + BOOT_CMDLINE_MAX, "\"");
	blob_init(&blob);
	blob_string(&blob, MB2_TAG_LOADER_NAME, "GRUB");
	blob_string(&blob, MB2_TAG_CMDLINE, raw);
	blob_mmap(&blob, qemu_map, 2);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(bi.nr_problems, 0);

	strcpy(raw + BOOT_CMDLINE_MAX, "yz\"");
	blob_init(&blob);
	blob_string(&blob, MB2_TAG_LOADER_NAME, "GRUB");
	blob_string(&blob, MB2_TAG_CMDLINE, raw);
	blob_mmap(&blob, qemu_map, 2);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(bi.nr_problems, 1);
	assert_true(shim_log_has(
		"multiboot2: command line is 513 characters long, truncated to 511\n"));

	/* Unterminated: refused. */
	blob_init(&blob);
	blob_string(&blob, MB2_TAG_LOADER_NAME, "GRUB");
	blob_tag(&blob, MB2_TAG_CMDLINE, "abcdefgh", 8);
	blob_mmap(&blob, qemu_map, 2);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_string_equal(bi.cmdline, "");
	assert_true(shim_log_has("command line tag is not NUL-terminated within its 8 bytes"));
}

static void test_text_screen(void **state)
{
	struct mb2_tag_framebuffer fb = { .addr = 0xb8000,
					  .pitch = 160,
					  .width = 80,
					  .height = 25,
					  .bpp = 16,
					  .type = MB2_FB_TYPE_EGA_TEXT };

	(void)state;
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	blob_tag(&blob, MB2_TAG_FRAMEBUFFER, (u8 *)&fb + 8, sizeof(fb) - 8);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_true(boot_has_text_screen(&bi));

	fb.type = MB2_FB_TYPE_RGB;
	blob_init(&blob);
	blob_mmap(&blob, qemu_map, 2);
	blob_tag(&blob, MB2_TAG_FRAMEBUFFER, (u8 *)&fb + 8, sizeof(fb) - 8);
	blob_end(&blob);
	assert_int_equal(parse_blob(&blob), 0);
	assert_false(boot_has_text_screen(&bi));

	assert_int_equal(parse_map(qemu_map, 2), 0); /* no framebuffer tag at all */
	assert_false(boot_has_text_screen(&bi));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_blob),
		cmocka_unit_test(test_acpi_variants),
		cmocka_unit_test(test_total_size_larger_than_avail),
		cmocka_unit_test(test_total_size_too_small),
		cmocka_unit_test(test_tag_past_total_size),
		cmocka_unit_test(test_tag_size_below_8),
		cmocka_unit_test(test_misaligned),
		cmocka_unit_test(test_unterminated_strings),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_mmap_entry_size),
		cmocka_unit_test(test_mmap_stray_bytes),
		cmocka_unit_test(test_missing_end_and_no_mmap),
		cmocka_unit_test(test_zero_length_and_overflow),
		cmocka_unit_test(test_overlap_usable_inside_reserved),
		cmocka_unit_test(test_overlap_partial_and_identical),
		cmocka_unit_test(test_unsorted_and_adjacent),
		cmocka_unit_test(test_mmap_too_many),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_sanitise_model),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_efi_good),
		cmocka_unit_test(test_efi_unsorted_and_wide),
		cmocka_unit_test(test_efi_bad_tags),
		cmocka_unit_test(test_efi_bad_descriptors),
		cmocka_unit_test(test_efi_descriptor_wraps),
		cmocka_unit_test(test_efi_overlapping_descriptors),
		cmocka_unit_test(test_efi_cross_check),
		cmocka_unit_test(test_efi_reservation_with_full_map),
		cmocka_unit_test(test_efi_names),
		cmocka_unit_test(test_cmdline_grub_unquote),
		cmocka_unit_test(test_cmdline_grub_unquote_long),
		cmocka_unit_test(test_text_screen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
