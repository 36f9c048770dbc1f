/*
 * Slab caches: objects of one size, packed into slabs, each slab one buddy
 * block of the cache's order. The slab's head struct page describes it:
 * PG_slab, slab_cache, inuse (objects handed out) and freelist (the index of
 * the first free object). Free objects are chained through their first word:
 *
 *   slab  [ obj0 | obj1 | obj2 | obj3 | ... | objN-1 | waste ]
 *   page->freelist = 2 -> obj2.link = 0 -> obj0.link = 3 -> obj3.link = END
 *
 * A link is stored as next_index ^ SLAB_LINK_KEY ^ (object address), so a
 * live object's data almost never decodes to a plausible index. Double-free
 * detection is exact: an object whose first word decodes plausibly is looked
 * for on its slab's freelist, and only a hit is a double free.
 *
 * Each cache keeps its slabs on three lists: partial (some objects free),
 * full, and free (no object in use; at most one is kept, the others go back
 * to the buddy at once; kmem_cache_shrink() gives back all of them).
 *
 * In front of the slab lists, each cache has one small array of free
 * objects per CPU (SLAB's array_cache is the model). kmem_cache_alloc()
 * pops from this CPU's array with interrupts off and no lock; an empty array
 * is refilled with a batch from the slab lists under the cache lock.
 * kmem_cache_free() pushes; a full array flushes a batch back to the slabs.
 * An object in an array is free: it stays counted in active_objs (which
 * counts objects off their slab's freelist) and is subtracted when reported
 * (cache_active_objs()); its first word holds SLAB_CPU_KEY ^ address, so a
 * second free of it is found in the arrays. kmem_cache_drain_cpus() empties
 * every CPU's arrays (an IPI each); kmem_cache_shrink_all() also frees the
 * empty slabs, for exact counts (leak checks) and as the buddy's last resort
 * before an allocation fails. A cache that cannot grow drains the other
 * CPUs' arrays of its own objects before it fails.
 *
 * The cache descriptors come from the "kmem_cache" cache, whose own
 * descriptor is static (kmem_cache_boot). kmalloc() serves 8..4096 bytes
 * from the power-of-two caches kmalloc-8..kmalloc-4096, and larger sizes
 * from the buddy directly: such a block's head is PG_head without PG_slab,
 * with private = KMALLOC_LARGE_MAGIC so that kfree() can tell it from pages
 * the caller got from alloc_pages() itself.
 *
 * Lock legend:
 *   [S] slab_caches_lock	the list of caches
 *   [C] cache->lock		a cache's slab lists, counters, and its slabs'
 *				struct page fields and freelists
 *   [P] this CPU's, with interrupts off (others: racy reads only)
 *   [I] immutable after creation
 * Lock order: slab_caches_lock, then cache->lock, then a zone lock.
 */
#include "asm/ipi.h"
#include "asm/irqflags.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "lib/string.h"
#include "mm/internal.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"

#define LOCAL_TRACE 0

#define KMEM_CACHE_NAME_LEN 32
#define SLAB_MAX_ORDER	    3 /* slabs are at most 32 KiB */
#define SLAB_MIN_OBJECTS    4 /* prefer a larger order below this */
#define SLAB_MIN_SIZE	    sizeof(unsigned long)
#define SLAB_FREELIST_END   0xffffu
#define SLAB_LINK_KEY	    0x5ab1f4ee1157ab1eUL
#define KMALLOC_LARGE_MAGIC 0x6b6d616c6c6f6321UL
#define NR_KMALLOC_CACHES   10
#define SLAB_CPU_CACHE_SIZE 16 /* objects a CPU's array holds */
#define SLAB_CPU_BATCH	    8  /* objects moved per refill or flush */
#define SLAB_CPU_KEY	    0xc0ffee5ab1ecac4eUL

/* A CPU's free objects of one cache, last freed on top. */
struct slab_cpu_cache {
	unsigned int avail;		 /* [P] */
	void *objs[SLAB_CPU_CACHE_SIZE]; /* [P] */
};

struct kmem_cache {
	char name[KMEM_CACHE_NAME_LEN]; /* [I] */
	unsigned int object_size;	/* [I] size asked for */
	unsigned int size;		/* [I] stride: object_size rounded up to align */
	unsigned int align;		/* [I] */
	unsigned int order;		/* [I] buddy order of a slab */
	unsigned int objects;		/* [I] objects per slab */
	bool builtin;			/* [I] kmalloc or boot cache: never destroyed */
	struct spinlock lock;
	struct list_head slabs_partial;	    /* [C] */
	struct list_head slabs_full;	    /* [C] */
	struct list_head slabs_free;	    /* [C] */
	unsigned long nr_slabs;		    /* [C] all slabs, including free ones */
	unsigned long nr_free_slabs;	    /* [C] slabs on slabs_free */
	unsigned long active_objs;	    /* [C] objects handed out */
	struct list_head list;		    /* [S] on slab_caches */
	struct slab_cpu_cache cpu[NR_CPUS]; /* [P] by CPU number */
};

static DEFINE_SPINLOCK(slab_caches_lock);
static LIST_HEAD(slab_caches); /* [S] */
static bool slab_ready;	       /* [S] kmem_cache_init() done */

static struct kmem_cache kmem_cache_boot;
static struct kmem_cache *kmalloc_caches[NR_KMALLOC_CACHES]; /* [I] after init */

unsigned long fail_slab_injected; /* [L] of fail_slab */
static struct fault_attr fail_slab = FAULT_ATTR_INIT(fail_slab_lock, fail_slab_injected);

/*
 * fail_slab_set - make the @nth counted kmem_cache_alloc()/kmalloc() from
 * now fail, and the @times - 1 after it; 0 disarms. __GFP_NOFAULT calls are
 * not counted.
 */
void fail_slab_set(unsigned long nth, unsigned long times)
{
	fault_attr_set(&fail_slab, nth, times);
}

/* ---- objects and freelists ---- */

static inline void *slab_base(struct page *slab)
{
	return page_address(slab);
}

static inline void *slab_object(struct kmem_cache *c, struct page *slab, unsigned int idx)
{
	return (char *)slab_base(slab) + (size_t)idx * c->size;
}

static inline void set_link(void *obj, unsigned int next)
{
	*(unsigned long *)obj = next ^ SLAB_LINK_KEY ^ (unsigned long)obj;
}

static inline unsigned long get_link(const void *obj)
{
	return *(const unsigned long *)obj ^ SLAB_LINK_KEY ^ (unsigned long)obj;
}

static inline bool link_plausible(struct kmem_cache *c, unsigned long link)
{
	return link < c->objects || link == SLAB_FREELIST_END;
}

/* True when object @idx is on @slab's freelist (exact, by walking it). */
static bool object_is_free_locked(struct kmem_cache *c, struct page *slab, unsigned int idx)
{
	unsigned long i = slab->freelist;

	assert_held(&c->lock);
	if (!link_plausible(c, get_link(slab_object(c, slab, idx))))
		return false;
	for (unsigned int n = 0; n < c->objects && i < c->objects; n++) {
		if (i == idx)
			return true;
		i = get_link(slab_object(c, slab, i));
	}
	return false;
}

/* ---- slabs ---- */

/* Get a buddy block for @c and chain all its objects on its freelist. */
static struct page *allocate_slab(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	struct page *slab = __alloc_pages(gfp & ~__GFP_ZERO, c->order, caller);

	if (!slab)
		return NULL;
	slab->flags |= PG_slab;
	slab->slab_cache = c;
	slab->inuse = 0;
	slab->freelist = 0;
	for (unsigned int i = 0; i < c->objects; i++)
		set_link(slab_object(c, slab, i), i + 1 < c->objects ? i + 1 : SLAB_FREELIST_END);
	ltrace("%s: slab pfn %#lx\n", c->name, page_to_pfn(slab));
	return slab;
}

/* Give an empty slab, already off the cache's lists, back to the buddy. */
static void discard_slab(struct kmem_cache *c, struct page *slab)
{
	slab->flags &= ~PG_slab;
	slab->slab_cache = NULL;
	slab->inuse = 0;
	slab->freelist = 0;
	__free_pages(slab, c->order);
}

/* Take the first free object of @slab; move the slab to full if it was the last. */
static void *take_object_locked(struct kmem_cache *c, struct page *slab)
{
	void *obj = slab_object(c, slab, slab->freelist);
	unsigned long next = get_link(obj);

	assert_held(&c->lock);
	if (!link_plausible(c, next))
		panic("slab: cache %s: freelist corrupted at %p (link %#lx)", c->name, obj, next);
	slab->freelist = next;
	*(unsigned long *)obj = 0;
	slab->inuse++;
	c->active_objs++;
	if (slab->freelist == SLAB_FREELIST_END)
		list_move(&slab->slab_list, &c->slabs_full);
	return obj;
}

/* A slab of @c with a free object, now on its partial list; NULL if none. */
static struct page *partial_slab_locked(struct kmem_cache *c)
{
	struct page *slab;

	assert_held(&c->lock);
	if (!list_empty(&c->slabs_partial))
		return list_first_entry(&c->slabs_partial, struct page, slab_list);
	if (list_empty(&c->slabs_free))
		return NULL;
	slab = list_first_entry(&c->slabs_free, struct page, slab_list);
	list_move(&slab->slab_list, &c->slabs_partial);
	c->nr_free_slabs--;
	return slab;
}

/*
 * Put @obj, an object of @slab known not to be free, back on the slab's
 * freelist. Return: the slab if it became empty while another empty one is
 * kept (now off the lists, for discard_slab() after the lock), else NULL.
 */
static struct page *put_object_locked(struct kmem_cache *c, struct page *slab, void *obj)
{
	unsigned int idx = ((unsigned long)obj - (unsigned long)slab_base(slab)) / c->size;

	assert_held(&c->lock);
	set_link(obj, slab->freelist);
	slab->freelist = idx;
	slab->inuse--;
	c->active_objs--;
	if (slab->inuse == 0) {
		if (c->nr_free_slabs) {
			list_del(&slab->slab_list);
			c->nr_slabs--;
			return slab;
		}
		list_move(&slab->slab_list, &c->slabs_free);
		c->nr_free_slabs++;
	} else if (slab->inuse == c->objects - 1) {
		list_move(&slab->slab_list, &c->slabs_partial);
	}
	return NULL;
}

/* ---- per-CPU arrays ---- */

static inline unsigned long cpu_mark(const void *obj)
{
	return SLAB_CPU_KEY ^ (unsigned long)obj;
}

/* The slab of an object known to be one (no validity checks). */
static inline struct page *object_slab(const void *obj)
{
	return compound_head(virt_to_page(obj));
}

/* Objects of @c sitting in CPU arrays (a racy sum unless drained). */
static unsigned long cpu_cached_objs(struct kmem_cache *c)
{
	unsigned long n = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		n += READ_ONCE(c->cpu[cpu].avail);
	return n;
}

/*
 * Objects of @c handed out: those off their slabs minus those in CPU arrays.
 * Exact once drained; else the arrays' sum races with other CPUs' pushes,
 * so it is kept from going below 0.
 */
static unsigned long cache_active_objs(struct kmem_cache *c)
{
	unsigned long cached = cpu_cached_objs(c);

	return c->active_objs > cached ? c->active_objs - cached : 0;
}

/* True when @obj is in some CPU's array of @c (exact for this CPU's). */
static bool in_cpu_caches(struct kmem_cache *c, const void *obj)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct slab_cpu_cache *cc = &c->cpu[cpu];
		unsigned int n = min(READ_ONCE(cc->avail), (unsigned int)SLAB_CPU_CACHE_SIZE);

		for (unsigned int i = 0; i < n; i++)
			if (READ_ONCE(cc->objs[i]) == obj)
				return true;
	}
	return false;
}

/* Fill the empty array @cc with up to a batch from @c's slabs; returns how many. */
static unsigned int refill_cpu_cache(struct kmem_cache *c, struct slab_cpu_cache *cc)
{
	struct page *slab;

	spin_lock(&c->lock);
	/* an empty slab is started only for the first object: it stays free otherwise */
	while (cc->avail < SLAB_CPU_BATCH && (!cc->avail || !list_empty(&c->slabs_partial)) &&
	       (slab = partial_slab_locked(c))) {
		void *obj = take_object_locked(c, slab);

		*(unsigned long *)obj = cpu_mark(obj);
		cc->objs[cc->avail++] = obj;
	}
	spin_unlock(&c->lock);
	/* pop in freelist order, as the slab itself would hand them out */
	for (unsigned int i = 0, j = cc->avail; i + 1 < j; i++, j--) {
		void *tmp = cc->objs[i];

		cc->objs[i] = cc->objs[j - 1];
		cc->objs[j - 1] = tmp;
	}
	return cc->avail;
}

/*
 * Give the @n oldest objects of @cc back to their slabs; emptied slabs go on
 * @discard. avail drops under the lock with active_objs, so that a reader of
 * both under the lock never sees the objects counted out of both.
 */
static void flush_cpu_cache(struct kmem_cache *c, struct slab_cpu_cache *cc, unsigned int n,
			    struct list_head *discard)
{
	spin_lock(&c->lock);
	for (unsigned int i = 0; i < n; i++) {
		struct page *slab = object_slab(cc->objs[i]);
		struct page *empty = put_object_locked(c, slab, cc->objs[i]);

		if (empty)
			list_add(&empty->slab_list, discard);
	}
	WRITE_ONCE(cc->avail, cc->avail - n);
	spin_unlock(&c->lock);
	memmove(cc->objs, cc->objs + n, cc->avail * sizeof(cc->objs[0]));
}

static void discard_slabs(struct kmem_cache *c, struct list_head *list)
{
	struct page *slab, *next;

	list_for_each_entry_safe(slab, next, list, slab_list) {
		list_del(&slab->slab_list);
		discard_slab(c, slab);
	}
}

/* An object from this CPU's array of @c, refilled if empty; NULL if the slabs have none. */
static void *cpu_cache_alloc(struct kmem_cache *c)
{
	struct slab_cpu_cache *cc;
	unsigned long flags;
	void *obj = NULL;

	local_irq_save(flags);
	cc = &c->cpu[smp_processor_id()];
	if (cc->avail || refill_cpu_cache(c, cc)) {
		obj = cc->objs[--cc->avail];
		*(unsigned long *)obj = 0;
	}
	local_irq_restore(flags);
	return obj;
}

/*
 * Push @obj (a valid object boundary of @c) on this CPU's array, flushing a
 * batch first if it is full. Return: false when the object might be on its
 * slab's freelist (the caller's locked path decides), else true: pushed, or
 * refused with a WARN as already in a CPU's array.
 */
static bool cpu_cache_free(struct kmem_cache *c, void *obj, const char *who, unsigned long caller)
{
	struct slab_cpu_cache *cc;
	unsigned long flags;
	LIST_HEAD(discard);

	if (*(unsigned long *)obj == cpu_mark(obj) && in_cpu_caches(c, obj)) {
		WARN(1, "%s: double free of %p in %s (caller %pS)", who, obj, c->name,
		     (void *)caller);
		return true;
	}
	if (link_plausible(c, get_link(obj)))
		return false;
	local_irq_save(flags);
	cc = &c->cpu[smp_processor_id()];
	if (cc->avail == SLAB_CPU_CACHE_SIZE)
		flush_cpu_cache(c, cc, SLAB_CPU_BATCH, &discard);
	*(unsigned long *)obj = cpu_mark(obj);
	cc->objs[cc->avail++] = obj;
	local_irq_restore(flags);
	discard_slabs(c, &discard);
	return true;
}

/* Empty this CPU's array of @c, or of every cache if @c is NULL. */
static void drain_local_caches(struct kmem_cache *c)
{
	unsigned long flags;
	LIST_HEAD(discard);

	local_irq_save(flags);
	if (c) {
		struct slab_cpu_cache *cc = &c->cpu[smp_processor_id()];

		flush_cpu_cache(c, cc, cc->avail, &discard);
		discard_slabs(c, &discard);
	} else {
		spin_lock(&slab_caches_lock);
		list_for_each_entry(c, &slab_caches, list) {
			struct slab_cpu_cache *cc = &c->cpu[smp_processor_id()];

			flush_cpu_cache(c, cc, cc->avail, &discard);
			discard_slabs(c, &discard);
		}
		spin_unlock(&slab_caches_lock);
	}
	local_irq_restore(flags);
}

static void drain_local_caches_ipi(void *cache)
{
	drain_local_caches(cache);
}

/*
 * kmem_cache_drain_cpus - give every CPU's array of @cache (every cache if
 * NULL) back to the slabs, so that the slab lists and counts are exact.
 * => Sends an IPI to each CPU and waits; with interrupts off only this
 *    CPU's arrays are drained.
 */
void kmem_cache_drain_cpus(struct kmem_cache *cache)
{
	if (irqs_disabled())
		drain_local_caches(cache);
	else
		on_each_cpu(drain_local_caches_ipi, cache, true);
}

/*
 * Add a new slab to @c's partial list, unless another CPU added one first.
 * Return: false if the buddy has no block for it.
 */
static bool grow_cache(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	/*
	 * The page comes without c->lock: held, interrupts would be off and
	 * the buddy could drain only this CPU's page cache.
	 */
	struct page *new = allocate_slab(c, gfp, caller);

	if (!new)
		return false;
	spin_lock(&c->lock);
	if (partial_slab_locked(c)) {
		spin_unlock(&c->lock);
		discard_slab(c, new);
		return true;
	}
	list_add(&new->slab_list, &c->slabs_partial);
	c->nr_slabs++;
	spin_unlock(&c->lock);
	return true;
}

/*
 * An object of @c when no new slab could be had: other CPUs' arrays may
 * hold free objects of @c; drained, they are on the slabs again.
 */
static void *alloc_after_drain(struct kmem_cache *c)
{
	kmem_cache_drain_cpus(c);
	return cpu_cache_alloc(c);
}

static void *slab_alloc(struct kmem_cache *c, gfp_t gfp, unsigned long caller)
{
	void *obj;

	if (WARN(!c, "kmem_cache_alloc: NULL cache (caller %pS)", (void *)caller))
		return NULL;
	if (!(gfp & __GFP_NOFAULT) && should_fail(&fail_slab))
		goto fail;
	obj = cpu_cache_alloc(c);
	while (!obj && grow_cache(c, gfp, caller))
		obj = cpu_cache_alloc(c);
	if (!obj && !(obj = alloc_after_drain(c)))
		goto fail;
	if (gfp & __GFP_ZERO)
		memset(obj, 0, c->size);
	return obj;
fail:
	if (!(gfp & __GFP_NOWARN))
		pr_warn("kmem_cache_alloc: %s (object size %u): allocation failure, gfp:0x%x (caller %pS)\n",
			c->name, c->object_size, gfp, (void *)caller);
	return NULL;
}

/*
 * Put @obj back on @slab (of @c). @who names the public entry in messages.
 * Refuses, with a WARN and no change, an address that is not an object of
 * the slab or an object that is already free.
 */
static void slab_free(struct kmem_cache *c, struct page *slab, const void *obj, const char *who,
		      unsigned long caller)
{
	unsigned long offset = (unsigned long)obj - (unsigned long)slab_base(slab);
	struct page *discard;
	unsigned int idx;

	if (WARN(offset % c->size || offset / c->size >= c->objects,
		 "%s: invalid pointer %p (caller %pS): not an object boundary of %s", who, obj,
		 (void *)caller, c->name))
		return;
	idx = offset / c->size;
	if (cpu_cache_free(c, (void *)obj, who, caller))
		return;
	spin_lock(&c->lock);
	if (WARN(object_is_free_locked(c, slab, idx), "%s: double free of %p in %s (caller %pS)",
		 who, obj, c->name, (void *)caller)) {
		spin_unlock(&c->lock);
		return;
	}
	discard = put_object_locked(c, slab, (void *)obj);
	spin_unlock(&c->lock);
	if (discard)
		discard_slab(c, discard);
}

/* The head page of the block holding direct-map address @p, or NULL. */
static struct page *addr_to_head(const void *p)
{
	unsigned long pfn;
	struct page *page;

	if (!virt_addr_valid(p))
		return NULL;
	pfn = virt_to_pfn(p);
	if (!pfn_valid(pfn))
		return NULL;
	page = pfn_to_page(pfn);
	if ((page->flags & PG_tail) && !pfn_valid(page->private))
		return NULL;
	return compound_head(page);
}

static bool is_large_kmalloc(struct page *head, const void *p)
{
	return (head->flags & (PG_head | PG_slab)) == PG_head &&
	       head->private == KMALLOC_LARGE_MAGIC && p == page_address(head);
}

/* ---- caches ---- */

/* Choose the slab order: the smallest with little waste and enough objects. */
static bool calculate_sizes(struct kmem_cache *c)
{
	unsigned long best_waste = 0, best_bytes = 1;
	int best = -1;

	for (unsigned int order = 0; order <= SLAB_MAX_ORDER; order++) {
		unsigned long bytes = PAGE_SIZE << order;
		unsigned long objs = min(bytes / c->size, (unsigned long)SLAB_FREELIST_END - 1);
		unsigned long waste = bytes - objs * c->size;

		if (!objs)
			continue;
		if (waste * 8 <= bytes && objs >= SLAB_MIN_OBJECTS) {
			best = order;
			break;
		}
		if (best < 0 || waste * best_bytes < best_waste * bytes) {
			best = order;
			best_waste = waste;
			best_bytes = bytes;
		}
	}
	if (best < 0)
		return false;
	c->order = best;
	c->objects = min((PAGE_SIZE << best) / c->size, (unsigned long)SLAB_FREELIST_END - 1);
	return true;
}

static bool kmem_cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align)
{
	size_t n;

	if (!name || !size || size > (PAGE_SIZE << SLAB_MAX_ORDER) || !is_power_of_2(align) ||
	    align > PAGE_SIZE) {
		pr_err("kmem_cache_create: %s: refused size %zu align %zu\n",
		       name ? name : "(null)", size, align);
		return false;
	}
	memset(c, 0, sizeof(*c));
	for (n = 0; name[n] && n + 1 < KMEM_CACHE_NAME_LEN; n++)
		c->name[n] = name[n];
	c->name[n] = '\0';
	c->object_size = size;
	c->align = align;
	c->size = ALIGN(max(size, SLAB_MIN_SIZE), align);
	if (!calculate_sizes(c)) {
		pr_err("kmem_cache_create: %s: no slab order fits %u-byte objects\n", name,
		       c->size);
		return false;
	}
	spin_lock_init(&c->lock, c->name);
	INIT_LIST_HEAD(&c->slabs_partial);
	INIT_LIST_HEAD(&c->slabs_full);
	INIT_LIST_HEAD(&c->slabs_free);
	return true;
}

static void slab_caches_add(struct kmem_cache *c)
{
	spin_lock(&slab_caches_lock);
	list_add_tail(&c->list, &slab_caches);
	spin_unlock(&slab_caches_lock);
}

static struct kmem_cache *create_cache(const char *name, size_t size, size_t align, gfp_t gfp,
				       unsigned long caller)
{
	struct kmem_cache *c;

	if (WARN(!slab_ready, "kmem_cache_create: %s before kmem_cache_init()", name ? name : "?"))
		return NULL;
	c = slab_alloc(&kmem_cache_boot, gfp, caller);
	if (!c)
		return NULL;
	if (!kmem_cache_setup(c, name, size, align ? align : SLAB_MIN_SIZE)) {
		slab_free(&kmem_cache_boot, addr_to_head(c), c, "kmem_cache_create", caller);
		return NULL;
	}
	slab_caches_add(c);
	return c;
}

/*
 * kmem_cache_create - a cache of @size-byte objects aligned to @align
 * (0: 8 bytes; else a power of two up to PAGE_SIZE).
 * => After kmem_cache_init(). The name is copied (31 characters kept).
 * Return: the cache, or NULL with a message (bad size/align, no memory).
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align)
{
	return create_cache(name, size, align, GFP_KERNEL, _RET_IP_);
}

static unsigned long release_free_slabs(struct kmem_cache *cache);

/*
 * kmem_cache_shrink - drain @cache's CPU arrays, then give every empty slab
 * back to the buddy.
 * Return: the number of pages freed.
 */
unsigned long kmem_cache_shrink(struct kmem_cache *cache)
{
	if (!cache)
		return 0;
	kmem_cache_drain_cpus(cache);
	return release_free_slabs(cache);
}

/* Give @cache's empty slabs back to the buddy; returns the pages freed. */
static unsigned long release_free_slabs(struct kmem_cache *cache)
{
	LIST_HEAD(empty);
	struct page *slab, *next;
	unsigned long pages = 0;

	spin_lock(&cache->lock);
	list_splice_init(&cache->slabs_free, &empty);
	cache->nr_slabs -= cache->nr_free_slabs;
	cache->nr_free_slabs = 0;
	spin_unlock(&cache->lock);
	list_for_each_entry_safe(slab, next, &empty, slab_list) {
		list_del(&slab->slab_list);
		discard_slab(cache, slab);
		pages += 1UL << cache->order;
	}
	return pages;
}

/*
 * kmem_cache_shrink_all - drain every CPU's arrays of every cache, then give
 * every cache's empty slabs back to the buddy: after it, slab_nr_pages()
 * counts only slabs with objects in use and slab_nr_objects() is exact
 * (while nothing else allocates). The buddy calls it before failing.
 * => With interrupts off only this CPU's arrays are drained.
 * Return: the number of pages freed.
 */
unsigned long kmem_cache_shrink_all(void)
{
	struct kmem_cache *c;
	unsigned long pages = 0;

	kmem_cache_drain_cpus(NULL);
	spin_lock(&slab_caches_lock);
	list_for_each_entry(c, &slab_caches, list)
		pages += release_free_slabs(c);
	spin_unlock(&slab_caches_lock);
	return pages;
}

/*
 * kmem_cache_destroy - free an empty cache and its slabs.
 * => Refused with a WARN (cache left intact) while objects are in use, for
 *    the kmalloc and boot caches, and with interrupts off on SMP (other
 *    CPUs' arrays cannot be drained then).
 */
void kmem_cache_destroy(struct kmem_cache *cache)
{
	unsigned long active;

	if (!cache)
		return;
	if (WARN(cache->builtin, "kmem_cache_destroy: %s is built in", cache->name))
		return;
	/* other CPUs' arrays could not be drained: their objects would outlive the cache */
	if (WARN(irqs_disabled() && num_online_cpus() > 1,
		 "kmem_cache_destroy: %s with interrupts off (caller %pS)", cache->name,
		 (void *)_RET_IP_))
		return;
	kmem_cache_drain_cpus(cache);
	spin_lock(&cache->lock);
	active = cache_active_objs(cache);
	spin_unlock(&cache->lock);
	if (WARN(active, "kmem_cache_destroy: %s still has %lu objects in use", cache->name,
		 active))
		return;
	kmem_cache_shrink(cache);
	spin_lock(&slab_caches_lock);
	list_del(&cache->list);
	spin_unlock(&slab_caches_lock);
	slab_free(&kmem_cache_boot, addr_to_head(cache), cache, "kmem_cache_destroy", _RET_IP_);
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
	return slab_alloc(cache, gfp, _RET_IP_);
}

/*
 * kmem_cache_free - give @obj back to @cache. NULL is a no-op.
 * => An address that is not an object of @cache, or an object already
 *    free, is refused with a WARN; nothing changes.
 */
void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	struct page *head;

	if (!obj)
		return;
	head = addr_to_head(obj);
	if (WARN(!cache || !head || !(head->flags & PG_slab) || head->slab_cache != cache,
		 "kmem_cache_free: %p is not an object of %s (caller %pS)", obj,
		 cache ? cache->name : "(null)", (void *)_RET_IP_))
		return;
	slab_free(cache, head, obj, "kmem_cache_free", _RET_IP_);
}

/* ---- kmalloc ---- */

static unsigned int kmalloc_index(size_t size)
{
	if (size <= KMALLOC_MIN_SIZE)
		return 0;
	return (64 - __builtin_clzl(size - 1)) - 3;
}

static unsigned int size_to_order(size_t size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return 64 - __builtin_clzl((size - 1) >> PAGE_SHIFT);
}

static void *__kmalloc(size_t size, gfp_t gfp, unsigned long caller)
{
	unsigned int order;
	struct page *page;

	if (!size)
		return NULL;
	if (WARN(!slab_ready, "kmalloc: %zu bytes before kmem_cache_init() (caller %pS)", size,
		 (void *)caller))
		return NULL;
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return slab_alloc(kmalloc_caches[kmalloc_index(size)], gfp, caller);
	order = size_to_order(size);
	if (order > MAX_ORDER || (!(gfp & __GFP_NOFAULT) && should_fail(&fail_slab))) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("kmalloc: allocation failure, %zu bytes, gfp:0x%x (caller %pS)\n",
				size, gfp, (void *)caller);
		return NULL;
	}
	page = __alloc_pages(gfp, order, caller);
	if (!page)
		return NULL;
	page->private = KMALLOC_LARGE_MAGIC;
	return page_address(page);
}

/*
 * kmalloc - @size bytes of kernel memory, physically contiguous.
 * => Up to KMALLOC_MAX_CACHE_SIZE from the kmalloc-N caches (the object is
 *    N-aligned), above that whole pages from the buddy.
 * Return: the memory, or NULL for size 0, on failure (message unless
 *    __GFP_NOWARN), or by fault injection.
 */
void *kmalloc(size_t size, gfp_t gfp)
{
	return __kmalloc(size, gfp, _RET_IP_);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return __kmalloc(size, gfp | __GFP_ZERO, _RET_IP_);
}

/* kcalloc - zeroed array of @n elements of @size bytes; NULL if n * size overflows. */
void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("kcalloc: %zu x %zu bytes overflows (caller %pS)\n", n, size,
				(void *)_RET_IP_);
		return NULL;
	}
	return __kmalloc(bytes, gfp | __GFP_ZERO, _RET_IP_);
}

/*
 * kfree - free memory from kmalloc() (or any slab object). NULL is a no-op.
 * => A pointer that is not a slab object boundary, not the start of a large
 *    kmalloc, or not in the direct map is refused with a WARN; nothing is
 *    freed. A double free is refused the same way.
 */
void kfree(const void *ptr)
{
	struct page *head;

	if (!ptr)
		return;
	head = addr_to_head(ptr);
	if (head && (head->flags & PG_slab)) {
		slab_free(head->slab_cache, head, ptr, "kfree", _RET_IP_);
		return;
	}
	if (head && is_large_kmalloc(head, ptr)) {
		head->private = 0;
		__free_pages(head, head->order);
		return;
	}
	WARN(1, "kfree: invalid pointer %p (caller %pS)", ptr, (void *)_RET_IP_);
}

/* ksize - usable bytes at @ptr (a kmalloc or slab object); 0 for NULL or invalid. */
size_t ksize(const void *ptr)
{
	struct page *head;

	if (!ptr)
		return 0;
	head = addr_to_head(ptr);
	if (head && (head->flags & PG_slab)) {
		unsigned long offset = (unsigned long)ptr - (unsigned long)slab_base(head);

		struct kmem_cache *c = head->slab_cache;

		if (offset % c->size == 0 && offset / c->size < c->objects)
			return c->size;
	} else if (head && is_large_kmalloc(head, ptr)) {
		return PAGE_SIZE << head->order;
	}
	WARN(1, "ksize: invalid pointer %p (caller %pS)", ptr, (void *)_RET_IP_);
	return 0;
}

/*
 * kmem_cache_init - set up the boot cache and the kmalloc caches.
 * => Once, after the buddy has memory; panics if that memory is missing.
 */
void kmem_cache_init(void)
{
	static const char *const names[NR_KMALLOC_CACHES] = {
		"kmalloc-8",   "kmalloc-16",  "kmalloc-32",   "kmalloc-64",   "kmalloc-128",
		"kmalloc-256", "kmalloc-512", "kmalloc-1024", "kmalloc-2048", "kmalloc-4096",
	};

	BUILD_BUG_ON(KMALLOC_MAX_CACHE_SIZE != KMALLOC_MIN_SIZE << (NR_KMALLOC_CACHES - 1));
	if (WARN(slab_ready, "kmem_cache_init: called twice"))
		return;
	if (!kmem_cache_setup(&kmem_cache_boot, "kmem_cache", sizeof(struct kmem_cache),
			      SLAB_MIN_SIZE))
		panic("kmem_cache_init: cannot set up the boot cache");
	kmem_cache_boot.builtin = true;
	slab_caches_add(&kmem_cache_boot);
	slab_ready = true;
	for (unsigned int i = 0; i < NR_KMALLOC_CACHES; i++) {
		struct kmem_cache *c =
			create_cache(names[i], KMALLOC_MIN_SIZE << i, 0, __GFP_NOFAULT, _RET_IP_);

		if (!c)
			panic("kmem_cache_init: cannot create %s", names[i]);
		c->builtin = true;
		kmalloc_caches[i] = c;
	}
}

/* A /proc/slabinfo-like table, one line per cache. */
void slabinfo_dump(void)
{
	struct kmem_cache *c;

	printk("slabinfo - version: 2.1\n");
	printk("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	       " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs>"
	       " <num_slabs> <sharedavail>\n");
	spin_lock(&slab_caches_lock);
	list_for_each_entry(c, &slab_caches, list) {
		unsigned long active, total, slabs, active_slabs;

		spin_lock(&c->lock);
		active = cache_active_objs(c);
		slabs = c->nr_slabs;
		active_slabs = c->nr_slabs - c->nr_free_slabs;
		spin_unlock(&c->lock);
		total = slabs * c->objects;
		printk("%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu\n",
		       c->name, active, total, c->size, c->objects, 1 << c->order, 0, 0, 0,
		       active_slabs, slabs, 0UL);
	}
	spin_unlock(&slab_caches_lock);
}

/* The sum of @count(c) over every cache, each read under its lock. */
static unsigned long sum_over_caches(unsigned long (*count)(struct kmem_cache *c))
{
	struct kmem_cache *c;
	unsigned long sum = 0;

	spin_lock(&slab_caches_lock);
	list_for_each_entry(c, &slab_caches, list) {
		spin_lock(&c->lock);
		sum += count(c);
		spin_unlock(&c->lock);
	}
	spin_unlock(&slab_caches_lock);
	return sum;
}

static unsigned long cache_pages(struct kmem_cache *c)
{
	return c->nr_slabs << c->order;
}

unsigned long slab_nr_pages(void)
{
	return sum_over_caches(cache_pages);
}

/* kmem_cache_objects_in_use - objects of @cache handed out (those in CPU arrays are free). */
unsigned long kmem_cache_objects_in_use(struct kmem_cache *cache)
{
	unsigned long objs;

	spin_lock(&cache->lock);
	objs = cache_active_objs(cache);
	spin_unlock(&cache->lock);
	return objs;
}

/* slab_nr_objects - objects in use in every cache (those in CPU arrays are free). */
unsigned long slab_nr_objects(void)
{
	return sum_over_caches(cache_active_objs);
}
