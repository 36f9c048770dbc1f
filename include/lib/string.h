/*
 * Freestanding string and memory functions (lib/string.c). Named like libc's
 * so that gcc's builtins and struct copies resolve to them; the file is
 * lib/string.h, never <string.h>, so host tests still see the host's.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include "kernel/types.h"

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
/* First byte in [s, s+n) that is not @c, or NULL. */
void *memchr_inv(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copy at most size-1 bytes and terminate; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
/* Parse an unsigned number (base 0 = auto: 0x hex, 0 octal, else decimal).
 * Return 0, -EINVAL on no digits/trailing junk, -ERANGE on overflow. */
/* The number at the start of @s, *@end after it (lib/string.c: bases, errors). */
int parse_ulong(const char *s, unsigned int base, unsigned long *res, const char **end);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
int kstrtol(const char *s, unsigned int base, long *res);
/* Parse a size with an optional k/K, m/M, g/G suffix ("4k", "2M", "0x1000"). */
int memparse(const char *s, unsigned long *res);

#endif /* LIB_STRING_H */
