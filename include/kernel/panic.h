/*
 * Three strengths of assertion:
 *  - BUILD_BUG_ON / static_assert for layout facts known at compile time;
 *  - WARN_ON / WARN_ON_ONCE as guards: they print file:line and a backtrace,
 *    return the condition, and the caller recovers on the next line;
 *  - BUG_ON / panic only when continuing would corrupt memory.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "kernel/compiler.h"

#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* A panic has begun (on any CPU): the others stop when it tells them to. */
bool panic_in_progress(void);
void __warn(const char *file, int line, unsigned long caller, const char *fmt, ...) __printf(4, 5);

/* Number of WARNs so far; tests use it to check that a bad call warned. */
extern unsigned long warn_count;

#define WARN(cond, fmt, ...)                                                       \
	({                                                                         \
		bool __c = !!(cond);                                               \
		if (unlikely(__c))                                                 \
			__warn(__FILE__, __LINE__, _THIS_IP_, fmt, ##__VA_ARGS__); \
		unlikely(__c);                                                     \
	})

#define WARN_ON(cond) WARN(cond, "WARN_ON(%s)", #cond)

#define WARN_ONCE(cond, fmt, ...)                                                  \
	({                                                                         \
		static bool __warned;                                              \
		bool __c = !!(cond);                                               \
		if (unlikely(__c) && !__warned) {                                  \
			__warned = true;                                           \
			__warn(__FILE__, __LINE__, _THIS_IP_, fmt, ##__VA_ARGS__); \
		}                                                                  \
		unlikely(__c);                                                     \
	})

#define WARN_ON_ONCE(cond) WARN_ONCE(cond, "WARN_ON_ONCE(%s)", #cond)

#define BUG() panic("kernel BUG at %s:%d!", __FILE__, __LINE__)
#define BUG_ON(cond)                                                                 \
	do {                                                                         \
		if (unlikely(cond))                                                  \
			panic("kernel BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif /* KERNEL_PANIC_H */
