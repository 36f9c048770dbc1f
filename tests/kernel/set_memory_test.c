/*
 * Self-tests of the permission API (arch/x86/mm/set_memory.c): each change
 * takes effect at once (a translation cached before the call must not
 * survive it), refusals change nothing, and VM_FLUSH_RESET_PERMS makes
 * vfree() drop the area's translations before its pages go back.
 *
 * The tests first touch a page so that the TLB holds its old rights: under
 * QEMU the TLB is not snooped, so a missing flush shows as an access that
 * should fault and does not.
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "asm/set_memory.h"
#include "kernel/errno.h"
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
	/* The direct map: its large pages cannot be split yet. */
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
