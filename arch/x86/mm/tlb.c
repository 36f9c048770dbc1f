/*
 * TLB shootdown: flush_tlb_kernel_range() on every online CPU.
 *
 *   initiator: flush its own TLB; write the range into its flush_req; set
 *              pending = number of targets; set its bit in each target's
 *              flush_from and IPI TLB_FLUSH_VECTOR; spin until pending is 0.
 *   target:    xchg flush_from to 0; for each initiator bit: read its range,
 *              flush, decrement its pending.
 *
 * Ordering: the initiator's PTE stores and range stores come before the
 * locked set_bit, which comes before the IPI; the target's xchg (locked)
 * comes before its reads. The initiator reuses its flush_req only after
 * every target decremented pending, which each does after reading it.
 *
 * The initiator keeps interrupts off from its own flush to the end of the
 * wait (no second shootdown from an interrupt on this CPU can reuse
 * flush_req) and, while it waits, serves what others sent it (ipi_poll()).
 *
 * Counts: pgtable_stats (asm/pgtable.h) counts the flushes requested on the
 * initiator, as before SMP; the per-CPU sent/received counts are the
 * shootdowns (one per target).
 */
#include "asm/tlbflush.h"

#include "asm/apic.h"
#include "asm/ipi.h"
#include "asm/irq.h"
#include "asm/irqflags.h"
#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"

unsigned long tlb_single_page_flush_ceiling = 33;

struct flush_req {
	unsigned long start, end; /* written by its CPU before the IPIs */
	atomic_t pending;	  /* targets that have not flushed yet */
};

static DEFINE_PER_CPU(struct flush_req, flush_req); /* this CPU's, as initiator */
static DEFINE_PER_CPU(unsigned long, flush_from);   /* bit n: CPU n's request waits here */
static DEFINE_PER_CPU(unsigned long, shootdowns_sent);
static DEFINE_PER_CPU(unsigned long, shootdowns_received);
static bool tlb_vector_set;

static void __flush_tlb_all(void)
{
	unsigned long cr4 = read_cr4();

	if (cr4 & X86_CR4_PGE) { /* toggling PGE drops global entries too */
		write_cr4(cr4 & ~X86_CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

static bool range_is_full(unsigned long start, unsigned long end)
{
	return (end - start) >> PAGE_SHIFT > tlb_single_page_flush_ceiling;
}

static void __flush_tlb_range(unsigned long start, unsigned long end)
{
	if (range_is_full(start, end)) {
		__flush_tlb_all();
		return;
	}
	for (unsigned long a = start & PAGE_MASK; a < end; a += PAGE_SIZE)
		invlpg(a);
}

void local_flush_tlb_all(void)
{
	pgtable_stats.flush_all++;
	__flush_tlb_all();
}

void local_flush_tlb_range(unsigned long start, unsigned long end)
{
	if (end <= start)
		return;
	if (range_is_full(start, end)) {
		local_flush_tlb_all();
		return;
	}
	pgtable_stats.flush_ranges++;
	pgtable_stats.flush_single += (PAGE_ALIGN(end) - (start & PAGE_MASK)) >> PAGE_SHIFT;
	__flush_tlb_range(start, end);
}

void tlb_shootdown_run(void)
{
	unsigned long from = xchg(this_cpu_ptr(&flush_from), 0);

	while (from) {
		unsigned int src = __builtin_ctzl(from);
		struct flush_req *req = per_cpu_ptr(&flush_req, src);

		from &= from - 1;
		__flush_tlb_range(READ_ONCE(req->start), READ_ONCE(req->end));
		this_cpu_inc(shootdowns_received);
		atomic_dec(&req->pending); /* the last access to @req */
	}
}

static void tlb_flush_interrupt(struct pt_regs *regs __unused)
{
	lapic_eoi();
	tlb_shootdown_run();
}

/* Send this CPU's request for [start, end) to @targets and wait. Interrupts off. */
static void tlb_shootdown(unsigned long targets, unsigned long start, unsigned long end)
{
	struct flush_req *req = this_cpu_ptr(&flush_req);
	unsigned int me = smp_processor_id(), cpu;

	if (!READ_ONCE(tlb_vector_set)) {
		set_irq_handler(TLB_FLUSH_VECTOR, tlb_flush_interrupt);
		WRITE_ONCE(tlb_vector_set, true);
	}
	req->start = start;
	req->end = end;
	int n = 0;

	for (cpu = 0; cpu < NR_CPUS; cpu++) /* no __builtin_popcountl: no libgcc */
		n += (targets >> cpu) & 1;
	atomic_set(&req->pending, n);
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!(targets & (1UL << cpu)))
			continue;
		set_bit(me, per_cpu_ptr(&flush_from, cpu));
		lapic_send_ipi(ipi_apicid(cpu), TLB_FLUSH_VECTOR);
		this_cpu_inc(shootdowns_sent);
	}
	while (atomic_read(&req->pending)) {
		tlb_shootdown_run(); /* a CPU shooting us down at the same time waits for us */
		cpu_relax();
	}
}

static void flush_everywhere(unsigned long start, unsigned long end, bool all)
{
	unsigned long flags, targets;

	local_irq_save(flags);
	if (all)
		local_flush_tlb_all();
	else
		local_flush_tlb_range(start, end);
	targets = READ_ONCE(cpu_online_mask_bits) & ~(1UL << smp_processor_id());
	if (targets)
		tlb_shootdown(targets, start, end);
	local_irq_restore(flags);
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	if (end <= start)
		return;
	flush_everywhere(start, end, false);
}

void flush_tlb_all(void)
{
	/* A range above the ceiling is a full flush on the targets. */
	flush_everywhere(0, ~0UL & PAGE_MASK, true);
}

unsigned long tlb_shootdowns_sent(unsigned int cpu)
{
	return cpu_possible(cpu) ? READ_ONCE(per_cpu(shootdowns_sent, cpu)) : 0;
}

unsigned long tlb_shootdowns_received(unsigned int cpu)
{
	return cpu_possible(cpu) ? READ_ONCE(per_cpu(shootdowns_received, cpu)) : 0;
}
