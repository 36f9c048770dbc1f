/*
 * Self-test of the early vm areas (vm_area_register_early(), imported by
 * vmalloc_init()): an early area that a dump lists is mapped, page by page,
 * to the physical range it names. The first early area sits at
 * VMALLOC_START; today only the VGA text screen registers one.
 *
 * tests/e2e/failed_early_map_leaves_no_area.sh runs it after a boot whose
 * first page allocation fails (fail_page_alloc=1: the text screen's page
 * table): the screen's area must then be gone, not listed and unmapped.
 */
#include "asm/pgtable.h"
#include "debug/ktest.h"
#include "mm/vmalloc.h"

KTEST(early_area, failed_early_map_leaves_no_area)
{
	struct vm_struct *vm = find_vm_area((void *)VMALLOC_START);
	unsigned long addr, size;
	enum pg_level level;
	pte_t *pte;

	if (!vm || !(vm->flags & VM_EARLY))
		KTEST_SKIP(t, "no early vm area (no text screen)");
	KTEST_EXPECT_EQ(t, (unsigned long)vm->addr, VMALLOC_START);
	size = get_vm_area_size(vm);
	KTEST_ASSERT_NE(t, size, 0UL);
	for (addr = 0; addr < size; addr += PAGE_SIZE) {
		pte = lookup_address(VMALLOC_START + addr, &level);
		KTEST_ASSERT_NOT_NULL(t, pte);
		KTEST_EXPECT_EQ(t, (int)level, (int)PG_LEVEL_4K);
		if (vm->flags & VM_IOREMAP)
			KTEST_EXPECT_EQ(t, (unsigned long)(*pte & PTE_PFN_MASK),
					(unsigned long)(vm->phys_addr + addr));
	}
}
