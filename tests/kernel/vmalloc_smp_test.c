/*
 * vmalloc on every CPU at once: one thread bound to each online CPU
 * allocates, fills, checks and frees areas of random sizes, and hands every
 * other area to a shared slot where the next thread to pass (on any CPU)
 * checks and frees it, so that areas are freed on a different CPU from the
 * one that allocated them; some go through vfree_atomic() and some are
 * freed from an interrupt (a call-function IPI on another CPU). Afterwards
 * vmalloc_check() must be clean and the pages exactly accounted for.
 *
 * The seed is printed; with one CPU the test still runs (no cross-CPU
 * frees then, and it says so).
 */
#include "asm/ipi.h"
#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/set_memory.h"
#include "asm/traps.h"
#include "debug/ktest.h"
#include "kernel/atomic.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "lib/random.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define VSMP_ROUNDS	  400
#define VSMP_SLOTS	  16
#define VSMP_MAX_PAGES	  6
#define VSMP_HEADER_MAGIC 0x5653d9a1u

/* The first bytes of every area: who made it and how big it is; the last
 * byte repeats the tag, so a remap or an early free shows as a mismatch. */
struct vsmp_header {
	u32 magic;
	u32 tag;
	unsigned long size;
};

struct vsmp_thread {
	u64 seed;
	unsigned int cpu;
	unsigned long allocs, cross_frees, atomic_frees, irq_frees, bad;
};

static void *vsmp_slot[VSMP_SLOTS];
static struct vsmp_thread vsmp_threads[NR_CPUS];

static u32 vsmp_tag(unsigned int cpu, unsigned int round)
{
	return (cpu << 24) ^ (round * 2654435761u);
}

static void *vsmp_alloc(struct rnd_state *r, unsigned int cpu, unsigned int round)
{
	unsigned long size = (rnd_below(r, VSMP_MAX_PAGES) + 1) * PAGE_SIZE;
	struct vsmp_header *h;

	if (rnd_below(r, 4) == 0)
		size -= rnd_below(r, PAGE_SIZE - sizeof(*h) - 1); /* not a whole page */
	h = vmalloc(size);
	if (!h)
		return NULL;
	h->magic = VSMP_HEADER_MAGIC;
	h->tag = vsmp_tag(cpu, round);
	h->size = size;
	((volatile u8 *)h)[size - 1] = (u8)h->tag;
	return h;
}

/* The area still holds what its maker wrote. */
static bool vsmp_intact(const struct vsmp_header *h)
{
	return h->magic == VSMP_HEADER_MAGIC && h->size <= VSMP_MAX_PAGES * PAGE_SIZE &&
	       ((const volatile u8 *)h)[h->size - 1] == (u8)h->tag;
}

/* vfree() in an IPI handler on the CPU this runs on: interrupt context. */
static void vsmp_vfree_in_irq(void *addr)
{
	vfree(addr);
}

static void vsmp_free(struct vsmp_thread *me, struct rnd_state *r, void *p)
{
	unsigned int other;

	if (!vsmp_intact(p))
		me->bad++;
	switch (rnd_below(r, 8)) {
	case 0:
		vfree_atomic(p);
		me->atomic_frees++;
		return;
	case 1:
		other = (me->cpu + 1) % NR_CPUS;
		while (!cpu_online(other))
			other = (other + 1) % NR_CPUS;
		if (other != me->cpu &&
		    !smp_call_function_single(other, vsmp_vfree_in_irq, p, true)) {
			me->irq_frees++;
			return;
		}
		break;
	}
	vfree(p);
}

static int vsmp_thread_fn(void *arg)
{
	struct vsmp_thread *me = arg;
	struct rnd_state r;

	rnd_seed(&r, me->seed);
	for (unsigned int round = 0; round < VSMP_ROUNDS; round++) {
		void *p = vsmp_alloc(&r, me->cpu, round), *old;

		if (!p) {
			me->bad++;
			continue;
		}
		me->allocs++;
		if (rnd_below(&r, 2)) {
			vsmp_free(me, &r, p);
		} else {
			old = xchg(&vsmp_slot[rnd_below(&r, VSMP_SLOTS)], p);
			if (old) {
				me->cross_frees++; /* made by whichever thread put it there */
				vsmp_free(me, &r, old);
			}
		}
		if (round % 32 == 0)
			yield();
	}
	return 0;
}

/* Pages in use that no test area holds: what must come back to its start. */
static unsigned long vsmp_pages_accounted(void)
{
	vm_unmap_aliases(); /* runs and waits for the vfree_atomic() queue too */
	return nr_free_pages() + slab_nr_pages() + pgtable_stats.pt_pages;
}

static void vsmp_drain_slots(struct ktest *t)
{
	for (int i = 0; i < VSMP_SLOTS; i++) {
		void *p = xchg(&vsmp_slot[i], NULL);

		if (p) {
			KTEST_EXPECT_TRUE(t, vsmp_intact(p));
			vfree(p);
		}
	}
}

/* Start one thread per online CPU, bound there; return how many started. */
static unsigned int vsmp_start(struct ktest *t, u64 seed, struct task_struct **task)
{
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu)
	{
		struct vsmp_thread *v = &vsmp_threads[cpu];

		*v = (struct vsmp_thread){ .seed = seed ^ ((u64)cpu << 32), .cpu = cpu };
		task[cpu] = kthread_create(vsmp_thread_fn, v, "vsmp/%u", cpu);
		KTEST_EXPECT_NOT_NULL(t, task[cpu]);
		if (!task[cpu])
			continue;
		KTEST_EXPECT_EQ(t, kthread_bind(task[cpu], cpu), 0);
		n++;
	}
	for_each_online_cpu(cpu) if (task[cpu]) wake_up_process(task[cpu]);
	return n;
}

KTEST(vmalloc_smp, concurrent_vmalloc_vfree_on_every_cpu)
{
	static struct task_struct *task[NR_CPUS];
	unsigned long before, busy, allocs = 0, cross = 0, atomics = 0, irqs = 0;
	u64 seed = rdtsc();
	unsigned int cpu, started;

	ktest_need_pages(t, num_online_cpus() * (VSMP_SLOTS + 4) * (VSMP_MAX_PAGES + 2) + 256);
	pr_info("vmalloc_smp: seed %#llx, %u CPUs, %u rounds each\n", (unsigned long long)seed,
		num_online_cpus(), VSMP_ROUNDS);
	vfree(vmalloc(VSMP_MAX_PAGES * PAGE_SIZE)); /* warm-up: slab pages, page tables */
	before = vsmp_pages_accounted();
	busy = vmalloc_nr_busy();

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		task[cpu] = NULL;
	started = vsmp_start(t, seed, task);
	KTEST_EXPECT_EQ(t, started, num_online_cpus());
	for_each_online_cpu(cpu)
	{
		struct vsmp_thread *v = &vsmp_threads[cpu];

		if (!task[cpu])
			continue;
		KTEST_EXPECT_EQ(t, kthread_join(task[cpu]), 0);
		KTEST_EXPECT_EQ(t, v->bad, 0UL);
		allocs += v->allocs;
		cross += v->cross_frees;
		atomics += v->atomic_frees;
		irqs += v->irq_frees;
	}
	vsmp_drain_slots(t);
	pr_info("vmalloc_smp: %lu areas, %lu freed from a slot, %lu by vfree_atomic, %lu in an IPI\n",
		allocs, cross, atomics, irqs);
	KTEST_EXPECT_EQ(t, allocs, (unsigned long)started * VSMP_ROUNDS);
	if (num_online_cpus() > 1)
		KTEST_EXPECT_GT(t, irqs, 0UL);
	else
		pr_info("vmalloc_smp: one CPU online: no frees on another CPU\n");
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, vsmp_pages_accounted(), before);
}

struct vsmp_probe {
	const void *addr;
	u64 val;
	int err;
};

static void vsmp_probe_read(void *arg)
{
	struct vsmp_probe *pr = arg;

	pr->err = read_kernel_nofault(pr->addr, &pr->val);
}

static struct vsmp_probe vsmp_remote_read(unsigned int cpu, const void *addr)
{
	struct vsmp_probe pr = { addr, 0, -EINVAL };

	smp_call_function_single(cpu, vsmp_probe_read, &pr, true);
	return pr;
}

#define VSMP_PATTERN 0x766d616c6c6f6321ULL

/*
 * The lazy purge's promise on SMP: after vfree() another CPU may still read
 * the freed page through its TLB (the range is not reused yet); once the
 * purge returned the range to the free tree, no CPU can, because the purge
 * shot the range down on every CPU.
 */
KTEST(vmalloc_smp, remote_read_after_vfree_and_purge_faults)
{
	unsigned int cpu = (smp_processor_id() + 1) % NR_CPUS;
	struct vsmp_probe pr;
	u64 *p;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs a second online CPU");
	while (!cpu_online(cpu))
		cpu = (cpu + 1) % NR_CPUS;
	vm_unmap_aliases(); /* nothing lazy: the purge below is ours */
	p = vmalloc(PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	*p = VSMP_PATTERN;
	pr = vsmp_remote_read(cpu, p); /* that CPU's TLB now holds the translation */
	KTEST_EXPECT_EQ(t, pr.err, 0);
	KTEST_EXPECT_EQ(t, pr.val, VSMP_PATTERN);

	vfree(p); /* unmapped, lazy: no flush yet */
	KTEST_EXPECT_NULL(t, find_vm_area(p));
	pr = vsmp_remote_read(cpu, p);
	pr_info("vmalloc_smp: CPU %u after vfree, before the purge: %s\n", cpu,
		pr.err ? "faulted" : "still read the freed page (stale TLB entry)");
	/* A stale hit reads the freed page, which another CPU may reuse already. */
	KTEST_EXPECT_TRUE(t, pr.err == -EFAULT || pr.err == 0);

	vm_unmap_aliases(); /* the purge: shootdown, then the range is free */
	pr = vsmp_remote_read(cpu, p);
	KTEST_EXPECT_EQ(t, pr.err, -EFAULT);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/* ---- set_memory_*() from two CPUs at once ---- */

#define CPA_PAGES  64
#define CPA_ROUNDS 300

static unsigned long cpa_addr;

/* Pages of [cpa_addr, +CPA_PAGES) whose pte has @bit different from @want. */
static unsigned long cpa_wrong(u64 bit, bool want)
{
	unsigned long wrong = 0;
	enum pg_level level;

	for (int i = 0; i < CPA_PAGES; i++) {
		pte_t *pte = lookup_address(cpa_addr + i * PAGE_SIZE, &level);

		if (!pte || !!(*pte & bit) != want)
			wrong++;
	}
	return wrong;
}

/* The other CPU flips NX; after each of its own flips, every page must show it. */
static int cpa_flip_nx(void *arg __unused)
{
	unsigned long lost = 0;

	for (int i = 0; i < CPA_ROUNDS; i++) {
		bool nx = i & 1;

		if (nx)
			set_memory_nx(cpa_addr, CPA_PAGES);
		else
			set_memory_x(cpa_addr, CPA_PAGES);
		lost += cpa_wrong(_PAGE_NX, nx);
	}
	return (int)lost;
}

/*
 * set_memory_ro() on one CPU while set_memory_x() runs on another, over the
 * same pages: each rewrote the ptes with a plain read-modify-write, so one
 * CPU's change was lost (a page left writable after set_memory_ro(), or
 * executable after set_memory_nx()). Now the pte updates take cpa_lock.
 */
KTEST(vmalloc_smp, set_memory_on_two_cpus_loses_no_change)
{
	unsigned int cpu = (smp_processor_id() + 1) % NR_CPUS;
	unsigned long lost = 0;
	struct task_struct *p;
	void *area;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs a second online CPU");
	while (!cpu_online(cpu))
		cpu = (cpu + 1) % NR_CPUS;
	area = vmalloc(CPA_PAGES * PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, area);
	cpa_addr = (unsigned long)area;
	p = kthread_create(cpa_flip_nx, NULL, "cpa-nx");
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, kthread_bind(p, cpu), 0);
	wake_up_process(p);
	for (int i = 0; i < CPA_ROUNDS; i++) {
		bool ro = !(i & 1);

		if (ro)
			set_memory_ro(cpa_addr, CPA_PAGES);
		else
			set_memory_rw(cpa_addr, CPA_PAGES);
		lost += cpa_wrong(_PAGE_RW, !ro);
	}
	KTEST_EXPECT_EQ(t, kthread_join(p), 0);
	KTEST_EXPECT_EQ(t, lost, 0UL);
	set_memory_rw(cpa_addr, CPA_PAGES);
	set_memory_nx(cpa_addr, CPA_PAGES);
	vfree(area);
}

/* ---- vfree() in an interrupt, freed by the kworker alone ---- */

static void vsmp_vfree_there(void *addr)
{
	vfree(addr); /* an IPI: interrupt context, so it queues */
}

/*
 * Nothing but the deferred work frees it: vfree_atomic() queued the work
 * before it pushed the area, so a kworker that ran in between found the
 * queue empty and nothing ever freed the area. The test calls no
 * vfree_deferred_run() itself; it sleeps until the area is gone (up to 5 s).
 */
KTEST(vmalloc_smp, vfree_in_irq_is_freed_by_the_kworker)
{
	unsigned int cpu = (smp_processor_id() + 1) % NR_CPUS;
	void *p;
	int waited;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs a second online CPU");
	while (!cpu_online(cpu))
		cpu = (cpu + 1) % NR_CPUS;
	p = vmalloc(2 * PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, smp_call_function_single(cpu, vsmp_vfree_there, p, true), 0);
	for (waited = 0; find_vm_area(p) && waited < 500; waited++)
		msleep(10);
	KTEST_EXPECT_NULL(t, find_vm_area(p));
	pr_info("vmalloc_smp: freed by the kworker after ~%d ms\n", waited * 10);
}
