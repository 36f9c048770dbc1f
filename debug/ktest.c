/*
 * The self-test runner. Tests live in the .ktest section (KTEST() in
 * include/debug/ktest.h), grouped by suite in link order. ktest_run() prints KTAP
 * version 1, one subtest block per suite as KUnit does:
 *
 *	KTAP version 1
 *	1..2
 *	    KTAP version 1
 *	    # Subtest: buddy
 *	    1..3
 *	    ok 1 alloc_all
 *	    # vmalloc_test.c:42: expected a == b, got ...
 *	    not ok 2 merge
 *	    ok 3 nofault # SKIP no memory above 4 GiB
 *	ok 1 buddy
 *	...
 *	# ktest: 40 passed, 1 failed, 2 skipped
 *
 * Each test runs behind a jump buffer: a failed ASSERT, a SKIP, or a fault the
 * test did not expect ends that test only.
 */
#include "debug/console.h"
#include "debug/ktest.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

extern const struct ktest_case __ktest_start[], __ktest_end[];
static struct ktest *current_test;
/* Set when a test faulted inside a critical section: the rest cannot run safely. */
static bool ktest_stopped;

struct ktest *ktest_current(void)
{
	return current_test;
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	const char *base = strrchr(file, '/');
	char msg[256];
	va_list args;

	va_start(args, fmt);
	vscnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	t->failed = true;
	printk("    # %s: %s:%d: %s\n", t->name, base ? base + 1 : file, line, msg);
}

void ktest_abort(struct ktest *t)
{
	ktest_longjmp(&t->abort_jmp, 1);
}

void ktest_handle_fault(unsigned long vector, unsigned long addr)
{
	struct ktest *t = current_test;

	if (!t || !t->expect_fault)
		return;
	t->expect_fault = false;
	t->fault_vector = vector;
	t->fault_addr = addr;
	ktest_longjmp(&t->fault_jmp, 1);
}

void ktest_oops(void)
{
	struct ktest *t = current_test;

	if (!t)
		return;
	t->failed = true;
	printk("    # %s: unexpected fault, test ended\n", t->name);
	if (spinlock_depth) {
		/* The faulting code held locks that nothing will release. */
		printk("    # %s: the fault came with %u spinlock(s) held: ending the run\n",
		       t->name, spinlock_depth);
		ktest_stopped = true;
	}
	ktest_abort(t);
}

/*
 * Is @suite named in @spec ("all", or a comma-separated list)? Suites whose
 * name starts with '_' (deliberate crashes for the end-to-end tests) run only
 * when named.
 */
static bool ktest_selected(const char *spec, const char *suite)
{
	size_t n = strlen(suite);

	if (!strcmp(spec, "all"))
		return suite[0] != '_';
	for (const char *p = spec; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, suite, n))
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

/* Is @c the first case of its suite in the table (so the suite is counted once)? */
static bool suite_first(const struct ktest_case *c)
{
	for (const struct ktest_case *p = __ktest_start; p < c; p++)
		if (!strcmp(p->suite, c->suite))
			return false;
	return true;
}

/*
 * The next case of @suite after @prev in source order, or NULL. The compiler
 * may lay out a file's cases in any order, so order is taken from the line.
 */
static const struct ktest_case *suite_next(const char *suite, const struct ktest_case *prev)
{
	const struct ktest_case *best = NULL;

	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++) {
		if (strcmp(c->suite, suite))
			continue;
		if (prev && (c->line < prev->line || (c->line == prev->line && c <= prev)))
			continue;
		if (!best || c->line < best->line)
			best = c;
	}
	return best;
}

struct ktest_totals {
	unsigned int passed, failed, skipped;
};

static void ktest_run_one(const struct ktest_case *c, unsigned int nr, struct ktest_totals *tot)
{
	struct ktest t;

	memset(&t, 0, sizeof(t));
	t.suite = c->suite;
	t.name = c->name;
	current_test = &t;
	if (ktest_setjmp(&t.abort_jmp) == 0)
		c->fn(&t);
	current_test = NULL;

	if (t.failed) {
		tot->failed++;
		printk("    not ok %u %s\n", nr, c->name);
	} else if (t.skipped) {
		tot->skipped++;
		printk("    ok %u %s # SKIP %s\n", nr, c->name, t.skip_reason);
	} else {
		tot->passed++;
		printk("    ok %u %s\n", nr, c->name);
	}
}

/* Run one suite as a KTAP subtest. */
static void ktest_run_suite(const char *suite, unsigned int nr, struct ktest_totals *tot)
{
	unsigned int failed_before = tot->failed, count = 0, i = 0;
	const struct ktest_case *c;

	for (c = suite_next(suite, NULL); c; c = suite_next(suite, c))
		count++;
	printk("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", suite, count);
	for (c = suite_next(suite, NULL); c && !ktest_stopped && !console_interrupted();
	     c = suite_next(suite, c))
		ktest_run_one(c, ++i, tot);
	printk("%s %u %s\n", tot->failed == failed_before ? "ok" : "not ok", nr, suite);
}

int ktest_run(const char *spec)
{
	struct ktest_totals tot = { 0, 0, 0 };
	unsigned int nr_suites = 0, nr = 0;
	const struct ktest_case *c;

	for (c = __ktest_start; c < __ktest_end; c++)
		if (suite_first(c) && ktest_selected(spec, c->suite))
			nr_suites++;
	printk("KTAP version 1\n1..%u\n", nr_suites);
	if (!nr_suites)
		printk("# ktest: no suite matches '%s'\n", spec);
	for (c = __ktest_start; c < __ktest_end && !ktest_stopped && !console_interrupted(); c++)
		if (suite_first(c) && ktest_selected(spec, c->suite))
			ktest_run_suite(c->suite, ++nr, &tot);
	if (ktest_stopped)
		printk("# ktest: run ended early after a fault with locks held\n");
	printk("# ktest: %u passed, %u failed, %u skipped\n", tot.passed, tot.failed, tot.skipped);
	return (int)tot.failed + (nr_suites ? 0 : 1);
}
