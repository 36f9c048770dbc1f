/*
 * In-kernel regression tests for the review of issue 12's vmalloc core,
 * each named after the bug it catches (the host tests in
 * tests/host/vmalloc_test.c cover the others):
 *  - vmap() of a frame of the kernel image's text or rodata gave a
 *    writable alias of the running kernel's code;
 *  - vmap() dropped VM_FLUSH_RESET_PERMS and vunmap() ignored it, so the
 *    stale translation outlived the unmap until the next lazy purge.
 */
#include "debug/ktest.h"

#include "asm/page.h"
#include "asm/pgtable.h"
#include "kernel/panic.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

extern char _text[], _etext[], _erodata[], _data[];

/* The struct page of the kernel image's frame holding the byte at @sym + @off. */
static struct page *vf_image_page(const char *sym, long off)
{
	return virt_to_page(__va(__pa_symbol((unsigned long)sym + off)));
}

/* vmap() of @page alone is refused with one WARN and nothing reserved. */
static void vf_expect_refused(struct ktest *t, struct page *page)
{
	unsigned long busy = vmalloc_nr_busy(), warns = warn_count;
	void *v = vmap(&page, 1, VM_MAP, PAGE_KERNEL);

	KTEST_EXPECT_NULL(t, v);
	KTEST_EXPECT_EQ(t, warn_count, warns + 1);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	vunmap(v); /* only if the bug is back */
}

/*
 * vmap(&virt_to_page(__va(__pa_symbol(_text))), 1, VM_MAP, PAGE_KERNEL)
 * succeeded: a writable alias of kernel text. Frames of [_text, _erodata)
 * are refused; the first frame of .data (already writable) is not.
 */
KTEST(vmalloc_fixes, vmap_image_text_frame_refused)
{
	struct page *data = vf_image_page(_data, 0);
	void *v;

	vf_expect_refused(t, vf_image_page(_text, 0));
	vf_expect_refused(t, vf_image_page(_etext, -1));
	vf_expect_refused(t, vf_image_page(_erodata, -1));
	v = vmap(&data, 1, VM_MAP, PAGE_KERNEL);
	KTEST_EXPECT_NOT_NULL(t, v);
	vunmap(v);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* Read one byte at @p (a volatile read the compiler cannot drop). */
static unsigned char vf_read(const void *p)
{
	return *(const volatile unsigned char *)p;
}

/*
 * vmap(pages, n, VM_FLUSH_RESET_PERMS, prot) lost the flag and vunmap()
 * never flushed for it: a read through the address right after vunmap()
 * could still hit the stale translation. Now vunmap() flushes the range
 * at once, and the read faults.
 */
KTEST(vmalloc_fixes, vunmap_flush_reset_perms_flushes_at_once)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	unsigned long flushes;
	unsigned char *v;

	KTEST_ASSERT_NOT_NULL(t, page);
	v = vmap(&page, 1, VM_FLUSH_RESET_PERMS, PAGE_KERNEL);
	if (!v) {
		__free_page(page);
		KTEST_ASSERT_NOT_NULL(t, v);
	}
	KTEST_EXPECT_TRUE(t, find_vm_area(v)->flags & VM_FLUSH_RESET_PERMS);
	KTEST_EXPECT_EQ(t, vf_read(v), 0); /* the translation is in the TLB now */
	flushes = pgtable_stats.flush_ranges + pgtable_stats.flush_all;
	vunmap(v);
	KTEST_EXPECT_EQ(t, pgtable_stats.flush_ranges + pgtable_stats.flush_all, flushes + 1);
	KTEST_EXPECT_FAULT(t, vf_read(v));
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)v);
	__free_page(page);
	vm_unmap_aliases();
}
