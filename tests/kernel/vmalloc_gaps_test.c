/*
 * Regression tests for the vmalloc edges no other test reached (issue 12,
 * item 12): for each, a deliberately broken copy of the code it names had
 * passed every test. An unaligned window start, vread() at odd offsets, an
 * ioremap() that runs from a hole into RAM, an allocation that needs the
 * lazy purge, large leaves under vmalloc_to_pfn(), the top of the module
 * range, and a mapping that fails half-way on a page-table allocation.
 *
 * A test that needs addresses of its own takes a private window: it
 * reserves a range with get_vm_area(), frees and purges it, and then
 * allocates inside it with an explicit [start, end). Tests run one at a
 * time, so nothing else lands there meanwhile.
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "kernel/errno.h"
#include "asm/processor.h"
#include "kernel/panic.h"
#include "lib/string.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define GAP_PAGES(n) ((unsigned long)(n)*PAGE_SIZE)

static void *gap_alloc_in(unsigned long size, unsigned long start, unsigned long end,
			  unsigned long vm_flags)
{
	return __vmalloc_node_range(size, 1, start, end, GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL,
				    vm_flags, -1, __builtin_return_address(0));
}

/*
 * A free range of @size bytes aligned to @align, now in the free tree (not
 * lazy): reserved with room for the alignment, then freed and purged.
 * 0 if vmalloc space has no such range.
 */
static unsigned long gap_window(unsigned long size, unsigned long align)
{
	struct vm_struct *vm = get_vm_area(size + align, VM_NO_GUARD);
	unsigned long start;

	if (!vm)
		return 0;
	start = ALIGN((unsigned long)vm->addr, align);
	free_vm_area(vm);
	vm_unmap_aliases();
	return start;
}

/* The entry of @level for @addr exists and is not present (no table, no leaf below it). */
static bool gap_entry_empty(unsigned long addr, enum pt_level level)
{
	enum pt_level at;
	u64 *e = pt_walk(addr, level, &at);

	return !(*e & _PAGE_PRESENT);
}

/* How many pages of [addr, addr + pages) have a present PTE. */
static unsigned long gap_mapped_pages(unsigned long addr, unsigned long pages)
{
	enum pg_level level;
	unsigned long n = 0;

	for (unsigned long i = 0; i < pages; i++)
		if (lookup_address(addr + GAP_PAGES(i), &level))
			n++;
	return n;
}

/*
 * vmap_window() with start = w + 1 must round up to w + 4096, the lowest
 * page inside the window (a broken copy emptied the window, or rounded down
 * below its start).
 */
KTEST(vmalloc_gaps, unaligned_window_start_rounds_up)
{
	unsigned long w = gap_window(GAP_PAGES(16), PAGE_SIZE), start;
	struct vm_struct *vm;
	void *p;

	KTEST_ASSERT_TRUE(t, w != 0);
	for (start = w + 1; start < w + PAGE_SIZE; start += PAGE_SIZE / 2 - 1) {
		p = gap_alloc_in(GAP_PAGES(1), start, w + GAP_PAGES(16), 0);
		KTEST_EXPECT_EQ(t, (unsigned long)p, w + PAGE_SIZE);
		vfree(p);
		vm_unmap_aliases();
		vm = __get_vm_area_caller(GAP_PAGES(2), 0, start, w + GAP_PAGES(16),
					  __builtin_return_address(0));
		KTEST_EXPECT_EQ(t, vm ? (unsigned long)vm->addr : 0UL, w + PAGE_SIZE);
		free_vm_area(vm);
		vm_unmap_aliases();
	}
	/* [w + 1, w + 8192) holds exactly one page: w + 4096, without a guard. */
	p = gap_alloc_in(GAP_PAGES(1), w + 1, w + GAP_PAGES(2), VM_NO_GUARD);
	KTEST_EXPECT_EQ(t, (unsigned long)p, w + PAGE_SIZE);
	vfree(p);
	KTEST_EXPECT_NULL(t, gap_alloc_in(GAP_PAGES(1), w + 1, w + GAP_PAGES(2), 0));
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* The byte at offset @off of the vread test's area: differs between pages and within them. */
static unsigned char gap_pattern(unsigned long off)
{
	return (unsigned char)(off * 7 + (off >> 8));
}

/* vread(@len bytes at @off of @p) against the pattern, zeros from @mapped on. */
static unsigned long gap_vread_bad(char *p, char *buf, unsigned long off, unsigned long len,
				   unsigned long mapped)
{
	unsigned long bad = 0;

	memset(buf, 0x5a, len);
	if (vread(buf, p + off, len) != (long)len)
		return len;
	for (unsigned long i = 0; i < len; i++) {
		unsigned char want = off + i < mapped ? gap_pattern(off + i) : 0;

		bad += (unsigned char)buf[i] != want;
	}
	return bad;
}

/*
 * vread() from the middle of pages over an address-dependent pattern, across
 * page boundaries and on into the guard page (zeros): a wrong offset inside
 * a page, or the wrong page, changes the bytes (the older vread tests filled
 * areas with one value and started at offset 0).
 */
KTEST(vmalloc_gaps, vread_odd_offsets_pattern)
{
	static const unsigned long cuts[][2] = {
		{ 1, 10 },
		{ 4095, 2 },
		{ 777, GAP_PAGES(1) },
		{ 4097, GAP_PAGES(2) },
		{ 12287, GAP_PAGES(2) },
		{ GAP_PAGES(4) - 3, 100 },
		{ GAP_PAGES(4) + 9, 50 },
	};
	char *p = vmalloc(GAP_PAGES(4));
	char *buf = vmalloc(GAP_PAGES(3));
	unsigned long i;

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_ASSERT_NOT_NULL(t, buf);
	for (i = 0; i < GAP_PAGES(4); i++)
		p[i] = (char)gap_pattern(i);
	for (i = 0; i < ARRAY_SIZE(cuts); i++) {
		unsigned long bad = gap_vread_bad(p, buf, cuts[i][0], cuts[i][1], GAP_PAGES(4));

		if (bad)
			ktest_fail(t, __FILE__, __LINE__,
				   "vread(%lu bytes at +%lu): %lu bytes wrong", cuts[i][1],
				   cuts[i][0], bad);
	}
	vfree(p);
	vfree(buf);
}

/* Busy areas and the free tree are as they were, and vmalloc_check() passes. */
static void gap_expect_unchanged(struct ktest *t, unsigned long busy, unsigned long blocks)
{
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_stats.nr_free_blocks, blocks);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * ioremap() of a range that starts in a hole and ends in RAM is refused,
 * and reserves nothing: [0xb8000, 0x101000) ends in the first page at 1 MiB
 * (a check that stopped one page short let it through).
 */
KTEST(vmalloc_gaps, ioremap_hole_into_ram_refused)
{
	unsigned long busy, blocks;

	if (pfn_valid(PHYS_PFN(0xb8000)) || pfn_valid(PHYS_PFN(0xff000)) ||
	    !pfn_valid(PHYS_PFN(0x100000)))
		KTEST_SKIP(t, "no hole below RAM at 1 MiB");
	vm_unmap_aliases();
	busy = vmalloc_nr_busy();
	blocks = vmalloc_stats.nr_free_blocks;
	KTEST_EXPECT_NULL(t, ioremap(0xb8000, 0x49000));
	gap_expect_unchanged(t, busy, blocks);
	KTEST_EXPECT_NULL(t, ioremap(0xff000, 0x1001)); /* last hole page + 1 byte of RAM */
	KTEST_EXPECT_NULL(t, ioremap_wc(0xfffff, 2));
	gap_expect_unchanged(t, busy, blocks);
}

/*
 * A full window with one area freed lazily: the next allocation in it only
 * fits once the lazy range is purged, which alloc_vmap_area() must do by
 * itself (without the caller's vm_unmap_aliases()) and then succeed.
 */
KTEST(vmalloc_gaps, alloc_needs_lazy_purge)
{
	unsigned long old = vmalloc_lazy_max_pages(), purges, w, i;
	void *p[8], *again;

	w = gap_window(GAP_PAGES(16), PAGE_SIZE);
	KTEST_ASSERT_TRUE(t, w != 0);
	vmalloc_set_lazy_max_pages(1UL << 20); /* the vfree below must stay lazy */
	for (i = 0; i < 8; i++) {
		p[i] = gap_alloc_in(GAP_PAGES(1), w, w + GAP_PAGES(16), 0);
		KTEST_EXPECT_EQ(t, (unsigned long)p[i], w + GAP_PAGES(2 * i));
	}
	KTEST_EXPECT_NULL(t, gap_alloc_in(GAP_PAGES(1), w, w + GAP_PAGES(16), 0));
	vfree(p[3]);
	KTEST_EXPECT_GE(t, vmalloc_stats.lazy_pages, 2UL);
	purges = vmalloc_stats.nr_purges;
	again = gap_alloc_in(GAP_PAGES(1), w, w + GAP_PAGES(16), 0);
	KTEST_EXPECT_EQ(t, (unsigned long)again, (unsigned long)p[3]);
	KTEST_EXPECT_EQ(t, vmalloc_stats.nr_purges, purges + 1);
	vmalloc_set_lazy_max_pages(old);
	if (again)
		p[3] = again;
	for (i = 0; i < 8; i++)
		vfree(p[i]);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Make the table that holds @addr's entry of @level exist, without touching
 * that entry: map one page at @other (an address of the same table, in the
 * caller's reservation) and unmap it. The tables stay, as kernel tables do.
 */
static int gap_make_table(unsigned long other, phys_addr_t phys)
{
	int err = vmap_range(other, other + PAGE_SIZE, phys, PAGE_KERNEL);

	if (!err)
		vunmap_range(other, other + PAGE_SIZE);
	return err;
}

/* vmalloc_to_pfn()/vmalloc_to_page() at offsets of a leaf of @size mapping @pfn at @va. */
static void gap_expect_leaf_pfns(struct ktest *t, unsigned long va, unsigned long size,
				 unsigned long pfn)
{
	const unsigned long offs[] = {
		0, 5, PAGE_SIZE + 1, size / 2 + 0x123, size - PAGE_SIZE, size - 1
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(offs); i++) {
		const void *a = (const void *)(va + offs[i]);

		KTEST_EXPECT_EQ(t, vmalloc_to_pfn(a), pfn + (offs[i] >> PAGE_SHIFT));
		KTEST_EXPECT_EQ(t, (unsigned long)vmalloc_to_page(a),
				(unsigned long)pfn_to_page(pfn + (offs[i] >> PAGE_SHIFT)));
	}
}

/*
 * A hand-made leaf of some level: a reserved range of two entries' worth,
 * the first (@va, @entry) empty and free to fill, in a table that exists
 * (made by mapping and unmapping a page in the second).
 */
struct gap_leaf {
	struct vm_struct *vm;
	unsigned long va;
	u64 *entry;
};

/* Entries of a level a search for an empty one looks at (tables stay once made). */
#define GAP_LEAF_SEARCH 32

/* The first empty entry of @level in [w, w + GAP_LEAF_SEARCH entries), not last in its table. */
static unsigned long gap_empty_entry(unsigned long w, enum pt_level level)
{
	unsigned long size = pt_level_size(level);

	for (unsigned long x = w; x < w + (GAP_LEAF_SEARCH - 1) * size; x += size)
		if (pt_index(x, level) != PTRS_PER_TABLE - 1 && gap_entry_empty(x, level))
			return x;
	return 0;
}

static int gap_leaf_reserve(struct ktest *t, struct gap_leaf *l, enum pt_level level,
			    phys_addr_t phys)
{
	unsigned long size = pt_level_size(level);
	unsigned long w = gap_window(GAP_LEAF_SEARCH * size, size), x;
	enum pt_level at;

	x = w ? gap_empty_entry(w, level) : 0;
	KTEST_EXPECT_NE(t, x, 0UL);
	if (!x)
		return -ENOSPC;
	l->vm = __get_vm_area_caller(2 * size, VM_NO_GUARD, x, x + 2 * size,
				     __builtin_return_address(0));
	KTEST_EXPECT_EQ(t, l->vm ? (unsigned long)l->vm->addr : 0UL, x);
	if (!l->vm || (unsigned long)l->vm->addr != x)
		return -EBUSY;
	l->va = x;
	if (gap_make_table(x + size, phys))
		return -ENOMEM;
	l->entry = pt_walk(x, level, &at);
	KTEST_EXPECT_EQ(t, (int)at, (int)level);
	KTEST_EXPECT_EQ(t, *l->entry & _PAGE_PRESENT, 0ULL);
	return at == level && !(*l->entry & _PAGE_PRESENT) ? 0 : -EBUSY;
}

/* Clear the hand-made leaf (if it was set), flush, and give the window back. */
static void gap_leaf_release(struct ktest *t, struct gap_leaf *l, bool set)
{
	if (set) {
		*l->entry = 0;
		flush_tlb_all();
		KTEST_EXPECT_EQ(t, vmalloc_to_pfn((void *)l->va), 0UL);
	}
	if (l->vm)
		free_vm_area(l->vm);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * vmalloc_to_pfn() on a real 2 MiB leaf in vmalloc space (vmalloc itself
 * maps 4 KiB pages only): a PMD entry built by hand over a reserved,
 * 2 MiB-aligned range, backed by an order-9 block and read through it.
 */
KTEST(vmalloc_gaps, to_pfn_2m_leaf)
{
	const unsigned int order = PMD_SHIFT - PAGE_SHIFT;
	struct gap_leaf l = { 0 };
	struct page *block;
	unsigned long pfn;
	int err;

	block = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
	if (!block)
		KTEST_SKIP(t, "no free 2 MiB block");
	pfn = page_to_pfn(block);
	err = gap_leaf_reserve(t, &l, PT_PMD, PFN_PHYS(pfn));
	if (!err) {
		*l.entry = PFN_PHYS(pfn) | PAGE_KERNEL | _PAGE_PSE;
		gap_expect_leaf_pfns(t, l.va, PMD_SIZE, pfn);
		((char *)page_address(block))[PMD_SIZE - 7] = 0x3c;
		KTEST_EXPECT_EQ(t, ((volatile char *)l.va)[PMD_SIZE - 7], 0x3c);
		KTEST_EXPECT_EQ(t, vmalloc_to_pfn((void *)(l.va + PMD_SIZE)), 0UL);
	}
	gap_leaf_release(t, &l, !err);
	__free_pages(block, order);
}

/* A 1 GiB-aligned run of RAM, as a physical address; 0 if there is none. */
static phys_addr_t gap_ram_gigabyte(void)
{
	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		phys_addr_t base = ALIGN(memblock.memory.regions[i].base, PUD_SIZE);
		phys_addr_t end = memblock.memory.regions[i].base + memblock.memory.regions[i].size;

		if (base && base + PUD_SIZE <= end)
			return base;
	}
	return 0;
}

/*
 * The same for a 1 GiB leaf, read-only over a gigabyte of RAM (an alias of
 * the direct map), read through only when the CPU has 1 GiB pages.
 */
KTEST(vmalloc_gaps, to_pfn_1g_leaf)
{
	phys_addr_t ram = gap_ram_gigabyte();
	struct gap_leaf l = { 0 };
	int err;

	if (!ram)
		KTEST_SKIP(t, "no 1 GiB-aligned gigabyte of RAM");
	err = gap_leaf_reserve(t, &l, PT_PUD, ram);
	if (!err) {
		*l.entry = ram | PAGE_KERNEL_RO | _PAGE_PSE;
		gap_expect_leaf_pfns(t, l.va, PUD_SIZE, PHYS_PFN(ram));
		if (boot_cpu.pdpe1gb)
			KTEST_EXPECT_EQ(t, ((volatile u64 *)l.va)[PUD_SIZE / 16],
					*(u64 *)__va(ram + PUD_SIZE / 2));
	}
	gap_leaf_release(t, &l, !err);
}

/* Fill @p (@pages pages) page by page with its index, then check them all. */
static unsigned long gap_fill_check(char *p, unsigned long pages)
{
	unsigned long bad = 0;

	for (unsigned long i = 0; i < pages; i++)
		memset(p + GAP_PAGES(i), (int)(0x11 + i), PAGE_SIZE);
	for (unsigned long i = 0; i < pages; i++)
		bad += memchr_inv(p + GAP_PAGES(i), (int)(0x11 + i), PAGE_SIZE) != NULL;
	return bad;
}

/*
 * vmalloc at the very top of the module range, on the real page tables:
 * there addr + 1 GiB and addr + 512 GiB wrap past zero, which the level
 * loops of the map and unmap code must take as "the end of the range".
 * The 16 highest pages (no guard: the last byte is MODULES_END - 1), and an
 * area across the 2 MiB boundary below them; every page written and read,
 * then freed with no PTE left.
 */
KTEST(vmalloc_gaps, modules_top_maps_and_unmaps)
{
	const unsigned long top = MODULES_END - GAP_PAGES(16), cross = MODULES_END - PMD_SIZE;
	char *hi, *mid;

	ktest_need_pages(t, 64);
	hi = gap_alloc_in(GAP_PAGES(16), top, MODULES_END, VM_NO_GUARD);
	KTEST_EXPECT_EQ(t, (unsigned long)hi, top);
	mid = gap_alloc_in(GAP_PAGES(15), cross - GAP_PAGES(8), cross + GAP_PAGES(8), 0);
	KTEST_EXPECT_EQ(t, (unsigned long)mid, cross - GAP_PAGES(8));
	if (hi)
		KTEST_EXPECT_EQ(t, gap_fill_check(hi, 16), 0UL);
	if (mid)
		KTEST_EXPECT_EQ(t, gap_fill_check(mid, 15), 0UL);
	KTEST_EXPECT_EQ(t, vmalloc_to_pfn(hi + GAP_PAGES(16) - 1),
			vmalloc_to_pfn(hi + GAP_PAGES(15)));
	vfree(hi);
	vfree(mid);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, gap_mapped_pages(top, 16), 0UL);
	KTEST_EXPECT_EQ(t, gap_mapped_pages(cross - GAP_PAGES(8), 16), 0UL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* The first 2 MiB boundary in [lo + 2 MiB, hi) whose PMD entry is empty; 0 if none. */
static unsigned long gap_fresh_pmd(unsigned long lo, unsigned long hi)
{
	for (unsigned long x = ALIGN(lo, PMD_SIZE) + PMD_SIZE; x < hi; x += PMD_SIZE)
		if (gap_entry_empty(x, PT_PMD))
			return x;
	return 0;
}

enum {
	GAP_SPLIT_PAGES = 8 /* half below the fresh PMD boundary, half above */
};

/* How many page tables mapping [a, e) needs that do not exist yet. */
static unsigned long gap_tables_missing(unsigned long a, unsigned long e)
{
	unsigned long n = 0;

	for (enum pt_level level = PT_PGD; level < PT_PTE; level++) {
		unsigned long size = pt_level_size(level);

		for (unsigned long x = ALIGN_DOWN(a, size); x < e; x += size)
			n += gap_entry_empty(x, level);
	}
	return n;
}

/*
 * Map @pages over [x - 4 pages, x + 4 pages), where the PTE table above x
 * is the last table missing, with that last table allocation failing: the
 * first half is mapped by then. Nothing may stay mapped, and the tables
 * made before the failure are linked in (counted, not leaked). Then the
 * same mapping without injection succeeds.
 */
static void gap_map_fail_last_table(struct ktest *t, unsigned long x, struct page **pages)
{
	const unsigned long a = x - GAP_PAGES(GAP_SPLIT_PAGES / 2);
	const unsigned long e = a + GAP_PAGES(GAP_SPLIT_PAGES);
	unsigned long missing = gap_tables_missing(a, e);
	unsigned long free0 = nr_free_pages(), pt0 = pgtable_stats.pt_pages;
	int err;

	KTEST_ASSERT_GE(t, missing, 1UL);
	fail_page_alloc_set(missing, 1);
	err = vmap_pages_range(a, e, PAGE_KERNEL, pages);
	fail_page_alloc_set(0, 0);
	KTEST_EXPECT_EQ(t, err, -ENOMEM);
	KTEST_EXPECT_EQ(t, gap_mapped_pages(a, GAP_SPLIT_PAGES), 0UL);
	KTEST_EXPECT_EQ(t, pgtable_stats.pt_pages - pt0, missing - 1);
	KTEST_EXPECT_EQ(t, free0 - nr_free_pages(), missing - 1);
	KTEST_EXPECT_FALSE(t, gap_entry_empty(a, PT_PMD)); /* the first half had its table */
	KTEST_EXPECT_TRUE(t, gap_entry_empty(x, PT_PMD));
	KTEST_EXPECT_EQ(t, gap_tables_missing(a, e), 1UL);
	if (err)
		err = vmap_pages_range(a, e, PAGE_KERNEL, pages);
	KTEST_EXPECT_EQ(t, err, 0);
	KTEST_EXPECT_EQ(t, gap_mapped_pages(a, GAP_SPLIT_PAGES), (unsigned long)GAP_SPLIT_PAGES);
	if (!err)
		vunmap_range(a, e);
}

/*
 * vmap_pages_range() failing half-way on a page-table allocation (the PTE
 * table for the second half, across a PMD boundary no table covers yet)
 * leaves nothing mapped: fault injection fails exactly that table.
 */
KTEST(vmalloc_gaps, vmap_pages_range_fails_halfway_unmapped)
{
	unsigned long w = gap_window(PUD_SIZE, PMD_SIZE), x, i;
	struct page *pages[GAP_SPLIT_PAGES];
	struct vm_struct *vm;

	KTEST_ASSERT_TRUE(t, w != 0);
	x = gap_fresh_pmd(w, w + PUD_SIZE - PMD_SIZE);
	if (!x)
		KTEST_SKIP(t, "no PMD without a page table in the window");
	vm = __get_vm_area_caller(GAP_PAGES(GAP_SPLIT_PAGES), VM_NO_GUARD,
				  x - GAP_PAGES(GAP_SPLIT_PAGES / 2),
				  x + GAP_PAGES(GAP_SPLIT_PAGES / 2), __builtin_return_address(0));
	KTEST_ASSERT_TRUE(t, vm && (unsigned long)vm->addr == x - GAP_PAGES(GAP_SPLIT_PAGES / 2));
	for (i = 0; i < GAP_SPLIT_PAGES; i++)
		pages[i] = alloc_page(GFP_KERNEL);
	for (i = 0; i < GAP_SPLIT_PAGES; i++)
		if (!pages[i])
			goto out_free;
	gap_map_fail_last_table(t, x, pages);
out_free:
	for (i = 0; i < GAP_SPLIT_PAGES; i++)
		if (pages[i])
			__free_page(pages[i]);
	free_vm_area(vm);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * The same through __vmalloc_node_range(): the Nth page allocation fails
 * (data pages first, then the tables), and each failure gives back the
 * pages, the mapping and the range; the range is then handed out again.
 */
KTEST(vmalloc_gaps, vmalloc_fails_on_pgtable_releases_area)
{
	unsigned long w = gap_window(PUD_SIZE, PMD_SIZE), x, a, busy, free0, pt0, n;
	void *p = NULL;

	KTEST_ASSERT_TRUE(t, w != 0);
	x = gap_fresh_pmd(w, w + PUD_SIZE - PMD_SIZE);
	if (!x)
		KTEST_SKIP(t, "no PMD without a page table in the window");
	a = x - GAP_PAGES(2);
	busy = vmalloc_nr_busy();
	for (n = 1; !p && n < 16; n++) {
		free0 = nr_free_pages();
		pt0 = pgtable_stats.pt_pages;
		fail_page_alloc_set(n, 1);
		p = gap_alloc_in(GAP_PAGES(4), a, a + GAP_PAGES(5), 0);
		fail_page_alloc_set(0, 0);
		if (p)
			break;
		KTEST_EXPECT_EQ(t, free0 - nr_free_pages(), pgtable_stats.pt_pages - pt0);
		KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
		KTEST_EXPECT_EQ(t, gap_mapped_pages(a, 5), 0UL);
		vm_unmap_aliases();
	}
	KTEST_EXPECT_GT(t, n, 5UL); /* 4 data pages, then at least one table failed */
	KTEST_EXPECT_EQ(t, (unsigned long)p, a);
	KTEST_EXPECT_FALSE(t, gap_entry_empty(x, PT_PMD));
	vfree(p);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}
