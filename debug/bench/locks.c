/*
 * The cost of a spinlock (bench=locks): one spin_lock()/spin_unlock() pair
 * on a free lock, alone (the interrupt-disabling kind and the noirq kind)
 * and with two other locks held (the checker then
 * looks at two dependencies), each with the lock-order checker off and on,
 * whatever the command line said (the switch is flipped here, with no lock
 * held). Beside them the bare ticket lock (arch_spin_lock/unlock, no
 * interrupts, no checks).
 */
#include "debug/bench/internal.h"

#include "kernel/lockdep.h"
#include "kernel/spinlock.h"
#include "lib/sort.h"

#define LOCKS_LOOPS 20000
#define LOCKS_REPS  7

static DEFINE_SPINLOCK(bench_lock_outer);
static DEFINE_SPINLOCK(bench_lock_middle);
static DEFINE_SPINLOCK(bench_lock);
static DEFINE_SPINLOCK_NOIRQ(bench_lock_noirq);
static struct arch_spinlock bench_raw = ARCH_SPINLOCK_INIT;

enum locks_kind {
	LOCKS_RAW,
	LOCKS_ALONE,
	LOCKS_NOIRQ,
	LOCKS_NESTED
};

static void locks_once(enum locks_kind kind)
{
	if (kind == LOCKS_RAW) {
		arch_spin_lock(&bench_raw);
		arch_spin_unlock(&bench_raw);
		return;
	}
	if (kind == LOCKS_NOIRQ) {
		spin_lock(&bench_lock_noirq);
		spin_unlock(&bench_lock_noirq);
		return;
	}
	spin_lock(&bench_lock);
	spin_unlock(&bench_lock);
}

/* Median cycles per pair over LOCKS_REPS repetitions of LOCKS_LOOPS. */
static u64 locks_measure(enum locks_kind kind)
{
	u64 per_op[LOCKS_REPS];

	if (kind == LOCKS_NESTED) {
		spin_lock(&bench_lock_outer);
		spin_lock(&bench_lock_middle);
	}
	for (unsigned int i = 0; i < 100; i++) /* warm TCG's code cache, learn the classes */
		locks_once(kind);
	for (unsigned int r = 0; r < LOCKS_REPS; r++) {
		u64 t0 = rdtsc_ordered();

		for (unsigned int i = 0; i < LOCKS_LOOPS; i++)
			locks_once(kind);
		per_op[r] = (rdtsc_ordered() - t0) / LOCKS_LOOPS;
	}
	if (kind == LOCKS_NESTED) {
		spin_unlock(&bench_lock_middle);
		spin_unlock(&bench_lock_outer);
	}
	sort_u64(per_op, LOCKS_REPS);
	return per_op[LOCKS_REPS / 2];
}

static void locks_report(const char *name, bool checker, u64 cyc)
{
	bench_out("locks: %-15s lockdep %-3s %6lu ns/pair\n", name, checker ? "on" : "off",
		  ns_of(cyc));
	bench_out("{\"bench\":\"locks\",\"name\":\"%s\",\"lockdep\":%s,\"ns\":%lu,\"cyc\":%lu}\n",
		  name, checker ? "true" : "false", ns_of(cyc), cyc);
}

int locks_run(void)
{
	bool was = READ_ONCE(lockdep_enabled);

	locks_report("arch_spin_lock", false, locks_measure(LOCKS_RAW));
	for (int on = 0; on < 2; on++) {
		WRITE_ONCE(lockdep_enabled, on); /* no lock held here */
		locks_report("spin_lock", on, locks_measure(LOCKS_ALONE));
		locks_report("spin_lock_noirq", on, locks_measure(LOCKS_NOIRQ));
		locks_report("nested_2", on, locks_measure(LOCKS_NESTED));
	}
	WRITE_ONCE(lockdep_enabled, was);
	return 0;
}
