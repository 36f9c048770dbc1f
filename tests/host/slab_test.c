/*
 * Host tests for mm/slab.c on the real buddy (mm/page_alloc.c) over a
 * simulated 32 MiB of RAM: every kmalloc size class with patterns and
 * interleaved frees, caches emptied back to the buddy, a private cache
 * against a shadow model, invalid frees, double frees, large kmalloc,
 * ksize, kzalloc/kcalloc, failslab and fail_page_alloc under slab.
 *
 * kmem_cache_init() runs once for the group; every test leaves no object
 * behind and checks that nr_free_pages() comes back to where it started.
 */
#include "host_shim.h"
#include "mm_shim.h"

#include "../../mm/page_alloc.c"
#include "../../mm/slab.c"

struct pgtable_stats pgtable_stats; /* meminfo_dump() reads it; no page tables here */

#define BASE 0x100000UL /* all in Normal */
#define NR   0x2000UL

static const unsigned long ranges[][2] = { { BASE, BASE + NR } };

static int group_setup(void **state)
{
	(void)state;
	sim_mem_init(BASE, NR, ranges, 1);
	free_pages_range(BASE, BASE + NR);
	kmem_cache_init();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	sim_mem_exit();
	return 0;
}

static unsigned long free_at_start;

static int test_setup(void **state)
{
	(void)state;
	for (int i = 0; i < NR_KMALLOC_CACHES; i++)
		kmem_cache_shrink(kmalloc_caches[i]);
	free_at_start = nr_free_pages();
	fail_slab_set(0, 0);
	fail_page_alloc_set(0, 0);
	warn_count = 0;
	shim_log_clear();
	return 0;
}

/* Everything given back: no object live in any kmalloc cache, pages home. */
static void check_all_back(void)
{
	kmem_cache_drain_cpus(NULL);
	for (int i = 0; i < NR_KMALLOC_CACHES; i++) {
		struct kmem_cache *c = kmalloc_caches[i];

		if (cache_active_objs(c))
			fail_msg("%s: %lu objects still live", c->name, cache_active_objs(c));
		assert_true(c->nr_free_slabs <= 1);
		assert_int_equal(c->nr_slabs, c->nr_free_slabs);
		kmem_cache_shrink(c);
		assert_int_equal(c->nr_slabs, 0);
	}
	assert_int_equal(nr_free_pages(), free_at_start);
	assert_int_equal(buddy_check(), 0);
}

static unsigned char pattern(unsigned long obj, unsigned long byte)
{
	return (unsigned char)(obj * 131 + byte * 7 + 1);
}

static void fill(void *p, size_t size, unsigned long id)
{
	for (size_t i = 0; i < size; i++)
		((unsigned char *)p)[i] = pattern(id, i);
}

static void verify(const void *p, size_t size, unsigned long id)
{
	for (size_t i = 0; i < size; i++)
		if (((const unsigned char *)p)[i] != pattern(id, i))
			fail_msg("object %lu at %p: byte %zu is %#x, want %#x", id, p, i,
				 ((const unsigned char *)p)[i], pattern(id, i));
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* Every size class (and sizes between classes): patterns, no overlap, frees interleaved. */
static void test_size_classes(void **state)
{
	static const size_t sizes[] = { 1,   8,	  9,   16,  24,	  32,	33,   64,   100,  128,
					200, 256, 500, 512, 1000, 1024, 1500, 2048, 3000, 4096 };
	static void *objs[3000], *sorted[3000];

	(void)state;
	for (unsigned int s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t size = sizes[s],
		       class = size <= 8 ? 8 : 1UL << (64 - __builtin_clzl(size - 1));
		struct kmem_cache *c = kmalloc_caches[kmalloc_index(size)];
		unsigned long n = 3 * c->objects + 1;

		assert_int_equal(c->size, class);
		assert_true(n <= ARRAY_SIZE(objs));
		for (unsigned long i = 0; i < n; i++) {
			objs[i] = kmalloc(size, GFP_KERNEL);
			assert_non_null(objs[i]);
			assert_int_equal((uintptr_t)objs[i] % class, 0);
			assert_int_equal(ksize(objs[i]), class);
			fill(objs[i], size, i);
		}
		assert_int_equal(cache_active_objs(c), n);
		assert_int_equal(c->nr_slabs, 4);
		memcpy(sorted, objs, n * sizeof(void *));
		qsort(sorted, n, sizeof(void *), cmp_ptr);
		for (unsigned long i = 1; i < n; i++)
			assert_true((uintptr_t)sorted[i - 1] + class <= (uintptr_t)sorted[i]);
		/* odd ones first, then the even ones backwards, checking the rest each time */
		for (unsigned long i = 1; i < n; i += 2) {
			verify(objs[i], size, i);
			kfree(objs[i]);
		}
		for (unsigned long i = 0; i < n; i += 2)
			verify(objs[i], size, i);
		for (long i = (long)((n - 1) & ~1UL); i >= 0; i -= 2) {
			verify(objs[i], size, i);
			kfree(objs[i]);
		}
		assert_int_equal(cache_active_objs(c), 0);
		kmem_cache_drain_cpus(c);
		assert_int_equal(c->nr_slabs, 1); /* one empty slab kept */
		assert_int_equal(kmem_cache_shrink(c), 1UL << c->order);
	}
	assert_int_equal(warn_count, 0);
	check_all_back();
}

static void test_large_kmalloc(void **state)
{
	static const size_t sizes[] = { 4097, 8192, 8193, 5 * 4096 + 1, 1UL << 22 };

	(void)state;
	for (unsigned int s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned int order = size_to_order(sizes[s]);
		void *p = kmalloc(sizes[s], GFP_KERNEL);
		struct page *page;

		assert_non_null(p);
		assert_true(PAGE_ALIGNED(p));
		page = virt_to_page(p);
		assert_int_equal(page->flags & (PG_head | PG_slab), PG_head);
		assert_int_equal(page->order, order);
		assert_int_equal(ksize(p), PAGE_SIZE << order);
		assert_int_equal(nr_free_pages(), free_at_start - (1UL << order));
		fill(p, sizes[s], s);
		verify(p, sizes[s], s);
		kfree(p);
		assert_int_equal(nr_free_pages(), free_at_start);
	}
	assert_int_equal(size_to_order(4096), 0);
	assert_int_equal(size_to_order(4097), 1);
	assert_int_equal(size_to_order(16384), 2);
	assert_int_equal(size_to_order(16385), 3);
	/* beyond MAX_ORDER: refused, with a message unless NOWARN */
	assert_null(kmalloc((1UL << 22) + 1, GFP_KERNEL));
	assert_true(shim_log_has("kmalloc: allocation failure, 4194305 bytes"));
	shim_log_clear();
	assert_null(kmalloc(~0UL, __GFP_NOWARN));
	assert_false(shim_log_has("kmalloc"));
	assert_null(kmalloc(0, GFP_KERNEL));
	kfree(NULL);
	assert_int_equal(ksize(NULL), 0);
	assert_int_equal(warn_count, 0);
	check_all_back();
}

static void test_kzalloc_kcalloc(void **state)
{
	unsigned char *p, *q;
	size_t big;

	(void)state;
	p = kmalloc(200, GFP_KERNEL);
	memset(p, 0xff, 256);
	kfree(p);
	q = kzalloc(200, GFP_KERNEL);
	assert_ptr_equal(q, p); /* LIFO: the dirty one */
	for (int i = 0; i < 256; i++)
		assert_int_equal(q[i], 0);
	kfree(q);
	q = kcalloc(10, 30, GFP_KERNEL);
	assert_int_equal(ksize(q), 512);
	for (int i = 0; i < 300; i++)
		assert_int_equal(q[i], 0);
	kfree(q);
	big = ~0UL / 3 + 1;
	assert_null(kcalloc(3, big, GFP_KERNEL));
	assert_true(shim_log_has("kcalloc: 3 x "));
	assert_true(shim_log_has("overflows"));
	q = kzalloc(3 * 4096, GFP_KERNEL); /* large path */
	for (int i = 0; i < 3 * 4096; i++)
		assert_int_equal(q[i], 0);
	kfree(q);
	assert_int_equal(warn_count, 0);
	check_all_back();
}

/* Is @slab on @list? */
static bool on_list(const struct page *slab, const struct list_head *list)
{
	const struct page *p;

	list_for_each_entry(p, list, slab_list)
		if (p == slab)
			return true;
	return false;
}

/* How many of @live[0..nr) lie in @slab's pages. */
static unsigned long live_on(const struct kmem_cache *c, struct page *slab, void *const *live,
			     unsigned long nr)
{
	uintptr_t base = (uintptr_t)slab_base(slab), end = base + (PAGE_SIZE << c->order);
	unsigned long n = 0;

	for (unsigned long i = 0; i < nr; i++)
		n += (uintptr_t)live[i] >= base && (uintptr_t)live[i] < end;
	return n;
}

/*
 * The cache's lists, walked, against the shadow set @live[0..nr) (not the
 * cache's counters): a slab on the full list holds c->objects live objects,
 * one on the partial list some but not all, one on the free list none, and
 * there is at most one of those; every live object is on a listed slab, and
 * the pages taken from the buddy since @free_before are those slabs.
 */
static void check_lists(struct kmem_cache *c, void *const *live, unsigned long nr,
			unsigned long free_before)
{
	unsigned long slabs = 0, covered = 0, empty = 0, n;
	struct page *slab;

	kmem_cache_drain_cpus(c); /* objects in the CPU array go back to their slabs */
	list_for_each_entry(slab, &c->slabs_full, slab_list) {
		n = live_on(c, slab, live, nr);
		if (n != c->objects)
			fail_msg("slab %p on the full list holds %lu of %u objects", (void *)slab,
				 n, c->objects);
		covered += n;
		slabs++;
	}
	list_for_each_entry(slab, &c->slabs_partial, slab_list) {
		n = live_on(c, slab, live, nr);
		if (n == 0 || n == c->objects)
			fail_msg("slab %p on the partial list holds %lu of %u objects",
				 (void *)slab, n, c->objects);
		covered += n;
		slabs++;
	}
	list_for_each_entry(slab, &c->slabs_free, slab_list) {
		assert_int_equal(live_on(c, slab, live, nr), 0);
		empty++;
		slabs++;
	}
	assert_true(empty <= 1);
	assert_int_equal(covered, nr);
	assert_int_equal(free_before - nr_free_pages(), slabs << c->order);
}

/* A private cache driven at random against a shadow set of live objects. */
static void test_private_cache_random(void **state)
{
	static void *live[2000];
	static unsigned long ids[2000];
	unsigned long nr = 0, id = 0, before;
	struct kmem_cache *c;

	(void)state;
	c = kmem_cache_create("test-100", 100, 0);
	assert_non_null(c);
	assert_int_equal(c->size, 104);
	assert_int_equal(c->order, 0);
	assert_int_equal(c->objects, 4096 / 104);
	before = nr_free_pages();
	sim_srand(1234);
	for (int op = 0; op < 8000; op++) {
		if (nr < ARRAY_SIZE(live) && (nr == 0 || sim_rand() % 100 < 55)) {
			void *p = kmem_cache_alloc(c, GFP_KERNEL);

			assert_non_null(p);
			fill(p, 100, id);
			ids[nr] = id++;
			live[nr++] = p;
		} else {
			unsigned long i = sim_rand() % nr;

			verify(live[i], 100, ids[i]);
			kmem_cache_free(c, live[i]);
			live[i] = live[--nr];
			ids[i] = ids[nr];
		}
		assert_int_equal(cache_active_objs(c), nr);
		/* no slab more than the live objects need: the lists, walked, say so */
		if (op % 37 == 0)
			check_lists(c, live, nr, before);
	}
	check_lists(c, live, nr, before);
	while (nr) {
		nr--;
		verify(live[nr], 100, ids[nr]);
		kmem_cache_free(c, live[nr]);
	}
	assert_int_equal(cache_active_objs(c), 0);
	kmem_cache_drain_cpus(c);
	assert_int_equal(c->nr_slabs, 1);
	assert_int_equal(kmem_cache_shrink(c), 1);
	assert_int_equal(nr_free_pages(), before);
	kmem_cache_destroy(c);
	assert_int_equal(warn_count, 0);
	check_all_back();
}

/* A full slab that has one object freed goes back to the partial list and is used first. */
static void test_full_slab_one_freed_back_to_partial(void **state)
{
	static void *objs[64];
	struct kmem_cache *c = kmem_cache_create("test-full", 200, 32);
	unsigned long n, before = nr_free_pages();
	struct page *a, *b;
	void *freed;

	(void)state;
	assert_non_null(c);
	n = c->objects + 1;
	assert_true(n <= ARRAY_SIZE(objs));
	for (unsigned long i = 0; i < n; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(c, GFP_KERNEL));
	a = addr_to_head(objs[0]);
	b = addr_to_head(objs[n - 1]);
	assert_true(on_list(a, &c->slabs_full));
	assert_true(on_list(b, &c->slabs_partial));
	kmem_cache_free(c, objs[n - 1]); /* b is empty: kept on the free list */
	kmem_cache_drain_cpus(c);
	assert_true(on_list(b, &c->slabs_free));
	freed = objs[3];
	kmem_cache_free(c, freed);
	kmem_cache_drain_cpus(c);
	objs[3] = objs[n - 2]; /* the shadow set: a's objects but the freed one */
	assert_true(on_list(a, &c->slabs_partial));
	assert_false(on_list(a, &c->slabs_full));
	assert_int_equal(a->inuse, c->objects - 1);
	check_lists(c, objs, n - 2, before);
	objs[n - 2] = kmem_cache_alloc(c, GFP_KERNEL); /* from a, not from the empty b */
	assert_ptr_equal(objs[n - 2], freed);
	assert_true(on_list(a, &c->slabs_full));
	assert_true(on_list(b, &c->slabs_free));
	for (unsigned long i = 0; i < n - 1; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
	assert_int_equal(warn_count, 0);
	check_all_back();
}

/*
 * The address one object past the last, inside the slab's page (200-byte
 * objects at stride 224 leave 64 bytes): kmem_cache_free() and kfree()
 * refuse it with one WARN each and change nothing.
 */
static void test_free_one_past_last_refused(void **state)
{
	static void *objs[64];
	struct kmem_cache *c = kmem_cache_create("test-past", 200, 32);
	unsigned long before = nr_free_pages(), active;
	unsigned int inuse, freelist;
	struct page *a;
	char *past;
	void *p;

	(void)state;
	assert_non_null(c);
	assert_true(c->objects <= ARRAY_SIZE(objs));
	for (unsigned long i = 0; i < c->objects; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(c, GFP_KERNEL));
	a = addr_to_head(objs[0]);
	past = (char *)slab_base(a) + c->objects * c->size;
	assert_true(past + c->size > (char *)slab_base(a) + (PAGE_SIZE << c->order));
	assert_ptr_equal(addr_to_head(past), a); /* still in the slab's page */
	inuse = a->inuse;
	freelist = a->freelist;
	active = cache_active_objs(c);
	SHIM_EXPECT_ONE_WARNING(kmem_cache_free(c, past), "kmem_cache_free: invalid pointer");
	SHIM_EXPECT_ONE_WARNING(kfree(past), "kfree: invalid pointer");
	assert_int_equal(a->inuse, inuse);
	assert_int_equal(a->freelist, freelist);
	assert_int_equal(cache_active_objs(c), active);
	assert_true(on_list(a, &c->slabs_full));
	check_lists(c, objs, c->objects, before);
	p = kmem_cache_alloc(c, GFP_KERNEL); /* a new slab, not the address past the end */
	assert_true(p != past && addr_to_head(p) != a);
	kmem_cache_free(c, p);
	for (unsigned long i = 0; i < c->objects; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
	check_all_back();
}

static void test_cache_create_destroy(void **state)
{
	struct kmem_cache *a, *b;
	void *p;

	(void)state;
	a = kmem_cache_create("aligned-64", 40, 64);
	assert_non_null(a);
	assert_int_equal(a->size, 64);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	assert_int_equal((uintptr_t)p % 64, 0);
	b = kmem_cache_create("big-5000", 5000, 0);
	assert_non_null(b);
	assert_true(b->objects >= 4 || b->order == SLAB_MAX_ORDER);
	assert_true((PAGE_SIZE << b->order) - b->objects * b->size <= (PAGE_SIZE << b->order) / 8);
	/* refusals */
	assert_null(kmem_cache_create("zero", 0, 0));
	assert_null(kmem_cache_create("align3", 16, 3));
	assert_null(kmem_cache_create("huge", (PAGE_SIZE << SLAB_MAX_ORDER) + 1, 0));
	assert_true(shim_log_has("kmem_cache_create: huge: refused size 32769 align 8"));
	/* destroy with a live object: refused, cache intact */
	kmem_cache_destroy(a);
	assert_int_equal(warn_count, 1);
	assert_true(shim_log_has("kmem_cache_destroy: aligned-64 still has 1 objects in use"));
	assert_int_equal(cache_active_objs(a), 1);
	kmem_cache_free(a, p);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	kmem_cache_destroy(kmalloc_caches[0]);
	assert_int_equal(warn_count, 2);
	shim_log_clear();
	slabinfo_dump();
	assert_false(shim_log_has("aligned-64"));
	assert_true(shim_log_has("kmalloc-8 "));
	check_all_back();
}

/* Invalid frees warn and change nothing; the object stays intact and usable. */
static void test_invalid_free(void **state)
{
	struct kmem_cache *c64 = kmalloc_caches[kmalloc_index(64)];
	struct kmem_cache *other;
	unsigned long stack_word = 0, active, free_before, w;
	void *p, *q, *big, *pages_addr;
	void *outside = malloc(64);
	char msg[128];

	(void)state;
	other = kmem_cache_create("other-64", 64, 0);
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(64, GFP_KERNEL);
	fill(p, 64, 1);
	big = kmalloc(3 * PAGE_SIZE, GFP_KERNEL);
	pages_addr = page_address(alloc_page(GFP_KERNEL));

#define EXPECT_REFUSED(stmt, text)                                \
	do {                                                      \
		active = cache_active_objs(c64);                  \
		free_before = nr_free_pages();                    \
		SHIM_EXPECT_ONE_WARNING(stmt, text);              \
		assert_int_equal(cache_active_objs(c64), active); \
		assert_int_equal(nr_free_pages(), free_before);   \
		assert_int_equal(buddy_check(), 0);               \
	} while (0)

	snprintf(msg, sizeof(msg), "kfree: invalid pointer %p", (char *)p + 1);
	EXPECT_REFUSED(kfree((char *)p + 1), msg);
	snprintf(msg, sizeof(msg), "kfree: invalid pointer %p", (void *)&stack_word);
	EXPECT_REFUSED(kfree(&stack_word), msg);
	snprintf(msg, sizeof(msg), "kfree: invalid pointer %p", outside);
	EXPECT_REFUSED(kfree(outside), msg);
	snprintf(msg, sizeof(msg), "kfree: invalid pointer %p", pages_addr);
	EXPECT_REFUSED(kfree(pages_addr), msg); /* alloc_pages, not kmalloc */
	snprintf(msg, sizeof(msg), "kfree: invalid pointer %p", (char *)big + PAGE_SIZE);
	EXPECT_REFUSED(kfree((char *)big + PAGE_SIZE), msg);
	/* a page on the buddy's free lists */
	snprintf(msg, sizeof(msg), "kfree: invalid pointer %p",
		 page_address(pfn_to_page(BASE + NR - 1)));
	EXPECT_REFUSED(kfree(page_address(pfn_to_page(BASE + NR - 1))), msg);
	EXPECT_REFUSED(kmem_cache_free(other, p), "kmem_cache_free: ");
	EXPECT_REFUSED(kmem_cache_free(c64, (char *)p + 8), "kmem_cache_free: invalid pointer");
	EXPECT_REFUSED(ksize((char *)p + 4), "ksize: invalid pointer");
	verify(p, 64, 1);

	/* double free: refused exactly, also when the object looks free */
	kfree(q);
	snprintf(msg, sizeof(msg), "kfree: double free of %p in kmalloc-64", q);
	EXPECT_REFUSED(kfree(q), msg);
	set_link(p, 0); /* live object whose first word decodes as a link */
	w = warn_count;
	kfree(p);
	assert_int_equal(warn_count, w);
	EXPECT_REFUSED(kfree(p), "double free");

	kfree(big);
	free_page((unsigned long)pages_addr);
	kmem_cache_destroy(other);
	free(outside);
#undef EXPECT_REFUSED
	check_all_back();
}

static void test_failslab(void **state)
{
	struct kmem_cache *c32 = kmalloc_caches[kmalloc_index(32)];
	void *a, *b, *c, *d, *e;
	unsigned long injected = fail_slab_injected, free_before;

	(void)state;
	fail_slab_set(2, 2);
	a = kmalloc(32, GFP_KERNEL);
	assert_non_null(a);
	b = kmalloc(32, __GFP_NOFAULT); /* not counted */
	assert_non_null(b);
	free_before = nr_free_pages();
	assert_null(kmalloc(32, GFP_KERNEL));
	assert_true(
		shim_log_has("kmem_cache_alloc: kmalloc-32 (object size 32): allocation failure"));
	shim_log_clear();
	assert_null(kmalloc(10000, __GFP_NOWARN)); /* large kmalloc counts too */
	assert_false(shim_log_has("failure"));
	assert_int_equal(fail_slab_injected, injected + 2);
	assert_int_equal(cache_active_objs(c32), 2);
	assert_int_equal(nr_free_pages(), free_before);
	c = kmalloc(32, GFP_KERNEL); /* disarmed */
	assert_non_null(c);

	/* kmem_cache_create fails cleanly under injection */
	fail_slab_set(1, 1);
	assert_null(kmem_cache_create("doomed", 64, 0));
	assert_int_equal(fail_slab_injected, injected + 3);

	/* a slab needing a new page fails when the buddy does; nothing leaks */
	for (int i = 0; i < NR_KMALLOC_CACHES; i++)
		kmem_cache_shrink(kmalloc_caches[i]);
	d = kmalloc(2048, GFP_KERNEL); /* new slab of kmalloc-2048 */
	assert_non_null(d);
	free_before = nr_free_pages();
	fail_page_alloc_set(1, 1);
	e = kmalloc(3000, __GFP_NOWARN); /* kmalloc-4096 is empty: needs a page */
	assert_null(e);
	assert_int_equal(kmalloc_caches[kmalloc_index(4096)]->nr_slabs, 0);
	assert_int_equal(nr_free_pages(), free_before);
	e = kmalloc(2048, GFP_KERNEL); /* same slab as d: no page needed */
	assert_non_null(e);
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
	kfree(e);
	assert_int_equal(warn_count, 0);
	check_all_back();
}

/* /proc/slabinfo 2.1 as SLUB prints it: tunables and sharedavail 0. */
#define SLABINFO_FMT \
	"%-17s %6d %6d %6d %4d %4d : tunables    0    0    0 : slabdata %6d %6d      0\n"

static void test_slabinfo(void **state)
{
	void *p[3];
	char line[128];

	(void)state;
	for (int i = 0; i < 3; i++)
		p[i] = kmalloc(64, GFP_KERNEL);
	slabinfo_dump();
	assert_true(shim_log_has("slabinfo - version: 2.1\n"));
	assert_true(shim_log_has(
		"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
		" : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs>"
		" <num_slabs> <sharedavail>\n"));
	snprintf(line, sizeof(line), SLABINFO_FMT, "kmalloc-64", 3, 64, 64, 64, 1, 1, 1);
	assert_true(shim_log_has(line));
	snprintf(line, sizeof(line), SLABINFO_FMT, "kmalloc-4096", 0, 0, 4096, 4, 4, 0, 0);
	assert_true(shim_log_has(line));
	for (int i = 0; i < 3; i++)
		kfree(p[i]);
	check_all_back();
}

/* ---- per-CPU arrays ---- */

/* A private cache with its CPU array empty; its slabs hold no object. */
static struct kmem_cache *cpu_test_cache(const char *name)
{
	struct kmem_cache *c = kmem_cache_create(name, 64, 0);

	assert_non_null(c);
	assert_int_equal(c->cpu[0].avail, 0);
	return c;
}

/* An empty array is refilled with one batch; a full one flushes one batch. */
static void test_cpu_cache_batch_refill_and_flush(void **state)
{
	static void *objs[40];
	struct kmem_cache *c = cpu_test_cache("test-cpu-batch");
	unsigned long before = nr_free_pages();

	(void)state;
	assert_non_null(objs[0] = kmem_cache_alloc(c, GFP_KERNEL));
	assert_int_equal(c->cpu[0].avail, SLAB_CPU_BATCH - 1);
	assert_int_equal(c->active_objs, SLAB_CPU_BATCH); /* off the slab: the batch */
	assert_int_equal(cache_active_objs(c), 1);
	for (int i = 1; i < 40; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(c, GFP_KERNEL));
	assert_int_equal(c->cpu[0].avail, 0); /* 40 = 5 batches */
	assert_int_equal(c->active_objs, 40);
	for (int i = 0; i < SLAB_CPU_CACHE_SIZE; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(c->cpu[0].avail, SLAB_CPU_CACHE_SIZE);
	assert_int_equal(c->active_objs, 40); /* nothing flushed yet */
	kmem_cache_free(c, objs[SLAB_CPU_CACHE_SIZE]);
	assert_int_equal(c->cpu[0].avail, SLAB_CPU_CACHE_SIZE - SLAB_CPU_BATCH + 1);
	assert_int_equal(c->active_objs, 40 - SLAB_CPU_BATCH);
	/* the oldest went back: the newest stays on top */
	assert_ptr_equal(c->cpu[0].objs[c->cpu[0].avail - 1], objs[SLAB_CPU_CACHE_SIZE]);
	assert_ptr_equal(c->cpu[0].objs[0], objs[SLAB_CPU_BATCH]);
	for (int i = SLAB_CPU_CACHE_SIZE + 1; i < 40; i++)
		kmem_cache_free(c, objs[i]);
	assert_int_equal(cache_active_objs(c), 0);
	assert_int_equal(kmem_cache_shrink(c), 1);
	assert_int_equal(c->cpu[0].avail, 0);
	assert_int_equal(nr_free_pages(), before);
	kmem_cache_destroy(c);
	assert_int_equal(warn_count, 0);
	check_all_back();
}

/* An object freed into the array is free: not live in the counts, its page given back by a drain. */
static void test_freed_object_in_cpu_cache_counts_as_free(void **state)
{
	struct kmem_cache *c = cpu_test_cache("test-cpu-free");
	unsigned long before = nr_free_pages();
	void *p;

	(void)state;
	assert_non_null(p = kmem_cache_alloc(c, GFP_KERNEL));
	assert_int_equal(c->nr_slabs, 1);
	kmem_cache_free(c, p);
	assert_int_equal(c->cpu[0].avail, SLAB_CPU_BATCH);
	assert_int_equal(cache_active_objs(c), 0);
	shim_log_clear();
	slabinfo_dump();
	assert_true(shim_log_has("test-cpu-free          0     64     64   64    1"));
	kmem_cache_drain_cpus(c);
	assert_int_equal(c->cpu[0].avail, 0);
	assert_int_equal(c->active_objs, 0);
	assert_int_equal(c->nr_free_slabs, 1);
	kmem_cache_destroy(c); /* not refused: nothing in use */
	assert_int_equal(warn_count, 0);
	assert_int_equal(nr_free_pages(), before);
	check_all_back();
}

/* A second free of an object already in a CPU array is refused; it is handed out once. */
static void test_double_free_into_cpu_cache_is_caught(void **state)
{
	struct kmem_cache *c = cpu_test_cache("test-cpu-double");
	void *p, *q, *r;

	(void)state;
	assert_non_null(p = kmem_cache_alloc(c, GFP_KERNEL));
	memset(p, 0x5a, 64);
	kmem_cache_free(c, p);
	assert_int_equal(c->cpu[0].avail, SLAB_CPU_BATCH);
	kmem_cache_free(c, p);
	assert_int_equal(warn_count, 1);
	assert_true(shim_log_has("double free"));
	kfree(p);
	assert_int_equal(warn_count, 2);
	assert_int_equal(c->cpu[0].avail, SLAB_CPU_BATCH);
	assert_non_null(q = kmem_cache_alloc(c, GFP_KERNEL));
	assert_non_null(r = kmem_cache_alloc(c, GFP_KERNEL));
	assert_ptr_equal(q, p);
	assert_ptr_not_equal(r, p);
	kmem_cache_free(c, q);
	kmem_cache_free(c, r);
	assert_int_equal(cache_active_objs(c), 0);
	kmem_cache_destroy(c);
	assert_int_equal(warn_count, 2);
	check_all_back();
}

/* Fault injection fails an allocation even with objects in the array; __GFP_ZERO zeroes one from it. */
static void test_cpu_cache_failslab_and_zero(void **state)
{
	struct kmem_cache *c = cpu_test_cache("test-cpu-fail");
	unsigned long injected = fail_slab_injected;
	unsigned char *p;

	(void)state;
	assert_non_null(p = kmem_cache_alloc(c, GFP_KERNEL));
	memset(p, 0xff, 64);
	kmem_cache_free(c, p);
	assert_int_equal(c->cpu[0].avail, SLAB_CPU_BATCH);
	fail_slab_set(1, 1);
	assert_null(kmem_cache_alloc(c, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(fail_slab_injected, injected + 1);
	assert_int_equal(c->cpu[0].avail, SLAB_CPU_BATCH);
	assert_ptr_equal(kmem_cache_alloc(c, GFP_KERNEL | __GFP_ZERO), p);
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	assert_int_equal(warn_count, 0);
	check_all_back();
}

#define T(fn) cmocka_unit_test_setup(fn, test_setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_size_classes),
		T(test_large_kmalloc),
		T(test_kzalloc_kcalloc),
		T(test_private_cache_random),
		T(test_full_slab_one_freed_back_to_partial),
		T(test_free_one_past_last_refused),
		T(test_cache_create_destroy),
		T(test_invalid_free),
		T(test_failslab),
		T(test_slabinfo),
		T(test_cpu_cache_batch_refill_and_flush),
		T(test_freed_object_in_cpu_cache_counts_as_free),
		T(test_double_free_into_cpu_cache_is_caught),
		T(test_cpu_cache_failslab_and_zero),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
