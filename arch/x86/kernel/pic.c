/*
 * The legacy 8259A interrupt controllers, master at 0x20 and slave at 0xa0.
 *
 *   IRQ 0..7  --> master --INT--> CPU, vectors 0x20..0x27
 *   IRQ 8..15 --> slave --IR2--> master, vectors 0x28..0x2f
 *
 * pic_init() programs both in cascade mode, edge triggered, and masks every
 * line. All 16 vectors go to pic_dispatch(), which counts the interrupt, runs
 * the line's handler and then sends the EOI (the handler runs with
 * interrupts off, so a line cannot re-enter its own handler).
 *
 * Spurious interrupts: when a request goes away before the CPU acknowledges
 * it, the 8259A reports its lowest-priority line instead (IR7, or IR15 on the
 * slave) without setting the in-service bit. Those are recognised by reading
 * the in-service register and get no EOI -- except that the master did see a
 * real request from the slave for a spurious IRQ 15, so it gets its EOI.
 *
 * Locking: [P] pic_lock guards the cached masks and the handler table.
 */
#include "asm/io.h"
#include "asm/pic.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT     0x10 /* start the initialisation sequence */
#define ICW1_ICW4     0x01 /* an ICW4 follows */
#define ICW4_8086     0x01 /* 8086 mode (not MCS-80) */
#define OCW2_EOI      0x20 /* non-specific end of interrupt */
#define OCW3_READ_ISR 0x0b /* the next read of the command port returns ISR */

#define SPURIOUS_MASTER_IRQ 7
#define SPURIOUS_SLAVE_IRQ  15

struct pic_stats pic_stats;

static DEFINE_SPINLOCK(pic_lock);
static u16 pic_mask = 0xffff;			/* [P] bit n set: IRQ n masked */
static irq_handler_t pic_handlers[NR_PIC_IRQS]; /* [P] */
static bool pic_ready;				/* [P] pic_init() has run */

static void pic_write_masks_locked(void)
{
	assert_held(&pic_lock);
	outb(PIC1_DATA, pic_mask & 0xff);
	outb(PIC2_DATA, pic_mask >> 8);
}

static u8 pic_read_isr(u16 cmd_port)
{
	outb(cmd_port, OCW3_READ_ISR);
	return inb(cmd_port);
}

static bool irq_valid(const char *op, unsigned int irq)
{
	if (irq < NR_PIC_IRQS)
		return true;
	pr_err("%s: no IRQ %u (the PICs have 0..%u)\n", op, irq, NR_PIC_IRQS - 1);
	return false;
}

void pic_eoi(unsigned int irq)
{
	if (!irq_valid("pic_eoi", irq))
		return;
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

static void irq_mask_locked(unsigned int irq, bool masked)
{
	assert_held(&pic_lock);
	if (masked)
		pic_mask |= 1u << irq;
	else
		pic_mask &= ~(1u << irq);
	/* The cascade line is open exactly while some slave line is. */
	if ((pic_mask & 0xff00) == 0xff00)
		pic_mask |= 1u << PIC_CASCADE_IRQ;
	else
		pic_mask &= ~(1u << PIC_CASCADE_IRQ);
	pic_write_masks_locked();
}

void irq_enable(unsigned int irq)
{
	if (!irq_valid("irq_enable", irq))
		return;
	if (irq == PIC_CASCADE_IRQ) {
		pr_err("irq_enable: IRQ %u is the cascade, managed by the PIC code\n", irq);
		return;
	}
	spin_lock(&pic_lock);
	irq_mask_locked(irq, false);
	spin_unlock(&pic_lock);
}

void irq_disable(unsigned int irq)
{
	if (!irq_valid("irq_disable", irq) || irq == PIC_CASCADE_IRQ)
		return;
	spin_lock(&pic_lock);
	irq_mask_locked(irq, true);
	spin_unlock(&pic_lock);
}

/* True when @irq is a spurious IR7/IR15; sends the EOI such a case needs. */
static bool pic_spurious(unsigned int irq)
{
	if (irq == SPURIOUS_MASTER_IRQ && !(pic_read_isr(PIC1_CMD) & 0x80)) {
		pic_stats.spurious++;
		return true;
	}
	if (irq == SPURIOUS_SLAVE_IRQ && !(pic_read_isr(PIC2_CMD) & 0x80)) {
		pic_stats.spurious++;
		outb(PIC1_CMD, OCW2_EOI); /* the master's cascade request was real */
		return true;
	}
	return false;
}

static void pic_dispatch(struct pt_regs *regs)
{
	unsigned int irq = regs->vector - PIC_IRQ_BASE;
	irq_handler_t handler;

	if (WARN_ON_ONCE(irq >= NR_PIC_IRQS))
		return;
	if (pic_spurious(irq))
		return;
	pic_stats.count[irq]++;
	handler = READ_ONCE(pic_handlers[irq]);
	if (handler) {
		handler(regs);
	} else {
		/* Nobody wants it: silence the line rather than take it forever. */
		pic_stats.unhandled++;
		spin_lock(&pic_lock);
		irq_mask_locked(irq, true);
		spin_unlock(&pic_lock);
	}
	pic_eoi(irq);
}

void pic_init(void)
{
	spin_lock(&pic_lock);
	if (pic_ready) {
		spin_unlock(&pic_lock);
		return;
	}
	/* ICW1..ICW4 to each chip, in this order; the 8259A needs a pause between. */
	outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
	io_delay();
	outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
	io_delay();
	outb(PIC1_DATA, PIC_IRQ_BASE); /* ICW2: vector base */
	io_delay();
	outb(PIC2_DATA, PIC_IRQ_BASE + 8);
	io_delay();
	outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ); /* ICW3: the slave sits on IR2 */
	io_delay();
	outb(PIC2_DATA, PIC_CASCADE_IRQ); /* ICW3: the slave's cascade id */
	io_delay();
	outb(PIC1_DATA, ICW4_8086);
	io_delay();
	outb(PIC2_DATA, ICW4_8086);
	io_delay();
	pic_mask = 0xffff;
	pic_write_masks_locked();
	for (unsigned int irq = 0; irq < NR_PIC_IRQS; irq++)
		set_irq_handler(PIC_IRQ_BASE + irq, pic_dispatch);
	pic_ready = true;
	spin_unlock(&pic_lock);
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
	pic_init();
	spin_lock(&pic_lock);
	if (pic_handlers[irq]) {
		pr_err("request_irq: IRQ %u already has a handler (%ps)\n", irq,
		       (void *)pic_handlers[irq]);
		ret = -EBUSY;
	} else {
		pic_handlers[irq] = handler;
	}
	spin_unlock(&pic_lock);
	return ret;
}

void free_irq(unsigned int irq)
{
	if (!irq_valid("free_irq", irq))
		return;
	spin_lock(&pic_lock);
	if (pic_handlers[irq] && irq != PIC_CASCADE_IRQ)
		irq_mask_locked(irq, true);
	pic_handlers[irq] = NULL;
	spin_unlock(&pic_lock);
}

irq_handler_t irq_handler(unsigned int irq)
{
	return irq < NR_PIC_IRQS ? READ_ONCE(pic_handlers[irq]) : NULL;
}

void pic_interrupts_dump(void)
{
	pr_info("            CPU0\n");
	for (unsigned int irq = 0; irq < NR_PIC_IRQS; irq++) {
		irq_handler_t h = irq_handler(irq);

		if (!h && !pic_stats.count[irq])
			continue;
		if (h)
			pr_info("%4u: %10lu    XT-PIC  %ps%s\n", irq, pic_stats.count[irq],
				(void *)h, (pic_mask & (1u << irq)) ? " (masked)" : "");
		else
			pr_info("%4u: %10lu    XT-PIC  (no handler)\n", irq, pic_stats.count[irq]);
	}
	pr_info(" SPU: %10lu    spurious IRQ 7/15\n", pic_stats.spurious);
	pr_info(" UNH: %10lu    interrupts on lines without a handler\n", pic_stats.unhandled);
}
