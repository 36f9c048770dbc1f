/*
 * The two cascaded 8259A PICs of the PC: 16 ISA interrupt lines, IRQ 0-7 on
 * the master, IRQ 8-15 on the slave (wired to the master's IRQ 2).
 * pic_init() moves them to vectors 0x20-0x2f, clear of the CPU exceptions,
 * and masks every line. They deliver the lines (pic_chip) only on a machine
 * without an I/O APIC; the driver API is in asm/irq.h.
 */
#ifndef ASM_PIC_H
#define ASM_PIC_H

#include "asm/irq.h"

#define PIC_IRQ_BASE	0x20 /* vector of IRQ 0; IRQ n is vector 0x20 + n */
#define NR_PIC_IRQS	16
#define PIC_CASCADE_IRQ 2 /* the master's line the slave is wired to */

/*
 * pic_init - remap both PICs to PIC_IRQ_BASE and mask all lines.
 * => The dispatcher is installed on all 16 vectors, so that spurious IRQ 7
 *    and 15 are recognised whoever delivers the lines.
 * => Idempotent: a second call does nothing.
 * Context: boot, interrupts off.
 */
void pic_init(void);

/* End of interrupt for @irq: the slave and the master for 8..15, else the master. */
void pic_eoi(unsigned int irq);

/* The PICs as the controller of the ISA lines (no I/O APIC). */
extern const struct irq_chip pic_chip;

#endif /* ASM_PIC_H */
