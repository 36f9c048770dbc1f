/*
 * The address-range allocator under vmalloc, as an interface: what the
 * rest of mm/vmalloc.c (vm areas, vmalloc/vfree, vmap, the dumps and the
 * checker) calls, implemented in the first half of mm/vmalloc.c. Nothing
 * but mm/vmalloc.c (and its host test) includes this.
 *
 * A managed page of kernel address space is busy (handed out, in an
 * rb_list), lazy (freed, TLB not flushed yet: on a per-CPU list in the
 * order freed), free (in an rb_list) or pooled (flushed, kept by size).
 * A struct vmap_area is one range on one of them; the free tree keeps in
 * each node the largest free block of its subtree, so that a fit is found
 * in at most 256 + O(log n) node visits unless only an exactly aligned
 * short hole fits (the lowest fit, unless a fragmented window makes the
 * search fall back to a padded fit, see find_lowest_fit_locked()). Each
 * tree, its address-ordered list and its lock are one struct rb_list.
 *
 *	alloc_vmap_area()   free -> busy   (a fit as above; purges once when full)
 *	free_vmap_area()    busy -> free   (never mapped: no TLB to flush)
 *	free_vmap_area_noflush()  busy -> lazy; past the budget the idle path purges
 *	purge_vmap_area_lazy()    lazy -> free now (what was lazy at the call),
 *	                          one TLB flush per batch
 */
#ifndef MM_VMAP_AREA_H
#define MM_VMAP_AREA_H

#include "kernel/spinlock.h"
#include "lib/list.h"
#include "lib/rbtree.h"
#include "mm/gfp.h"

struct vm_struct;

/*
 * One reserved or free range [va_start, va_end), 64 bytes. Its state
 * decides its rb_list, and so the lock guarding it; the union holds what
 * that state needs.
 */
struct vmap_area {
	unsigned long va_start;
	unsigned long va_end;
	struct rb_node rb_node; /* busy or free tree (unused while lazy or pooled) */
	struct list_head list;	/* the same state's list */
	union {
		unsigned long subtree_max_size; /* free: largest block below */
		struct vm_struct *vm;		/* busy: its owner */
		const void *caller;		/* lazy: who allocated it */
	};
};

/*
 * A tree by address, the same areas as a list by address, and their lock,
 * of the noirq kind (no interrupt handler takes it, see mm/vmalloc.c).
 */
struct rb_list {
	struct rb_root root;
	struct list_head head;
	struct spinlock lock;
};

#define RB_LIST_INIT(name)                                          \
	{                                                           \
		.root = RB_ROOT, .head = LIST_HEAD_INIT(name.head), \
		.lock = SPINLOCK_NOIRQ_INIT(name.lock)              \
	}

/* The busy list (tree->lock held): one node per area, never overlapping. */
void link_va(struct vmap_area *va, struct rb_list *tree, const char *what);
void unlink_va(struct vmap_area *va, struct rb_list *tree);
/* The area of @tree containing @addr, or NULL. Its lock held, except by the
 * fault reporter, which reads without it when it cannot take it. */
struct vmap_area *find_va_containing(struct rb_list *tree, unsigned long addr);

/*
 * The free list (its lock held). Free blocks never touch: insert only a
 * block that touches none, otherwise merge. find_lowest_fit_locked()
 * returns a free block holding an @align-aligned address @addr where @size
 * bytes fit inside [vstart, vend): the lowest such address when the exact
 * search finds it within its budget, else the lowest among the blocks of
 * at least size + align - PAGE_SIZE bytes, else (no such block) the lowest
 * fit found without a budget; NULL only when nothing fits. Clipping carves
 * [addr, addr + size) out of the block (-ENOMEM when a middle split finds
 * no spare node, see ne_fit_preload()).
 */
void link_free_va_locked(struct vmap_area *va);
void unlink_free_va_locked(struct vmap_area *va);
void merge_or_add_free_locked(struct vmap_area *va);
struct vmap_area *find_lowest_fit_locked(unsigned long size, unsigned long align,
					 unsigned long vstart, unsigned long vend,
					 unsigned long *addr);
int clip_free_va_locked(struct vmap_area *va, unsigned long addr, unsigned long size);
/* Have a spare node ready for a middle split; takes the free lock. */
void ne_fit_preload(gfp_t gfp);

/*
 * The allocator (takes the locks itself). alloc_vmap_area() reserves @size
 * bytes for @vm and sets vm->addr/size, or returns NULL changing nothing.
 * The free functions consume @va.
 */
struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align, unsigned long vstart,
				  unsigned long vend, gfp_t gfp, struct vm_struct *vm);
void free_vmap_area(struct vmap_area *va);
void free_vmap_area_noflush(struct vmap_area *va, const void *caller);
bool purge_vmap_area_lazy(void);

#endif /* MM_VMAP_AREA_H */
