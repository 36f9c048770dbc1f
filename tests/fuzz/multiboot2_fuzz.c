/*
 * libFuzzer target: the multiboot2 boot information parser,
 * kernel/multiboot2.c with kernel/boot_mmap.c and kernel/efi.c (one unit,
 * as in tests/host/multiboot2_test.c). The input is the information blob
 * itself (total_size first); it is parsed from a malloc() of exactly its
 * size, so AddressSanitizer catches a read past what the loader gave.
 *
 * Checked for every input: no WARN; 0 or -EINVAL; a refusal or a counted
 * problem says so in a message; the strings terminated; the sanitised map
 * sorted, non-empty, disjoint, without wrap-around and with touching
 * neighbours of different types; the RSDP inside the blob; the EFI map
 * page-aligned and sorted; and a second parse of the same bytes gives the
 * same struct boot_info bit for bit (nothing carried over in the parser's
 * static scratch space). The map dump runs on what came out.
 */
#include "fuzz.h"

#undef pr_fmt
#include "kernel/multiboot2.c"
#include "kernel/boot_mmap.c"
#include "kernel/efi.c"
#include "lib/sort.c"

#define MBI_PHYS 0x10000ULL

static struct boot_info bi, again;

static void check_map(const struct boot_info *b)
{
	assert_true(b->nr_mmap > 0 && b->nr_mmap <= BOOT_MMAP_MAX);
	for (unsigned int i = 0; i < b->nr_mmap; i++) {
		const struct boot_mmap_entry *e = &b->mmap[i], *p = &b->mmap[i ? i - 1 : 0];

		assert_true(e->len > 0);
		assert_true(e->addr + e->len - 1 >= e->addr);
		if (i == 0)
			continue;
		assert_true(p->addr + p->len <= e->addr);
		if (p->addr + p->len == e->addr)
			assert_true(p->type != e->type);
	}
}

static void check_efi(const struct boot_info *b)
{
	assert_true(b->efi.nr_mmap <= BOOT_EFI_MMAP_MAX);
	for (unsigned int i = 0; i < b->efi.nr_mmap; i++) {
		const struct boot_efi_mmap_entry *e = &b->efi.mmap[i];

		assert_true(e->pages > 0 && (e->start & 0xfff) == 0);
		assert_true(efi_end(e) > e->start);
		if (i > 0)
			assert_true(b->efi.mmap[i - 1].start <= e->start);
	}
}

static int parse(const u8 *data, size_t size, struct boot_info *out)
{
	u8 *p = malloc(size ? size : 1);
	int ret;

	assert_non_null(p);
	memcpy(p, data, size);
	shim_log_clear();
	FUZZ_NO_WARNING(ret = multiboot2_parse(p, size, MBI_PHYS, out));
	free(p);
	return ret;
}

FUZZ_DEFAULT_INITIALIZE()

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	int ret = parse(data, size, &bi);

	assert_true(ret == 0 || ret == -EINVAL);
	if ((ret || bi.nr_problems) && !shim_log_len)
		fail_msg("returned %d with %u problems but printed nothing", ret, bi.nr_problems);
	assert_true(strnlen(bi.cmdline, sizeof(bi.cmdline)) < sizeof(bi.cmdline));
	assert_true(strnlen(bi.loader_name, sizeof(bi.loader_name)) < sizeof(bi.loader_name));
	assert_true(bi.nr_modules <= BOOT_MODULES_MAX);
	for (unsigned int i = 0; i < bi.nr_modules; i++) {
		assert_true(bi.modules[i].start <= bi.modules[i].end);
		assert_true(strnlen(bi.modules[i].name, sizeof(bi.modules[i].name)) <
			    sizeof(bi.modules[i].name));
	}
	if (bi.rsdp_phys)
		assert_true(bi.rsdp_phys > MBI_PHYS && bi.rsdp_phys < MBI_PHYS + bi.mbi_size);
	check_efi(&bi);
	if (ret == 0) {
		check_map(&bi);
		FUZZ_NO_WARNING(boot_mmap_dump(&bi));
	}

	assert_int_equal(parse(data, size, &again), ret);
	if (memcmp(&bi, &again, sizeof(bi)))
		fail_msg("a second parse of the same %zu bytes gave another boot_info", size);
	return 0;
}
