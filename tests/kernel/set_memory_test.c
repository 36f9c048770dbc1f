/*
 * Self-tests of the permission API (arch/x86/mm/set_memory.c): each change
 * takes effect at once (a translation cached before the call must not
 * survive it), refusals change nothing, and VM_FLUSH_RESET_PERMS makes
 * vfree() drop the area's translations before its pages go back.
 *
 * The tests first touch a page so that the TLB holds its old rights: under
 * QEMU the TLB is not snooped, so a missing flush shows as an access that
 * should fault and does not. The direct-map alias of each page follows the
 * RW bit, splitting a large direct-map page when it must.
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "asm/set_memory.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

extern char _text[];

/* mov eax, 42; ret */
static const u8 sm_ret42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
static volatile int sm_result;

static __noinline int sm_call(const void *code)
{
	return ((int (*)(void))code)();
}

static void *sm_alloc(unsigned long size, unsigned long start, unsigned long end,
		      unsigned long vm_flags)
{
	return __vmalloc_node_range(size, 1, start, end, GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL,
				    vm_flags, -1, __builtin_return_address(0));
}

/* The RW and NX bits of the pte mapping @addr, or ~0 when it is not mapped. */
static u64 sm_rights(unsigned long addr)
{
	enum pg_level level;
	pte_t *pte = lookup_address(addr, &level);

	return pte ? *pte & (_PAGE_RW | _PAGE_NX) : ~0ULL;
}

KTEST(set_memory, ro_takes_effect_at_once_and_rw_undoes_it)
{
	volatile char *p = vmalloc(2 * PAGE_SIZE);
	unsigned long a = (unsigned long)p;

	KTEST_ASSERT_NOT_NULL(t, p);
	p[0] = 1; /* the TLB now holds writable translations of both pages */
	p[PAGE_SIZE] = 2;
	KTEST_EXPECT_EQ(t, set_memory_ro(a, 1), 0);
	KTEST_EXPECT_EQ(t, sm_rights(a), (u64)_PAGE_NX);
	KTEST_EXPECT_FAULT(t, p[0] = 3);
	KTEST_EXPECT_EQ(t, t->fault_addr, a);
	KTEST_EXPECT_EQ(t, p[0], 1);
	p[PAGE_SIZE] = 4; /* the second page was not in the range */
	KTEST_EXPECT_EQ(t, p[PAGE_SIZE], 4);
	KTEST_EXPECT_EQ(t, set_memory_rw(a, 1), 0);
	KTEST_EXPECT_EQ(t, sm_rights(a), (u64)(_PAGE_RW | _PAGE_NX));
	p[0] = 5;
	KTEST_EXPECT_EQ(t, p[0], 5);
	vfree((void *)p);
}

KTEST(set_memory, x_makes_code_run_and_nx_stops_it_at_once)
{
	u8 *p = vmalloc(PAGE_SIZE);
	unsigned long a = (unsigned long)p;

	KTEST_ASSERT_NOT_NULL(t, p);
	memcpy(p, sm_ret42, sizeof(sm_ret42));
	KTEST_EXPECT_FAULT(t, sm_result = sm_call(p)); /* vmalloc maps NX */
	KTEST_EXPECT_EQ(t, t->fault_addr, a);
	KTEST_EXPECT_EQ(t, set_memory_x(a, 1), 0);
	KTEST_EXPECT_EQ(t, sm_rights(a), (u64)_PAGE_RW);
	KTEST_EXPECT_EQ(t, sm_call(p), 42);
	KTEST_EXPECT_EQ(t, set_memory_nx(a, 1), 0); /* the code ran: its translation is cached */
	KTEST_EXPECT_FAULT(t, sm_result = sm_call(p));
	KTEST_EXPECT_EQ(t, t->fault_addr, a);
	vfree(p);
}

/* A module's text, as a loader makes it: written, then read-only and executable. */
KTEST(set_memory, rox_in_the_module_area)
{
	volatile u8 *p = sm_alloc(2 * PAGE_SIZE, MODULES_VADDR, MODULES_END, VM_FLUSH_RESET_PERMS);
	unsigned long a = (unsigned long)p;

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_TRUE(t, a >= MODULES_VADDR && a < MODULES_END);
	memcpy((void *)p, sm_ret42, sizeof(sm_ret42));
	KTEST_EXPECT_EQ(t, set_memory_rox(a, 2), 0);
	KTEST_EXPECT_EQ(t, sm_rights(a), 0ULL);
	KTEST_EXPECT_EQ(t, sm_rights(a + PAGE_SIZE), 0ULL);
	KTEST_EXPECT_EQ(t, sm_call((const void *)p), 42);
	KTEST_EXPECT_FAULT(t, p[PAGE_SIZE] = 0);
	KTEST_EXPECT_EQ(t, t->fault_addr, a + PAGE_SIZE);
	vfree((void *)p);
}

/* Every refusal returns -EINVAL and leaves every pte as it was. */
KTEST(set_memory, refuses_what_it_cannot_change_and_changes_nothing)
{
	struct page *page = alloc_page(GFP_KERNEL);
	char *p = vmalloc(2 * PAGE_SIZE);
	unsigned long a = (unsigned long)p, dm;

	KTEST_ASSERT_NOT_NULL(t, page);
	KTEST_ASSERT_NOT_NULL(t, p);
	dm = (unsigned long)page_address(page);
	/* The direct map itself is not a vm area. */
	KTEST_EXPECT_EQ(t, set_memory_ro(dm, 1), -EINVAL);
	KTEST_EXPECT_EQ(t, sm_rights(dm), (u64)(_PAGE_RW | _PAGE_NX));
	*(volatile char *)dm = 1;
	/* The kernel image, free vmalloc space, the top of the address space. */
	KTEST_EXPECT_EQ(t, set_memory_x((unsigned long)_text, 1), -EINVAL);
	KTEST_EXPECT_EQ(t, set_memory_ro(VMALLOC_END + 1 - PAGE_SIZE, 1), -EINVAL);
	KTEST_EXPECT_EQ(t, set_memory_ro(~0UL & PAGE_MASK, 2), -EINVAL);
	/* Past the mapped pages into the guard page; the guard page alone. */
	KTEST_EXPECT_EQ(t, set_memory_ro(a, 3), -EINVAL);
	KTEST_EXPECT_EQ(t, set_memory_ro(a + 2 * PAGE_SIZE, 1), -EINVAL);
	/* Unaligned, negative; a count of 0 is a no-op. */
	KTEST_EXPECT_EQ(t, set_memory_ro(a + 1, 1), -EINVAL);
	KTEST_EXPECT_EQ(t, set_memory_ro(a, -1), -EINVAL);
	KTEST_EXPECT_EQ(t, set_memory_ro(a, 0), 0);
	KTEST_EXPECT_EQ(t, sm_rights(a), (u64)(_PAGE_RW | _PAGE_NX));
	KTEST_EXPECT_EQ(t, sm_rights(a + PAGE_SIZE), (u64)(_PAGE_RW | _PAGE_NX));
	p[0] = 1;
	p[PAGE_SIZE] = 2;
	vfree(p);
	__free_page(page);
}

/*
 * VM_FLUSH_RESET_PERMS: the vfree() of an area whose rights were changed
 * flushes its translations itself, instead of leaving them to the next lazy
 * purge; a read after the vfree faults at once.
 */
KTEST(set_memory, vfree_of_reset_perms_area_leaves_no_stale_translation)
{
	volatile char *p = sm_alloc(PAGE_SIZE, VMALLOC_START, VMALLOC_END, VM_FLUSH_RESET_PERMS);
	unsigned long a = (unsigned long)p;

	KTEST_ASSERT_NOT_NULL(t, p);
	p[0] = 1;
	vm_unmap_aliases(); /* nothing lazy: the vfree() below does not purge */
	KTEST_EXPECT_EQ(t, set_memory_ro(a, 1), 0);
	KTEST_EXPECT_EQ(t, p[0], 1); /* the TLB holds the read-only translation */
	vfree((void *)p);
	KTEST_EXPECT_FAULT(t, (void)p[0]);
	KTEST_EXPECT_EQ(t, t->fault_addr, a);
}

/*
 * Bug: only areas allocated with VM_FLUSH_RESET_PERMS were flushed at
 * vfree(); set_memory_x() on a plain vmalloc() area left its executable
 * translation to the next lazy purge. Now the change marks the area.
 */
KTEST(set_memory, vfree_after_set_memory_x_on_plain_area_flushes_at_once)
{
	volatile char *p = vmalloc(PAGE_SIZE);
	unsigned long a = (unsigned long)p;
	struct vm_struct *area;

	KTEST_ASSERT_NOT_NULL(t, p);
	area = find_vm_area((const void *)p);
	KTEST_ASSERT_NOT_NULL(t, area);
	KTEST_EXPECT_EQ(t, area->flags & VM_FLUSH_RESET_PERMS, 0U);
	vm_unmap_aliases(); /* nothing lazy: the vfree() below does not purge */
	KTEST_EXPECT_EQ(t, set_memory_x(a, 1), 0);
	KTEST_EXPECT_EQ(t, area->flags & VM_FLUSH_RESET_PERMS, VM_FLUSH_RESET_PERMS);
	p[0] = 1; /* the TLB holds the executable translation */
	KTEST_EXPECT_EQ(t, set_memory_nx(a, 1), 0);
	KTEST_EXPECT_EQ(t, p[0], 1);
	vfree((void *)p);
	KTEST_EXPECT_FAULT(t, (void)p[0]);
	KTEST_EXPECT_EQ(t, t->fault_addr, a);
}

/* The direct-map alias of the frame behind the vm-area page at @addr. */
static volatile u8 *sm_alias(const void *addr)
{
	return page_address(vmalloc_to_page(addr));
}

static enum pg_level sm_level(unsigned long addr)
{
	enum pg_level level = PG_LEVEL_NONE;

	lookup_address(addr, &level);
	return level;
}

/*
 * Bug: set_memory_rox() made a module's text read-only at its vm address
 * only; the same frame stayed writable at __va(), so a stray write through
 * the direct map could change running code. The alias follows now, and the
 * vfree() gives it its RW back before the page goes back to the buddy.
 */
KTEST(set_memory, rox_text_stayed_writable_through_its_direct_map_alias)
{
	u8 *p = sm_alloc(PAGE_SIZE, MODULES_VADDR, MODULES_END, VM_FLUSH_RESET_PERMS);
	volatile u8 *alias;

	KTEST_ASSERT_NOT_NULL(t, p);
	alias = sm_alias(p);
	memcpy(p, sm_ret42, sizeof(sm_ret42));
	alias[PAGE_SIZE - 1] = 1; /* the TLB holds the alias writable */
	KTEST_EXPECT_EQ(t, set_memory_rox((unsigned long)p, 1), 0);
	KTEST_EXPECT_EQ(t, sm_rights((unsigned long)alias), (u64)_PAGE_NX);
	KTEST_EXPECT_FAULT(t, alias[0] = 0xcc);
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)alias);
	KTEST_EXPECT_EQ(t, sm_call(p), 42); /* the code is intact */
	vfree(p);
	KTEST_EXPECT_EQ(t, sm_rights((unsigned long)alias), (u64)(_PAGE_RW | _PAGE_NX));
}

/* ro and rw move the alias's RW bit; x and nx never make the alias executable. */
KTEST(set_memory, ro_and_rw_reach_the_alias_and_x_does_not)
{
	volatile u8 *p = vmalloc(PAGE_SIZE), *alias;
	unsigned long a = (unsigned long)p;

	KTEST_ASSERT_NOT_NULL(t, p);
	alias = sm_alias((const void *)p);
	alias[1] = 2;
	KTEST_EXPECT_EQ(t, set_memory_ro(a, 1), 0);
	KTEST_EXPECT_FAULT(t, alias[1] = 3);
	KTEST_EXPECT_EQ(t, alias[1], 2);
	KTEST_EXPECT_EQ(t, set_memory_rw(a, 1), 0);
	alias[1] = 4;
	KTEST_EXPECT_EQ(t, p[1], 4);
	KTEST_EXPECT_EQ(t, set_memory_x(a, 1), 0);
	KTEST_EXPECT_EQ(t, sm_rights((unsigned long)alias), (u64)(_PAGE_RW | _PAGE_NX));
	KTEST_EXPECT_EQ(t, set_memory_nx(a, 1), 0);
	vfree((void *)p);
}

/* vunmap() hands a caller's page back writable at its direct-map address. */
KTEST(set_memory, vunmap_gives_the_owner_its_page_writable_again)
{
	struct page *page = alloc_page(GFP_KERNEL);
	struct page *pages[1] = { page };
	volatile u8 *alias;
	void *v;

	KTEST_ASSERT_NOT_NULL(t, page);
	alias = page_address(page);
	v = vmap(pages, 1, VM_MAP, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, set_memory_ro((unsigned long)v, 1), 0);
	KTEST_EXPECT_FAULT(t, alias[0] = 1);
	vunmap(v);
	alias[0] = 7;
	KTEST_EXPECT_EQ(t, alias[0], 7);
	__free_page(page);
}

#define SM_BLOCK_ORDER 9 /* 2 MiB: one pmd leaf of the direct map */
#define SM_BLOCK_TRIES 4

/*
 * A free 2 MiB block whose alias is still a large direct-map page (2 MiB or
 * 1 GiB), its level in *@level; NULL if none of a few tries gives one.
 */
static struct page *sm_large_alias_block(enum pg_level *level)
{
	struct page *got[SM_BLOCK_TRIES], *found = NULL;
	int n = 0;

	for (; n < SM_BLOCK_TRIES && !found; n++) {
		got[n] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, SM_BLOCK_ORDER);
		if (!got[n])
			break;
		*level = sm_level((unsigned long)page_address(got[n]));
		if (*level != PG_LEVEL_4K)
			found = got[n];
	}
	while (n--)
		if (got[n] && got[n] != found)
			__free_pages(got[n], SM_BLOCK_ORDER);
	return found;
}

/* Mark each page of @block with its index, through the direct map. */
static void sm_mark_block(struct page *block)
{
	u64 *base = page_address(block);

	for (unsigned long i = 0; i < (1UL << SM_BLOCK_ORDER); i++)
		base[i * (PAGE_SIZE / sizeof(u64))] = 0x5e7000 + i;
}

/*
 * The split of a large direct-map page over an alias: the alias alone goes
 * read-only, every other frame of the block keeps its pte, rights and data.
 */
KTEST(set_memory, split_of_a_large_alias_keeps_its_other_pages)
{
	enum pg_level before = PG_LEVEL_NONE;
	struct page *block = sm_large_alias_block(&before);
	unsigned long base, bad = 0;
	struct page *pages[1];
	void *v;

	if (!block)
		KTEST_SKIP(t, "no free 2 MiB block under a large direct-map page");
	base = (unsigned long)page_address(block);
	sm_mark_block(block);
	pages[0] = block + 5;
	v = vmap(pages, 1, VM_MAP, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, set_memory_ro((unsigned long)v, 1), 0);
	KTEST_EXPECT_EQ(t, (int)sm_level(base + 5 * PAGE_SIZE), (int)PG_LEVEL_4K);
	KTEST_EXPECT_EQ(t, sm_rights(base + 5 * PAGE_SIZE), (u64)_PAGE_NX);
	for (unsigned long i = 0; i < (1UL << SM_BLOCK_ORDER); i++) {
		unsigned long va = base + i * PAGE_SIZE;
		enum pg_level level;
		pte_t *pte = lookup_address(va, &level);

		if (!pte || level != PG_LEVEL_4K ||
		    (*pte & PTE_PFN_MASK) != page_to_phys(block) + i * PAGE_SIZE ||
		    (i != 5 && sm_rights(va) != (u64)(_PAGE_RW | _PAGE_NX)) ||
		    *(u64 *)va != 0x5e7000 + i)
			bad++;
	}
	KTEST_EXPECT_EQ(t, bad, 0UL);
	vunmap(v);
	KTEST_EXPECT_EQ(t, sm_rights(base + 5 * PAGE_SIZE), (u64)(_PAGE_RW | _PAGE_NX));
	__free_pages(block, SM_BLOCK_ORDER);
}

/* Out of memory for the split's table: -ENOMEM, and no right changed anywhere. */
KTEST(set_memory, no_table_for_the_split_changes_no_right)
{
	enum pg_level before = PG_LEVEL_NONE;
	struct page *block = sm_large_alias_block(&before);
	volatile u8 *alias;
	struct page *pages[1];
	unsigned long inj0 = fail_page_alloc_injected;
	void *v;
	int err;

	if (!block)
		KTEST_SKIP(t, "no free 2 MiB block under a large direct-map page");
	alias = page_address(block);
	pages[0] = block;
	v = vmap(pages, 1, VM_MAP, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, v);
	fail_page_alloc_set(1, 2); /* a 1 GiB page needs two tables */
	err = set_memory_ro((unsigned long)v, 1);
	fail_page_alloc_set(0, 0);
	KTEST_EXPECT_EQ(t, err, -ENOMEM);
	KTEST_EXPECT_GE(t, fail_page_alloc_injected - inj0, 1UL);
	KTEST_EXPECT_EQ(t, sm_rights((unsigned long)v), (u64)(_PAGE_RW | _PAGE_NX));
	KTEST_EXPECT_EQ(t, sm_rights((unsigned long)alias), (u64)(_PAGE_RW | _PAGE_NX));
	*(volatile u8 *)v = 1;
	alias[0] = 2;
	KTEST_EXPECT_EQ(t, *(volatile u8 *)v, 2);
	KTEST_EXPECT_EQ(t, set_memory_ro((unsigned long)v, 1), 0); /* memory back: it works */
	KTEST_EXPECT_FAULT(t, alias[0] = 3);
	vunmap(v);
	__free_pages(block, SM_BLOCK_ORDER);
}

/*
 * Bug: the unmap of a VM_FLUSH_RESET_PERMS area whose rights were never
 * changed (a module's data) WARNed "alias ... is not a 4 KiB page" for each
 * page whose alias still sat in a large direct-map page: the reset expected
 * every alias split. A large alias was never made read-only: left alone.
 */
KTEST(set_memory, reset_of_unchanged_area_warned_on_large_alias)
{
	enum pg_level before = PG_LEVEL_NONE;
	struct page *block = sm_large_alias_block(&before);
	unsigned long warns = warn_count;
	struct page *pages[1];
	void *v;

	if (!block)
		KTEST_SKIP(t, "no free 2 MiB block under a large direct-map page");
	pages[0] = block;
	v = vmap(pages, 1, VM_MAP | VM_FLUSH_RESET_PERMS, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, v);
	vunmap(v);
	KTEST_EXPECT_EQ(t, warn_count, warns);
	KTEST_EXPECT_EQ(t, (int)sm_level((unsigned long)page_address(block)), (int)before);
	KTEST_EXPECT_EQ(t, sm_rights((unsigned long)page_address(block)),
			(u64)(_PAGE_RW | _PAGE_NX));
	__free_pages(block, SM_BLOCK_ORDER);
}
