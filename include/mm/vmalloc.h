/*
 * vmalloc: virtually contiguous kernel memory built from physically
 * scattered pages, in [VMALLOC_START, VMALLOC_END] (or any range a caller
 * passes, e.g. the module area), after Linux's mm/vmalloc.c.
 *
 * Every area is followed by an unmapped guard page unless VM_NO_GUARD is
 * given; vm_struct.size includes it (get_vm_area_size() excludes it).
 */
#ifndef MM_VMALLOC_H
#define MM_VMALLOC_H

#include "asm/pgtable.h"
#include "mm/gfp.h"

struct page;

/* vm_struct.flags */
#define VM_IOREMAP	 0x00000001u /* ioremap() and friends */
#define VM_ALLOC	 0x00000002u /* vmalloc() */
#define VM_MAP		 0x00000004u /* vmap()ed pages */
#define VM_UNINITIALIZED 0x00000020u /* not yet fully set up: dumps skip contents */
#define VM_NO_GUARD	 0x00000040u /* no guard page after the area (vmap() ignores VM_NO_GUARD) */
#define VM_EARLY	 0x00000080u /* registered with vm_area_register_early() */
#define VM_DEFER_FREE	 0x00000100u /* queued by vfree_atomic(), not yet freed */
/* set_memory_*() may change the area's permissions: every unmap of it
 * (vfree, vunmap, iounmap, remove_vm_area, free_vm_area) flushes its TLB
 * entries at once, before the pages go back (Linux's flag). */
#define VM_FLUSH_RESET_PERMS 0x00000200u
/* ioremap(): the area holds the memory-type reservation of its frames,
 * [phys_addr, phys_addr + usable size); its unmap flushes, then frees it. */
#define VM_MEMTYPE 0x00000400u
/* __vmalloc_node_range(): map with 2 MiB leaves where size and alignment
 * allow (vmalloc_huge()); VM_HUGE_PAGES: the area got that treatment (its
 * pages may come in order-9 blocks, freed as such). */
#define VM_ALLOW_HUGE_VMAP 0x00010000u
#define VM_HUGE_PAGES	   0x00020000u

/* vm_map_ram(): a vmap block (with VM_NO_GUARD) or a larger request's own area */
#define VM_MAP_RAM 0x00040000u

struct vm_struct {
	struct vm_struct *next; /* vmlist link before vmalloc_init(), then vfree_atomic()'s queue */
	void *addr;
	unsigned long size; /* includes the guard page */
	unsigned int flags;
	struct page **pages; /* VM_ALLOC / VM_MAP: the pages, in order */
	unsigned int nr_pages;
	phys_addr_t phys_addr; /* VM_IOREMAP: the physical base */
	const void *caller;    /* return address of the allocating call */
};

/* Size of the usable part of @area: without its guard page. */
static inline unsigned long get_vm_area_size(const struct vm_struct *area)
{
	return (area->flags & VM_NO_GUARD) ? area->size : area->size - PAGE_SIZE;
}

void vmalloc_init(void);
/* Register an area before vmalloc_init(); @vm->size/align must be set, addr is filled in. */
void vm_area_register_early(struct vm_struct *vm, size_t align);
/* Give back an early area whose setup failed, before vmalloc_init(). */
void vm_area_unregister_early(struct vm_struct *vm);

void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);

/*
 * vmalloc_huge - vmalloc() with @gfp that maps 2 MiB leaves where it can
 *  => From 2 MiB up the range is reserved 2 MiB aligned, and each whole
 *     2 MiB of it gets an order-9 block mapped by one pmd leaf; when the
 *     buddy has no such block, that 2 MiB (and the tail below 2 MiB) gets
 *     4 KiB pages as in vmalloc(). Smaller sizes are plain vmalloc().
 *  => vfree() frees it; set_memory_*() refuse its large pages.
 */
void *vmalloc_huge(unsigned long size, gfp_t gfp);
void *vmalloc_32(unsigned long size);
void *__vmalloc(unsigned long size, gfp_t gfp);
/* The steps below them: vmalloc() -> __vmalloc_node() -> __vmalloc_node_range(). */
void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp, int node,
		     const void *caller);
void *__vmalloc_node_range(unsigned long size, unsigned long align, unsigned long start,
			   unsigned long end, gfp_t gfp, pgprot_t prot, unsigned long vm_flags,
			   int node, const void *caller);
void vfree(const void *addr);
void vfree_atomic(const void *addr);
/* Run the vfree_atomic() work deferred so far; called at safe points. */
void vfree_deferred_run(void);
void vfree_deferred_flush(void); /* run it and wait for other CPUs' runs (mm/vmalloc.c) */

void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
void vunmap(const void *addr);

struct vm_struct *get_vm_area(unsigned long size, unsigned long flags);
struct vm_struct *get_vm_area_caller(unsigned long size, unsigned long flags, const void *caller);
struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long flags, unsigned long start,
				       unsigned long end, const void *caller);
struct vm_struct *find_vm_area(const void *addr);
void set_vm_flush_reset_perms(const void *addr);
struct vm_struct *remove_vm_area(const void *addr);
void free_vm_area(struct vm_struct *area);

struct page *vmalloc_to_page(const void *addr);
unsigned long vmalloc_to_pfn(const void *addr);
bool is_vmalloc_addr(const void *addr);
bool is_vmalloc_or_module_addr(const void *addr);

void *ioremap(phys_addr_t phys, unsigned long size);
/* ioremap() and ioremap_wc() map with 2 MiB and 1 GiB leaves (1 GiB on a
 * CPU with pdpe1gb) wherever phys, virt and size allow; the range is then
 * reserved aligned to the largest leaf that fits its size and phys. */
void *ioremap_wc(phys_addr_t phys, unsigned long size);
void iounmap(volatile void *addr);

void *kvmalloc(size_t size, gfp_t gfp);
void *kvzalloc(size_t size, gfp_t gfp);
void kvfree(const void *addr);

/*
 * vm_map_ram()/vm_unmap_ram() (mm/vmap_block.c, contracts there): up to
 * VMAP_MAX_ALLOC pages come from a per-CPU vmap block; vmap_block_purge()
 * is vm_unmap_aliases()'s part for the blocks.
 */
#define VMAP_MAX_ALLOC 64
void *vm_map_ram(struct page **pages, unsigned int count, int node);
void vm_unmap_ram(const void *mem, unsigned int count);
void vmap_block_purge(void);
unsigned long vmap_block_count(void);

/* Linux's breadth API (mm/vmalloc.c, "More of Linux's API"); contracts there. */
void *vmalloc_node(unsigned long size, int node);
void *vzalloc_node(unsigned long size, int node);
unsigned long vmalloc_size(const void *addr);
void *vmap_pfn(unsigned long *pfns, unsigned int count, pgprot_t prot);
void *vrealloc(const void *p, size_t size, gfp_t gfp);
void *kvrealloc(const void *p, size_t size, gfp_t gfp);

/* Called when an allocation finds no space, before its purge and retry
 * (Linux's vmap purge notifier chain, without a notifier_block type here:
 * one callback per entry). */
struct vmap_purge_notifier {
	void (*fn)(struct vmap_purge_notifier *nb);
	struct vmap_purge_notifier *next;
};
void register_vmap_purge_notifier(struct vmap_purge_notifier *nb);
void unregister_vmap_purge_notifier(struct vmap_purge_notifier *nb);

/* Copy @count bytes at vmalloc address @addr into @buf; never faults: guard
 * pages, lazily freed ranges, areas being set up and ioremap memory read as
 * zeros. Returns the number of bytes copied (always @count). */
long vread(char *buf, const char *addr, unsigned long count);

/* Dumps: /proc/vmallocinfo lines, meminfo's Vmalloc* lines, lazy/purge counters. */
void vmallocinfo_dump(void);
void vmalloc_meminfo_dump(void);
void vmalloc_stats_dump(void);
/* Check both trees (rbtree rules, augmented values, no overlap, coverage). 0 or -EINVAL. */
int vmalloc_check(void);
/* Flush the areas lazily freed before the call back to the free tree now. */
void vm_unmap_aliases(void);
/*
 * The lazy lists crossed their budget and the background purge (a kworker)
 * has not started yet. vmalloc_purge_flush() waits until the purge queued
 * so far has run (thread context, may sleep).
 */
bool vmalloc_purge_pending(void);
void vmalloc_purge_flush(void);

/*
 * The pools of flushed ranges (mm/vmalloc.c): areas of up to 256 pages,
 * freed and flushed by a lazy purge, kept whole by size for the next
 * request of that size.
 * vmalloc_pool_info - a snapshot of their counters.
 * vmalloc_pool_drain - give every pooled range back to the free tree
 *  (what an allocation that finds no space does before its retry); true
 *  if there was any. Takes the vmalloc locks: not from interrupt context.
 */
struct vmalloc_pool_info {
	unsigned long nr_areas, nr_pages; /* pooled now */
	unsigned long hits;		  /* allocations served from a pool */
	unsigned long drained;		  /* areas given back to the free tree */
};
void vmalloc_pool_info(struct vmalloc_pool_info *info);
/* The same for CPU @cpu's pool alone (zeros for @cpu >= NR_CPUS). */
void vmalloc_pool_info_cpu(unsigned int cpu, struct vmalloc_pool_info *info);
/* Busy areas in shard @shard (0 for @shard >= VMALLOC_NR_SHARDS): how they spread. */
#define VMALLOC_NR_SHARDS 16
unsigned long vmalloc_shard_nr_busy(unsigned int shard);
bool vmalloc_pool_drain(void);
/* Lazy-free budget: the background purge runs when more than @pages freed
 * pages await a TLB flush (default 32 MiB worth times fls(online CPUs);
 * 0 = flush on every free). */
void vmalloc_set_lazy_max_pages(unsigned long pages);
unsigned long vmalloc_lazy_max_pages(void);
/* DEBUG_VM for vmalloc: run vmalloc_check() after every change (panics on failure). */
extern bool vmalloc_debug_vm;
/* vmalloc_debug_flush: flush the TLB over every range as it is unmapped
 * (vfree, vunmap, iounmap, remove_vm_area, free_vm_area), so a use after
 * free faults at once; the range still goes lazy. Off by default. */
void vmalloc_set_debug_flush(bool on);
bool vmalloc_debug_flush_enabled(void);

/* If @addr lies in a vmalloc area or its guard page, describe it into @buf
 * (for the page-fault handler). Returns true when it found one. */
bool vmalloc_describe_fault(unsigned long addr, char *buf, size_t len);

struct vmalloc_stats {
	unsigned long nr_free_blocks; /* nodes in the free tree */
	unsigned long lazy_pages;     /* pages waiting in the purge list now */
	unsigned long nr_purges;      /* purges, one TLB flush each */
	unsigned long purged_areas;   /* areas returned through purges */
	unsigned long alloc_failures;
	unsigned long fit_visits;    /* free-tree nodes the lowest-fit search visited */
	unsigned long fit_fallbacks; /* searches whose exact walk ran out of budget */
};
extern struct vmalloc_stats vmalloc_stats;

/*
 * The busy areas and the pages vmalloc() has mapped now, and the vmalloc()s
 * and vfree()s so far: sums over the busy shards' counters, read without
 * their locks (exact when nothing allocates or frees meanwhile).
 */
unsigned long vmalloc_nr_busy(void);
unsigned long vmalloc_nr_pages(void);
unsigned long vmalloc_nr_vmalloc(void);
unsigned long vmalloc_nr_vfree(void);

/*
 * The rate limit of vmalloc's allocation-failure reports (Linux's: a burst
 * of 10 per 5 s). Tests may save, change and restore it around failures.
 */
struct ratelimit_state;
extern struct ratelimit_state vmalloc_warn_rs;

#endif /* MM_VMALLOC_H */
