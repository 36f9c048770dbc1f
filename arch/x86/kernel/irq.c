/*
 * Device interrupts by ISA line, independent of the controller.
 *
 *   device --line--> irq_chip (I/O APIC or 8259A) --vector--> irq_chip's
 *   entry --> irq_handle(): count, handler, chip->eoi()
 *
 * The PICs are the chip from pic_init() until ioapic_init() takes over (or
 * for good on a machine without an I/O APIC). A handler belongs to a line,
 * not to a chip, so a driver that asked early keeps its handler.
 *
 * Locking: [Q] irq_lock guards the handler table, names and the chip's
 * masks. Handlers are read without it (READ_ONCE): free_irq() masks the
 * line first, and a handler already running finishes on the old pointer.
 * Counts are per CPU, written only by their CPU with interrupts off.
 */
#include "asm/irq.h"

#include "asm/apic_timer.h"
#include "asm/ipi.h"
#include "asm/pic.h"
#include "asm/tlbflush.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "lib/vsprintf.h"

struct irq_desc {
	irq_handler_t handler; /* [Q], read lock-free */
	const char *name;      /* [Q] NULL: the handler's symbol */
	bool enabled;	       /* [Q] irq_enable() was called */
};

static DEFINE_SPINLOCK(irq_lock);
static struct irq_desc irq_descs[NR_IRQS];
static const struct irq_chip *irq_chip; /* [Q] the PICs until the I/O APIC takes over */
static DEFINE_PER_CPU(unsigned long[NR_IRQS], irq_counts);
static DEFINE_PER_CPU(unsigned long, irq_spurious);
unsigned long irq_unhandled;

static bool irq_valid(const char *op, unsigned int irq)
{
	if (irq < NR_IRQS)
		return true;
	pr_err("%s: no IRQ %u (the ISA lines are 0..%u)\n", op, irq, NR_IRQS - 1);
	return false;
}

/* The chip, with the PICs as the default before anyone chose. */
static const struct irq_chip *irq_chip_locked(void)
{
	assert_held(&irq_lock);
	if (!irq_chip) {
		pic_init();
		irq_chip = &pic_chip;
	}
	return irq_chip;
}

void irq_set_chip(const struct irq_chip *chip)
{
	const struct irq_chip *old;

	spin_lock(&irq_lock);
	old = irq_chip_locked();
	for (unsigned int irq = 0; irq < NR_IRQS; irq++)
		if (irq != PIC_CASCADE_IRQ)
			old->mask(irq);
	WRITE_ONCE(irq_chip, chip);
	for (unsigned int irq = 0; irq < NR_IRQS; irq++) {
		if (irq == PIC_CASCADE_IRQ)
			continue;
		if (irq_descs[irq].enabled)
			chip->unmask(irq);
		else
			chip->mask(irq);
	}
	spin_unlock(&irq_lock);
}

const struct irq_chip *irq_get_chip(void)
{
	const struct irq_chip *chip = READ_ONCE(irq_chip);

	return chip ? chip : &pic_chip;
}

static void irq_set_masked(unsigned int irq, bool masked)
{
	const struct irq_chip *chip;

	spin_lock(&irq_lock);
	chip = irq_chip_locked();
	if (masked)
		chip->mask(irq);
	else
		chip->unmask(irq);
	irq_descs[irq].enabled = !masked;
	spin_unlock(&irq_lock);
}

void irq_enable(unsigned int irq)
{
	if (!irq_valid("irq_enable", irq))
		return;
	if (irq == PIC_CASCADE_IRQ) {
		pr_err("irq_enable: IRQ %u is the cascade, managed by the PIC code\n", irq);
		return;
	}
	irq_set_masked(irq, false);
}

void irq_disable(unsigned int irq)
{
	if (!irq_valid("irq_disable", irq) || irq == PIC_CASCADE_IRQ)
		return;
	irq_set_masked(irq, true);
}

void irq_handle(unsigned int irq, struct pt_regs *regs)
{
	irq_handler_t handler = READ_ONCE(irq_descs[irq].handler);
	const struct irq_chip *chip = READ_ONCE(irq_chip);

	this_cpu_inc(irq_counts[irq]);
	if (handler) {
		handler(regs);
	} else {
		/* Nobody wants it: silence the line rather than take it forever. */
		irq_unhandled++;
		irq_set_masked(irq, true);
	}
	chip->eoi(irq);
}

int request_irq(unsigned int irq, irq_handler_t handler)
{
	int ret = 0;

	if (!irq_valid("request_irq", irq))
		return -EINVAL;
	if (irq == PIC_CASCADE_IRQ || !handler) {
		pr_err("request_irq: IRQ %u: %s\n", irq,
		       handler ? "the cascade line cannot have a handler" : "NULL handler");
		return -EINVAL;
	}
	spin_lock(&irq_lock);
	irq_chip_locked();
	if (irq_descs[irq].handler) {
		pr_err("request_irq: IRQ %u already has a handler (%ps)\n", irq,
		       (void *)irq_descs[irq].handler);
		ret = -EBUSY;
	} else {
		WRITE_ONCE(irq_descs[irq].handler, handler);
	}
	spin_unlock(&irq_lock);
	return ret;
}

void free_irq(unsigned int irq)
{
	if (!irq_valid("free_irq", irq))
		return;
	spin_lock(&irq_lock);
	if (irq_descs[irq].handler && irq != PIC_CASCADE_IRQ) {
		irq_chip_locked()->mask(irq);
		irq_descs[irq].enabled = false;
	}
	WRITE_ONCE(irq_descs[irq].handler, NULL);
	irq_descs[irq].name = NULL;
	spin_unlock(&irq_lock);
}

void irq_set_name(unsigned int irq, const char *name)
{
	if (!irq_valid("irq_set_name", irq))
		return;
	spin_lock(&irq_lock);
	irq_descs[irq].name = name;
	spin_unlock(&irq_lock);
}

irq_handler_t irq_handler(unsigned int irq)
{
	return irq < NR_IRQS ? READ_ONCE(irq_descs[irq].handler) : NULL;
}

unsigned long irq_count(unsigned int irq, unsigned int cpu)
{
	if (irq >= NR_IRQS || !cpu_possible(cpu))
		return 0;
	return READ_ONCE(per_cpu(irq_counts, cpu)[irq]);
}

void irq_count_spurious(void)
{
	this_cpu_inc(irq_spurious);
}

unsigned long irq_spurious_count(unsigned int cpu)
{
	return cpu_possible(cpu) ? READ_ONCE(per_cpu(irq_spurious, cpu)) : 0;
}

/* ---------------------------------------------------------------------- */
/* The dump, in /proc/interrupts' layout.                                  */

static void dump_header(void)
{
	unsigned int cpu;

	printk(KERN_INFO "           ");
	for_each_online_cpu(cpu) printk(KERN_CONT "CPU%-8u", cpu);
	printk(KERN_CONT "\n");
}

static bool irq_line_shown(unsigned int irq)
{
	unsigned int cpu;

	if (irq_handler(irq))
		return true;
	for_each_online_cpu(cpu) if (irq_count(irq, cpu)) return true;
	return false;
}

static void dump_line(unsigned int irq, const struct irq_chip *chip)
{
	irq_handler_t h = irq_handler(irq);
	const char *name = READ_ONCE(irq_descs[irq].name);
	char pin[24] = "";
	unsigned int cpu;

	printk(KERN_INFO "%3u: ", irq);
	for_each_online_cpu(cpu) printk(KERN_CONT "%10lu ", irq_count(irq, cpu));
	chip->describe(irq, pin, sizeof(pin));
	if (name)
		printk(KERN_CONT "  %-8s %-10s  %s", chip->name, pin, name);
	else if (h)
		printk(KERN_CONT "  %-8s %-10s  %ps", chip->name, pin, (void *)h);
	else
		printk(KERN_CONT "  %-8s %-10s  (no handler)", chip->name, pin);
	printk(KERN_CONT "%s\n", h && !irq_descs[irq].enabled ? " (masked)" : "");
}

/* One row of per-CPU counts for the architecture's own interrupts. */
static void dump_arch_row(const char *tag, unsigned long (*count)(unsigned int cpu),
			  const char *what)
{
	unsigned int cpu;

	printk(KERN_INFO "%s: ", tag);
	for_each_online_cpu(cpu) printk(KERN_CONT "%10lu ", count(cpu));
	printk(KERN_CONT "  %s\n", what);
}

void interrupts_dump(void)
{
	const struct irq_chip *chip = irq_get_chip();

	dump_header();
	for (unsigned int irq = 0; irq < NR_IRQS; irq++)
		if (irq_line_shown(irq))
			dump_line(irq, chip);
	dump_arch_row("LOC", apic_timer_ticks, "Local timer interrupts");
	dump_arch_row("SPU", irq_spurious_count, "Spurious interrupts");
	dump_arch_row("RES", ipi_reschedules_received, "Rescheduling interrupts");
	dump_arch_row("CAL", ipi_calls_received, "Function call interrupts");
	dump_arch_row("TLB", tlb_shootdowns_received, "TLB shootdowns");
	printk(KERN_INFO "UNH: %10lu   lines that fired without a handler (masked)\n",
	       irq_unhandled);
}
