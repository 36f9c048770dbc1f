/*
 * Deliberate failures for the end-to-end tests. Suites whose names start
 * with '_' are not part of ktest=all: they run only when named.
 */
#include "debug/ktest.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "mm/vmalloc.h"

static volatile unsigned long crash_addr = 8;

static __noinline void crash_write(void)
{
	*(volatile int *)crash_addr = 1;
}

/* An unexpected fault inside a test: oops with a backtrace, test fails, run goes on. */
KTEST(_crash, null_deref)
{
	crash_write();
}

KTEST(_crash, after_the_fault)
{
	KTEST_EXPECT_EQ(t, 1, 1);
}

KTEST(_warn, warn_on)
{
	unsigned long before = warn_count;

	WARN_ON(before == before);
	KTEST_EXPECT_EQ(t, warn_count, before + 1);
}

KTEST(_panic, panic)
{
	panic("deliberate panic from the _panic suite");
}

static volatile unsigned long recurse_limit = ~0UL;

static __noinline unsigned long recurse(unsigned long n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	if (n >= recurse_limit)
		return 0;
	return recurse(n + 1) + pad[0];
}

/* A kernel stack overflow runs into the unmapped page below the boot stack;
 * the #PF cannot be delivered there, so the double fault handler, on its own
 * (vmalloc'ed, guarded) IST stack, reports it. */
KTEST(_overflow, recursion)
{
	KTEST_EXPECT_EQ(t, recurse(0), 0UL);
}

static DEFINE_SPINLOCK(crash_lock);

/* A fault inside a critical section: the lock can never be released, so the
 * run reports the test and ends instead of deadlocking in a later test. */
KTEST(_lockfault, fault_with_lock_held)
{
	spin_lock(&crash_lock);
	crash_write();
	spin_unlock(&crash_lock);
}

KTEST(_lockfault, not_run)
{
	KTEST_EXPECT_EQ(t, 1, 1);
}

static DEFINE_SPINLOCK(expect_lock);

static __noinline void fault_holding_lock(void)
{
	spin_lock(&expect_lock);
	crash_write();
	spin_unlock(&expect_lock);
}

/*
 * Regression: an expected fault taken with a spinlock held jumped back into
 * the test and left the lock taken (the next spin_lock panicked as a
 * recursion). It is an oops now, and the run ends as for any fault with
 * locks held.
 */
KTEST(_lockexpect, expected_fault_with_lock_held)
{
	KTEST_EXPECT_FAULT(t, fault_holding_lock());
}

/*
 * One byte past a vmalloc area, with no KTEST_EXPECT_FAULT(): the oops must
 * name the guard page, the area and this function as its allocator
 * (tests/e2e/vmalloc_guard_oops.sh checks the text). The area is freed
 * when the fault ends the test (ktest_vmalloc()).
 */
KTEST(_vmguard, overrun_oops)
{
	char *p = ktest_vmalloc(t, 2 * PAGE_SIZE);

	KTEST_ASSERT_NOT_NULL(t, p);
	printk("vmguard: area %p\n", p);
	p[2 * PAGE_SIZE] = 1;
}
