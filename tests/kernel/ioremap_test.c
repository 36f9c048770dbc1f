/*
 * Self-tests of ioremap()'s refusals (mm/vmalloc.c __ioremap): physical
 * addresses beyond the CPU's width (CPUID 0x80000008), and a second mapping
 * of an overlapping range with another memory type (arch/x86/mm/memtype.c).
 * The device range is the HPET's page, which is never RAM; nothing here
 * reads beyond its registers, and every test gives back what it mapped.
 */
#include "debug/ktest.h"

#include "asm/memtype.h"
#include "asm/page.h"
#include "asm/processor.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define IO_HPET 0xfed00000UL

static void io_unmap(void *p)
{
	if (p)
		iounmap(p);
}

/* A ktest_defer() action: no slab allocation fails any more. */
static void io_fail_slab_off(void *unused __unused)
{
	fail_slab_set(0, 0);
}

/* The mappings that hold a memory type over the HPET's page. */
static unsigned int io_hpet_refs(void)
{
	return memtype_refs(IO_HPET, IO_HPET + PAGE_SIZE);
}

/*
 * Bug: only 52 bits were checked, so ioremap(1 << 40) on a 40-bit qemu64
 * succeeded and faulted on the first read.
 */
KTEST(ioremap, ioremap_beyond_phys_width_refused)
{
	phys_addr_t limit = cpu_phys_addr_limit();
	unsigned long busy = vmalloc_nr_busy(), entries = memtype_nr_entries();
	unsigned long log = ktest_log_mark();
	u32 a, b, c, d;
	void *p;

	if (boot_cpu.max_ext_leaf >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &b, &c, &d);
		KTEST_EXPECT_EQ(t, boot_cpu.phys_bits, a & 0xff);
	}
	KTEST_ASSERT_TRUE(t, boot_cpu.phys_bits >= 32 && boot_cpu.phys_bits <= 52);
	KTEST_EXPECT_EQ(t, limit, (1ULL << boot_cpu.phys_bits) - 1);

	p = ioremap(limit + 1, PAGE_SIZE);
	KTEST_EXPECT_NULL(t, p);
	io_unmap(p);
	KTEST_EXPECT_TRUE(t, ktest_log_has(log, "beyond the CPU's physical address width"));
	if (boot_cpu.phys_bits <= 40) { /* qemu64 */
		p = ioremap(1ULL << 40, PAGE_SIZE);
		KTEST_EXPECT_NULL(t, p);
		io_unmap(p);
	}
	p = ioremap(limit + 1 - PAGE_SIZE, 2 * PAGE_SIZE); /* runs over the top */
	KTEST_EXPECT_NULL(t, p);
	io_unmap(p);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);

	p = ioremap(limit + 1 - PAGE_SIZE, PAGE_SIZE); /* the last page is fine */
	KTEST_EXPECT_NOT_NULL(t, p);
	io_unmap(p);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);
}

/* Bug: an uncached and a write-combining mapping of one device page coexisted. */
KTEST(ioremap, ioremap_conflicting_memtype_refused)
{
	unsigned long busy = vmalloc_nr_busy(), entries = memtype_nr_entries();
	unsigned int refs = io_hpet_refs();
	unsigned long log;
	void *uc, *wc;

	uc = ioremap(IO_HPET, PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, uc);
	ktest_defer(t, io_unmap, uc);
	KTEST_EXPECT_EQ(t, io_hpet_refs(), refs + 1);

	log = ktest_log_mark();
	wc = ioremap_wc(IO_HPET, PAGE_SIZE);
	KTEST_EXPECT_NULL(t, wc);
	io_unmap(wc);
	KTEST_EXPECT_TRUE(t, ktest_log_has(log, "ioremap_wc: phys 0xfed00000-0xfed00fff "
						"write-combining conflicts with phys "
						"0xfed00000-0xfed00fff uncached"));
	log = ktest_log_mark();
	wc = ioremap_wc(IO_HPET - PAGE_SIZE, 2 * PAGE_SIZE); /* overlaps it */
	KTEST_EXPECT_NULL(t, wc);
	io_unmap(wc);
	KTEST_EXPECT_TRUE(t, ktest_log_has(log, "phys 0xfecff000-0xfed00fff write-combining "
						"conflicts with phys 0xfed00000-0xfed00fff "
						"uncached"));
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy + 1);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries + (refs ? 0 : 1));
	KTEST_EXPECT_EQ(t, io_hpet_refs(), refs + 1);
	ktest_release(t, io_unmap, uc);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);
}

/* Two uncached mappings of one range, and an overlapping one, are fine. */
KTEST(ioremap, ioremap_same_memtype_twice_allowed)
{
	unsigned long entries = memtype_nr_entries();
	unsigned int refs = io_hpet_refs();
	unsigned int wide_refs = memtype_refs(IO_HPET - PAGE_SIZE, IO_HPET + PAGE_SIZE);
	void *a, *b, *wide;

	a = ioremap(IO_HPET, PAGE_SIZE);
	ktest_defer(t, io_unmap, a);
	b = ioremap(IO_HPET, PAGE_SIZE);
	ktest_defer(t, io_unmap, b);
	wide = ioremap(IO_HPET - PAGE_SIZE, 2 * PAGE_SIZE);
	ktest_defer(t, io_unmap, wide);
	KTEST_EXPECT_NOT_NULL(t, a);
	KTEST_EXPECT_NOT_NULL(t, b);
	KTEST_EXPECT_NOT_NULL(t, wide);
	KTEST_EXPECT_EQ(t, io_hpet_refs(), refs + 2);
	KTEST_EXPECT_EQ(t, memtype_refs(IO_HPET - PAGE_SIZE, IO_HPET + PAGE_SIZE), wide_refs + 1);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries + !refs + !wide_refs);
	if (a && b) /* the HPET's capabilities register, through both aliases */
		KTEST_EXPECT_EQ(t, *(volatile u32 *)a, *(volatile u32 *)b);
	ktest_release(t, io_unmap, wide);
	ktest_release(t, io_unmap, b);
	KTEST_EXPECT_EQ(t, io_hpet_refs(), refs + (a ? 1U : 0U));
	ktest_release(t, io_unmap, a);
	KTEST_EXPECT_EQ(t, io_hpet_refs(), refs);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);
}

/* iounmap() gives the range's memory type back: another type may map it then. */
KTEST(ioremap, iounmap_releases_memtype)
{
	unsigned long entries = memtype_nr_entries();
	void *uc, *wc;

	if (io_hpet_refs())
		KTEST_SKIP(t, "the HPET is mapped already: its memory type stays reserved");
	uc = ioremap(IO_HPET, PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, uc);
	iounmap(uc);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);
	wc = ioremap_wc(IO_HPET, PAGE_SIZE);
	ktest_defer(t, io_unmap, wc);
	KTEST_EXPECT_NOT_NULL(t, wc);
	KTEST_EXPECT_EQ(t, io_hpet_refs(), wc ? 1U : 0U);
	ktest_release(t, io_unmap, wc);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);
}

/*
 * Fail the nth slab allocation of an ioremap() for every n until it
 * succeeds: the memtype's own entry (n = 1), then the vm area's (n >= 2).
 * No failure leaves a reservation or an area behind.
 */
KTEST(ioremap, ioremap_memtype_no_leak_on_area_failure)
{
	unsigned long busy = vmalloc_nr_busy(), entries = memtype_nr_entries();
	unsigned long nth, failed = 0;
	unsigned int refs = io_hpet_refs();
	void *p = NULL;

	ktest_defer(t, io_fail_slab_off, NULL); /* should ioremap() fault */
	for (nth = 1; nth <= 16 && !p; nth++) {
		fail_slab_set(nth, 1);
		p = ioremap(IO_HPET, PAGE_SIZE);
		fail_slab_set(0, 0);
		if (p)
			break;
		failed++;
		KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);
		KTEST_EXPECT_EQ(t, io_hpet_refs(), refs);
		KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	}
	ktest_release(t, io_fail_slab_off, NULL);
	KTEST_EXPECT_NOT_NULL(t, p);
	KTEST_EXPECT_GE(t, failed, 2UL);
	io_unmap(p);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
}

/*
 * Bug: the VGA text screen, mapped uncached before vmalloc_init(), reserved
 * no memory type, so ioremap_wc() of the same page made a write-combining
 * alias of an uncached mapping. A screen whose mapping failed holds none.
 */
KTEST(ioremap, vga_screen_memtype_reserved)
{
	const phys_addr_t vga = 0xb8000;
	struct vm_struct *vm = find_vm_area((void *)VMALLOC_START);
	unsigned long busy = vmalloc_nr_busy(), log;
	void *p;

	if (!vm || !(vm->flags & VM_IOREMAP) || vm->phys_addr != vga) {
		/* No screen (or its mapping failed): it must hold no reservation either. */
		KTEST_EXPECT_EQ(t, memtype_refs(vga, vga + PAGE_SIZE), 0U);
		return;
	}
	KTEST_EXPECT_EQ(t, memtype_refs(vga, vga + PAGE_SIZE), 1U);
	log = ktest_log_mark();
	p = ioremap_wc(vga, PAGE_SIZE);
	KTEST_EXPECT_NULL(t, p);
	KTEST_EXPECT_TRUE(t, ktest_log_has(log, "conflicts with"));
	io_unmap(p);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, memtype_refs(vga, vga + PAGE_SIZE), 1U);
}
