/*
 * Self-tests of huge mappings (suite vmalloc_huge): vmalloc_huge() maps
 * 2 MiB pmd leaves from order-9 blocks and falls back to 4 KiB pages,
 * ioremap() uses 2 MiB and 1 GiB leaves where phys, virt and size are
 * aligned, and the readers of the page tables (vmalloc_to_page(), vread(),
 * ptdump, set_memory_*()) cope with those leaves. Each test reads the page
 * tables themselves and gives back every page and range it took.
 */
#include "debug/ktest.h"

#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/ptdump.h"
#include "asm/set_memory.h"
#include "asm/tlbflush.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define VH_PAGES(n) ((unsigned long)(n)*PAGE_SIZE)
/* Far above any RAM of the test boots and below a 40-bit physical width. */
#define VH_IO_PHYS 0x4000000000ULL

/* The level of the leaf (or hole) that maps @addr, and its entry. */
static enum pt_level vh_level(unsigned long addr, u64 *entry)
{
	enum pt_level at;

	*entry = *pt_walk(addr, PT_PTE, &at);
	return at;
}

static bool vh_pmd_leaf(unsigned long addr)
{
	u64 e;

	return vh_level(addr, &e) == PT_PMD && (e & _PAGE_PRESENT) && (e & _PAGE_PSE);
}

static bool vh_mapped(unsigned long addr)
{
	u64 e;

	vh_level(addr, &e);
	return e & _PAGE_PRESENT;
}

/* Free 2 MiB blocks in the buddy, counting bigger blocks as several. */
static unsigned long vh_free_2m_blocks(void)
{
	unsigned long counts[NR_PAGE_ORDERS], n = 0;

	buddy_free_counts(counts);
	for (unsigned int o = PMD_SHIFT - PAGE_SHIFT; o < NR_PAGE_ORDERS; o++)
		n += counts[o] << (o - (PMD_SHIFT - PAGE_SHIFT));
	return n;
}

/* Skip unless the buddy holds @n free 2 MiB blocks (16M/32M boots do not). */
static void vh_need_blocks(struct ktest *t, unsigned long n)
{
	vm_unmap_aliases();
	if (vh_free_2m_blocks() < n)
		KTEST_SKIP(t, "too few free 2 MiB blocks for huge mappings");
}

static u64 vh_pattern(unsigned long off)
{
	return 0x9e3779b97f4a7c15ULL ^ (off * 0x100000001b3ULL);
}

/* Pages not back in the buddy since @free0, not counting page tables added since @pt0. */
static long vh_kept(unsigned long free0, unsigned long pt0)
{
	vm_unmap_aliases();
	return (long)free0 - (long)nr_free_pages() - (long)(pgtable_stats.pt_pages - pt0);
}

/*
 * 4 MiB and 3 pages: two pmd leaves, PTEs for the tail; the contents seen
 * through the mapping, vmalloc_to_page() and vread() agree, also across
 * the 2 MiB boundaries; vfree() removes the leaves and frees every page.
 */
KTEST(vmalloc_huge, pmd_leaves_mapped_read_and_freed)
{
	unsigned long size = 2 * PMD_SIZE + VH_PAGES(3), addr, off, free0, pt0;
	char buf[64], want[64];
	u64 *p;

	vh_need_blocks(t, 4);
	free0 = nr_free_pages();
	pt0 = pgtable_stats.pt_pages;
	p = vmalloc_huge(size, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	ktest_defer(t, ktest_action_vfree, p);
	addr = (unsigned long)p;
	KTEST_EXPECT_EQ(t, addr & (PMD_SIZE - 1), 0UL);
	KTEST_EXPECT_TRUE(t, vh_pmd_leaf(addr));
	KTEST_EXPECT_TRUE(t, vh_pmd_leaf(addr + PMD_SIZE));
	KTEST_EXPECT_TRUE(t, vh_pmd_leaf(addr + PMD_SIZE + VH_PAGES(511)));
	KTEST_EXPECT_FALSE(t, vh_pmd_leaf(addr + 2 * PMD_SIZE)); /* the tail: 4 KiB */
	KTEST_EXPECT_TRUE(t, vh_mapped(addr + 2 * PMD_SIZE + VH_PAGES(2)));
	KTEST_EXPECT_FALSE(t, vh_mapped(addr + size)); /* the guard page */

	for (off = 0; off < size; off += PAGE_SIZE) {
		p[off / 8] = vh_pattern(off);
		p[(off + PAGE_SIZE) / 8 - 1] = ~vh_pattern(off);
	}
	for (off = 0; off < size; off += PAGE_SIZE) {
		struct page *pg = vmalloc_to_page((char *)p + off);
		u64 *direct = pg ? page_address(pg) : NULL;

		KTEST_ASSERT_NOT_NULL(t, direct);
		KTEST_EXPECT_EQ(t, vmalloc_to_pfn((char *)p + off), page_to_pfn(pg));
		KTEST_EXPECT_EQ(t, direct[0], vh_pattern(off));
		KTEST_EXPECT_EQ(t, direct[PAGE_SIZE / 8 - 1], ~vh_pattern(off));
	}
	/* 64 bytes across each 2 MiB boundary, through vread() */
	for (unsigned long b = PMD_SIZE; b < size; b += PMD_SIZE) {
		char *at = (char *)p + b - 32;

		for (int i = 0; i < 64; i++)
			at[i] = want[i] = (char)(b / PMD_SIZE * 64 + i);
		memset(buf, 0, sizeof(buf));
		KTEST_EXPECT_EQ(t, vread(buf, at, sizeof(buf)), (long)sizeof(buf));
		KTEST_EXPECT_EQ(t, memcmp(buf, want, sizeof(buf)), 0);
	}
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);

	ktest_release(t, ktest_action_vfree, p);
	KTEST_EXPECT_FALSE(t, vh_mapped(addr));
	KTEST_EXPECT_FALSE(t, vh_mapped(addr + PMD_SIZE));
	KTEST_EXPECT_FALSE(t, vh_mapped(addr + 2 * PMD_SIZE));
	KTEST_EXPECT_LE(t, vh_kept(free0, pt0), 16L); /* slab pages for the metadata at most */
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

static bool vh_has(const char *s, const char *needle)
{
	for (size_t n = strlen(needle); *s; s++)
		if (!strncmp(s, needle, n))
			return true;
	return false;
}

/*
 * Kernel tables stay after an unmap: a 2 MiB block once mapped with 4 KiB
 * pages keeps an empty PTE table, which a later huge mapping of the block
 * takes out and frees (else the leaf could never be set there again).
 */
KTEST(vmalloc_huge, leaf_replaces_empty_pte_table)
{
	unsigned long addr, pt0;
	void *p;

	vh_need_blocks(t, 2);
	p = vmalloc_huge(PMD_SIZE, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)p;
	vfree(p);
	vm_unmap_aliases();
	/* one 4 KiB page at the block's start: a PTE table under its pmd */
	p = __vmalloc_node_range(PAGE_SIZE, PMD_SIZE, addr, addr + 2 * PMD_SIZE, GFP_KERNEL,
				 PAGE_KERNEL, 0, -1, __builtin_return_address(0));
	KTEST_ASSERT_TRUE(t, (unsigned long)p == addr);
	KTEST_EXPECT_TRUE(t, vh_mapped(addr) && !vh_pmd_leaf(addr));
	vfree(p);
	vm_unmap_aliases();
	pt0 = pgtable_stats.pt_pages;
	p = __vmalloc_node_range(PMD_SIZE, PMD_SIZE, addr, addr + 2 * PMD_SIZE, GFP_KERNEL,
				 PAGE_KERNEL, VM_ALLOW_HUGE_VMAP, -1, __builtin_return_address(0));
	KTEST_ASSERT_TRUE(t, (unsigned long)p == addr);
	ktest_defer(t, ktest_action_vfree, p);
	KTEST_EXPECT_TRUE(t, vh_pmd_leaf(addr));
	KTEST_EXPECT_EQ(t, pgtable_stats.pt_pages, pt0 - 1);
	ktest_release(t, ktest_action_vfree, p);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* ptdump reports the two leaves as one 4M run at the pmd level, then the tail's PTEs. */
struct vh_dump {
	unsigned long start, end;
	bool pmd_run_4m, pte_run;
};

static void vh_dump_note(const struct ptdump_range *r, void *data)
{
	struct vh_dump *d = data;

	if (r->level == PTDUMP_PMD && (r->prot & _PAGE_PSE) && r->start == d->start &&
	    r->last + 1 == d->start + 2 * PMD_SIZE)
		d->pmd_run_4m = true;
	if (r->level == PTDUMP_PTE && (r->prot & _PAGE_PRESENT) &&
	    r->start == d->start + 2 * PMD_SIZE)
		d->pte_run = true;
}

KTEST(vmalloc_huge, ptdump_shows_pmd_leaves)
{
	struct vh_dump d = { 0 };
	char line[160];
	void *p;

	vh_need_blocks(t, 3);
	p = vmalloc_huge(2 * PMD_SIZE + PAGE_SIZE, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	ktest_defer(t, ktest_action_vfree, p);
	d.start = (unsigned long)p;
	d.end = d.start + 2 * PMD_SIZE + PAGE_SIZE;
	ptdump_walk_ranges(d.start, d.end, vh_dump_note, &d);
	KTEST_EXPECT_TRUE(t, d.pmd_run_4m);
	KTEST_EXPECT_TRUE(t, d.pte_run);
	{
		struct ptdump_range r = { d.start, d.start + 2 * PMD_SIZE - 1,
					  _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE | _PAGE_NX,
					  PTDUMP_PMD, "vmalloc" };

		ptdump_format_range(line, sizeof(line), &r);
		KTEST_EXPECT_TRUE(t, vh_has(line, " 4M ") && vh_has(line, "PSE") &&
					     vh_has(line, "pmd"));
	}
	ktest_release(t, ktest_action_vfree, p);
}

/* set_memory_*() refuse a range mapped by a 2 MiB leaf (they cannot split it yet). */
KTEST(vmalloc_huge, set_memory_refuses_pmd_leaf)
{
	unsigned long log = ktest_log_mark();
	void *p;

	vh_need_blocks(t, 2);
	p = vmalloc_huge(PMD_SIZE, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	ktest_defer(t, ktest_action_vfree, p);
	KTEST_ASSERT_TRUE(t, vh_pmd_leaf((unsigned long)p));
	KTEST_EXPECT_EQ(t, set_memory_ro((unsigned long)p, 1), -EINVAL);
	KTEST_EXPECT_TRUE(t, ktest_log_has(log, "mapped by a large page"));
	KTEST_EXPECT_TRUE(t, vh_pmd_leaf((unsigned long)p));
	*(volatile u64 *)p = 1; /* still writable */
	ktest_release(t, ktest_action_vfree, p);
}

/* The fault reporter's description reads the pmd leaf: "inside", then the guard page. */
KTEST(vmalloc_huge, fault_report_names_huge_area)
{
	char buf[160];
	char *p;

	vh_need_blocks(t, 2);
	p = vmalloc_huge(PMD_SIZE, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	ktest_defer(t, ktest_action_vfree, p);
	KTEST_ASSERT_TRUE(t, vh_pmd_leaf((unsigned long)p));
	KTEST_EXPECT_TRUE(t, vmalloc_describe_fault((unsigned long)p + PMD_SIZE / 2, buf,
						    sizeof(buf)));
	KTEST_EXPECT_TRUE(t, vh_has(buf, "inside vmalloc area") && !vh_has(buf, "not mapped"));
	KTEST_EXPECT_TRUE(t, vmalloc_describe_fault((unsigned long)p + PMD_SIZE, buf, sizeof(buf)));
	KTEST_EXPECT_TRUE(t, vh_has(buf, "guard page of"));
	KTEST_EXPECT_FAULT(t, *(volatile char *)(p + PMD_SIZE) = 1);
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)p + PMD_SIZE);
	ktest_release(t, ktest_action_vfree, p);
}

static void vh_fail_off(void *unused __unused)
{
	fail_page_alloc_set(0, 0);
}

/*
 * Every page allocation of a 4 MiB + 1 page vmalloc_huge() failed in turn:
 * a failed order-9 block falls back to 4 KiB pages for its 2 MiB (mapped,
 * not a leaf), a failed single page fails the call; either way vfree()
 * or the failure gives back every page.
 */
KTEST(vmalloc_huge, fallback_and_failures_leak_nothing)
{
	unsigned long size = 2 * PMD_SIZE + PAGE_SIZE, free0, pt0, fellback = 0, failed = 0;
	void *p;

	vh_need_blocks(t, 4);
	p = vmalloc_huge(size, GFP_KERNEL); /* warm-up: slabs and page tables */
	KTEST_ASSERT_NOT_NULL(t, p);
	vfree(p);
	vm_unmap_aliases();
	free0 = nr_free_pages();
	pt0 = pgtable_stats.pt_pages;
	ktest_defer(t, vh_fail_off, NULL);
	for (unsigned long nth = 1; nth <= 12; nth++) {
		unsigned long addr;

		fail_page_alloc_set(nth, 1);
		p = vmalloc_huge(size, GFP_KERNEL | __GFP_NOWARN);
		fail_page_alloc_set(0, 0);
		if (!p) {
			failed++;
		} else {
			addr = (unsigned long)p;
			KTEST_EXPECT_TRUE(t, vh_mapped(addr) && vh_mapped(addr + PMD_SIZE));
			if (!vh_pmd_leaf(addr) || !vh_pmd_leaf(addr + PMD_SIZE))
				fellback++;
			memset(p, 0x5a, size);
			vfree(p);
		}
		KTEST_EXPECT_EQ(t, vh_kept(free0, pt0), 0L);
		KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	}
	ktest_release(t, vh_fail_off, NULL);
	KTEST_EXPECT_GT(t, fellback, 0UL);
	KTEST_EXPECT_GT(t, failed, 0UL);
}

/* An aligned 2 MiB ioremap() gets one pmd leaf, uncached; iounmap() clears it. */
KTEST(vmalloc_huge, ioremap_2m_uses_pmd_leaf)
{
	unsigned long addr;
	void *p;
	u64 e;

	if (VH_IO_PHYS + PUD_SIZE - 1 > cpu_phys_addr_limit())
		KTEST_SKIP(t, "physical address width below 256 GiB");
	p = ioremap(VH_IO_PHYS, PMD_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)p;
	KTEST_EXPECT_EQ(t, addr & (PMD_SIZE - 1), 0UL);
	KTEST_EXPECT_TRUE(t, vh_level(addr, &e) == PT_PMD);
	KTEST_EXPECT_TRUE(t, (e & _PAGE_PSE) && (e & _PAGE_PCD));
	KTEST_EXPECT_EQ(t, e & PTE_PFN_MASK, (u64)VH_IO_PHYS);
	KTEST_EXPECT_EQ(t, vmalloc_to_pfn((char *)p + PAGE_SIZE * 7), PHYS_PFN(VH_IO_PHYS) + 7);
	iounmap(p);
	KTEST_EXPECT_FALSE(t, vh_mapped(addr));
	/* misaligned phys: 4 KiB pages */
	p = ioremap(VH_IO_PHYS + PAGE_SIZE, PMD_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_TRUE(t, vh_level((unsigned long)p, &e) == PT_PTE);
	iounmap(p);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* An aligned 1 GiB ioremap(): one pud leaf with pdpe1gb, else 512 pmd leaves. */
KTEST(vmalloc_huge, ioremap_1g_uses_pud_leaf)
{
	unsigned long addr;
	void *p;
	u64 e;

	if (VH_IO_PHYS + PUD_SIZE - 1 > cpu_phys_addr_limit())
		KTEST_SKIP(t, "physical address width below 256 GiB");
	p = ioremap(VH_IO_PHYS, PUD_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)p;
	if (boot_cpu.pdpe1gb) {
		KTEST_EXPECT_EQ(t, addr & (PUD_SIZE - 1), 0UL);
		KTEST_EXPECT_TRUE(t, vh_level(addr, &e) == PT_PUD);
		KTEST_EXPECT_TRUE(t, e & _PAGE_PSE);
		KTEST_EXPECT_TRUE(t, vh_level(addr + PUD_SIZE - PAGE_SIZE, &e) == PT_PUD);
	} else {
		KTEST_EXPECT_TRUE(t, vh_pmd_leaf(addr));
		KTEST_EXPECT_TRUE(t, vh_pmd_leaf(addr + PUD_SIZE - PAGE_SIZE));
	}
	KTEST_EXPECT_EQ(t, vmalloc_to_pfn((char *)p + PUD_SIZE - PAGE_SIZE),
			PHYS_PFN(VH_IO_PHYS + PUD_SIZE) - 1);
	iounmap(p);
	KTEST_EXPECT_FALSE(t, vh_mapped(addr));
	KTEST_EXPECT_FALSE(t, vh_mapped(addr + PUD_SIZE - PAGE_SIZE));
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Regression: vrealloc() of a vmalloc_huge() area freed tail pages of an
 * order-9 block one by one (refused with a WARN: 512 pages leaked), cut a
 * pmd leaf (WARN, left mapped) and mapped 4 KiB pages over one on the grow.
 * Now the area keeps its pages and leaves (the tail zeroed): no WARN,
 * contents kept, vfree() gives every page back.
 */
KTEST(vmalloc_huge, vrealloc_huge_area_leaks_or_cuts_leaf)
{
	unsigned long size = 2 * PMD_SIZE, keep = PMD_SIZE + PAGE_SIZE, off, free0, pt0, w;
	u64 *p;

	vh_need_blocks(t, 4);
	p = vmalloc_huge(size, GFP_KERNEL); /* warm-up: slabs and page tables */
	KTEST_ASSERT_NOT_NULL(t, p);
	vfree(p);
	vm_unmap_aliases();
	free0 = nr_free_pages();
	pt0 = pgtable_stats.pt_pages;
	w = warn_count;
	p = vmalloc_huge(size, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	ktest_defer(t, ktest_action_vfree, p);
	KTEST_EXPECT_TRUE(t, vh_pmd_leaf((unsigned long)p + PMD_SIZE));
	for (off = 0; off < size; off += PAGE_SIZE) {
		p[off / 8] = vh_pattern(off);
		p[(off + PAGE_SIZE) / 8 - 1] = ~vh_pattern(off);
	}
	KTEST_ASSERT_TRUE(t, vrealloc(p, keep, GFP_KERNEL) == p); /* 4M -> 2M + 4K */
	KTEST_ASSERT_TRUE(t, vrealloc(p, size, GFP_KERNEL) == p); /* back to 4M */
	for (off = 0; off < keep; off += PAGE_SIZE)
		KTEST_EXPECT_EQ(t, p[off / 8], vh_pattern(off));
	KTEST_EXPECT_EQ(t, p[keep / 8], 0ULL); /* given up by the shrink: zero */
	KTEST_EXPECT_EQ(t, p[size / 8 - 1], 0ULL);
	KTEST_EXPECT_TRUE(t, vh_pmd_leaf((unsigned long)p + PMD_SIZE));
	KTEST_ASSERT_TRUE(t, vrealloc(p, PMD_SIZE, GFP_KERNEL) == p); /* 4M -> 2M */
	KTEST_EXPECT_EQ(t, warn_count, w);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	ktest_release(t, ktest_action_vfree, p);
	KTEST_EXPECT_EQ(t, vh_kept(free0, pt0), 0L);
}

/*
 * Regression: an unmap covering only part of a pmd or pud leaf WARNed and
 * kept the leaf, so the rest stayed mapped to memory freed afterwards.
 * Now it WARNs and clears the whole leaf.
 */
KTEST(vmalloc_huge, partial_unmap_keeps_leaf_mapped)
{
	unsigned long addr, w;
	void *p;
	u64 e;

	if (VH_IO_PHYS + PUD_SIZE - 1 > cpu_phys_addr_limit())
		KTEST_SKIP(t, "physical address width below 256 GiB");
	p = ioremap(VH_IO_PHYS, PMD_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)p;
	KTEST_EXPECT_TRUE(t, vh_pmd_leaf(addr));
	w = warn_count;
	vunmap_range_noflush(addr + PAGE_SIZE, addr + 2 * PAGE_SIZE);
	flush_tlb_kernel_range(addr, addr + PMD_SIZE);
	KTEST_EXPECT_EQ(t, warn_count, w + 1);
	KTEST_EXPECT_FALSE(t, vh_mapped(addr));
	KTEST_EXPECT_FALSE(t, vh_mapped(addr + PMD_SIZE - PAGE_SIZE));
	iounmap(p);
	if (!boot_cpu.pdpe1gb)
		return;
	p = ioremap(VH_IO_PHYS, PUD_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)p;
	KTEST_EXPECT_TRUE(t, vh_level(addr, &e) == PT_PUD);
	w = warn_count;
	vunmap_range_noflush(addr + PMD_SIZE, addr + 2 * PMD_SIZE);
	flush_tlb_kernel_range(addr, addr + PUD_SIZE);
	KTEST_EXPECT_EQ(t, warn_count, w + 1);
	KTEST_EXPECT_FALSE(t, vh_mapped(addr));
	KTEST_EXPECT_FALSE(t, vh_mapped(addr + PUD_SIZE - PAGE_SIZE));
	iounmap(p);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * Regression: VM_ALLOW_HUGE_VMAP in a window with no 2 MiB aligned room
 * for the size returned NULL where plain 4 KiB pages fit. Now it falls
 * back to them.
 */
KTEST(vmalloc_huge, huge_range_without_aligned_room_fails)
{
	unsigned long a, start, end;
	struct vm_struct *area;
	void *p;

	ktest_need_pages(t, 2 * PTRS_PER_TABLE);
	area = get_vm_area(4 * PMD_SIZE, VM_IOREMAP); /* a free stretch of the vmalloc space */
	KTEST_ASSERT_NOT_NULL(t, area);
	a = ALIGN((unsigned long)area->addr, PMD_SIZE);
	free_vm_area(area);
	vm_unmap_aliases();
	start = a + PAGE_SIZE; /* 2 MiB and its guard page fit, but not 2 MiB aligned */
	end = start + PMD_SIZE + PAGE_SIZE;
	p = __vmalloc_node_range(PMD_SIZE, 1, start, end, GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL,
				 VM_ALLOW_HUGE_VMAP, -1, __builtin_return_address(0));
	KTEST_ASSERT_TRUE(t, (unsigned long)p == start);
	ktest_defer(t, ktest_action_vfree, p);
	KTEST_EXPECT_TRUE(t, vh_mapped(start) && !vh_pmd_leaf(start));
	KTEST_EXPECT_TRUE(t, vh_mapped(start + PMD_SIZE - PAGE_SIZE));
	memset(p, 0x3c, PMD_SIZE);
	ktest_release(t, ktest_action_vfree, p);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

static unsigned long vh_flushes(void)
{
	return READ_ONCE(pgtable_stats.flush_single) + READ_ONCE(pgtable_stats.flush_ranges) +
	       READ_ONCE(pgtable_stats.flush_all);
}

/*
 * A pmd leaf that takes the place of an empty PTE table flushes the TLB
 * first: a CPU's paging-structure cache may still point into the table,
 * freed right after. (QEMU's TCG caches no such entries, so a remote read
 * through the old table cannot be shown here; the flush is counted.)
 */
KTEST(vmalloc_huge, leaf_over_pte_table_skips_tlb_flush)
{
	unsigned long addr, f0;
	void *p;

	vh_need_blocks(t, 2);
	p = vmalloc_huge(PMD_SIZE, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, p);
	addr = (unsigned long)p;
	vfree(p);
	vm_unmap_aliases();
	p = __vmalloc_node_range(PAGE_SIZE, PMD_SIZE, addr, addr + 2 * PMD_SIZE, GFP_KERNEL,
				 PAGE_KERNEL, 0, -1, __builtin_return_address(0));
	KTEST_ASSERT_TRUE(t, (unsigned long)p == addr);
	vfree(p);
	vm_unmap_aliases(); /* the PTE table stays, empty */
	f0 = vh_flushes();
	p = __vmalloc_node_range(PMD_SIZE, PMD_SIZE, addr, addr + 2 * PMD_SIZE, GFP_KERNEL,
				 PAGE_KERNEL, VM_ALLOW_HUGE_VMAP, -1, __builtin_return_address(0));
	KTEST_ASSERT_TRUE(t, (unsigned long)p == addr);
	ktest_defer(t, ktest_action_vfree, p);
	KTEST_EXPECT_TRUE(t, vh_pmd_leaf(addr));
	KTEST_EXPECT_GT(t, vh_flushes(), f0);
	ktest_release(t, ktest_action_vfree, p);
}
