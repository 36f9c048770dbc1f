/*
 * The final kernel page tables, built at boot from memblock's view of RAM:
 *
 *  - the direct map: every range of usable RAM at page_offset_base + phys,
 *    RW, NX, global, with the largest pages that fit (1 GiB where the CPU
 *    has them, 2 MiB, 4 KiB at unaligned edges); holes stay unmapped, so a
 *    stray __va() of a hole faults instead of reading firmware memory;
 *  - except the frames of the kernel image, whose direct-map alias obeys
 *    W^X like the image itself (Linux's change_page_attr does the same for
 *    aliases): text and rodata read-only, data and bss RW, all NX, in 4 KiB
 *    pages, so no write through __va() can change the running code:
 *
 *	phys  ... RAM (large pages) | text rodata | data bss | RAM (large pages) ...
 *	__va  ...     RW NX         |  ro NX  4K  | RW NX 4K |     RW NX        ...
 *
 *  - the kernel image at __START_KERNEL_map + phys with W^X: text RX,
 *    rodata R, data and bss RW+NX, in 4 KiB pages.
 *
 * The boot tables (boot/early_paging.asm) map only 4 GiB of RAM, so every
 * table page used here must come from below 4 GiB: memblock's limit says so
 * until the switch.
 */
#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/memblock.h"
#include "arch/x86/mm/mm_internal.h"

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _end[];
extern char boot_stack_guard[], boot_stack[];

unsigned long page_offset_base = __PAGE_OFFSET_BASE_DEFAULT;
unsigned long vmalloc_base = __VMALLOC_BASE_DEFAULT;
unsigned long vmemmap_base = __VMEMMAP_BASE_DEFAULT;
unsigned long vmalloc_range_size = VMALLOC_SIZE;
unsigned long max_pfn;

/* Pages of each size in the direct map, for the boot message and meminfo. */
unsigned long direct_pages_count[4];

static u64 *next_table(u64 *entry)
{
	void *table;

	if (*entry & _PAGE_PRESENT)
		return pgtable_va(*entry & PTE_PFN_MASK);
	table = pgtable_alloc();
	if (!table)
		panic("paging_init: out of memory for page tables");
	*entry = pgtable_pa(table) | _KERNPG_TABLE;
	return table;
}

/* Map [phys, end) at __va(phys) with the largest pages alignment allows. */
static void map_direct_range(phys_addr_t phys, phys_addr_t end)
{
	while (phys < end) {
		unsigned long va = (unsigned long)__va(phys);
		u64 *pud = next_table(&init_pgd[pgd_index(va)]) + pud_index(va);
		u64 *pmd, *pte;

		if (boot_cpu.pdpe1gb && !(phys & (PUD_SIZE - 1)) && end - phys >= PUD_SIZE) {
			*pud = phys | PAGE_KERNEL | _PAGE_PSE;
			direct_pages_count[PG_LEVEL_1G]++;
			phys += PUD_SIZE;
			continue;
		}
		pmd = next_table(pud) + pmd_index(va);
		if (!(phys & (PMD_SIZE - 1)) && end - phys >= PMD_SIZE) {
			*pmd = phys | PAGE_KERNEL | _PAGE_PSE;
			direct_pages_count[PG_LEVEL_2M]++;
			phys += PMD_SIZE;
			continue;
		}
		pte = next_table(pmd) + pte_index(va);
		*pte = phys | PAGE_KERNEL;
		direct_pages_count[PG_LEVEL_4K]++;
		phys += PAGE_SIZE;
	}
}

/* The direct-map protection of the image frame at @phys: ro for text and rodata. */
static pgprot_t image_alias_prot(phys_addr_t phys)
{
	if (phys >= __pa_symbol(_text) && phys < PAGE_ALIGN(__pa_symbol(_erodata)))
		return PAGE_KERNEL_RO;
	return PAGE_KERNEL;
}

/* Map the image frames [phys, end) at __va(phys) in 4 KiB pages with their own protection. */
static void map_image_alias(phys_addr_t phys, phys_addr_t end)
{
	for (; phys < end; phys += PAGE_SIZE) {
		unsigned long va = (unsigned long)__va(phys);
		u64 *pud = next_table(&init_pgd[pgd_index(va)]) + pud_index(va);
		u64 *pte = next_table(next_table(pud) + pmd_index(va)) + pte_index(va);

		*pte = phys | image_alias_prot(phys);
		direct_pages_count[PG_LEVEL_4K]++;
	}
}

/* Map the RAM range [start, end): the image's frames in it apart, the rest with large pages. */
static void map_direct_region(phys_addr_t start, phys_addr_t end)
{
	phys_addr_t image_start = __pa_symbol(_text), image_end = PAGE_ALIGN(__pa_symbol(_end));
	phys_addr_t lo = start > image_start ? start : image_start;
	phys_addr_t hi = end < image_end ? end : image_end;

	if (lo >= hi) {
		map_direct_range(start, end);
		return;
	}
	map_direct_range(start, lo);
	map_image_alias(lo, hi);
	map_direct_range(hi, end);
}

/* Map the image section [start, end) with @prot, 4 KiB pages. */
static void map_image_range(char *start, char *end, pgprot_t prot)
{
	for (unsigned long va = (unsigned long)start; va < (unsigned long)end; va += PAGE_SIZE) {
		u64 *pud = next_table(&init_pgd[pgd_index(va)]) + pud_index(va);
		u64 *pmd = next_table(pud) + pmd_index(va);
		u64 *pte = next_table(pmd) + pte_index(va);

		*pte = __pa_symbol(va) | prot;
	}
}

void paging_init(void)
{
	phys_addr_t start, end, pgd_phys;

	init_pgd = pgtable_alloc();
	if (!init_pgd)
		panic("paging_init: out of memory for the pgd");
	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		start = memblock.memory.regions[i].base;
		end = start + memblock.memory.regions[i].size;
		map_direct_region(start, end);
	}
	map_image_range(_text, _etext, PAGE_KERNEL_RX);
	map_image_range(_rodata, _erodata, PAGE_KERNEL_RO);
	map_image_range(_data, boot_stack_guard, PAGE_KERNEL);
	map_image_range(boot_stack, _end, PAGE_KERNEL); /* the guard page stays unmapped */

	pgd_phys = pgtable_pa(init_pgd);
	write_cr3(pgd_phys);
	pgtable_switched();
	init_pgd = __va(pgd_phys);
	max_pfn = PHYS_PFN(memblock_end_of_DRAM());
	memblock_set_current_limit(memblock_end_of_DRAM());
	pr_info("paging: direct map of %lu MiB at %#lx: %lu x 1G, %lu x 2M, %lu x 4K pages\n",
		(unsigned long)(memblock_phys_mem_size() >> 20), page_offset_base,
		direct_pages_count[PG_LEVEL_1G], direct_pages_count[PG_LEVEL_2M],
		direct_pages_count[PG_LEVEL_4K]);
}
