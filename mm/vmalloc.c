/*
 * vmalloc: virtually contiguous kernel memory built from physically
 * scattered pages, and the allocator of kernel virtual address ranges that
 * vmap(), ioremap() and the module area share.
 *
 * What this file owns. Two managed ranges of kernel virtual addresses,
 * fixed at vmalloc_init():
 *
 *	[VMALLOC_START, VMALLOC_END + 1)	"vmalloc" (VMALLOC_END is the last byte)
 *	[MODULES_VADDR, MODULES_END)		"modules"
 *
 * Every page of them is, at any time, in exactly one of four states, each
 * range a struct vmap_area. Busy and free ones are kept on an rbtree (by
 * address) plus a list (also by address, for cheap neighbours and in-order
 * walks); a tree, its list and their lock are one struct rb_list: one for
 * the free blocks, one per shard of the busy areas. Lazy ones wait on
 * per-CPU lists in the order freed (no tree insert per free), pooled ones
 * on per-CPU lists by size. mm/vmap_area.h is the interface of the allocator
 * built on them:
 *
 *	busy	handed out; va->vm is its vm_struct; the range includes the
 *		unmapped guard page at its end unless VM_NO_GUARD
 *	lazy	freed and unmapped, but the TLB may still hold translations:
 *		waits on the purge list until a batch is flushed at once
 *	free	in the free tree, whose nodes also carry subtree_max_size, the
 *		largest free block in their subtree; free blocks are never
 *		adjacent (freeing merges them with their neighbours)
 *	pooled	freed, and flushed by a purge, but kept whole on the list of
 *		its size in the struct vmap_pool of the CPU that freed
 *		it (areas of up to
 *		VMAP_POOL_MAX_PAGES pages, guard included) instead of merging
 *		into the free tree: the next request of that exact size takes
 *		it back in O(1), node and all (Linux 6.9's vmap_node pools)
 *
 * So busy + lazy + free + pooled cover the managed ranges exactly, with no
 * overlap: vmalloc_check() verifies that, plus the red-black rules and
 * every subtree_max_size. A caller may ask for any [start, end) (a module loader
 * asks for the module range, a test for a few pages): there is ONE free
 * tree, and the search simply restricts itself to the window it is given;
 * a window outside the managed ranges finds nothing.
 *
 *	 VMALLOC_START                                           VMALLOC_END
 *	 |early|busy|g|  free  |busy  |g|lazy|g|      free ...           |
 *	               ^ guard page (unmapped, part of the busy area)
 *
 * Life of a vmalloc(), in Linux's steps: vmalloc() -> __vmalloc_node() ->
 * __vmalloc_node_range(), which calls __get_vm_area_node() to reserve a
 * range that fits, the lowest but for find_lowest_fit_locked()'s padded
 * fallback (alloc_vmap_area(): free -> busy), then
 * __vmalloc_area_node() to allocate the pages one by one and map them.
 * vfree(): unmap, free the pages,
 * busy -> lazy (appended to this CPU's list); when more than the budget
 * (lazy_budget()) waits, the freeing CPU queues the background purge
 * (vmap_purge_work, a kworker), which takes the lazy areas of every CPU,
 * up to VMAP_PURGE_DETACH per TLB shootdown over their union (every online
 * CPU flushes it, flush_tlb_kernel_range()), lock holds of VMAP_PURGE_BATCH
 * areas, lazy -> pooled (or, too big or past the pools' cap, lazy -> free
 * with merging). Past LAZY_HARD_CAP_FACTOR times the budget (the worker
 * starved), a free purges the lists down to the budget itself.
 * An allocation that would fail, and vm_unmap_aliases(), run the
 * synchronous purge (purge_vmap_area_lazy()): lazy -> free, then every
 * pooled range -> free, so that no space is hidden in a pool. The unmap flushes at once
 * for VM_FLUSH_RESET_PERMS, VM_MEMTYPE (ioremap) and vmalloc_debug_flush.
 * A range is never handed out again before every CPU has flushed it.
 * vfree() from an interrupt queues like vfree_atomic(); its frees run in
 * the same kworker (or at the next vmalloc()/vfree()).
 *
 * Sharing. Nothing on the way of a vmalloc()/vfree() that reuses its own
 * CPU's freed ranges is shared with other CPUs but an atomic counter or
 * two: the busy areas are sharded by address (vmap_shards[], 16 locks),
 * flushed ranges wait in this CPU's pool (vmap_pools[]), frees go onto
 * this CPU's lazy list. Only the free tree (F) and the purge (Q) are
 * global, and the steady state touches neither but once per purge.
 *
 * Locks: V, F, P and Q are spinlocks of the noirq kind (kernel/spinlock.h):
 * held with preemption off but interrupts left as they were, because no
 * interrupt handler ever waits for one of them:
 *  - vfree() in an interrupt defers to vfree_atomic(), which takes only D,
 *    and V by spin_trylock() (parking the address unchecked when this CPU
 *    holds a vmalloc lock), see vfree_atomic_mark();
 *  - the page-fault reporter takes V, P and O by spin_trylock() only
 *    (vmalloc_describe_fault());
 *  - a TLB shootdown (the purge flushes every CPU under Q) takes no lock:
 *    a CPU waiting for one of them with interrupts on serves it as an
 *    interrupt, one waiting with them off serves it from the wait loop;
 *  - everything else runs in thread context (vmalloc, vfree, the kworker's
 *    purge and deferred frees, the dumps and the checker).
 * lockdep reports a spin_lock() of any of them in interrupt context.
 * Taken one at a time, except in the order Q -> V -> F -> O -> P where nested
 * (only the checker nests O and P):
 *	[V] vmap_shards[i].busy.lock	that shard's busy tree/list and counters,
 *					its busy areas' vm_struct fields; one
 *					at a time (one lockdep class), but all
 *					of them under Q by the checker
 *	[F] vmap_free.lock		free tree/list, the spare node
 *	[P] vmap_lazy[cpu].lock		that CPU's lazy list and its counters;
 *					one at a time (one lockdep class)
 *	[O] vmap_pools[cpu].lock	that pool's lists and counters; one at
 *					a time (one lockdep class), but all of
 *					them under Q by the checker
 *	[Q] vmap_purge_lock		serialises purges and pool drains: a range
 *					leaves a lazy list or a pool and reaches
 *					the free tree or a pool within one hold
 *	[D] vfree_deferred_lock		the vfree_atomic() queues; innermost,
 *					taken from any context, even inside V;
 *					disables interrupts (an ordinary spinlock)
 *	[I] set by vmalloc_init(), then immutable
 */
#include "mm/vmalloc.h"

#include "asm/memtype.h"
#include "asm/processor.h"
#include "asm/set_memory.h"
#include "asm/tlbflush.h"
#include "asm/traps.h"
#include "asm/tsc.h"
#include "kernel/deferred.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/workqueue.h"
#include "lib/list.h"
#include "lib/ratelimit.h"
#include "lib/rbtree_augmented.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/memlayout.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmap_area.h"

/* The VM_ flags are single bits of one word and no two may share one (VM_MAP_RAM once did). */
_Static_assert(__builtin_popcount(VM_IOREMAP | VM_ALLOC | VM_MAP | VM_UNINITIALIZED | VM_NO_GUARD |
				  VM_EARLY | VM_DEFER_FREE | VM_FLUSH_RESET_PERMS | VM_MEMTYPE |
				  VM_ALLOW_HUGE_VMAP | VM_HUGE_PAGES | VM_MAP_RAM) == 12,
	       "two VM_ flags share a bit");

#define LOCAL_TRACE 0

#define NUMA_NO_NODE (-1)

/* kvmalloc(): up to this size try kmalloc() first (order-3 at most). */
#define KVMALLOC_KMALLOC_MAX (8 * PAGE_SIZE)

/* Default lazy-free budget: 32 MiB worth of pages per bit of the CPU count (fls()). */
#define LAZY_MAX_PAGES_DEFAULT ((32UL << 20) >> PAGE_SHIFT)

/* Bits of a caller's gfp that matter for our own bookkeeping allocations. */
#define GFP_VMAP_META (__GFP_NOWARN | __GFP_ATOMIC | __GFP_NOFAULT)

/*
 * The busy areas, sharded by address (Linux 6.9's vmap_node): an area lives
 * in the shard its va_start hashes to (addr_shard()), so CPUs working on
 * different areas take different locks, and a lookup by start address
 * (vfree(), vunmap()) goes straight to one shard. Hashing the page number,
 * not striping zones, spreads even neighbouring small areas. A lookup by
 * an address inside an area tries that address's shard, then the others
 * (find_busy_locked()). Each shard counts its own areas; the total is a sum
 * (vmalloc_nr_busy()).
 */
#define VMAP_SHARD_BITS 4
#define VMAP_NR_SHARDS	(1 << VMAP_SHARD_BITS)
_Static_assert(VMAP_NR_SHARDS == VMALLOC_NR_SHARDS, "include/mm/vmalloc.h's shard count");

struct vmap_shard {
	struct rb_list busy;   /* [V] this shard's busy areas */
	unsigned long nr_busy; /* [V] areas in it */
} __aligned(64);

static struct vmap_shard vmap_shards[VMAP_NR_SHARDS]; /* set up by vmap_shards_init() */
static const struct lock_class_key vmap_shard_key = { .name = "vmap_shard" };

static struct rb_list vmap_free = RB_LIST_INIT(vmap_free); /* [F] free blocks */
static struct vmap_area *ne_fit_spare;			   /* [F] node for a middle split */

/*
 * The lazily freed areas: a list per CPU, in the order freed (oldest
 * first), so that a free appends in O(1), no tree insert, under its own
 * CPU's lock; a purge takes the oldest areas of every list, sorts them by
 * address and flushes their union. Their rb_node is unused meanwhile (the
 * checker borrows it). The total, vmalloc_stats.lazy_pages, is updated
 * atomically (lazy_pages_add()), read without a lock.
 */
struct vmap_lazy_list {
	struct spinlock lock;	/* [P] noirq; never two of them held at once */
	struct list_head head;	/* [P] by age, oldest first */
	unsigned long nr_pages; /* [P] pages in them */
	unsigned long nr_added; /* [P] areas linked so far: a sweep's end mark */
	unsigned long nr_taken; /* [P] areas detached so far */
} __aligned(64);		/* each CPU's on lines of its own: written at every free */

static struct vmap_lazy_list vmap_lazy[NR_CPUS] = {
	[0 ... NR_CPUS - 1] = { .lock = SPINLOCK_NOIRQ_INIT(vmap_lazy) }
}; /* list heads and the shared lockdep class set by vmalloc_init() */
static const struct lock_class_key vmap_lazy_key = { .name = "vmap_lazy" };

static DEFINE_SPINLOCK_NOIRQ(vmap_purge_lock); /* [Q] */

/*
 * Pools of purged (flushed) ranges by size, one per CPU: sizes[n - 1] lists
 * the pooled areas of n pages (guard included), most recently purged
 * first. A purge gives the areas a CPU freed back to that CPU's pool, and
 * an allocation takes from its own CPU's pool: a CPU that frees and
 * allocates the same sizes works in its own pool under a lock nobody else
 * wants (but a purge's brief hold).
 */
#define VMAP_POOL_MAX_PAGES 256
/*
 * Pooled pages per CPU at most (vmap_pool_cap()): past it, a purge merges
 * into the free tree instead. At least the lazy budget, which is what one
 * CPU may free between two purges: a CPU that frees and allocates the same
 * sizes then finds every one of them pooled after the purge.
 */
#define VMAP_POOL_CAP_PAGES LAZY_MAX_PAGES_DEFAULT
/* Entries of the right size looked at for the window and alignment asked. */
#define VMAP_POOL_SCAN 4

struct vmap_pool {
	struct spinlock lock;			     /* [O] */
	unsigned long nr_areas;			     /* [O] */
	unsigned long nr_pages;			     /* [O] */
	unsigned long hits;			     /* [O] allocations served */
	unsigned long drained;			     /* [O] areas given back to the free tree */
	struct list_head sizes[VMAP_POOL_MAX_PAGES]; /* [O], set up by vmalloc_init() */
} __aligned(64);				     /* each CPU's on lines of its own */

static struct vmap_pool vmap_pools[NR_CPUS]; /* set up by vmap_pool_init() */
static const struct lock_class_key vmap_pool_key = { .name = "vmap_pool" };

/*
 * vm_struct.flags, ours: the range came from a pool, the one of the CPU in
 * the VM_POOL_CPU bits (a failed setup returns it there: the task may have
 * moved to another CPU meanwhile).
 */
#define VM_POOLED	  0x80000000u
#define VM_POOL_CPU_SHIFT 24
#define VM_POOL_CPU_MASK  (0xfu << VM_POOL_CPU_SHIFT)
_Static_assert(NR_CPUS <= 16, "VM_POOL_CPU holds a CPU number in 4 bits");
_Static_assert(!((VM_IOREMAP | VM_ALLOC | VM_MAP | VM_UNINITIALIZED | VM_NO_GUARD | VM_EARLY |
		  VM_DEFER_FREE | VM_FLUSH_RESET_PERMS | VM_MEMTYPE | VM_ALLOW_HUGE_VMAP |
		  VM_HUGE_PAGES | VM_MAP_RAM) &
		 (VM_POOLED | VM_POOL_CPU_MASK)),
	       "vmalloc's own flags overlap a VM_ flag");

/* vm->flags, read where another CPU may clear VM_UNINITIALIZED without V (vm_area_ready()). */
static inline unsigned int vm_flags_acquire(const struct vm_struct *vm)
{
	return __atomic_load_n(&vm->flags, __ATOMIC_ACQUIRE);
}

/* vmalloc_set_lazy_max_pages()'s budget, or LAZY_MAX_UNSET for the default. */
#define LAZY_MAX_UNSET (~0UL)
static unsigned long lazy_max_set = LAZY_MAX_UNSET;
static struct kmem_cache *vmap_area_cachep; /* [I] */
static bool vmap_initialized;		    /* [I] */

/*
 * A vmalloc() area of up to VM_INLINE_PAGES pages gets its pages array
 * inside its vm_struct's slab object instead of a kmalloc() of its own:
 * one allocation and one free fewer per small vmalloc/vfree. It is still
 * freed with kfree(&small->vm), like every vm_struct.
 *
 *	[ struct vm_struct (64 B) | pages[0..3] (32 B) ]	vm.pages = pages
 */
#define VM_INLINE_PAGES 4

struct vm_struct_small {
	struct vm_struct vm;
	struct page *pages[VM_INLINE_PAGES];
};

static struct kmem_cache *vm_small_cachep; /* [I] struct vm_struct_small */

/* [I] The managed ranges, lowest first; "end" is exclusive. */
enum {
	VMAP_RANGE_VMALLOC,
	VMAP_RANGE_MODULES,
	NR_VMAP_RANGES
};
static struct mem_region vmap_ranges[NR_VMAP_RANGES];

/* Areas registered before vmalloc_init(), by ascending address. [I] */
static struct vm_struct *vmlist;
static unsigned long vm_early_next;

/*
 * vfree_atomic(): the areas waiting, linked through vm_struct.next (free
 * once vmalloc_init() has imported the early areas), never through the
 * areas' own memory, so a write into a queued area cannot reach the queue;
 * and counted, so a broken chain is noticed. [D]
 */
static DEFINE_SPINLOCK(vfree_deferred_lock);
static atomic_t vfree_deferred_running;	      /* runs that took the queue and still free */
static struct vm_struct *vfree_deferred_head; /* [D] */
static unsigned long vfree_nr_deferred;	      /* [D] */

/*
 * Counters: nr_free_blocks, fit_visits, fit_fallbacks [F]; lazy_pages
 * atomic (lazy_pages_add()); nr_purges, purged_areas [Q]; alloc_failures
 * atomic. The busy areas are counted per shard, the vmalloc()ed pages and
 * calls per CPU (vmalloc_nr_busy() and the others sum them).
 */
struct vmalloc_stats vmalloc_stats;

/*
 * Ranges in no tree for a moment: taken from the free tree and not yet
 * busy (alloc_vmap_area()), or detached from the busy tree and not yet
 * lazy or free (the unmap and page frees in between). Raised under the
 * lock of the tree a range leaves, lowered under the lock of the one it
 * joins, so vmalloc_check(), holding Q and every V, F and O, knows whether
 * its coverage walk may find a hole that is no corruption: the one change
 * it cannot hold off, a range joining a lazy list under P, lowers the
 * count only after linking the range, and the checker takes that P before
 * walking the list. One count per CPU,
 * on its own cache line, changed only by its CPU with a vmalloc lock held
 * (preemption off) and never from an interrupt: no atomic, no line shared
 * on the fast path; what counts is the sum (transit_sum()), which may go
 * below zero on one CPU when a range leaves on one and arrives on another.
 */
struct vmap_cpu_counts {
	long transit;		  /* see above */
	long nr_pages;		  /* pages vmalloc() mapped, net (atomic: any context) */
	unsigned long nr_vmalloc; /* vmalloc()s done (atomic) */
	unsigned long nr_vfree;	  /* vfree()s done (atomic) */
} __aligned(64);
static struct vmap_cpu_counts vmap_counts[NR_CPUS];

static inline void transit_add(long n)
{
	vmap_counts[smp_processor_id()].transit += n;
}

/* Add @n to this CPU's counter at @field, preemptible or not (an atomic add, uncontended). */
#define vmap_count_add(field, n) \
	__atomic_add_fetch(&vmap_counts[smp_processor_id()].field, (n), __ATOMIC_RELAXED)

/* The sum over the CPUs of the counter at @offset in struct vmap_cpu_counts. */
static long counts_sum(size_t offset)
{
	long sum = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		sum += READ_ONCE(*(long *)((char *)&vmap_counts[cpu] + offset));
	return sum;
}

static long transit_sum(void)
{
	return counts_sum(offsetof(struct vmap_cpu_counts, transit));
}
bool vmalloc_debug_vm; /* DEBUG_VM: vmalloc_check() after every change */

/* vmalloc_debug_flush: flush the TLB at every unmap (the range still goes lazy) */
static bool vmalloc_debug_flush;

static inline unsigned long va_size(const struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

static inline struct vmap_area *va_of(struct rb_node *node)
{
	return rb_entry_safe(node, struct vmap_area, rb_node);
}

RB_DECLARE_CALLBACKS_MAX(static, free_vmap_area_rb_augment_cb, struct vmap_area, rb_node,
			 unsigned long, subtree_max_size, va_size)

/* DEBUG_VM: check everything after each mutation. Called with no lock held. */
static void vmalloc_debug_check(const char *after)
{
	if (vmalloc_debug_vm && vmalloc_check())
		panic("vmalloc: DEBUG_VM check failed after %s", after);
}

/*
 * Turn a caller's [start, end) into a page-aligned window. @end is
 * exclusive, except that an end ending in 0xfff is taken as the last byte
 * (VMALLOC_END is written that way, as in Linux); a window that cannot hold
 * anything comes back empty.
 */
static void vmap_window(unsigned long start, unsigned long end, unsigned long *vstart,
			unsigned long *vend)
{
	if ((end & ~PAGE_MASK) == ~PAGE_MASK && end != ~0UL)
		end++;
	*vend = end & PAGE_MASK;
	*vstart = PAGE_ALIGN(start);
	if (*vstart < start || *vstart > *vend)
		*vstart = *vend;
}

/* The shard of the busy area starting at @addr: a multiplicative hash of its page number. */
static inline struct vmap_shard *addr_shard(unsigned long addr)
{
	return &vmap_shards[((addr >> PAGE_SHIFT) * 0x9E3779B97F4A7C15UL) >> (64 - VMAP_SHARD_BITS)];
}

/* The shard of the busy area of @vm, its lock taken: for @vm's [V] fields. */
static struct vmap_shard *vm_shard_lock(const struct vm_struct *vm)
{
	struct vmap_shard *s = addr_shard((unsigned long)vm->addr);

	spin_lock(&s->busy.lock);
	return s;
}

/*
 * The busy area containing @addr, with its shard's lock held (*@sp), or
 * NULL with no lock held: @addr's own shard first (where an area starting
 * at @addr is), then the others, one hold at a time. An area does not
 * change shards, so one that contains @addr throughout is found.
 */
/* The busy area of shard @s containing @addr with @s locked, or NULL unlocked. */
static struct vmap_area *shard_find_lock(struct vmap_shard *s, unsigned long addr)
{
	struct vmap_area *va;

	spin_lock(&s->busy.lock);
	va = find_va_containing(&s->busy, addr);
	if (!va)
		spin_unlock(&s->busy.lock);
	return va;
}

static struct vmap_area *find_busy_locked(unsigned long addr, struct vmap_shard **sp)
{
	struct vmap_shard *own = addr_shard(addr), *s;
	struct vmap_area *va = shard_find_lock(own, addr);

	if (va) {
		*sp = own;
		return va;
	}
	for (s = vmap_shards; s < vmap_shards + VMAP_NR_SHARDS; s++) {
		if (s != own && (va = shard_find_lock(s, addr))) {
			*sp = s;
			return va;
		}
	}
	return NULL;
}

/* vmalloc_shard_nr_busy - see include/mm/vmalloc.h */
unsigned long vmalloc_shard_nr_busy(unsigned int shard)
{
	return shard < VMAP_NR_SHARDS ? READ_ONCE(vmap_shards[shard].nr_busy) : 0;
}

/* vmalloc_nr_busy - see include/mm/vmalloc.h */
unsigned long vmalloc_nr_busy(void)
{
	unsigned long nr = 0;

	for (unsigned int i = 0; i < VMAP_NR_SHARDS; i++)
		nr += READ_ONCE(vmap_shards[i].nr_busy);
	return nr;
}

/* vmalloc_nr_pages - see include/mm/vmalloc.h */
unsigned long vmalloc_nr_pages(void)
{
	return (unsigned long)counts_sum(offsetof(struct vmap_cpu_counts, nr_pages));
}

/* vmalloc_nr_vmalloc - see include/mm/vmalloc.h */
unsigned long vmalloc_nr_vmalloc(void)
{
	return (unsigned long)counts_sum(offsetof(struct vmap_cpu_counts, nr_vmalloc));
}

/* vmalloc_nr_vfree - see include/mm/vmalloc.h */
unsigned long vmalloc_nr_vfree(void)
{
	return (unsigned long)counts_sum(offsetof(struct vmap_cpu_counts, nr_vfree));
}

static void vmap_shards_init(void)
{
	for (unsigned int i = 0; i < VMAP_NR_SHARDS; i++) {
		struct vmap_shard *s = &vmap_shards[i];

		s->busy.root = RB_ROOT;
		INIT_LIST_HEAD(&s->busy.head);
		s->busy.lock = (struct spinlock)SPINLOCK_NOIRQ_INIT(vmap_shard);
		s->busy.lock.key = &vmap_shard_key;
	}
}

/* ---------------------------------------------------------------------- */
/* Trees and lists.                                                        */

/*
 * The empty slot where [start, end) belongs in @root, and its parent; NULL
 * if it overlaps a node already there.
 */
static struct rb_node **find_va_link(unsigned long start, unsigned long end, struct rb_root *root,
				     struct rb_node **parent)
{
	struct rb_node **link = &root->rb_node;

	*parent = NULL;
	while (*link) {
		struct vmap_area *t = va_of(*link);

		*parent = *link;
		if (end <= t->va_start)
			link = &(*link)->rb_left;
		else if (start >= t->va_end)
			link = &(*link)->rb_right;
		else
			return NULL;
	}
	return link;
}

/*
 * The list entry after which a node hung at @link under @parent goes: a
 * node hung as a right child follows its parent; one hung as a left child
 * precedes it, so it follows the parent's list predecessor.
 */
static struct list_head *va_list_prev(struct rb_node *parent, struct rb_node **link,
				      struct list_head *head)
{
	if (!parent)
		return head;
	if (link == &parent->rb_right)
		return &va_of(parent)->list;
	return va_of(parent)->list.prev;
}

static int va_cmp_addr(const void *key, const struct rb_node *node)
{
	unsigned long addr = *(const unsigned long *)key;
	const struct vmap_area *va = rb_entry(node, struct vmap_area, rb_node);

	if (addr < va->va_start)
		return -1;
	return addr >= va->va_end;
}

struct vmap_area *find_va_containing(struct rb_list *tree, unsigned long addr)
{
	return rb_entry_safe(rb_find(&addr, &tree->root, va_cmp_addr), struct vmap_area, rb_node);
}

/*
 * The slot for [start, end) when it goes below everything in @tree (the
 * leftmost node's empty left) or above it (the rightmost's empty right),
 * found from the list's ends without a descent: the common cases of areas
 * reused from a pool and freed again, or handed out going up. NULL if
 * neither.
 */
static struct rb_node **va_link_at_ends(unsigned long start, unsigned long end,
					struct rb_list *tree, struct rb_node **parent)
{
	struct vmap_area *first, *last;

	if (list_empty(&tree->head))
		return NULL;
	first = list_first_entry(&tree->head, struct vmap_area, list);
	if (end <= first->va_start) {
		*parent = &first->rb_node;
		return &first->rb_node.rb_left;
	}
	last = list_last_entry(&tree->head, struct vmap_area, list);
	if (start >= last->va_end) {
		*parent = &last->rb_node;
		return &last->rb_node.rb_right;
	}
	return NULL;
}

/* Insert @va into a plain (busy or lazy) tree and its list. */
void link_va(struct vmap_area *va, struct rb_list *tree, const char *what)
{
	struct rb_node *parent;
	struct rb_node **link;

	assert_held(&tree->lock);
	link = va_link_at_ends(va->va_start, va->va_end, tree, &parent);
	if (!link)
		link = find_va_link(va->va_start, va->va_end, &tree->root, &parent);
	if (!link)
		panic("vmalloc: %s area [%#lx-%#lx) overlaps one already there", what, va->va_start,
		      va->va_end);
	list_add(&va->list, va_list_prev(parent, link, &tree->head));
	rb_link_node(&va->rb_node, parent, link);
	rb_insert_color(&va->rb_node, &tree->root);
}

void unlink_va(struct vmap_area *va, struct rb_list *tree)
{
	assert_held(&tree->lock);
	rb_erase(&va->rb_node, &tree->root);
	RB_CLEAR_NODE(&va->rb_node);
	list_del(&va->list);
}

/*
 * Insert the free block @va as a node of its own (the caller has checked
 * that it touches no other free block). Every ancestor's subtree_max_size
 * is raised to at least its size on the way, then the rotations of
 * rb_insert_augmented() keep the values right.
 */
void link_free_va_locked(struct vmap_area *va)
{
	struct rb_node *parent, *p;
	struct rb_node **link;

	assert_held(&vmap_free.lock);
	link = find_va_link(va->va_start, va->va_end, &vmap_free.root, &parent);
	if (!link)
		panic("vmalloc: free block [%#lx-%#lx) overlaps the free tree", va->va_start,
		      va->va_end);
	list_add(&va->list, va_list_prev(parent, link, &vmap_free.head));
	va->subtree_max_size = va_size(va);
	rb_link_node(&va->rb_node, parent, link);
	for (p = parent; p && va_of(p)->subtree_max_size < va_size(va); p = rb_parent(p))
		va_of(p)->subtree_max_size = va_size(va);
	rb_insert_augmented(&va->rb_node, &vmap_free.root, &free_vmap_area_rb_augment_cb);
	vmalloc_stats.nr_free_blocks++;
}

void unlink_free_va_locked(struct vmap_area *va)
{
	assert_held(&vmap_free.lock);
	rb_erase_augmented(&va->rb_node, &vmap_free.root, &free_vmap_area_rb_augment_cb);
	RB_CLEAR_NODE(&va->rb_node);
	list_del(&va->list);
	vmalloc_stats.nr_free_blocks--;
}

/* @va's size changed in place: fix subtree_max_size from it up. */
static void free_va_resized_locked(struct vmap_area *va)
{
	assert_held(&vmap_free.lock);
	free_vmap_area_rb_augment_cb_propagate(&va->rb_node, NULL);
}

/*
 * Give the range of @va back to the free tree, merging it with the free
 * blocks it touches. @va is consumed (freed when merged).
 *
 *   none:   |free|   |va|   |free|   -> linked as a block of its own
 *   left:   |free|va|       |free|   -> prev grows right, va freed
 *   right:  |free|    |va|free|      -> next grows left, va freed
 *   both:   |free|va|free|           -> prev takes it all, va and next freed
 */
void merge_or_add_free_locked(struct vmap_area *va)
{
	struct rb_node *parent;
	struct rb_node **link;
	struct list_head *prev_list;
	struct vmap_area *prev = NULL, *next = NULL;

	assert_held(&vmap_free.lock);
	link = find_va_link(va->va_start, va->va_end, &vmap_free.root, &parent);
	if (!link)
		panic("vmalloc: freeing [%#lx-%#lx), which overlaps a free block", va->va_start,
		      va->va_end);
	prev_list = va_list_prev(parent, link, &vmap_free.head);
	if (prev_list != &vmap_free.head)
		prev = list_entry(prev_list, struct vmap_area, list);
	if (prev_list->next != &vmap_free.head)
		next = list_entry(prev_list->next, struct vmap_area, list);

	if (prev && prev->va_end != va->va_start)
		prev = NULL;
	if (next && next->va_start != va->va_end)
		next = NULL;

	if (prev && next) {
		unlink_free_va_locked(next);
		prev->va_end = next->va_end;
		free_va_resized_locked(prev);
		kmem_cache_free(vmap_area_cachep, next);
	} else if (prev) {
		prev->va_end = va->va_end;
		free_va_resized_locked(prev);
	} else if (next) {
		next->va_start = va->va_start;
		free_va_resized_locked(next);
	} else {
		link_free_va_locked(va);
		return;
	}
	kmem_cache_free(vmap_area_cachep, va);
}

/* ---------------------------------------------------------------------- */
/* Finding the lowest fit.                                                 */

/*
 * The lowest address in the free block @va where @size bytes aligned to
 * @align fit inside the window [vstart, vend). Every fit x in this block
 * has x >= lo = max(va_start, vstart) and is aligned, so x >= ALIGN(lo);
 * if ALIGN(lo) + size overshoots hi = min(va_end, vend), so does every
 * larger x: ALIGN(lo) is the only candidate worth testing. Overflow-safe.
 */
static bool va_fit(const struct vmap_area *va, unsigned long size, unsigned long align,
		   unsigned long vstart, unsigned long vend, unsigned long *addr)
{
	unsigned long lo = max(va->va_start, vstart);
	unsigned long hi = min(va->va_end, vend);
	unsigned long a = ALIGN(lo, align);

	if (lo >= hi || a < lo || a >= hi || hi - a < size)
		return false;
	*addr = a;
	return true;
}

/* The left subtree of @n may hold a fit: big enough, and not all below vstart. */
static bool left_may_fit(struct rb_node *n, unsigned long size, unsigned long vstart)
{
	return n->rb_left && va_of(n->rb_left)->subtree_max_size >= size &&
	       va_of(n)->va_start > vstart;
}

/* The right subtree of @n may hold a fit: big enough, and not all at/after vend. */
static bool right_may_fit(struct rb_node *n, unsigned long size, unsigned long vend)
{
	return n->rb_right && va_of(n->rb_right)->subtree_max_size >= size &&
	       va_of(n)->va_end < vend;
}

/* Nodes the exact walk may visit looking for a fit lower than the padded one. */
#define VMAP_FIT_BUDGET 32

/* One walk of the free tree: the request, what it prunes with, its budget. */
struct fit_walk {
	unsigned long size, align, vstart, vend;
	unsigned long prune;  /* skip subtrees whose largest block is shorter */
	unsigned long budget; /* nodes it may still visit */
	bool exhausted;	      /* stopped because the budget ran out */
};

/* Count a visit to one more node; false (and exhausted) once the budget is spent. */
static bool fit_visit(struct fit_walk *w)
{
	vmalloc_stats.fit_visits++;
	if (!w->budget) {
		w->exhausted = true;
		return false;
	}
	w->budget--;
	return true;
}

/*
 * The in-order walk of the free tree behind find_lowest_fit_locked(): skip
 * every subtree that cannot hold a block of w->prune bytes inside the
 * window, test the blocks of at least w->prune bytes in address order, and
 * stop at the first one that fits. NULL when none does or the budget ran out.
 */
static struct vmap_area *fit_walk(struct fit_walk *w, unsigned long *addr)
{
	struct rb_node *n = vmap_free.root.rb_node, *parent;
	bool from_left;

	if (!n || va_of(n)->subtree_max_size < w->prune || !fit_visit(w))
		return NULL;
	for (;;) {
		/* Down the left edge of n's subtree, as far as it may help. */
		while (left_may_fit(n, w->prune, w->vstart)) {
			n = n->rb_left;
			if (!fit_visit(w))
				return NULL;
		}
		for (;;) {
			/* Everything before n is ruled out: test n itself. */
			struct vmap_area *va = va_of(n);

			if (va->va_start >= w->vend)
				return NULL;
			if (va_size(va) >= w->prune &&
			    va_fit(va, w->size, w->align, w->vstart, w->vend, addr))
				return va;
			if (right_may_fit(n, w->prune, w->vend)) {
				n = n->rb_right;
				if (!fit_visit(w))
					return NULL;
				break;
			}
			/* n's subtree is done: climb to the next node in order. */
			do {
				parent = rb_parent(n);
				if (!parent)
					return NULL;
				from_left = parent->rb_left == n;
				n = parent;
				if (!fit_visit(w))
					return NULL;
			} while (!from_left);
		}
	}
}

/* The padded walk: the lowest fit among the blocks of at least size + align - PAGE_SIZE. */
static struct vmap_area *fit_padded(unsigned long size, unsigned long align, unsigned long vstart,
				    unsigned long vend, unsigned long *addr)
{
	struct fit_walk w = { size, align, vstart, vend, size + align - PAGE_SIZE, ~0UL, false };

	if (w.prune < size) /* no block is that long */
		return NULL;
	return fit_walk(&w, addr);
}

/*
 * find_lowest_fit_locked - a free block holding an address @addr at which
 * @size bytes aligned to @align fit inside [vstart, vend)
 *
 * Which fit. Let L be the lowest fit, and P the lowest fit among the free
 * blocks of at least size + align - PAGE_SIZE bytes (@align taken as at
 * least PAGE_SIZE; Linux's answer). It returns:
 *  - L when align <= PAGE_SIZE (then L = P, found in O(log n));
 *  - else L when the exact walk over the blocks below P's block reaches it
 *    within VMAP_FIT_BUDGET visited nodes (always when L is P, or when the
 *    free tree has at most VMAP_FIT_BUDGET / 2 nodes);
 *  - else P, counted in vmalloc_stats.fit_fallbacks; NULL when there is no
 *    P: no fit at all, or fits only in blocks shorter than the padded
 *    size that lie beyond the budget (the search gives up on those rather
 *    than walk every hole; the caller fails with -ENOSPC).
 * vmalloc_stats.fit_visits counts the nodes visited.
 *
 * Both are one in-order walk (fit_walk()) that skips subtrees which cannot
 * hold a fit and stops at the first block that fits; they differ in the
 * size they prune with: @size (exact) or size + align - PAGE_SIZE (padded).
 *
 * Why the exact walk returns the lowest fit (never misses one, never
 * returns a higher one):
 *  1. The blocks are disjoint, so in-order is address order, and the first
 *     block (in-order) that can hold the request holds the lowest fit;
 *     va_fit() gives the lowest address inside that block.
 *  2. Only subtrees that cannot hold a fit are skipped:
 *     a. subtree_max_size < size: every block there is shorter than size;
 *     b. the left subtree of n when n->va_start <= vstart: its blocks end
 *        at or before n->va_start, so none reaches into the window;
 *     c. the right subtree of n when n->va_end >= vend: its blocks start
 *        after n->va_end, so none starts inside the window.
 *  3. Reaching a block with va_start >= vend ends the walk: that block and
 *     all later ones lie beyond the window.
 *  Pruning with @size, not the padded size, matters: a block shorter than
 *  the padded size may still fit if its start happens to be aligned. Its
 *  window ends at P's block: a fit in a lower block ends before that
 *  block starts (blocks are never adjacent), and none in P's block lies
 *  below P, so the walk finds L exactly when L is lower than P.
 *
 * Why the padded walk is O(log n) and returns a valid fit. Block starts
 * are page aligned, so a block lying wholly inside the window needs at
 * most align - PAGE_SIZE bytes to reach an aligned address: every such
 * block of >= size + align - PAGE_SIZE bytes fits. A tested block can then
 * be rejected only if the window cuts it: the one containing vstart, those
 * ending before vstart on the way down to it (one per level), and the one
 * containing vend, after which the walk ends. So it visits O(log n) nodes;
 * the block it returns passed va_fit(), and the steps 1-3 above, with the
 * padded size for @size, make it the lowest such block.
 *
 * Cost. At most O(log n) + VMAP_FIT_BUDGET visited nodes, whatever the
 * holes: the exact walk alone is O((1 + k) log n), k being the blocks of
 * size..size+align-2 bytes it tests and rejects, unbounded for a large
 * alignment over many misaligned holes, hence its budget.
 */
struct vmap_area *find_lowest_fit_locked(unsigned long size, unsigned long align,
					 unsigned long vstart, unsigned long vend,
					 unsigned long *addr)
{
	struct fit_walk w = { size, align, vstart, vend, size, ~0UL, false };
	struct vmap_area *padded, *va;
	unsigned long padded_addr = 0;

	assert_held(&vmap_free.lock);
	if (align <= PAGE_SIZE)
		return fit_walk(&w, addr);
	padded = fit_padded(size, align, vstart, vend, &padded_addr);
	if (padded)
		w.vend = min(vend, padded->va_start);
	w.budget = VMAP_FIT_BUDGET;
	va = fit_walk(&w, addr);
	if (va)
		return va;
	if (w.exhausted)
		vmalloc_stats.fit_fallbacks++;
	if (padded)
		*addr = padded_addr;
	return padded;
}

/*
 * Carve [addr, addr + size) out of the free block @va, which contains it.
 *
 *   full fit    |<------------ va ------------>|
 *               |<--------- allocated -------->|   va leaves the tree
 *
 *   left edge   |<------------ va ------------>|
 *               |<-- allocated -->|<-- va ---->|   va->va_start moves up
 *
 *   right edge  |<------------ va ------------>|
 *               |<--- va --->|<-- allocated -->|   va->va_end moves down
 *
 *   middle      |<------------ va ------------>|
 *               |<- va ->|<-allocated->|<-spare->|  va keeps the left part,
 *                                                    the spare node the right
 *
 * Returns 0, or -ENOMEM for a middle split with no spare node (nothing is
 * changed then).
 */
int clip_free_va_locked(struct vmap_area *va, unsigned long addr, unsigned long size)
{
	unsigned long end = addr + size;
	struct vmap_area *rest;

	assert_held(&vmap_free.lock);
	if (WARN_ON_ONCE(end <= addr || addr < va->va_start || end > va->va_end))
		return -EINVAL;
	if (va->va_start == addr && va->va_end == end) {
		unlink_free_va_locked(va);
		kmem_cache_free(vmap_area_cachep, va);
	} else if (va->va_start == addr) {
		va->va_start = end;
		free_va_resized_locked(va);
	} else if (va->va_end == end) {
		va->va_end = addr;
		free_va_resized_locked(va);
	} else {
		rest = ne_fit_spare;
		if (!rest)
			return -ENOMEM;
		ne_fit_spare = NULL;
		rest->va_start = end;
		rest->va_end = va->va_end;
		va->va_end = addr;
		free_va_resized_locked(va);
		link_free_va_locked(rest);
	}
	return 0;
}

/*
 * Make sure a spare node waits for the middle-split case, allocating it
 * before the lock is taken. If that fails, only a split can fail later.
 */
void ne_fit_preload(gfp_t gfp)
{
	struct vmap_area *spare;

	if (READ_ONCE(ne_fit_spare))
		return;
	spare = kmem_cache_alloc(vmap_area_cachep, gfp);
	if (!spare)
		return;
	spin_lock(&vmap_free.lock);
	if (!ne_fit_spare) {
		ne_fit_spare = spare;
		spare = NULL;
	}
	spin_unlock(&vmap_free.lock);
	if (spare)
		kmem_cache_free(vmap_area_cachep, spare);
}

/*
 * Reserve a fit in [vstart, vend) (see find_lowest_fit_locked()). 0, -ENOSPC or -ENOMEM.
 * A node in *@own becomes the spare if there is none, in the same lock hold.
 */
static int reserve_free_range(unsigned long size, unsigned long align, unsigned long vstart,
			      unsigned long vend, unsigned long *addr, struct vmap_area **own)
{
	struct vmap_area *va;
	int err = -ENOSPC;

	spin_lock(&vmap_free.lock);
	if (*own && !ne_fit_spare) {
		ne_fit_spare = *own;
		*own = NULL;
	}
	va = find_lowest_fit_locked(size, align, vstart, vend, addr);
	if (va)
		err = clip_free_va_locked(va, *addr, size);
	if (!err)
		transit_add(1); /* until alloc_vmap_area() links it busy */
	spin_unlock(&vmap_free.lock);
	return err;
}

/* ---------------------------------------------------------------------- */
/* Pools of flushed ranges.                                                */

static inline unsigned long va_pages(const struct vmap_area *va)
{
	return va_size(va) >> PAGE_SHIFT;
}

static unsigned long lazy_budget(void);

/* The cap of each CPU's pool in pages: see VMAP_POOL_CAP_PAGES. */
static unsigned long vmap_pool_cap(void)
{
	return max(lazy_budget(), (unsigned long)VMAP_POOL_CAP_PAGES);
}

/*
 * Keep the flushed @va whole in @pool, if it is small enough and the pool
 * is under its cap. False: the caller merges it into the free tree.
 */
static bool vmap_pool_push_locked(struct vmap_pool *pool, struct vmap_area *va)
{
	unsigned long pages = va_pages(va);

	assert_held(&pool->lock);
	if (pages > VMAP_POOL_MAX_PAGES || pool->nr_pages + pages > vmap_pool_cap())
		return false;
	RB_CLEAR_NODE(&va->rb_node);
	list_add(&va->list, &pool->sizes[pages - 1]);
	pool->nr_areas++;
	pool->nr_pages += pages;
	return true;
}

/*
 * Pool what @batch (flushed areas, in transit) holds; what the pools refuse
 * stays on it, still in transit.
 */
static void vmap_pool_put_batch(struct vmap_pool *pool, struct list_head *batch)
{
	struct vmap_area *va, *n;
	LIST_HEAD(rest);

	spin_lock(&pool->lock);
	list_for_each_entry_safe(va, n, batch, list) {
		list_del(&va->list);
		if (vmap_pool_push_locked(pool, va))
			transit_add(-1);
		else
			list_add_tail(&va->list, &rest);
	}
	spin_unlock(&pool->lock);
	list_splice_init(&rest, batch);
}

static void vmap_pool_unlink_locked(struct vmap_pool *pool, struct vmap_area *va)
{
	assert_held(&pool->lock);
	list_del(&va->list);
	pool->nr_areas--;
	pool->nr_pages -= va_pages(va);
}

/*
 * A pooled area of exactly @size bytes starting at an @align-aligned
 * address inside [vstart, vend), taken out of @pool (in transit until the
 * caller links it busy); NULL when none of the first VMAP_POOL_SCAN of
 * that size qualifies.
 */
static struct vmap_area *vmap_pool_pop(struct vmap_pool *pool, unsigned long size,
				       unsigned long align, unsigned long vstart,
				       unsigned long vend)
{
	unsigned long pages = size >> PAGE_SHIFT;
	struct vmap_area *va, *found = NULL;
	unsigned int scanned = 0;
	struct list_head *head;

	if (!pages || pages > VMAP_POOL_MAX_PAGES)
		return NULL;
	head = &pool->sizes[pages - 1];
	if (READ_ONCE(head->next) == head) /* a hint: checked again under the lock */
		return NULL;
	spin_lock(&pool->lock);
	list_for_each_entry(va, head, list) {
		if (va->va_start >= vstart && va->va_end <= vend &&
		    IS_ALIGNED(va->va_start, align)) {
			found = va;
			break;
		}
		if (++scanned == VMAP_POOL_SCAN)
			break;
	}
	if (found) {
		vmap_pool_unlink_locked(pool, found);
		pool->hits++;
		transit_add(1); /* until alloc_vmap_area() links it busy */
	}
	spin_unlock(&pool->lock);
	return found;
}

/* Put @va, taken from @pool and flushed since any mapping, back (in transit until now). */
static bool vmap_pool_give_back(struct vmap_pool *pool, struct vmap_area *va)
{
	bool ok;

	spin_lock(&pool->lock);
	ok = vmap_pool_push_locked(pool, va);
	if (ok) {
		pool->hits--; /* it served nothing */
		transit_add(-1);
	}
	spin_unlock(&pool->lock);
	return ok;
}

/* Take up to @max pooled areas of @pool onto @list, largest sizes first. */
static unsigned long vmap_pool_take_locked(struct vmap_pool *pool, struct list_head *list,
					   unsigned long max)
{
	unsigned long nr = 0;
	int i;

	for (i = VMAP_POOL_MAX_PAGES - 1; i >= 0 && nr < max && pool->nr_areas; i--) {
		while (nr < max && !list_empty(&pool->sizes[i])) {
			struct vmap_area *va =
				list_first_entry(&pool->sizes[i], struct vmap_area, list);

			vmap_pool_unlink_locked(pool, va);
			list_add_tail(&va->list, list);
			nr++;
		}
	}
	pool->drained += nr;
	return nr;
}

#define VMAP_PURGE_BATCH 64

/*
 * Give every range pooled in @pool back to the free tree, merging, in
 * batches of VMAP_PURGE_BATCH per hold of Q (so vmalloc_check() never
 * finds one between the pool and the tree). Returns true if there were any.
 */
static bool vmap_pool_drain(struct vmap_pool *pool)
{
	struct vmap_area *va, *n;
	bool any = false;
	LIST_HEAD(batch);

	for (;;) {
		spin_lock(&vmap_purge_lock);
		spin_lock(&pool->lock);
		vmap_pool_take_locked(pool, &batch, VMAP_PURGE_BATCH);
		spin_unlock(&pool->lock);
		if (list_empty(&batch)) {
			spin_unlock(&vmap_purge_lock);
			return any;
		}
		any = true;
		spin_lock(&vmap_free.lock);
		list_for_each_entry_safe(va, n, &batch, list) {
			list_del(&va->list);
			merge_or_add_free_locked(va);
		}
		spin_unlock(&vmap_free.lock);
		spin_unlock(&vmap_purge_lock);
		vmalloc_debug_check("pool drain");
	}
}

/* This CPU's pool (any pool would be correct: each has its lock). */
static inline struct vmap_pool *this_pool(void)
{
	return &vmap_pools[smp_processor_id()];
}

/* vmalloc_pool_drain - see include/mm/vmalloc.h (every CPU's pool) */
bool vmalloc_pool_drain(void)
{
	bool any = false;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		any |= vmap_pool_drain(&vmap_pools[cpu]);
	return any;
}

/* Add @pool's counters to @info. */
static void vmap_pool_add_info(struct vmap_pool *pool, struct vmalloc_pool_info *info)
{
	spin_lock(&pool->lock);
	info->nr_areas += pool->nr_areas;
	info->nr_pages += pool->nr_pages;
	info->hits += pool->hits;
	info->drained += pool->drained;
	spin_unlock(&pool->lock);
}

/* vmalloc_pool_info - see include/mm/vmalloc.h */
void vmalloc_pool_info(struct vmalloc_pool_info *info)
{
	*info = (struct vmalloc_pool_info){ 0 };
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		vmap_pool_add_info(&vmap_pools[cpu], info);
}

/* vmalloc_pool_info_cpu - see include/mm/vmalloc.h */
void vmalloc_pool_info_cpu(unsigned int cpu, struct vmalloc_pool_info *info)
{
	*info = (struct vmalloc_pool_info){ 0 };
	if (cpu < NR_CPUS)
		vmap_pool_add_info(&vmap_pools[cpu], info);
}

/* Every CPU's pool empty, their locks one lockdep class. */
static void vmap_pool_init(void)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct vmap_pool *pool = &vmap_pools[cpu];

		pool->lock = (struct spinlock)SPINLOCK_NOIRQ_INIT(vmap_pool);
		pool->lock.key = &vmap_pool_key;
		for (int i = 0; i < VMAP_POOL_MAX_PAGES; i++)
			INIT_LIST_HEAD(&pool->sizes[i]);
	}
}

/* ---------------------------------------------------------------------- */
/* Lazy freeing.                                                           */

/* Every CPU's lazy list empty, their locks one lockdep class. */
static void vmap_lazy_init(void)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		vmap_lazy[cpu].lock.key = &vmap_lazy_key;
		INIT_LIST_HEAD(&vmap_lazy[cpu].head);
	}
}

/*
 * A purge detaches up to VMAP_PURGE_DETACH lazily freed areas, the oldest
 * of every CPU's list first, VMAP_PURGE_BATCH per hold of a lazy lock,
 * sorts them by address, does one TLB flush over their union, then gives
 * them to a pool or back to the free tree in address order,
 * VMAP_PURGE_BATCH per hold again: the flush is paid once per many areas
 * and every hold of P, O or F stays bounded whatever the lazy list holds.
 * (VMAP_PURGE_BATCH is defined with the pools, whose drain uses it too.)
 * The deferred step purges one VMAP_PURGE_BATCH per idle step.
 */
#define VMAP_PURGE_DETACH 4096

/*
 * Past LAZY_HARD_CAP_FACTOR times the budget, nobody has idled for a long
 * time: the free itself purges the list down to the budget (one flush per
 * VMAP_PURGE_DETACH areas), so that a vmalloc/vfree loop that never idles
 * cannot grow the lazy list without bound, nor pay a flush every few frees.
 */
#define LAZY_HARD_CAP_FACTOR 4

/*
 * Purge notifiers (Linux's vmap_notify_list): told when an allocation finds
 * no space, before the purge and the retry, with no vmalloc lock held, so a
 * callback may vfree() or vunmap() the aliases it caches and make room. The list is [Q]: changed and walked under
 * vmap_purge_lock, which the walk drops around each callback (a callback
 * must not unregister another entry than itself). One walk at a time: other
 * tasks' walks and unregisters wait for it to end.
 */
static struct vmap_purge_notifier *vmap_purge_notifiers; /* [Q] */
static bool vmap_notifying;	     /* [Q] a walk is running (Q dropped around callbacks) */
static const void *vmap_notify_task; /* [Q] the task walking */

/*
 * Called with Q held: wait (Q dropped) until no other task walks the
 * notifiers, so that a walk never sees an entry unlinked under it and a
 * second failing allocation waits for the first one's callbacks.
 * Return: true when the walk running is this task's own (a callback).
 */
static bool vmap_notify_wait_locked(void)
{
	while (vmap_notifying && vmap_notify_task != current) {
		spin_unlock(&vmap_purge_lock);
		if (!irqs_disabled() && !preempt_count())
			yield();
		cpu_relax();
		spin_lock(&vmap_purge_lock);
	}
	return vmap_notifying;
}

/*
 * register_vmap_purge_notifier - call @nb->fn when an allocation finds no space
 *  => @nb stays the caller's; registering it twice is refused with a WARN.
 */
void register_vmap_purge_notifier(struct vmap_purge_notifier *nb)
{
	struct vmap_purge_notifier *n;

	spin_lock(&vmap_purge_lock);
	for (n = vmap_purge_notifiers; n && n != nb; n = n->next)
		;
	if (!n) {
		nb->next = vmap_purge_notifiers;
		vmap_purge_notifiers = nb;
	}
	spin_unlock(&vmap_purge_lock);
	WARN(n, "register_vmap_purge_notifier: %pS already registered", nb->fn);
}

/* unregister_vmap_purge_notifier - undo the register; an unknown @nb is a WARN. */
void unregister_vmap_purge_notifier(struct vmap_purge_notifier *nb)
{
	struct vmap_purge_notifier **pp;
	bool found;

	spin_lock(&vmap_purge_lock);
	vmap_notify_wait_locked(); /* not under another task's walk */
	for (pp = &vmap_purge_notifiers; *pp && *pp != nb; pp = &(*pp)->next)
		;
	found = *pp;
	if (found)
		*pp = nb->next;
	spin_unlock(&vmap_purge_lock);
	WARN(!found, "unregister_vmap_purge_notifier: %p not registered", nb);
}

/* Ask every purge notifier to give back what it caches (no nesting). */
static void vmap_purge_notify(void)
{
	struct vmap_purge_notifier *n, *next;

	spin_lock(&vmap_purge_lock);
	if (vmap_notify_wait_locked()) { /* a callback's own frees: no second walk */
		spin_unlock(&vmap_purge_lock);
		return;
	}
	vmap_notifying = true;
	vmap_notify_task = current;
	for (n = vmap_purge_notifiers; n; n = next) {
		next = n->next;
		spin_unlock(&vmap_purge_lock);
		n->fn(n);
		spin_lock(&vmap_purge_lock);
	}
	vmap_notifying = false;
	vmap_notify_task = NULL;
	spin_unlock(&vmap_purge_lock);
}

/* The lazy total, changed atomically; returns the new value. */
static unsigned long lazy_pages_add(long pages)
{
	return __atomic_add_fetch(&vmalloc_stats.lazy_pages, (unsigned long)pages,
				  __ATOMIC_RELAXED);
}

static inline unsigned long lazy_pages(void)
{
	return READ_ONCE(vmalloc_stats.lazy_pages);
}

/*
 * Detach from @l, in one hold of its lock, up to @max of its oldest areas
 * while its nr_taken is below @mark and more than @keep pages stay lazy in
 * all; append them to @list (in transit from now). Returns how many.
 */
static unsigned long lazy_detach_cpu(struct vmap_lazy_list *l, struct list_head *list,
				     unsigned long max, unsigned long mark, unsigned long keep)
{
	struct vmap_area *va;
	unsigned long nr = 0;

	if (READ_ONCE(l->head.next) == &l->head) /* a hint: checked again under the lock */
		return 0;
	spin_lock(&l->lock);
	while (nr < max && !list_empty(&l->head) && l->nr_taken < mark && lazy_pages() > keep) {
		va = list_first_entry(&l->head, struct vmap_area, list);
		list_move_tail(&va->list, list);
		l->nr_taken++;
		l->nr_pages -= va_pages(va);
		lazy_pages_add(-(long)va_pages(va));
		nr++;
	}
	transit_add((long)nr); /* until they are pooled or free */
	spin_unlock(&l->lock);
	return nr;
}

/*
 * Detach up to @max lazy areas, CPU c's onto @lists[c], the oldest of every
 * CPU's list first, at most VMAP_PURGE_BATCH per lock hold, from CPU c's
 * list only its first @mark[c] - nr_taken (@mark NULL: no limit), while
 * more than @keep pages stay lazy. Returns how many.
 */
static unsigned long lazy_detach(struct list_head lists[NR_CPUS], unsigned long max,
				 const unsigned long *mark, unsigned long keep)
{
	unsigned long nr = 0, got;
	unsigned int cpu;

	do {
		got = 0;
		for (cpu = 0; cpu < NR_CPUS && nr + got < max; cpu++)
			got += lazy_detach_cpu(&vmap_lazy[cpu], &lists[cpu],
					       min(max - nr - got, (unsigned long)VMAP_PURGE_BATCH),
					       mark ? mark[cpu] : ~0UL, keep);
		nr += got;
	} while (got && nr < max);
	return nr;
}

/* Two address-sorted NULL-terminated chains of vmap_area.list, merged. */
static struct list_head *va_chain_merge(struct list_head *a, struct list_head *b)
{
	struct list_head head, *tail = &head;

	while (a && b) {
		struct list_head **low =
			list_entry(a, struct vmap_area, list)->va_start <
					list_entry(b, struct vmap_area, list)->va_start
				? &a
				: &b;

		tail->next = *low;
		tail = *low;
		*low = (*low)->next;
	}
	tail->next = a ? a : b;
	return head.next;
}

/*
 * Sort the areas on @head by address: a bottom-up merge sort, O(n log n)
 * without allocation; bins[i] holds a sorted run of 2^i areas (32 bins:
 * far more areas than the address space holds).
 */
#define VA_SORT_BINS 32

static void va_list_sort(struct list_head *head)
{
	struct list_head *bins[VA_SORT_BINS] = { NULL }, *run, *next, *prev;
	unsigned int i, top = 0;

	if (list_empty(head))
		return;
	head->prev->next = NULL;
	for (run = head->next; run; run = next) {
		next = run->next;
		run->next = NULL;
		for (i = 0; bins[i]; i++) {
			run = va_chain_merge(bins[i], run);
			bins[i] = NULL;
		}
		bins[i] = run;
		top = max(top, i + 1);
	}
	for (run = NULL, i = 0; i < top; i++)
		if (bins[i])
			run = run ? va_chain_merge(bins[i], run) : bins[i];
	for (prev = head; run; prev = run, run = run->next) {
		run->prev = prev;
		prev->next = run;
	}
	prev->next = head;
	head->prev = prev;
}

/*
 * Give the flushed areas of @list back to the free tree in address order
 * (sorted here), VMAP_PURGE_BATCH per hold of F.
 */
static void purge_to_free_tree(struct list_head *list)
{
	struct vmap_area *va;
	unsigned long nr;

	va_list_sort(list);
	while (!list_empty(list)) {
		spin_lock(&vmap_free.lock);
		for (nr = 0; nr < VMAP_PURGE_BATCH && !list_empty(list); nr++) {
			va = list_first_entry(list, struct vmap_area, list);
			list_del(&va->list);
			merge_or_add_free_locked(va);
			transit_add(-1);
		}
		spin_unlock(&vmap_free.lock);
	}
}

/*
 * Pool the flushed areas of @list (freed by CPU @cpu) in that CPU's pool,
 * VMAP_PURGE_BATCH per hold of its lock; move what it refuses (too big, or
 * the pool full) onto @rest.
 */
static void purge_to_pool(unsigned int cpu, struct list_head *list, struct list_head *rest)
{
	LIST_HEAD(batch);
	unsigned long nr;

	while (!list_empty(list)) {
		for (nr = 0; nr < VMAP_PURGE_BATCH && !list_empty(list); nr++)
			list_move_tail(list->next, &batch);
		vmap_pool_put_batch(&vmap_pools[cpu], &batch);
		list_splice_tail_init(&batch, rest);
	}
}

/* The union [*start, *end) of the areas on @lists (empty lists skipped). */
static void purge_span(struct list_head lists[NR_CPUS], unsigned long *start, unsigned long *end)
{
	struct vmap_area *va;

	*start = ~0UL;
	*end = 0;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		list_for_each_entry(va, &lists[cpu], list) {
			*start = min(*start, va->va_start);
			*end = max(*end, va->va_end);
		}
	}
}

/*
 * Purge up to @max lazily freed areas (see lazy_detach() for @mark and
 * @keep): detach them in holds of at most VMAP_PURGE_BATCH areas, ONE TLB
 * flush over their union for every CPU, then give them back: with
 * @to_pools each CPU's into its own pool, what the pools refuse (and
 * everything without @to_pools) into the free tree in address order. Until
 * then they are in no tree (counted in transit), so nothing can hand them
 * out again; those left on the lazy lists stay reserved. Q is held
 * throughout, so purges do not overlap and a purge that returns has
 * flushed all it took: no interrupt path takes Q, and a CPU spinning for
 * it with interrupts on still serves the shootdown. Returns the number
 * purged (0: none was left).
 */
static unsigned long purge_vmap_lazy(unsigned long max, const unsigned long *mark,
				     unsigned long keep, bool to_pools)
{
	struct list_head detached[NR_CPUS];
	unsigned long start, end, nr;
	LIST_HEAD(rest);

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		INIT_LIST_HEAD(&detached[cpu]);
	spin_lock(&vmap_purge_lock);
	nr = lazy_detach(detached, max, mark, keep);
	if (!nr) {
		spin_unlock(&vmap_purge_lock);
		return 0;
	}
	purge_span(detached, &start, &end);
	flush_tlb_kernel_range(start, end);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		if (to_pools)
			purge_to_pool(cpu, &detached[cpu], &rest);
		else
			list_splice_tail_init(&detached[cpu], &rest);
	}
	purge_to_free_tree(&rest);
	vmalloc_stats.nr_purges++;
	vmalloc_stats.purged_areas += nr;
	spin_unlock(&vmap_purge_lock);
	ltrace("purged %lu areas over [%#lx-%#lx)\n", nr, start, end);
	vmalloc_debug_check("purge");
	return nr;
}

/* Mark, in @mark, the end of every CPU's lazy list now (for a bounded sweep). */
static void lazy_mark_now(unsigned long mark[NR_CPUS])
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		mark[cpu] = READ_ONCE(vmap_lazy[cpu].nr_added);
}

/*
 * Purge every area that was lazily freed when the call started, up to
 * VMAP_PURGE_DETACH per flush and VMAP_PURGE_BATCH per lock hold, into
 * the free tree; then give the pools' ranges back to it too. Returns true
 * if there was anything to purge or drain. The synchronous purge: for an
 * allocation that would otherwise fail, and vm_unmap_aliases().
 *
 * Bounded: each CPU's list is oldest first, so the areas lazy at the start
 * are its first (nr_added then - nr_taken); the sweep stops there, and
 * frees that arrive meanwhile (on SMP, from other CPUs) wait for the next
 * purge instead of keeping this one going.
 */
bool purge_vmap_area_lazy(void)
{
	unsigned long mark[NR_CPUS];
	bool any = false;

	lazy_mark_now(mark);
	while (purge_vmap_lazy(VMAP_PURGE_DETACH, mark, 0, false))
		any = true;
	if (vmalloc_pool_drain())
		any = true;
	return any;
}

/*
 * The lazy budget in pages: vmalloc_set_lazy_max_pages()'s, else as Linux,
 * 32 MiB times fls(online CPUs): 32 MiB on one CPU, 64 on 2 or 3, 96 on 4..7.
 */
static unsigned long lazy_budget(void)
{
	unsigned long set = READ_ONCE(lazy_max_set);
	unsigned int cpus = num_online_cpus();

	if (set != LAZY_MAX_UNSET)
		return set;
	return (unsigned long)(cpus ? 32 - __builtin_clz(cpus) : 1) * LAZY_MAX_PAGES_DEFAULT;
}

/*
 * The background purge (vmap_purge_work, in a kworker): every area lazy
 * when it starts, of every CPU's list, VMAP_PURGE_DETACH per TLB shootdown
 * over their union, into the pools of the CPUs that freed them.
 * (vfree_atomic()'s frees run in the same kworker: vfree_atomic_work.)
 */
static void vmap_purge_work_fn(struct work_struct *w __unused)
{
	unsigned long mark[NR_CPUS];

	lazy_mark_now(mark);
	while (purge_vmap_lazy(VMAP_PURGE_DETACH, mark, 0, true))
		;
}

static DECLARE_WORK(vmap_purge_work, vmap_purge_work_fn);

/*
 * vmalloc_purge_pending - the background purge is queued and has not
 * started, and areas are lazy (a synchronous purge that emptied the lists
 * meanwhile leaves nothing pending).
 */
bool vmalloc_purge_pending(void)
{
	return work_pending(&vmap_purge_work) && lazy_pages();
}

/*
 * vmalloc_purge_flush - wait until the background purge queued before the
 * call has finished
 *  => May sleep: thread context, no lock held, not from the purge itself.
 *     Returns at once when none is queued or running.
 */
void vmalloc_purge_flush(void)
{
	flush_work(&vmap_purge_work);
}

/* The lazy total past which a free purges down to the budget itself. */
static unsigned long lazy_hard_cap(unsigned long budget)
{
	if (budget > ~0UL / LAZY_HARD_CAP_FACTOR)
		return ~0UL;
	return budget * LAZY_HARD_CAP_FACTOR;
}

/*
 * Purge the oldest lazy areas until no more than @budget pages stay lazy,
 * VMAP_PURGE_DETACH per flush, into the pools.
 */
static void purge_lazy_to_budget(unsigned long budget)
{
	while (lazy_pages() > budget && purge_vmap_lazy(VMAP_PURGE_DETACH, NULL, budget, true))
		;
}

/*
 * Grow the newest area of @l over @va when @va starts where it ends, has
 * the same caller and is too big for a pool (a pool-sized area stays whole
 * so that the purge can pool it): the case of big areas handed out lowest
 * first and freed one after the other going up.
 *
 *	lazy list:  ... [ last: caller C )[ va: caller C )
 *	        ->  ... [ last: caller C                 )	va's node is freed
 *
 * The purge then has one node fewer to sort and merge.
 */
static bool lazy_extend_last_locked(struct vmap_lazy_list *l, struct vmap_area *va)
{
	struct vmap_area *last;

	assert_held(&l->lock);
	if (va_pages(va) <= VMAP_POOL_MAX_PAGES || list_empty(&l->head))
		return false; /* a pool size: kept whole, for its pool */
	last = list_last_entry(&l->head, struct vmap_area, list);
	if (last->va_end != va->va_start || last->caller != va->caller)
		return false;
	last->va_end = va->va_end;
	return true;
}

/*
 * @va was unmapped without a TLB flush: append it to this CPU's lazy list
 * (merged into its newest area when it continues it). Past the budget,
 * queue the background purge (a kworker: the freeing CPU only queues it);
 * past the hard cap (the worker starved), also purge the lists down to the
 * budget here (purge_lazy_to_budget()).
 */
void free_vmap_area_noflush(struct vmap_area *va, const void *caller)
{
	struct vmap_lazy_list *l = &vmap_lazy[smp_processor_id()]; /* any list would do */
	unsigned long pages = va_pages(va), total, budget;
	bool merged;

	va->caller = caller;
	spin_lock(&l->lock);
	merged = lazy_extend_last_locked(l, va);
	if (!merged) {
		list_add_tail(&va->list, &l->head);
		l->nr_added++;
	}
	l->nr_pages += pages;
	total = lazy_pages_add((long)pages);
	transit_add(-1); /* detached from busy by the caller */
	spin_unlock(&l->lock);
	if (merged)
		kmem_cache_free(vmap_area_cachep, va);
	budget = lazy_budget();
	if (total > lazy_hard_cap(budget))
		purge_lazy_to_budget(budget);
	else
		vmalloc_debug_check("lazy free");
	if (total > budget && !work_pending(&vmap_purge_work))
		queue_work(&vmap_purge_work); /* before workqueue_init(): the cap purges */
}

/*
 * vm_unmap_aliases - flush every lazily freed range now
 *  => Afterwards no TLB entry for any vmalloc range freed before the call
 *     remains, and those ranges are back in the free tree. Purges in
 *     bounded batches, with interrupts back on between them; ranges freed
 *     meanwhile may wait for the next purge.
 *  => Takes the vmalloc locks: not from interrupt context.
 */
void vm_unmap_aliases(void)
{
	vfree_deferred_flush(); /* what vfree_atomic() queued is lazy too, then */
	vmap_block_purge();	/* vm_map_ram()'s dirty pages; emptied blocks go lazy */
	purge_vmap_area_lazy();
}

/*
 * vmalloc_set_lazy_max_pages - set the lazy-free budget (vmalloc_lazy= on
 * the command line)
 *  => @pages: once more than this many pages wait, the background purge
 *     (a kworker) is queued; past LAZY_HARD_CAP_FACTOR times it, a free
 *     purges the lists down to it itself (one flush per up to
 *     VMAP_PURGE_DETACH areas); 0 purges on every free. Takes effect at the
 *     next free. Until called, the budget is 32 MiB times fls(online CPUs).
 */
void vmalloc_set_lazy_max_pages(unsigned long pages)
{
	WRITE_ONCE(lazy_max_set, pages == LAZY_MAX_UNSET ? LAZY_MAX_UNSET - 1 : pages);
}

/* vmalloc_lazy_max_pages - the current lazy-free budget, in pages. */
unsigned long vmalloc_lazy_max_pages(void)
{
	return lazy_budget();
}

/* ---------------------------------------------------------------------- */
/* Areas.                                                                  */

/*
 * Reserve @size bytes (guard included) aligned to @align in [vstart, vend)
 * for @vm, and enter it as busy with vm->addr/size set: a pooled range of
 * exactly that size if one qualifies (recently freed and flushed), else
 * the fit of find_lowest_fit_locked(). Finding no space, purge the lazy
 * areas and drain the pools, and try once more. NULL on failure, nothing
 * changed.
 */
struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align, unsigned long vstart,
				  unsigned long vend, gfp_t gfp, struct vm_struct *vm)
{
	struct vmap_area *va, *own = NULL;
	bool purged = false, stolen = false, no_node = false;
	struct vmap_shard *shard;
	struct vmap_pool *pool;
	unsigned long addr;
	int err;

	pool = this_pool();
	va = vmap_pool_pop(pool, size, align, vstart, vend);
	if (va) {
		addr = va->va_start;
		vm->flags |= VM_POOLED | (unsigned int)(pool - vmap_pools) << VM_POOL_CPU_SHIFT;
		goto link;
	}
	va = kmem_cache_alloc(vmap_area_cachep, gfp & GFP_VMAP_META);
	if (!va)
		return NULL;
retry:
	/* The preload, kept ours until reserve_free_range() makes it the spare
	 * in the hold that splits: another CPU's split cannot take it between. */
	if (!own && !no_node && (stolen || !READ_ONCE(ne_fit_spare))) {
		own = kmem_cache_alloc(vmap_area_cachep, gfp & GFP_VMAP_META);
		no_node = !own;
	}
	err = reserve_free_range(size, align, vstart, vend, &addr, &own);
	if (err == -ENOMEM && !no_node && !stolen) {
		stolen = true; /* the spare seen above went to another CPU's split */
		goto retry;
	}
	if (err == -ENOSPC && !purged) {
		purged = true;
		vmap_purge_notify(); /* their frees go lazy: the purge below takes them */
		/* Retry even if this purge found nothing: another CPU's purge,
		 * which this one waited for, may just have freed the space. */
		purge_vmap_area_lazy();
		goto retry;
	}
	if (own)
		kmem_cache_free(vmap_area_cachep, own);
	if (err) {
		kmem_cache_free(vmap_area_cachep, va);
		return NULL;
	}

	va->va_start = addr;
	va->va_end = addr + size;
link:
	va->vm = vm;
	vm->addr = (void *)addr;
	vm->size = size;
	shard = vm_shard_lock(vm);
	link_va(va, &shard->busy, "busy");
	shard->nr_busy++;
	transit_add(-1);
	spin_unlock(&shard->busy.lock);
	vmalloc_debug_check("alloc_vmap_area");
	return va;
}

void free_vmap_area(struct vmap_area *va)
{
	spin_lock(&vmap_free.lock);
	merge_or_add_free_locked(va);
	spin_unlock(&vmap_free.lock);
}

/* What the free functions refuse by default: not theirs to free now. */
#define VM_REFUSE_FREE (VM_EARLY | VM_UNINITIALIZED | VM_DEFER_FREE)

/*
 * No busy area at @addr: say so, naming the freed (lazy or pooled) area it
 * lies in when there is one, the usual case of a second vfree().
 */
static void warn_no_area(const char *op, const void *addr, const void *caller)
{
	char what[128];

	if (vmalloc_describe_fault((unsigned long)addr, what, sizeof(what)))
		WARN(1, "%s: no vm area at %p (%s) (caller %pS)", op, addr, what, caller);
	else
		WARN(1, "%s: no vm area at %p (caller %pS)", op, addr, caller);
}

/*
 * Take the busy area that starts exactly at @addr out of the busy tree, if
 * its flags include one of @want (0: any kind) and none of @refuse; for
 * vfree() (@want VM_ALLOC) its pages leave the count of vmalloc()ed pages. Otherwise warn as @op (quietly if @op is NULL) and change nothing.
 * An area starting at @addr is in @addr's shard: the others are searched
 * only to say what a bad address hit.
 */
static struct vmap_area *detach_vmap_area(const void *addr, unsigned int want, unsigned int refuse,
					  const char *op, const void *caller)
{
	unsigned long start = 0, end = 0;
	struct vmap_shard *shard;
	struct vmap_area *va;
	unsigned int flags = 0;

	va = find_busy_locked((unsigned long)addr, &shard);
	if (!va)
		goto refuse;
	start = va->va_start;
	end = va->va_end;
	flags = va->vm->flags;
	if (start == (unsigned long)addr && (!want || (flags & want)) && !(flags & refuse)) {
		unlink_va(va, &shard->busy);
		shard->nr_busy--;
		if (want == VM_ALLOC) { /* vfree() */
			vmap_count_add(nr_pages, -(long)va->vm->nr_pages);
			vmap_count_add(nr_vfree, 1);
		}
		transit_add(1); /* until it is lazy or free */
		spin_unlock(&shard->busy.lock);
		return va;
	}
	spin_unlock(&shard->busy.lock);
refuse:
	if (!op)
		return NULL;
	if (!va)
		warn_no_area(op, addr, caller);
	else if (start != (unsigned long)addr)
		WARN(1, "%s: bad address %p, inside vm area [%#lx-%#lx) (caller %pS)", op, addr,
		     start, end, caller);
	else
		WARN(1, "%s: vm area at %p has flags %#x, not for %s (caller %pS)", op, addr, flags,
		     op, caller);
	return NULL;
}

/*
 * Return a busy area that never got mapped (or was flushed after a failed
 * mapping) straight to the free tree, or to its pool if it came from one:
 * a failed allocation leaves the pools as it found them.
 */
static void release_vm_area(struct vm_struct *area)
{
	struct vmap_area *va = detach_vmap_area(area->addr, 0, 0, NULL, NULL);

	if (WARN_ON_ONCE(!va))
		return;
	if (!(area->flags & VM_POOLED) ||
	    !vmap_pool_give_back(&vmap_pools[(area->flags & VM_POOL_CPU_MASK) >> VM_POOL_CPU_SHIFT],
				 va)) {
		spin_lock(&vmap_free.lock);
		merge_or_add_free_locked(va);
		transit_add(-1);
		spin_unlock(&vmap_free.lock);
	}
	kfree(area);
	vmalloc_debug_check("release_vm_area");
}

/*
 * A vm_struct for an area of @size bytes (guard included), every field set
 * here (no zeroing memset: rep stosb costs ~265 ns for 96 bytes under TCG):
 * with room for its pages array when it is a small vmalloc() area.
 */
static struct vm_struct *vm_struct_alloc(unsigned long size, unsigned long flags, gfp_t gfp)
{
	unsigned long usable = (flags & VM_NO_GUARD) ? size : size - PAGE_SIZE;
	struct vm_struct *vm;

	if ((flags & VM_ALLOC) && usable <= VM_INLINE_PAGES * PAGE_SIZE)
		vm = kmem_cache_alloc(vm_small_cachep, gfp);
	else
		vm = kmalloc(sizeof(struct vm_struct), gfp);
	if (!vm)
		return NULL;
	vm->next = NULL;
	vm->addr = NULL;
	vm->size = 0;
	vm->flags = (unsigned int)flags;
	vm->pages = NULL;
	vm->nr_pages = 0;
	vm->phys_addr = 0;
	vm->caller = NULL;
	return vm;
}

/* The inline pages array of @area, or NULL if it has none. */
static struct page **vm_inline_pages(struct vm_struct *area)
{
	if (!(area->flags & VM_ALLOC) || get_vm_area_size(area) > VM_INLINE_PAGES * PAGE_SIZE)
		return NULL;
	return container_of(area, struct vm_struct_small, vm)->pages;
}

/*
 * Reserve a vm area of @size bytes (rounded up to pages, plus a guard page
 * unless VM_NO_GUARD) aligned to @align inside [start, end).
 */
static struct vm_struct *__get_vm_area_node(unsigned long size, unsigned long align,
					    unsigned long flags, unsigned long start,
					    unsigned long end, gfp_t gfp, const void *caller)
{
	struct vm_struct *area;
	unsigned long vstart, vend;

	if (WARN_ON_ONCE(!vmap_initialized))
		return NULL;
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (!is_power_of_2(align)) {
		pr_err("vmalloc: alignment %#lx is not a power of two (caller %pS)\n", align,
		       caller);
		return NULL;
	}
	size = PAGE_ALIGN(size);
	if (!size)
		return NULL;
	if (!(flags & VM_NO_GUARD)) {
		if (size + PAGE_SIZE < size)
			return NULL;
		size += PAGE_SIZE;
	}
	vmap_window(start, end, &vstart, &vend);
	if (size > vend - vstart)
		return NULL;

	area = vm_struct_alloc(size, flags, gfp & GFP_VMAP_META);
	if (!area)
		return NULL;
	area->flags = flags;
	area->caller = caller;
	if (!alloc_vmap_area(size, align, vstart, vend, gfp, area)) {
		kfree(area);
		return NULL;
	}
	return area;
}

/*
 * __get_vm_area_caller - reserve a vm area inside [@start, @end)
 *  => @size is rounded up to pages; a guard page is added unless
 *     VM_NO_GUARD; area->size includes it. Nothing is mapped.
 *  => Returns an area that fits (a recently freed one of exactly that
 *     size from the pools, else the lowest one, unless a fragmented
 *     window made the search fall back to a padded fit, see
 *     find_lowest_fit_locked()), or NULL when none fits.
 *  => Takes the vmalloc locks: not from interrupt context.
 */
struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long flags, unsigned long start,
				       unsigned long end, const void *caller)
{
	return __get_vm_area_node(size, 1, flags, start, end, GFP_KERNEL, caller);
}

/* get_vm_area_caller - __get_vm_area_caller() over the whole vmalloc range. */
struct vm_struct *get_vm_area_caller(unsigned long size, unsigned long flags, const void *caller)
{
	return __get_vm_area_node(size, 1, flags, VMALLOC_START, VMALLOC_END, GFP_KERNEL, caller);
}

/* get_vm_area - get_vm_area_caller() with our caller as the caller. */
struct vm_struct *get_vm_area(unsigned long size, unsigned long flags)
{
	return __get_vm_area_node(size, 1, flags, VMALLOC_START, VMALLOC_END, GFP_KERNEL,
				  __builtin_return_address(0));
}

/*
 * set_vm_flush_reset_perms - make the unmap of the area at @addr flush at once
 *  => For areas whose permissions were changed (set_memory_*()): their
 *     vfree()/vunmap() then drops every translation before the pages go
 *     back, instead of leaving it to the lazy purge.
 *  => No busy area contains @addr: nothing happens.
 *  => Takes [V]: not from interrupt context.
 */
void set_vm_flush_reset_perms(const void *addr)
{
	struct vmap_shard *shard;
	struct vmap_area *va = find_busy_locked((unsigned long)addr, &shard);

	if (va) {
		__atomic_or_fetch(&va->vm->flags, VM_FLUSH_RESET_PERMS, __ATOMIC_RELAXED);
		spin_unlock(&shard->busy.lock);
	}
}

/*
 * find_vm_area - the busy vm area containing @addr (guard page included)
 *  => Returns NULL when @addr is in no busy area. The area stays owned by
 *     whoever allocated it: no reference is taken.
 */
struct vm_struct *find_vm_area(const void *addr)
{
	struct vmap_shard *shard;
	struct vmap_area *va = find_busy_locked((unsigned long)addr, &shard);

	if (!va)
		return NULL;
	spin_unlock(&shard->busy.lock);
	return va->vm;
}

/*
 * @area is set up (mapped): clear VM_UNINITIALIZED, so that the dumps,
 * vread() and vfree() treat it as whole, and count a vmalloc() area's
 * pages. No lock: a release so that whoever sees the flag clear with an
 * acquire (vm_flags_acquire()) also sees the mapping and fields written
 * before, and an atomic and, against the atomic ors that set flags under
 * V (neither can undo the other). Linux clears it with a barrier and no
 * lock too.
 */
static void vm_area_ready(struct vm_struct *area)
{
	if (area->flags & VM_ALLOC) {
		vmap_count_add(nr_pages, (long)area->nr_pages);
		vmap_count_add(nr_vmalloc, 1);
	}
	__atomic_and_fetch(&area->flags, ~(unsigned int)VM_UNINITIALIZED, __ATOMIC_RELEASE);
}

/*
 * Clear the PTEs of @va's usable part. The TLB flush is left to the lazy
 * purge, except:
 *  - VM_FLUSH_RESET_PERMS: set_memory_*() may have made the area read-only
 *    or executable, so no translation of it may outlive the unmap: flush
 *    now, before its pages go back (vfree) or to their owner (vunmap,
 *    remove_vm_area); and first give the pages' direct-map aliases their
 *    RW back (set_memory_reset_aliases()).
 *  - VM_MEMTYPE (ioremap()): the memory-type reservation is dropped here,
 *    after the flush, so that no stale translation of one type (UC) can
 *    alias a new mapping of the same frames with another (WC).
 *  - vmalloc_debug_flush (as Linux does under debug_pagealloc): a use after
 *    free faults at once.
 * Either way the range still goes lazy, so a fault report can name it.
 */
static void unmap_vmap_area(struct vmap_area *va)
{
	struct vm_struct *vm = va->vm;
	unsigned long size = get_vm_area_size(vm), end = va->va_start + size;

	if (vm->flags & VM_FLUSH_RESET_PERMS)
		set_memory_reset_aliases(va->va_start, end);
	vunmap_range_noflush(va->va_start, end);
	if (vmalloc_debug_flush || (vm->flags & (VM_FLUSH_RESET_PERMS | VM_MEMTYPE)))
		flush_tlb_kernel_range(va->va_start, end);
	if (vm->flags & VM_MEMTYPE) {
		memtype_free(vm->phys_addr, vm->phys_addr + size);
		vm->flags &= ~VM_MEMTYPE;
	}
}

/*
 * vmalloc_set_debug_flush - flush the TLB over every range vfree(),
 * vunmap(), iounmap() or remove_vm_area() unmaps (vmalloc_debug_flush on
 * the command line). Off by default: the lazy purge batches the flushes.
 */
void vmalloc_set_debug_flush(bool on)
{
	vmalloc_debug_flush = on;
}

/* vmalloc_debug_flush_enabled - whether vmalloc_set_debug_flush() is on. */
bool vmalloc_debug_flush_enabled(void)
{
	return vmalloc_debug_flush;
}

/*
 * remove_vm_area - unmap the area starting at @addr and release its range
 *  => Returns the vm_struct, which the caller frees (with its pages, if
 *     any); NULL if no busy area starts at @addr.
 *  => An ioremap() area's memory-type reservation is freed (after a TLB
 *     flush of the range), as by iounmap().
 *  => The range goes to the lazy list: it is reused after the next purge.
 */
struct vm_struct *remove_vm_area(const void *addr)
{
	struct vmap_area *va = detach_vmap_area(addr, 0, VM_REFUSE_FREE, NULL, NULL);
	struct vm_struct *vm;

	if (!va)
		return NULL;
	vm = va->vm;
	unmap_vmap_area(va);
	free_vmap_area_noflush(va, vm->caller);
	return vm;
}

/*
 * free_vm_area - remove_vm_area() and free the vm_struct itself
 *  => For areas from get_vm_area*(); their pages, if any, are the caller's.
 *     An ioremap() area is released as by iounmap() (memory type included).
 *  => Warns and does nothing if @area is not a busy area, or is a vmalloc()
 *     area (whose pages only vfree() may free) or an early one.
 */
void free_vm_area(struct vm_struct *area)
{
	struct vmap_area *va;

	if (!area)
		return;
	va = detach_vmap_area(area->addr, 0, VM_REFUSE_FREE | VM_ALLOC, "free_vm_area",
			      __builtin_return_address(0));
	if (!va)
		return;
	unmap_vmap_area(va);
	free_vmap_area_noflush(va, area->caller);
	kfree(area);
}

/* ---------------------------------------------------------------------- */
/* vmalloc and vfree.                                                      */

struct ratelimit_state vmalloc_warn_rs =
	RATELIMIT_STATE_INIT(DEFAULT_RATELIMIT_INTERVAL_NS, DEFAULT_RATELIMIT_BURST);

/* ratelimit_at() on the TSC's time; no limit before the TSC is calibrated. */
static bool warn_alloc_ratelimit(unsigned int *suppressed)
{
	*suppressed = 0;
	if (!tsc_khz)
		return true;
	return ratelimit_at(&vmalloc_warn_rs, tsc_cycles_to_ns(rdtsc()), suppressed);
}

/*
 * Linux's warn_alloc() report: the seed's line with the mode named and the
 * nodemask, then a stack dump; at most a burst of them per interval, and
 * how many were held back once the next interval opens.
 */
static void warn_alloc(gfp_t gfp, unsigned long size, const void *caller)
{
	unsigned int suppressed;
	char mode[96];
	bool allowed;

	__atomic_fetch_add(&vmalloc_stats.alloc_failures, 1, __ATOMIC_RELAXED);
	if (gfp & __GFP_NOWARN)
		return;
	allowed = warn_alloc_ratelimit(&suppressed);
	if (suppressed)
		pr_warn("warn_alloc: %u callbacks suppressed\n", suppressed);
	if (!allowed)
		return;
	gfp_flags_snprint(mode, sizeof(mode), gfp);
	pr_warn("vmalloc: allocation failure: %lu bytes, caller %pS, mode:0x%x(%s), nodemask=(null)\n",
		size, caller, gfp, mode);
	dump_stack();
}

/*
 * Allocate area->pages: inside the vm_struct for a small area, kmalloc()
 * while it fits in a page, beyond that a vmalloc() of its own (as Linux
 * does), so that a big area never needs a physically contiguous array.
 * Zeroed, so nr_pages is all that is valid.
 */
static int vm_alloc_pages_array(struct vm_struct *area, gfp_t gfp, int node)
{
	unsigned long nr = get_vm_area_size(area) >> PAGE_SHIFT;
	unsigned long bytes = nr * sizeof(struct page *);
	gfp_t nested = (gfp & GFP_VMAP_META) | __GFP_ZERO;

	area->pages = vm_inline_pages(area);
	if (area->pages)
		return 0;
	if (bytes > PAGE_SIZE)
		area->pages = __vmalloc_node(bytes, 1, nested, node, area->caller);
	else
		area->pages = kmalloc(bytes, nested);
	return area->pages ? 0 : -ENOMEM;
}

static void __vfree(const void *addr, unsigned int refuse, const void *caller);

static void vm_free_pages_array(struct vm_struct *area)
{
	/* An inline array goes with its vm_struct. */
	if (area->pages == vm_inline_pages(area))
		area->pages = NULL;
	else if (is_vmalloc_addr(area->pages))
		__vfree(area->pages, VM_REFUSE_FREE, area->caller);
	else
		kfree(area->pages);
	area->pages = NULL;
}

/*
 * Fill area->pages in bulk: high-order blocks split into order-0 pages
 * while they fit, smaller ones where memory is fragmented. On failure
 * area->nr_pages says how many were allocated, for vm_area_free_pages() to
 * give back.
 */
static int vm_area_alloc_pages(struct vm_struct *area, gfp_t gfp)
{
	unsigned long nr = get_vm_area_size(area) >> PAGE_SHIFT;
	gfp_t page_gfp = gfp & (__GFP_ZERO | __GFP_DMA32 | GFP_VMAP_META);
	unsigned int i, old = area->nr_pages;

	area->nr_pages += alloc_pages_bulk_array(page_gfp, nr - old, area->pages + old);
	for (i = old; i < area->nr_pages; i++)
		area->pages[i]->flags |= PG_vmalloc;
	return area->nr_pages == nr ? 0 : -ENOMEM;
}

static void vm_area_free_huge_pages(struct vm_struct *area);

/* Give the pages back, aligned runs of consecutive frames as whole blocks. */
static void vm_area_free_pages(struct vm_struct *area)
{
	unsigned int i;

	if (area->flags & VM_HUGE_PAGES) { /* order-9 blocks among the pages */
		vm_area_free_huge_pages(area);
		return;
	}

	for (i = 0; i < area->nr_pages; i++)
		area->pages[i]->flags &= ~PG_vmalloc;
	free_pages_bulk(area->nr_pages, area->pages);
	area->nr_pages = 0;
}

/*
 * Back the reserved @area with memory: its pages array, its pages, their
 * mapping with @prot. 0, or -ENOMEM with all of that undone (the area
 * itself stays reserved, for the caller to release).
 */
static int __vmalloc_area_node(struct vm_struct *area, gfp_t gfp, pgprot_t prot, int node)
{
	unsigned long addr = (unsigned long)area->addr;

	if (vm_alloc_pages_array(area, gfp, node))
		return -ENOMEM;
	if (vm_area_alloc_pages(area, gfp))
		goto out_free_pages;
	if (vmap_pages_range(addr, addr + get_vm_area_size(area), prot, area->pages))
		goto out_flush;
	return 0;

out_flush:
	/* The failed map removed its PTEs; drop what the TLB may have seen. */
	flush_tlb_kernel_range(addr, addr + get_vm_area_size(area));
out_free_pages:
	vm_area_free_pages(area);
	vm_free_pages_array(area);
	return -ENOMEM;
}

/* ---------------------------------------------------------------------- */
/* Huge mappings: vmalloc_huge() and VM_ALLOW_HUGE_VMAP.                   */

#define HUGE_ORDER (PMD_SHIFT - PAGE_SHIFT)

/*
 * Fill area->pages for a huge area: at each 2 MiB boundary of it with a
 * whole 2 MiB still to fill, one order-9 block if the buddy has one (no
 * warning, no drain of the CPUs' page caches), else single pages up to
 * the next boundary, as vmalloc() does.
 * On failure area->nr_pages says what vm_area_free_huge_pages() gives back.
 */
static int vm_area_alloc_huge_pages(struct vm_struct *area, gfp_t gfp)
{
	unsigned long nr = get_vm_area_size(area) >> PAGE_SHIFT, block = 1UL << HUGE_ORDER;
	gfp_t page_gfp = gfp & (__GFP_ZERO | __GFP_DMA32 | GFP_VMAP_META);

	while (area->nr_pages < nr) {
		bool at_block = !(area->nr_pages & (block - 1)) && nr - area->nr_pages >= block;
		struct page *page = NULL;
		unsigned long n = 1;

		if (at_block) /* no drain (an IPI to every CPU) for a block that may not be */
			page = alloc_pages(page_gfp | __GFP_NOWARN | __GFP_NORETRY, HUGE_ORDER);
		if (page)
			n = block;
		else
			page = alloc_page(page_gfp);
		if (!page)
			return -ENOMEM;
		for (unsigned long i = 0; i < n; i++) {
			page[i].flags |= PG_vmalloc;
			area->pages[area->nr_pages++] = page + i;
		}
	}
	return 0;
}

/* Give back a huge area's pages: each block (a PG_head page) with its order. */
static void vm_area_free_huge_pages(struct vm_struct *area)
{
	unsigned long i, n;

	for (i = 0; i < area->nr_pages; i += n) {
		struct page *page = area->pages[i];
		unsigned int order = (page->flags & PG_head) ? page->order : 0;

		n = 1UL << order;
		for (unsigned long k = 0; k < n; k++)
			page[k].flags &= ~PG_vmalloc;
		__free_pages(page, order);
	}
	area->nr_pages = 0;
}

/*
 * __vmalloc_node_range() with VM_ALLOW_HUGE_VMAP: from 2 MiB up, reserve
 * 2 MiB aligned and map the order-9 blocks with pmd leaves (the rest with
 * PTEs); below, a plain allocation.
 */
static void *__vmalloc_huge_range(unsigned long size, unsigned long align, unsigned long start,
				  unsigned long end, gfp_t gfp, pgprot_t prot,
				  unsigned long vm_flags, const void *caller)
{
	unsigned long real_size = size, addr;
	struct vm_struct *area;

	vm_flags &= ~VM_ALLOW_HUGE_VMAP;
	size = PAGE_ALIGN(size);
	if (size < PMD_SIZE || size < real_size)
		return __vmalloc_node_range(real_size, align, start, end, gfp, prot, vm_flags,
					    NUMA_NO_NODE, caller);
	vfree_deferred_run();
	if ((size >> PAGE_SHIFT) > totalram_pages)
		goto out_warn;
	area = __get_vm_area_node(size, max(align, PMD_SIZE),
				  VM_ALLOC | VM_UNINITIALIZED | VM_HUGE_PAGES | vm_flags, start,
				  end, gfp, caller);
	if (!area) /* no 2 MiB aligned room in the window: 4 KiB pages may still fit */
		return __vmalloc_node_range(real_size, align, start, end, gfp, prot, vm_flags,
					    NUMA_NO_NODE, caller);
	addr = (unsigned long)area->addr;
	if (vm_alloc_pages_array(area, gfp, NUMA_NO_NODE))
		goto out_release_area;
	if (vm_area_alloc_huge_pages(area, gfp))
		goto out_free_pages;
	if (vmap_pages_range_huge(addr, addr + size, prot, area->pages, VMAP_HUGE_PMD))
		goto out_flush;
	vm_area_ready(area);
	return area->addr;

out_flush:
	flush_tlb_kernel_range(addr, addr + size);
out_free_pages:
	vm_area_free_pages(area);
	vm_free_pages_array(area);
out_release_area:
	release_vm_area(area);
out_warn:
	warn_alloc(gfp, real_size, caller);
	return NULL;
}

void *vmalloc_huge(unsigned long size, gfp_t gfp)
{
	return __vmalloc_node_range(size, 1, VMALLOC_START, VMALLOC_END, gfp, PAGE_KERNEL,
				    VM_ALLOW_HUGE_VMAP, NUMA_NO_NODE, __builtin_return_address(0));
}

/*
 * __vmalloc_node_range - allocate virtually contiguous memory in [start, end)
 *  => @size bytes rounded up to pages, at an address aligned to @align (a
 *     power of two, at least a page) in the window: the lowest such one,
 *     unless the search fell back to a padded fit (find_lowest_fit_locked());
 *     a guard page follows unless VM_NO_GUARD is in @vm_flags.
 *  => Pages come from the buddy with @gfp (__GFP_ZERO zeroes them,
 *     __GFP_DMA32 keeps them below 4 GiB) and are mapped with @prot, but
 *     always NX: an executable @prot (PAGE_KERNEL_EXEC, e.g. for module
 *     text) still maps NX, and X comes afterwards through set_memory_x()
 *     or set_memory_rox() on the area.
 *  => Returns NULL on any failure, with "vmalloc: allocation failure"
 *     unless __GFP_NOWARN; then nothing stays allocated, mapped or reserved.
 *  => @node is accepted for Linux's signature and ignored (one node).
 *  => Takes the vmalloc locks: not from interrupt context.
 */
void *__vmalloc_node_range(unsigned long size, unsigned long align, unsigned long start,
			   unsigned long end, gfp_t gfp, pgprot_t prot, unsigned long vm_flags,
			   int node, const void *caller)
{
	unsigned long real_size = size;
	struct vm_struct *area;

	if (vm_flags & VM_ALLOW_HUGE_VMAP)
		return __vmalloc_huge_range(size, align, start, end, gfp, prot, vm_flags, caller);
	vfree_deferred_run();
	size = PAGE_ALIGN(size);
	if (!size || (size >> PAGE_SHIFT) > totalram_pages)
		goto out_warn;
	area = __get_vm_area_node(size, align, VM_ALLOC | VM_UNINITIALIZED | vm_flags, start, end,
				  gfp, caller);
	if (!area)
		goto out_warn;
	if (__vmalloc_area_node(area, gfp, prot, node))
		goto out_release_area;

	vm_area_ready(area);
	return area->addr;

out_release_area:
	release_vm_area(area);
out_warn:
	warn_alloc(gfp, real_size, caller);
	return NULL;
}

/*
 * __vmalloc_node - __vmalloc_node_range() over the whole vmalloc range,
 * mapped PAGE_KERNEL: the step every vmalloc() flavour goes through.
 */
void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp, int node,
		     const void *caller)
{
	return __vmalloc_node_range(size, align, VMALLOC_START, VMALLOC_END, gfp, PAGE_KERNEL, 0,
				    node, caller);
}

/*
 * vmalloc - allocate @size bytes of virtually contiguous memory
 *  => Page-granular, page-aligned, followed by a guard page; GFP_KERNEL,
 *     mapped PAGE_KERNEL. NULL on failure (with a message).
 *  => Not from interrupt context.
 */
void *vmalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL, NUMA_NO_NODE, __builtin_return_address(0));
}

/* vzalloc - vmalloc() of zeroed memory. */
void *vzalloc(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE,
			      __builtin_return_address(0));
}

/* vmalloc_32 - vmalloc() whose pages all lie below 4 GiB (32-bit DMA). */
void *vmalloc_32(unsigned long size)
{
	return __vmalloc_node(size, 1, GFP_DMA32, NUMA_NO_NODE, __builtin_return_address(0));
}

/* __vmalloc - vmalloc() with the caller's @gfp (__GFP_ZERO, __GFP_NOWARN, ...). */
void *__vmalloc(unsigned long size, gfp_t gfp)
{
	return __vmalloc_node(size, 1, gfp, NUMA_NO_NODE, __builtin_return_address(0));
}

/* Free a vmalloc() area unless its flags have one of @refuse; see vfree(). */
static void __vfree(const void *addr, unsigned int refuse, const void *caller)
{
	struct vmap_area *va = detach_vmap_area(addr, VM_ALLOC, refuse, "vfree", caller);
	struct vm_struct *vm;

	if (!va)
		return;
	vm = va->vm;
	unmap_vmap_area(va); /* flushes now if VM_FLUSH_RESET_PERMS */
	vm_area_free_pages(vm);
	/* Park the range first: freeing a vmalloc()ed array nests a vfree. */
	free_vmap_area_noflush(va, vm->caller);
	vm_free_pages_array(vm);
	kfree(vm);
}

/*
 * vfree - free memory from vmalloc() and friends
 *  => NULL is a no-op. Anything but the start of a live vmalloc area (a
 *     pointer inside one, a second vfree, a vmap() or random address) is
 *     refused with a WARN naming the caller, and nothing changes.
 *  => Unmaps and frees the pages at once; the range becomes reusable after
 *     the next lazy purge (one TLB flush for a whole batch).
 *  => Takes the vmalloc locks: from interrupt context use vfree_atomic().
 */
void vfree(const void *addr)
{
	/* An interrupt may have stopped a CPU inside vmalloc, and the unmap may
	 * need every other CPU (a TLB shootdown): queue it, as Linux does. */
	if (in_interrupt()) {
		vfree_atomic(addr);
		return;
	}
	vfree_deferred_run();
	if (!addr)
		return;
	__vfree(addr, VM_REFUSE_FREE, __builtin_return_address(0));
}

/*
 * vfree_atomic() from inside a vmalloc critical section (an interrupt,
 * exception or NMI that hit vmalloc: its locks leave interrupts on) cannot
 * check the address, so it must not write into the area: such addresses
 * wait here, unchecked, and vfree_deferred_run() hands them to vfree(),
 * which checks them. [D]
 */
#define VFREE_UNCHECKED_MAX 64
static const void *vfree_unchecked[VFREE_UNCHECKED_MAX]; /* [D] */
static unsigned int vfree_nr_unchecked;			 /* [D] */

/* @lock is one of @n structures from @base (the lock of a lazy list, shard or pool). */
static bool lock_in_array(const struct spinlock *lock, const void *base, size_t size)
{
	return (const void *)lock >= base &&
	       (const void *)lock < (const void *)((char *)base + size);
}

/* @lock is one of the sharded vmalloc locks: a lazy list's, a shard's or a pool's. */
static bool vmalloc_array_lock(const struct spinlock *lock)
{
	return lock_in_array(lock, vmap_lazy, sizeof(vmap_lazy)) ||
	       lock_in_array(lock, vmap_shards, sizeof(vmap_shards)) ||
	       lock_in_array(lock, vmap_pools, sizeof(vmap_pools));
}

/*
 * A vmalloc lock held, or waited for, by this CPU: we interrupted vmalloc
 * itself. (Another CPU holding one is ordinary: we wait for it like anyone.)
 */
static bool vmalloc_locks_held(void)
{
	const struct spinlock *waiting = this_cpu_read(spin_waiting_for);

	/* an interrupt that hit a wait for a noirq one: its ticket is next in line */
	if (waiting && (waiting == &vmap_free.lock || waiting == &vmap_purge_lock ||
			vmalloc_array_lock(waiting)))
		return true;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (spin_held_by_this_cpu(&vmap_lazy[cpu].lock) ||
		    spin_held_by_this_cpu(&vmap_pools[cpu].lock))
			return true;
	for (unsigned int i = 0; i < VMAP_NR_SHARDS; i++)
		if (spin_held_by_this_cpu(&vmap_shards[i].busy.lock))
			return true;
	return spin_held_by_this_cpu(&vmap_free.lock) || spin_held_by_this_cpu(&vmap_purge_lock) ||
	       spin_held_by_this_cpu(&vfree_deferred_lock);
}

static bool vfree_atomic_park(const void *addr)
{
	bool ok;

	spin_lock(&vfree_deferred_lock);
	ok = vfree_nr_unchecked < VFREE_UNCHECKED_MAX;
	if (ok)
		vfree_unchecked[vfree_nr_unchecked++] = addr;
	spin_unlock(&vfree_deferred_lock);
	return ok;
}

static bool vfree_deferred_step(void)
{
	vfree_deferred_run();
	return false; /* what arrives meanwhile queues the work again */
}

/* Before the workqueue runs (early boot): vfree_atomic()'s frees in idle time. */
static struct deferred_work vfree_deferred_work =
	DEFERRED_WORK_INIT("vfree_atomic", vfree_deferred_step);

static void vfree_atomic_work_fn(struct work_struct *w __unused)
{
	vfree_deferred_run();
}

/* vfree_atomic()'s frees: work for the kworker of the CPU that queued them, as the purge. */
static DECLARE_WORK(vfree_atomic_work, vfree_atomic_work_fn);

static void vfree_deferred_push(struct vm_struct *vm)
{
	spin_lock(&vfree_deferred_lock);
	vm->next = vfree_deferred_head;
	vfree_deferred_head = vm;
	vfree_nr_deferred++;
	spin_unlock(&vfree_deferred_lock);
}

/*
 * A shard's V from vfree_atomic(): V is noirq, so an interrupt handler must
 * not spin_lock() it; it spins on spin_trylock() instead. That cannot
 * deadlock: this CPU neither holds nor waits for a vmalloc lock
 * (vfree_atomic() checked: its interrupted ticket would be served next),
 * so V's holder is another CPU, which never waits for this one but for a
 * TLB shootdown, and the wait serves those.
 */
static void shard_lock_any_context(struct vmap_shard *s)
{
	if (!in_interrupt()) {
		spin_lock(&s->busy.lock);
		return;
	}
	while (!spin_trylock(&s->busy.lock)) {
		tlb_shootdown_run();
		cpu_relax();
	}
}

/*
 * Mark the vmalloc area at @addr as queued for freeing and queue it. Only
 * @addr's shard is looked at: an area starting there is in it.
 */
static bool vfree_atomic_mark(const void *addr)
{
	struct vmap_shard *s = addr_shard((unsigned long)addr);
	struct vmap_area *va;
	bool ok;

	shard_lock_any_context(s);
	va = find_va_containing(&s->busy, (unsigned long)addr);
	ok = va && va->va_start == (unsigned long)addr && (va->vm->flags & VM_ALLOC) &&
	     !(vm_flags_acquire(va->vm) & (VM_DEFER_FREE | VM_EARLY | VM_UNINITIALIZED));
	if (ok) {
		__atomic_or_fetch(&va->vm->flags, VM_DEFER_FREE, __ATOMIC_RELAXED);
		vfree_deferred_push(va->vm);
	}
	spin_unlock(&s->busy.lock);
	return ok;
}

/*
 * vfree_atomic - vfree() from a context that must not take the vmalloc
 * locks (an interrupt handler)
 *  => Marks the area VM_DEFER_FREE and queues its vm_struct; nothing is
 *     written into the area. vfree_deferred_run() frees it later: in this
 *     CPU's kworker (vfree_atomic_work, queued here), or the next
 *     vmalloc()/vfree() if that comes first.
 *  => A bad or already queued address is refused with a WARN.
 *  => Interrupting vmalloc itself (any of its locks held: taking V inside
 *     Q, F, O or P would break the order Q -> V -> F -> O -> P; or waited
 *     for: the interrupted ticket is served next), it only parks @addr,
 *     unchecked, for vfree() to check later.
 */
void vfree_atomic(const void *addr)
{
	if (!addr)
		return;
	/* An NMI or fault inside the queue's own critical section: nowhere to put it. */
	if (WARN(spin_held_by_this_cpu(&vfree_deferred_lock),
		 "vfree_atomic: called inside the queue's lock, %p leaked (caller %pS)", addr,
		 __builtin_return_address(0)))
		return;
	if (vmalloc_locks_held()) { /* cannot look: park it unchecked */
		WARN(!vfree_atomic_park(addr),
		     "vfree_atomic: %u unchecked frees pending, %p leaked (caller %pS)",
		     VFREE_UNCHECKED_MAX, addr, __builtin_return_address(0));
	} else {
		WARN(!vfree_atomic_mark(addr), "vfree_atomic: no vm area at %p (caller %pS)", addr,
		     __builtin_return_address(0));
	}
	/* After the push: a run that took the queue before it would miss it. */
	if (!queue_work(&vfree_atomic_work) && !work_pending(&vfree_atomic_work))
		deferred_work_queue(&vfree_deferred_work); /* no workqueue yet */
}

/* @vm, taken from the deferred queue, is still a busy area that vfree_atomic() queued. */
static bool vfree_deferred_valid(const struct vm_struct *vm)
{
	struct vmap_shard *s = addr_shard((unsigned long)vm->addr);
	struct vmap_area *va;
	bool ok;

	spin_lock(&s->busy.lock);
	va = find_va_containing(&s->busy, (unsigned long)vm->addr);
	ok = va && va->vm == vm && va->va_start == (unsigned long)vm->addr &&
	     (vm->flags & VM_DEFER_FREE);
	spin_unlock(&s->busy.lock);
	return ok;
}

/*
 * vfree_deferred_run - free what vfree_atomic() queued
 *  => Called at safe points (and by vmalloc()/vfree()); returns at once
 *     if called with a vmalloc lock held (i.e. nested inside vmalloc).
 *  => Frees only areas marked VM_DEFER_FREE; a queue entry that is not one
 *     (a corrupted chain) stops the run with a WARN counting what is left.
 */
void vfree_deferred_run(void)
{
	struct vm_struct *vm, *next;
	unsigned long nr;

	/* Nothing queued (the common case): no lock taken, no interrupts toggled.
	 * A vfree_atomic() racing with this read queues the kworker, which frees it. */
	if (!READ_ONCE(vfree_deferred_head) && !READ_ONCE(vfree_nr_deferred) &&
	    !READ_ONCE(vfree_nr_unchecked))
		return;
	if (vmalloc_locks_held())
		return;
	spin_lock(&vfree_deferred_lock);
	vm = vfree_deferred_head;
	nr = vfree_nr_deferred;
	vfree_deferred_head = NULL;
	vfree_nr_deferred = 0;
	atomic_inc(&vfree_deferred_running);
	spin_unlock(&vfree_deferred_lock);

	for (;;) { /* the parked ones: vfree() checks them */
		const void *unchecked = NULL;

		spin_lock(&vfree_deferred_lock);
		if (vfree_nr_unchecked)
			unchecked = vfree_unchecked[--vfree_nr_unchecked];
		spin_unlock(&vfree_deferred_lock);
		if (!unchecked)
			break;
		vfree(unchecked);
	}
	for (; vm && nr; vm = next, nr--) {
		next = vm->next;
		if (!vfree_deferred_valid(vm))
			break;
		vm->next = NULL;
		__vfree(vm->addr, VM_REFUSE_FREE & ~VM_DEFER_FREE, NULL);
	}
	WARN(vm || nr, "vfree_deferred_run: queue broken at %p, %lu queued areas not freed", vm,
	     nr);
	atomic_dec(&vfree_deferred_running);
}

/*
 * vfree_deferred_flush - run the vfree_atomic() queue, then wait until the
 * runs other CPUs took it for (a kworker) have freed everything
 *  => So that what was queued before the call is freed when it returns.
 *  => Waits (yielding) only in a thread that may sleep; elsewhere it only
 *     runs the queue. Not from inside a deferred free.
 */
void vfree_deferred_flush(void)
{
	vfree_deferred_run();
	if (irqs_disabled() || in_interrupt() || preempt_count() || vmalloc_locks_held())
		return;
	while (atomic_read(&vfree_deferred_running))
		yield();
}

/* ---------------------------------------------------------------------- */
/* vmap, ioremap, kvmalloc.                                                */

extern char _text[], _erodata[];

/*
 * @pfn is a frame of the kernel image's text or read-only data: a vmap()
 * of it would be a writable alias of the running kernel's code.
 */
static bool pfn_is_kernel_text(unsigned long pfn)
{
	return pfn >= PHYS_PFN(__pa_symbol(_text)) && pfn < PFN_UP(__pa_symbol(_erodata));
}

/*
 * Every entry of @pages must be a struct page of RAM: not NULL, exactly at
 * an entry of the vmemmap array, of a frame pfn_valid() knows, outside the
 * kernel image's text and read-only data. Warns about the first bad one
 * (its index and what it is) and returns false.
 */
static bool vmap_pages_valid(struct page **pages, unsigned int count, const void *caller)
{
	unsigned int i;

	if (WARN(!pages, "vmap: NULL pages array for %u pages (caller %pS)", count, caller))
		return false;
	for (i = 0; i < count; i++) {
		struct page *page = pages[i];
		unsigned long pfn = page ? page_to_pfn(page) : 0;

		if (!page || pfn_to_page(pfn) != page || !pfn_valid(pfn)) {
			WARN(1,
			     "vmap: page %u of %u is %p (pfn %#lx), not a page of RAM (caller %pS)",
			     i, count, page, pfn, caller);
			return false;
		}
		if (pfn_is_kernel_text(pfn)) {
			WARN(1,
			     "vmap: page %u of %u (pfn %#lx) is kernel text or rodata (caller %pS)",
			     i, count, pfn, caller);
			return false;
		}
	}
	return true;
}

/*
 * vmap - map @count pages into a new virtually contiguous area
 *  => Every page must be a page of RAM outside the kernel image's text and
 *     read-only data: a NULL page, one whose frame is not RAM, or a frame
 *     of [_text, _erodata) is refused with a WARN, before anything is
 *     reserved.
 *  => The area is VM_MAP (plus VM_FLUSH_RESET_PERMS if @flags has it: its
 *     vunmap() then flushes the TLB at once) and always has its guard
 *     page: VM_NO_GUARD in @flags is ignored (with a one-time warning
 *     naming the caller).
 *  => Mapped NX whatever @prot says (W^X for aliases of RAM); executable
 *     mappings only come from set_memory_x()/set_memory_rox().
 *  => The pages stay the caller's: vunmap() unmaps without freeing them.
 *  => Returns the address, or NULL with nothing left reserved or mapped.
 */
void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot)
{
	const void *caller = __builtin_return_address(0);
	struct vm_struct *area;
	unsigned long addr, size;

	if (!count || count > totalram_pages)
		return NULL;
	if (!vmap_pages_valid(pages, count, caller))
		return NULL;
	WARN_ONCE(flags & VM_NO_GUARD,
		  "vmap: VM_NO_GUARD ignored, the area keeps its guard page (caller %pS)", caller);
	size = (unsigned long)count << PAGE_SHIFT;
	area = __get_vm_area_node(size, 1, VM_MAP | (flags & VM_FLUSH_RESET_PERMS), VMALLOC_START,
				  VMALLOC_END, GFP_KERNEL, caller);
	if (!area)
		return NULL;
	addr = (unsigned long)area->addr;
	if (vmap_pages_range(addr, addr + size, prot, pages))
		goto out_flush;
	vm_area_ready(area);
	return area->addr;

out_flush:
	flush_tlb_kernel_range(addr, addr + size);
	release_vm_area(area);
	return NULL;
}

/* Unmap and lazily release an area taken by detach_vmap_area(). */
static void unmap_and_free_vm(struct vmap_area *va)
{
	struct vm_struct *vm = va->vm;

	unmap_vmap_area(va);
	free_vmap_area_noflush(va, vm->caller);
	kfree(vm);
}

/*
 * vunmap - undo vmap()
 *  => NULL is a no-op; anything but the start of a vmap() area is refused
 *     with a WARN. The pages are not freed.
 */
void vunmap(const void *addr)
{
	struct vmap_area *va;

	if (!addr)
		return;
	va = detach_vmap_area(addr, VM_MAP, VM_REFUSE_FREE, "vunmap", __builtin_return_address(0));
	if (va)
		unmap_and_free_vm(va);
}

/*
 * Refuse to ioremap RAM: it is already mapped write-back in the direct map.
 * Only pfns below max_pfn can be RAM, which bounds the scan.
 */
static bool ioremap_hits_ram(phys_addr_t base, phys_addr_t last)
{
	unsigned long pfn, last_pfn = min(PHYS_PFN(last), max_pfn - 1);

	for (pfn = PHYS_PFN(base); max_pfn && pfn <= last_pfn; pfn++)
		if (pfn_valid(pfn))
			return true;
	return false;
}

/*
 * The alignment of an ioremap() range: that of the largest leaf (1 GiB on a
 * CPU with pdpe1gb, 2 MiB) which @size reaches and @base is aligned to, so
 * that vmap_range_huge() can use such leaves; a page otherwise.
 */
static unsigned long ioremap_align(phys_addr_t base, unsigned long size)
{
	if (boot_cpu.pdpe1gb && size >= PUD_SIZE && !(base & (PUD_SIZE - 1)))
		return PUD_SIZE;
	if (size >= PMD_SIZE && !(base & (PMD_SIZE - 1)))
		return PMD_SIZE;
	return PAGE_SIZE;
}

static void *__ioremap(phys_addr_t phys, unsigned long size, pgprot_t prot, const char *op,
		       const void *caller)
{
	phys_addr_t last = phys + size - 1, base = phys & PAGE_MASK;
	struct vmap_shard *shard;
	struct vm_struct *area;
	unsigned long addr, map_size;

	if (!size || last < phys) {
		pr_err("%s: bad range phys %#llx size %#lx (caller %pS)\n", op,
		       (unsigned long long)phys, size, caller);
		return NULL;
	}
	if (last > cpu_phys_addr_limit()) {
		pr_err("%s: phys %#llx-%#llx is beyond the CPU's physical address width (max %#llx) "
		       "(caller %pS)\n",
		       op, (unsigned long long)phys, (unsigned long long)last,
		       (unsigned long long)cpu_phys_addr_limit(), caller);
		return NULL;
	}
	if (ioremap_hits_ram(base, last)) {
		pr_err("%s: refusing to map RAM at phys %#llx-%#llx (caller %pS)\n", op,
		       (unsigned long long)phys, (unsigned long long)last, caller);
		return NULL;
	}
	map_size = PAGE_ALIGN(last + 1) - base;
	if (memtype_reserve(base, base + map_size, memtype_of_prot(prot), op, caller))
		return NULL;
	area = __get_vm_area_node(map_size, ioremap_align(base, map_size), VM_IOREMAP | VM_MEMTYPE,
				  VMALLOC_START, VMALLOC_END, GFP_KERNEL, caller);
	if (!area)
		goto out_free_memtype;
	shard = vm_shard_lock(area); /* [V]: dumps read it */
	area->phys_addr = base;
	spin_unlock(&shard->busy.lock);
	addr = (unsigned long)area->addr;
	if (vmap_range_huge(addr, addr + map_size, base, prot, VMAP_HUGE_PMD | VMAP_HUGE_PUD))
		goto out_flush;
	return (void *)(addr + (unsigned long)(phys - base));

out_flush:
	flush_tlb_kernel_range(addr, addr + map_size);
	release_vm_area(area);
out_free_memtype:
	memtype_free(base, base + map_size);
	return NULL;
}

/*
 * ioremap - map device memory [phys, phys + size) uncached
 *  => Returns the virtual address of @phys (same offset within its page),
 *     or NULL: size 0, wrap-around, beyond the CPU's physical address
 *     width, any RAM page in the range, or a live mapping of an
 *     overlapping range with another memory type (each refused with a
 *     message).
 */
void *ioremap(phys_addr_t phys, unsigned long size)
{
	return __ioremap(phys, size, PAGE_KERNEL_NOCACHE, "ioremap", __builtin_return_address(0));
}

/* ioremap_wc - ioremap() with write combining (frame buffers). */
void *ioremap_wc(phys_addr_t phys, unsigned long size)
{
	return __ioremap(phys, size, PAGE_KERNEL_WC, "ioremap_wc", __builtin_return_address(0));
}

/*
 * iounmap - undo ioremap(); @addr may be any address in the first page
 *  => NULL is a no-op; anything else that is not an ioremap() area is
 *     refused with a WARN.
 */
void iounmap(volatile void *addr)
{
	struct vmap_area *va;

	if (!addr)
		return;
	va = detach_vmap_area((void *)((unsigned long)addr & PAGE_MASK), VM_IOREMAP, VM_REFUSE_FREE,
			      "iounmap", __builtin_return_address(0));
	if (va)
		unmap_and_free_vm(va); /* flushes, then frees the memtype */
}

/*
 * kvmalloc - kmalloc() if that is cheap and succeeds, else vmalloc()
 *  => Up to KVMALLOC_KMALLOC_MAX bytes kmalloc() is tried quietly first.
 *  => Free with kvfree(). NULL on failure.
 */
void *kvmalloc(size_t size, gfp_t gfp)
{
	void *p;

	if (!size)
		return NULL;
	if (size <= KVMALLOC_KMALLOC_MAX) {
		p = kmalloc(size, gfp | __GFP_NOWARN);
		if (p)
			return p;
	}
	return __vmalloc_node(size, 1, gfp, NUMA_NO_NODE, __builtin_return_address(0));
}

/* kvzalloc - kvmalloc() of zeroed memory. */
void *kvzalloc(size_t size, gfp_t gfp)
{
	return kvmalloc(size, gfp | __GFP_ZERO);
}

/* kvfree - free kvmalloc() memory: vfree() or kfree() by its address. */
void kvfree(const void *addr)
{
	if (is_vmalloc_addr(addr))
		__vfree(addr, VM_REFUSE_FREE, __builtin_return_address(0));
	else
		kfree(addr);
}

/* ---------------------------------------------------------------------- */
/* More of Linux's API: _node flavours, vmalloc_range_size, vmap_pfn, vrealloc.  */

/* vmalloc_node - vmalloc(); @node is accepted and ignored (one node). */
void *vmalloc_node(unsigned long size, int node)
{
	return __vmalloc_node(size, 1, GFP_KERNEL, node, __builtin_return_address(0));
}

/* vzalloc_node - vzalloc(); @node is accepted and ignored (one node). */
void *vzalloc_node(unsigned long size, int node)
{
	return __vmalloc_node(size, 1, GFP_KERNEL | __GFP_ZERO, node, __builtin_return_address(0));
}

/*
 * vmalloc_range_size - usable bytes of the vm area holding @addr (any address in
 * it, guard page excluded), after find_vm_area(); 0 if there is none.
 */
unsigned long vmalloc_size(const void *addr)
{
	struct vm_struct *area = find_vm_area(addr);

	return area ? get_vm_area_size(area) : 0;
}

/*
 * Every frame of @pfns must be outside RAM (pfn_valid() false) and within
 * the CPU's physical address width; warns about the first bad one.
 */
static bool vmap_pfns_valid(unsigned long *pfns, unsigned int count, const void *caller)
{
	unsigned int i;

	if (WARN(!pfns, "vmap_pfn: NULL pfn array for %u frames (caller %pS)", count, caller))
		return false;
	for (i = 0; i < count; i++) {
		if (pfn_valid(pfns[i])) {
			WARN(1, "vmap_pfn: frame %u of %u (pfn %#lx) is RAM (caller %pS)", i, count,
			     pfns[i], caller);
			return false;
		}
		if (pfns[i] > PHYS_PFN(cpu_phys_addr_limit())) { /* PFN_PHYS() could wrap */
			WARN(1,
			     "vmap_pfn: frame %u of %u (pfn %#lx) is beyond the CPU's physical "
			     "address width (caller %pS)",
			     i, count, pfns[i], caller);
			return false;
		}
	}
	return true;
}

/*
 * vmap_pfn - map the non-RAM frames @pfns[0..count) (device memory) into a
 * new virtually contiguous area, with the caller's @prot
 *  => A RAM frame (use vmap() for those) or one beyond the CPU's physical
 *     address width is refused with a WARN, before anything is reserved.
 *  => No memory-type reservation is taken (unlike ioremap()): @prot is the
 *     caller's responsibility, as on Linux.
 *  => The area is VM_MAP | VM_IOREMAP (phys= names the first frame), with
 *     a guard page; vunmap() undoes it.
 *  => Returns the address, or NULL with nothing left reserved or mapped.
 */
void *vmap_pfn(unsigned long *pfns, unsigned int count, pgprot_t prot)
{
	const void *caller = __builtin_return_address(0);
	struct vmap_shard *shard;
	struct vm_struct *area;
	unsigned long addr, size;
	unsigned int i;

	if (!count || !vmap_pfns_valid(pfns, count, caller))
		return NULL;
	size = (unsigned long)count << PAGE_SHIFT;
	area = __get_vm_area_node(size, 1, VM_MAP | VM_IOREMAP, VMALLOC_START, VMALLOC_END,
				  GFP_KERNEL, caller);
	if (!area)
		return NULL;
	addr = (unsigned long)area->addr;
	shard = vm_shard_lock(area); /* [V]: dumps read it */
	area->phys_addr = PFN_PHYS((phys_addr_t)pfns[0]);
	spin_unlock(&shard->busy.lock);
	for (i = 0; i < count; i++)
		if (vmap_range(addr + ((unsigned long)i << PAGE_SHIFT),
			       addr + ((unsigned long)(i + 1) << PAGE_SHIFT),
			       PFN_PHYS((phys_addr_t)pfns[i]), prot))
			goto out_unmap;
	vm_area_ready(area);
	return area->addr;

out_unmap:
	vunmap_range_noflush(addr, addr + ((unsigned long)i << PAGE_SHIFT));
	flush_tlb_kernel_range(addr, addr + size);
	release_vm_area(area);
	return NULL;
}

/*
 * Shrink the vmalloc() @area to its first @nr pages: the tail leaves V's
 * view (nr_pages, its PTEs) under V, so vread() never reads a freed page,
 * and is flushed from the TLB before its pages go back to the buddy. A
 * huge area keeps its pages (order-9 blocks, pmd leaves), the tail zeroed.
 */
static void vrealloc_shrink(struct vm_struct *area, unsigned int nr)
{
	unsigned long addr = (unsigned long)area->addr;
	unsigned int i, old = area->nr_pages;
	struct vmap_shard *shard;

	if (area->flags & VM_HUGE_PAGES) { /* order-9 blocks and pmd leaves: all stay */
		memset((char *)area->addr + ((unsigned long)nr << PAGE_SHIFT), 0,
		       (unsigned long)(old - nr) << PAGE_SHIFT); /* what a regrow shows */
		return;
	}
	shard = vm_shard_lock(area);
	area->nr_pages = nr;
	vmap_count_add(nr_pages, -(long)(old - nr));
	vunmap_range_noflush(addr + ((unsigned long)nr << PAGE_SHIFT),
			     addr + ((unsigned long)old << PAGE_SHIFT));
	spin_unlock(&shard->busy.lock);
	flush_tlb_kernel_range(addr + ((unsigned long)nr << PAGE_SHIFT),
			       addr + ((unsigned long)old << PAGE_SHIFT));
	for (i = nr; i < old; i++) {
		area->pages[i]->flags &= ~PG_vmalloc;
		__free_page(area->pages[i]);
	}
}

/*
 * Grow the vmalloc() @area in place to @nr pages (at most its reserved
 * size, which its pages array holds): new pages with @gfp mapped
 * PAGE_KERNEL after the present ones. 0, or -ENOMEM with the area as it
 * was.
 */
static int vrealloc_grow_in_place(struct vm_struct *area, unsigned int nr, gfp_t gfp)
{
	gfp_t page_gfp = gfp & (__GFP_ZERO | __GFP_DMA32 | GFP_VMAP_META);
	unsigned long addr = (unsigned long)area->addr;
	unsigned int i, old = area->nr_pages;
	struct vmap_shard *shard;

	if (area->flags & VM_HUGE_PAGES) /* never shrunk in place: reallocate */
		return -ENOMEM;
	for (i = old; i < nr; i++) {
		area->pages[i] = alloc_page(page_gfp);
		if (!area->pages[i])
			goto out_free;
		area->pages[i]->flags |= PG_vmalloc;
	}
	if (vmap_pages_range(addr + ((unsigned long)old << PAGE_SHIFT),
			     addr + ((unsigned long)nr << PAGE_SHIFT), PAGE_KERNEL,
			     area->pages + old))
		goto out_flush;
	shard = vm_shard_lock(area);
	area->nr_pages = nr;
	vmap_count_add(nr_pages, (long)(nr - old));
	spin_unlock(&shard->busy.lock);
	return 0;

out_flush:
	flush_tlb_kernel_range(addr + ((unsigned long)old << PAGE_SHIFT),
			       addr + ((unsigned long)nr << PAGE_SHIFT));
out_free:
	while (i-- > old) {
		area->pages[i]->flags &= ~PG_vmalloc;
		__free_page(area->pages[i]);
	}
	return -ENOMEM;
}

/*
 * vrealloc - resize the vmalloc() memory at @p to @size bytes
 *  => @p NULL: __vmalloc(@size, @gfp). @size 0: vfree(@p), returns NULL.
 *  => A shrink stays in place and gives back the pages past PAGE_ALIGN(@size)
 *     (unmapped, the TLB flushed, freed; nr_pages follows) while the area
 *     keeps its reserved range; with __GFP_ZERO the rest of the last page
 *     kept is zeroed. A vmalloc_huge() area keeps all its pages instead,
 *     those past PAGE_ALIGN(@size) zeroed (a later grow finds them so).
 *  => A grow within the reserved range (after a shrink) stays in place:
 *     new pages with @gfp, mapped PAGE_KERNEL. Beyond it: a new allocation
 *     with @gfp, the old contents copied, the old area vfree()d.
 *  => On failure NULL, and @p stays as it was (same pages, same contents).
 *  => @p not the start of a vmalloc() area: refused with a WARN, NULL.
 */
void *vrealloc(const void *p, size_t size, gfp_t gfp)
{
	const void *caller = __builtin_return_address(0);
	struct vm_struct *area;
	unsigned long nr, have;
	void *n;

	if (!p)
		return __vmalloc_node(size, 1, gfp, NUMA_NO_NODE, caller);
	if (!size) {
		__vfree(p, VM_REFUSE_FREE, caller);
		return NULL;
	}
	area = find_vm_area(p);
	if (WARN(!area || area->addr != p || !(area->flags & VM_ALLOC) ||
			 (area->flags & VM_REFUSE_FREE),
		 "vrealloc: %p is not a vmalloc() area (caller %pS)", p, caller))
		return NULL;
	if (PAGE_ALIGN(size) < size || (size >> PAGE_SHIFT) > totalram_pages) {
		warn_alloc(gfp, size,
			   caller); /* PAGE_ALIGN() would wrap to 0: a shrink to nothing */
		return NULL;
	}
	nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	have = (unsigned long)area->nr_pages << PAGE_SHIFT;
	if (nr <= area->nr_pages) {
		if (nr < area->nr_pages)
			vrealloc_shrink(area, (unsigned int)nr);
		if (gfp & __GFP_ZERO)
			memset((char *)p + size, 0, (nr << PAGE_SHIFT) - size);
		return (void *)p;
	}
	if (size <= get_vm_area_size(area) && !vrealloc_grow_in_place(area, (unsigned int)nr, gfp))
		return (void *)p;
	n = __vmalloc_node(size, 1, gfp, NUMA_NO_NODE, caller);
	if (!n)
		return NULL;
	memcpy(n, p, have);
	__vfree(p, VM_REFUSE_FREE, caller);
	return n;
}

/*
 * kvrealloc - resize kvmalloc() memory at @p to @size bytes
 *  => vmalloc memory goes through vrealloc(); kmalloc() memory stays in
 *     place if ksize() holds @size, else moves to kvmalloc(@size, @gfp)
 *     (the old contents copied, the old object kfree()d).
 *  => @p NULL: kvmalloc(). @size 0: kvfree(@p), returns NULL.
 *  => On failure NULL, and @p stays as it was.
 */
void *kvrealloc(const void *p, size_t size, gfp_t gfp)
{
	size_t have;
	void *n;

	if (!p)
		return kvmalloc(size, gfp);
	if (!size) {
		kvfree(p);
		return NULL;
	}
	if (is_vmalloc_addr(p))
		return vrealloc(p, size, gfp);
	have = ksize(p); /* 0, with a WARN, if @p is no kmalloc() object */
	if (!have)
		return NULL;
	if (size <= have) {
		if (gfp & __GFP_ZERO) /* as krealloc(): what lies past @size reads as zero later */
			memset((char *)p + size, 0, have - size);
		return (void *)p;
	}
	n = kvmalloc(size, gfp);
	if (!n)
		return NULL;
	memcpy(n, p, have);
	kfree(p);
	return n;
}

/* ---------------------------------------------------------------------- */
/* Address translation.                                                    */

/* is_vmalloc_addr - @addr lies in [VMALLOC_START, VMALLOC_END]. */
bool is_vmalloc_addr(const void *addr)
{
	unsigned long a = (unsigned long)addr;

	return a >= VMALLOC_START && a <= VMALLOC_END;
}

/* is_vmalloc_or_module_addr - in the vmalloc range or the module range. */
bool is_vmalloc_or_module_addr(const void *addr)
{
	unsigned long a = (unsigned long)addr;

	return is_vmalloc_addr(addr) || (a >= MODULES_VADDR && a < MODULES_END);
}

/* The pfn mapped at @addr from the page tables (any leaf size), or -1UL. */
static unsigned long vmalloc_addr_pfn(unsigned long addr)
{
	enum pg_level level;
	pte_t *pte = lookup_address(addr, &level);
	phys_addr_t phys;

	if (!pte || !(*pte & _PAGE_PRESENT))
		return -1UL;
	phys = *pte & PTE_PFN_MASK;
	switch (level) {
	case PG_LEVEL_4K:
		return PHYS_PFN(phys);
	case PG_LEVEL_2M:
		return PHYS_PFN((phys & ~(PMD_SIZE - 1)) + (addr & (PMD_SIZE - 1)));
	case PG_LEVEL_1G:
		return PHYS_PFN((phys & ~(PUD_SIZE - 1)) + (addr & (PUD_SIZE - 1)));
	default:
		return -1UL;
	}
}

/*
 * vmalloc_to_pfn - the page frame mapped at vmalloc/module address @addr
 *  => 0 when @addr is not mapped or not a vmalloc/module address.
 *  => Also works for ioremap() areas (device frames have no struct page).
 */
unsigned long vmalloc_to_pfn(const void *addr)
{
	unsigned long pfn;

	if (!is_vmalloc_or_module_addr(addr))
		return 0;
	pfn = vmalloc_addr_pfn((unsigned long)addr);
	return pfn == -1UL ? 0 : pfn;
}

/*
 * vmalloc_to_page - the struct page of RAM mapped at @addr
 *  => NULL when @addr is not mapped, not a vmalloc/module address, or
 *     maps something that is not RAM (ioremap()).
 */
struct page *vmalloc_to_page(const void *addr)
{
	unsigned long pfn;

	if (!is_vmalloc_or_module_addr(addr))
		return NULL;
	pfn = vmalloc_addr_pfn((unsigned long)addr);
	if (pfn == -1UL || !pfn_valid(pfn))
		return NULL;
	return pfn_to_page(pfn);
}

/*
 * The page of RAM mapped at @p, if @p lies in the usable part of @va, a
 * busy area fully set up; NULL otherwise. An area leaves its shard (under
 * its V, held here) before it is unmapped and its pages are freed, so the
 * page returned stays the area's until V is dropped.
 */
static struct page *vread_page_locked(struct vmap_area *va, unsigned long p)
{
	if ((vm_flags_acquire(va->vm) & VM_UNINITIALIZED) ||
	    p >= va->va_start + get_vm_area_size(va->vm))
		return NULL;
	return vmalloc_to_page((const void *)p);
}

/*
 * vread - copy @count bytes from vmalloc/module address @addr into @buf
 *  => Never faults: bytes outside busy, fully set up areas (guard pages,
 *     holes, freed or lazy ranges, areas still being set up), of ioremap()ed
 *     memory, and anything outside the vmalloc/module ranges, read as zero.
 *     Mapped RAM is read through the direct map, one page per hold of the
 *     busy lock.
 *  => Returns @count.
 */
long vread(char *buf, const char *addr, unsigned long count)
{
	unsigned long p = (unsigned long)addr, left = count;

	while (left) {
		unsigned long off = p & ~PAGE_MASK;
		unsigned long n = min(PAGE_SIZE - off, left);
		struct vmap_shard *shard;
		struct vmap_area *va = find_busy_locked(p, &shard);
		struct page *page = va ? vread_page_locked(va, p) : NULL;

		/* One page per hold of its shard's V, which keeps its area busy. */
		if (page)
			memcpy(buf, (char *)page_address(page) + off, n);
		else
			memset(buf, 0, n);
		if (va)
			spin_unlock(&shard->busy.lock);
		buf += n;
		p += n;
		left -= n;
	}
	return (long)count;
}

/* ---------------------------------------------------------------------- */
/* Boot.                                                                   */

/*
 * vm_area_register_early - reserve an area before vmalloc_init()
 *  => @vm->size (rounded up to pages; it includes a guard page unless
 *     VM_NO_GUARD is in @vm->flags) and @vm->flags are the caller's; the
 *     area goes at the lowest address aligned to @align above the previous
 *     early area, from VMALLOC_START up. vm->addr is set, VM_EARLY added.
 *  => Nothing is mapped. Once vmalloc_init() has imported it, an early
 *     area can never be freed; before, vm_area_unregister_early() gives
 *     it back.
 *  => After vmalloc_init(), or on bad input: a message, vm->addr = NULL.
 */
void vm_area_register_early(struct vm_struct *vm, size_t align)
{
	unsigned long addr, size = PAGE_ALIGN(vm->size);
	struct vm_struct **tail = &vmlist;

	vm->addr = NULL;
	if (WARN(vmap_initialized, "vm_area_register_early: called after vmalloc_init"))
		return;
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (!vm_early_next)
		vm_early_next = VMALLOC_START;
	addr = ALIGN(vm_early_next, align);
	if (!size || !is_power_of_2(align) || addr < vm_early_next || addr + size < addr ||
	    addr + size > VMALLOC_END + 1) {
		pr_err("vm_area_register_early: cannot place size %#lx align %#lx at %#lx\n",
		       vm->size, (unsigned long)align, vm_early_next);
		return;
	}
	vm->addr = (void *)addr;
	vm->size = size;
	vm->flags |= VM_EARLY;
	vm->next = NULL;
	while (*tail)
		tail = &(*tail)->next;
	*tail = vm;
	vm_early_next = addr + size;
}

/*
 * vm_area_unregister_early - give back an area vm_area_register_early() placed
 *  => Before vmalloc_init() only, for a caller whose setup of the area
 *     failed (nothing of it may be mapped): vmalloc_init() will not import
 *     it, so no dump lists it and its addresses stay free. If it was the
 *     last one, the next early area may reuse its addresses.
 *  => vm->addr = NULL and VM_EARLY cleared; an @vm not registered, or a
 *     call after vmalloc_init(), gets a message and changes nothing.
 */
void vm_area_unregister_early(struct vm_struct *vm)
{
	struct vm_struct **link = &vmlist, *prev = NULL;

	if (WARN(vmap_initialized, "vm_area_unregister_early: called after vmalloc_init"))
		return;
	while (*link && *link != vm) {
		prev = *link;
		link = &(*link)->next;
	}
	if (!*link) {
		pr_err("vm_area_unregister_early: %p (addr %p) is not an early area\n", vm,
		       vm->addr);
		return;
	}
	*link = vm->next;
	if (!vm->next)
		vm_early_next = prev ? (unsigned long)prev->addr + prev->size : 0;
	vm->next = NULL;
	vm->addr = NULL;
	vm->flags &= ~VM_EARLY;
}

/* Carve the early area @vm out of the free tree and enter it as busy. */
static void import_early_area(struct vm_struct *vm)
{
	unsigned long start = (unsigned long)vm->addr;
	struct vmap_area *va, *free_va;
	struct vmap_shard *shard;
	int err = -ENOSPC;

	va = kmem_cache_alloc(vmap_area_cachep, GFP_KERNEL);
	if (!va)
		panic("vmalloc_init: no memory for early area %p", vm->addr);
	ne_fit_preload(GFP_KERNEL);
	spin_lock(&vmap_free.lock);
	free_va = find_va_containing(&vmap_free, start);
	if (free_va && vm->size <= free_va->va_end - start)
		err = clip_free_va_locked(free_va, start, vm->size);
	spin_unlock(&vmap_free.lock);
	if (err)
		panic("vmalloc_init: early area [%#lx+%#lx) not free (%d)", start, vm->size, err);

	va->va_start = start;
	va->va_end = start + vm->size;
	va->vm = vm;
	shard = vm_shard_lock(vm);
	link_va(va, &shard->busy, "busy");
	shard->nr_busy++;
	spin_unlock(&shard->busy.lock);
}

/*
 * vmalloc_init - take over the vmalloc and module ranges
 *  => Needs the slab allocator. Creates the "vmap_area" cache, makes each
 *     managed range one free block, imports every vm_area_register_early()
 *     area as busy, then allows allocations.
 *  => Panics if it cannot allocate its few nodes (nothing can work then).
 */
void vmalloc_init(void)
{
	struct vm_struct *vm, *next;
	struct vmap_area *va;
	int i;

	vmap_shards_init();
	vmap_pool_init();
	vmap_lazy_init();
	vmap_area_cachep = kmem_cache_create("vmap_area", sizeof(struct vmap_area),
					     __alignof__(struct vmap_area));
	if (!vmap_area_cachep)
		panic("vmalloc_init: cannot create the vmap_area cache");
	vm_small_cachep = kmem_cache_create("vm_struct_small", sizeof(struct vm_struct_small),
					    __alignof__(struct vm_struct_small));
	if (!vm_small_cachep)
		panic("vmalloc_init: cannot create the vm_struct_small cache");

	vmap_ranges[VMAP_RANGE_VMALLOC] =
		(struct mem_region){ "vmalloc", VMALLOC_START, VMALLOC_END + 1 };
	vmap_ranges[VMAP_RANGE_MODULES] =
		(struct mem_region){ "modules", MODULES_VADDR, MODULES_END };
	for (i = 0; i < NR_VMAP_RANGES; i++) {
		va = kmem_cache_alloc(vmap_area_cachep, GFP_KERNEL);
		if (!va)
			panic("vmalloc_init: no memory for the free tree");
		va->va_start = vmap_ranges[i].start;
		va->va_end = vmap_ranges[i].end;
		free_vmap_area(va);
	}

	for (vm = vmlist; vm; vm = next) {
		next = vm->next;
		import_early_area(vm);
		vm->next = NULL;
	}
	vmlist = NULL;
	vmap_initialized = true;
	vmalloc_debug_check("vmalloc_init");
}

/* ---------------------------------------------------------------------- */
/* Dumps.                                                                  */

#define VMINFO_LINE_MAX 160

/* Append to a VMINFO_LINE_MAX line buffer, never past its end. */
static __printf(3, 4) void line_add(char *buf, size_t *len, const char *fmt, ...)
{
	size_t size = VMINFO_LINE_MAX;
	va_list args;
	int n;

	if (*len >= size - 1)
		return;
	va_start(args, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, args);
	va_end(args);
	if (n > 0)
		*len = min(*len + (size_t)n, size - 1);
}

/*
 * What one vmallocinfo line needs, copied under the locks so that it can be
 * formatted and printed after they are dropped (printing is slow: about
 * 0.3 ms a line on the serial port, far too long with interrupts off).
 */
struct vminfo_entry {
	unsigned long start, end;
	const void *caller;
	phys_addr_t phys;
	unsigned int flags, nr_pages;
	bool lazy, vpages;
};

/* Lines copied per lock hold by vmallocinfo_dump(). */
#define VMINFO_BATCH 16

static void vminfo_copy_busy(const struct vmap_area *va, struct vminfo_entry *e)
{
	const struct vm_struct *vm = va->vm;

	*e = (struct vminfo_entry){ .start = va->va_start, .end = va->va_end };
	e->caller = vm->caller;
	e->flags = vm_flags_acquire(vm); /* before nr_pages: see vm_area_ready() */
	e->nr_pages = vm->nr_pages;
	e->phys = vm->phys_addr;
	e->vpages = vm->pages && is_vmalloc_addr(vm->pages);
}

static void show_vminfo_entry(const struct vminfo_entry *e)
{
	char line[VMINFO_LINE_MAX];
	size_t len = 0;

	line_add(line, &len, "0x%016lx-0x%016lx %7lu", e->start, e->end, e->end - e->start);
	if (e->lazy) {
		printk("%s unpurged vm_area\n", line);
		return;
	}
	if (e->caller)
		line_add(line, &len, " %pS", e->caller);
	if (!(e->flags & VM_UNINITIALIZED)) {
		if (e->nr_pages)
			line_add(line, &len, " pages=%u", e->nr_pages);
		if (e->flags & VM_IOREMAP)
			line_add(line, &len, " phys=0x%016llx", (unsigned long long)e->phys);
		if (e->flags & VM_IOREMAP)
			line_add(line, &len, " ioremap");
		if (e->flags & VM_ALLOC)
			line_add(line, &len, " vmalloc");
		if (e->flags & VM_MAP)
			line_add(line, &len, " vmap");
		if (e->flags & VM_MAP_RAM)
			line_add(line, &len, " vm_map_ram");
		if (e->vpages)
			line_add(line, &len, " vpages");
		if (e->nr_pages) /* one node: every page is on node 0 */
			line_add(line, &len, " N0=%u", e->nr_pages);
	}
	printk("%s\n", line);
}

/* The list position of the first area of @tree starting at or above @addr. */
static struct list_head *va_list_from(struct rb_list *tree, unsigned long addr)
{
	struct rb_node *n = tree->root.rb_node;
	struct vmap_area *first = NULL;

	assert_held(&tree->lock);
	while (n) {
		if (va_of(n)->va_start >= addr) {
			first = va_of(n);
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return first ? &first->list : &tree->head;
}

/*
 * Keep @x among the lowest VMINFO_BATCH entries by start in @e (*@nr of
 * them, sorted). False when @x starts above all of a full @e: so does
 * everything after it in an address-ordered walk.
 */
static bool vminfo_keep(struct vminfo_entry *e, unsigned int *nr, const struct vminfo_entry *x)
{
	unsigned int i;

	if (*nr == VMINFO_BATCH && x->start >= e[*nr - 1].start)
		return false;
	i = *nr < VMINFO_BATCH ? (*nr)++ : *nr - 1;
	for (; i > 0 && e[i - 1].start > x->start; i--)
		e[i] = e[i - 1];
	e[i] = *x;
	return true;
}

/* The lazy areas starting at or above @from into @e: each CPU's list in one hold of its lock. */
static void vminfo_lazy_lowest(unsigned long from, struct vminfo_entry *e, unsigned int *nr)
{
	struct vmap_area *va;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct vmap_lazy_list *l = &vmap_lazy[cpu];

		if (READ_ONCE(l->head.next) == &l->head)
			continue;
		spin_lock(&l->lock);
		list_for_each_entry(va, &l->head, list) {
			struct vminfo_entry x = { .start = va->va_start,
						  .end = va->va_end,
						  .lazy = true };

			if (va->va_start >= from)
				vminfo_keep(e, nr, &x);
		}
		spin_unlock(&l->lock);
	}
}

/* The busy areas starting at or above @from into @e: each shard's in one hold of its lock. */
static void vminfo_busy_lowest(unsigned long from, struct vminfo_entry *e, unsigned int *nr)
{
	for (unsigned int i = 0; i < VMAP_NR_SHARDS; i++) {
		struct rb_list *busy = &vmap_shards[i].busy;
		struct list_head *b;
		struct vminfo_entry x;

		spin_lock(&busy->lock);
		for (b = va_list_from(busy, from); b != &busy->head; b = b->next) {
			vminfo_copy_busy(list_entry(b, struct vmap_area, list), &x);
			if (!vminfo_keep(e, nr, &x))
				break; /* the rest of this shard starts higher still */
		}
		spin_unlock(&busy->lock);
	}
}

/*
 * Copy the lowest VMINFO_BATCH busy and lazy areas starting at or above
 * @from, by address, into @e. Returns how many.
 */
static unsigned int vminfo_collect(unsigned long from, struct vminfo_entry *e)
{
	unsigned int nr = 0;

	vminfo_lazy_lowest(from, e, &nr);
	vminfo_busy_lowest(from, e, &nr);
	return nr;
}

/*
 * vmallocinfo_dump - print every busy and lazily freed area by address, in
 * /proc/vmallocinfo's format:
 *	0xffffc20000000000-0xffffc20000005000   20480 caller+0x1c/0x80 pages=4 vmalloc N0=4
 *	0xffffc20000005000-0xffffc20000007000    8192 caller+0x9/0x40 phys=0x00000000fed00000 ioremap
 *	0xffffc20000007000-0xffffc20000009000    8192 unpurged vm_area
 *  => Copies VMINFO_BATCH areas at a time under the locks and prints them
 *     after dropping them, resuming from the end of the last one: no lock
 *     (and so no interrupts-off stretch) lasts more than one batch. Areas
 *     that come or go meanwhile may or may not be shown, as with Linux's
 *     /proc/vmallocinfo.
 */
void vmallocinfo_dump(void)
{
	struct vminfo_entry e[VMINFO_BATCH];
	unsigned long from = 0;
	unsigned int i, nr;

	do {
		nr = vminfo_collect(from, e);
		for (i = 0; i < nr; i++)
			show_vminfo_entry(&e[i]);
		if (nr)
			from = e[nr - 1].end;
	} while (nr == VMINFO_BATCH && from);
}

/*
 * The largest free block inside [start, end) among @n's subtree, whose
 * blocks all lie in [lo, hi): a subtree wholly inside counts with its
 * subtree_max_size, one wholly outside is skipped, so only the two paths
 * to the edges of the range are walked: O(log n).
 */
static unsigned long largest_free_in_locked(struct rb_node *n, unsigned long start,
					    unsigned long end, unsigned long lo, unsigned long hi)
{
	struct vmap_area *va = va_of(n);
	unsigned long best = 0;

	if (!n || hi <= start || lo >= end)
		return 0;
	if (lo >= start && hi <= end)
		return va->subtree_max_size;
	if (va->va_start >= start && va->va_end <= end)
		best = va_size(va);
	best = max(best, largest_free_in_locked(n->rb_left, start, end, lo, va->va_start));
	return max(best, largest_free_in_locked(n->rb_right, start, end, va->va_end, hi));
}

/*
 * vmalloc_meminfo_dump - the Vmalloc lines of /proc/meminfo: the size of
 * the vmalloc range, the pages vmalloc() has mapped, and the largest free
 * block of the vmalloc range (found in O(log n), printed with no lock held).
 */
void vmalloc_meminfo_dump(void)
{
	const struct mem_region *r = &vmap_ranges[VMAP_RANGE_VMALLOC];
	unsigned long used, chunk;

	used = vmalloc_nr_pages();
	spin_lock(&vmap_free.lock);
	chunk = largest_free_in_locked(vmap_free.root.rb_node, r->start, r->end, 0, ~0UL);
	spin_unlock(&vmap_free.lock);

	/* As Linux: (VMALLOC_END - VMALLOC_START) >> 10, VMALLOC_END the last byte. */
	printk("VmallocTotal:   %8lu kB\n", (r->end - 1 - r->start) >> 10);
	printk("VmallocUsed:    %8lu kB\n", used << (PAGE_SHIFT - 10));
	printk("VmallocChunk:   %8lu kB\n", chunk >> 10);
}

/* vmalloc_stats_dump - the counters of struct vmalloc_stats, the pools' and the TLB flushes. */
void vmalloc_stats_dump(void)
{
	const struct vmalloc_stats *s = &vmalloc_stats;
	struct vmalloc_pool_info pool;

	printk("vmalloc: busy areas %lu, free blocks %lu, lazy pages %lu (max %lu)\n",
	       vmalloc_nr_busy(), s->nr_free_blocks, s->lazy_pages, lazy_budget());
	printk("vmalloc: vmalloc %lu, vfree %lu, failures %lu, purges %lu (%lu areas)\n",
	       vmalloc_nr_vmalloc(), vmalloc_nr_vfree(), s->alloc_failures, s->nr_purges,
	       s->purged_areas);
	printk("vmalloc: fit search: %lu nodes visited, %lu fallbacks\n", s->fit_visits,
	       s->fit_fallbacks);
	vmalloc_pool_info(&pool);
	printk("vmalloc: pools: %lu areas, %lu pages (cap %lu per CPU), %lu hits, %lu drained\n",
	       pool.nr_areas, pool.nr_pages, vmap_pool_cap(), pool.hits, pool.drained);
	printk("vmalloc: tlb flushes: single %lu, ranges %lu, full %lu\n",
	       pgtable_stats.flush_single, pgtable_stats.flush_ranges, pgtable_stats.flush_all);
}

/* ---------------------------------------------------------------------- */
/* Checks.                                                                 */

/*
 * Check one tree against its list: red-black rules, in-order == list
 * order, sorted, page-aligned, non-empty, and for the free tree the
 * augmented values and "never adjacent". Counts its nodes into *@nr.
 */
static int check_va_tree(struct rb_list *tree, const char *name, bool free_tree, unsigned long *nr)
{
	struct list_head *head = &tree->head, *l = head->next;
	struct rb_node *n = rb_first(&tree->root);
	struct vmap_area *va, *prev = NULL;

	if (rb_check(&tree->root)) {
		pr_err("vmalloc_check: %s tree breaks the red-black rules\n", name);
		return -EINVAL;
	}
	for (*nr = 0; n; n = rb_next(n), l = l->next, prev = va, (*nr)++) {
		va = va_of(n);
		if (l == head || l != &va->list) {
			pr_err("vmalloc_check: %s list and tree differ at [%#lx-%#lx)\n", name,
			       va->va_start, va->va_end);
			return -EINVAL;
		}
		if (va->va_start >= va->va_end || !PAGE_ALIGNED(va->va_start) ||
		    !PAGE_ALIGNED(va->va_end)) {
			pr_err("vmalloc_check: %s node [%#lx-%#lx) is malformed\n", name,
			       va->va_start, va->va_end);
			return -EINVAL;
		}
		if (prev &&
		    (prev->va_end > va->va_start || (free_tree && prev->va_end == va->va_start))) {
			pr_err("vmalloc_check: %s node [%#lx-%#lx) %s [%#lx-%#lx)\n", name,
			       va->va_start, va->va_end,
			       prev->va_end > va->va_start ? "overlaps" : "is not merged with",
			       prev->va_start, prev->va_end);
			return -EINVAL;
		}
		if (free_tree) {
			unsigned long stored = va->subtree_max_size;

			/* compute_max() stores the right value when it differs. */
			if (!free_vmap_area_rb_augment_cb_compute_max(va, true)) {
				pr_err("vmalloc_check: free node [%#lx-%#lx) subtree_max_size %#lx, want %#lx\n",
				       va->va_start, va->va_end, stored, va->subtree_max_size);
				va->subtree_max_size = stored;
				return -EINVAL;
			}
		} else if (!va->vm || (unsigned long)va->vm->addr != va->va_start ||
			   va->vm->size != va_size(va)) {
			pr_err("vmalloc_check: busy node [%#lx-%#lx) disagrees with its vm_struct\n",
			       va->va_start, va->va_end);
			return -EINVAL;
		} else if (&addr_shard(va->va_start)->busy != tree) {
			pr_err("vmalloc_check: busy node [%#lx-%#lx) is in %s, its address hashes to shard %ld\n",
			       va->va_start, va->va_end, name,
			       (long)(addr_shard(va->va_start) - vmap_shards));
			return -EINVAL;
		}
	}
	if (l != head) {
		pr_err("vmalloc_check: %s list is longer than its tree\n", name);
		return -EINVAL;
	}
	return 0;
}

/*
 * The checker's cursors: one per busy shard's list, then the free list's
 * (COVER_FREE). Of them, the one whose area starts lowest (or NULL).
 */
#define COVER_FREE  VMAP_NR_SHARDS
#define COVER_LISTS (VMAP_NR_SHARDS + 1)

static struct vmap_area *lowest_of(struct list_head *cur[COVER_LISTS],
				   struct list_head *heads[COVER_LISTS], int *which)
{
	struct vmap_area *best = NULL;
	int i;

	for (i = 0; i < COVER_LISTS; i++) {
		struct vmap_area *va = list_entry(cur[i], struct vmap_area, list);

		if (cur[i] != heads[i] && (!best || va->va_start < best->va_start)) {
			best = va;
			*which = i;
		}
	}
	return best;
}

/*
 * Add @va (lazy or pooled, @what) to the checker's tree by address, built
 * through its rb_node (unused in those states) under the checker's locks
 * and forgotten afterwards. Overlapping an entry already there is an error.
 */
static int check_tree_add(struct rb_root *root, struct vmap_area *va, const char *what)
{
	struct rb_node *parent, **link;

	if (va->va_start >= va->va_end || !PAGE_ALIGNED(va->va_start) ||
	    !PAGE_ALIGNED(va->va_end)) {
		pr_err("vmalloc_check: %s area [%#lx-%#lx) is malformed\n", what, va->va_start,
		       va->va_end);
		return -EINVAL;
	}
	link = find_va_link(va->va_start, va->va_end, root, &parent);
	if (!link) {
		pr_err("vmalloc_check: %s area [%#lx-%#lx) overlaps another lazy or pooled area\n",
		       what, va->va_start, va->va_end);
		return -EINVAL;
	}
	rb_link_node(&va->rb_node, parent, link);
	rb_insert_color(&va->rb_node, root);
	return 0;
}

/*
 * The pooled areas into the checker's tree (check_tree_add()). An entry
 * on the list of another size is an error.
 */
static int pool_check_tree(struct vmap_pool *pool, struct rb_root *root)
{
	unsigned long nr = 0, pages = 0;
	struct vmap_area *va;
	int i;

	assert_held(&pool->lock);
	for (i = 0; i < VMAP_POOL_MAX_PAGES; i++) {
		list_for_each_entry(va, &pool->sizes[i], list) {
			if (va_pages(va) != (unsigned long)i + 1) {
				pr_err("vmalloc_check: pool entry [%#lx-%#lx) is on the list of %d pages\n",
				       va->va_start, va->va_end, i + 1);
				return -EINVAL;
			}
			if (check_tree_add(root, va, "pooled"))
				return -EINVAL;
			nr++;
			pages += va_pages(va);
		}
	}
	if (nr != pool->nr_areas || pages != pool->nr_pages) {
		pr_err("vmalloc_check: pool counters areas %lu/%lu pages %lu/%lu\n", pool->nr_areas,
		       nr, pool->nr_pages, pages);
		return -EINVAL;
	}
	return 0;
}

/* CPU @cpu's lazy list into the checker's tree, its counters checked ([P] held). */
static int lazy_check_list(unsigned int cpu, struct rb_root *root, unsigned long *nr,
			   unsigned long *pages)
{
	struct vmap_lazy_list *l = &vmap_lazy[cpu];
	unsigned long n = 0, p = 0;
	struct vmap_area *va;

	assert_held(&l->lock);
	list_for_each_entry(va, &l->head, list) {
		if (check_tree_add(root, va, "lazy"))
			return -EINVAL;
		n++;
		p += va_pages(va);
	}
	if (p != l->nr_pages || n != l->nr_added - l->nr_taken) {
		pr_err("vmalloc_check: CPU %u lazy list: %lu areas, %lu pages; counters say %lu, %lu\n",
		       cpu, n, p, l->nr_added - l->nr_taken, l->nr_pages);
		return -EINVAL;
	}
	*nr += n;
	*pages += p;
	return 0;
}

/* Every CPU's lazy list into the checker's tree, one lock at a time. */
static int lazy_check_tree(struct rb_root *root, unsigned long *nr, unsigned long *pages)
{
	int err = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS && !err; cpu++) {
		spin_lock(&vmap_lazy[cpu].lock);
		err = lazy_check_list(cpu, root, nr, pages);
		spin_unlock(&vmap_lazy[cpu].lock);
	}
	return err;
}

/* Forget the checker's tree: the rb_node of every lazy and pooled area cleared. */
static void check_tree_forget(void)
{
	struct vmap_area *va;
	int i;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		assert_held(&vmap_pools[cpu].lock);
		for (i = 0; i < VMAP_POOL_MAX_PAGES; i++)
			list_for_each_entry(va, &vmap_pools[cpu].sizes[i], list)
				RB_CLEAR_NODE(&va->rb_node);
	}
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		spin_lock(&vmap_lazy[cpu].lock);
		list_for_each_entry(va, &vmap_lazy[cpu].head, list)
			RB_CLEAR_NODE(&va->rb_node);
		spin_unlock(&vmap_lazy[cpu].lock);
	}
}

/* The lazy or pooled area starting at @addr in the checker's tree, or NULL. */
static struct vmap_area *check_tree_find(struct rb_root *root, unsigned long addr)
{
	struct rb_node *n = root->rb_node;

	while (n) {
		struct vmap_area *va = va_of(n);

		if (addr < va->va_start)
			n = n->rb_left;
		else if (addr > va->va_start)
			n = n->rb_right;
		else
			return va;
	}
	return NULL;
}

/*
 * busy + lazy + free + pooled must tile each managed range exactly, in
 * order; @other is the checker's tree of the lazy and pooled areas (@nr_other).
 */
static int check_coverage(struct rb_root *other, unsigned long nr_other)
{
	struct list_head *heads[COVER_LISTS], *cur[COVER_LISTS];
	unsigned long matched = 0;
	struct vmap_area *va, *ova;
	int r, which = 0;

	for (r = 0; r < COVER_LISTS; r++) {
		heads[r] = r == COVER_FREE ? &vmap_free.head : &vmap_shards[r].busy.head;
		cur[r] = heads[r]->next;
	}

	for (r = 0; r < NR_VMAP_RANGES; r++) {
		unsigned long at = vmap_ranges[r].start;

		while (at < vmap_ranges[r].end) {
			va = lowest_of(cur, heads, &which);
			if ((!va || va->va_start != at) && (ova = check_tree_find(other, at)) &&
			    ova->va_end <= vmap_ranges[r].end) {
				at = ova->va_end;
				matched++;
				continue;
			}
			if (!va || va->va_start != at || va->va_end > vmap_ranges[r].end) {
				pr_err("vmalloc_check: %s range: at %#lx expected an area, found %s [%#lx-%#lx)\n",
				       vmap_ranges[r].name, at,
				       va ? (which == COVER_FREE ? "free" : "busy") : "none",
				       va ? va->va_start : 0, va ? va->va_end : 0);
				return -EINVAL;
			}
			at = va->va_end;
			cur[which] = cur[which]->next;
		}
	}
	va = lowest_of(cur, heads, &which);
	if (va) {
		pr_err("vmalloc_check: %s area [%#lx-%#lx) lies outside the managed ranges\n",
		       which == COVER_FREE ? "free" : "busy", va->va_start, va->va_end);
		return -EINVAL;
	}
	if (matched != nr_other) {
		pr_err("vmalloc_check: %lu of %lu lazy and pool entries lie outside the managed ranges or overlap another area\n",
		       nr_other - matched, nr_other);
		return -EINVAL;
	}
	return 0;
}

/*
 * With Q, every V, F and every O held: nothing leaves the lazy lists (purges hold Q),
 * and when @quiet (nothing in transit) nothing joins them either (a range
 * goes lazy only after leaving the busy tree), so the tiling can be checked.
 */
static int vmalloc_check_locked(bool quiet)
{
	unsigned long nr_free, nr_lazy = 0, lazy_pages_seen = 0, nr_pooled = 0, n;
	struct rb_root other = RB_ROOT;
	char name[16];
	int err = 0;

	assert_held(&vmap_free.lock);
	for (unsigned int i = 0; i < VMAP_NR_SHARDS && !err; i++) {
		struct vmap_shard *shard = &vmap_shards[i];

		assert_held(&shard->busy.lock);
		snprintf(name, sizeof(name), "busy shard %u", i);
		err = check_va_tree(&shard->busy, name, false, &n);
		if (!err && n != shard->nr_busy) {
			pr_err("vmalloc_check: %s holds %lu areas, its counter says %lu\n", name, n,
			       shard->nr_busy);
			err = -EINVAL;
		}
	}
	if (!err)
		err = check_va_tree(&vmap_free, "free", true, &nr_free);
	if (!err)
		err = lazy_check_tree(&other, &nr_lazy, &lazy_pages_seen);
	for (unsigned int cpu = 0; cpu < NR_CPUS && !err; cpu++) {
		err = pool_check_tree(&vmap_pools[cpu], &other);
		nr_pooled += vmap_pools[cpu].nr_areas;
	}
	if (!err && quiet)
		err = check_coverage(&other, nr_lazy + nr_pooled);
	check_tree_forget();
	if (err)
		return err;
	if (nr_free != vmalloc_stats.nr_free_blocks || (quiet && lazy_pages_seen != lazy_pages())) {
		pr_err("vmalloc_check: counters free %lu/%lu lazy pages %lu/%lu\n",
		       vmalloc_stats.nr_free_blocks, nr_free, lazy_pages(), lazy_pages_seen);
		return -EINVAL;
	}
	return 0;
}

/*
 * vmalloc_check - verify everything vmalloc keeps
 *  => The busy and free trees obey the red-black rules and match their
 *     lists; every subtree_max_size is right; areas are sorted and
 *     non-overlapping; free blocks are never adjacent; every lazy area is
 *     well formed and counted on its CPU's list; every pooled area is on
 *     the list of its size; no lazy or pooled area overlaps another; busy +
 *     lazy + free + pooled tile the managed ranges exactly; the counters agree.
 *  => Returns 0, or -EINVAL after printing the first bad node.
 *  => O(n); takes all vmalloc locks (so it waits for a purge batch).
 *  => The tiling is checked only at a moment when no range is between two
 *     trees (another CPU in the middle of vmalloc() or vfree()): up to
 *     VMALLOC_CHECK_TRIES attempts, then the trees and counters alone.
 */
#define VMALLOC_CHECK_TRIES 1000

/*
 * Every lock vmalloc_check() needs, in the order Q -> V (every shard) -> F
 * -> O (every pool); the shards' and pools' taken under Q as their nest
 * lock (lockdep then counts each class once, see spin_lock_nest_lock()).
 */
static void vmalloc_lock_all(void)
{
	spin_lock(&vmap_purge_lock); /* no batch half-way between lazy and free */
	for (unsigned int i = 0; i < VMAP_NR_SHARDS; i++)
		spin_lock_nest_lock(&vmap_shards[i].busy.lock, &vmap_purge_lock);
	spin_lock(&vmap_free.lock);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		spin_lock_nest_lock(&vmap_pools[cpu].lock, &vmap_purge_lock);
}

static void vmalloc_unlock_all(void)
{
	for (unsigned int cpu = NR_CPUS; cpu-- > 0;)
		spin_unlock(&vmap_pools[cpu].lock);
	spin_unlock(&vmap_free.lock);
	for (unsigned int i = VMAP_NR_SHARDS; i-- > 0;)
		spin_unlock(&vmap_shards[i].busy.lock);
	spin_unlock(&vmap_purge_lock);
}

int vmalloc_check(void)
{
	int err, tries = 0;
	bool quiet;

	if (!vmap_initialized)
		return 0;
	for (;;) {
		vmalloc_lock_all();
		quiet = !transit_sum();
		if (quiet || ++tries >= VMALLOC_CHECK_TRIES)
			break;
		vmalloc_unlock_all();
		cpu_relax();
	}
	err = vmalloc_check_locked(quiet);
	vmalloc_unlock_all();
	return err;
}

/*
 * Take @lock unless this CPU holds it (a fault inside vmalloc). Held by
 * another CPU, it is waited for, but not forever: a CPU stopped with it
 * held must not hang the report (the walk then goes without it).
 */
static bool lock_if_free(struct spinlock *lock)
{
	if (spin_held_by_this_cpu(lock))
		return false;
	for (unsigned long spins = 0; spins < (1UL << 24); spins++) {
		if (spin_trylock(lock))
			return true;
		cpu_relax();
	}
	return false;
}

static void describe_busy(const struct vmap_area *va, unsigned long addr, char *buf, size_t len)
{
	const struct vm_struct *vm = va->vm;
	unsigned long usable = get_vm_area_size(vm);
	const char *what;

	if (addr >= va->va_start + usable)
		what = "guard page of";
	else if (vmalloc_addr_pfn(addr) == -1UL)
		what = "inside (not mapped)";
	else
		what = "inside";
	snprintf(buf, len, "%s vmalloc area [%#lx-%#lx] %lu pages, allocated by %pS", what,
		 va->va_start, va->va_end, usable >> PAGE_SHIFT, vm->caller);
}

/* Say what @va is if it holds @addr: a freed area (@how: "" or " (pooled)"). */
static bool describe_freed(const struct vmap_area *va, unsigned long addr, const char *how,
			   char *buf, size_t len)
{
	if (addr < va->va_start || addr >= va->va_end)
		return false;
	snprintf(buf, len, "freed vmalloc area [%#lx-%#lx] %lu pages%s, allocated by %pS",
		 va->va_start, va->va_end, va_pages(va), how, va->caller);
	return true;
}

/* @addr in an area of the lazy list @l: freed, not flushed yet. */
static bool describe_lazy(struct vmap_lazy_list *l, unsigned long addr, char *buf, size_t len)
{
	struct vmap_area *va;
	bool locked, found = false;

	if (READ_ONCE(l->head.next) == &l->head)
		return false;
	locked = lock_if_free(&l->lock);
	list_for_each_entry(va, &l->head, list)
		if ((found = describe_freed(va, addr, "", buf, len)))
			break;
	if (locked)
		spin_unlock(&l->lock);
	return found;
}

/* @addr in a pooled area: freed and flushed, waiting for reuse. */
static bool describe_pooled(struct vmap_pool *pool, unsigned long addr, char *buf, size_t len)
{
	bool locked = lock_if_free(&pool->lock), found = false;
	struct vmap_area *va;
	int i;

	for (i = 0; i < VMAP_POOL_MAX_PAGES && !found; i++)
		list_for_each_entry(va, &pool->sizes[i], list)
			if ((found = describe_freed(va, addr, " (pooled)", buf, len)))
				break;
	if (locked)
		spin_unlock(&pool->lock);
	return found;
}

/*
 * vmalloc_describe_fault - say what @addr is, for the page-fault handler
 *  => If @addr lies in a busy area (guard page included), a lazily freed
 *     one or a pooled one, writes e.g. "guard page of vmalloc area [0x..-0x..] 4 pages,
 *     allocated by foo+0x1c/0x80" into @buf and returns true; else false.
 *  => Safe from the fault handler: skips the lock if the fault happened
 *     with it held.
 */
bool vmalloc_describe_fault(unsigned long addr, char *buf, size_t len)
{
	bool found = false;

	if (!vmap_initialized)
		return false;
	for (unsigned int i = 0; i < VMAP_NR_SHARDS && !found; i++) {
		struct rb_list *busy = &vmap_shards[i].busy;
		bool locked = lock_if_free(&busy->lock);
		struct vmap_area *va = find_va_containing(busy, addr);

		if (va) {
			describe_busy(va, addr, buf, len);
			found = true;
		}
		if (locked)
			spin_unlock(&busy->lock);
	}
	for (unsigned int cpu = 0; cpu < NR_CPUS && !found; cpu++)
		found = describe_lazy(&vmap_lazy[cpu], addr, buf, len);
	for (unsigned int cpu = 0; cpu < NR_CPUS && !found; cpu++)
		found = describe_pooled(&vmap_pools[cpu], addr, buf, len);
	return found;
}
