/*
 * Local APIC driver (asm/apic.h): register access in xAPIC or x2APIC mode,
 * per-CPU enable, EOI and the interrupt command register.
 *
 * The ICR is the one piece with a protocol: in xAPIC mode it is two 32-bit
 * registers, the destination first, and the write of the low half sends;
 * an interrupt arriving between the two writes and sending an IPI of its
 * own would redirect ours, so a send runs with interrupts off. x2APIC has a
 * single 64-bit MSR and no delivery status to wait for.
 */
#include "asm/apic.h"
#include "asm/irq.h"
#include "asm/irqflags.h"
#include "asm/processor.h"
#include "asm/traps.h"
#include "asm/tsc.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/vmalloc.h"

#define APIC_BASE_X2APIC_ENABLE (1UL << 10)
#define APIC_BASE_ENABLE	(1UL << 11)
#define APIC_BASE_ADDR_MASK	0x000ffffffffff000UL
#define X2APIC_MSR_BASE		0x800
#define CPUID1_ECX_X2APIC	(1u << 21)
#define ICR_IDLE_TIMEOUT_US	1000

struct lapic_info lapic;	 /* [I] after lapic_init(); .spurious is a statistic */
static volatile u32 *lapic_regs; /* [I] xAPIC register page, NULL in x2APIC mode */
static bool lapic_ready;	 /* [I] */

bool lapic_present(void)
{
	return lapic_ready;
}

bool x2apic_enabled(void)
{
	return lapic.x2apic;
}

u32 lapic_read(u32 reg)
{
	if (lapic.x2apic)
		return (u32)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return lapic_regs[reg / 4];
}

void lapic_write(u32 reg, u32 val)
{
	if (lapic.x2apic)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), val);
	else
		lapic_regs[reg / 4] = val;
}

u32 lapic_id(void)
{
	u32 id = lapic_read(APIC_ID);

	return lapic.x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

/* xAPIC: wait until the previous command has left the ICR. */
static void lapic_icr_wait_idle(void)
{
	u64 start = rdtsc();
	u64 limit = tsc_khz ? tsc_khz * ICR_IDLE_TIMEOUT_US / 1000 : 1UL << 32;

	while (lapic_read(APIC_ICR) & APIC_ICR_BUSY) {
		if (rdtsc() - start > limit) {
			WARN(1, "lapic: ICR still busy after %u us", ICR_IDLE_TIMEOUT_US);
			return;
		}
		cpu_relax();
	}
}

/* Send one command: @low is the ICR's low half, @dest an APIC ID. */
static void lapic_icr_send(u32 dest, u32 low)
{
	unsigned long flags = arch_local_irq_save();

	if (lapic.x2apic) {
		/* x2APIC MSR writes are not serialising: earlier stores (the queued
		 * call, the woken task) must be visible before the IPI lands. */
		__asm__ __volatile__("mfence; lfence" ::: "memory");
		wrmsr(X2APIC_MSR_BASE + (APIC_ICR >> 4), ((u64)dest << 32) | low);
	} else {
		lapic_icr_wait_idle();
		lapic_write(APIC_ICR2, dest << 24);
		lapic_write(APIC_ICR, low);
		lapic_icr_wait_idle();
	}
	arch_local_irq_restore(flags);
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	lapic_icr_send(apic_id, APIC_DM_FIXED | APIC_INT_ASSERT | vector);
}

void lapic_send_ipi_allbutself(u8 vector)
{
	lapic_icr_send(0, APIC_DEST_ALLBUT | APIC_DM_FIXED | APIC_INT_ASSERT | vector);
}

void lapic_send_nmi_allbutself(void)
{
	lapic_icr_send(0, APIC_DEST_ALLBUT | APIC_DM_NMI | APIC_INT_ASSERT);
}

void lapic_send_init(u32 apic_id)
{
	lapic_icr_send(apic_id, APIC_DM_INIT | APIC_INT_LEVELTRIG | APIC_INT_ASSERT);
	if (!lapic.x2apic) /* the old level de-assert, harmless where not needed */
		lapic_icr_send(apic_id, APIC_DM_INIT | APIC_INT_LEVELTRIG);
}

void lapic_send_startup(u32 apic_id, u8 page)
{
	lapic_icr_send(apic_id, APIC_DM_STARTUP | page);
}

/* Vector 0xff: the APIC withdrew an interrupt; no EOI is due. */
static void lapic_spurious_irq(struct pt_regs *regs)
{
	(void)regs;
	__atomic_fetch_add(&lapic.spurious, 1, __ATOMIC_RELAXED);
	irq_count_spurious(); /* the per-CPU SPU row of the interrupts dump */
}

/* IA32_APIC_BASE for this CPU: globally enabled, x2APIC mode if chosen. */
static void lapic_enable_msr(void)
{
	u64 base = rdmsr(MSR_IA32_APICBASE);

	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APICBASE, base |= APIC_BASE_ENABLE);
	if (lapic.x2apic && !(base & APIC_BASE_X2APIC_ENABLE))
		wrmsr(MSR_IA32_APICBASE, base | APIC_BASE_X2APIC_ENABLE);
}

void lapic_setup_this_cpu(void)
{
	lapic_enable_msr();
	if (!lapic.x2apic)
		lapic_write(APIC_DFR, 0xffffffffu); /* flat model */
	lapic_write(APIC_TASKPRI, 0);
	lapic_write(APIC_LVTT, APIC_LVT_MASKED);
	lapic_write(APIC_LVTERR, APIC_LVT_MASKED);
	if (lapic_id() != lapic.boot_apic_id)
		lapic_write(APIC_LVT0, APIC_LVT_MASKED);
	lapic_write(APIC_LVT1, APIC_DM_NMI);
	lapic_write(APIC_ESR, 0); /* the write latches, the second clears */
	lapic_write(APIC_ESR, 0);
	lapic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_APIC_VECTOR);
	lapic_eoi(); /* anything left in service by the firmware */
}

int lapic_init(void)
{
	u32 a, b, c, d;

	if (!boot_cpu.apic) {
		pr_warn("APIC: this CPU has no local APIC; one CPU, 8259 PICs\n");
		return -ENODEV;
	}
	cpuid(1, 0, &a, &b, &c, &d);
	lapic.phys = rdmsr(MSR_IA32_APICBASE) & APIC_BASE_ADDR_MASK;
	lapic.x2apic = c & CPUID1_ECX_X2APIC;
	if (!lapic.x2apic) {
		lapic_regs = ioremap(lapic.phys, PAGE_SIZE);
		if (!lapic_regs) {
			pr_err("APIC: cannot map the local APIC at %#llx; one CPU, 8259 PICs\n",
			       (unsigned long long)lapic.phys);
			return -ENOMEM;
		}
	}
	set_irq_handler(SPURIOUS_APIC_VECTOR, lapic_spurious_irq);
	lapic_enable_msr();
	lapic.boot_apic_id = lapic_id();
	lapic_setup_this_cpu();
	lapic.version = lapic_read(APIC_LVR);
	lapic_ready = true;
	pr_info("APIC: local APIC at %#llx in %s mode, boot CPU APIC ID %u, version %#x, %u LVT entries\n",
		(unsigned long long)lapic.phys, lapic.x2apic ? "x2APIC" : "xAPIC",
		lapic.boot_apic_id, lapic.version & 0xff, ((lapic.version >> 16) & 0xff) + 1);
	return 0;
}
