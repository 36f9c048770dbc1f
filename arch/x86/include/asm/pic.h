/*
 * The two cascaded 8259A PICs of the PC: 16 ISA interrupt lines, IRQ 0-7 on
 * the master, IRQ 8-15 on the slave (wired to the master's IRQ 2).
 * pic_init() moves them to vectors 0x20-0x2f, clear of the CPU exceptions,
 * and masks every line; a driver then installs a handler with request_irq()
 * and unmasks its line with irq_enable().
 */
#ifndef ASM_PIC_H
#define ASM_PIC_H

#include "asm/traps.h"

#define PIC_IRQ_BASE	0x20 /* vector of IRQ 0; IRQ n is vector 0x20 + n */
#define NR_PIC_IRQS	16
#define PIC_CASCADE_IRQ 2 /* the master's line the slave is wired to */

/* Counters for the interrupts dump and tests. */
struct pic_stats {
	unsigned long count[NR_PIC_IRQS]; /* interrupts handled, per line */
	unsigned long spurious;		  /* spurious IRQ 7/15 ignored */
	unsigned long unhandled;	  /* lines that fired without a handler */
};
extern struct pic_stats pic_stats;

/*
 * pic_init - remap both PICs to PIC_IRQ_BASE and mask all lines.
 * => The dispatcher is installed on all 16 vectors, so that spurious IRQ 7
 *    and 15 are recognised even before any request_irq().
 * => Idempotent: a second call does nothing (handlers and masks are kept).
 * Context: boot, interrupts off.
 */
void pic_init(void);

/* Unmask / mask line @irq (0..15). Unmasking a slave line also unmasks the
 * cascade; masking the last slave line masks it. Bad @irq: message, no change. */
void irq_enable(unsigned int irq);
void irq_disable(unsigned int irq);

/* End of interrupt for @irq: the slave and the master for 8..15, else the master. */
void pic_eoi(unsigned int irq);

/*
 * request_irq - run @handler for every interrupt on line @irq.
 * => The handler runs with interrupts off; the EOI is sent by the
 *    dispatcher after it returns. The line stays masked: irq_enable() it.
 * Return: 0, -EINVAL for a bad line, the cascade or a NULL handler,
 *    -EBUSY when the line already has a handler.
 */
int request_irq(unsigned int irq, irq_handler_t handler);
/* Remove the handler of @irq and mask the line. */
void free_irq(unsigned int irq);

/* The handler installed on @irq, or NULL. */
irq_handler_t irq_handler(unsigned int irq);

/* The lines' interrupt counts, in the shape of /proc/interrupts. */
void pic_interrupts_dump(void);

#endif /* ASM_PIC_H */
