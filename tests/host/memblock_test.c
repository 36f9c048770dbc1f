/*
 * Host tests for mm/memblock.c: add/reserve merging against a shadow map,
 * refusals (empty, overflow, full array, after hand-over), top-down
 * allocation, phys_free splits, the free-range iterator, setup from a
 * boot_info, the hand-over and the dump format.
 *
 * free_pages_range() is a stub that records the ranges memblock hands over.
 */
#include "host_shim.h"
#include "mm_shim.h"

#include "../../mm/memblock.c"

#define MAX_HANDED 256
static unsigned long handed[MAX_HANDED][2];
static unsigned int nr_handed;

void free_pages_range(unsigned long start_pfn, unsigned long end_pfn)
{
	assert_true(nr_handed < MAX_HANDED);
	handed[nr_handed][0] = start_pfn;
	handed[nr_handed][1] = end_pfn;
	nr_handed++;
}

static int reset(void **state)
{
	(void)state;
	memset(&memblock, 0, sizeof(memblock));
	memblock.current_limit = 4ULL << 30;
	memblock.memory.name = "memory";
	memblock.reserved.name = "reserved";
	memset(&memblock_handover, 0, sizeof(memblock_handover));
	nr_handed = 0;
	warn_count = 0;
	shim_log_clear();
	return 0;
}

/* Regions sorted, non-empty, neither overlapping nor touching. */
static void check_type(const struct memblock_type *t)
{
	for (unsigned long i = 0; i < t->cnt; i++) {
		assert_true(t->regions[i].size > 0);
		if (i)
			assert_true(region_end(&t->regions[i - 1]) < t->regions[i].base);
	}
}

/* ---- shadow: one bit per 256-byte unit of [0, SHADOW_UNITS * 256) ---- */
#define UNIT	     256UL
#define SHADOW_UNITS 4096
static bool shadow_mem[SHADOW_UNITS], shadow_rsv[SHADOW_UNITS];

static void shadow_set(bool *map, unsigned long base, unsigned long size)
{
	for (unsigned long u = base / UNIT; u < (base + size) / UNIT; u++)
		map[u] = true;
}

/* The type's regions must be exactly the runs of set units in @map. */
static void check_against_shadow(const struct memblock_type *t, const bool *map)
{
	unsigned long ri = 0, u = 0;

	check_type(t);
	while (u < SHADOW_UNITS) {
		unsigned long run;

		if (!map[u]) {
			u++;
			continue;
		}
		for (run = u; run < SHADOW_UNITS && map[run]; run++)
			;
		assert_true(ri < t->cnt);
		assert_int_equal(t->regions[ri].base, u * UNIT);
		assert_int_equal(region_end(&t->regions[ri]), run * UNIT);
		ri++;
		u = run;
	}
	assert_int_equal(ri, t->cnt);
}

static void test_add_merge_cases(void **state)
{
	(void)state;
	assert_int_equal(memblock_add(0x3000, 0x1000), 0);
	assert_int_equal(memblock_add(0x1000, 0x1000), 0);
	assert_int_equal(memblock.memory.cnt, 2);
	assert_int_equal(memblock.memory.regions[0].base, 0x1000);
	/* fills the gap: touches both sides -> one region */
	assert_int_equal(memblock_add(0x2000, 0x1000), 0);
	assert_int_equal(memblock.memory.cnt, 1);
	assert_int_equal(memblock.memory.regions[0].base, 0x1000);
	assert_int_equal(memblock.memory.regions[0].size, 0x3000);
	/* overlap on the left, contained, overlap spanning */
	assert_int_equal(memblock_add(0x800, 0x1000), 0);
	assert_int_equal(memblock_add(0x1800, 0x100), 0);
	assert_int_equal(memblock_add(0x9000, 0x1000), 0);
	assert_int_equal(memblock_add(0x400, 0x9000), 0);
	assert_int_equal(memblock.memory.cnt, 1);
	assert_int_equal(memblock.memory.regions[0].base, 0x400);
	assert_int_equal(region_end(&memblock.memory.regions[0]), 0xa000);
	assert_int_equal(memblock_phys_mem_size(), 0xa000 - 0x400);
	assert_int_equal(memblock_start_of_DRAM(), 0x400);
	assert_int_equal(memblock_end_of_DRAM(), 0xa000);
	assert_true(memblock_is_memory(0x400));
	assert_true(memblock_is_memory(0x9fff));
	assert_false(memblock_is_memory(0xa000));
	assert_false(memblock_is_memory(0x3ff));
}

static void test_add_reserve_random(void **state)
{
	(void)state;
	memset(shadow_mem, 0, sizeof(shadow_mem));
	memset(shadow_rsv, 0, sizeof(shadow_rsv));
	sim_srand(42);
	for (int op = 0; op < 3000; op++) {
		unsigned long base = (sim_rand() % (SHADOW_UNITS - 1)) * UNIT;
		unsigned long max = SHADOW_UNITS * UNIT - base;
		unsigned long size = (1 + sim_rand() % 24) * UNIT;
		bool rsv = sim_rand() & 1;
		struct memblock_type *t = rsv ? &memblock.reserved : &memblock.memory;
		unsigned long before = t->cnt;
		int err;

		size = min(size, max);
		err = rsv ? memblock_reserve(base, size) : memblock_add(base, size);
		if (err) {
			/* only a full array may refuse, and then nothing changed */
			assert_int_equal(err, -ENOSPC);
			assert_int_equal(before, MEMBLOCK_MAX_REGIONS);
			assert_true(shim_log_has("array full"));
			shim_log_clear();
		} else {
			shadow_set(rsv ? shadow_rsv : shadow_mem, base, size);
		}
		check_against_shadow(&memblock.memory, shadow_mem);
		check_against_shadow(&memblock.reserved, shadow_rsv);
	}
}

static void test_refusals(void **state)
{
	(void)state;
	assert_int_equal(memblock_add(0x1000, 0), -EINVAL);
	assert_true(shim_log_has("memblock_add: refused empty range at 0x1000"));
	assert_int_equal(memblock_reserve(~0UL - 0xfff, 0x2000), -EINVAL);
	assert_true(shim_log_has("overflows"));
	assert_int_equal(memblock_add(1ULL << 52, 0x1000), -EINVAL);
	assert_int_equal(memblock.memory.cnt, 0);
	assert_int_equal(memblock.reserved.cnt, 0);

	/* fill the array with disjoint regions, then one more */
	for (unsigned long i = 0; i < MEMBLOCK_MAX_REGIONS; i++)
		assert_int_equal(memblock_add(i * 0x10000, 0x1000), 0);
	shim_log_clear();
	assert_int_equal(memblock_add(0x10000000, 0x1000), -ENOSPC);
	assert_true(shim_log_has("memblock: memory array full (128 regions)"));
	assert_int_equal(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS);
	/* merging needs no slot: still possible when full */
	assert_int_equal(memblock_add(0x1000, 0x1000), 0);
	assert_int_equal(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS);
	assert_int_equal(memblock_add(0x0, 0x1f000), 0);
	assert_int_equal(memblock.memory.cnt, MEMBLOCK_MAX_REGIONS - 1);
	assert_int_equal(warn_count, 0);
}

static void test_phys_alloc_top_down(void **state)
{
	phys_addr_t a, b, c;

	(void)state;
	assert_int_equal(memblock_add(0x100000, 0xf00000), 0);	    /* [1M, 16M) */
	assert_int_equal(memblock_add(0x2000000, 0x1000000), 0);    /* [32M, 48M) */
	assert_int_equal(memblock_reserve(0x2f00000, 0x100000), 0); /* top 1M of the 2nd */
	memblock_set_current_limit(0x3000000);

	a = memblock_phys_alloc(0x3000, 0x1000);
	assert_int_equal(a, 0x2f00000 - 0x3000);
	assert_true(memblock_is_reserved(a));
	assert_true(memblock_is_reserved(a + 0x2fff));
	/* merged with the reservation above it */
	assert_int_equal(memblock.reserved.cnt, 1);
	b = memblock_phys_alloc(0x1000, 0x200000);
	assert_int_equal(b, 0x2e00000);
	assert_int_equal(memblock.reserved.cnt, 2);
	/* limit below the second bank: from the first */
	memblock_set_current_limit(0x800000);
	c = memblock_phys_alloc(0x10, 0x10);
	assert_int_equal(c, 0x800000 - 0x10);
	/* too big for any range */
	shim_log_clear();
	assert_int_equal(memblock_phys_alloc(0x2000000, 0x1000), 0);
	assert_true(shim_log_has("memblock_phys_alloc: no free range"));
	/* bad alignment, zero size */
	assert_int_equal(memblock_phys_alloc(0x1000, 0x3000), 0);
	assert_int_equal(memblock_phys_alloc(0, 0x1000), 0);
	assert_true(shim_log_has("memblock_phys_alloc: refused size 0 align 0x1000"));
	/* give back the first one, then it is found again */
	assert_int_equal(memblock_phys_free(c, 0x10), 0);
	assert_false(memblock_is_reserved(c));
	assert_int_equal(memblock_phys_alloc(0x10, 0x10), c);
	assert_int_equal(warn_count, 0);
}

/* Allocate until memblock runs dry: every allocation disjoint, within free memory. */
static void test_phys_alloc_exhaust(void **state)
{
	phys_addr_t got, total = 0;

	(void)state;
	memset(shadow_rsv, 0, sizeof(shadow_rsv));
	assert_int_equal(memblock_add(0x1000, 0x80000), 0);
	assert_int_equal(memblock_add(0x90000, 0x70000), 0);
	assert_int_equal(memblock_reserve(0x40000, 0x1234), 0);
	shadow_set(shadow_rsv, 0x40000, 0x1300);
	sim_srand(7);
	for (;;) {
		unsigned long size = 0x100UL << (sim_rand() % 6);

		got = memblock_phys_alloc(size, 0x100);
		if (!got) {
			/* it failed: no free range may hold @size */
			phys_addr_t s, e;

			assert_true(shim_log_has("memblock_phys_alloc: no free range"));
			for_each_free_mem_range(i, &s, &e) assert_true(e - s < size);
			break;
		}
		assert_int_equal(got % 0x100, 0);
		for (unsigned long u = got / UNIT; u < (got + size) / UNIT; u++) {
			assert_true(memblock_is_memory(u * UNIT));
			assert_false(shadow_rsv[u]);
			shadow_rsv[u] = true;
		}
		total += size;
		assert_true(total <= 0xf0000);
	}
	assert_true(total >= 0xf0000 - 0x1300 - 0x2000 * 2);
}

static void test_phys_free_split(void **state)
{
	(void)state;
	assert_int_equal(memblock_reserve(0x10000, 0x10000), 0);
	/* middle: split in two */
	assert_int_equal(memblock_phys_free(0x14000, 0x1000), 0);
	assert_int_equal(memblock.reserved.cnt, 2);
	assert_int_equal(memblock.reserved.regions[0].size, 0x4000);
	assert_int_equal(memblock.reserved.regions[1].base, 0x15000);
	/* head, tail, whole */
	assert_int_equal(memblock_phys_free(0x10000, 0x1000), 0);
	assert_int_equal(memblock.reserved.regions[0].base, 0x11000);
	assert_int_equal(memblock_phys_free(0x1f000, 0x1000), 0);
	assert_int_equal(region_end(&memblock.reserved.regions[1]), 0x1f000);
	assert_int_equal(memblock_phys_free(0x11000, 0x3000), 0);
	assert_int_equal(memblock.reserved.cnt, 1);
	/* not (wholly) reserved: refused, nothing changed */
	assert_int_equal(memblock_phys_free(0x14000, 0x2000), -EINVAL);
	assert_true(shim_log_has("memblock_phys_free: [0x14000-0x15fff] is not reserved"));
	assert_int_equal(memblock_phys_free(0x1e000, 0x2000), -EINVAL);
	assert_int_equal(memblock.reserved.cnt, 1);
	assert_int_equal(memblock_reserved_size(), 0xa000);
}

static void test_free_iterator(void **state)
{
	phys_addr_t s, e;
	unsigned long n = 0;
	static const phys_addr_t want[][2] = {
		{ 0x1000, 0x2000 },   { 0x3000, 0x4000 },   { 0x6000, 0x8000 },
		{ 0x10000, 0x11000 }, { 0x13000, 0x14000 },
	};

	(void)state;
	memblock_add(0x1000, 0x7000);  /* [0x1000, 0x8000) */
	memblock_add(0x10000, 0x4000); /* [0x10000, 0x14000) */
	memblock_reserve(0x0, 0x1000); /* before the first, touching */
	memblock_reserve(0x2000, 0x1000);
	memblock_reserve(0x4000, 0x2000);
	memblock_reserve(0x9000, 0x1000); /* in the hole */
	memblock_reserve(0x11000, 0x2000);
	memblock_reserve(0x20000, 0x1000); /* beyond memory */
	for_each_free_mem_range(i, &s, &e)
	{
		assert_true(n < ARRAY_SIZE(want));
		assert_int_equal(s, want[n][0]);
		assert_int_equal(e, want[n][1]);
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(want));
}

/* The iterator against a shadow, on random maps. */
static void test_free_iterator_random(void **state)
{
	(void)state;
	sim_srand(99);
	for (int round = 0; round < 200; round++) {
		phys_addr_t s, e;
		unsigned long u = 0;

		reset(NULL);
		memset(shadow_mem, 0, sizeof(shadow_mem));
		memset(shadow_rsv, 0, sizeof(shadow_rsv));
		for (int k = 0; k < 40; k++) {
			unsigned long base = (sim_rand() % (SHADOW_UNITS - 64)) * UNIT;
			unsigned long size = (1 + sim_rand() % 64) * UNIT;

			if (sim_rand() % 3 == 0) {
				if (!memblock_reserve(base, size))
					shadow_set(shadow_rsv, base, size);
			} else if (!memblock_add(base, size)) {
				shadow_set(shadow_mem, base, size);
			}
		}
		for_each_free_mem_range(i, &s, &e)
		{
			/* everything between the previous range and this one is not free */
			for (; u < s / UNIT; u++)
				assert_false(shadow_mem[u] && !shadow_rsv[u]);
			for (; u < e / UNIT; u++)
				assert_true(shadow_mem[u] && !shadow_rsv[u]);
			/* maximal: the unit after the range is not free */
			if (u < SHADOW_UNITS)
				assert_false(shadow_mem[u] && !shadow_rsv[u]);
		}
		for (; u < SHADOW_UNITS; u++)
			assert_false(shadow_mem[u] && !shadow_rsv[u]);
	}
}

static void test_setup_from_boot_info(void **state)
{
	static struct boot_info bi;
	phys_addr_t img_start = ALIGN_DOWN(__pa_symbol(_text), PAGE_SIZE);
	phys_addr_t img_end = PAGE_ALIGN(__pa_symbol(_end));

	(void)state;
	memset(&bi, 0, sizeof(bi));
	bi.mmap[0] = (struct boot_mmap_entry){ 0x0, 0x9fc00, MB2_MEMORY_AVAILABLE };
	bi.mmap[1] = (struct boot_mmap_entry){ 0x9fc00, 0x400, MB2_MEMORY_RESERVED };
	bi.mmap[2] = (struct boot_mmap_entry){ 0x100000, 0x7ee0000, MB2_MEMORY_AVAILABLE };
	bi.mmap[3] = (struct boot_mmap_entry){ 0x7fe0000, 0x20000, MB2_MEMORY_RESERVED };
	bi.mmap[4] =
		(struct boot_mmap_entry){ 0x8000800, 0x800, MB2_MEMORY_AVAILABLE }; /* no page */
	bi.mmap[5] = (struct boot_mmap_entry){ 0x100000123, 0x10000000, MB2_MEMORY_AVAILABLE };
	bi.mmap[6] = (struct boot_mmap_entry){ 0x200000000, 0x1000, MB2_MEMORY_ACPI_RECLAIMABLE };
	bi.nr_mmap = 7;
	bi.mbi_phys = 0x10000;
	bi.mbi_size = 0x1234;
	bi.nr_modules = 2;
	bi.modules[0] = (struct boot_module){ 0x200000, 0x280001, "initrd" };
	bi.modules[1] = (struct boot_module){ 0x300000, 0x300000, "empty" };

	memblock_setup(&bi);
	assert_true(shim_log_has("holds no whole page, ignored"));
	assert_true(shim_log_has("module 1 \"empty\""));
	assert_int_equal(memblock.memory.cnt, 3);
	assert_int_equal(memblock.memory.regions[0].base, 0);
	assert_int_equal(memblock.memory.regions[0].size, 0x9f000);
	assert_int_equal(memblock.memory.regions[1].base, 0x100000);
	assert_int_equal(memblock.memory.regions[1].size, 0x7ee0000);
	assert_int_equal(memblock.memory.regions[2].base, 0x100001000);
	assert_int_equal(region_end(&memblock.memory.regions[2]), 0x110000000);
	/* low 1 MiB with the mbi inside it, the module, the image */
	assert_true(memblock_is_reserved(0));
	assert_true(memblock_is_reserved(0xfffff));
	assert_true(memblock_is_reserved(0x200000));
	assert_true(memblock_is_reserved(0x280000));
	assert_false(memblock_is_reserved(0x280001));
	assert_false(memblock_is_reserved(0x300000));
	assert_true(memblock_is_reserved(img_start));
	assert_true(memblock_is_reserved(img_end - 1));
	assert_false(memblock_is_reserved(img_end));
	assert_int_equal(memblock.reserved.cnt, 3);
	assert_int_equal(memblock_reserved_size(), 0x100000 + 0x80001 + (img_end - img_start));
	/* the AP trampoline: the highest usable pages below 1 MiB, inside the low reservation */
	assert_int_equal(memblock_trampoline_phys, 0x9f000 - MEMBLOCK_TRAMPOLINE_PAGES * 0x1000);
}

/* The trampoline never gets firmware memory, the boot information or page 0. */
static void test_trampoline_avoids_mbi_and_unusable_low_memory(void **state)
{
	static struct boot_info bi;

	(void)state;
	memset(&bi, 0, sizeof(bi));
	bi.mmap[0] = (struct boot_mmap_entry){ 0x0, 0x9000, MB2_MEMORY_AVAILABLE };
	bi.mmap[1] = (struct boot_mmap_entry){ 0x9000, 0x97000, MB2_MEMORY_RESERVED };
	bi.mmap[2] = (struct boot_mmap_entry){ 0x100000, 0x7f00000, MB2_MEMORY_AVAILABLE };
	bi.nr_mmap = 3;
	bi.mbi_phys = 0x7000;
	bi.mbi_size = 0x800;
	memblock_setup(&bi);
	/* usable [0, 0x9000) minus the mbi page at 0x7000: [0x3000, 0x7000) is the top fit */
	assert_int_equal(memblock_trampoline_phys, 0x3000);
	assert_true(memblock_is_reserved(0x3000));

	reset(NULL);
	memset(&bi, 0, sizeof(bi));
	bi.mmap[0] = (struct boot_mmap_entry){ 0x0, 0x4000, MB2_MEMORY_AVAILABLE };
	bi.mmap[1] = (struct boot_mmap_entry){ 0x100000, 0x7f00000, MB2_MEMORY_AVAILABLE };
	bi.nr_mmap = 2;
	memblock_setup(&bi);
	assert_int_equal(memblock_trampoline_phys, 0); /* [0x1000, 0x4000) is too small */
	assert_true(shim_log_has("for the AP trampoline: one CPU only"));
}

static void test_free_all_and_after(void **state)
{
	unsigned long pages, sum = 0;

	(void)state;
	memblock_add(0x100000, 0x100000);   /* pfns 0x100..0x200 */
	memblock_add(0x400000, 0x10000);    /* pfns 0x400..0x410 */
	memblock_reserve(0x180800, 0x1000); /* touches pfns 0x180, 0x181 */
	memblock_reserve(0x182000, 0x800);  /* pfn 0x182 */
	memblock_reserve(0x182900, 0x100);  /* pfn 0x182 again */
	memblock_reserve(0x40f000, 0x3000); /* pfn 0x40f and beyond memory */
	pages = memblock_free_all();
	assert_int_equal(nr_handed, 3);
	assert_int_equal(handed[0][0], 0x100);
	assert_int_equal(handed[0][1], 0x180);
	assert_int_equal(handed[1][0], 0x183);
	assert_int_equal(handed[1][1], 0x200);
	assert_int_equal(handed[2][0], 0x400);
	assert_int_equal(handed[2][1], 0x40f);
	for (unsigned int i = 0; i < nr_handed; i++)
		sum += handed[i][1] - handed[i][0];
	assert_int_equal(pages, sum);
	assert_true(memblock_handover.done);
	assert_int_equal(memblock_handover.memory_pages, 0x110);
	assert_int_equal(memblock_handover.reserved_pages, 4);
	assert_int_equal(memblock_handover.freed_pages, sum);
	assert_int_equal(memblock_handover.memory_pages - memblock_handover.reserved_pages, sum);

	/* from now on memblock refuses, loudly */
	assert_int_equal(warn_count, 0);
	assert_int_equal(memblock_phys_alloc(0x1000, 0x1000), 0);
	assert_int_equal(warn_count, 1);
	assert_int_equal(memblock_add(0x800000, 0x1000), -EBUSY);
	assert_int_equal(memblock_reserve(0x800000, 0x1000), -EBUSY);
	assert_int_equal(memblock_phys_free(0x180800, 0x1000), -EBUSY);
	assert_int_equal(memblock_free_all(), 0);
	assert_int_equal(warn_count, 5);
	assert_int_equal(nr_handed, 3);
}

static void test_dump_format(void **state)
{
	(void)state;
	memblock_add(0x100000, 0x7ee0000);
	memblock_reserve(0x0, 0x100000);
	memblock_reserve(0x200000, 0x3000);
	shim_log_clear();
	memblock_dump();
	assert_true(shim_log_has(
		"MEMBLOCK configuration:\n"
		" memory size = 0x0000000007ee0000 reserved size = 0x0000000000103000\n"
		" memory.cnt  = 0x1\n"
		" memory[0x0]\t[0x0000000000100000-0x0000000007fdffff], 0x0000000007ee0000 bytes\n"
		" reserved.cnt  = 0x2\n"
		" reserved[0x0]\t[0x0000000000000000-0x00000000000fffff], 0x0000000000100000 bytes\n"
		" reserved[0x1]\t[0x0000000000200000-0x0000000000202fff], 0x0000000000003000 bytes\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_merge_cases, reset),
		cmocka_unit_test_setup(test_add_reserve_random, reset),
		cmocka_unit_test_setup(test_refusals, reset),
		cmocka_unit_test_setup(test_phys_alloc_top_down, reset),
		cmocka_unit_test_setup(test_phys_alloc_exhaust, reset),
		cmocka_unit_test_setup(test_phys_free_split, reset),
		cmocka_unit_test_setup(test_free_iterator, reset),
		cmocka_unit_test_setup(test_free_iterator_random, reset),
		cmocka_unit_test_setup(test_setup_from_boot_info, reset),
		cmocka_unit_test_setup(test_trampoline_avoids_mbi_and_unusable_low_memory, reset),
		cmocka_unit_test_setup(test_free_all_and_after, reset),
		cmocka_unit_test_setup(test_dump_format, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
