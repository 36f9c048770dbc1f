/*
 * Host stand-ins for what mm/vmalloc.c calls: RAM, the buddy, the slab, the
 * page tables and the TLB. Include after host_shim.h and before the kernel
 * sources; the test file must #define _GNU_SOURCE first (memfd, mmap).
 *
 * RAM is a memfd of SHIM_NR_PAGES pages. The "direct map" is one shared
 * mapping of it (page_offset_base), so __va()/page_address() work. The
 * vmalloc range is a real 32 TiB PROT_NONE reservation (vmalloc_base), and
 * mapping a page there mmaps the same memfd page at that address: a test can
 * write through a vmalloc address and read the page through the direct map,
 * exactly as in the kernel, and a touch of an unmapped page (guard) faults.
 * Addresses outside the reservation (the module range) only get entries in
 * the fake page table, so tests must not touch them.
 *
 * The page table is a hash from virtual page to pte; counts of present
 * entries, sets and clears let tests check that nothing stays mapped.
 * alloc_pages(), kmalloc() and kmem_cache_alloc() honour __GFP_ZERO, poison
 * otherwise, and can be told to fail (fail_page_alloc_set(), fail_slab_set(),
 * shim_fail_vmap_set()).
 */
#ifndef VMALLOC_SHIM_H
#define VMALLOC_SHIM_H

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "asm/irqflags.h"
#include "asm/pgtable.h"
#include "kernel/errno.h"
#include "kernel/workqueue.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"

/* The TSC is never calibrated here: ratelimit() warn_alloc() does not rate-limit. */
u64 tsc_khz;

/* The kernel's stack dump (arch/x86/kernel/traps.c): its header line only. */
void dump_stack(void)
{
	printk("Call Trace:\n");
}

#define SHIM_NR_PAGES	  8192UL /* 32 MiB of fake RAM */
#define SHIM_PT_BITS	  17
#define SHIM_PT_SLOTS	  (1UL << SHIM_PT_BITS)
#define SHIM_POISON_FREE  0x6b
#define SHIM_POISON_ALLOC 0xa5

unsigned long page_offset_base, vmalloc_base, vmemmap_base;
unsigned long vmalloc_range_size = VMALLOC_SIZE;

/* The kernel image's section bounds vmap() checks: a host image has none
 * of the shim's RAM frames (its __pa_symbol() lies far above them). */
char _text[1], _erodata[1];

/* The CPU's physical address width as ioremap() sees it: qemu64's 40 bits. */
phys_addr_t cpu_phys_addr_limit(void)
{
	return (1ULL << 40) - 1;
}
unsigned long max_pfn, totalram_pages;
unsigned long tlb_single_page_flush_ceiling = 33;
struct pgtable_stats pgtable_stats;
pgd_t *init_pgd;

static int shim_phys_fd = -1;
static struct page *shim_pages;
static unsigned long shim_res_start, shim_res_end; /* host-backed window */

/* Fault injection: fail the nth counted call from now, @times times. */
struct shim_fail {
	unsigned long nth, times;
};

static bool shim_fail_now(struct shim_fail *f)
{
	if (!f->times)
		return false;
	if (f->nth > 1) {
		f->nth--;
		return false;
	}
	f->times--;
	return true;
}

/* ---- RAM and the buddy ---------------------------------------------- */

/*
 * Free pages are found next-fit from a cursor, so consecutive allocations
 * mostly get ascending pfns and the shim can map a run with one mmap().
 */
static bool shim_page_used[SHIM_NR_PAGES];
static unsigned long shim_nr_free, shim_cursor;
static struct shim_fail shim_fail_page;
static gfp_t shim_page_gfp_seen; /* OR of every alloc_pages() gfp */
unsigned long fail_page_alloc_injected;

bool pfn_valid(unsigned long pfn)
{
	return pfn < SHIM_NR_PAGES;
}

void fail_page_alloc_set(unsigned long nth, unsigned long times)
{
	shim_fail_page = (struct shim_fail){ nth, times };
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *page;
	unsigned long pfn;

	if (order != 0)
		fail_msg("shim alloc_pages: order %u not supported", order);
	shim_page_gfp_seen |= gfp;
	if (!(gfp & __GFP_NOFAULT) && shim_fail_now(&shim_fail_page)) {
		fail_page_alloc_injected++;
		return NULL;
	}
	if (!shim_nr_free)
		return NULL;
	for (pfn = shim_cursor; shim_page_used[pfn]; pfn = (pfn + 1) % SHIM_NR_PAGES)
		;
	shim_page_used[pfn] = true;
	shim_nr_free--;
	shim_cursor = (pfn + 1) % SHIM_NR_PAGES;
	page = pfn_to_page(pfn);
	if (page->flags)
		fail_msg("shim alloc_pages: free pfn %#lx has flags %#lx", pfn, page->flags);
	page->flags = PG_head;
	page->order = 0;
	memset(page_address(page), (gfp & __GFP_ZERO) ? 0 : SHIM_POISON_ALLOC, PAGE_SIZE);
	return page;
}

void __free_pages(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	if (order != 0 || pfn >= SHIM_NR_PAGES || page->flags != PG_head)
		fail_msg("shim __free_pages: bad page pfn %#lx order %u flags %#lx", pfn, order,
			 pfn < SHIM_NR_PAGES ? page->flags : 0);
	page->flags = 0;
	memset(page_address(page), SHIM_POISON_FREE, PAGE_SIZE);
	shim_page_used[pfn] = false;
	shim_nr_free++;
}

/* Bulk as order-0 pages one by one (the real one's blocks are buddy_test's business). */
unsigned long alloc_pages_bulk_array(gfp_t gfp, unsigned long nr, struct page **pages)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		pages[i] = alloc_pages(gfp, 0);
		if (!pages[i])
			break;
	}
	return i;
}

void free_pages_bulk(unsigned long nr, struct page *const *pages)
{
	for (unsigned long i = 0; i < nr; i++)
		__free_pages(pages[i], 0);
}

unsigned long nr_free_pages(void)
{
	return shim_nr_free;
}

/* ---- slab --------------------------------------------------------------- */

struct kmem_cache {
	const char *name;
	size_t size;
};

static struct shim_fail shim_fail_slab;
static unsigned long shim_slab_live; /* objects allocated and not freed */
unsigned long fail_slab_injected;

void fail_slab_set(unsigned long nth, unsigned long times)
{
	shim_fail_slab = (struct shim_fail){ nth, times };
}

static void *shim_slab_alloc(size_t size, gfp_t gfp)
{
	void *p;

	if (!(gfp & __GFP_NOFAULT) && shim_fail_now(&shim_fail_slab)) {
		fail_slab_injected++;
		return NULL;
	}
	p = malloc(size ? size : 1);
	assert_non_null(p);
	memset(p, (gfp & __GFP_ZERO) ? 0 : SHIM_POISON_ALLOC, size);
	shim_slab_live++;
	return p;
}

static void shim_slab_free(const void *p)
{
	if (!p)
		return;
	shim_slab_live--;
	free((void *)p);
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align)
{
	struct kmem_cache *c = calloc(1, sizeof(*c));

	(void)align;
	c->name = name;
	c->size = size;
	return c;
}

void kmem_cache_destroy(struct kmem_cache *cache)
{
	free(cache);
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
	return shim_slab_alloc(cache->size, gfp);
}

void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	(void)cache;
	shim_slab_free(obj);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return shim_slab_alloc(size, gfp);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return shim_slab_alloc(size, gfp | __GFP_ZERO);
}

void kfree(const void *ptr)
{
	shim_slab_free(ptr);
}

/* The usable bytes of a shim kmalloc() object (kvrealloc() asks). */
size_t ksize(const void *ptr)
{
	return ptr ? malloc_usable_size((void *)ptr) : 0;
}

/* ---- page tables and TLB ------------------------------------------------ */

struct shim_pte {
	unsigned long vpn; /* virtual page number; 0 = empty slot */
	pte_t pte;
};

static struct shim_pte shim_pt[SHIM_PT_SLOTS];
static unsigned long shim_pt_present, shim_pt_sets, shim_pt_clears;
static struct shim_fail shim_fail_vmap;
static unsigned long shim_flush_calls, shim_flush_start, shim_flush_end;

static void shim_fail_vmap_set(unsigned long nth, unsigned long times)
{
	shim_fail_vmap = (struct shim_fail){ nth, times };
}

static unsigned long shim_pt_hash(unsigned long vpn)
{
	return (vpn * 0x9e3779b97f4a7c15UL) >> (64 - SHIM_PT_BITS);
}

static struct shim_pte *shim_pt_find(unsigned long vpn)
{
	unsigned long i;

	for (i = shim_pt_hash(vpn); shim_pt[i].vpn; i = (i + 1) & (SHIM_PT_SLOTS - 1))
		if (shim_pt[i].vpn == vpn)
			return &shim_pt[i];
	return NULL;
}

static void shim_pt_set(unsigned long addr, pte_t pte)
{
	unsigned long vpn = addr >> PAGE_SHIFT, i;

	if (shim_pt_find(vpn))
		fail_msg("shim: mapping %#lx, which is already mapped", addr);
	if (shim_pt_present >= SHIM_PT_SLOTS / 2)
		fail_msg("shim: page table full");
	for (i = shim_pt_hash(vpn); shim_pt[i].vpn; i = (i + 1) & (SHIM_PT_SLOTS - 1))
		;
	shim_pt[i] = (struct shim_pte){ vpn, pte };
	shim_pt_present++;
	shim_pt_sets++;
}

/* Remove @slot, shifting later entries of its probe run back (no tombstones). */
static void shim_pt_remove(struct shim_pte *slot)
{
	unsigned long hole = slot - shim_pt, i = hole, home;

	for (;;) {
		i = (i + 1) & (SHIM_PT_SLOTS - 1);
		if (!shim_pt[i].vpn)
			break;
		home = shim_pt_hash(shim_pt[i].vpn);
		/* Move i into the hole unless its home lies cyclically in (hole, i]. */
		if (((i - home) & (SHIM_PT_SLOTS - 1)) >= ((i - hole) & (SHIM_PT_SLOTS - 1))) {
			shim_pt[hole] = shim_pt[i];
			hole = i;
		}
	}
	shim_pt[hole].vpn = 0;
	shim_pt_present--;
	shim_pt_clears++;
}

static bool shim_backed(unsigned long addr)
{
	return addr >= shim_res_start && addr < shim_res_end;
}

/* Back [addr, addr + n pages) with RAM pages pfn.. (one run). */
static void shim_back_map(unsigned long addr, unsigned long pfn, unsigned long n)
{
	void *p;

	if (!shim_backed(addr) || pfn >= SHIM_NR_PAGES)
		return;
	p = mmap((void *)addr, n << PAGE_SHIFT, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_POPULATE, shim_phys_fd, (off_t)(pfn << PAGE_SHIFT));
	if (p != (void *)addr)
		fail_msg("shim: mmap of %#lx failed", addr);
}

static void shim_back_unmap(unsigned long addr, unsigned long end)
{
	void *p;

	if (!shim_backed(addr) || end == addr) /* mmap() refuses a length of 0 */
		return;
	p = mmap((void *)addr, end - addr, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	if (p != (void *)addr)
		fail_msg("shim: unmap of %#lx failed", addr);
}

/*
 * Page-table lookups made with a spinlock held, per lock hold (ended by an
 * unlock that turned interrupts or preemption back on): the current
 * hold's and the most seen.
 */
static unsigned long shim_lookups_held, shim_lookups_held_max, shim_lookups_held_at;

static void shim_count_lookup(void)
{
	if (!spinlock_depth)
		return;
	if (shim_lookups_held_at != shim_holds_ended()) {
		shim_lookups_held_at = shim_holds_ended();
		shim_lookups_held = 0;
	}
	shim_lookups_held++;
	if (shim_lookups_held > shim_lookups_held_max)
		shim_lookups_held_max = shim_lookups_held;
}

pte_t *lookup_address(unsigned long addr, enum pg_level *level)
{
	struct shim_pte *slot = shim_pt_find(addr >> PAGE_SHIFT);

	shim_count_lookup();
	*level = slot ? PG_LEVEL_4K : PG_LEVEL_NONE;
	return slot ? &slot->pte : NULL;
}

void vunmap_range_noflush(unsigned long addr, unsigned long end)
{
	unsigned long a;

	if ((addr | end) & ~PAGE_MASK || end < addr)
		fail_msg("shim vunmap_range_noflush: bad range %#lx-%#lx", addr, end);
	for (a = addr; a < end; a += PAGE_SIZE) {
		struct shim_pte *slot = shim_pt_find(a >> PAGE_SHIFT);

		if (slot)
			shim_pt_remove(slot);
	}
	shim_back_unmap(addr, end);
}

/* The host has no direct map: no alias to give back its RW. */
void set_memory_reset_aliases(unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
}

/* Run at every range flush (e.g. another CPU freeing during a purge). */
static void (*shim_flush_hook)(void);

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	if (shim_flush_hook)
		shim_flush_hook();
	shim_flush_calls++;
	shim_flush_start = start;
	shim_flush_end = end;
	if ((end - start) >> PAGE_SHIFT > tlb_single_page_flush_ceiling) {
		pgtable_stats.flush_all++;
	} else {
		pgtable_stats.flush_ranges++;
		pgtable_stats.flush_single += (end - start) >> PAGE_SHIFT;
	}
}

void flush_tlb_all(void)
{
	pgtable_stats.flush_all++;
}

void vunmap_range(unsigned long addr, unsigned long end)
{
	vunmap_range_noflush(addr, end);
	flush_tlb_kernel_range(addr, end);
}

/* Map each page, or on an injected failure map half and take them back. */
int vmap_pages_range(unsigned long addr, unsigned long end, pgprot_t prot, struct page **pages)
{
	unsigned long i, run = 0, n = (end - addr) >> PAGE_SHIFT;
	bool fail = shim_fail_now(&shim_fail_vmap);

	if ((addr | end) & ~PAGE_MASK || end <= addr)
		fail_msg("shim vmap_pages_range: bad range %#lx-%#lx", addr, end);
	for (i = 0; i < (fail ? n / 2 : n); i++) {
		unsigned long pfn = page_to_pfn(pages[i]);

		if (pfn >= SHIM_NR_PAGES)
			fail_msg("shim vmap_pages_range: bad page %p at %lu", (void *)pages[i], i);
		shim_pt_set(addr + i * PAGE_SIZE, (pfn << PAGE_SHIFT) | prot);
		/* map runs of consecutive pfns with one mmap() */
		if (i + 1 == (fail ? n / 2 : n) || page_to_pfn(pages[i + 1]) != pfn + 1) {
			shim_back_map(addr + run * PAGE_SIZE, pfn - (i - run), i + 1 - run);
			run = i + 1;
		}
	}
	if (fail) {
		vunmap_range_noflush(addr, addr + i * PAGE_SIZE);
		return -ENOMEM;
	}
	return 0;
}

int vmap_range(unsigned long addr, unsigned long end, phys_addr_t phys, pgprot_t prot)
{
	unsigned long a;

	if ((addr | end | phys) & ~PAGE_MASK || end <= addr)
		fail_msg("shim vmap_range: bad range %#lx-%#lx phys %#llx", addr, end,
			 (unsigned long long)phys);
	if (shim_fail_now(&shim_fail_vmap))
		return -ENOMEM;
	for (a = addr; a < end; a += PAGE_SIZE, phys += PAGE_SIZE) {
		shim_pt_set(a, phys | prot);
		shim_back_map(a, PHYS_PFN(phys), 1);
	}
	return 0;
}

/* The fake page table has no large leaves: the huge mappers map 4 KiB pages. */
int vmap_pages_range_huge(unsigned long addr, unsigned long end, pgprot_t prot, struct page **pages,
			  unsigned int huge)
{
	(void)huge;
	return vmap_pages_range(addr, end, prot, pages);
}

int vmap_range_huge(unsigned long addr, unsigned long end, phys_addr_t phys, pgprot_t prot,
		    unsigned int huge)
{
	(void)huge;
	return vmap_range(addr, end, phys, prot);
}

struct cpu_features boot_cpu;

/* ---- setup --------------------------------------------------------------- */

/* Build fake RAM, the direct map and the vmalloc reservation. */
static void shim_vmalloc_setup(void)
{
	unsigned long res;
	void *dm;

	shim_phys_fd = memfd_create("contig-ram", 0);
	assert_true(shim_phys_fd >= 0);
	assert_int_equal(ftruncate(shim_phys_fd, (off_t)(SHIM_NR_PAGES << PAGE_SHIFT)), 0);
	dm = mmap(NULL, SHIM_NR_PAGES << PAGE_SHIFT, PROT_READ | PROT_WRITE, MAP_SHARED,
		  shim_phys_fd, 0);
	assert_true(dm != MAP_FAILED);
	page_offset_base = (unsigned long)dm;

	shim_pages = calloc(SHIM_NR_PAGES, sizeof(struct page));
	vmemmap_base = (unsigned long)shim_pages;
	max_pfn = SHIM_NR_PAGES;
	totalram_pages = SHIM_NR_PAGES;
	shim_nr_free = SHIM_NR_PAGES;

	/* 32 TiB + 1 GiB, so that VMALLOC_START can be 1 GiB aligned. */
	res = (unsigned long)mmap(NULL, VMALLOC_SIZE + (1UL << 30), PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true((void *)res != MAP_FAILED);
	vmalloc_base = ALIGN(res, 1UL << 30);
	shim_res_start = vmalloc_base;
	shim_res_end = vmalloc_base + vmalloc_range_size;
}

/*
 * The workqueue: no threads here. queue_work() marks the work pending and
 * flush_work() runs it (vmalloc_purge_flush(): the tests run the purge
 * worker themselves); kernel/deferred.c's queue_work_on() finds no worker.
 */
bool queue_work_on(unsigned int cpu __unused, struct work_struct *w __unused)
{
	return false;
}

bool queue_work(struct work_struct *w)
{
	return !test_and_set_bit(WORK_PENDING_BIT, &w->flags);
}

bool work_pending(const struct work_struct *w)
{
	return test_bit(WORK_PENDING_BIT, &w->flags);
}

bool flush_work(struct work_struct *w)
{
	if (!work_pending(w))
		return false;
	clear_bit(WORK_PENDING_BIT, &w->flags);
	w->func(w);
	return true;
}

/* mm/vmap_block.c is not built here: no vmap blocks to purge. */
void vmap_block_purge(void)
{
}

unsigned int sched_cpu(void)
{
	return 0;
}

void yield(void)
{
}

DEFINE_PER_CPU(struct task_struct *, current_task); /* current: NULL, one flow */

#endif /* VMALLOC_SHIM_H */
