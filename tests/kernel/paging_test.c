/*
 * Self-tests of the address space: the direct map's invariants (seed 002),
 * the image's W^X mapping, the identity map being gone, the exception path
 * (faults are caught and reported, the run goes on), the layout table.
 */
#include "asm/pgtable.h"
#include "asm/traps.h"
#include "debug/ktest.h"
#include "kernel/symbols.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/layout.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/vmalloc.h"

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _end[];
static int some_data = 42;

/* The physical address that the page tables give for @va, or -1. */
static phys_addr_t walk_phys(unsigned long va)
{
	enum pt_level at;
	u64 *e = pt_walk(va, PT_PTE, &at);
	unsigned long mask = pt_level_size(at) - 1;

	if (!(*e & _PAGE_PRESENT))
		return (phys_addr_t)-1;
	return (*e & PTE_PFN_MASK & ~mask) | (va & mask);
}

/* pt_walk() stops at the level asked for, at a hole, or at a large page. */
KTEST(paging, pt_walk_stops_where_expected)
{
	char *p = vmalloc(PAGE_SIZE);
	unsigned long va = (unsigned long)p, guard = va + PAGE_SIZE;
	enum pt_level at;
	enum pg_level level;
	u64 *pte, *pmd;

	KTEST_ASSERT_NOT_NULL(t, p);
	pte = pt_walk(va, PT_PTE, &at);
	KTEST_EXPECT_EQ(t, (int)at, (int)PT_PTE);
	KTEST_EXPECT_EQ(t, (unsigned long)pte, (unsigned long)lookup_address(va, &level));
	KTEST_EXPECT_EQ(t, (int)level, (int)PG_LEVEL_4K);
	pmd = pt_walk(va, PT_PMD, &at);
	KTEST_EXPECT_EQ(t, (int)at, (int)PT_PMD);
	KTEST_EXPECT_FALSE(t, pt_entry_leaf(*pmd, PT_PMD));
	KTEST_EXPECT_EQ(t, (unsigned long)__va(*pmd & PTE_PFN_MASK),
			(unsigned long)pte & PAGE_MASK);
	/* The guard page: the walk reaches its pte, which is empty. */
	KTEST_EXPECT_EQ(t, *pt_walk(guard, PT_PTE, &at) & _PAGE_PRESENT, 0UL);
	KTEST_EXPECT_EQ(t, (int)at, (int)PT_PTE);
	KTEST_EXPECT_NULL(t, lookup_address(guard, &level));
	vfree(p);
	/* Page 0: nothing below the empty pgd slot. */
	KTEST_EXPECT_EQ(t, *pt_walk(0, PT_PTE, &at) & _PAGE_PRESENT, 0UL);
	KTEST_EXPECT_EQ(t, (int)at, (int)PT_PGD);
	KTEST_EXPECT_NULL(t, lookup_address(0, &level));
	KTEST_EXPECT_EQ(t, (int)level, (int)PG_LEVEL_512G);
}

/* In the direct map, a walk to PT_PTE ends at the 2 MiB or 1 GiB leaf. */
KTEST(paging, pt_walk_stops_at_large_page)
{
	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		phys_addr_t base = ALIGN(memblock.memory.regions[i].base, PMD_SIZE);
		phys_addr_t end = memblock.memory.regions[i].base + memblock.memory.regions[i].size;
		unsigned long va = (unsigned long)__va(base);
		enum pt_level at;
		enum pg_level level;
		u64 *e;

		if (base + PMD_SIZE > end)
			continue;
		e = pt_walk(va, PT_PTE, &at);
		if (at == PT_PTE)
			continue;
		KTEST_EXPECT_TRUE(t, at == PT_PMD || at == PT_PUD);
		KTEST_EXPECT_TRUE(t, pt_entry_leaf(*e, at));
		KTEST_EXPECT_EQ(t, (unsigned long)lookup_address(va, &level), (unsigned long)e);
		KTEST_EXPECT_EQ(t, (int)level, (int)pt_pg_level(at));
		KTEST_EXPECT_EQ(t, walk_phys(va + 0x1234), base + 0x1234);
		return;
	}
	KTEST_SKIP(t, "no RAM range holds an aligned 2 MiB page");
}

/* Every page of RAM: __va(__pa(x)) == x, order kept, and the tables agree. */
KTEST(paging, direct_map_invariants)
{
	unsigned long checked = 0, prev_va = 0;

	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		phys_addr_t base = memblock.memory.regions[i].base;
		phys_addr_t end = base + memblock.memory.regions[i].size;

		for (phys_addr_t p = base; p < end; p += PAGE_SIZE) {
			unsigned long va = (unsigned long)__va(p);

			if (va <= prev_va || __va(__pa(va)) != (void *)va || walk_phys(va) != p) {
				KTEST_EXPECT_EQ(t, (unsigned long)__va(__pa(va)), va);
				KTEST_EXPECT_EQ(t, walk_phys(va), p);
				KTEST_EXPECT_GT(t, va, prev_va);
				return;
			}
			prev_va = va;
			checked++;
		}
	}
	KTEST_EXPECT_EQ(t, checked, (unsigned long)(memblock_phys_mem_size() >> PAGE_SHIFT));
	KTEST_EXPECT_TRUE(t, virt_addr_valid(__va(memblock.memory.regions[0].base)));
	KTEST_EXPECT_FALSE(t, virt_addr_valid(_text));
}

/* Physical ranges that are not RAM have no direct mapping. */
KTEST(paging, direct_map_holes_unmapped)
{
	unsigned long holes = 0;

	for (unsigned long i = 0; i + 1 < memblock.memory.cnt; i++) {
		phys_addr_t hole =
			memblock.memory.regions[i].base + memblock.memory.regions[i].size;

		if (hole < memblock.memory.regions[i + 1].base) {
			KTEST_EXPECT_EQ(t, walk_phys((unsigned long)__va(hole)), (phys_addr_t)-1);
			holes++;
		}
	}
	if (!holes)
		KTEST_SKIP(t, "no hole between RAM ranges");
}

KTEST(paging, image_is_w_xor_x)
{
	enum pg_level level;
	pte_t *text = lookup_address((unsigned long)_text, &level);
	pte_t *ro = lookup_address((unsigned long)_rodata, &level);
	pte_t *data = lookup_address((unsigned long)&some_data, &level);

	KTEST_ASSERT_NOT_NULL(t, text);
	KTEST_ASSERT_NOT_NULL(t, ro);
	KTEST_ASSERT_NOT_NULL(t, data);
	KTEST_EXPECT_EQ(t, *text & (_PAGE_RW | _PAGE_NX), 0UL);
	KTEST_EXPECT_EQ(t, *ro & (_PAGE_RW | _PAGE_NX), _PAGE_NX);
	KTEST_EXPECT_EQ(t, *data & (_PAGE_RW | _PAGE_NX), _PAGE_RW | _PAGE_NX);
	KTEST_EXPECT_EQ(t, walk_phys((unsigned long)&some_data), __pa_symbol(&some_data));
	KTEST_EXPECT_FAULT(t, *(volatile char *)_text = 0);
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)_text);
	KTEST_EXPECT_FAULT(t, *(volatile char *)_rodata = 0);
	KTEST_EXPECT_EQ(t, some_data, 42);
}

KTEST(paging, null_and_identity_unmapped)
{
	KTEST_EXPECT_FAULT(t, (void)READ_ONCE(*(volatile int *)0));
	KTEST_EXPECT_EQ(t, t->fault_addr, 0UL);
	KTEST_EXPECT_EQ(t, t->fault_vector, (unsigned long)X86_TRAP_PF);
	/* The kernel's own physical load address: mapped only during the switch. */
	KTEST_EXPECT_FAULT(t, (void)READ_ONCE(*(volatile int *)0x100000));
	KTEST_EXPECT_EQ(t, t->fault_addr, 0x100000UL);
}

static volatile int zero, quotient;

KTEST(paging, exceptions_are_caught)
{
	KTEST_EXPECT_FAULT(t, __asm__ __volatile__("ud2"));
	KTEST_EXPECT_EQ(t, t->fault_vector, (unsigned long)X86_TRAP_UD);
	KTEST_EXPECT_FAULT(t, quotient = 100 / zero);
	KTEST_EXPECT_EQ(t, t->fault_vector, 0UL);
	/* int3 is reported and execution continues after it. */
	__asm__ __volatile__("int3");
	KTEST_EXPECT_EQ(t, zero, 0);
}

KTEST(paging, layout_regions_do_not_overlap)
{
	struct mem_region bad[2] = {
		{ "a", 0xffffc20000000000UL, 0xffffc20000002000UL },
		{ "b", 0xffffc20000001000UL, 0xffffc20000003000UL },
	};

	KTEST_EXPECT_EQ(t, layout_check(mem_regions, NR_MEM_REGIONS), 0);
	KTEST_EXPECT_EQ(t, layout_check(bad, 2), -1);
	if (vmalloc_range_size == VMALLOC_SIZE) /* no vmalloc= on the command line */
		KTEST_EXPECT_EQ(t, VMALLOC_END - VMALLOC_START + 1, 32UL << 40);
	KTEST_EXPECT_LT(t, PAGE_OFFSET + direct_map_size, VMALLOC_START);
	KTEST_EXPECT_LE(t, VMALLOC_END, VMEMMAP_START);
	if (memory_randomized) {
		KTEST_EXPECT_EQ(t, PAGE_OFFSET % PUD_SIZE, 0UL);
		KTEST_EXPECT_EQ(t, VMALLOC_START % PUD_SIZE, 0UL);
		KTEST_EXPECT_EQ(t, VMEMMAP_START % PUD_SIZE, 0UL);
		KTEST_EXPECT_LE(t, VMEMMAP_START + VMEMMAP_SIZE, 0xffffe40000000000UL);
	} else { /* the seed's numbers (seed 000) */
		KTEST_EXPECT_EQ(t, VMALLOC_START, 0xffffc20000000000UL);
		if (vmalloc_range_size == VMALLOC_SIZE)
			KTEST_EXPECT_EQ(t, VMALLOC_END, 0xffffe1ffffffffffUL);
		KTEST_EXPECT_EQ(t, PAGE_OFFSET, 0xffff810000000000UL);
	}
}

KTEST(paging, symbols_resolve)
{
	unsigned long off = 0, size = 0;
	const char *name = symbols_lookup((unsigned long)ktest_run + 3, &off, &size);
	char buf[96];

	KTEST_ASSERT_NOT_NULL(t, name);
	KTEST_EXPECT_STREQ(t, name, "ktest_run");
	KTEST_EXPECT_EQ(t, off, 3UL);
	KTEST_EXPECT_GT(t, size, 3UL);
	snprintf(buf, sizeof(buf), "%pS", (void *)((unsigned long)ktest_run + 3));
	KTEST_EXPECT_EQ(t, strncmp(buf, "ktest_run+0x3/0x", 16), 0);
	KTEST_EXPECT_EQ(t, symbols_lookup_name("ktest_run"), (unsigned long)ktest_run);
}
