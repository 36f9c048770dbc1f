/*
 * The _gdb suite: a known kernel state for the GDB helpers to read
 * (scripts/gdb/contig/, driven by tests/e2e/gdb.sh). Not part of
 * ktest=all: it runs only when named (ktest=_gdb).
 *
 * The test makes a few vmalloc areas of known shapes (and one freed area
 * that waits lazily for its TLB flush), prints the kernel's
 * own view of them between marker lines, then stops in
 * ktest_gdb_checkpoint(), where GDB compares its helpers' output with those
 * lines. After that it touches a guard page (an expected #PF, so GDB can
 * take a backtrace through the exception entry) and frees the areas from
 * gdb_free_areas(), so that a breakpoint in vfree() sees the frames
 *
 *	vfree <- gdb_free_areas <- ktest__gdb_areas <- ktest_run_one <- ... <- kmain
 *
 * The markers the e2e test parses:
 *	gdb-test: vmallocinfo begin / end	vmallocinfo_dump() between them
 *	gdb-test: buddyinfo begin / end		buddyinfo_dump()
 *	gdb-test: meminfo begin / end		meminfo_dump() + vmalloc_meminfo_dump()
 *	gdb-test: slabinfo begin / end		slabinfo_dump()
 *	gdb-test: vmalloc_to_pfn(0x...) = 0x...
 *	gdb-test: checkpoint
 */
#include "asm/page.h"
#include "kernel/compiler.h"
#include "debug/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

/* The IOAPIC's register page: MMIO on every PC QEMU models, never RAM. */
#define GDB_TEST_IOREMAP_PHYS 0xfec00000UL

struct gdb_areas {
	char *vm;  /* vmalloc(3 pages) */
	char *vz;  /* vzalloc(16 KiB) */
	void *map; /* vmap() of the two pages below */
	struct page *pages[2];
	void *io; /* ioremap() of one device page */
};

void ktest_gdb_checkpoint(void);

/*
 * ktest_gdb_checkpoint - a place for a debugger to stop.
 *  => does nothing; kept out of line and never removed, so that
 *     `break ktest_gdb_checkpoint` always has a target
 */
__noinline void ktest_gdb_checkpoint(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/* A read that faults when @p is a guard page; out of line for the backtrace. */
static __noinline unsigned char gdb_touch(const volatile unsigned char *p)
{
	return *p;
}

static __noinline void gdb_free_areas(struct gdb_areas *a)
{
	vfree(a->vm);
	vfree(a->vz);
	vunmap(a->map);
	for (int i = 0; i < 2; i++)
		if (a->pages[i])
			__free_page(a->pages[i]);
	iounmap(a->io);
}

static void gdb_print_state(const char *probe)
{
	printk("gdb-test: vmallocinfo begin\n");
	vmallocinfo_dump();
	printk("gdb-test: vmallocinfo end\n");
	printk("gdb-test: buddyinfo begin\n");
	buddyinfo_dump();
	printk("gdb-test: buddyinfo end\n");
	printk("gdb-test: meminfo begin\n");
	meminfo_dump();
	vmalloc_meminfo_dump();
	printk("gdb-test: meminfo end\n");
	printk("gdb-test: slabinfo begin\n");
	slabinfo_dump();
	printk("gdb-test: slabinfo end\n");
	printk("gdb-test: vmalloc_to_pfn(0x%lx) = 0x%lx\n", (unsigned long)probe,
	       vmalloc_to_pfn(probe));
}

KTEST(_gdb, areas)
{
	struct gdb_areas a;
	const char *probe;
	void *lazy;

	memset(&a, 0, sizeof(a));
	/* Freed at once: it stays on the purge list, an "unpurged vm_area" line. */
	lazy = vmalloc(2 * PAGE_SIZE);
	KTEST_EXPECT_NOT_NULL(t, lazy);
	vfree(lazy);
	a.vm = vmalloc(3 * PAGE_SIZE);
	a.vz = vzalloc(16 * 1024);
	a.pages[0] = alloc_page(GFP_KERNEL);
	a.pages[1] = alloc_page(GFP_KERNEL);
	if (a.pages[0] && a.pages[1])
		a.map = vmap(a.pages, 2, VM_MAP, PAGE_KERNEL);
	a.io = ioremap(GDB_TEST_IOREMAP_PHYS, PAGE_SIZE);
	KTEST_EXPECT_NOT_NULL(t, a.vm);
	KTEST_EXPECT_NOT_NULL(t, a.vz);
	KTEST_EXPECT_NOT_NULL(t, a.map);
	KTEST_EXPECT_NOT_NULL(t, a.io);
	if (!a.vm || !a.vz || !a.map || !a.io)
		goto out_free;

	/* A byte pattern GDB can find through the vmalloc address, mid-page. */
	probe = a.vm + PAGE_SIZE + 0x123;
	strlcpy(a.vm + PAGE_SIZE + 0x123, "contig-gdb-probe", 32);
	gdb_print_state(probe);
	printk("gdb-test: checkpoint\n");
	ktest_gdb_checkpoint();

	/* The guard page after the three pages: GDB may stop in the #PF handler. */
	KTEST_EXPECT_FAULT(t, gdb_touch((const unsigned char *)a.vm + 3 * PAGE_SIZE));
	KTEST_EXPECT_EQ(t, t->fault_addr, (unsigned long)a.vm + 3 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
out_free:
	gdb_free_areas(&a);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}
