/*
 * The legacy 8259A interrupt controllers, master at 0x20 and slave at 0xa0.
 *
 *   IRQ 0..7  --> master --INT--> CPU, vectors 0x20..0x27
 *   IRQ 8..15 --> slave --IR2--> master, vectors 0x28..0x2f
 *
 * pic_init() programs both in cascade mode, edge triggered, and masks every
 * line. With an I/O APIC (ioapic.c) they stay masked for good and this file
 * only recognises their spurious interrupts; without one, pic_chip is the
 * irq_chip of irq.c and delivers the ISA lines itself.
 *
 * Spurious interrupts: when a request goes away before the CPU acknowledges
 * it, the 8259A reports its lowest-priority line instead (IR7, or IR15 on the
 * slave) without setting the in-service bit. Those are recognised by reading
 * the in-service register and get no EOI -- except that the master did see a
 * real request from the slave for a spurious IRQ 15, so it gets its EOI.
 *
 * Locking: pic_mask is written by pic_chip's mask/unmask under irq.c's
 * irq_lock, and by pic_init() at boot before any other CPU runs.
 */
#include "asm/io.h"
#include "asm/pic.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/vsprintf.h"

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

static u16 pic_mask = 0xffff; /* bit n set: IRQ n masked */
static bool pic_ready;

static void pic_write_masks(void)
{
	outb(PIC1_DATA, pic_mask & 0xff);
	outb(PIC2_DATA, pic_mask >> 8);
}

static u8 pic_read_isr(u16 cmd_port)
{
	outb(cmd_port, OCW3_READ_ISR);
	return inb(cmd_port);
}

void pic_eoi(unsigned int irq)
{
	if (irq >= NR_PIC_IRQS) {
		pr_err("pic_eoi: no IRQ %u (the PICs have 0..%u)\n", irq, NR_PIC_IRQS - 1);
		return;
	}
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

static void pic_set_mask(unsigned int irq, bool masked)
{
	if (masked)
		pic_mask |= 1u << irq;
	else
		pic_mask &= ~(1u << irq);
	/* The cascade line is open exactly while some slave line is. */
	if ((pic_mask & 0xff00) == 0xff00)
		pic_mask |= 1u << PIC_CASCADE_IRQ;
	else
		pic_mask &= ~(1u << PIC_CASCADE_IRQ);
	pic_write_masks();
}

static void pic_mask_irq(unsigned int irq)
{
	pic_set_mask(irq, true);
}

static void pic_unmask_irq(unsigned int irq)
{
	pic_set_mask(irq, false);
}

static void pic_describe(unsigned int irq, char *buf, size_t len)
{
	snprintf(buf, len, "%u-edge", irq);
}

const struct irq_chip pic_chip = {
	.name = "XT-PIC",
	.mask = pic_mask_irq,
	.unmask = pic_unmask_irq,
	.eoi = pic_eoi,
	.describe = pic_describe,
};

/* True when @irq is a spurious IR7/IR15; sends the EOI such a case needs. */
static bool pic_spurious(unsigned int irq)
{
	if (irq == SPURIOUS_MASTER_IRQ && !(pic_read_isr(PIC1_CMD) & 0x80))
		return true;
	if (irq == SPURIOUS_SLAVE_IRQ && !(pic_read_isr(PIC2_CMD) & 0x80)) {
		outb(PIC1_CMD, OCW2_EOI); /* the master's cascade request was real */
		return true;
	}
	return false;
}

static void pic_dispatch(struct pt_regs *regs)
{
	unsigned int irq = regs->vector - PIC_IRQ_BASE;

	if (WARN_ON_ONCE(irq >= NR_PIC_IRQS))
		return;
	if (pic_spurious(irq)) {
		irq_count_spurious();
		return;
	}
	if (irq_get_chip() == &pic_chip) {
		irq_handle(irq, regs);
		return;
	}
	/* A line the I/O APIC owns came through the masked PIC: acknowledge, drop. */
	irq_count_spurious();
	pic_eoi(irq);
}

void pic_init(void)
{
	if (pic_ready)
		return;
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
	pic_write_masks();
	for (unsigned int irq = 0; irq < NR_PIC_IRQS; irq++)
		set_irq_handler(PIC_IRQ_BASE + irq, pic_dispatch);
	pic_ready = true;
}
