/*
 * libFuzzer target: the module loader's pure half, kernel/module/elf.c
 * (with the kernel's lib/string.c). The input is a module image as GRUB
 * or the console hands it over; it is checked from a malloc() of exactly
 * its size, so AddressSanitizer catches a read past what was given. The
 * seeds (corpus/module/, written by gen-module-seeds.sh) are the test
 * modules of the module_load self-tests, debug sections stripped.
 *
 * Checked for every input: no WARN; 0 or -ENOEXEC from elf_check(), with a
 * message exactly when refused; and for an accepted image, a layout whose
 * sections lie inside their regions without overlapping one another, then
 * copy, resolve (a few kernel names at -2 GiB) and relocate into exactly
 * sized buffers: 0, -ENOENT or -ENOEXEC, a message for each refusal.
 */
#include "fuzz.h"
#include "fuzz_kernel_lib.h"

#include "kernel/module/elf.c"

/* Regions larger than this are not laid out in memory (a bss can claim 256 MiB). */
#define FUZZ_MAX_REGION (4UL << 20)

static unsigned long fuzz_resolve(const char *name, void *ctx)
{
	(void)ctx;
	if (!strcmp(name, "printk") || !strcmp(name, "mlt_events") || !strcmp(name, "mlt_fail_ret"))
		return 0xffffffff81000000UL + strlen(name) * 64;
	if (!strcmp(name, "mlt_base_add"))
		return 0xffffffffa0400000UL;
	return 0;
}

static void check_layout(const struct load_info *info, const struct elf_layout *lo)
{
	for (unsigned int i = 1; i < info->shnum; i++) {
		const struct elf_sec_place *a = &lo->sec[i];

		if (a->region == MOD_REGION_NUM)
			continue;
		assert_true(elf_sec_loaded(info, i));
		assert_true(a->offset + info->sechdrs[i].sh_size <= lo->region[a->region].size);
		for (unsigned int j = i + 1; j < info->shnum; j++) {
			const struct elf_sec_place *b = &lo->sec[j];

			if (b->region != a->region || !info->sechdrs[i].sh_size ||
			    !info->sechdrs[j].sh_size)
				continue;
			assert_true(a->offset + info->sechdrs[i].sh_size <= b->offset ||
				    b->offset + info->sechdrs[j].sh_size <= a->offset);
		}
	}
}

static void link_image(const struct load_info *info)
{
	struct elf_layout lo = { 0 };
	unsigned long *values = calloc(info->nsyms, sizeof(*values));
	int err;

	lo.sec = calloc(info->shnum, sizeof(*lo.sec));
	assert_non_null(values);
	assert_non_null(lo.sec);
	elf_layout(info, &lo);
	check_layout(info, &lo);
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++) {
		if (lo.region[r].size > FUZZ_MAX_REGION)
			goto out;
	}
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++) {
		lo.region[r].addr = 0xffffffffa0000000UL + r * 0x1000000UL;
		lo.region[r].mem = malloc(lo.region[r].size ? lo.region[r].size : 1);
		assert_non_null(lo.region[r].mem);
	}
	elf_copy(info, &lo);
	shim_log_clear();
	FUZZ_NO_WARNING(err = elf_resolve(info, &lo, values, fuzz_resolve, NULL));
	if (!err)
		FUZZ_NO_WARNING(err = elf_relocate(info, &lo, values));
	assert_true(err == 0 || err == -ENOENT || err == -ENOEXEC);
	if (err && !shim_log_len)
		fail_msg("link returned %d but printed nothing", err);
	for (unsigned int r = 0; r < MOD_REGION_NUM; r++)
		free(lo.region[r].mem);
out:
	free(lo.sec);
	free(values);
}

FUZZ_DEFAULT_INITIALIZE()

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct load_info info;
	u8 *p = malloc(size ? size : 1);
	int ret;

	assert_non_null(p);
	memcpy(p, data, size);
	shim_log_clear();
	FUZZ_NO_WARNING(ret = elf_check(&info, p, size, CONTIG_VERMAGIC));
	assert_true(ret == 0 || ret == -ENOEXEC);
	if (ret && !shim_log_len)
		fail_msg("elf_check() refused the image but printed nothing");
	if (!ret) {
		assert_non_null(info.name);
		assert_true(strlen(info.name) < MODULE_NAME_LEN);
		assert_true(info.init_sym > 0 && info.init_sym < info.nsyms);
		link_image(&info);
	}
	free(p);
	return 0;
}
