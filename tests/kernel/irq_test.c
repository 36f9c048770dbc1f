/*
 * vmalloc from interrupt context and on real devices:
 *  - vfree_atomic() called from a real interrupt handler (the PIT's IRQ 0,
 *    through the I/O APIC or the 8259A) queues the area, and this CPU's
 *    kworker frees it;
 *  - ioremap() of the local APIC and of the HPET reads registers whose
 *    values the hardware (QEMU's models) fixes.
 */
#include "asm/io.h"
#include "asm/irqflags.h"
#include "asm/pic.h"
#include "asm/processor.h"
#include "debug/ktest.h"
#include "kernel/sched.h"
#include "kernel/percpu.h"
#include "kernel/workqueue.h"
#include "lib/string.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define PIT_CH0_DATA	0x40
#define PIT_MODE	0x43
#define PIT_CH0_ONESHOT 0x30 /* channel 0, lobyte/hibyte, mode 0 (interrupt on terminal count) */
#define PIT_TICKS_1MS	1193

/*
 * The handler frees the victim once and disarms itself by clearing it. The
 * test counts frees, not interrupts: under TCG the vCPU can be descheduled
 * long enough for a second edge (the one-shot after a stale one the 8259A
 * latched from the firmware's periodic timer) to arrive before the test
 * masks the line, and that interrupt must find nothing to do.
 */
static void *irq_victim;
static volatile unsigned long irq_fired, irq_frees;
static volatile bool irq_saw_irqs_off;
static volatile bool irq_left_it_mapped; /* after the call, the area still mapped and intact */

static bool irq_plain_vfree; /* the handler calls vfree(), not vfree_atomic() */

static void vfree_from_timer_irq(struct pt_regs *regs)
{
	irq_fired++;
	if (!irq_victim)
		return;
	irq_saw_irqs_off = irqs_disabled();
	if (irq_plain_vfree)
		vfree(irq_victim);
	else
		vfree_atomic(irq_victim);
	/* Page tables only: no vmalloc lock may be taken here. */
	irq_left_it_mapped = vmalloc_to_page((char *)irq_victim + 2 * PAGE_SIZE) &&
			     ((u8 *)irq_victim)[2 * PAGE_SIZE + 7] == 0x5a;
	irq_victim = NULL;
	irq_frees++;
}

/* Arm PIT channel 0 to raise IRQ 0 once, about 1 ms from now. */
static void pit_oneshot(void)
{
	outb(PIT_MODE, PIT_CH0_ONESHOT);
	outb(PIT_CH0_DATA, PIT_TICKS_1MS & 0xff);
	outb(PIT_CH0_DATA, PIT_TICKS_1MS >> 8);
}

/* Works run so far by every CPU's kworker. */
static unsigned long works_done(void)
{
	unsigned long n = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		n += workqueue_nr_done(cpu);
	return n;
}

/*
 * Free a vmalloc area from the PIT's interrupt: it must be queued, not
 * freed there, and then freed by this CPU's kworker (no vmalloc() or
 * vfree() runs meanwhile, which would free it too).
 */
static void vfree_in_timer_interrupt(struct ktest *t, bool plain)
{
	unsigned long free_before, busy, flags, works;
	char *p;

	/* Warm up: page tables and slab pages for this size exist from now on. */
	vfree(vmalloc(3 * PAGE_SIZE));
	vm_unmap_aliases();
	free_before = nr_free_pages();
	p = vmalloc(3 * PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	memset(p, 0x5a, 3 * PAGE_SIZE);
	busy = vmalloc_nr_busy();
	KTEST_ASSERT_EQ(t, request_irq(0, vfree_from_timer_irq), 0);

	irq_plain_vfree = plain;
	irq_fired = irq_frees = 0;
	irq_saw_irqs_off = irq_left_it_mapped = false;
	works = works_done();
	irq_victim = p;
	local_irq_save(flags);
	irq_enable(0); /* first: an I/O APIC drops an edge that finds its pin masked */
	pit_oneshot();
	for (int spins = 0; !irq_fired && spins < 1000; spins++) {
		local_irq_enable();
		halt(); /* woken by the interrupt (or any other) */
		local_irq_disable();
	}
	irq_disable(0);
	free_irq(0);
	local_irq_restore(flags);

	KTEST_ASSERT_GE(t, irq_fired, 1UL);
	KTEST_ASSERT_EQ(t, irq_frees, 1UL);
	KTEST_EXPECT_TRUE(t, irq_saw_irqs_off);
	/* Queued, not freed: the area was still there, still mapped. */
	KTEST_EXPECT_TRUE(t, irq_left_it_mapped);
	/* The kworker frees it (it was woken by the queueing). */
	for (int i = 0; i < 100000 && find_vm_area(p); i++)
		yield();
	KTEST_EXPECT_NULL(t, find_vm_area(p));
	KTEST_EXPECT_GT(t, works_done(), works);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy - 1);
	vm_unmap_aliases();
	KTEST_EXPECT_EQ(t, nr_free_pages(), free_before);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
}

KTEST(vmalloc_irq, vfree_atomic_from_timer_interrupt)
{
	vfree_in_timer_interrupt(t, false);
}

/* vfree() in an interrupt freed at once: on SMP its unmap could wait for CPUs
 * that wait for this one. Now it queues, as vfree_atomic() does. */
KTEST(vmalloc_irq, vfree_in_interrupt_is_deferred)
{
	vfree_in_timer_interrupt(t, true);
}

#define APIC_DEFAULT_BASE 0xfee00000UL
#define APIC_ID		  0x20
#define APIC_LVR	  0x30 /* version: bits 0-7 version, 16-23 max LVT entry */

/* The local APIC's version register through an uncached ioremap. */
KTEST(vmalloc_irq, ioremap_reads_local_apic)
{
	u64 base = rdmsr(MSR_IA32_APICBASE) & ~0xfffUL;
	u32 lvr, id;
	void *apic;

	KTEST_EXPECT_EQ(t, base, APIC_DEFAULT_BASE);
	apic = ioremap(base, PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, apic);
	KTEST_EXPECT_TRUE(t, is_vmalloc_addr(apic));
	KTEST_EXPECT_EQ(t, vmalloc_to_pfn(apic), PHYS_PFN(base));
	lvr = readl(apic + APIC_LVR);
	id = readl(apic + APIC_ID);
	/* An integrated APIC has version 0x1X; it has at least 4 LVT entries. */
	KTEST_EXPECT_EQ(t, lvr & 0xf0, 0x10U);
	KTEST_EXPECT_GE(t, (lvr >> 16) & 0xff, 3U);
	KTEST_EXPECT_EQ(t, id >> 24, 0U); /* the boot CPU is APIC 0 */
	KTEST_EXPECT_NOT_NULL(t, find_vm_area(apic));
	iounmap(apic);
	KTEST_EXPECT_NULL(t, find_vm_area(apic));
}

#define HPET_BASE      0xfed00000UL
#define HPET_PERIOD_FS 10000000U /* QEMU's HPET ticks at 100 MHz */

/* The HPET's capability register: vendor and tick period are fixed by QEMU. */
KTEST(vmalloc_irq, ioremap_reads_hpet)
{
	void *hpet = ioremap(HPET_BASE, 1024);
	u32 cap_lo, period;

	KTEST_ASSERT_NOT_NULL(t, hpet);
	cap_lo = readl(hpet);
	period = readl(hpet + 4);
	KTEST_EXPECT_EQ(t, cap_lo >> 16, 0x8086U); /* vendor id */
	KTEST_EXPECT_EQ(t, period, HPET_PERIOD_FS);
	KTEST_EXPECT_NE(t, cap_lo & 0xff, 0U); /* revision id */
	iounmap(hpet);
}

static volatile unsigned long irqcrash_addr = 8;

static void oops_in_timer_irq(struct pt_regs *regs)
{
	*(volatile int *)irqcrash_addr = 1;
}

/*
 * A fault inside an interrupt handler, while a self-test runs: the kernel
 * must panic ("Fatal exception in interrupt"), not resume the test. Resuming
 * skipped the end-of-interrupt and left IRQ 0 unacknowledged, which blocked
 * every interrupt after it and hung the console. Not in ktest=all: the run
 * ends in a panic (tests/e2e/oops_backtrace.sh).
 */
KTEST(_irqcrash, oops_in_interrupt_handler_panics)
{
	unsigned long flags;

	KTEST_ASSERT_EQ(t, request_irq(0, oops_in_timer_irq), 0);
	local_irq_save(flags);
	irq_enable(0); /* first: an I/O APIC drops an edge that finds its pin masked */
	pit_oneshot();
	for (int spins = 0; spins < 1000; spins++) {
		local_irq_enable();
		halt();
		local_irq_disable();
	}
	irq_disable(0);
	free_irq(0);
	local_irq_restore(flags);
	ktest_fail(t, __FILE__, __LINE__, "the fault in the timer handler came back to the test");
}
