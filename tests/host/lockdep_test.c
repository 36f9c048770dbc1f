/*
 * Host tests for kernel/lockdep.c, driven through the real spin_lock()
 * (include/kernel/spinlock.h, one CPU: shim/kernel/percpu.h): lock classes
 * (a static lock is its own, one spin_lock_init() site shares one), the
 * dependency graph and its cycle search (direct, transitive, long chains),
 * one report per pair, trylock, releases out of order, forgetting a class,
 * and the limits (classes, findings, locks held at once) that turn the
 * checker off or stop tracking with a message instead of overrunning.
 *
 * Every test starts from an empty checker (reset()), with its own locks
 * re-initialised so no cached class survives from another test.
 */
#define HOST_SHIM_REAL_LOCKDEP
#include "host_shim.h"

#include "kernel/spinlock.h"

/* Fake stacks: the frame walker is the kernel's (traps.c); two made-up frames. */
unsigned int stack_trace_save(unsigned long *store, unsigned int size, unsigned int skip)
{
	(void)skip;
	if (size < 2)
		return 0;
	store[0] = 0x1000;
	store[1] = 0x2000;
	return 2;
}

#include "../../kernel/lockdep.c"

static struct spinlock la, lb, lc, ld;
static struct spinlock many[LOCKDEP_MAX_CLASSES + 2];

static void reset(void)
{
	nr_lock_classes = 0;
	nr_lock_deps = 0;
	nr_findings = 0;
	lockdep_off_reason = NULL;
	memset(deps_after, 0, sizeof(deps_after));
	memset(&lockdep_cpu, 0, sizeof(lockdep_cpu));
	la = (struct spinlock)SPINLOCK_INIT(la);
	lb = (struct spinlock)SPINLOCK_INIT(lb);
	lc = (struct spinlock)SPINLOCK_INIT(lc);
	ld = (struct spinlock)SPINLOCK_INIT(ld);
	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct spinlock)SPINLOCK_INIT(many);
	lockdep_enabled = true;
	shim_log_clear();
}

static void pair(struct spinlock *first, struct spinlock *second)
{
	spin_lock(first);
	spin_lock(second);
	spin_unlock(second);
	spin_unlock(first);
}

static void test_static_lock_is_its_own_class(void **state)
{
	(void)state;
	reset();
	pair(&la, &lb);
	assert_int_equal(nr_lock_classes, 2);
	assert_int_equal(la.class_id, 1);
	assert_int_equal(lb.class_id, 2);
	assert_string_equal(lock_classes[0].name, "la");
	pair(&la, &lb);
	assert_int_equal(nr_lock_classes, 2);
	assert_int_equal(nr_lock_deps, 1);
	assert_true(lockdep_dependency(&la, &lb));
	assert_false(lockdep_dependency(&lb, &la));
	assert_int_equal(lockdep_findings(), 0);
	assert_int_equal(lockdep_cpu.depth, 0);
	assert_int_equal(spinlock_depth, 0);
}

/* Two spin_lock_init() sites: the locks of one site share its class. */
static void init_site_one(struct spinlock *l)
{
	spin_lock_init(l, "one");
}

static void init_site_two(struct spinlock *l)
{
	spin_lock_init(l, "two");
}

static void test_init_site_shares_a_class(void **state)
{
	(void)state;
	reset();
	init_site_one(&la);
	init_site_one(&lb);
	init_site_two(&lc);
	spin_lock(&la);
	spin_unlock(&la);
	spin_lock(&lb);
	spin_unlock(&lb);
	spin_lock(&lc);
	spin_unlock(&lc);
	assert_int_equal(nr_lock_classes, 2);
	assert_int_equal(la.class_id, lb.class_id);
	assert_int_not_equal(la.class_id, lc.class_id);
	assert_non_null(strstr(lock_classes[0].name, "lockdep_test.c:l"));
	/* nesting two of the class is the recursive finding, reported once */
	pair(&la, &lb);
	assert_int_equal(lockdep_findings(), 1);
	assert_true(shim_log_has("WARNING: possible recursive locking detected"));
	shim_log_clear();
	pair(&lb, &la);
	assert_int_equal(lockdep_findings(), 1);
	assert_false(shim_log_has("WARNING"));
}

static void test_inversion_reported_once_not_recorded(void **state)
{
	(void)state;
	reset();
	pair(&la, &lb);
	pair(&lb, &la);
	assert_int_equal(lockdep_findings(), 1);
	assert_true(shim_log_has("WARNING: possible circular locking dependency detected"));
	assert_true(shim_log_has("CPU 0 is trying to acquire lock:\n  (la)"));
	assert_true(shim_log_has("but already holds lock:\n  (lb)"));
	assert_true(shim_log_has("-> (lb) taken at"));
	assert_false(lockdep_dependency(&lb, &la));
	assert_int_equal(nr_lock_deps, 1);
	shim_log_clear();
	pair(&lb, &la);
	assert_int_equal(lockdep_findings(), 1);
	assert_false(shim_log_has("WARNING"));
	assert_int_equal(lockdep_cpu.depth, 0);
}

static void test_transitive_cycle_found(void **state)
{
	(void)state;
	reset();
	pair(&la, &lb);
	pair(&lb, &lc);
	pair(&lc, &ld);
	assert_int_equal(lockdep_findings(), 0);
	pair(&ld, &la); /* a -> b -> c -> d, then d -> a */
	assert_int_equal(lockdep_findings(), 1);
	assert_true(shim_log_has("-> (lb) taken at"));
	assert_true(shim_log_has("-> (lc) taken at"));
	assert_true(shim_log_has("-> (ld) taken at"));
	/* a branch off the chain is no cycle */
	pair(&la, &ld);
	assert_int_equal(lockdep_findings(), 1);
	assert_true(lockdep_dependency(&la, &ld));
}

/* A chain through every class: the search walks the whole matrix. */
static void test_chain_through_all_classes(void **state)
{
	unsigned int n = LOCKDEP_MAX_CLASSES, i;

	(void)state;
	reset();
	for (i = 0; i + 1 < n; i++)
		pair(&many[i], &many[i + 1]);
	assert_int_equal(nr_lock_classes, n);
	assert_int_equal(lockdep_findings(), 0);
	pair(&many[n - 1], &many[0]);
	assert_int_equal(lockdep_findings(), 1);
	assert_true(lockdep_enabled);
}

static void test_trylock_adds_no_dependency(void **state)
{
	(void)state;
	reset();
	pair(&la, &lb);
	spin_lock(&lb);
	assert_true(spin_trylock(&la));
	assert_false(spin_trylock(&la)); /* held: refused, nothing pushed */
	spin_lock(&lc);
	assert_int_equal(lockdep_cpu.depth, 3);
	spin_unlock(&lc);
	spin_unlock(&la);
	spin_unlock(&lb);
	assert_int_equal(lockdep_findings(), 0);
	assert_false(lockdep_dependency(&lb, &la));
	assert_true(lockdep_dependency(&la, &lc));
	assert_true(lockdep_dependency(&lb, &lc));
	assert_int_equal(lockdep_cpu.depth, 0);
}

/* a, b taken; a released first; c then depends on b only. */
static void test_release_out_of_order(void **state)
{
	(void)state;
	reset();
	spin_lock(&la);
	spin_lock(&lb);
	spin_unlock(&la);
	spin_lock(&lc);
	spin_unlock(&lc);
	spin_unlock(&lb);
	assert_true(lockdep_dependency(&la, &lb));
	assert_true(lockdep_dependency(&lb, &lc));
	assert_false(lockdep_dependency(&la, &lc));
	assert_int_equal(lockdep_cpu.depth, 0);
	assert_int_equal(spinlock_depth, 0);
}

static void test_forget_drops_deps_and_findings(void **state)
{
	(void)state;
	reset();
	pair(&la, &lb);
	pair(&lc, &lb);
	pair(&lb, &la);
	assert_int_equal(lockdep_findings(), 1);
	lockdep_forget(&la);
	assert_int_equal(lockdep_findings(), 0);
	assert_false(lockdep_dependency(&la, &lb));
	assert_true(lockdep_dependency(&lc, &lb)); /* not about a: kept */
	assert_int_equal(nr_lock_deps, 1);
	pair(&lb, &la); /* now the only order seen: recorded, no finding */
	assert_int_equal(lockdep_findings(), 0);
	assert_true(lockdep_dependency(&lb, &la));
}

static void test_too_many_classes_turns_off(void **state)
{
	(void)state;
	reset();
	for (unsigned int i = 0; i < ARRAY_SIZE(many); i++) {
		spin_lock(&many[i]);
		spin_unlock(&many[i]);
	}
	assert_false(lockdep_enabled);
	assert_int_equal(nr_lock_classes, LOCKDEP_MAX_CLASSES);
	shim_log_clear();
	lockdep_print_summary();
	assert_true(shim_log_has("lockdep: turned off: more than LOCKDEP_MAX_CLASSES"));
	assert_int_equal(spinlock_depth, 0);
}

static void test_too_many_findings_turns_off(void **state)
{
	unsigned int i;

	(void)state;
	reset();
	for (i = 0; i + 1 < 2 * (LOCKDEP_MAX_FINDINGS + 1); i += 2) {
		pair(&many[i], &many[i + 1]);
		pair(&many[i + 1], &many[i]);
	}
	assert_int_equal(lockdep_findings(), LOCKDEP_MAX_FINDINGS);
	assert_false(lockdep_enabled);
}

static void test_too_many_held_stops_tracking(void **state)
{
	unsigned int i, n = LOCKDEP_MAX_HELD + 2;

	(void)state;
	reset();
	for (i = 0; i < n; i++)
		spin_lock(&many[i]);
	assert_int_equal(lockdep_cpu.depth, LOCKDEP_MAX_HELD);
	assert_true(shim_log_has("holds more than 16 locks"));
	for (i = n; i-- > 0;)
		spin_unlock(&many[i]);
	assert_int_equal(lockdep_cpu.depth, 0);
	assert_int_equal(spinlock_depth, 0);
	assert_true(lockdep_enabled);
}

static void test_summary_and_dump(void **state)
{
	(void)state;
	reset();
	pair(&la, &lb);
	lockdep_print_summary();
	assert_true(shim_log_has("lockdep: 0 findings (2 classes, 1 dependencies)"));
	lockdep_dump();
	assert_true(shim_log_has("class  0 la"));
	assert_true(shim_log_has("dep la"));
	pair(&lb, &la);
	shim_log_clear();
	lockdep_dump();
	assert_true(shim_log_has("finding 1: circular: lb held, then la"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_lock_is_its_own_class),
		cmocka_unit_test(test_init_site_shares_a_class),
		cmocka_unit_test(test_inversion_reported_once_not_recorded),
		cmocka_unit_test(test_transitive_cycle_found),
		cmocka_unit_test(test_chain_through_all_classes),
		cmocka_unit_test(test_trylock_adds_no_dependency),
		cmocka_unit_test(test_release_out_of_order),
		cmocka_unit_test(test_forget_drops_deps_and_findings),
		cmocka_unit_test(test_too_many_classes_turns_off),
		cmocka_unit_test(test_too_many_findings_turns_off),
		cmocka_unit_test(test_too_many_held_stops_tracking),
		cmocka_unit_test(test_summary_and_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
