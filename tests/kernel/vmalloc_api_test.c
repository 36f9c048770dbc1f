/*
 * Self-tests for the breadth API of issue 13, item 1: vmalloc_node() and
 * vzalloc_node(), vmalloc_size(), vmap_pfn() (non-RAM frames only),
 * vrealloc() and kvrealloc() (contents kept across shrink and grow, the
 * old buffer intact when the grow fails under fault injection), and the
 * vmap purge notifiers. Each test ends with vmalloc_check().
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "kernel/panic.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define VA_PAGES(n) ((unsigned long)(n)*PAGE_SIZE)

/* Frames of no RAM on the PC: the IOAPIC and the HPET (only mapped, never read). */
#define VA_PFN_IOAPIC 0xfec00UL
#define VA_PFN_HPET   0xfed00UL

/* Fill @len bytes at @p with a pattern that depends on the offset and @seed. */
static void va_fill(void *p, unsigned long len, unsigned char seed)
{
	unsigned char *b = p;
	unsigned long i;

	for (i = 0; i < len; i++)
		b[i] = (unsigned char)(i * 7 + (i >> 12) + seed);
}

/* The offset of the first byte at @p that va_fill(p, len, seed) did not write; @len if none. */
static unsigned long va_first_bad(const void *p, unsigned long len, unsigned char seed)
{
	const unsigned char *b = p;
	unsigned long i;

	for (i = 0; i < len; i++)
		if (b[i] != (unsigned char)(i * 7 + (i >> 12) + seed))
			break;
	return i;
}

/* @len bytes at @p are all zero. */
static bool va_all_zero(const void *p, unsigned long len)
{
	const unsigned char *b = p;
	unsigned long i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

KTEST(vmalloc_api, node_flavours_ignore_the_node)
{
	unsigned char *z = vzalloc_node(VA_PAGES(3), 0);
	void *v = vmalloc_node(100, 5);

	KTEST_ASSERT_NOT_NULL(t, z);
	KTEST_EXPECT_TRUE(t, va_all_zero(z, VA_PAGES(3)));
	KTEST_EXPECT_EQ(t, vmalloc_size(z), VA_PAGES(3));
	KTEST_EXPECT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, vmalloc_size(v), PAGE_SIZE);
	vfree(v);
	vfree(z);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

KTEST(vmalloc_api, vmalloc_size_of_any_address_in_the_area)
{
	char *v = vmalloc(VA_PAGES(2) + 1);
	int local;

	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, vmalloc_size(v), VA_PAGES(3));
	KTEST_EXPECT_EQ(t, vmalloc_size(v + VA_PAGES(2) + 5), VA_PAGES(3));
	KTEST_EXPECT_EQ(t, vmalloc_size(NULL), 0UL);
	KTEST_EXPECT_EQ(t, vmalloc_size(&local), 0UL);
	vfree(v);
	KTEST_EXPECT_EQ(t, vmalloc_size(v), 0UL); /* lazy now: no busy area */
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

KTEST(vmalloc_api, vmap_pfn_maps_device_frames_in_order)
{
	unsigned long pfns[2] = { VA_PFN_HPET, VA_PFN_IOAPIC };
	unsigned long busy = vmalloc_nr_busy();
	struct vm_struct *area;
	char *v;

	if (pfn_valid(VA_PFN_HPET) || pfn_valid(VA_PFN_IOAPIC))
		KTEST_SKIP(t, "the IOAPIC or HPET frame is RAM on this machine");
	v = vmap_pfn(pfns, 2, PAGE_KERNEL_NOCACHE);
	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, vmalloc_to_pfn(v), VA_PFN_HPET);
	KTEST_EXPECT_EQ(t, vmalloc_to_pfn(v + PAGE_SIZE), VA_PFN_IOAPIC);
	area = find_vm_area(v);
	KTEST_ASSERT_NOT_NULL(t, area);
	KTEST_EXPECT_EQ(t, area->flags & (VM_MAP | VM_IOREMAP), VM_MAP | VM_IOREMAP);
	KTEST_EXPECT_EQ(t, vmalloc_size(v), VA_PAGES(2));
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy + 1);
	vunmap(v);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* vmap_pfn(@pfns, @count) is refused with @warns WARNs and nothing reserved. */
static void va_expect_pfn_refused(struct ktest *t, unsigned long *pfns, unsigned int count,
				  unsigned long warns)
{
	unsigned long busy = vmalloc_nr_busy(), w0 = warn_count;
	void *v = vmap_pfn(pfns, count, PAGE_KERNEL_NOCACHE);

	KTEST_EXPECT_NULL(t, v);
	KTEST_EXPECT_EQ(t, warn_count, w0 + warns);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	vunmap(v); /* only if the bug is back */
}

KTEST(vmalloc_api, vmap_pfn_refuses_ram_frames)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned long pfns[2] = { VA_PFN_HPET, 0 };

	KTEST_ASSERT_NOT_NULL(t, page);
	pfns[1] = page_to_pfn(page);
	va_expect_pfn_refused(t, &pfns[1], 1, 1);
	if (!pfn_valid(VA_PFN_HPET))
		va_expect_pfn_refused(t, pfns, 2, 1); /* the RAM frame is the second */
	va_expect_pfn_refused(t, pfns, 0, 0);
	va_expect_pfn_refused(t, NULL, 1, 1);
	__free_page(page);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* Every failure of vmap_pfn() leaves nothing reserved; the sweep ends on a success. */
KTEST(vmalloc_api, vmap_pfn_fault_injection_undoes_everything)
{
	unsigned long pfns[2] = { VA_PFN_IOAPIC, VA_PFN_HPET };
	unsigned long busy = vmalloc_nr_busy(), nth;
	void *v = NULL;

	if (pfn_valid(VA_PFN_HPET) || pfn_valid(VA_PFN_IOAPIC))
		KTEST_SKIP(t, "the IOAPIC or HPET frame is RAM on this machine");
	for (nth = 1; nth <= 16 && !v; nth++) {
		fail_slab_set(nth, 1);
		v = vmap_pfn(pfns, 2, PAGE_KERNEL_NOCACHE);
		fail_slab_set(0, 0);
		if (!v) {
			KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
			KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
		}
	}
	KTEST_EXPECT_GT(t, nth, 2UL); /* at least one injected failure */
	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, vmalloc_to_pfn(v), VA_PFN_IOAPIC);
	vunmap(v);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

KTEST(vmalloc_api, vrealloc_null_and_zero)
{
	unsigned long busy = vmalloc_nr_busy();
	void *v = vrealloc(NULL, 100, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_EXPECT_EQ(t, vmalloc_size(v), PAGE_SIZE);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy + 1);
	KTEST_EXPECT_NULL(t, vrealloc(v, 0, GFP_KERNEL));
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* The pages @v's area holds now. */
static unsigned int va_nr_pages(const void *v)
{
	struct vm_struct *area = find_vm_area(v);

	return area ? area->nr_pages : 0;
}

/*
 * A shrink stays in place and gives back the tail pages (unmapped); a grow
 * within the reserved range stays in place with new pages; a grow past it
 * moves. The contents survive every step.
 */
KTEST(vmalloc_api, vrealloc_keeps_contents_across_shrink_and_grow)
{
	char *v = vmalloc(VA_PAGES(3)), *w;

	KTEST_ASSERT_NOT_NULL(t, v);
	va_fill(v, VA_PAGES(3), 1);
	w = vrealloc(v, PAGE_SIZE + 10, GFP_KERNEL);
	KTEST_EXPECT_TRUE(t, w == v);
	KTEST_EXPECT_EQ(t, va_nr_pages(v), 2u);
	KTEST_EXPECT_NULL(t, vmalloc_to_page(v + VA_PAGES(2))); /* the tail is unmapped */
	KTEST_EXPECT_EQ(t, vmalloc_size(v), VA_PAGES(3));	/* the range is kept */
	KTEST_EXPECT_EQ(t, va_first_bad(v, PAGE_SIZE + 10, 1), PAGE_SIZE + 10);
	w = vrealloc(v, VA_PAGES(3), GFP_KERNEL);
	KTEST_EXPECT_TRUE(t, w == v); /* grown back in place */
	KTEST_EXPECT_EQ(t, va_nr_pages(v), 3u);
	KTEST_EXPECT_NOT_NULL(t, vmalloc_to_page(v + VA_PAGES(2)));
	KTEST_EXPECT_EQ(t, va_first_bad(v, VA_PAGES(2), 1), VA_PAGES(2));
	w = vrealloc(v, VA_PAGES(5) + 1, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, w);
	KTEST_EXPECT_TRUE(t, w != v);
	KTEST_EXPECT_EQ(t, vmalloc_size(w), VA_PAGES(6));
	KTEST_EXPECT_EQ(t, vmalloc_size(v), 0UL); /* the old area is gone */
	KTEST_EXPECT_EQ(t, va_first_bad(w, VA_PAGES(2), 1), VA_PAGES(2));
	vfree(w);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * A grow in place whose pages fail: with every page allocation failing
 * the old buffer stays as it was; with one failure inside the in-place
 * grow, vrealloc() moves instead (its pages undone), contents kept.
 */
KTEST(vmalloc_api, vrealloc_grow_in_place_failure_moves_or_keeps_old)
{
	unsigned long busy = vmalloc_nr_busy();
	char *v = vmalloc(VA_PAGES(4)), *w;

	KTEST_ASSERT_NOT_NULL(t, v);
	va_fill(v, VA_PAGES(4), 7);
	KTEST_ASSERT_TRUE(t, vrealloc(v, PAGE_SIZE, GFP_KERNEL) == v);
	fail_page_alloc_set(1, 1000);
	w = vrealloc(v, VA_PAGES(4), GFP_KERNEL | __GFP_NOWARN);
	fail_page_alloc_set(0, 0);
	KTEST_EXPECT_NULL(t, w);
	KTEST_EXPECT_EQ(t, va_nr_pages(v), 1u);
	KTEST_EXPECT_NULL(t, vmalloc_to_page(v + PAGE_SIZE));
	KTEST_EXPECT_EQ(t, va_first_bad(v, PAGE_SIZE, 7), PAGE_SIZE);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy + 1);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	fail_page_alloc_set(2, 1); /* the second new page of the in-place grow */
	w = vrealloc(v, VA_PAGES(4), GFP_KERNEL | __GFP_NOWARN);
	fail_page_alloc_set(0, 0);
	KTEST_ASSERT_NOT_NULL(t, w);
	KTEST_EXPECT_TRUE(t, w != v);
	KTEST_EXPECT_EQ(t, va_first_bad(w, PAGE_SIZE, 7), PAGE_SIZE);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy + 1);
	vfree(w);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* With __GFP_ZERO a shrink zeroes the tail, so a grow in place reads zeros. */
KTEST(vmalloc_api, vrealloc_gfp_zero_shrink_then_grow_reads_zeros)
{
	char *v = vmalloc(VA_PAGES(2)), *w;

	KTEST_ASSERT_NOT_NULL(t, v);
	va_fill(v, VA_PAGES(2), 3);
	w = vrealloc(v, 100, GFP_KERNEL | __GFP_ZERO);
	KTEST_EXPECT_TRUE(t, w == v);
	w = vrealloc(v, VA_PAGES(2), GFP_KERNEL | __GFP_ZERO);
	KTEST_EXPECT_TRUE(t, w == v);
	KTEST_EXPECT_EQ(t, va_first_bad(v, 100, 3), 100UL);
	KTEST_EXPECT_TRUE(t, va_all_zero(v + 100, VA_PAGES(2) - 100));
	w = vrealloc(v, VA_PAGES(4), GFP_KERNEL | __GFP_ZERO);
	KTEST_ASSERT_NOT_NULL(t, w);
	KTEST_EXPECT_EQ(t, va_first_bad(w, 100, 3), 100UL);
	KTEST_EXPECT_TRUE(t, va_all_zero(w + 100, VA_PAGES(4) - 100));
	vfree(w);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

KTEST(vmalloc_api, vrealloc_refuses_what_vmalloc_did_not_give)
{
	struct page *page = alloc_page(GFP_KERNEL);
	char *v = vmalloc(VA_PAGES(2)), *m;
	unsigned long warns = warn_count;

	KTEST_ASSERT_NOT_NULL(t, page);
	KTEST_ASSERT_NOT_NULL(t, v);
	m = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, m);
	KTEST_EXPECT_NULL(t, vrealloc(m, VA_PAGES(4), GFP_KERNEL));
	KTEST_EXPECT_NULL(t, vrealloc(v + PAGE_SIZE, VA_PAGES(4), GFP_KERNEL));
	KTEST_EXPECT_EQ(t, warn_count, warns + 2);
	KTEST_EXPECT_EQ(t, vmalloc_size(m), PAGE_SIZE);
	KTEST_EXPECT_EQ(t, vmalloc_size(v), VA_PAGES(2));
	vunmap(m);
	vfree(v);
	__free_page(page);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Fail the @nth page (or slab) allocation of a growing vrealloc(), for
 * nth = 1, 2, ... until the grow succeeds: after every failure the old
 * buffer is still the same area with the same contents, nothing else is
 * reserved, and the trees check.
 */
static void va_grow_sweep(struct ktest *t, void (*fail_set)(unsigned long, unsigned long))
{
	unsigned long busy = vmalloc_nr_busy(), nth;
	char *v = vmalloc(VA_PAGES(2)), *w = NULL;

	KTEST_ASSERT_NOT_NULL(t, v);
	va_fill(v, VA_PAGES(2), 9);
	for (nth = 1; nth <= 64 && !w; nth++) {
		fail_set(nth, 1);
		w = vrealloc(v, VA_PAGES(8), GFP_KERNEL | __GFP_NOWARN);
		fail_set(0, 0);
		if (w)
			break;
		KTEST_EXPECT_EQ(t, vmalloc_size(v), VA_PAGES(2));
		KTEST_EXPECT_EQ(t, va_first_bad(v, VA_PAGES(2), 9), VA_PAGES(2));
		KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy + 1);
		KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	}
	KTEST_EXPECT_GT(t, nth, 1UL); /* at least one injected failure */
	if (!w) {
		KTEST_EXPECT_NOT_NULL(t, w);
		vfree(v);
		return;
	}
	KTEST_EXPECT_EQ(t, va_first_bad(w, VA_PAGES(2), 9), VA_PAGES(2));
	vfree(w);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

KTEST(vmalloc_api, vrealloc_grow_page_fault_injection_keeps_old_buffer)
{
	unsigned long inj = fail_page_alloc_injected;

	va_grow_sweep(t, fail_page_alloc_set);
	KTEST_EXPECT_GT(t, fail_page_alloc_injected, inj);
}

KTEST(vmalloc_api, vrealloc_grow_slab_fault_injection_keeps_old_buffer)
{
	unsigned long inj = fail_slab_injected;

	va_grow_sweep(t, fail_slab_set);
	KTEST_EXPECT_GT(t, fail_slab_injected, inj);
}

KTEST(vmalloc_api, kvrealloc_kmalloc_and_vmalloc_memory)
{
	char *p = kmalloc(40, GFP_KERNEL), *q;
	size_t have;

	KTEST_ASSERT_NOT_NULL(t, p);
	have = ksize(p);
	va_fill(p, 40, 5);
	q = kvrealloc(p, have, GFP_KERNEL); /* fits the object: in place */
	KTEST_EXPECT_TRUE(t, q == p);
	q = kvrealloc(p, VA_PAGES(10), GFP_KERNEL); /* past kvmalloc's kmalloc limit */
	KTEST_ASSERT_NOT_NULL(t, q);
	KTEST_EXPECT_TRUE(t, is_vmalloc_addr(q));
	KTEST_EXPECT_EQ(t, va_first_bad(q, 40, 5), 40UL);
	p = kvrealloc(q, VA_PAGES(12), GFP_KERNEL); /* vmalloc memory: vrealloc() */
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, vmalloc_size(p), VA_PAGES(12));
	KTEST_EXPECT_EQ(t, va_first_bad(p, 40, 5), 40UL);
	KTEST_EXPECT_NULL(t, kvrealloc(p, 0, GFP_KERNEL));
	q = kvrealloc(NULL, 64, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, q);
	KTEST_EXPECT_FALSE(t, is_vmalloc_addr(q));
	kvfree(q);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

static unsigned long va_notified;
static void *va_cached; /* what the notifier below caches and gives back */

static void va_notify(struct vmap_purge_notifier *nb)
{
	(void)nb;
	va_notified++;
	vfree(va_cached);
	va_cached = NULL;
}

static struct vmap_purge_notifier va_nb = { .fn = va_notify };

static void va_unregister(void *nb)
{
	unregister_vmap_purge_notifier(nb);
}

/* An allocation into the window [w, w + 2 pages), which only a free of what lies there can make room in. */
static void *va_alloc_at(unsigned long w)
{
	return __vmalloc_node_range(PAGE_SIZE, 1, w, w + VA_PAGES(2), GFP_KERNEL | __GFP_NOWARN,
				    PAGE_KERNEL, 0, -1, __builtin_return_address(0));
}

/*
 * Bug: the notifiers ran after every purge batch, even inside a vfree(),
 * and not when an allocation failed, so what they gave back never helped
 * the allocation that needed it.
 */
KTEST(vmalloc_api, purge_notifier_frees_space_for_a_failing_alloc)
{
	unsigned long warns = warn_count, w;
	void *q;

	va_cached = vmalloc(PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, va_cached);
	w = (unsigned long)va_cached;
	register_vmap_purge_notifier(&va_nb);
	ktest_defer(t, va_unregister, &va_nb);
	register_vmap_purge_notifier(&va_nb); /* twice: refused */
	KTEST_EXPECT_EQ(t, warn_count, warns + 1);
	va_notified = 0;
	vfree(vmalloc(PAGE_SIZE));
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, va_notified, 0UL); /* a purge alone asks nobody */
	q = va_alloc_at(w);
	KTEST_EXPECT_EQ(t, va_notified, 1UL);
	KTEST_EXPECT_EQ(t, (unsigned long)q, w); /* the callback's vfree made the room */
	ktest_release(t, va_unregister, &va_nb);
	va_notified = 0;
	KTEST_EXPECT_NULL(t, va_alloc_at(w)); /* q is there now, and nobody is asked */
	KTEST_EXPECT_EQ(t, va_notified, 0UL);
	vfree(q);
	unregister_vmap_purge_notifier(&va_nb); /* not registered any more */
	KTEST_EXPECT_EQ(t, warn_count, warns + 2);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* Bug: a pfn of 2^52 or more wrapped in PFN_PHYS() and mapped the RAM it aliased. */
KTEST(vmalloc_api, vmap_pfn_wrapping_pfn_refused)
{
	unsigned long pfns[1] = { (1UL << 52) | 0x100 }; /* would alias RAM at 1 MiB */

	va_expect_pfn_refused(t, pfns, 1, 1);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* Bug: a size near ~0 made PAGE_ALIGN() wrap to 0, so vrealloc() freed every page. */
KTEST(vmalloc_api, vrealloc_huge_size_refused_keeps_buffer)
{
	char *p = ktest_vmalloc(t, VA_PAGES(2));
	void *q;

	KTEST_ASSERT_NOT_NULL(t, p);
	memset(p, 0x5a, VA_PAGES(2));
	q = vrealloc(p, ~0UL - 10, GFP_KERNEL | __GFP_NOWARN);
	KTEST_EXPECT_NULL(t, q);
	KTEST_EXPECT_EQ(t, find_vm_area(p)->nr_pages, 2U);
	KTEST_EXPECT_NULL(t, memchr_inv(p, 0x5a, VA_PAGES(2)));
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}
