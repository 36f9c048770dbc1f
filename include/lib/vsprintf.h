/*
 * vsnprintf and friends (lib/vsprintf.c).
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %% with the l, ll, z, h, hh length
 * modifiers; flags '-', '0', '+', ' ', '#'; width and precision (also '*').
 * %p prints 0x and 16 hex digits. %pS prints the symbol: "func+0x1c/0x80",
 * or the bare address when no symbol contains it. %ps is the same without
 * the offset.
 */
#ifndef LIB_VSPRINTF_H
#define LIB_VSPRINTF_H

#include "kernel/compiler.h"

/* Like C99: return the length the full output would have; always terminate when size > 0. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
/* Return the number of characters actually written (excluding the NUL). */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* LIB_VSPRINTF_H */
