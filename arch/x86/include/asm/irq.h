/*
 * Device interrupts by ISA line (0..15), whatever controller delivers them:
 * the I/O APIC when there is one (each line routed through the MADT's
 * overrides to its global system interrupt, vector IRQ_VECTOR(irq)), else the
 * 8259A PICs (vector PIC_IRQ_BASE + irq). A driver installs a handler with
 * request_irq() and unmasks its line with irq_enable(); the controller is
 * irq_chip's business, not the driver's.
 *
 * The vectors of the whole kernel, by priority class (vector >> 4):
 *   0x00-0x1f  CPU exceptions
 *   0x20-0x2f  8259A (spurious only, once the I/O APIC delivers the lines)
 *   0x30-0x3f  I/O APIC: ISA IRQ n at 0x30 + n
 *   0xec       local APIC timer (the tick)
 *   0xf9       TLB shootdown IPI
 *   0xfb       call-function IPI
 *   0xff       local APIC spurious
 */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

#include "asm/traps.h"

#define NR_IRQS		     16	  /* ISA lines */
#define IRQ_VECTOR_BASE	     0x30 /* I/O APIC vector of ISA IRQ 0 */
#define IRQ_VECTOR(irq)	     (IRQ_VECTOR_BASE + (irq))
#define LOCAL_TIMER_VECTOR   0xec
#define TLB_FLUSH_VECTOR     0xf9
#define RESCHEDULE_VECTOR    0xfd
#define CALL_FUNCTION_VECTOR 0xfb

/* A controller of the ISA lines: the I/O APIC or the PICs. */
struct irq_chip {
	const char *name;		  /* "IO-APIC", "XT-PIC" (/proc/interrupts) */
	void (*mask)(unsigned int irq);	  /* with irq_lock held */
	void (*unmask)(unsigned int irq); /* with irq_lock held */
	void (*eoi)(unsigned int irq);	  /* after the handler */
	/* The line's pin and trigger for the dump: "2-edge", "9-fasteoi". */
	void (*describe)(unsigned int irq, char *buf, size_t len);
};

/*
 * irq_set_chip - make @chip deliver the ISA lines from now on.
 * => Lines keep their handlers and their enabled state; every line is
 *    masked on the old controller.
 * Context: boot, interrupts off.
 */
void irq_set_chip(const struct irq_chip *chip);
/* The controller delivering the ISA lines now. */
const struct irq_chip *irq_get_chip(void);

/*
 * irq_handle - the common path of a device interrupt on line @irq: count it
 * on this CPU, run its handler (or mask a line nobody wants), then the EOI.
 * Context: the interrupt, interrupts off.
 */
void irq_handle(unsigned int irq, struct pt_regs *regs);

/* Unmask / mask line @irq (0..15). Bad @irq: message, no change. */
void irq_enable(unsigned int irq);
void irq_disable(unsigned int irq);

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
/* Name line @irq in the interrupts dump ("ttyS0"); default: the handler's symbol. */
void irq_set_name(unsigned int irq, const char *name);

/* The handler installed on @irq, or NULL. */
irq_handler_t irq_handler(unsigned int irq);

/* Interrupts of line @irq handled on @cpu; lines that fired with no handler. */
unsigned long irq_count(unsigned int irq, unsigned int cpu);
extern unsigned long irq_unhandled;
/* A spurious interrupt on this CPU (8259A IR7/IR15, local APIC 0xff); the count on @cpu. */
void irq_count_spurious(void);
unsigned long irq_spurious_count(unsigned int cpu);

/*
 * interrupts_dump - every CPU's interrupt counts in the layout of Linux's
 * /proc/interrupts: one column per online CPU, one row per line with a
 * handler or a count, then LOC (timer), CAL (call-function IPIs), TLB
 * (shootdowns received) and SPU (spurious).
 */
void interrupts_dump(void);

#endif /* ASM_IRQ_H */
