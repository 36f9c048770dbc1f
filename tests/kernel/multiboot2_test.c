/*
 * In-kernel tests for kernel/multiboot2.c: the boot_info that kmain() parsed
 * from GRUB's real information must describe a sane machine, and crafted bad
 * blobs must be refused or repaired the documented way.
 */
#include "kernel/errno.h"
#include "kernel/cmdline.h"
#include "debug/ktest.h"
#include "kernel/multiboot2.h"
#include "lib/string.h"

#define SZ_1M 0x100000ULL

static bool str_contains(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (strncmp(s, needle, n) == 0)
			return true;
	return false;
}

KTEST(multiboot2, info_recorded)
{
	KTEST_EXPECT_NE(t, boot_info.mbi_phys, 0ULL);
	KTEST_EXPECT_GE(t, boot_info.mbi_size, 16u);
	KTEST_EXPECT_EQ(t, boot_info.nr_problems, 0u);
}

KTEST(multiboot2, mmap_present)
{
	KTEST_EXPECT_GT(t, boot_info.nr_mmap, 0u);
	KTEST_EXPECT_LE(t, boot_info.nr_mmap, (unsigned int)BOOT_MMAP_MAX);
}

KTEST(multiboot2, mmap_sorted_disjoint_nonempty)
{
	for (unsigned int i = 0; i < boot_info.nr_mmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		KTEST_EXPECT_GT(t, e->len, 0ULL);
		KTEST_EXPECT_GE(t, e->addr + e->len - 1, e->addr); /* no wrap */
		if (i == 0)
			continue;
		const struct boot_mmap_entry *prev = &boot_info.mmap[i - 1];

		KTEST_EXPECT_LE(t, prev->addr + prev->len, e->addr);
		if (prev->addr + prev->len == e->addr)
			KTEST_EXPECT_NE(t, prev->type, e->type); /* merged otherwise */
	}
}

KTEST(multiboot2, usable_ram_above_1m)
{
	u64 usable = 0;

	for (unsigned int i = 0; i < boot_info.nr_mmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		if (e->type == MB2_MEMORY_AVAILABLE && e->addr + e->len > SZ_1M)
			usable += e->addr + e->len - max(e->addr, SZ_1M);
	}
	KTEST_EXPECT_GE(t, usable, SZ_1M);
}

KTEST(multiboot2, cmdline_has_ktest)
{
	if (!cmdline_opts.ktest[0]) /* e.g. "ktest" typed at the console */
		KTEST_SKIP(t, "self-tests not started from the command line");
	KTEST_EXPECT_LT(t, strlen(boot_info.cmdline), (size_t)BOOT_CMDLINE_MAX);
	KTEST_EXPECT_TRUE(t, str_contains(boot_info.cmdline, "ktest="));
}

KTEST(multiboot2, loader_is_grub)
{
	KTEST_EXPECT_EQ(t, strncmp(boot_info.loader_name, "GRUB", 4), 0);
}

KTEST(multiboot2, type_names)
{
	KTEST_EXPECT_STREQ(t, boot_mmap_type_name(MB2_MEMORY_AVAILABLE), "usable");
	KTEST_EXPECT_STREQ(t, boot_mmap_type_name(MB2_MEMORY_NVS), "ACPI NVS");
	KTEST_EXPECT_STREQ(t, boot_mmap_type_name(99), "unknown");
}

/* A scratch boot_info: the global one must keep describing the real machine. */
static struct boot_info crafted;

/*
 * total_size 24: a tag claiming 4 bytes (below the 8 of its own header),
 * then an end tag the walk never reaches. No memory map: refused.
 */
static const u64 bad_tag_size_blob[] = {
	24 | (0ULL << 32), /* total_size, reserved */
	1 | (4ULL << 32),  /* cmdline tag of size 4 */
	0 | (8ULL << 32),  /* end tag */
};

KTEST(multiboot2, refuses_tag_size_below_8)
{
	int ret = multiboot2_parse(bad_tag_size_blob, sizeof(bad_tag_size_blob), 0x1000, &crafted);

	KTEST_EXPECT_EQ(t, ret, -EINVAL);
	KTEST_EXPECT_EQ(t, crafted.nr_problems, 1u);
	KTEST_EXPECT_EQ(t, crafted.nr_mmap, 0u);
}

/* total_size larger than what the caller says is readable: refused whole. */
KTEST(multiboot2, refuses_total_size_past_avail)
{
	int ret = multiboot2_parse(bad_tag_size_blob, 16, 0x1000, &crafted);

	KTEST_EXPECT_EQ(t, ret, -EINVAL);
	KTEST_EXPECT_EQ(t, crafted.mbi_size, 24u);
}

/* A memory map with a reserved hole inside a usable range: split in three. */
static const u64 overlap_blob[] = {
	80 | (0ULL << 32),		/* total_size */
	6 | (64ULL << 32),		/* memory map tag, 2 entries */
	24 | (0ULL << 32),		/* entry_size 24, entry_version 0 */
	0x100000,	   0x100000, 1, /* usable [1M, 2M) */
	0x180000,	   0x1000,   2, /* reserved [1.5M, 1.5M + 4K) */
	0 | (8ULL << 32),		/* end tag */
};

KTEST(multiboot2, repairs_overlapping_mmap)
{
	int ret = multiboot2_parse(overlap_blob, sizeof(overlap_blob), 0x1000, &crafted);

	KTEST_ASSERT_EQ(t, ret, 0);
	KTEST_EXPECT_EQ(t, crafted.nr_problems, 1u);
	KTEST_ASSERT_EQ(t, crafted.nr_mmap, 3u);
	KTEST_EXPECT_EQ(t, crafted.mmap[0].addr, 0x100000ULL);
	KTEST_EXPECT_EQ(t, crafted.mmap[0].len, 0x80000ULL);
	KTEST_EXPECT_EQ(t, crafted.mmap[0].type, 1u);
	KTEST_EXPECT_EQ(t, crafted.mmap[1].addr, 0x180000ULL);
	KTEST_EXPECT_EQ(t, crafted.mmap[1].len, 0x1000ULL);
	KTEST_EXPECT_EQ(t, crafted.mmap[1].type, 2u);
	KTEST_EXPECT_EQ(t, crafted.mmap[2].addr, 0x181000ULL);
	KTEST_EXPECT_EQ(t, crafted.mmap[2].len, 0x7f000ULL);
	KTEST_EXPECT_EQ(t, crafted.mmap[2].type, 1u);
}

static bool efi_type_free_after_boot(u32 type)
{
	return type == EFI_LOADER_CODE || type == EFI_LOADER_DATA ||
	       type == EFI_BOOT_SERVICES_CODE || type == EFI_BOOT_SERVICES_DATA ||
	       type == EFI_CONVENTIONAL_MEMORY;
}

/* Under UEFI: the EFI map GRUB passed is sorted, disjoint, and every range the
 * firmware keeps is outside the usable RAM the kernel took. */
KTEST(multiboot2, efi_mmap_respected)
{
	const struct boot_efi *efi = &boot_info.efi;

	if (!efi->has_mmap)
		KTEST_SKIP(t, "no EFI memory map (booted by BIOS)");
	KTEST_EXPECT_GT(t, efi->nr_mmap, 0u);
	KTEST_EXPECT_GE(t, efi->desc_size, 40u);
	for (unsigned int i = 0; i < efi->nr_mmap; i++) {
		const struct boot_efi_mmap_entry *e = &efi->mmap[i];
		u64 end = e->start + (e->pages << EFI_PAGE_SHIFT);

		if (i > 0)
			KTEST_EXPECT_LE(t,
					efi->mmap[i - 1].start +
						(efi->mmap[i - 1].pages << EFI_PAGE_SHIFT),
					e->start);
		if (efi_type_free_after_boot(e->type))
			continue;
		for (unsigned int j = 0; j < boot_info.nr_mmap; j++) {
			const struct boot_mmap_entry *m = &boot_info.mmap[j];

			if (m->type == MB2_MEMORY_AVAILABLE)
				KTEST_EXPECT_TRUE(t,
						  m->addr + m->len <= e->start || end <= m->addr);
		}
	}
}

/* Under UEFI GRUB passes the system table, and it lies in firmware memory. */
KTEST(multiboot2, efi_systab_in_runtime_data)
{
	const struct boot_efi *efi = &boot_info.efi;
	bool found = false;

	if (!efi->has_mmap)
		KTEST_SKIP(t, "no EFI memory map (booted by BIOS)");
	KTEST_ASSERT_TRUE(t, efi->has_systab);
	for (unsigned int i = 0; i < efi->nr_mmap; i++) {
		const struct boot_efi_mmap_entry *e = &efi->mmap[i];

		if (efi->systab >= e->start &&
		    efi->systab < e->start + (e->pages << EFI_PAGE_SHIFT)) {
			KTEST_EXPECT_EQ(t, e->type, (u32)EFI_RUNTIME_SERVICES_DATA);
			found = true;
		}
	}
	KTEST_EXPECT_TRUE(t, found);
}

/* A text screen exactly when GRUB did not boot under UEFI. */
KTEST(multiboot2, text_screen_only_without_efi)
{
	KTEST_EXPECT_EQ(t, boot_has_text_screen(&boot_info), !boot_info.efi.has_mmap);
}
