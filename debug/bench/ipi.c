/*
 * The cost of talking to other CPUs (bench=ipi): one call-function IPI
 * round trip (smp_call_function_single() with wait to the first other CPU)
 * and one TLB shootdown of 1 and of 64 pages (flush_tlb_kernel_range() to
 * every other online CPU; 64 pages is above the 33-page ceiling, so every
 * CPU does a full flush). Beside them, the same flushes on this CPU alone,
 * the part of a shootdown that is not the IPI. Interrupts are on while it
 * runs (a waiting call wants them); ticks land in the samples, which the
 * median of the repetitions keeps out.
 */
#include "debug/bench/internal.h"

#include "asm/ipi.h"
#include "asm/irqflags.h"
#include "asm/page.h"
#include "asm/processor.h"
#include "asm/tlbflush.h"
#include "kernel/smp.h"
#include "lib/sort.h"
#include "mm/memlayout.h"

#define IPI_LOOPS 200
#define IPI_REPS  7

static void ipi_nop(void *arg __unused)
{
}

struct ipi_case {
	const char *name;
	unsigned int pages; /* shootdowns: pages flushed; 0 = IPI round trip */
	bool local;	    /* this CPU's flush only */
};

static const struct ipi_case ipi_cases[] = {
	{ "ipi_roundtrip", 0, false },	{ "shootdown_1", 1, false },
	{ "shootdown_64", 64, false },	{ "local_flush_1", 1, true },
	{ "local_flush_64", 64, true },
};

static void ipi_case_once(const struct ipi_case *c, unsigned int target)
{
	unsigned long end = VMALLOC_START + ((unsigned long)c->pages << PAGE_SHIFT);

	if (!c->pages)
		smp_call_function_single(target, ipi_nop, NULL, true);
	else if (c->local)
		local_flush_tlb_range(VMALLOC_START, end);
	else
		flush_tlb_kernel_range(VMALLOC_START, end);
}

/* Median cycles per operation over IPI_REPS repetitions of IPI_LOOPS. */
static u64 ipi_case_measure(const struct ipi_case *c, unsigned int target)
{
	u64 per_op[IPI_REPS];

	for (unsigned int i = 0; i < 20; i++) /* warm TCG's code cache */
		ipi_case_once(c, target);
	for (unsigned int r = 0; r < IPI_REPS; r++) {
		u64 t0 = rdtsc_ordered();

		for (unsigned int i = 0; i < IPI_LOOPS; i++)
			ipi_case_once(c, target);
		per_op[r] = (rdtsc_ordered() - t0) / IPI_LOOPS;
	}
	sort_u64(per_op, IPI_REPS);
	return per_op[IPI_REPS / 2];
}

static unsigned int ipi_first_other_cpu(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) if (cpu != smp_processor_id()) return cpu;
	return NR_CPUS;
}

int ipi_run(void)
{
	unsigned int target = ipi_first_other_cpu(), cpus = 0, cpu;
	unsigned long flags;

	for_each_online_cpu(cpu) cpus++;
	if (target == NR_CPUS)
		bench_out("ipi: one CPU online: no IPI to time (SMP=2 or more); local flushes "
			  "only\n");
	local_irq_save(flags);
	local_irq_enable();
	for (unsigned int i = 0; i < ARRAY_SIZE(ipi_cases); i++) {
		const struct ipi_case *c = &ipi_cases[i];
		u64 cyc;

		if (target == NR_CPUS && !c->local)
			continue;
		cyc = ipi_case_measure(c, target);
		bench_out("ipi: %-15s %8lu ns/op (%u CPUs online%s)\n", c->name, ns_of(cyc), cpus,
			  c->local ? ", this CPU only" : "");
		bench_out(
			"{\"bench\":\"ipi\",\"name\":\"%s\",\"cpus\":%u,\"ns\":%lu,\"cyc\":%lu}\n",
			c->name, cpus, ns_of(cyc), cyc);
	}
	local_irq_restore(flags);
	return 0;
}
