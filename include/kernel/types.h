/*
 * Basic types for Contig. The freestanding headers that gcc ships (stddef,
 * stdint, stdbool, stdarg) are valid both in the kernel and in the host unit
 * tests, so everything here is built on them and never clashes with libc.
 */
#ifndef KERNEL_TYPES_H
#define KERNEL_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* A physical address; never dereferenced without __va() or a mapping. */
typedef u64 phys_addr_t;

#endif /* KERNEL_TYPES_H */
