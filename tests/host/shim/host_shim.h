/*
 * Host-side stand-ins for the kernel services that the code under test calls:
 * printk (captured into a buffer the test can search), __warn (counted),
 * panic (fails the current cmocka test). Include it once, in the test file,
 * before the kernel sources it #includes.
 */
#ifndef HOST_SHIM_H
#define HOST_SHIM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"

/* The real spinlocks, on one CPU (shim/kernel/percpu.h: spinlock_depth is a plain variable). */
#include "kernel/spinlock.c"

static char shim_log[1 << 16];
static size_t shim_log_len;
unsigned long warn_count;
unsigned int cpu_number;
unsigned long cpu_possible_mask_bits = 1, cpu_online_mask_bits = 1;
DEFINE_PER_CPU(unsigned int, irq_depth); /* in_interrupt(): the host never is */
/* preempt_count(): raised only by noirq spinlocks here; no other task to switch to. */
DEFINE_PER_CPU(unsigned int, preempt_count_pcpu);
static unsigned long shim_preempt_enables; /* noirq lock holds ended */
void preempt_enable(void)
{
	preempt_count_pcpu--;
	shim_preempt_enables++;
}

/* Lock holds (or interrupts-off stretches) ended so far. */
static inline unsigned long shim_holds_ended(void)
{
	return shim_irq_enables + shim_preempt_enables;
}
static unsigned long shim_printk_locked; /* lines printed with a spinlock held */

/* Forget what was printed so far. */
static inline void shim_log_clear(void)
{
	shim_log_len = 0;
	shim_log[0] = '\0';
}

/* True when @needle was printed since the last shim_log_clear(). */
static inline bool shim_log_has(const char *needle)
{
	return strstr(shim_log, needle) != NULL;
}

/*
 * Run @stmt, a refused operation: exactly one more warning, and @text in what
 * it printed. The callers then check that nothing of their state changed.
 */
#define SHIM_EXPECT_ONE_WARNING(stmt, text)                                 \
	do {                                                                \
		unsigned long warned_ = warn_count;                         \
		shim_log_clear();                                           \
		stmt;                                                       \
		assert_int_equal(warn_count, warned_ + 1);                  \
		if (!shim_log_has(text))                                    \
			fail_msg("expected \"%s\" in: %s", text, shim_log); \
	} while (0)

int vprintk(const char *fmt, va_list args)
{
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, args);
	const char *text = line;

	if (spinlock_depth)
		shim_printk_locked++;
	if (text[0] == '\001' && text[1])
		text += 2;
	if (getenv("SHIM_VERBOSE"))
		fputs(text, stderr);
	if (shim_log_len + strlen(text) + 1 < sizeof(shim_log)) {
		memcpy(shim_log + shim_log_len, text, strlen(text) + 1);
		shim_log_len += strlen(text);
	}
	return n;
}

int printk(const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vprintk(fmt, args);
	va_end(args);
	return n;
}

void __warn(const char *file, int line, unsigned long caller, const char *fmt, ...)
{
	va_list args;

	(void)caller;
	warn_count++;
	printk("WARNING: at %s:%d: ", file, line);
	va_start(args, fmt);
	vprintk(fmt, args);
	va_end(args);
	printk("\n");
}

void panic(const char *fmt, ...)
{
	char msg[512];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	fprintf(stderr, "panic: %s\n", msg);
	fail_msg("panic: %s", msg);
	abort();
}

/* No other CPU sends shootdowns (spin_lock()'s wait serves them). */
void tlb_shootdown_run(void)
{
}

/* lock_stat is off on the host: only contentions would count, and one CPU has none. */
bool lock_stat_enabled;
void lock_stat_contended(struct spinlock *lock, u64 cycles)
{
	(void)lock;
	(void)cycles;
}
void lock_stat_acquired(struct spinlock *lock, unsigned int cpu)
{
	(void)lock;
	(void)cpu;
}
void lock_stat_released(struct spinlock *lock)
{
	(void)lock;
}

/* lockdep is off on the host; lockdep_test.c includes the real kernel/lockdep.c instead. */
#ifndef HOST_SHIM_REAL_LOCKDEP
struct spinlock;
bool lockdep_enabled;
void lock_acquire(struct spinlock *lock, unsigned long ip, bool trylock)
{
	(void)lock;
	(void)ip;
	(void)trylock;
}
void lock_acquire_nest(struct spinlock *lock, unsigned long ip)
{
	(void)lock;
	(void)ip;
}
void lock_release(struct spinlock *lock)
{
	(void)lock;
}
#endif

#endif /* HOST_SHIM_H */
