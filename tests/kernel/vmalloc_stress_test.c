/*
 * vmalloc under concurrency, in the spirit of Linux's test_vmalloc in its
 * nr_threads mode: one thread bound to each online CPU, started together,
 * runs random scenarios for a bounded time (vmalloc + touch + vfree, vzalloc
 * that must read zero, aligned allocations, vmap, vm_map_ram, ioremap of a
 * fixed device page, areas handed to whichever thread comes next through a
 * shared array and freed there, and areas freed with vfree_atomic() from the
 * timer interrupt of each CPU). Afterwards: vmalloc_check() clean, the pages,
 * the busy areas and the vmap blocks exactly back to their counts before.
 *
 * The first line printed is the seed, from the TSC unless the command line
 * gives one (vmalloc_stress.seed=); vmalloc_stress.ms= sets the length.
 * The same seed replays each thread's choices, not the interleaving.
 *
 * A shootdown test: a thread on another CPU reads one address in a loop
 * while this one frees it, purges, and maps it again with a new page per
 * generation; the reader may fault, but must never read an older
 * generation's page once a newer one was published.
 *
 * In make test each test runs about vmalloc_stress.ms (1.5 s by default)
 * or its round cap, whichever comes first; make stress gives the main test
 * the whole time and each of the other three a quarter of it, uncapped.
 */
#include "asm/apic_timer.h"
#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/traps.h"
#include "debug/ktest.h"
#include "kernel/atomic.h"
#include "kernel/cmdline.h"
#include "kernel/completion.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "lib/random.h"
#include "lib/vsprintf.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define VS_DEFAULT_MS  1500
#define VS_MAX_PAGES   16
#define VS_SLOTS       32
#define VS_RAM_PAGES   4 /* distinct pages behind one vm_map_ram() */
#define VS_MAGIC       0x76737472u
#define VS_IO_PHYS     0xfed00000UL /* the HPET's page: device memory, never RAM */
#define VS_REPORTS_MAX 4	    /* problems printed per thread */

enum vs_op {
	VS_VMALLOC,
	VS_VZALLOC,
	VS_ALIGNED,
	VS_VMAP,
	VS_MAP_RAM,
	VS_IOREMAP,
	VS_HANDOVER,
	VS_TICK,
	VS_NR_OPS
};

static const char *const vs_op_names[VS_NR_OPS] = {
	"vmalloc", "vzalloc", "aligned", "vmap", "vm_map_ram", "ioremap", "handover", "tick",
};

struct vs_thread {
	u64 seed;
	unsigned int cpu;
	struct rnd_state r;
	unsigned long ops[VS_NR_OPS];
	unsigned long cross_frees, bad;
};

/* The first bytes of a handed-over area; its last byte repeats the tag. */
struct vs_hdr {
	u32 magic;
	u32 tag;
	unsigned long size;
};

/* A vm_map_ram() mapping handed to another thread, which unmaps it. */
struct vs_ram {
	void *addr;
	unsigned int count, nr_pages;
	u32 tag;
	struct page *pages[VS_RAM_PAGES];
};

static struct vs_thread vs_threads[NR_CPUS];
static void *vs_slot[VS_SLOTS];		     /* struct vs_hdr areas, any thread's */
static struct vs_ram *vs_ram_slot[VS_SLOTS]; /* mappings, any thread's */
static void *vs_tick_slot[NR_CPUS];	     /* for CPU n's tick to vfree_atomic() */
static atomic_t vs_tick_frees, vs_hook_active;
static bool vs_hook_on;
static struct completion vs_go;
static u64 vs_end_ns;

/* The run length: vmalloc_stress.ms= or the default. */
static unsigned long vs_run_ms(void)
{
	return cmdline_opts.stress_ms ? cmdline_opts.stress_ms : VS_DEFAULT_MS;
}

/*
 * When a secondary test stops: after @dflt rounds and the default run
 * length in make test; under make stress (vmalloc_stress.ms= given) after
 * a quarter of it, however many rounds that takes. Returns the round cap
 * and sets *@end_ns.
 */
static unsigned long vs_bounds(unsigned long dflt, u64 *end_ns)
{
	bool long_run = cmdline_opts.stress_ms != 0;

	*end_ns = sched_clock_ns() + (long_run ? vs_run_ms() / 4 : vs_run_ms()) * 1000000ULL;
	return long_run ? ~0UL : dflt;
}

static __printf(2, 3) void vs_bad(struct vs_thread *me, const char *fmt, ...)
{
	char buf[160];
	va_list args;

	if (me->bad++ >= VS_REPORTS_MAX)
		return;
	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	pr_err("vmalloc_stress: CPU %u: %s\n", me->cpu, buf);
}

static unsigned long vs_rand_size(struct vs_thread *me)
{
	unsigned long size = (rnd_below(&me->r, VS_MAX_PAGES) + 1) * PAGE_SIZE;

	if (rnd_below(&me->r, 4) == 0)
		size -= rnd_below(&me->r, PAGE_SIZE - sizeof(struct vs_hdr) - 1);
	return size;
}

/* Write a word into each page of [p, p + size) and read them all back. */
static void vs_touch(struct vs_thread *me, u64 *p, unsigned long size, const char *what)
{
	unsigned long words = PAGE_SIZE / sizeof(u64), n = DIV_ROUND_UP(size, PAGE_SIZE);
	u64 tag = rnd_next(&me->r);

	for (unsigned long i = 0; i < n; i++)
		p[i * words] = tag ^ i;
	for (unsigned long i = 0; i < n; i++)
		if (p[i * words] != (tag ^ i)) {
			vs_bad(me, "%s: page %lu of %p lost its word", what, i, p);
			return;
		}
}

static void vs_op_vmalloc(struct vs_thread *me)
{
	unsigned long size = vs_rand_size(me);
	u64 *p = vmalloc(size);

	if (!p) {
		vs_bad(me, "vmalloc(%lu) failed", size);
		return;
	}
	vs_touch(me, p, size, "vmalloc");
	vfree(p);
}

static void vs_op_vzalloc(struct vs_thread *me)
{
	unsigned long size = vs_rand_size(me);
	const u8 *p = vzalloc(size);

	if (!p) {
		vs_bad(me, "vzalloc(%lu) failed", size);
		return;
	}
	for (unsigned long i = 0; i < size; i++)
		if (p[i]) {
			vs_bad(me, "vzalloc(%lu): byte %lu of %p is %#x", size, i, p, p[i]);
			break;
		}
	vfree(p);
}

static void vs_op_aligned(struct vs_thread *me)
{
	unsigned long size = vs_rand_size(me), align = PAGE_SIZE << rnd_below(&me->r, 9);
	u64 *p = __vmalloc_node(size, align, GFP_KERNEL, -1, __builtin_return_address(0));

	if (!p) {
		vs_bad(me, "vmalloc(%lu) aligned to %#lx failed", size, align);
		return;
	}
	if (!IS_ALIGNED((unsigned long)p, align))
		vs_bad(me, "%p is not aligned to %#lx", p, align);
	vs_touch(me, p, size, "aligned");
	vfree(p);
}

/* @n fresh pages, page i starting with @tag ^ i; false (none kept) when out of memory. */
static bool vs_get_pages(struct page **pages, unsigned int n, u32 tag)
{
	for (unsigned int i = 0; i < n; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		if (!pages[i]) {
			while (i--)
				__free_pages(pages[i], 0);
			return false;
		}
		*(u64 *)page_address(pages[i]) = tag ^ i;
	}
	return true;
}

static void vs_put_pages(struct page **pages, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		__free_pages(pages[i], 0);
}

/* Page i of the @count-page mapping at @p shows page i % @nr's first word. */
static bool vs_map_intact(const void *p, unsigned int count, unsigned int nr, u32 tag)
{
	for (unsigned int i = 0; i < count; i++)
		if (*(const u64 *)((const char *)p + i * PAGE_SIZE) != (u64)(tag ^ (i % nr)))
			return false;
	return true;
}

static void vs_op_vmap(struct vs_thread *me)
{
	unsigned int n = rnd_below(&me->r, 8) + 1;
	u32 tag = (u32)rnd_next(&me->r);
	struct page *pages[8];
	void *p;

	if (!vs_get_pages(pages, n, tag)) {
		vs_bad(me, "vmap: no %u pages", n);
		return;
	}
	p = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (!p)
		vs_bad(me, "vmap(%u pages) failed", n);
	else if (!vs_map_intact(p, n, n, tag))
		vs_bad(me, "vmap at %p does not show its pages", p);
	vunmap(p);
	vs_put_pages(pages, n);
}

static void vs_ram_release(struct vs_ram *m)
{
	vm_unmap_ram(m->addr, m->count);
	vs_put_pages(m->pages, m->nr_pages);
	kfree(m);
}

/* Mostly block-sized requests, sometimes one above VMAP_MAX_ALLOC. */
static unsigned int vs_ram_count(struct vs_thread *me)
{
	if (rnd_below(&me->r, 16) == 0)
		return VMAP_MAX_ALLOC + 1 + rnd_below(&me->r, 8);
	return rnd_below(&me->r, rnd_below(&me->r, 4) ? 8 : VMAP_MAX_ALLOC) + 1;
}

static void vs_op_map_ram(struct vs_thread *me)
{
	struct page *arr[VMAP_MAX_ALLOC + 8];
	struct vs_ram *m = kzalloc(sizeof(*m), GFP_KERNEL), *old;

	if (!m) {
		vs_bad(me, "vm_map_ram: no memory for the record");
		return;
	}
	m->count = vs_ram_count(me);
	m->nr_pages = min(m->count, VS_RAM_PAGES);
	m->tag = (u32)rnd_next(&me->r);
	if (!vs_get_pages(m->pages, m->nr_pages, m->tag)) {
		vs_bad(me, "vm_map_ram: no %u pages", m->nr_pages);
		kfree(m);
		return;
	}
	for (unsigned int i = 0; i < m->count; i++)
		arr[i] = m->pages[i % m->nr_pages];
	m->addr = vm_map_ram(arr, m->count, -1);
	if (!m->addr) {
		vs_bad(me, "vm_map_ram(%u pages) failed", m->count);
		vs_put_pages(m->pages, m->nr_pages);
		kfree(m);
		return;
	}
	if (!vs_map_intact(m->addr, m->count, m->nr_pages, m->tag))
		vs_bad(me, "vm_map_ram at %p does not show its pages", m->addr);
	if (rnd_below(&me->r, 2)) {
		vs_ram_release(m);
		return;
	}
	old = xchg(&vs_ram_slot[rnd_below(&me->r, VS_SLOTS)], m);
	if (!old)
		return;
	if (!vs_map_intact(old->addr, old->count, old->nr_pages, old->tag))
		vs_bad(me, "handed-over vm_map_ram at %p changed", old->addr);
	me->cross_frees++;
	vs_ram_release(old);
}

static void vs_op_ioremap(struct vs_thread *me)
{
	void *p = ioremap(VS_IO_PHYS, PAGE_SIZE);

	if (!p) {
		vs_bad(me, "ioremap(%#lx) failed", VS_IO_PHYS);
		return;
	}
	if (vmalloc_to_pfn(p) != PHYS_PFN(VS_IO_PHYS))
		vs_bad(me, "ioremap at %p maps pfn %#lx", p, vmalloc_to_pfn(p));
	iounmap(p);
}

/* A vmalloc() area with a header and a tail byte naming it, or NULL. */
static struct vs_hdr *vs_alloc_hdr(struct vs_thread *me)
{
	unsigned long size = vs_rand_size(me);
	struct vs_hdr *h = vmalloc(size);

	if (!h) {
		vs_bad(me, "vmalloc(%lu) failed", size);
		return NULL;
	}
	h->magic = VS_MAGIC;
	h->tag = (u32)rnd_next(&me->r);
	h->size = size;
	((volatile u8 *)h)[size - 1] = (u8)h->tag;
	return h;
}

static bool vs_hdr_intact(const struct vs_hdr *h)
{
	return h->magic == VS_MAGIC && h->size <= VS_MAX_PAGES * PAGE_SIZE &&
	       ((const volatile u8 *)h)[h->size - 1] == (u8)h->tag;
}

static void vs_op_handover(struct vs_thread *me)
{
	struct vs_hdr *h = vs_alloc_hdr(me), *old;

	if (!h)
		return;
	old = xchg(&vs_slot[rnd_below(&me->r, VS_SLOTS)], h);
	if (!old)
		return;
	if (!vs_hdr_intact(old))
		vs_bad(me, "handed-over area %p changed", old);
	me->cross_frees++;
	if (rnd_below(&me->r, 4) == 0)
		vfree_atomic(old);
	else
		vfree(old);
}

/* Give this CPU's tick an area to free; free the one it has not taken yet. */
static void vs_op_tick(struct vs_thread *me)
{
	struct vs_hdr *h = vs_alloc_hdr(me), *old;

	if (!h)
		return;
	old = xchg(&vs_tick_slot[me->cpu], h);
	if (old)
		vfree(old);
}

/* The timer interrupt's part, on every CPU: vfree_atomic() what its slot holds. */
static void vs_tick_hook(void)
{
	void *p;

	atomic_inc(&vs_hook_active);
	if (READ_ONCE(vs_hook_on)) {
		p = xchg(&vs_tick_slot[smp_processor_id()], NULL);
		if (p) {
			vfree_atomic(p);
			atomic_inc(&vs_tick_frees);
		}
	}
	atomic_dec(&vs_hook_active);
}

static void (*const vs_ops[VS_NR_OPS])(struct vs_thread *me) = {
	vs_op_vmalloc, vs_op_vzalloc, vs_op_aligned,  vs_op_vmap,
	vs_op_map_ram, vs_op_ioremap, vs_op_handover, vs_op_tick,
};

static int vs_thread_fn(void *arg)
{
	struct vs_thread *me = arg;
	unsigned long n = 0;

	rnd_seed(&me->r, me->seed);
	wait_for_completion(&vs_go);
	while (sched_clock_ns() < READ_ONCE(vs_end_ns)) {
		unsigned int op = rnd_below(&me->r, VS_NR_OPS);

		vs_ops[op](me);
		me->ops[op]++;
		if (++n % 16 == 0)
			cond_resched();
	}
	return 0;
}

/* Pages in use that no test object holds: what must come back to its start. */
static unsigned long vs_pages_accounted(void)
{
	vfree_deferred_flush();
	vm_unmap_aliases();
	return nr_free_pages() + slab_nr_pages() + pgtable_stats.pt_pages;
}

/* Stop the tick hook and wait until no CPU runs it. */
static void vs_hook_stop(void)
{
	WRITE_ONCE(vs_hook_on, false);
	WRITE_ONCE(apic_timer_hook, NULL);
	while (atomic_read(&vs_hook_active))
		cpu_relax();
}

/* Free what the threads left in the shared slots, checking it first. */
static void vs_drain(struct ktest *t)
{
	for (int i = 0; i < VS_SLOTS; i++) {
		struct vs_hdr *h = xchg(&vs_slot[i], NULL);
		struct vs_ram *m = xchg(&vs_ram_slot[i], NULL);

		if (h) {
			KTEST_EXPECT_TRUE(t, vs_hdr_intact(h));
			vfree(h);
		}
		if (m) {
			KTEST_EXPECT_TRUE(t, vs_map_intact(m->addr, m->count, m->nr_pages, m->tag));
			vs_ram_release(m);
		}
	}
	for (int i = 0; i < NR_CPUS; i++)
		vfree(xchg(&vs_tick_slot[i], NULL));
}

/* One thread per online CPU, bound there, woken (they wait for vs_go). */
static unsigned int vs_start(struct ktest *t, u64 seed, struct task_struct **task,
			     int (*fn)(void *arg))
{
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu)
	{
		struct vs_thread *v = &vs_threads[cpu];

		*v = (struct vs_thread){ .seed = seed ^ ((u64)cpu << 40), .cpu = cpu };
		task[cpu] = kthread_create(fn, v, "vstress/%u", cpu);
		KTEST_EXPECT_NOT_NULL(t, task[cpu]);
		if (!task[cpu])
			continue;
		KTEST_EXPECT_EQ(t, kthread_bind(task[cpu], cpu), 0);
		n++;
	}
	for_each_online_cpu(cpu) if (task[cpu]) wake_up_process(task[cpu]);
	return n;
}

/* Join the threads; add up their counters into @total. Returns the problems found. */
static unsigned long vs_join(struct ktest *t, struct task_struct **task, struct vs_thread *total)
{
	unsigned long bad = 0;
	unsigned int cpu;

	for_each_online_cpu(cpu)
	{
		struct vs_thread *v = &vs_threads[cpu];

		if (!task[cpu])
			continue;
		KTEST_EXPECT_EQ(t, kthread_join(task[cpu]), 0);
		for (int op = 0; op < VS_NR_OPS; op++)
			total->ops[op] += v->ops[op];
		total->cross_frees += v->cross_frees;
		bad += v->bad;
	}
	return bad;
}

static void vs_summary(const struct vs_thread *total, unsigned int threads, unsigned long ms)
{
	unsigned long all = 0;

	for (int op = 0; op < VS_NR_OPS; op++)
		all += total->ops[op];
	pr_info("vmalloc_stress: %u threads, %lu ms, %lu scenarios, %lu freed by another "
		"thread, %d by vfree_atomic() from a tick\n",
		threads, ms, all, total->cross_frees, atomic_read(&vs_tick_frees));
	for (int op = 0; op < VS_NR_OPS; op++)
		pr_info("vmalloc_stress:   %s %lu\n", vs_op_names[op], total->ops[op]);
}

KTEST(vmalloc_stress, every_scenario_on_every_cpu_at_once)
{
	static struct task_struct *task[NR_CPUS];
	static struct vs_thread total;
	u64 seed = cmdline_opts.stress_seed ? cmdline_opts.stress_seed : rdtsc();
	unsigned long ms = vs_run_ms(), before, busy, blocks, bad;
	unsigned int started;

	pr_info("vmalloc_stress: seed %#llx (replay with vmalloc_stress.seed=%#llx)\n",
		(unsigned long long)seed, (unsigned long long)seed);
	ktest_need_pages(t, num_online_cpus() * 3 * VS_SLOTS * (VS_MAX_PAGES + 2) + 1024);
	before = vs_pages_accounted();
	busy = vmalloc_nr_busy();
	blocks = vmap_block_count();
	total = (struct vs_thread){ 0 };
	atomic_set(&vs_tick_frees, 0);
	init_completion(&vs_go);
	for (int i = 0; i < NR_CPUS; i++)
		task[i] = NULL;
	WRITE_ONCE(vs_hook_on, true);
	WRITE_ONCE(apic_timer_hook, vs_tick_hook);

	started = vs_start(t, seed, task, vs_thread_fn);
	WRITE_ONCE(vs_end_ns, sched_clock_ns() + ms * 1000000ULL);
	complete_all(&vs_go);
	bad = vs_join(t, task, &total);
	vs_hook_stop();
	vs_drain(t);
	vs_summary(&total, started, ms);

	KTEST_EXPECT_EQ(t, started, num_online_cpus());
	KTEST_EXPECT_EQ(t, bad, 0UL);
	if (ms >= 200)
		KTEST_EXPECT_GT(t, (unsigned long)atomic_read(&vs_tick_frees), 0UL);
	KTEST_EXPECT_EQ(t, vs_pages_accounted(), before);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vmap_block_count(), blocks);
	if (bad || t->failed)
		pr_err("vmalloc_stress: FAILED with seed %#llx\n", (unsigned long long)seed);
}

/* ---- regressions the stress found ---- */

#define VS_SPLIT_ROUNDS 3000

static unsigned long vs_split_rounds;

/* Aligned allocations that split a free block in the middle, back to back. */
static int vs_split_fn(void *arg)
{
	struct vs_thread *me = arg;

	rnd_seed(&me->r, me->seed);
	wait_for_completion(&vs_go);
	for (unsigned long i = 0; i < vs_split_rounds && sched_clock_ns() < READ_ONCE(vs_end_ns);
	     i++) {
		unsigned long size = (rnd_below(&me->r, 4) + 1) * PAGE_SIZE;
		unsigned long align = PAGE_SIZE << (rnd_below(&me->r, 5) + 4);
		void *p = __vmalloc_node(size, align, GFP_KERNEL, -1, __builtin_return_address(0));

		me->ops[VS_ALIGNED]++;
		if (!p)
			vs_bad(me, "vmalloc(%lu) aligned to %#lx failed", size, align);
		vfree(p);
		if (i % 16 == 0)
			cond_resched();
	}
	return 0;
}

/*
 * Bug: alloc_vmap_area() made sure the one shared spare node was there,
 * then reserved its range; between the two, another CPU's middle split
 * could take the spare, and the allocation failed ("vmalloc: allocation
 * failure") with memory and address space to spare. Found by
 * every_scenario_on_every_cpu_at_once (seed 0x17ea35470, 120 s at SMP=2:
 * 10 of 13645 aligned allocations failed).
 */
KTEST(vmalloc_stress, aligned_vmalloc_on_two_cpus_never_fails_for_a_stolen_spare_node)
{
	static struct task_struct *task[NR_CPUS];
	static struct vs_thread total;
	u64 seed = cmdline_opts.stress_seed ? cmdline_opts.stress_seed : rdtsc();
	unsigned long bad;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs a second online CPU");
	for (int i = 0; i < NR_CPUS; i++)
		task[i] = NULL;
	total = (struct vs_thread){ 0 };
	init_completion(&vs_go);
	KTEST_EXPECT_EQ(t, vs_start(t, seed, task, vs_split_fn), num_online_cpus());
	vs_split_rounds = vs_bounds(VS_SPLIT_ROUNDS, &vs_end_ns);
	complete_all(&vs_go);
	bad = vs_join(t, task, &total);
	pr_info("vmalloc_stress: %lu aligned allocations, %lu failed (seed %#llx)\n",
		total.ops[VS_ALIGNED], bad, (unsigned long long)seed);
	KTEST_EXPECT_EQ(t, bad, 0UL);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* ---- the shootdown test ---- */

#define VS_GENERATIONS 100
#define VS_WAIT_SPINS  2000000
#define VS_GEN_PATTERN 0x73686f6f74000000ULL /* "shoot" + generation */
#define VS_SHOOT_PAGES 3 /* a page is refilled three generations after its last use */

struct vs_shoot {
	const void *addr;   /* what the reader reads */
	unsigned long gen;  /* published after the new page is mapped */
	unsigned long seen; /* the newest generation the reader read */
	bool done;
	unsigned long reads, faults, stale;
	u64 stale_val;
};

static struct vs_shoot vs_sh;

static int vs_reader_fn(void *arg __unused)
{
	while (!READ_ONCE(vs_sh.done)) {
		unsigned long g0 = smp_load_acquire(&vs_sh.gen);
		u64 v;

		vs_sh.reads++;
		if (read_kernel_nofault(vs_sh.addr, &v)) {
			vs_sh.faults++;
			continue;
		}
		if (v - VS_GEN_PATTERN < g0) {
			vs_sh.stale++;
			vs_sh.stale_val = v;
		} else if (v - VS_GEN_PATTERN == g0) {
			WRITE_ONCE(vs_sh.seen, g0);
		}
	}
	return 0;
}

/* Wait (bounded) for the reader to read generation @g. */
static void vs_wait_seen(unsigned long g)
{
	for (long i = 0; i < VS_WAIT_SPINS && READ_ONCE(vs_sh.seen) != g; i++)
		cpu_relax();
}

/* What the writer does per generation: map @page at vs_sh.addr, or undo that. */
struct vs_shoot_ops {
	void *(*map)(struct page *page);
	void (*unmap)(const void *addr);
};

static void *vs_shoot_vmap(struct page *page)
{
	struct page *arr[1] = { page };

	return vmap(arr, 1, VM_MAP, PAGE_KERNEL);
}

static void *vs_shoot_map_ram(struct page *page)
{
	struct page *arr[1] = { page };

	return vm_map_ram(arr, 1, -1);
}

static void vs_shoot_unmap_ram(const void *addr)
{
	vm_unmap_ram(addr, 1);
}

/*
 * The writer: for each generation, unmap the address, purge (every CPU
 * flushes it), fill another page with the generation's pattern, map it
 * at the same address, publish the generation, wait until the reader saw
 * it. Returns how many generations got the same address again.
 */
static unsigned long vs_shoot_run(struct ktest *t, const struct vs_shoot_ops *ops,
				  struct page **pages, unsigned long *gens)
{
	unsigned long reused = 0, max;
	void *cur;
	u64 end;

	*(u64 *)page_address(pages[0]) = VS_GEN_PATTERN;
	cur = ops->map(pages[0]);
	KTEST_EXPECT_NOT_NULL(t, cur);
	vs_sh.addr = cur;
	vs_wait_seen(0);
	max = vs_bounds(VS_GENERATIONS, &end);
	for (unsigned long g = 1; cur && g <= max && sched_clock_ns() < end; g++) {
		struct page *page = pages[g % VS_SHOOT_PAGES];

		ops->unmap(cur);
		vm_unmap_aliases();
		*(u64 *)page_address(page) = VS_GEN_PATTERN + g;
		cur = ops->map(page);
		KTEST_EXPECT_NOT_NULL(t, cur); /* the loop ends, the reader is stopped */
		if (cur == vs_sh.addr)
			reused++;
		smp_store_release(&vs_sh.gen, g);
		vs_wait_seen(g);
		*gens = g;
	}
	if (cur)
		ops->unmap(cur);
	return reused;
}

static void vs_shoot(struct ktest *t, const struct vs_shoot_ops *ops, const char *what)
{
	struct page *pages[VS_SHOOT_PAGES];
	struct task_struct *reader;
	unsigned int cpu, other = NR_CPUS;
	unsigned long reused, gens = 0;
	void *keep = NULL;

	for_each_online_cpu(cpu) if (cpu != smp_processor_id() && other == NR_CPUS) other = cpu;
	if (other == NR_CPUS)
		KTEST_SKIP(t, "needs a second online CPU");
	KTEST_ASSERT_TRUE(t, vs_get_pages(pages, VS_SHOOT_PAGES, 0));
	vm_unmap_aliases();
	if (ops->unmap == vs_shoot_unmap_ram)
		keep = vs_shoot_map_ram(pages[0]); /* holds the block across the purges */
	vs_sh = (struct vs_shoot){ .addr = NULL };
	reader = kthread_create(vs_reader_fn, NULL, "vshoot");
	KTEST_ASSERT_NOT_NULL(t, reader);
	KTEST_EXPECT_EQ(t, kthread_bind(reader, other), 0);
	wake_up_process(reader);
	reused = vs_shoot_run(t, ops, pages, &gens);
	WRITE_ONCE(vs_sh.done, true);
	KTEST_EXPECT_EQ(t, kthread_join(reader), 0);
	if (keep)
		vs_shoot_unmap_ram(keep);
	vs_put_pages(pages, VS_SHOOT_PAGES);
	vm_unmap_aliases();
	pr_info("vmalloc_stress: %s: %lu of %lu generations reused the address; CPU %u read %lu "
		"times, %lu faults, %lu stale\n",
		what, reused, gens, other, vs_sh.reads, vs_sh.faults, vs_sh.stale);
	KTEST_EXPECT_EQ(t, vs_sh.stale, 0UL);
	if (vs_sh.stale)
		pr_err("vmalloc_stress: %s: CPU %u read %#llx, an older generation's page\n", what,
		       other, (unsigned long long)vs_sh.stale_val);
	KTEST_EXPECT_GE(t, gens, 1UL);
	KTEST_EXPECT_GE(t, reused, gens / 2);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

KTEST(vmalloc_stress, shootdown_vmap_reader_never_sees_old_page)
{
	static const struct vs_shoot_ops ops = { vs_shoot_vmap, vunmap };

	vs_shoot(t, &ops, "vmap");
}

KTEST(vmalloc_stress, shootdown_vm_map_ram_reader_never_sees_old_page)
{
	static const struct vs_shoot_ops ops = { vs_shoot_map_ram, vs_shoot_unmap_ram };

	vs_shoot(t, &ops, "vm_map_ram");
}
