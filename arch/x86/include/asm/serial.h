/*
 * 16550 UART on COM1 (arch/x86/kernel/serial.c): polled output, the printk
 * sink "ttyS0", and an interrupt-driven receive ring for the console.
 */
#ifndef ASM_SERIAL_H
#define ASM_SERIAL_H

#include "kernel/types.h"

#define SERIAL_RX_IRQ 4 /* COM1's line on the master PIC */

/* Program the UART and register it as a printk console. Allocates nothing. */
void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t len);
/* A received byte straight from the UART, or -1 when none is waiting. */
int serial_getc_nonblock(void);
/* Spin until a byte is received (no interrupts needed). */
int serial_getc(void);

/*
 * serial_rx_enable - take IRQ 4 and turn the receive interrupt on
 * => The caller enables interrupts afterwards. Calls pic_init() itself.
 * Return: 0, or the error of request_irq() (input then stays polled:
 *    serial_rx_getc() still works, it just cannot wake a halted CPU).
 */
int serial_rx_enable(void);

/*
 * serial_rx_set_filter - see every received byte before the ring does
 * => @filter runs with interrupts off, from the IRQ handler or a poll; it
 *    returns true to consume the byte (it never reaches the ring). Set it
 *    before serial_rx_enable().
 */
void serial_rx_set_filter(bool (*filter)(u8 c));

/* The oldest unread byte, or -1 when the ring (and the UART) are empty. */
int serial_rx_getc(void);
bool serial_rx_empty(void);
/* Move what the UART holds into the ring now (works with interrupts off). */
void serial_rx_poll(void);
/* Drop every unread byte. */
void serial_rx_flush(void);

struct serial_rx_stats {
	unsigned long bytes;   /* bytes put into the ring */
	unsigned long dropped; /* bytes lost to a full ring */
	bool irq_on;	       /* false: no IRQ, input is polled */
};
struct serial_rx_stats serial_rx_stats(void);

#endif /* ASM_SERIAL_H */
