/*
 * Self-tests of the SMP interrupt plumbing (suite ipi):
 *  - the I/O APIC routes ISA lines through the MADT overrides;
 *  - every CPU ticks (per-CPU tick counts grow, jiffies advances);
 *  - cross-CPU calls run on their target, on_each_cpu() everywhere, a call
 *    without waiting completes, an offline CPU is refused;
 *  - the TLB shootdown: a page another CPU has read, unmapped with a local
 *    flush only, may still be read there (reported, not asserted); after
 *    flush_tlb_kernel_range() the remote read faults;
 *  - two CPUs shooting down at once, interrupts off, both finish.
 *
 * The tests that need a second CPU skip with a reason on one. The remote
 * reads go through read_kernel_nofault(), which absorbs the page fault in
 * the call's interrupt handler and returns -EFAULT.
 */
#include "debug/ktest.h"

#include "asm/apic_timer.h"
#include "asm/io.h"
#include "asm/ioapic.h"
#include "asm/ipi.h"
#include "asm/irq.h"
#include "asm/irqflags.h"
#include "asm/pic.h"
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/tlbflush.h"
#include "asm/traps.h"
#include "kernel/acpi.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/vsprintf.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define WAIT_HALTS 1000 /* halts (each ended by a tick at least) before giving up */

static unsigned int online_count(void)
{
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu) n++;
	return n;
}

/* The first online CPU other than this one; NR_CPUS if none. */
static unsigned int other_cpu(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) if (cpu != smp_processor_id()) return cpu;
	return NR_CPUS;
}

static void need_two_cpus(struct ktest *t)
{
	if (online_count() < 2)
		KTEST_SKIP(t, "needs a second online CPU (SMP=2 and the APs up)");
}

/* ---------------------------------------------------------------------- */
/* I/O APIC.                                                               */

/* QEMU's MADT moves the PIT's IRQ 0 to GSI 2: the route must follow it. */
KTEST(ipi, ioapic_routes_irq0_through_the_override)
{
	u32 gsi, want = acpi_isa_irq_to_gsi(0, NULL);
	u64 rte;

	if (irq_get_chip() == &pic_chip)
		KTEST_SKIP(t, "no I/O APIC: the PICs deliver the lines");
	KTEST_ASSERT_TRUE(t, ioapic_irq_route(0, &gsi, &rte));
	KTEST_EXPECT_EQ(t, gsi, acpi_madt.nr_ioapics ? want : 2U);
	KTEST_EXPECT_EQ(t, rte & 0xff, (u64)IRQ_VECTOR(0));
	KTEST_EXPECT_NE(t, rte & (1ULL << 16), 0ULL); /* masked: nobody enabled it */
	KTEST_EXPECT_EQ(t, rte & (1ULL << 15), 0ULL); /* ISA: edge */
	KTEST_EXPECT_FALSE(t, ioapic_irq_route(PIC_CASCADE_IRQ, &gsi, &rte));
}

static void ipi_dummy_irq(struct pt_regs *regs __unused)
{
}

/* irq_enable() clears the pin's mask bit, irq_disable() sets it again. */
KTEST(ipi, ioapic_enable_unmasks_the_pin)
{
	u32 gsi;
	u64 rte;

	if (irq_get_chip() == &pic_chip)
		KTEST_SKIP(t, "no I/O APIC: the PICs deliver the lines");
	KTEST_ASSERT_EQ(t, request_irq(7, ipi_dummy_irq), 0);
	irq_enable(7);
	KTEST_EXPECT_TRUE(t, ioapic_irq_route(7, &gsi, &rte) && !(rte & (1ULL << 16)));
	irq_disable(7);
	KTEST_EXPECT_TRUE(t, ioapic_irq_route(7, &gsi, &rte) && (rte & (1ULL << 16)));
	free_irq(7);
}

#define PIT_CH0_DATA	0x40
#define PIT_MODE	0x43
#define PIT_CH0_ONESHOT 0x30 /* channel 0, lobyte/hibyte, mode 0 */

static volatile unsigned long pit_hits;

static void pit_hit(struct pt_regs *regs __unused)
{
	pit_hits++;
}

/* IRQ 0 once, ~1 ms after arming, on whichever chip delivers the lines. */
static unsigned long pit_irq0_once(void)
{
	unsigned long flags;

	pit_hits = 0;
	local_irq_save(flags);
	irq_enable(0);
	outb(PIT_MODE, PIT_CH0_ONESHOT);
	outb(PIT_CH0_DATA, 1193 & 0xff);
	outb(PIT_CH0_DATA, 1193 >> 8);
	for (int halts = 0; !pit_hits && halts < WAIT_HALTS; halts++) {
		local_irq_enable();
		halt();
		local_irq_disable();
	}
	irq_disable(0);
	local_irq_restore(flags);
	return pit_hits;
}

/*
 * The PICs as the fallback chip: switched to them, the PIT's IRQ 0 arrives
 * through the 8259A (and its EOI goes there); switched back, through the
 * I/O APIC again, and the handler was kept across both switches.
 */
KTEST(ipi, pic_fallback_delivers_irq0_and_switches_back)
{
	const struct irq_chip *chip = irq_get_chip();
	unsigned long on_pic, back;

	for (unsigned int irq = 1; irq < NR_IRQS; irq++)
		if (irq_handler(irq)) /* an edge during the switch would be lost for good */
			KTEST_SKIP(t, "another line is live (the console's ttyS0?)");
	KTEST_ASSERT_EQ(t, request_irq(0, pit_hit), 0);
	irq_set_chip(&pic_chip);
	on_pic = pit_irq0_once();
	irq_set_chip(chip);
	back = pit_irq0_once();
	free_irq(0);
	KTEST_EXPECT_GE(t, on_pic, 1UL);
	KTEST_EXPECT_GE(t, back, 1UL);
	KTEST_EXPECT_TRUE(t, irq_get_chip() == chip);
}

/* The interrupts dump in /proc/interrupts' layout: a named line, then the CPU rows. */
KTEST(ipi, interrupts_dump_names_lines_and_rows)
{
	const struct irq_chip *chip = irq_get_chip();
	unsigned long mark;
	char line[64];
	u32 gsi = 0;
	u64 rte;

	KTEST_ASSERT_EQ(t, request_irq(0, ipi_dummy_irq), 0);
	irq_set_name(0, "timer");
	mark = ktest_log_mark();
	interrupts_dump();
	free_irq(0);
	if (!ioapic_irq_route(0, &gsi, &rte))
		gsi = 0; /* the PICs: pin = line */
	snprintf(line, sizeof(line), "%s  %u-edge      timer (masked)", chip->name, gsi);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, line));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "       CPU0"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "   Local timer interrupts"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "   Function call interrupts"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "   TLB shootdowns"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "   Spurious interrupts"));
}

/* ---------------------------------------------------------------------- */
/* The tick.                                                               */

KTEST(ipi, tick_advances_on_every_cpu)
{
	unsigned long start[NR_CPUS], j0 = jiffies, flags;
	unsigned int cpu, behind = 0;

	if (!apic_timer_khz)
		KTEST_SKIP(t, "the local APIC timer is not calibrated");
	for_each_online_cpu(cpu)
	{
		if (!apic_timer_running(cpu))
			KTEST_SKIP(t, "an online CPU has no tick: its entry does not call "
				      "apic_timer_setup_this_cpu()");
		start[cpu] = apic_timer_ticks(cpu);
	}
	local_irq_save(flags);
	for (int halts = 0; halts < WAIT_HALTS; halts++) {
		behind = 0;
		for_each_online_cpu(cpu) behind += apic_timer_ticks(cpu) <= start[cpu] + 1;
		if (!behind && jiffies > j0 + 1)
			break;
		local_irq_enable();
		halt();
		local_irq_disable();
	}
	local_irq_restore(flags);
	KTEST_EXPECT_EQ(t, behind, 0U);
	KTEST_EXPECT_GT(t, jiffies, j0 + 1);
}

/* ---------------------------------------------------------------------- */
/* Cross-CPU calls.                                                        */

struct where {
	unsigned int cpu;
	unsigned int calls;
	bool irqs_off;
};

static void record_cpu(void *arg)
{
	struct where *w = arg;

	w->cpu = smp_processor_id();
	w->irqs_off = irqs_disabled();
	w->calls++;
}

KTEST(ipi, call_runs_on_its_target)
{
	unsigned long flags;
	unsigned int cpu;

	local_irq_save(flags);
	local_irq_enable(); /* a waiting call wants interrupts on (asm/ipi.h) */
	for_each_online_cpu(cpu)
	{
		struct where w = { NR_CPUS, 0, false };

		KTEST_EXPECT_EQ(t, smp_call_function_single(cpu, record_cpu, &w, true), 0);
		KTEST_EXPECT_EQ(t, w.cpu, cpu);
		KTEST_EXPECT_EQ(t, w.calls, 1U);
		KTEST_EXPECT_TRUE(t, w.irqs_off);
	}
	local_irq_restore(flags);
}

static unsigned long ran_on;

static void mark_cpu(void *arg __unused)
{
	set_bit(smp_processor_id(), &ran_on);
}

KTEST(ipi, on_each_cpu_runs_on_all)
{
	unsigned long flags;

	ran_on = 0;
	local_irq_save(flags);
	local_irq_enable();
	on_each_cpu(mark_cpu, NULL, true);
	local_irq_restore(flags);
	KTEST_EXPECT_EQ(t, ran_on, READ_ONCE(cpu_online_mask_bits));

	ran_on = 0;
	local_irq_save(flags);
	local_irq_enable();
	smp_call_function_many(&cpu_online_mask_bits, mark_cpu, NULL, true);
	local_irq_restore(flags);
	KTEST_EXPECT_EQ(t, ran_on, READ_ONCE(cpu_online_mask_bits) & ~(1UL << smp_processor_id()));
}

static volatile unsigned int nowait_done;

static void nowait_fn(void *arg)
{
	nowait_done += (unsigned long)arg;
}

/* Without waiting, every call still runs, once, in order of sending. */
KTEST(ipi, call_without_wait_completes)
{
	unsigned int cpu = other_cpu();
	unsigned long flags;
	int halts;

	if (cpu == NR_CPUS)
		cpu = smp_processor_id(); /* runs at once, here */
	nowait_done = 0;
	for (unsigned long i = 1; i <= 10; i++) /* interrupts on: a call with them off WARNs */
		KTEST_EXPECT_EQ(t, smp_call_function_single(cpu, nowait_fn, (void *)i, false), 0);
	local_irq_save(flags);
	for (halts = 0; READ_ONCE(nowait_done) != 55 && halts < WAIT_HALTS; halts++) {
		local_irq_enable();
		halt();
		local_irq_disable();
	}
	local_irq_restore(flags);
	KTEST_EXPECT_EQ(t, nowait_done, 55U);
}

KTEST(ipi, offline_cpu_is_refused)
{
	struct where w = { NR_CPUS, 0, false };
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS && cpu_online(cpu); cpu++)
		;
	if (cpu < NR_CPUS)
		KTEST_EXPECT_EQ(t, smp_call_function_single(cpu, record_cpu, &w, false), -ENXIO);
	KTEST_EXPECT_EQ(t, smp_call_function_single(NR_CPUS, record_cpu, &w, false), -ENXIO);
	KTEST_EXPECT_EQ(t, smp_call_function_single(~0u, record_cpu, &w, true), -ENXIO);
	KTEST_EXPECT_EQ(t, w.calls, 0U);
}

/* ---------------------------------------------------------------------- */
/* TLB shootdown.                                                          */

KTEST(ipi, read_nofault_absorbs_a_page_fault)
{
	u64 v = 0, *p = vmalloc(PAGE_SIZE);

	KTEST_ASSERT_NOT_NULL(t, p);
	*p = 0x1234;
	KTEST_EXPECT_EQ(t, read_kernel_nofault(p, &v), 0);
	KTEST_EXPECT_EQ(t, v, 0x1234ULL);
	v = 7;
	/* The guard page after the area. */
	KTEST_EXPECT_EQ(t, read_kernel_nofault((char *)p + PAGE_SIZE, &v), -EFAULT);
	KTEST_EXPECT_EQ(t, v, 7ULL);
	vfree(p);
}

struct probe {
	const void *addr;
	u64 val;
	int err;
	unsigned int cpu;
};

static void probe_read(void *arg)
{
	struct probe *pr = arg;

	pr->cpu = smp_processor_id();
	pr->err = read_kernel_nofault(pr->addr, &pr->val);
}

/* Read @addr on @cpu, waiting. */
static struct probe remote_read(unsigned int cpu, const void *addr)
{
	struct probe pr = { addr, 0, -EINVAL, NR_CPUS };
	unsigned long flags;

	local_irq_save(flags);
	local_irq_enable();
	smp_call_function_single(cpu, probe_read, &pr, true);
	local_irq_restore(flags);
	return pr;
}

#define SHOOT_PATTERN 0xfeedfacecafef00dULL

/*
 * The proof: CPU B has cached a translation; after the PTE is
 * cleared, a flush on A alone may leave B reading the page, and
 * flush_tlb_kernel_range() must make B's read fault. (With only the local
 * flush as the "global" one, the last read hits and the test fails.)
 */
KTEST(ipi, remote_read_faults_after_shootdown)
{
	unsigned int cpu = other_cpu();
	unsigned long addr, sent0, got0;
	struct page *page;
	struct probe pr;
	void *va;

	need_two_cpus(t);
	page = alloc_page(GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(t, page);
	va = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	if (!va)
		__free_pages(page, 0);
	KTEST_ASSERT_NOT_NULL(t, va);
	addr = (unsigned long)va;
	*(volatile u64 *)va = SHOOT_PATTERN;

	pr = remote_read(cpu, va); /* B's TLB now holds the translation */
	KTEST_EXPECT_EQ(t, pr.cpu, cpu);
	KTEST_EXPECT_EQ(t, pr.err, 0);
	KTEST_EXPECT_EQ(t, pr.val, SHOOT_PATTERN);

	vunmap_range_noflush(addr, addr + PAGE_SIZE);
	local_flush_tlb_range(addr, addr + PAGE_SIZE);
	pr = remote_read(cpu, va); /* the page is still ours: a stale hit is harmless */
	pr_info("ipi: CPU %u after a local-only flush: %s\n", cpu,
		pr.err ? "faulted (its TLB had dropped the entry)"
		       : "still read the page (stale TLB entry)");
	KTEST_EXPECT_TRUE(t, pr.err == -EFAULT || pr.val == SHOOT_PATTERN);

	sent0 = tlb_shootdowns_sent(smp_processor_id());
	got0 = tlb_shootdowns_received(cpu);
	flush_tlb_kernel_range(addr, addr + PAGE_SIZE);
	KTEST_EXPECT_GE(t, tlb_shootdowns_sent(smp_processor_id()), sent0 + online_count() - 1);
	KTEST_EXPECT_GE(t, tlb_shootdowns_received(cpu),
			got0 + 1); /* a kworker purge may add one */
	pr = remote_read(cpu, va);
	KTEST_EXPECT_EQ(t, pr.err, -EFAULT);

	vunmap(va);
	__free_pages(page, 0);
}

static atomic_t shoot_started, shoot_done;
static unsigned long shoot_addr;

static void shoot_from_there(void *arg __unused)
{
	atomic_inc(&shoot_started);
	while (atomic_read(&shoot_started) < 2)
		cpu_relax(); /* both CPUs flush at the same moment */
	flush_tlb_kernel_range(shoot_addr, shoot_addr + 64 * PAGE_SIZE);
	atomic_inc(&shoot_done);
}

/*
 * Two CPUs shooting each other down at once, both with interrupts off (one
 * in a call's interrupt handler): each must serve the other's request while
 * it waits, or both spin forever.
 */
KTEST(ipi, crossed_shootdowns_with_irqs_off_finish)
{
	unsigned int cpu = other_cpu();
	unsigned long flags;
	int halts;

	need_two_cpus(t);
	shoot_addr = VMALLOC_START;
	atomic_set(&shoot_started, 0);
	atomic_set(&shoot_done, 0);
	KTEST_ASSERT_EQ(t, smp_call_function_single(cpu, shoot_from_there, NULL, false), 0);
	local_irq_save(flags); /* the call is sent with interrupts on: off, it WARNs */
	atomic_inc(&shoot_started);
	while (atomic_read(&shoot_started) < 2)
		cpu_relax();
	flush_tlb_kernel_range(shoot_addr, shoot_addr + PAGE_SIZE);
	for (halts = 0; atomic_read(&shoot_done) < 1 && halts < WAIT_HALTS; halts++) {
		local_irq_enable();
		halt();
		local_irq_disable();
	}
	local_irq_restore(flags);
	KTEST_EXPECT_EQ(t, atomic_read(&shoot_done), 1);
}
