/*
 * Self-tests of memblock on the live machine: its arrays agree with the
 * boot information (memory = the usable map entries, page-aligned inwards;
 * reserved covers the low 1 MiB, the image, the mbi and the modules), the
 * hand-over gave the buddy exactly memory minus reserved pages, every struct
 * page tells the same story, and memblock refuses to allocate afterwards.
 */
#include "debug/ktest.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"

extern char _text[], _end[];

KTEST(memblock, arrays_sorted_and_merged)
{
	const struct memblock_type *types[] = { &memblock.memory, &memblock.reserved };

	for (unsigned int k = 0; k < ARRAY_SIZE(types); k++)
		for (unsigned long i = 0; i < types[k]->cnt; i++) {
			const struct memblock_region *r = &types[k]->regions[i];

			KTEST_EXPECT_GT(t, r->size, 0UL);
			if (i)
				KTEST_EXPECT_LT(t, r[-1].base + r[-1].size, r->base);
		}
}

KTEST(memblock, memory_matches_boot_map)
{
	phys_addr_t usable = 0;

	for (unsigned int i = 0; i < boot_info.nr_mmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];
		phys_addr_t start = PAGE_ALIGN(e->addr);
		phys_addr_t end = ALIGN_DOWN(e->addr + e->len, PAGE_SIZE);

		if (e->type != MB2_MEMORY_AVAILABLE || end <= start)
			continue;
		usable += end - start;
		KTEST_EXPECT_TRUE(t, memblock_is_memory(start));
		KTEST_EXPECT_TRUE(t, memblock_is_memory(end - 1));
	}
	KTEST_EXPECT_EQ(t, memblock_phys_mem_size(), usable);
}

KTEST(memblock, reservations_cover_boot_data)
{
	phys_addr_t img_start = ALIGN_DOWN(__pa_symbol(_text), PAGE_SIZE);
	phys_addr_t img_end = PAGE_ALIGN(__pa_symbol(_end));

	for (phys_addr_t a = 0; a < 0x100000; a += PAGE_SIZE)
		KTEST_EXPECT_TRUE(t, memblock_is_reserved(a));
	for (phys_addr_t a = img_start; a < img_end; a += PAGE_SIZE)
		KTEST_EXPECT_TRUE(t, memblock_is_reserved(a));
	KTEST_EXPECT_TRUE(t, memblock_is_reserved(boot_info.mbi_phys));
	KTEST_EXPECT_TRUE(t, memblock_is_reserved(boot_info.mbi_phys + boot_info.mbi_size - 1));
	for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
		const struct boot_module *m = &boot_info.modules[i];

		if (m->end > m->start) {
			KTEST_EXPECT_TRUE(t, memblock_is_reserved(m->start));
			KTEST_EXPECT_TRUE(t, memblock_is_reserved(m->end - 1));
		}
	}
}

KTEST(memblock, hand_over_counts)
{
	const struct memblock_handover *h = &memblock_handover;
	unsigned long free_pages = 0;
	phys_addr_t start, end;

	KTEST_ASSERT_TRUE(t, h->done);
	KTEST_EXPECT_EQ(t, h->memory_pages,
			(unsigned long)(memblock_phys_mem_size() >> PAGE_SHIFT));
	KTEST_EXPECT_EQ(t, totalram_pages, h->memory_pages - h->reserved_pages);
	KTEST_EXPECT_EQ(t, h->freed_pages, totalram_pages);
	for_each_free_mem_range(i, &start, &end) if (PFN_DOWN(end) > PFN_UP(start))
		free_pages += PFN_DOWN(end) - PFN_UP(start);
	KTEST_EXPECT_EQ(t, free_pages, totalram_pages);
}

/* Each page of RAM: PG_reserved exactly when a reservation touches it. */
KTEST(memblock, struct_pages_agree)
{
	const struct memblock_type *rsv = &memblock.reserved;
	unsigned long reserved = 0, wrong = 0, first_wrong = 0, ri = 0;

	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];

		for (unsigned long pfn = PFN_UP(r->base); pfn < PFN_DOWN(r->base + r->size);
		     pfn++) {
			phys_addr_t a = PFN_PHYS(pfn);
			bool touched, flagged = pfn_to_page(pfn)->flags & PG_reserved;

			while (ri < rsv->cnt && rsv->regions[ri].base + rsv->regions[ri].size <= a)
				ri++;
			touched = ri < rsv->cnt && rsv->regions[ri].base < a + PAGE_SIZE;
			reserved += flagged;
			if (flagged != touched && !wrong++)
				first_wrong = pfn;
		}
	}
	KTEST_EXPECT_EQ(t, wrong, 0UL);
	KTEST_EXPECT_EQ(t, first_wrong, 0UL);
	KTEST_EXPECT_EQ(t, reserved, memblock_handover.reserved_pages);
}

KTEST(memblock, refuses_after_hand_over)
{
	unsigned long w = warn_count;
	unsigned long cnt = memblock.reserved.cnt;

	KTEST_EXPECT_EQ(t, memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE), (phys_addr_t)0);
	KTEST_EXPECT_EQ(t, warn_count, w + 1);
	KTEST_EXPECT_EQ(t, memblock.reserved.cnt, cnt);
}
