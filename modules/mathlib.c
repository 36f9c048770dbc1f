/*
 * mathlib: exports two functions and a counter with EXPORT_SYMBOL. A module
 * that uses them (mathuser) pins this one: rmmod mathlib answers -EBUSY
 * until mathuser is gone, and lsmod shows the user.
 * Shows: a module's own exports, resolved by the loader for later modules.
 */
#include "kernel/module.h"
#include "kernel/printk.h"
#include "mathlib.h"

unsigned long mathlib_calls;

unsigned long mathlib_gcd(unsigned long a, unsigned long b)
{
	mathlib_calls++;
	while (b) {
		unsigned long r = a % b;

		a = b;
		b = r;
	}
	return a;
}

unsigned long mathlib_isqrt(unsigned long n)
{
	unsigned long lo = 0, hi = n < 0xffffffffUL ? n + 1 : 0x100000000UL;

	mathlib_calls++;
	/* The answer lies in [lo, hi): halve the interval. */
	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (mid <= n / mid)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int mathlib_init(void)
{
	printk("mathlib: gcd and isqrt exported\n");
	return 0;
}

static void mathlib_exit(void)
{
	printk("mathlib: unloaded after %lu calls\n", mathlib_calls);
}

EXPORT_SYMBOL(mathlib_gcd);
EXPORT_SYMBOL(mathlib_isqrt);
EXPORT_SYMBOL(mathlib_calls);
MODULE_INIT(mathlib_init);
MODULE_EXIT(mathlib_exit);
MODULE_NAME("mathlib");
