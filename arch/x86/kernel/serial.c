/*
 * COM1 (16550 UART) at 115200 8N1, polled. Output turns "\n" into "\r\n".
 * It works from the first instruction of kmain: nothing here allocates.
 */
#include "asm/io.h"
#include "asm/serial.h"

#define COM1	      0x3f8
#define UART_RBR      0 /* receive buffer (read) */
#define UART_THR      0 /* transmit holding (write) */
#define UART_IER      1
#define UART_FCR      2
#define UART_LCR      3
#define UART_MCR      4
#define UART_LSR      5
#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_THRE 0x20 /* transmitter holding register empty */

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80); /* DLAB: divisor follows */
	outb(COM1 + 0, 0x01);	     /* 115200 / 1 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0xc7); /* FIFO on, cleared, 14-byte trigger */
	outb(COM1 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ line) */
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
