/*
 * vm_map_ram()/vm_unmap_ram() and the per-CPU vmap blocks under them
 * (mm/vmap_block.c): contents and vmalloc_to_page() through a mapping,
 * blocks filling up and being released, unmaps from another CPU, no stale
 * translation after vm_unmap_aliases(), fault injection while a block is
 * created, and bad arguments refused without a change.
 *
 * The tests run in the boot thread, which stays on its CPU, so successive
 * small maps come from the same CPU's blocks.
 */
#include "asm/ipi.h"
#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/traps.h"
#include "debug/ktest.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define VB_BLOCK_PAGES 1024UL /* mm/vmap_block.c's VMAP_BLOCK_PAGES */
#define VB_BLOCK_SIZE  (VB_BLOCK_PAGES << PAGE_SHIFT)
#define VB_NR_PAGES    8
#define VB_PATTERN(i)  (0x766d5f6d61700000ULL + (i))

static struct page *vb_pages[VB_NR_PAGES];

/* Free the test pages (deferred action). */
static void vb_free_test_pages(void *arg __unused)
{
	for (int i = 0; i < VB_NR_PAGES; i++) {
		if (vb_pages[i])
			__free_pages(vb_pages[i], 0);
		vb_pages[i] = NULL;
	}
}

/* VB_NR_PAGES pages, page i filled with VB_PATTERN(i); freed when the test ends. */
static void vb_get_pages(struct ktest *t)
{
	for (int i = 0; i < VB_NR_PAGES; i++)
		vb_pages[i] = NULL;
	ktest_defer(t, vb_free_test_pages, NULL);
	for (int i = 0; i < VB_NR_PAGES; i++) {
		u64 *p;

		vb_pages[i] = alloc_pages(GFP_KERNEL, 0);
		KTEST_ASSERT_NOT_NULL(t, vb_pages[i]);
		p = page_address(vb_pages[i]);
		for (unsigned long w = 0; w < PAGE_SIZE / sizeof(u64); w++)
			p[w] = VB_PATTERN(i);
	}
}

/* @n entries cycling through the test pages. */
static void vb_fill_array(struct page **arr, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		arr[i] = vb_pages[i % VB_NR_PAGES];
}

/* Pages in use no test object holds: what must come back to its start. */
static unsigned long vb_pages_accounted(void)
{
	vm_unmap_aliases();
	return nr_free_pages() + slab_nr_pages() + pgtable_stats.pt_pages;
}

static unsigned long vb_block_of(const void *addr)
{
	return (unsigned long)addr & ~(VB_BLOCK_SIZE - 1);
}

KTEST(vmap_block, map_unmap_contents_and_vmalloc_to_page)
{
	struct page *arr[VB_NR_PAGES];
	unsigned long busy, mark;
	struct vm_struct *vm;
	u64 *p;

	ktest_need_pages(t, VB_NR_PAGES + 64);
	vb_get_pages(t);
	vb_fill_array(arr, VB_NR_PAGES);
	vm_unmap_aliases();
	busy = vmalloc_nr_busy();
	p = vm_map_ram(arr, VB_NR_PAGES, -1);
	KTEST_ASSERT_NOT_NULL(t, p);
	for (int i = 0; i < VB_NR_PAGES; i++) {
		KTEST_EXPECT_EQ(t, p[i * PAGE_SIZE / sizeof(u64) + 7], VB_PATTERN(i));
		KTEST_EXPECT_TRUE(t, vmalloc_to_page((char *)p + i * PAGE_SIZE) == vb_pages[i]);
	}
	p[3] = 0x1234; /* writable, and the same frame as the direct map's */
	KTEST_EXPECT_EQ(t, ((u64 *)page_address(vb_pages[0]))[3], 0x1234ULL);
	vm = find_vm_area(p);
	KTEST_ASSERT_NOT_NULL(t, vm);
	KTEST_EXPECT_EQ(t, vm->flags & VM_MAP_RAM, VM_MAP_RAM);
	KTEST_EXPECT_EQ(t, (unsigned long)vm->addr, vb_block_of(p));
	KTEST_EXPECT_GE(t, vmap_block_count(), 1UL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	mark = ktest_log_mark();
	vmallocinfo_dump();
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, " vm_map_ram"));

	vm_unmap_ram(p, VB_NR_PAGES);
	KTEST_EXPECT_NULL(t, vmalloc_to_page(p));
	vm_unmap_aliases(); /* the block holds nothing now: released, then purged */
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* A request above VMAP_MAX_ALLOC gets an area of its own, with a guard page. */
KTEST(vmap_block, large_request_takes_its_own_area)
{
	static struct page *arr[VMAP_MAX_ALLOC + 1];
	unsigned long busy, blocks;
	struct vm_struct *vm;
	u64 *p;

	vb_get_pages(t);
	vb_fill_array(arr, VMAP_MAX_ALLOC + 1);
	vm_unmap_aliases();
	busy = vmalloc_nr_busy();
	blocks = vmap_block_count();
	p = vm_map_ram(arr, VMAP_MAX_ALLOC + 1, -1);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, vmap_block_count(), blocks);
	vm = find_vm_area(p);
	KTEST_ASSERT_NOT_NULL(t, vm);
	KTEST_EXPECT_TRUE(t, vm->addr == p);
	KTEST_EXPECT_EQ(t, get_vm_area_size(vm), (VMAP_MAX_ALLOC + 1) * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, p[VMAP_MAX_ALLOC * PAGE_SIZE / sizeof(u64)],
			VB_PATTERN(VMAP_MAX_ALLOC % VB_NR_PAGES));
	vm_unmap_ram(p, VMAP_MAX_ALLOC + 1);
	KTEST_EXPECT_NULL(t, find_vm_area(p));
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * VB_BLOCK_PAGES / VMAP_MAX_ALLOC maximal maps fill one block; the next
 * one opens a new block. Unmapping every page of the full block releases
 * it at once (all dirty); the other goes at vm_unmap_aliases().
 */
KTEST(vmap_block, many_small_maps_fill_a_block_then_a_new_one)
{
	static struct page *arr[VMAP_MAX_ALLOC];
	static void *maps[VB_BLOCK_PAGES / VMAP_MAX_ALLOC + 1];
	const unsigned int n = VB_BLOCK_PAGES / VMAP_MAX_ALLOC;
	unsigned long blocks, busy;

	vb_get_pages(t);
	vb_fill_array(arr, VMAP_MAX_ALLOC);
	vm_unmap_aliases();
	blocks = vmap_block_count();
	busy = vmalloc_nr_busy();
	for (unsigned int i = 0; i <= n; i++) {
		maps[i] = vm_map_ram(arr, VMAP_MAX_ALLOC, -1);
		KTEST_ASSERT_NOT_NULL(t, maps[i]);
	}
	for (unsigned int i = 1; i < n; i++)
		KTEST_EXPECT_EQ(t, vb_block_of(maps[i]), vb_block_of(maps[0]));
	KTEST_EXPECT_NE(t, vb_block_of(maps[n]), vb_block_of(maps[0]));
	KTEST_EXPECT_EQ(t, vmap_block_count(), blocks + 2);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);

	for (unsigned int i = 0; i < n; i++)
		vm_unmap_ram(maps[i], VMAP_MAX_ALLOC);
	KTEST_EXPECT_EQ(t, vmap_block_count(), blocks + 1); /* the full one, all dirty */
	KTEST_EXPECT_NULL(t, find_vm_area(maps[0]));
	vm_unmap_ram(maps[n], VMAP_MAX_ALLOC);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmap_block_count(), blocks);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* After vm_unmap_aliases() the flushed dirty pages of a live block are reused. */
KTEST(vmap_block, dirty_pages_reused_after_unmap_aliases)
{
	struct page *arr[2];
	void *keep, *a, *b;

	vb_get_pages(t);
	vb_fill_array(arr, 2);
	vm_unmap_aliases();
	keep = vm_map_ram(arr, 1, -1);
	KTEST_ASSERT_NOT_NULL(t, keep);
	a = vm_map_ram(arr, 2, -1);
	KTEST_ASSERT_NOT_NULL(t, a);
	vm_unmap_ram(a, 2);
	b = vm_map_ram(arr, 2, -1); /* a's pages are dirty: not handed out yet */
	KTEST_ASSERT_NOT_NULL(t, b);
	KTEST_EXPECT_TRUE(t, b != a);
	vm_unmap_ram(b, 2);
	vm_unmap_aliases();
	b = vm_map_ram(arr, 2, -1);
	KTEST_ASSERT_NOT_NULL(t, b);
	KTEST_EXPECT_TRUE(t, b == a); /* the lowest free run again */
	vm_unmap_ram(b, 2);
	vm_unmap_ram(keep, 1);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* ---- other CPUs ---- */

struct vb_remote {
	void *addr; /* to unmap there, then what was mapped there */
	struct page **arr;
	unsigned int count;
};

static int vb_remote_fn(void *arg)
{
	struct vb_remote *r = arg;

	vm_unmap_ram(r->addr, r->count);
	r->addr = vm_map_ram(r->arr, r->count, -1);
	return r->addr ? 0 : -ENOMEM;
}

/* Another online CPU than this one, or -1. */
static int vb_other_cpu(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) if (cpu != smp_processor_id()) return (int)cpu;
	return -1;
}

/* A thread bound to the other CPU unmaps our mapping and maps one we unmap. */
KTEST(vmap_block, unmap_on_another_cpu)
{
	static struct vb_remote r;
	struct page *arr[3];
	struct task_struct *task;
	unsigned long busy, blocks;
	int cpu = vb_other_cpu();

	if (cpu < 0)
		KTEST_SKIP(t, "needs a second online CPU");
	vb_get_pages(t);
	vb_fill_array(arr, 3);
	vm_unmap_aliases();
	busy = vmalloc_nr_busy();
	blocks = vmap_block_count();
	r = (struct vb_remote){ .addr = vm_map_ram(arr, 3, -1), .arr = arr, .count = 3 };
	KTEST_ASSERT_NOT_NULL(t, r.addr);
	task = kthread_create(vb_remote_fn, &r, "vb_remote");
	KTEST_ASSERT_NOT_NULL(t, task);
	KTEST_EXPECT_EQ(t, kthread_bind(task, cpu), 0);
	wake_up_process(task);
	KTEST_EXPECT_EQ(t, kthread_join(task), 0);
	KTEST_ASSERT_NOT_NULL(t, r.addr);
	KTEST_EXPECT_EQ(t, ((u64 *)r.addr)[PAGE_SIZE / sizeof(u64) * 2], VB_PATTERN(2));
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	vm_unmap_ram(r.addr, 3);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmap_block_count(), blocks);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

struct vb_probe {
	const void *addr;
	u64 val;
	int err;
};

static void vb_probe_read(void *arg)
{
	struct vb_probe *pr = arg;

	pr->err = read_kernel_nofault(pr->addr, &pr->val);
}

static struct vb_probe vb_remote_read(unsigned int cpu, const void *addr)
{
	struct vb_probe pr = { addr, 0, -EINVAL };

	smp_call_function_single(cpu, vb_probe_read, &pr, true);
	return pr;
}

/*
 * Another CPU reads a vm_map_ram() address (its TLB keeps the translation),
 * the mapping is unmapped, vm_unmap_aliases() runs, and the same address is
 * mapped to another page: that CPU must read the new page. Without the
 * block flush in vm_unmap_aliases() it read the old page through its stale
 * TLB entry.
 */
KTEST(vmap_block, remote_read_after_unmap_aliases_sees_new_page)
{
	struct page *keep_arr[1], *old_arr[1], *new_arr[1];
	struct vb_probe pr;
	void *keep, *a, *b;
	int cpu = vb_other_cpu();

	if (cpu < 0)
		KTEST_SKIP(t, "needs a second online CPU");
	vb_get_pages(t);
	keep_arr[0] = vb_pages[0];
	old_arr[0] = vb_pages[1];
	new_arr[0] = vb_pages[2];
	vm_unmap_aliases();
	keep = vm_map_ram(keep_arr, 1, -1); /* holds the block across the purge */
	KTEST_ASSERT_NOT_NULL(t, keep);
	a = vm_map_ram(old_arr, 1, -1);
	KTEST_ASSERT_NOT_NULL(t, a);
	pr = vb_remote_read(cpu, a);
	KTEST_EXPECT_EQ(t, pr.err, 0);
	KTEST_EXPECT_EQ(t, pr.val, VB_PATTERN(1));
	vm_unmap_ram(a, 1);
	vm_unmap_aliases();
	b = vm_map_ram(new_arr, 1, -1);
	KTEST_ASSERT_NOT_NULL(t, b);
	KTEST_EXPECT_TRUE(t, b == a);
	pr = vb_remote_read(cpu, b);
	KTEST_EXPECT_EQ(t, pr.err, 0);
	KTEST_EXPECT_EQ(t, pr.val, VB_PATTERN(2));
	vm_unmap_ram(b, 1);
	vm_unmap_ram(keep, 1);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* ---- failures ---- */

/*
 * Fail the nth slab allocation, then the nth page allocation, of a map that
 * needs a new block (and maybe page tables), for n = 1, 2, ... until one
 * succeeds untouched: each failure leaves no page, area or block behind.
 */
static void vb_inject(struct ktest *t, bool slab, struct page **arr)
{
	unsigned long before, busy, blocks, injected;

	for (unsigned long nth = 1; nth < 16; nth++) {
		void *p;

		vm_unmap_aliases();
		before = vb_pages_accounted();
		busy = vmalloc_nr_busy();
		blocks = vmap_block_count();
		injected = slab ? fail_slab_injected : fail_page_alloc_injected;
		if (slab)
			fail_slab_set(nth, 1);
		else
			fail_page_alloc_set(nth, 1);
		p = vm_map_ram(arr, 4, -1);
		fail_slab_set(0, 0);
		fail_page_alloc_set(0, 0);
		if (p) {
			KTEST_EXPECT_EQ(t, ((u64 *)p)[1], VB_PATTERN(0));
			vm_unmap_ram(p, 4);
		}
		KTEST_EXPECT_EQ(t, vb_pages_accounted(), before);
		KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
		KTEST_EXPECT_EQ(t, vmap_block_count(), blocks);
		KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
		if ((slab ? fail_slab_injected : fail_page_alloc_injected) == injected)
			return; /* nothing left to fail */
	}
	KTEST_EXPECT_TRUE(t, false); /* every allocation failed: no success seen */
}

KTEST(vmap_block, fault_injection_during_block_creation_leaks_nothing)
{
	struct page *arr[4];

	vb_get_pages(t);
	vb_fill_array(arr, 4);
	vm_unmap_ram(vm_map_ram(arr, 4, -1), 4); /* warm up the slab caches */
	vb_inject(t, true, arr);
	vb_inject(t, false, arr);
}

/* Count the WARNs of @stmt; the kernel log must name vm_unmap_ram. */
#define VB_EXPECT_REFUSED(t, stmt)                                            \
	do {                                                                  \
		unsigned long vb_w_ = warn_count, vb_m_ = ktest_log_mark();   \
		stmt;                                                         \
		KTEST_EXPECT_EQ(t, warn_count, vb_w_ + 1);                    \
		KTEST_EXPECT_TRUE(t, ktest_log_has(vb_m_, "vm_unmap_ram: ")); \
	} while (0)

KTEST(vmap_block, bad_vm_unmap_ram_refused)
{
	static struct page *arr[VMAP_MAX_ALLOC + 1];
	unsigned long busy;
	u64 *p, *big, *v;

	vb_get_pages(t);
	vb_fill_array(arr, VMAP_MAX_ALLOC + 1);
	vm_unmap_aliases();
	busy = vmalloc_nr_busy();
	p = vm_map_ram(arr, 4, -1);
	big = vm_map_ram(arr, VMAP_MAX_ALLOC + 1, -1);
	v = vmalloc(PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_ASSERT_NOT_NULL(t, big);
	KTEST_ASSERT_NOT_NULL(t, v);
	v[0] = 42;

	VB_EXPECT_REFUSED(t, vm_unmap_ram(p, 3));		      /* wrong count */
	VB_EXPECT_REFUSED(t, vm_unmap_ram(p, 5));		      /* wrong count */
	VB_EXPECT_REFUSED(t, vm_unmap_ram((char *)p + PAGE_SIZE, 3)); /* inside */
	VB_EXPECT_REFUSED(t, vm_unmap_ram((char *)p + 8, 4));	      /* unaligned */
	VB_EXPECT_REFUSED(t, vm_unmap_ram(p, 0));		      /* no pages */
	VB_EXPECT_REFUSED(t, vm_unmap_ram(v, 1));		      /* a vmalloc area */
	VB_EXPECT_REFUSED(t, vm_unmap_ram(v, VMAP_MAX_ALLOC + 1));    /* a vmalloc area */
	VB_EXPECT_REFUSED(t, vm_unmap_ram(big, VMAP_MAX_ALLOC));      /* wrong count */
	VB_EXPECT_REFUSED(t, vm_unmap_ram(big, VMAP_MAX_ALLOC + 2));  /* wrong count */
	VB_EXPECT_REFUSED(t, vm_unmap_ram((void *)vb_block_of(p), VB_BLOCK_PAGES)); /* block */
	/* Nothing changed: every mapping still reads its pages. */
	KTEST_EXPECT_EQ(t, p[3 * PAGE_SIZE / sizeof(u64)], VB_PATTERN(3));
	KTEST_EXPECT_EQ(t, big[VMAP_MAX_ALLOC * PAGE_SIZE / sizeof(u64)],
			VB_PATTERN(VMAP_MAX_ALLOC % VB_NR_PAGES));
	KTEST_EXPECT_EQ(t, v[0], 42ULL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);

	vm_unmap_ram(p, 4);
	VB_EXPECT_REFUSED(t, vm_unmap_ram(p, 4)); /* a second time */
	vm_unmap_ram(big, VMAP_MAX_ALLOC + 1);
	VB_EXPECT_REFUSED(t, vm_unmap_ram(big, VMAP_MAX_ALLOC + 1));
	vfree(v);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}
