/*
 * vm_map_ram()/vm_unmap_ram(): short-lived mappings of a few pages, carved
 * out of per-CPU vmap blocks (after Linux's vmap_block), so that a small
 * map or unmap touches one block's lock instead of the vmalloc trees.
 *
 * A block is a busy vmalloc area of VMAP_BLOCK_PAGES pages, aligned to its
 * size, reserved with alloc_vmap_area() for a vm_struct marked VM_MAP_RAM |
 * VM_NO_GUARD (so vmallocinfo shows it as "vm_map_ram", vfree()/vunmap()
 * refuse it, and vmalloc_check() counts it like any busy area). Each page
 * of a block is in one of three states, kept as bitmaps:
 *
 *	free	neither bit set: may be handed out
 *	used	mapped by a live vm_map_ram(); `first` marks where each
 *		mapping starts, so vm_unmap_ram() can check its arguments
 *	dirty	unmapped, but other CPUs' TLBs may still hold it: not handed
 *		out again until vmap_block_purge() flushed it
 *
 *	block: |used used|dirty|used|free free free ...           free|
 *	        ^first        ^first
 *
 * A request of at most VMAP_MAX_ALLOC pages takes the lowest run of free
 * pages in a block of this CPU's queue, or a new block; a larger one gets
 * an area of its own (with a guard page). A block whose pages are all
 * dirty is released: its range goes lazy through the normal purge, which
 * flushes it before reuse. vmap_block_purge() (from vm_unmap_aliases() and
 * the purge notifier) flushes the dirty pages of every block with one
 * flush_tlb_kernel_range() over their span, makes them free again, and
 * releases the blocks that hold no mapping (the fragmented ones included).
 *
 * Any CPU may unmap: the block is found by address in a hash of blocks.
 * Locks, taken in this order when nested (never two of one kind):
 *	[X] vmap_block_purge_lock	serialises vmap_block_purge()
 *	[H] vmap_block_hash_lock	the hash, vb->hash, vmap_blocks_nr
 *	[Q] vbq[cpu].lock		that CPU's queue, vb->queue, vb->on_queue
 *	[B] vb->lock			the block's bitmaps and counters, vb->dead
 *	[I] set before the block is published, then immutable
 * A block is freed only after it left the hash and its queue under H, Q
 * and B: whoever found it through either holds B until done with it.
 */
#include "mm/vmalloc.h"

#include "asm/tlbflush.h"
#include "kernel/atomic.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "lib/list.h"
#include "lib/string.h"
#include "mm/memlayout.h"
#include "mm/slab.h"
#include "mm/vmap_area.h"

#define VMAP_BLOCK_PAGES 1024UL
#define VMAP_BLOCK_SIZE	 (VMAP_BLOCK_PAGES << PAGE_SHIFT)
#define VB_BITS_PER_LONG 64
#define VB_LONGS	 (VMAP_BLOCK_PAGES / VB_BITS_PER_LONG)
#define VB_HASH_SIZE	 64

struct vmap_block {
	struct spinlock lock;
	unsigned long start;		  /* [I] */
	struct vm_struct *vm;		  /* [I] */
	unsigned int cpu;		  /* [I] whose queue it joins */
	struct list_head queue;		  /* [Q] on vbq[cpu].blocks while on_queue */
	bool on_queue;			  /* [Q] */
	struct list_head hash;		  /* [H] */
	struct list_head purge;		  /* [X] vmap_block_purge()'s list of blocks to release */
	bool dead;			  /* [B] being released: no more mappings */
	unsigned int nr_used, nr_dirty;	  /* [B] */
	unsigned long used[VB_LONGS];	  /* [B] */
	unsigned long first[VB_LONGS];	  /* [B] */
	unsigned long dirty[VB_LONGS];	  /* [B] */
	unsigned long flushing[VB_LONGS]; /* [X, B] dirty pages the running purge flushes */
};

struct vmap_block_queue {
	struct spinlock lock;
	struct list_head blocks; /* [Q] this CPU's blocks that may have free pages */
};

static struct vmap_block_queue vbq[NR_CPUS];
static struct list_head vb_hash[VB_HASH_SIZE]; /* [H] by start address */
static unsigned long vmap_blocks_nr;	       /* [H] */
static DEFINE_SPINLOCK(vmap_block_hash_lock);
static DEFINE_SPINLOCK(vmap_block_purge_lock);
static bool vb_ready; /* queues and hash initialised (release/acquire) */

static void vmap_block_notify(struct vmap_purge_notifier *nb);
static struct vmap_purge_notifier vmap_block_nb = { .fn = vmap_block_notify };

/* ---- bitmaps ---- */

static bool vb_test(const unsigned long *map, unsigned long i)
{
	return (map[i / VB_BITS_PER_LONG] >> (i % VB_BITS_PER_LONG)) & 1;
}

static void vb_assign(unsigned long *map, unsigned long from, unsigned long n, bool on)
{
	for (unsigned long i = from; i < from + n; i++) {
		unsigned long bit = 1UL << (i % VB_BITS_PER_LONG);

		if (on)
			map[i / VB_BITS_PER_LONG] |= bit;
		else
			map[i / VB_BITS_PER_LONG] &= ~bit;
	}
}

static bool vb_page_taken(const struct vmap_block *vb, unsigned long i)
{
	return vb_test(vb->used, i) || vb_test(vb->dirty, i);
}

/* The lowest run of @n free pages of @vb, or -1. [B] */
static long vb_find_free_locked(const struct vmap_block *vb, unsigned long n)
{
	unsigned long run = 0;

	for (unsigned long i = 0; i < VMAP_BLOCK_PAGES; i++) {
		if (vb_page_taken(vb, i))
			run = 0;
		else if (++run == n)
			return (long)(i + 1 - n);
	}
	return -1;
}

static unsigned long vb_nr_free_locked(const struct vmap_block *vb)
{
	return VMAP_BLOCK_PAGES - vb->nr_used - vb->nr_dirty;
}

/* ---- blocks ---- */

static struct list_head *vb_bucket(unsigned long start)
{
	return &vb_hash[(start / VMAP_BLOCK_SIZE) % VB_HASH_SIZE];
}

static void vmap_block_init_once(void)
{
	bool first = false;

	if (smp_load_acquire(&vb_ready))
		return;
	spin_lock(&vmap_block_hash_lock);
	if (!vb_ready) {
		for (int i = 0; i < NR_CPUS; i++) {
			spin_lock_init(&vbq[i].lock, "vmap_block_queue");
			INIT_LIST_HEAD(&vbq[i].blocks);
		}
		for (int i = 0; i < VB_HASH_SIZE; i++)
			INIT_LIST_HEAD(&vb_hash[i]);
		smp_store_release(&vb_ready, true);
		first = true;
	}
	spin_unlock(&vmap_block_hash_lock);
	if (first)
		register_vmap_purge_notifier(&vmap_block_nb);
}

/* Take @n pages at @off of @vb. [B] */
static unsigned long vb_take_locked(struct vmap_block *vb, unsigned long off, unsigned long n)
{
	vb_assign(vb->used, off, n, true);
	vb_assign(vb->first, off, 1, true);
	vb->nr_used += n;
	return vb->start + (off << PAGE_SHIFT);
}

/* The address of @n free pages in @vb, or 0. [B] */
static unsigned long vb_carve_locked(struct vmap_block *vb, unsigned long n)
{
	long off;

	if (vb->dead || vb_nr_free_locked(vb) < n)
		return 0;
	off = vb_find_free_locked(vb, n);
	return off < 0 ? 0 : vb_take_locked(vb, off, n);
}

/* Give back a block nobody can reach any more. No lock held. */
static void vmap_block_destroy(struct vmap_block *vb)
{
	struct vm_struct *vm = remove_vm_area((void *)vb->start); /* range goes lazy */

	WARN_ON_ONCE(vm != vb->vm);
	kfree(vb->vm);
	kfree(vb);
}

/* Unlink a block marked dead from its queue and the hash. [H, Q, B] */
static void vmap_block_unlink_locked(struct vmap_block *vb)
{
	if (vb->on_queue)
		list_del(&vb->queue);
	vb->on_queue = false;
	list_del(&vb->hash);
	vmap_blocks_nr--;
}

/* Release a block whose caller marked it dead (under B, dropped since). */
static void vmap_block_release(struct vmap_block *vb)
{
	struct vmap_block_queue *q = &vbq[vb->cpu];

	spin_lock(&vmap_block_hash_lock);
	spin_lock(&q->lock);
	spin_lock(&vb->lock);
	vmap_block_unlink_locked(vb);
	spin_unlock(&vb->lock);
	spin_unlock(&q->lock);
	spin_unlock(&vmap_block_hash_lock);
	vmap_block_destroy(vb);
}

/*
 * A new block for this CPU, with @n pages taken from it: its address, or 0
 * with nothing left behind.
 */
static unsigned long new_vmap_block(unsigned long n)
{
	unsigned long vend = VMALLOC_END + 1, addr;
	struct vmap_block_queue *q;
	struct vmap_block *vb;
	struct vm_struct *vm;

	vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return 0;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		goto out_free_vb;
	vm->flags = VM_MAP_RAM | VM_NO_GUARD;
	if (!alloc_vmap_area(VMAP_BLOCK_SIZE, VMAP_BLOCK_SIZE, VMALLOC_START, vend, GFP_KERNEL, vm))
		goto out_free_vm;
	spin_lock_init(&vb->lock, "vmap_block");
	vb->start = (unsigned long)vm->addr;
	vb->vm = vm;
	vb->cpu = smp_processor_id();
	q = &vbq[vb->cpu];

	spin_lock(&vmap_block_hash_lock);
	spin_lock(&q->lock);
	spin_lock(&vb->lock);
	list_add(&vb->hash, vb_bucket(vb->start));
	vmap_blocks_nr++;
	list_add(&vb->queue, &q->blocks);
	vb->on_queue = true;
	addr = vb_take_locked(vb, 0, n);
	spin_unlock(&vb->lock);
	spin_unlock(&q->lock);
	spin_unlock(&vmap_block_hash_lock);
	return addr;

out_free_vm:
	kfree(vm);
out_free_vb:
	kfree(vb);
	return 0;
}

/* @n pages from one of this CPU's blocks, or a new block; 0 when none. */
static unsigned long vb_alloc(unsigned long n)
{
	struct vmap_block_queue *q = &vbq[smp_processor_id()];
	struct vmap_block *vb, *next;
	unsigned long addr = 0;

	spin_lock(&q->lock);
	list_for_each_entry_safe(vb, next, &q->blocks, queue) {
		spin_lock(&vb->lock);
		addr = vb_carve_locked(vb, n);
		if (vb->dead || !vb_nr_free_locked(vb)) {
			list_del(&vb->queue); /* back once a purge frees pages of it */
			vb->on_queue = false;
		}
		spin_unlock(&vb->lock);
		if (addr)
			break;
	}
	spin_unlock(&q->lock);
	return addr ? addr : new_vmap_block(n);
}

/* The live block containing @addr, with its lock held; NULL if none. */
static struct vmap_block *vb_lookup_lock(unsigned long addr)
{
	unsigned long start = addr & ~(VMAP_BLOCK_SIZE - 1);
	struct vmap_block *vb, *found = NULL;

	spin_lock(&vmap_block_hash_lock);
	list_for_each_entry(vb, vb_bucket(start), hash) {
		if (vb->start == start) {
			found = vb;
			spin_lock(&vb->lock);
			break;
		}
	}
	spin_unlock(&vmap_block_hash_lock);
	if (found && found->dead) {
		spin_unlock(&found->lock);
		return NULL;
	}
	return found;
}

/* Is [off, off + n) exactly one live mapping of @vb? [B] */
static bool vb_is_mapping_locked(const struct vmap_block *vb, unsigned long off, unsigned long n)
{
	if (off + n > VMAP_BLOCK_PAGES || !vb_test(vb->first, off))
		return false;
	for (unsigned long i = off; i < off + n; i++)
		if (!vb_test(vb->used, i) || (i > off && vb_test(vb->first, i)))
			return false;
	return off + n == VMAP_BLOCK_PAGES || !vb_test(vb->used, off + n) ||
	       vb_test(vb->first, off + n);
}

/* Unmap @n pages at @addr of a block; false (nothing changed) if they are no mapping. */
static bool vb_free(unsigned long addr, unsigned long n)
{
	struct vmap_block *vb = vb_lookup_lock(addr);
	unsigned long off;
	bool release;

	if (!vb)
		return false;
	off = (addr - vb->start) >> PAGE_SHIFT;
	if (!vb_is_mapping_locked(vb, off, n)) {
		spin_unlock(&vb->lock);
		return false;
	}
	vunmap_range_noflush(addr, addr + (n << PAGE_SHIFT));
	vb_assign(vb->first, off, 1, false);
	vb_assign(vb->used, off, n, false);
	vb_assign(vb->dirty, off, n, true);
	vb->nr_used -= n;
	vb->nr_dirty += n;
	release = vb->nr_dirty == VMAP_BLOCK_PAGES;
	if (release)
		vb->dead = true;
	spin_unlock(&vb->lock);
	if (vmalloc_debug_flush_enabled())
		flush_tlb_kernel_range(addr, addr + (n << PAGE_SHIFT));
	if (release)
		vmap_block_release(vb);
	return true;
}

/* ---- the purge ---- */

/* Snapshot @vb's dirty pages into vb->flushing; widen [*lo, *hi) over them. [X, B] */
static void vb_mark_flushing_locked(struct vmap_block *vb, unsigned long *lo, unsigned long *hi)
{
	for (unsigned long i = 0; i < VMAP_BLOCK_PAGES; i++) {
		if (!vb_test(vb->dirty, i))
			continue;
		*lo = min(*lo, vb->start + (i << PAGE_SHIFT));
		*hi = max(*hi, vb->start + ((i + 1) << PAGE_SHIFT));
	}
	memcpy(vb->flushing, vb->dirty, sizeof(vb->flushing));
}

/* The pages vb->flushing names were flushed: free them. [X, B] */
static void vb_flushed_locked(struct vmap_block *vb)
{
	for (unsigned long i = 0; i < VMAP_BLOCK_PAGES; i++) {
		if (vb_test(vb->flushing, i)) {
			vb_assign(vb->dirty, i, 1, false);
			vb->nr_dirty--;
		}
	}
	memset(vb->flushing, 0, sizeof(vb->flushing));
}

/* Pass 1: snapshot every block's dirty pages; return their span in [*lo, *hi). [X] */
static void vb_collect_dirty(unsigned long *lo, unsigned long *hi)
{
	struct vmap_block *vb;

	spin_lock(&vmap_block_hash_lock);
	for (int b = 0; b < VB_HASH_SIZE; b++) {
		list_for_each_entry(vb, &vb_hash[b], hash) {
			spin_lock(&vb->lock);
			vb_mark_flushing_locked(vb, lo, hi);
			spin_unlock(&vb->lock);
		}
	}
	spin_unlock(&vmap_block_hash_lock);
}

/* Pass 2, for one block: free what was flushed, requeue it or, empty, unlink it. [X, H] */
static void vb_settle(struct vmap_block *vb, struct list_head *release)
{
	struct vmap_block_queue *q = &vbq[vb->cpu];

	spin_lock(&q->lock);
	spin_lock(&vb->lock);
	if (!vb->dead) {
		vb_flushed_locked(vb);
		if (!vb->nr_used) {
			vb->dead = true;
			vmap_block_unlink_locked(vb);
			list_add(&vb->purge, release);
		} else if (!vb->on_queue && vb_nr_free_locked(vb)) {
			list_add_tail(&vb->queue, &q->blocks);
			vb->on_queue = true;
		}
	}
	spin_unlock(&vb->lock);
	spin_unlock(&q->lock);
}

/*
 * vmap_block_purge - flush the dirty pages of every vmap block at once
 *  => One flush_tlb_kernel_range() over the span of every block's dirty
 *     pages; those pages become free. Blocks left with no mapping are
 *     released (their ranges go lazy; vm_unmap_aliases() purges them next).
 *  => Takes the vmap block locks and the vmalloc locks: not from
 *     interrupt context. Called by vm_unmap_aliases().
 */
void vmap_block_purge(void)
{
	unsigned long lo = ~0UL, hi = 0;
	struct vmap_block *vb, *next;
	LIST_HEAD(release);

	if (!smp_load_acquire(&vb_ready))
		return;
	spin_lock(&vmap_block_purge_lock);
	vb_collect_dirty(&lo, &hi);
	if (lo < hi)
		flush_tlb_kernel_range(lo, hi);
	spin_lock(&vmap_block_hash_lock);
	for (int b = 0; b < VB_HASH_SIZE; b++)
		list_for_each_entry_safe(vb, next, &vb_hash[b], hash)
			vb_settle(vb, &release);
	spin_unlock(&vmap_block_hash_lock);
	spin_unlock(&vmap_block_purge_lock);
	list_for_each_entry_safe(vb, next, &release, purge)
		vmap_block_destroy(vb);
}

/* An allocation found no space: give back what the blocks hold. */
static void vmap_block_notify(struct vmap_purge_notifier *nb __unused)
{
	vmap_block_purge();
}

/* vmap_block_count - live vmap blocks (tests, dumps). */
unsigned long vmap_block_count(void)
{
	unsigned long nr;

	if (!smp_load_acquire(&vb_ready))
		return 0;
	spin_lock(&vmap_block_hash_lock);
	nr = vmap_blocks_nr;
	spin_unlock(&vmap_block_hash_lock);
	return nr;
}

/* ---- the API ---- */

/* A request too big for a block: an area of its own, like vmap(). */
static void *vm_map_ram_area(struct page **pages, unsigned int count, const void *caller)
{
	unsigned long size = (unsigned long)count << PAGE_SHIFT, addr;
	struct vm_struct *area = get_vm_area_caller(size, VM_MAP_RAM, caller);

	if (!area)
		return NULL;
	addr = (unsigned long)area->addr;
	if (vmap_pages_range(addr, addr + size, PAGE_KERNEL, pages)) {
		free_vm_area(area);
		return NULL;
	}
	return area->addr;
}

/*
 * vm_map_ram - map @count pages at a new virtually contiguous address
 *  => Up to VMAP_MAX_ALLOC pages come from a per-CPU vmap block, more get
 *     an area of their own. Mapped PAGE_KERNEL (RW, NX); the pages stay
 *     the caller's. @node is ignored (one node).
 *  => Returns the address, or NULL (count 0, no pages array, no space or
 *     memory) with nothing left mapped.
 *  => May take the vmalloc locks: not from interrupt context. Undo with
 *     vm_unmap_ram(addr, count), from any CPU.
 */
void *vm_map_ram(struct page **pages, unsigned int count, int node __unused)
{
	const void *caller = __builtin_return_address(0);
	unsigned long addr, size = (unsigned long)count << PAGE_SHIFT;

	if (WARN(!count || !pages, "vm_map_ram: %u pages from array %p refused (caller %pS)", count,
		 pages, caller))
		return NULL;
	if (count > VMAP_MAX_ALLOC)
		return vm_map_ram_area(pages, count, caller);
	vmap_block_init_once();
	addr = vb_alloc(count);
	if (!addr)
		return NULL;
	if (vmap_pages_range(addr, addr + size, PAGE_KERNEL, pages)) {
		vb_free(addr, count); /* its pages go dirty, as after any unmap */
		return NULL;
	}
	return (void *)addr;
}

/* vm_unmap_ram() of a request that had an area of its own. */
static void vm_unmap_ram_area(const void *mem, unsigned int count, const void *caller)
{
	struct vm_struct *vm = find_vm_area(mem);

	if (!vm || vm->addr != mem || (vm->flags & (VM_MAP_RAM | VM_NO_GUARD)) != VM_MAP_RAM ||
	    get_vm_area_size(vm) != ((unsigned long)count << PAGE_SHIFT)) {
		WARN(1, "vm_unmap_ram: %p is not a %u-page vm_map_ram() area (caller %pS)", mem,
		     count, caller);
		return;
	}
	free_vm_area(vm);
}

/*
 * vm_unmap_ram - undo vm_map_ram(@mem, @count)
 *  => @count must be the one given to vm_map_ram(). Anything else (an
 *     address vm_map_ram() did not return, a second unmap, a wrong count)
 *     is refused with a WARN naming the values, and nothing changes.
 *  => The PTEs are cleared now; the TLB is flushed before the range is
 *     handed out again (vm_unmap_aliases() flushes at once).
 *  => Takes the vmap block locks (and, releasing a block, the vmalloc
 *     locks): not from interrupt context. Any CPU.
 */
void vm_unmap_ram(const void *mem, unsigned int count)
{
	const void *caller = __builtin_return_address(0);
	unsigned long addr = (unsigned long)mem;

	if (count > VMAP_MAX_ALLOC) {
		vm_unmap_ram_area(mem, count, caller);
		return;
	}
	if (!count || !IS_ALIGNED(addr, PAGE_SIZE) || !smp_load_acquire(&vb_ready) ||
	    !vb_free(addr, count))
		WARN(1,
		     "vm_unmap_ram: %p is not the start of a %u-page vm_map_ram() mapping (caller %pS)",
		     mem, count, caller);
}
