/*
 * mathuser: calls mathlib's exported functions on load and checks their
 * answers against known values; loading it before mathlib fails with
 * -ENOENT (mathlib_gcd not found), and while it is loaded mathlib cannot be
 * unloaded. mathuser_run() is exported too: the self-tests and the GDB test
 * call it to enter a module function on demand.
 * Shows: a module using another module's symbols (the loader records the
 * use and pins the exporter).
 */
#include "kernel/errno.h"
#include "kernel/module.h"
#include "kernel/printk.h"
#include "mathlib.h"
#include "mathuser.h"

unsigned long mathuser_run(unsigned long a, unsigned long b)
{
	unsigned long g = mathlib_gcd(a, b);

	return g * 1000 + mathlib_isqrt(a * b);
}

static int mathuser_init(void)
{
	unsigned long r = mathuser_run(84, 36);

	/* gcd(84, 36) = 12, isqrt(3024) = 54 */
	if (r != 12054) {
		printk("mathuser: mathuser_run(84, 36) = %lu, expected 12054\n", r);
		return -EIO;
	}
	printk("mathuser: gcd(84, 36) = %lu, isqrt(3024) = %lu (mathlib: %lu calls)\n", r / 1000,
	       r % 1000, mathlib_calls);
	return 0;
}

static void mathuser_exit(void)
{
	printk("mathuser: unloaded\n");
}

EXPORT_SYMBOL(mathuser_run);
MODULE_INIT(mathuser_init);
MODULE_EXIT(mathuser_exit);
MODULE_NAME("mathuser");
