/*
 * Compiler helpers and small generic macros (Linux names).
 */
#ifndef KERNEL_COMPILER_H
#define KERNEL_COMPILER_H

#include "kernel/types.h"

#define likely(x)      __builtin_expect(!!(x), 1)
#define unlikely(x)    __builtin_expect(!!(x), 0)
#define __section(s)   __attribute__((__section__(s)))
#define __aligned(n)   __attribute__((__aligned__(n)))
#define __packed       __attribute__((__packed__))
#define __used	       __attribute__((__used__))
#define __unused       __attribute__((__unused__))
#define __noreturn     __attribute__((__noreturn__))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#ifndef __always_inline /* glibc's <sys/cdefs.h> has it too (host tests) */
#define __always_inline inline __attribute__((__always_inline__))
#endif
#define __noinline __attribute__((__noinline__))
#define __weak	   __attribute__((__weak__))
#define barrier()  __asm__ __volatile__("" ::: "memory")

#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define ARRAY_SIZE(a)			(sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define BIT(n)		   (1UL << (n))
#define ALIGN(x, a)	   (((x) + ((__typeof__(x))(a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a)   ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a)   (((x) & ((__typeof__(x))(a)-1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#define is_power_of_2(n)   ((n) != 0 && (((n) & ((n)-1)) == 0))

#define min(a, b)	 ((a) < (b) ? (a) : (b))
#define max(a, b)	 ((a) > (b) ? (a) : (b))
#define clamp(v, lo, hi) min(max(v, lo), hi)

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))
/* The address of this very instruction (a label's address may be moved by gcc). */
#define _THIS_IP_                                                      \
	({                                                             \
		unsigned long __ip;                                    \
		__asm__ __volatile__("lea 0(%%rip), %0" : "=r"(__ip)); \
		__ip;                                                  \
	})

#endif /* KERNEL_COMPILER_H */
