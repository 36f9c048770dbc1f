/*
 * In-kernel regression tests for the edges of vmap() and vfree() (issue 12,
 * items 1, 2, 3, 8 and 10), each named after the bug it catches:
 *  - vmap() refuses a NULL page and a page whose frame is not RAM, before
 *    reserving anything;
 *  - nothing maps RAM executable: vmap(), __vmalloc_node_range() and
 *    vmap_range() set NX whatever prot says (X comes from set_memory_x());
 *  - vmap() keeps its guard page when asked for VM_NO_GUARD;
 *  - vfree_atomic()'s queue does not live in the queued areas, so a stray
 *    write into one cannot make vfree_deferred_run() free a live area;
 *  - with vmalloc_debug_flush, an access right after vfree() faults and
 *    the fault report names the freed area and its caller.
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/memlayout.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define HPET_PHYS 0xfed00000ULL /* registers of a device, never RAM on QEMU */

static bool vc_contains(const char *s, const char *sub)
{
	size_t n = strlen(sub);

	for (; *s; s++)
		if (strncmp(s, sub, n) == 0)
			return true;
	return false;
}

static void vc_vunmap(void *addr)
{
	vunmap(addr);
}

static void vc_free_vm_area(void *area)
{
	free_vm_area(area);
}

/* A ktest_defer() action: the lazy budget back to @pages. */
static void vc_lazy_restore(void *pages)
{
	vmalloc_set_lazy_max_pages((unsigned long)pages);
}

/* A ktest_defer() action: vmalloc_debug_flush back to @on (0 or 1). */
static void vc_debug_flush_restore(void *on)
{
	vmalloc_set_debug_flush(on != NULL);
}

/* The PTE of @addr has NX set (and is a present 4 KiB entry). */
static bool vc_pte_nx(unsigned long addr)
{
	enum pg_level level;
	pte_t *pte = lookup_address(addr, &level);

	return pte && level == PG_LEVEL_4K && (*pte & _PAGE_NX);
}

/* vmap() of @pages must fail with one WARN and leave vmalloc as it was. */
static void vc_expect_refused(struct ktest *t, struct page **pages, unsigned int count)
{
	unsigned long busy = vmalloc_nr_busy(), warns = warn_count;
	void *v = vmap(pages, count, 0, PAGE_KERNEL);

	KTEST_EXPECT_NULL(t, v);
	KTEST_EXPECT_EQ(t, warn_count, warns + 1);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vunmap(v); /* only if the bug is back */
}

/* A NULL page anywhere in the array, even last: refused before anything is reserved. */
KTEST(vmap_checks, vmap_null_page_refused)
{
	struct page *pages[3] = { NULL, NULL, NULL };

	pages[0] = ktest_alloc_pages(t, GFP_KERNEL, 0);
	KTEST_ASSERT_NOT_NULL(t, pages[0]);
	pages[1] = ktest_alloc_pages(t, GFP_KERNEL, 0);
	KTEST_ASSERT_NOT_NULL(t, pages[1]);
	vc_expect_refused(t, pages, 3);
}

/* The "page" of the HPET's frame, or a pointer between two struct pages: refused. */
KTEST(vmap_checks, vmap_non_ram_pfn_refused)
{
	struct page *good = ktest_alloc_pages(t, GFP_KERNEL, 0);
	struct page *pages[2];

	KTEST_ASSERT_NOT_NULL(t, good);
	KTEST_EXPECT_FALSE(t, pfn_valid(PHYS_PFN(HPET_PHYS)));
	pages[0] = good;
	pages[1] = pfn_to_page(PHYS_PFN(HPET_PHYS));
	vc_expect_refused(t, pages, 2);
	pages[1] = (struct page *)((char *)good + 8);
	vc_expect_refused(t, pages, 2);
}

/* Run the code at @addr: a single `ret`. */
static void vc_call(void *addr)
{
	((void (*)(void))addr)();
}

/* PAGE_KERNEL_EXEC on RAM gives NX: executing there faults. */
KTEST(vmap_checks, vmap_exec_prot_maps_nx)
{
	struct page *page = ktest_alloc_pages(t, GFP_KERNEL, 0);
	struct vm_struct *area;
	unsigned char *v, *m;
	unsigned long a;

	KTEST_ASSERT_NOT_NULL(t, page);
	v = vmap(&page, 1, 0, PAGE_KERNEL_EXEC);
	KTEST_ASSERT_NOT_NULL(t, v);
	ktest_defer(t, vc_vunmap, v);
	KTEST_EXPECT_TRUE(t, vc_pte_nx((unsigned long)v));
	v[0] = 0xc3; /* ret */
	KTEST_EXPECT_FAULT(t, vc_call(v));
	KTEST_EXPECT_EQ(t, t->fault_vector, 14UL);
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)v);
	ktest_release(t, vc_vunmap, v);

	/* A module-style allocation: mapped NX; X only via set_memory_x(). */
	m = __vmalloc_node_range(PAGE_SIZE, 1, MODULES_VADDR, MODULES_END, GFP_KERNEL,
				 PAGE_KERNEL_EXEC, 0, -1, __builtin_return_address(0));
	KTEST_ASSERT_NOT_NULL(t, m);
	ktest_defer(t, ktest_action_vfree, m);
	KTEST_EXPECT_TRUE(t, vc_pte_nx((unsigned long)m));
	ktest_release(t, ktest_action_vfree, m);

	/* The physical-run mapper, given a RAM frame. */
	area = get_vm_area(PAGE_SIZE, VM_IOREMAP);
	KTEST_ASSERT_NOT_NULL(t, area);
	ktest_defer(t, vc_free_vm_area, area);
	a = (unsigned long)area->addr;
	KTEST_EXPECT_EQ(t, vmap_range(a, a + PAGE_SIZE, page_to_phys(page), PAGE_KERNEL_EXEC), 0);
	KTEST_EXPECT_TRUE(t, vc_pte_nx(a));
	ktest_release(t, vc_free_vm_area, area);
	ktest_free_pages(t, page);
	vm_unmap_aliases();
}

#define VC_NO_GUARD_WARNING "vmap: VM_NO_GUARD ignored"

/*
 * The WARNs the next vmap() with VM_NO_GUARD must give: 1, or 0 if the log
 * shows the one-time warning fired already; -1 (do not check) if the log
 * lost its oldest lines (wrapped or cleared), which may have held it.
 */
static int vc_no_guard_warnings_due(void)
{
	if (dmesg_start(0) != 0)
		return -1;
	return ktest_log_has(0, VC_NO_GUARD_WARNING) ? 0 : 1;
}

/*
 * VM_NO_GUARD is ignored by vmap(): the page after the area is its own
 * guard, even with another area allocated as close after it as possible.
 */
KTEST(vmap_checks, vmap_no_guard_overrun_hits_guard)
{
	struct page *page = ktest_alloc_pages(t, GFP_KERNEL, 0);
	unsigned long warns, next, start;
	struct vm_struct *vm;
	char desc[192];
	char *v, *v2, *n;
	int due;

	KTEST_ASSERT_NOT_NULL(t, page);
	due = vc_no_guard_warnings_due();
	start = ktest_log_mark();
	warns = warn_count;
	v = vmap(&page, 1, VM_NO_GUARD, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, v);
	ktest_defer(t, vc_vunmap, v);
	if (due >= 0) /* else the count is not known: see vc_no_guard_warnings_due() */
		KTEST_EXPECT_EQ(t, warn_count, warns + due);
	if (due > 0)
		KTEST_EXPECT_TRUE(t, ktest_log_has(start, VC_NO_GUARD_WARNING));
	vm = find_vm_area(v);
	KTEST_ASSERT_NOT_NULL(t, vm);
	KTEST_EXPECT_EQ(t, vm->size, 2 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, vm->flags & VM_NO_GUARD, 0u);

	next = (unsigned long)v + PAGE_SIZE;
	n = __vmalloc_node_range(PAGE_SIZE, 1, next, next + 2 * PAGE_SIZE,
				 GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL, VM_NO_GUARD, -1,
				 __builtin_return_address(0));
	if (n)
		ktest_defer(t, ktest_action_vfree, n);
	KTEST_EXPECT_NE(t, (unsigned long)n, next);
	KTEST_EXPECT_FAULT(t, v[PAGE_SIZE] = 1); /* one byte past the end */
	KTEST_EXPECT_EQ(t, t->fault_addr, next);
	KTEST_EXPECT_TRUE(t, vmalloc_describe_fault(next, desc, sizeof(desc)));
	KTEST_EXPECT_TRUE(t, vc_contains(desc, "guard page of"));

	warns = warn_count;
	v2 = vmap(&page, 1, VM_NO_GUARD, PAGE_KERNEL); /* the warning was once */
	KTEST_EXPECT_EQ(t, warn_count, warns);
	vunmap(v2);
	if (n)
		ktest_release(t, ktest_action_vfree, n);
	ktest_release(t, vc_vunmap, v);
	ktest_free_pages(t, page);
}

/*
 * After vfree_atomic(), the owner (wrongly) writes into the queued areas;
 * the words written are where the old queue kept its links. The live area
 * they point to must survive, and both queued areas must be freed.
 */
KTEST(vmap_checks, vfree_atomic_overwritten_link_frees_nothing_else)
{
	char *victim = ktest_vmalloc(t, PAGE_SIZE);
	char *q1 = ktest_vmalloc(t, PAGE_SIZE), *q2 = ktest_vmalloc(t, PAGE_SIZE);
	unsigned long busy;

	KTEST_ASSERT_NOT_NULL(t, victim);
	KTEST_ASSERT_NOT_NULL(t, q1);
	KTEST_ASSERT_NOT_NULL(t, q2);
	ktest_defer_cancel(t, ktest_action_vfree, q2); /* vfree_atomic() frees them */
	ktest_defer_cancel(t, ktest_action_vfree, q1);
	victim[8] = 0x5a;
	busy = vmalloc_nr_busy();
	vfree_atomic(q1);
	vfree_atomic(q2);
	*(void **)q1 = victim;
	*(void **)q2 = victim;
	vfree_deferred_run();
	KTEST_EXPECT_NOT_NULL(t, find_vm_area(victim));
	KTEST_EXPECT_NULL(t, find_vm_area(q1));
	KTEST_EXPECT_NULL(t, find_vm_area(q2));
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy - 2);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	if (find_vm_area(victim)) {
		KTEST_EXPECT_EQ(t, victim[8], 0x5a);
		ktest_vfree(t, victim);
	} else {
		ktest_defer_cancel(t, ktest_action_vfree, victim); /* the bug freed it */
	}
}

/*
 * vmalloc_debug_flush: the TLB forgets a vfree()d range at once, so a use
 * after vfree() faults (without it TCG keeps the stale translation and the
 * read succeeds), and the report names the freed area and who allocated it.
 */
KTEST(vmap_checks, vfree_debug_flush_faults_at_once)
{
	unsigned long old_lazy = vmalloc_lazy_max_pages(), flushes;
	bool old_flush = vmalloc_debug_flush_enabled();
	char desc[192], who[96];
	struct vm_struct *vm;
	volatile char *p;

	ktest_defer(t, vc_lazy_restore, (void *)old_lazy);
	ktest_defer(t, vc_debug_flush_restore, old_flush ? (void *)1 : NULL);
	vmalloc_set_lazy_max_pages(~0UL >> 1); /* keep the area lazy, not purged */
	vmalloc_set_debug_flush(true);
	p = ktest_vmalloc(t, PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	vm = find_vm_area((void *)p);
	KTEST_ASSERT_NOT_NULL(t, vm);
	snprintf(who, sizeof(who), "allocated by %pS", vm->caller);
	p[0] = 1; /* the TLB now holds the translation */
	flushes = pgtable_stats.flush_ranges + pgtable_stats.flush_all;
	ktest_vfree(t, (void *)p);
	/* the flush itself, not only TCG's TLB happening to drop the entry */
	KTEST_EXPECT_GT(t, pgtable_stats.flush_ranges + pgtable_stats.flush_all, flushes);
	KTEST_EXPECT_FAULT(t, (void)p[0]);
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)p);
	KTEST_EXPECT_TRUE(t, vmalloc_describe_fault((unsigned long)p, desc, sizeof(desc)));
	KTEST_EXPECT_TRUE(t, vc_contains(desc, "freed vmalloc area"));
	KTEST_EXPECT_TRUE(t, vc_contains(desc, who));
	KTEST_EXPECT_TRUE(t, vc_contains(who, "ktest_vmap_checks_vfree_debug_flush"));
	ktest_release(t, vc_debug_flush_restore, old_flush ? (void *)1 : NULL);
	ktest_release(t, vc_lazy_restore, (void *)old_lazy);
}
