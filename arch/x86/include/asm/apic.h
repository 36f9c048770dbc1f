/*
 * The local APIC: each CPU's interrupt controller, its timer and the door
 * for inter-processor interrupts. Two register interfaces exist: xAPIC
 * (4 KiB of MMIO at the APIC base, usually 0xfee00000) and x2APIC (MSRs
 * 0x800 + offset/16; a single 64-bit ICR). lapic_read()/lapic_write() take
 * the xAPIC byte offsets below and hide which one is in use.
 */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include "kernel/types.h"

#define APIC_ID	     0x020 /* xAPIC: ID in bits 31:24; x2APIC: the whole 32 bits */
#define APIC_LVR     0x030 /* version in 7:0, max LVT entry in 23:16 */
#define APIC_TASKPRI 0x080
#define APIC_EOI     0x0b0
#define APIC_LDR     0x0d0
#define APIC_DFR     0x0e0 /* xAPIC only */
#define APIC_SVR     0x0f0 /* spurious vector, bit 8 = software enable */
#define APIC_ESR     0x280
#define APIC_ICR     0x300 /* low half; in x2APIC mode the whole 64-bit ICR */
#define APIC_ICR2    0x310 /* xAPIC: destination in bits 31:24 */
#define APIC_LVTT    0x320 /* timer */
#define APIC_LVT0    0x350 /* LINT0 */
#define APIC_LVT1    0x360 /* LINT1 */
#define APIC_LVTERR  0x370
#define APIC_TMICT   0x380 /* timer initial count */
#define APIC_TMCCT   0x390 /* timer current count */
#define APIC_TDCR    0x3e0 /* timer divide configuration */

#define APIC_SVR_ENABLE		(1u << 8)
#define APIC_LVT_MASKED		(1u << 16)
#define APIC_LVT_TIMER_PERIODIC (1u << 17)
#define APIC_DM_FIXED		(0u << 8)
#define APIC_DM_NMI		(4u << 8)
#define APIC_DM_INIT		(5u << 8)
#define APIC_DM_STARTUP		(6u << 8)
#define APIC_DM_EXTINT		(7u << 8)
#define APIC_ICR_BUSY		(1u << 12) /* xAPIC delivery status: send pending */
#define APIC_INT_ASSERT		(1u << 14)
#define APIC_INT_LEVELTRIG	(1u << 15)
#define APIC_DEST_SELF		(1u << 18)
#define APIC_DEST_ALLINC	(2u << 18)
#define APIC_DEST_ALLBUT	(3u << 18)

#define SPURIOUS_APIC_VECTOR 0xff

/* Where the local APIC is and how it is driven, once lapic_init() ran. */
struct lapic_info {
	phys_addr_t phys;	/* MMIO base (from IA32_APIC_BASE) */
	bool x2apic;		/* registers through MSRs */
	u32 version;		/* APIC_LVR of the boot CPU */
	u32 boot_apic_id;	/* CPU 0's APIC ID */
	unsigned long spurious; /* spurious interrupts seen (all CPUs) */
};
extern struct lapic_info lapic;

/*
 * lapic_init - find, map and enable the boot CPU's local APIC.
 * => x2APIC mode when the CPU has it (CPUID 1 ECX bit 21), else xAPIC with
 *    the 4 KiB register page ioremap()ed uncached.
 * => Then lapic_setup_this_cpu() for CPU 0. Prints one line.
 * Return: 0, or -ENODEV when the CPU has no APIC (the kernel stays on one
 *    CPU with the 8259 PICs).
 * Context: boot CPU, after vmalloc_init().
 */
int lapic_init(void);

/*
 * lapic_setup_this_cpu - software-enable this CPU's APIC: spurious vector
 * 0xff, task priority 0, errors cleared, timer and error LVTs masked.
 * => LINT0 of CPU 0 keeps the firmware's virtual-wire setting (it delivers
 *    the 8259's interrupts until an I/O APIC takes over); the other CPUs
 *    mask LINT0. LINT1 is NMI on every CPU.
 * Context: the CPU itself, interrupts off.
 */
void lapic_setup_this_cpu(void);

bool lapic_present(void); /* lapic_init() succeeded */
u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 val);
u32 lapic_id(void); /* this CPU's APIC ID */
void lapic_eoi(void);

/*
 * Inter-processor interrupts. @apic_id is the target's APIC ID (not its CPU
 * number). Each returns once the APIC has accepted the command (xAPIC:
 * delivery status idle, polled up to 1 ms with a WARN on timeout).
 */
void lapic_send_ipi(u32 apic_id, u8 vector);
void lapic_send_ipi_allbutself(u8 vector);
void lapic_send_nmi_allbutself(void); /* panic: stop the others */
void lapic_send_init(u32 apic_id);    /* INIT, assert (a level de-assert follows on xAPIC) */
void lapic_send_startup(u32 apic_id, u8 page); /* STARTUP: real mode at page << 12 */
bool x2apic_enabled(void);

#endif /* ASM_APIC_H */
