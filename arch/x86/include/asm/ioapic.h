/*
 * The I/O APIC: the device interrupt controller of SMP PCs. Each of its
 * pins is a global system interrupt (GSI); ACPI's MADT lists the I/O APICs
 * with their first GSI and how the ISA lines map onto GSIs (the overrides:
 * on QEMU and most PCs the PIT's IRQ 0 is GSI 2). ioapic_init() routes the
 * 16 ISA lines to the boot CPU's local APIC, masked, at IRQ_VECTOR(irq),
 * and makes the I/O APIC the irq_chip of asm/irq.h.
 */
#ifndef ASM_IOAPIC_H
#define ASM_IOAPIC_H

#include "kernel/types.h"

#define IOAPIC_DEFAULT_PHYS 0xfec00000UL
#define MAX_IOAPICS	    4

/*
 * ioapic_init - map the I/O APICs, mask every pin, route the ISA lines.
 * => From acpi_madt; with no I/O APIC there, the one at 0xfec00000 with the
 *    MP specification's default wiring (identity, IRQ 0 on pin 2), with a
 *    message. When that one does not answer either, the PICs keep the lines.
 * => Handlers installed before (request_irq) stay; lines are masked until
 *    irq_enable().
 * Return: 0, or -ENODEV / -ENOMEM when the PICs stay in charge.
 * Context: boot CPU, after lapic_init() and acpi_init(), interrupts off.
 */
int ioapic_init(void);

/* The GSI and the pin's redirection entry of ISA line @irq (tests, dumps); false if unrouted. */
bool ioapic_irq_route(unsigned int irq, u32 *gsi, u64 *rte);

#endif /* ASM_IOAPIC_H */
