/*
 * Self-tests of the slab allocator and kmalloc on the live machine: each
 * size class with patterns and interleaved frees, the pages coming back to
 * the buddy once the caches are shrunk, large kmalloc, ksize, kzalloc and
 * kcalloc, invalid and double kfree refused with nothing freed, failslab.
 */
#include "debug/ktest.h"
#include "asm/ipi.h"
#include "asm/irqflags.h"
#include "kernel/smp.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"

#define NR_OBJS 300

static void *objs[NR_OBJS];

static unsigned char pattern(unsigned long id, unsigned long byte)
{
	return (unsigned char)(id * 131 + byte * 7 + 1);
}

static void fill(void *p, size_t size, unsigned long id)
{
	for (size_t i = 0; i < size; i++)
		((unsigned char *)p)[i] = pattern(id, i);
}

/* Number of bytes of @p that lost their pattern. */
static unsigned long damaged(const void *p, size_t size, unsigned long id)
{
	unsigned long bad = 0;

	for (size_t i = 0; i < size; i++)
		bad += ((const unsigned char *)p)[i] != pattern(id, i);
	return bad;
}

/* A ktest_defer() action: kfree every object still in objs[] (kmalloc ones). */
static void kfree_objs(void *unused)
{
	for (unsigned long i = 0; i < NR_OBJS; i++) {
		kfree(objs[i]);
		objs[i] = NULL;
	}
}

/* The cache a slab object belongs to (its slab's head page says). */
static struct kmem_cache *cache_of(const void *obj)
{
	struct page *page = virt_to_page(obj);

	if (page->flags & PG_tail)
		page = pfn_to_page(page->private);
	return (page->flags & PG_slab) ? page->slab_cache : NULL;
}

KTEST(slab, size_classes)
{
	static const size_t sizes[] = { 1,   8,	  13,  16,   32,   60,	 64,   100, 128,
					256, 300, 512, 1024, 1500, 2048, 4000, 4096 };
	unsigned long w = warn_count;

	memset(objs, 0, sizeof(objs));
	ktest_defer(t, kfree_objs, NULL);
	for (unsigned int s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t size = sizes[s];
		size_t class = size <= 8 ? 8 : 1UL << (64 - __builtin_clzl(size - 1));
		unsigned long free0, bad = 0;
		struct kmem_cache *c;
		void *probe = ktest_kmalloc(t, size, GFP_KERNEL);

		KTEST_ASSERT_NOT_NULL(t, probe);
		c = cache_of(probe);
		KTEST_ASSERT_NOT_NULL(t, c);
		ktest_kfree(t, probe);
		kmem_cache_shrink(c);
		free0 = nr_free_pages();
		for (unsigned long i = 0; i < NR_OBJS; i++) {
			objs[i] = kmalloc(size, GFP_KERNEL);
			KTEST_ASSERT_NOT_NULL(t, objs[i]);
			KTEST_EXPECT_EQ(t, ksize(objs[i]), class);
			KTEST_EXPECT_EQ(t, (unsigned long)objs[i] % class, 0UL);
			KTEST_EXPECT_TRUE(t, cache_of(objs[i]) == c);
			fill(objs[i], size, i);
		}
		KTEST_EXPECT_LT(t, nr_free_pages(), free0);
		for (unsigned long i = 1; i < NR_OBJS; i += 2) {
			bad += damaged(objs[i], size, i);
			kfree(objs[i]);
			objs[i] = NULL;
		}
		for (long i = NR_OBJS - 2; i >= 0; i -= 2) {
			bad += damaged(objs[i], size, i);
			kfree(objs[i]);
			objs[i] = NULL;
		}
		KTEST_EXPECT_EQ(t, bad, 0UL);
		kmem_cache_shrink(c);
		KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	}
	KTEST_EXPECT_EQ(t, warn_count, w);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

static void free_objs_destroy(void *cache);

KTEST(slab, private_cache_shrinks_back)
{
	struct kmem_cache *c = kmem_cache_create("ktest-200", 200, 32);
	unsigned long free0, bad = 0;

	KTEST_ASSERT_NOT_NULL(t, c);
	memset(objs, 0, sizeof(objs));
	ktest_defer(t, free_objs_destroy, c);
	free0 = nr_free_pages();
	for (unsigned long i = 0; i < NR_OBJS; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, objs[i]);
		KTEST_EXPECT_EQ(t, (unsigned long)objs[i] % 32, 0UL);
		fill(objs[i], 200, i);
	}
	/* every third, then the rest */
	for (unsigned long i = 0; i < NR_OBJS; i += 3) {
		bad += damaged(objs[i], 200, i);
		kmem_cache_free(c, objs[i]);
		objs[i] = NULL;
	}
	for (unsigned long i = 0; i < NR_OBJS; i++) {
		if (i % 3 == 0)
			continue;
		bad += damaged(objs[i], 200, i);
		kmem_cache_free(c, objs[i]);
		objs[i] = NULL;
	}
	KTEST_EXPECT_EQ(t, bad, 0UL);
	/* at most one empty slab kept: at most one slab's pages still out */
	KTEST_EXPECT_GT(t, kmem_cache_shrink(c), 0UL);
	KTEST_EXPECT_EQ(t, kmem_cache_shrink(c), 0UL);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	ktest_release(t, free_objs_destroy, c);
}

KTEST(slab, large_kmalloc_and_ksize)
{
	static const size_t sizes[] = { 4097, 8192, 20000, 1UL << 20 };
	unsigned long free0 = nr_free_pages();

	for (unsigned int s = 0; s < ARRAY_SIZE(sizes); s++) {
		void *p = kmalloc(sizes[s], GFP_KERNEL);
		size_t want = PAGE_SIZE;

		while (want < sizes[s])
			want <<= 1;
		KTEST_ASSERT_NOT_NULL(t, p);
		KTEST_EXPECT_TRUE(t, PAGE_ALIGNED(p));
		KTEST_EXPECT_EQ(t, ksize(p), want);
		KTEST_EXPECT_EQ(t, nr_free_pages(), free0 - want / PAGE_SIZE);
		fill(p, sizes[s], s);
		KTEST_EXPECT_EQ(t, damaged(p, sizes[s], s), 0UL);
		kfree(p);
		KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	}
	KTEST_EXPECT_NULL(t, kmalloc((4UL << 20) + 1, __GFP_NOWARN));
	KTEST_EXPECT_NULL(t, kmalloc(0, GFP_KERNEL));
	KTEST_EXPECT_EQ(t, ksize(NULL), (size_t)0);
	kfree(NULL);
}

KTEST(slab, kzalloc_kcalloc)
{
	unsigned char *p = kmalloc(700, GFP_KERNEL), *q;

	KTEST_ASSERT_NOT_NULL(t, p);
	memset(p, 0xff, 1024);
	kfree(p);
	q = kzalloc(700, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, q);
	KTEST_EXPECT_TRUE(t, q == p); /* LIFO: the dirty object, zeroed */
	KTEST_EXPECT_NULL(t, memchr_inv(q, 0, 1024));
	kfree(q);
	q = kcalloc(100, 12, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, q);
	KTEST_EXPECT_EQ(t, ksize(q), (size_t)2048);
	KTEST_EXPECT_NULL(t, memchr_inv(q, 0, 1200));
	kfree(q);
	KTEST_EXPECT_NULL(t, kcalloc(1UL << 40, 1UL << 40, __GFP_NOWARN));
}

/* Bad frees WARN once each; the object survives and nothing is freed. */
KTEST(slab, invalid_kfree)
{
	unsigned long on_stack = 0, free0, w;
	unsigned char *p = ktest_kmalloc(t, 96, GFP_KERNEL), *q = ktest_kmalloc(t, 96, GFP_KERNEL);
	struct page *page = ktest_alloc_pages(t, GFP_KERNEL, 0);
	void *big = ktest_kmalloc(t, 2 * PAGE_SIZE, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_ASSERT_NOT_NULL(t, q);
	KTEST_ASSERT_NOT_NULL(t, page);
	KTEST_ASSERT_NOT_NULL(t, big);
	fill(p, 96, 7);
	free0 = nr_free_pages();
	w = warn_count;
	kfree(p + 1);			/* not an object boundary */
	kfree(&on_stack);		/* not the direct map */
	kfree(page_address(page));	/* alloc_pages, not kmalloc */
	kfree((char *)big + PAGE_SIZE); /* inside a large kmalloc */
	KTEST_EXPECT_EQ(t, ksize(p + 3), (size_t)0);
	KTEST_EXPECT_EQ(t, warn_count, w + 5);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	KTEST_EXPECT_EQ(t, damaged(p, 96, 7), 0UL);
	/* p is still allocated: new objects never alias it */
	for (int i = 0; i < 8; i++) {
		objs[i] = kmalloc(96, GFP_KERNEL);
		KTEST_EXPECT_TRUE(t, objs[i] != p);
	}
	for (int i = 0; i < 8; i++)
		kfree(objs[i]);
	/* double free */
	ktest_kfree(t, q);
	w = warn_count;
	kfree(q);
	KTEST_EXPECT_EQ(t, warn_count, w + 1);
	/* had q gone on the freelist twice, two allocations would both get it */
	objs[0] = kmalloc(96, GFP_KERNEL);
	objs[1] = kmalloc(96, GFP_KERNEL);
	KTEST_EXPECT_TRUE(t, objs[0] != objs[1]);
	kfree(objs[0]);
	kfree(objs[1]);
	ktest_kfree(t, p);
	ktest_kfree(t, big);
	ktest_free_pages(t, page);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}

KTEST(slab, failslab)
{
	unsigned long inj0 = fail_slab_injected;
	void *a, *b, *c;

	fail_slab_set(2, 2);
	a = kmalloc(64, GFP_KERNEL);			   /* 1st: fine */
	b = kmalloc(64, __GFP_NOFAULT);			   /* not counted */
	KTEST_EXPECT_NULL(t, kmalloc(64, __GFP_NOWARN));   /* 2nd: injected */
	KTEST_EXPECT_NULL(t, kmalloc(9000, __GFP_NOWARN)); /* 3rd, large: injected */
	c = kmalloc(64, GFP_KERNEL);			   /* disarmed */
	KTEST_EXPECT_NOT_NULL(t, a);
	KTEST_EXPECT_NOT_NULL(t, b);
	KTEST_EXPECT_NOT_NULL(t, c);
	KTEST_EXPECT_EQ(t, fail_slab_injected, inj0 + 2);
	fail_slab_set(1, 1);
	KTEST_EXPECT_NULL(t, kmem_cache_create("ktest-doomed", 32, 0));
	KTEST_EXPECT_EQ(t, fail_slab_injected, inj0 + 3);
	kfree(a);
	kfree(b);
	kfree(c);
	slabinfo_dump();
}

/*
 * Fill a fresh slab of @c from its first object until the next object
 * lands on another slab page; objs[0..n) are then the whole first slab (a
 * fresh slab hands out its objects in order), objs[n] the first object of
 * the second. Returns n, or 0 if an allocation failed (all freed then).
 */
static unsigned long fill_one_slab(struct kmem_cache *c)
{
	unsigned long n;

	for (n = 0; n < NR_OBJS; n++) {
		objs[n] = kmem_cache_alloc(c, GFP_KERNEL);
		if (!objs[n])
			break;
		if (n && virt_to_page(objs[n]) != virt_to_page(objs[0]))
			return n;
	}
	while (n--)
		kmem_cache_free(c, objs[n]);
	return 0;
}

/* A ktest_defer() action: free every object of objs[] still held, then destroy the cache. */
static void free_objs_destroy(void *cache)
{
	for (unsigned long i = 0; i < NR_OBJS; i++) {
		kmem_cache_free(cache, objs[i]);
		objs[i] = NULL;
	}
	kmem_cache_destroy(cache);
}

/* A private cache of 200-byte objects, 32-aligned (stride 224: 18 in a page, 64 bytes left). */
static struct kmem_cache *test_cache(struct ktest *t, const char *name)
{
	struct kmem_cache *c = kmem_cache_create(name, 200, 32);

	KTEST_ASSERT_NOT_NULL(t, c);
	memset(objs, 0, sizeof(objs));
	ktest_defer(t, free_objs_destroy, c);
	return c;
}

/*
 * A slab that was full and had one object freed goes back to the partial
 * list: the next allocation is that object, not one of the empty slab that
 * the cache keeps.
 */
KTEST(slab, full_slab_one_freed_is_reused)
{
	struct kmem_cache *c = test_cache(t, "ktest-full");
	unsigned long n = fill_one_slab(c);
	void *freed;

	KTEST_ASSERT_GE(t, n, 2UL);
	kmem_cache_free(c, objs[n]); /* the second slab is empty again (kept) */
	objs[n] = NULL;
	freed = objs[n / 2];
	kmem_cache_free(c, freed); /* the first, full, gets one free object */
	objs[n / 2] = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_EXPECT_TRUE(t, objs[n / 2] == freed);
	/* and the slab is full again: the next object is on another page */
	objs[n] = kmem_cache_alloc(c, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, objs[n]);
	KTEST_EXPECT_TRUE(t, virt_to_page(objs[n]) != virt_to_page(objs[0]));
}

/*
 * Freeing the address one object past the last object of a slab (inside
 * the slab's page when the objects leave room) is refused with one WARN,
 * and changes nothing: the slab stays full, no allocation returns it.
 */
KTEST(slab, free_one_past_last_object_refused)
{
	struct kmem_cache *c = test_cache(t, "ktest-past");
	unsigned long n = fill_one_slab(c), stride, w, free0;
	char *past;

	KTEST_ASSERT_GE(t, n, 2UL);
	stride = (unsigned long)objs[1] - (unsigned long)objs[0];
	KTEST_EXPECT_EQ(t, stride, 224UL);
	past = (char *)objs[0] + n * stride;
	KTEST_EXPECT_TRUE(t, virt_to_page(past) == virt_to_page(objs[0])); /* in the slab's page */
	free0 = nr_free_pages();
	w = warn_count;
	kmem_cache_free(c, past);
	KTEST_EXPECT_EQ(t, warn_count, w + 1);
	kfree(past);
	KTEST_EXPECT_EQ(t, warn_count, w + 2);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0);
	/* the first slab is still full: nothing of it is handed out again */
	for (unsigned long i = n + 1; i < n + 4 && i < NR_OBJS; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, objs[i]);
		KTEST_EXPECT_TRUE(t, virt_to_page(objs[i]) != virt_to_page(objs[0]));
		KTEST_EXPECT_TRUE(t, objs[i] != past);
	}
}

/* On another CPU (an IPI): take pages and give them back, into its page cache. */
static void slab_fill_pcp(void *unused __unused)
{
	struct page *pages[32];
	unsigned int n;

	for (n = 0; n < 32; n++)
		if (!(pages[n] = alloc_page(__GFP_NOWARN | __GFP_NOFAULT)))
			break;
	while (n)
		__free_page(pages[--n]);
}

/* Take every block the buddy has, chained through their first words. Interrupts off. */
static void **slab_exhaust_buddy(void)
{
	void **list = NULL;

	for (int order = MAX_ORDER; order >= 0; order--) {
		struct page *pg;

		while ((pg = alloc_pages(__GFP_NOWARN | __GFP_NOFAULT, (unsigned int)order))) {
			void **blk = page_address(pg);

			blk[0] = list;
			blk[1] = (void *)(unsigned long)order;
			list = blk;
		}
	}
	return list;
}

/*
 * Regression: a new slab page was allocated under the cache's lock, with
 * interrupts off, so the buddy could drain only this CPU's page cache and
 * kmem_cache_alloc() failed while other CPUs' caches held free pages.
 */
KTEST(slab, new_slab_fails_with_pages_in_other_cpu_caches)
{
	struct kmem_cache *c;
	unsigned long flags;
	unsigned int cpu;
	void **list, *obj;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU: no other CPU's page cache");
	c = kmem_cache_create("slab_drain_test", 64, 8);
	KTEST_ASSERT_NOT_NULL(t, c);
	for_each_online_cpu(cpu) if (cpu != smp_processor_id())
		smp_call_function_single(cpu, slab_fill_pcp, NULL, true);
	local_irq_save(flags); /* so that only this CPU's cache is drained */
	list = slab_exhaust_buddy();
	local_irq_restore(flags);
	obj = kmem_cache_alloc(c, GFP_KERNEL | __GFP_NOWARN);
	while (list) {
		void **next = list[0];

		free_pages((unsigned long)list, (unsigned int)(unsigned long)list[1]);
		list = next;
	}
	KTEST_EXPECT_NOT_NULL(t, obj);
	if (obj)
		kmem_cache_free(c, obj);
	kmem_cache_destroy(c);
}

struct slab_free_on_cpu {
	struct kmem_cache *cache;
	void *obj;
};

/* On another CPU (an IPI): free an object there, into that CPU's array. */
static void slab_free_on_cpu(void *arg)
{
	struct slab_free_on_cpu *f = arg;

	kmem_cache_free(f->cache, f->obj);
}

/*
 * Objects freed on other CPUs sit in their arrays: a second free of one
 * from here is caught, and destroying the cache drains every CPU (an IPI
 * each), so it is not refused as in use and its pages go back.
 */
KTEST(slab, objects_in_other_cpus_arrays_are_free_and_drained)
{
	struct slab_free_on_cpu f;
	unsigned long w, free0;
	unsigned int cpu;
	void *first = NULL;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU: no other CPU's array");
	f.cache = kmem_cache_create("slab_cpu_array_test", 64, 8);
	KTEST_ASSERT_NOT_NULL(t, f.cache);
	for_each_online_cpu(cpu) if (cpu != smp_processor_id())
	{
		f.obj = kmem_cache_alloc(f.cache, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(t, f.obj);
		first = first ? first : f.obj;
		smp_call_function_single(cpu, slab_free_on_cpu, &f, true);
	}
	w = warn_count;
	kmem_cache_free(f.cache, first); /* already free, in another CPU's array */
	KTEST_EXPECT_EQ(t, warn_count, w + 1);
	free0 = nr_free_pages();
	kmem_cache_destroy(f.cache);
	KTEST_EXPECT_EQ(t, warn_count, w + 1); /* destroy not refused */
	KTEST_EXPECT_GT(t, nr_free_pages(), free0);
}

/*
 * A fresh 64-byte cache (64 objects a slab) with @n objects taken on this
 * CPU, interrupts off so that one CPU's array serves them all: after 64,
 * the first slab is full and this CPU's array empty.
 */
static struct kmem_cache *cache_with_objects(struct ktest *t, const char *name, void **o,
					     unsigned int n)
{
	struct kmem_cache *c = kmem_cache_create(name, 64, 8);
	unsigned long flags;

	KTEST_ASSERT_NOT_NULL(t, c);
	local_irq_save(flags);
	for (unsigned int i = 0; i < n; i++)
		o[i] = kmem_cache_alloc(c, GFP_KERNEL | __GFP_NOFAULT);
	local_irq_restore(flags);
	for (unsigned int i = 0; i < n; i++)
		KTEST_ASSERT_NOT_NULL(t, o[i]);
	return c;
}

static void slab_give_back_buddy(void **list)
{
	while (list) {
		void **next = list[0];

		free_pages((unsigned long)list, (unsigned int)(unsigned long)list[1]);
		list = next;
	}
}

/* Some online CPU other than this one (callers checked there is one). */
static unsigned int other_cpu(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) if (cpu != smp_processor_id()) return cpu;
	return 0;
}

/*
 * Regression: with no page for a new slab, kmem_cache_alloc() failed while
 * another CPU's array held a free object of the cache. __GFP_NORETRY keeps
 * the buddy from draining anything: the cache itself must drain the arrays.
 */
KTEST(slab, alloc_fails_with_free_objects_in_other_cpus_arrays)
{
	struct slab_free_on_cpu f;
	void *o[64], **list, *obj;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU: no other CPU's array");
	f.cache = cache_with_objects(t, "slab_oom_array_test", o, 64);
	list = slab_exhaust_buddy();
	f.obj = o[0];
	smp_call_function_single(other_cpu(), slab_free_on_cpu, &f, true);
	obj = kmem_cache_alloc(f.cache, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	slab_give_back_buddy(list);
	KTEST_EXPECT_TRUE(t, obj == o[0]);
	o[0] = obj;
	for (unsigned int i = 0; i < 64; i++)
		kmem_cache_free(f.cache, o[i]);
	kmem_cache_destroy(f.cache);
}

/*
 * Regression: the buddy failed an allocation while a slab was empty but for
 * objects sitting in a CPU array: its page came back only once drained.
 */
KTEST(slab, page_alloc_fails_with_empty_slab_behind_cpu_array)
{
	struct kmem_cache *c;
	struct page *pg;
	void *o[64], **list;
	unsigned long flags;

	c = cache_with_objects(t, "slab_oom_page_test", o, 64);
	list = slab_exhaust_buddy();
	local_irq_save(flags);
	for (unsigned int i = 0; i < 64; i++)
		kmem_cache_free(c, o[i]); /* the last ones stay in this CPU's array */
	local_irq_restore(flags);
	pg = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (pg)
		__free_page(pg);
	slab_give_back_buddy(list);
	KTEST_EXPECT_NOT_NULL(t, pg);
	kmem_cache_destroy(c);
}

/*
 * Regression: kmem_cache_destroy() with interrupts off drained only this
 * CPU's array, counted another CPU's object as free, and freed the cache
 * under it. Now refused with a WARN; with interrupts on it goes through.
 */
KTEST(slab, destroy_with_irqs_off_leaves_objects_in_other_cpus_arrays)
{
	struct slab_free_on_cpu f;
	unsigned long flags, w, w_off, free0;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU: no other CPU's array");
	f.cache = cache_with_objects(t, "slab_destroy_irq_test", &f.obj, 1);
	smp_call_function_single(other_cpu(), slab_free_on_cpu, &f, true);
	w = warn_count;
	local_irq_save(flags);
	kmem_cache_destroy(f.cache);
	w_off = warn_count;
	local_irq_restore(flags);
	KTEST_EXPECT_EQ(t, w_off, w + 1);
	if (w_off != w + 1)
		return; /* the cache is gone: nothing more to do with it */
	free0 = nr_free_pages();
	kmem_cache_destroy(f.cache);
	KTEST_EXPECT_EQ(t, warn_count, w + 1);
	KTEST_EXPECT_GT(t, nr_free_pages(), free0);
}

static struct {
	struct kmem_cache *cache;
	bool done;
} churn;

/* On another CPU (an IPI, not waited for): fill and empty its array, flushing. */
static void slab_churn_on_cpu(void *unused __unused)
{
	void *o[24];

	for (unsigned int round = 0; round < 2000; round++) {
		for (unsigned int i = 0; i < 24; i++)
			o[i] = kmem_cache_alloc(churn.cache, GFP_KERNEL | __GFP_NOFAULT);
		for (unsigned int i = 0; i < 24; i++)
			kmem_cache_free(churn.cache, o[i]);
	}
	WRITE_ONCE(churn.done, true);
}

/*
 * A CPU flushing its array gave the objects back to their slabs under the
 * cache lock but lowered its count after it, so active_objs (in use minus
 * in arrays) read in between went below 0 and wrapped around. Read here
 * while another CPU flushes: never more than it holds. (The window is a few
 * instructions: this did not catch the old order in 6 runs under TCG.)
 */
KTEST(slab, objects_in_use_wrap_while_another_cpu_flushes)
{
	unsigned long most = 0, reads = 0, most_all = 0;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "one CPU: no other CPU to flush");
	churn.cache = kmem_cache_create("slab_churn_test", 64, 8);
	KTEST_ASSERT_NOT_NULL(t, churn.cache);
	WRITE_ONCE(churn.done, false);
	smp_call_function_single(other_cpu(), slab_churn_on_cpu, NULL, false);
	while (!READ_ONCE(churn.done)) {
		most = max(most, kmem_cache_objects_in_use(churn.cache));
		if (++reads % 64 == 0)
			most_all = max(most_all, slab_nr_objects());
	}
	KTEST_EXPECT_LE(t, most, 24UL); /* what the other CPU holds at most */
	KTEST_EXPECT_LE(t, most_all, slab_nr_pages() * (PAGE_SIZE / KMALLOC_MIN_SIZE));
	printk("    # %lu reads, at most %lu objects in use\n", reads, most);
	kmem_cache_destroy(churn.cache);
}
