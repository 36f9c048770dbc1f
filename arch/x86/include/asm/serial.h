/* 16550 UART on COM1: the early and main console (polled). */
#ifndef ASM_SERIAL_H
#define ASM_SERIAL_H

#include "kernel/types.h"

void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t len);
/* A received byte, or -1 when none is waiting. */
int serial_getc_nonblock(void);
/* Wait for a received byte (halting between polls when interrupts are on). */
int serial_getc(void);

#endif /* ASM_SERIAL_H */
