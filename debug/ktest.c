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
 *	    # merge: vmalloc_test.c:42: expected a == b, got ...
 *	    not ok 2 merge
 *	    ok 3 nofault # SKIP no memory above 4 GiB
 *	    # buddy: 1 passed, 1 failed, 1 skipped in 0.012 s
 *	not ok 1 buddy
 *	...
 *	# ktest: 40 passed, 1 failed, 2 skipped
 *
 * The selection (ktest=) is a comma list of globs, each matched against the
 * suite name and against "suite.case"; "all" means every suite but those
 * whose name starts with '_' (deliberate crashes for the end-to-end tests),
 * which only a pattern starting with '_' selects, as '*' in a shell skips
 * dot files. ktest=list prints every case instead of running them.
 *
 * Each test runs behind a jump buffer: a failed ASSERT, a SKIP, or a fault the
 * test did not expect ends that test only. Then, as when it returns, its
 * deferred cleanup actions (ktest_defer()) run, last first, so that a test
 * that failed gives back what it held and the tests after it get the
 * machine it found. The runner installs trap_hooks
 * for the run, so the exception path never calls up into it by name. A fault
 * with spinlocks held ends the whole run; the cases not run are reported as
 * skipped, so the KTAP plans still hold.
 */
#include "debug/console.h"
#include "debug/ktest.h"
#include "asm/processor.h"
#include "asm/traps.h"
#include "asm/tsc.h"
#include "kernel/lockdep.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/match.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define KTEST_NAME_MAX 96 /* "suite.case", and one pattern of the selection */

extern const struct ktest_case __ktest_start[], __ktest_end[];
static struct ktest *current_test;
/*
 * Set when a test faulted inside a critical section (the rest cannot run
 * safely) or when Ctrl-C at the console interrupted the run; the cases not
 * run are then reported skipped.
 */
static bool ktest_stopped;
static const char *ktest_stop_reason;
static const char ktest_reason_ctrl_c[] = "Ctrl-C at the console";

/* Has the run stopped? Notices a Ctrl-C that came since the last look. */
static bool ktest_should_stop(void)
{
	if (!ktest_stopped && console_interrupted()) {
		ktest_stopped = true;
		ktest_stop_reason = ktest_reason_ctrl_c;
	}
	return ktest_stopped;
}

struct ktest_totals {
	unsigned int passed, failed, skipped;
};

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

unsigned long ktest_log_mark(void)
{
	static char sink[64];
	unsigned long pos = dmesg_start(1);

	while (dmesg_copy(&pos, sink, sizeof(sink)))
		;
	return pos;
}

/* @needle within the first @n bytes of @buf. */
static bool ktest_buf_has(const char *buf, size_t n, const char *needle, size_t len)
{
	for (size_t i = 0; i + len <= n; i++)
		if (!strncmp(buf + i, needle, len))
			return true;
	return false;
}

bool ktest_log_has(unsigned long mark, const char *needle)
{
	static char buf[2 * KTEST_NEEDLE_MAX];
	size_t len = strlen(needle), keep = 0, n;

	if (!len || len >= KTEST_NEEDLE_MAX)
		return false;
	while ((n = dmesg_copy(&mark, buf + keep, sizeof(buf) - keep))) {
		n += keep;
		if (ktest_buf_has(buf, n, needle, len))
			return true;
		keep = min(n, len - 1); /* a match may straddle two copies */
		memmove(buf, buf + n - keep, keep);
	}
	return false;
}

void ktest_need_pages(struct ktest *t, unsigned long pages)
{
	unsigned long have = nr_free_pages();

	if (have >= pages)
		return;
	snprintf(t->skip_buf, sizeof(t->skip_buf), "needs %lu free pages, %lu free", pages, have);
	t->skipped = true;
	t->skip_reason = t->skip_buf;
	ktest_abort(t);
}

/* ---- deferred cleanup actions ---- */

void ktest_defer(struct ktest *t, void (*fn)(void *arg), void *arg)
{
	if (t->nr_actions < KTEST_MAX_ACTIONS) {
		t->actions[t->nr_actions++] = (struct ktest_action){ fn, arg };
		return;
	}
	fn(arg); /* nothing may stay behind */
	ktest_fail(
		t, __FILE__, __LINE__,
		"ktest_defer: all %d cleanup actions in use; ran %ps(%p) at once, ending the test",
		KTEST_MAX_ACTIONS, fn, arg);
	ktest_abort(t);
}

/* Take the latest action @fn(@arg) out of @t's table; false if there is none. */
static bool ktest_action_take(struct ktest *t, void (*fn)(void *arg), void *arg)
{
	for (unsigned int i = t->nr_actions; i-- > 0;) {
		if (t->actions[i].fn != fn || t->actions[i].arg != arg)
			continue;
		memmove(&t->actions[i], &t->actions[i + 1],
			(t->nr_actions - i - 1) * sizeof(t->actions[0]));
		t->nr_actions--;
		return true;
	}
	return false;
}

bool ktest_defer_cancel(struct ktest *t, void (*fn)(void *arg), void *arg)
{
	return ktest_action_take(t, fn, arg);
}

bool ktest_release(struct ktest *t, void (*fn)(void *arg), void *arg)
{
	if (!ktest_action_take(t, fn, arg))
		return false;
	fn(arg);
	return true;
}

/*
 * Run @t's actions, last first. Each leaves the table before it runs: if
 * it faults, the runner comes back here (through abort_jmp) for the rest.
 * Not with spinlocks held (a fault inside a critical section): what they
 * guard cannot be trusted, and the run ends.
 */
static void ktest_run_actions(struct ktest *t)
{
	if (spin_locks_held() && t->nr_actions) {
		printk("    # %s: %u cleanup action(s) not run: spinlocks are held\n", t->name,
		       t->nr_actions);
		t->nr_actions = 0;
	}
	while (t->nr_actions) {
		struct ktest_action a = t->actions[--t->nr_actions];

		a.fn(a.arg);
	}
}

void ktest_action_vfree(void *addr)
{
	vfree(addr);
}

void ktest_action_kfree(void *p)
{
	kfree(p);
}

void ktest_action_free_pages(void *page)
{
	struct page *p = page;

	__free_pages(p, p->order);
}

void *ktest_vmalloc(struct ktest *t, unsigned long size)
{
	/* the test is the area's caller in vmallocinfo and fault reports */
	void *p =
		__vmalloc_node(size, 1, GFP_KERNEL, -1 /* any node */, __builtin_return_address(0));

	if (p)
		ktest_defer(t, ktest_action_vfree, p);
	return p;
}

void *ktest_kmalloc(struct ktest *t, size_t size, gfp_t gfp)
{
	void *p = kmalloc(size, gfp);

	if (p)
		ktest_defer(t, ktest_action_kfree, p);
	return p;
}

struct page *ktest_alloc_pages(struct ktest *t, gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	if (page)
		ktest_defer(t, ktest_action_free_pages, page);
	return page;
}

/* Release the action @fn(@ptr) that @what's wrapper deferred; fail @t if there is none. */
static void ktest_release_or_fail(struct ktest *t, void (*fn)(void *arg), const void *ptr,
				  const char *what, const void *caller)
{
	if (!ktest_release(t, fn, (void *)ptr))
		ktest_fail(t, __FILE__, __LINE__, "%s: %p has no deferred free (caller %pS)", what,
			   ptr, caller);
}

void ktest_vfree(struct ktest *t, const void *addr)
{
	ktest_release_or_fail(t, ktest_action_vfree, addr, "ktest_vfree",
			      __builtin_return_address(0));
}

void ktest_kfree(struct ktest *t, const void *p)
{
	ktest_release_or_fail(t, ktest_action_kfree, p, "ktest_kfree", __builtin_return_address(0));
}

void ktest_free_pages(struct ktest *t, struct page *page)
{
	ktest_release_or_fail(t, ktest_action_free_pages, page, "ktest_free_pages",
			      __builtin_return_address(0));
}

/*
 * trap_hooks.fault: claim the fault a test asked for. The trap returns into
 * ktest_longjmp(&t->fault_jmp, 1), which puts the stack and RFLAGS back as
 * they were at KTEST_EXPECT_FAULT(). Not when the statement took a lock it
 * still holds: jumping back would leave it taken forever, so the fault is an
 * oops, and the oops hook ends the run.
 */
static bool ktest_fault_hook(struct pt_regs *regs, unsigned long addr)
{
	struct ktest *t = current_test;

	if (!t || !t->expect_fault)
		return false;
	if (spin_locks_held() > t->fault_locks) {
		printk("    # %s: the expected fault came with %u more spinlock(s) held\n", t->name,
		       spin_locks_held() - t->fault_locks);
		return false;
	}
	t->expect_fault = false;
	t->fault_vector = regs->vector;
	t->fault_addr = addr;
	regs->rip = (unsigned long)ktest_longjmp;
	regs->rdi = (unsigned long)&t->fault_jmp;
	regs->rsi = 1;
	return true;
}

/* trap_hooks.oops: the running test fails; the run goes on (or stops, locks held). */
static void ktest_oops_hook(struct pt_regs *regs)
{
	struct ktest *t = current_test;

	if (!t)
		return;
	t->failed = true;
	printk("    # %s: unexpected fault, test ended\n", t->name);
	if (spin_locks_held()) {
		/* The faulting code held locks that nothing will release. */
		printk("    # %s: the fault came with %u spinlock(s) held: ending the run\n",
		       t->name, spin_locks_held());
		ktest_stopped = true;
		ktest_stop_reason = "a fault with locks held";
	}
	ktest_abort(t);
}

static const struct trap_hooks ktest_trap_hooks = {
	.fault = ktest_fault_hook,
	.oops = ktest_oops_hook,
};

static bool suite_hidden(const char *suite)
{
	return suite[0] == '_';
}

/* Does the pattern @pat (one item of the selection) select case @c? */
static bool ktest_pattern_selects(const char *pat, const struct ktest_case *c)
{
	char full[KTEST_NAME_MAX];

	if (!strcmp(pat, "all"))
		return !suite_hidden(c->suite);
	if (suite_hidden(c->suite) && pat[0] != '_')
		return false;
	snprintf(full, sizeof(full), "%s.%s", c->suite, c->name);
	return glob_match(pat, c->suite) || glob_match(pat, full);
}

/* Is @c selected by one of the comma-separated patterns of @spec? Empty items select nothing. */
static bool ktest_selected(const char *spec, const struct ktest_case *c)
{
	char pat[KTEST_NAME_MAX];

	for (const char *p = spec;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len && len < sizeof(pat)) {
			memcpy(pat, p, len);
			pat[len] = '\0';
			if (ktest_pattern_selects(pat, c))
				return true;
		}
		if (!end)
			return false;
		p = end + 1;
	}
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

/* The next case of @suite after @prev that @spec selects, or NULL. */
static const struct ktest_case *suite_next_selected(const char *spec, const char *suite,
						    const struct ktest_case *prev)
{
	const struct ktest_case *c = prev;

	while ((c = suite_next(suite, c)) && !ktest_selected(spec, c))
		;
	return c;
}

static unsigned int suite_count_selected(const char *spec, const char *suite)
{
	unsigned int n = 0;

	for (const struct ktest_case *c = suite_next_selected(spec, suite, NULL); c;
	     c = suite_next_selected(spec, suite, c))
		n++;
	return n;
}

static void ktest_run_one(const struct ktest_case *c, unsigned int nr, struct ktest_totals *tot)
{
	struct ktest t;

	memset(&t, 0, sizeof(t));
	t.suite = c->suite;
	t.name = c->name;
	current_test = &t;
	if (ktest_setjmp(&t.abort_jmp) == 0)
		c->fn(&t);
	ktest_run_actions(&t); /* also after a longjmp: the rest of them */
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

/* Milliseconds since @t0 on the TSC (0 when it is not calibrated). */
static unsigned long ktest_ms_since(u64 t0)
{
	return tsc_cycles_to_ns(rdtsc_ordered() - t0) / 1000000;
}

/*
 * Run the selected cases of one suite as a KTAP subtest; once the run has
 * stopped, the cases left are reported skipped. Ends with one diagnostic of
 * the suite's counts and time, which the host's condensed view reads.
 */
static void ktest_run_suite(const char *spec, const char *suite, unsigned int nr,
			    struct ktest_totals *tot)
{
	struct ktest_totals before = *tot;
	unsigned int i = 0;
	const struct ktest_case *c;
	unsigned long ms;
	u64 t0 = rdtsc_ordered();

	printk("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", suite,
	       suite_count_selected(spec, suite));
	for (c = suite_next_selected(spec, suite, NULL); c;
	     c = suite_next_selected(spec, suite, c)) {
		if (ktest_should_stop()) {
			tot->skipped++;
			printk("    ok %u %s # SKIP run ended early\n", ++i, c->name);
			continue;
		}
		ktest_run_one(c, ++i, tot);
	}
	ms = ktest_ms_since(t0);
	printk("    # %s: %u passed, %u failed, %u skipped in %lu.%03lu s\n", suite,
	       tot->passed - before.passed, tot->failed - before.failed,
	       tot->skipped - before.skipped, ms / 1000, ms % 1000);
	printk("%s %u %s\n", tot->failed == before.failed ? "ok" : "not ok", nr, suite);
}

/* A suite that the run never reached: one skipped test at the top level. */
static void ktest_skip_suite(const char *spec, const char *suite, unsigned int nr,
			     struct ktest_totals *tot)
{
	tot->skipped += suite_count_selected(spec, suite);
	printk("ok %u %s # SKIP run ended early\n", nr, suite);
}

/* Print the suite names, comma-separated; @hidden picks the '_' ones. */
static void ktest_print_suites(bool hidden)
{
	const char *sep = "";

	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++) {
		if (suite_first(c) && suite_hidden(c->suite) == hidden) {
			printk(KERN_CONT "%s%s", sep, c->suite);
			sep = ", ";
		}
	}
}

/* ktest=list: every case as suite.case, in run order; named-only suites marked. */
static void ktest_list(void)
{
	unsigned int n = 0;

	printk("# ktest: the cases, as suite.case; \"(only when named)\" suites are not in 'all'\n");
	for (const struct ktest_case *s = __ktest_start; s < __ktest_end; s++) {
		if (!suite_first(s))
			continue;
		for (const struct ktest_case *c = suite_next(s->suite, NULL); c;
		     c = suite_next(s->suite, c), n++)
			printk("%s.%s%s\n", c->suite, c->name,
			       suite_hidden(c->suite) ? " (only when named)" : "");
	}
	printk("# ktest: %u cases\n", n);
}

static void ktest_report_no_match(const char *spec)
{
	printk("# ktest: no test matches '%s'\n", spec);
	printk("# ktest: suites: ");
	ktest_print_suites(false);
	printk(KERN_CONT "\n# ktest: suites run only when named: ");
	ktest_print_suites(true);
	printk(KERN_CONT "\n# ktest: ktest=list shows every case\n");
}

static unsigned int ktest_count_suites(const char *spec)
{
	unsigned int n = 0;

	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++)
		if (suite_first(c) && suite_count_selected(spec, c->suite))
			n++;
	return n;
}

int ktest_run(const char *spec)
{
	struct ktest_totals tot = { 0, 0, 0 };
	unsigned int nr_suites, nr = 0;

	if (!strcmp(spec, "list")) {
		ktest_list();
		return 0;
	}
	/* A Ctrl-C ended the last run, not a broken kernel: this one may run. */
	if (ktest_stop_reason == ktest_reason_ctrl_c)
		ktest_stopped = false;
	nr_suites = ktest_count_suites(spec);
	if (nr_suites)
		tsc_calibrate(); /* for the suite times; idempotent */
	printk("KTAP version 1\n1..%u\n", nr_suites);
	if (!nr_suites) {
		ktest_report_no_match(spec);
		printk("# ktest: 0 passed, 0 failed, 0 skipped\n");
		return 1;
	}
	trap_hooks_set(&ktest_trap_hooks);
	for (const struct ktest_case *c = __ktest_start; c < __ktest_end; c++) {
		if (!suite_first(c) || !suite_count_selected(spec, c->suite))
			continue;
		if (ktest_should_stop())
			ktest_skip_suite(spec, c->suite, ++nr, &tot);
		else
			ktest_run_suite(spec, c->suite, ++nr, &tot);
	}
	trap_hooks_set(NULL);
	if (ktest_stopped)
		printk("# ktest: run ended early after %s\n", ktest_stop_reason);
	if (READ_ONCE(lockdep_enabled) || lockdep_findings())
		lockdep_print_summary(); /* make test wants "lockdep: 0 findings" */
	if (READ_ONCE(lock_stat_enabled))
		lock_stat_print(); /* booted with lock_stat: where the run contended */
	printk("# ktest: %u passed, %u failed, %u skipped\n", tot.passed, tot.failed, tot.skipped);
	return (int)tot.failed;
}
