/*
 * Self-tests for the sharded busy areas and the per-CPU pools (issue 15
 * item 2), suite vmalloc_shard: areas spread over the shards; every page of
 * an area is found from inside it, whichever shard its start is in; a bad
 * vfree() inside an area is refused from any shard; and a range a CPU
 * freed comes back from that CPU's pool, not another CPU's.
 */
#include "debug/ktest.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "mm/vmalloc.h"

#define VS_AREAS 64

/* Shards whose count of busy areas differs between @before and now. */
static unsigned int shards_changed(const unsigned long before[VMALLOC_NR_SHARDS])
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < VMALLOC_NR_SHARDS; i++)
		n += vmalloc_shard_nr_busy(i) != before[i];
	return n;
}

/* 64 small areas, neighbours in the address space, land in many shards. */
KTEST(vmalloc_shard, neighbouring_areas_spread_over_the_shards)
{
	unsigned long before[VMALLOC_NR_SHARDS], sum = 0;
	void *p[VS_AREAS];
	unsigned int i;

	for (i = 0; i < VMALLOC_NR_SHARDS; i++)
		before[i] = vmalloc_shard_nr_busy(i);
	for (i = 0; i < VS_AREAS; i++) {
		p[i] = vmalloc(PAGE_SIZE);
		KTEST_ASSERT_NOT_NULL(t, p[i]);
	}
	for (i = 0; i < VMALLOC_NR_SHARDS; i++)
		sum += vmalloc_shard_nr_busy(i) - before[i];
	KTEST_EXPECT_EQ(t, sum, (unsigned long)VS_AREAS);
	/* A page-number hash leaves a shard empty of 64 areas with p < 0.3 each. */
	KTEST_EXPECT_GE(t, shards_changed(before), VMALLOC_NR_SHARDS / 2U);
	for (i = 0; i < VS_AREAS; i++)
		vfree(p[i]);
	KTEST_EXPECT_EQ(t, shards_changed(before), 0U);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

/*
 * An area lives in the shard of its start; its other pages hash elsewhere.
 * find_vm_area() and vread() from each of them must still find it, and a
 * vfree() of an inner page must be refused, the area left whole.
 */
KTEST(vmalloc_shard, every_inner_page_finds_its_area)
{
	unsigned long busy, warns, pages = 16;
	struct vm_struct *vm;
	char *p, buf[16];

	p = vmalloc(pages * PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	vm = find_vm_area(p);
	KTEST_ASSERT_NOT_NULL(t, vm);
	for (unsigned long i = 0; i < pages; i++) {
		memset(p + i * PAGE_SIZE, (int)(0x40 + i), PAGE_SIZE);
		KTEST_EXPECT_EQ(t, (unsigned long)find_vm_area(p + i * PAGE_SIZE + 8),
				(unsigned long)vm);
	}
	KTEST_EXPECT_EQ(t, (unsigned long)find_vm_area(p + pages * PAGE_SIZE),
			(unsigned long)vm); /* its guard page */
	/* Eight bytes either side of the boundary of pages 6 and 7. */
	vread(buf, p + 7 * PAGE_SIZE - 8, sizeof(buf));
	KTEST_EXPECT_EQ(t, (u8)buf[0], 0x46U);
	KTEST_EXPECT_EQ(t, (u8)buf[15], 0x47U);

	busy = vmalloc_nr_busy();
	warns = warn_count;
	vfree(p + 5 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, warn_count, warns + 1);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, (unsigned long)find_vm_area(p + 5 * PAGE_SIZE), (unsigned long)vm);
	KTEST_EXPECT_EQ(t, (u8)p[5 * PAGE_SIZE], 0x45U);
	vfree(p);
	KTEST_EXPECT_NULL(t, find_vm_area(p + 5 * PAGE_SIZE));
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

struct vs_job {
	void *addr; /* out: what the thread's vmalloc(PAGE_SIZE) returned */
	bool free;  /* free it again before returning */
};

static int vs_alloc_thread(void *arg)
{
	struct vs_job *job = arg;

	job->addr = vmalloc(PAGE_SIZE);
	if (job->free)
		vfree(job->addr);
	return 0;
}

/* Run vs_alloc_thread() on CPU @cpu and wait for it. */
static void vs_on_cpu(struct ktest *t, unsigned int cpu, struct vs_job *job)
{
	struct task_struct *k = kthread_create(vs_alloc_thread, job, "vs/%u", cpu);

	KTEST_ASSERT_NOT_NULL(t, k);
	KTEST_ASSERT_EQ(t, kthread_bind(k, cpu), 0);
	wake_up_process(k);
	KTEST_EXPECT_EQ(t, kthread_join(k), 0);
}

static void vs_lazy_restore(void *pages)
{
	vmalloc_set_lazy_max_pages((unsigned long)pages);
}

/*
 * CPU 1 frees a 1-page area; the background purge returns its range to
 * CPU 1's pool. A 1-page vmalloc() here must not get it (with one shared
 * pool it would: pools are served first), one on CPU 1 must.
 */
KTEST(vmalloc_shard, freed_range_returns_to_the_freeing_cpus_pool)
{
	unsigned int cpu = (smp_processor_id() + 1) % NR_CPUS;
	struct vmalloc_pool_info other, own;
	struct vs_job job = { NULL, true };
	void *here;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs a second online CPU");
	while (!cpu_online(cpu) || cpu == smp_processor_id())
		cpu = (cpu + 1) % NR_CPUS;
	ktest_defer(t, vs_lazy_restore, (void *)vmalloc_lazy_max_pages());
	vmalloc_purge_flush();
	vm_unmap_aliases();	       /* nothing lazy, every pool empty */
	vmalloc_set_lazy_max_pages(1); /* each free queues the background purge */

	vs_on_cpu(t, cpu, &job);
	KTEST_ASSERT_NOT_NULL(t, job.addr);
	vmalloc_purge_flush();
	vmalloc_pool_info_cpu(cpu, &other);
	KTEST_EXPECT_GE(t, other.nr_areas, 1UL);

	vmalloc_set_lazy_max_pages(~0UL >> 1); /* no purge from here on */
	vmalloc_pool_info_cpu(smp_processor_id(), &own);
	here = vmalloc(PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, here);
	KTEST_EXPECT_NE(t, (unsigned long)here, (unsigned long)job.addr);

	{
		struct vs_job again = { NULL, false };

		vs_on_cpu(t, cpu, &again);
		KTEST_EXPECT_EQ(t, (unsigned long)again.addr, (unsigned long)job.addr);
		vfree(again.addr);
	}
	vfree(here);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}
