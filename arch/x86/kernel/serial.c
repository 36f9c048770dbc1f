/*
 * COM1 (16550 UART) at 115200 8N1. Output is polled and turns "\n" into
 * "\r\n"; it works from the first instruction of kmain (nothing here
 * allocates) and is registered as a printk console sink.
 *
 * Input is interrupt driven once serial_rx_enable() has run (xv6's uart.c):
 *
 *   UART --IRQ 4--> serial_rx_irq() --> serial_rx_drain() --> rx_ring --> serial_rx_getc()
 *                                             |
 *                                             +--> rx_filter(c): true = consumed (e.g. ^C)
 *
 * The ring holds bytes nobody has read yet; a full ring drops new bytes and
 * counts them. What the bytes mean (line editing, ^C) is the console's
 * business, not the driver's.
 *
 * Locking: [I] written with interrupts off (the IRQ handler, or a caller
 * that disabled them); [R] the reader, with interrupts off around the ring.
 */
#include "asm/io.h"
#include "asm/irqflags.h"
#include "asm/pic.h"
#include "asm/traps.h"
#include "asm/serial.h"
#include "kernel/errno.h"
#include "kernel/printk.h"

#define COM1	      0x3f8
#define UART_RBR      0 /* receive buffer (read) */
#define UART_THR      0 /* transmit holding (write) */
#define UART_IER      1
#define UART_IER_RDI  0x01 /* interrupt when a byte is received */
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_THRE 0x20 /* transmitter holding register empty */

#define RX_RING_SIZE 256 /* a power of two */

static u8 rx_ring[RX_RING_SIZE];	/* [I] bytes at [rx_tail, rx_head) */
static unsigned int rx_head;		/* [I] */
static unsigned int rx_tail;		/* [R] */
static bool (*rx_filter)(u8 c);		/* [R] set once, before the IRQ is on */
static struct serial_rx_stats rx_stats; /* [I] */

static void serial_console_write(const char *s, size_t len)
{
	serial_write(s, len);
}

static struct console serial_console = {
	.name = "ttyS0",
	.write = serial_console_write,
};

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80); /* DLAB: divisor follows */
	outb(COM1 + 0, 0x01);	     /* 115200 / 1 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7); /* FIFO on, cleared, 14-byte trigger */
	outb(COM1 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ line) */
	register_console(&serial_console);
}

static void serial_tx(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		;
	outb(COM1 + UART_THR, (u8)c);
}

void serial_putc(char c)
{
	if (c == '\n')
		serial_tx('\r');
	serial_tx(c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc(s[i]);
}

int serial_getc_nonblock(void)
{
	if (!(inb(COM1 + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}

int serial_getc(void)
{
	int c;

	while ((c = serial_getc_nonblock()) < 0)
		__asm__ __volatile__("pause");
	return c;
}

/* Move every byte the UART holds into the ring. Interrupts are off. */
static void serial_rx_drain(void)
{
	int c;

	while ((c = serial_getc_nonblock()) >= 0) {
		if (rx_filter && rx_filter((u8)c))
			continue;
		if (rx_head - READ_ONCE(rx_tail) >= RX_RING_SIZE) {
			rx_stats.dropped++;
			continue;
		}
		rx_ring[rx_head % RX_RING_SIZE] = (u8)c;
		WRITE_ONCE(rx_head, rx_head + 1);
		rx_stats.bytes++;
	}
}

static void serial_rx_irq(struct pt_regs *regs __unused)
{
	serial_rx_drain();
}

void serial_rx_set_filter(bool (*filter)(u8 c))
{
	rx_filter = filter;
}

int serial_rx_enable(void)
{
	int err;

	pic_init();
	err = request_irq(SERIAL_RX_IRQ, serial_rx_irq);
	if (err) {
		pr_err("serial: no IRQ %d for COM1 (%d), input is polled\n", SERIAL_RX_IRQ, err);
		return err;
	}
	irq_set_name(SERIAL_RX_IRQ, "ttyS0");
	outb(COM1 + UART_IER, UART_IER_RDI);
	rx_stats.irq_on = true;
	irq_enable(SERIAL_RX_IRQ);
	return 0;
}

void serial_rx_poll(void)
{
	unsigned long flags;

	local_irq_save(flags);
	serial_rx_drain();
	local_irq_restore(flags);
}

int serial_rx_getc(void)
{
	unsigned long flags;
	int c = -1;

	local_irq_save(flags);
	/* A byte the UART took before its interrupt was on raised no edge. */
	serial_rx_drain();
	if (rx_tail != READ_ONCE(rx_head)) {
		c = rx_ring[rx_tail % RX_RING_SIZE];
		rx_tail++;
	}
	local_irq_restore(flags);
	return c;
}

bool serial_rx_empty(void)
{
	return READ_ONCE(rx_tail) == READ_ONCE(rx_head);
}

void serial_rx_flush(void)
{
	unsigned long flags;

	local_irq_save(flags);
	serial_rx_drain();
	rx_tail = rx_head;
	local_irq_restore(flags);
}

struct serial_rx_stats serial_rx_stats(void)
{
	return rx_stats;
}
