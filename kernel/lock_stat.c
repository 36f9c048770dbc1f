/*
 * Lock statistics (include/kernel/spinlock.h): where the spinlocks contend
 * and for how long they are held, per lock class, printed in the columns of
 * Linux's /proc/lock_stat (Documentation/locking/lockstat.rst).
 *
 * A class is what lockdep calls one: a statically defined lock (its own
 * address is the key) or one spin_lock_init() site (its lock_class_key).
 * The first lock of a class that is counted claims a slot of lstat_keys[]
 * with a compare-and-swap (no lock: this runs inside spin_lock()), and
 * every lock caches its slot in stat_class. Classes beyond LOCK_STAT_MAX
 * are not tracked; lstat_untracked says how many events that lost.
 *
 * The counters are per CPU and per class (lstat_cpu[cpu][class]): a CPU
 * writes only its own row, with atomic read-modify-writes, because an
 * interrupt on the same CPU may count (a spin_trylock() of a noirq lock,
 * or another lock of the same spin_lock_init() class) between a load and
 * a store. Readers add the rows up; a reset zeroes them.
 *
 * What is counted when:
 *  - contentions, con-bounces, wait times: always, in spin_lock_contended()
 *    (a lock that is never contended never gets here). A contended lock is
 *    held by another CPU, so every contention is also a con-bounce.
 *  - acquisitions, acq-bounces (taken on another CPU than last time), hold
 *    times: only while lock_stat is on (the `lock_stat` command line, or
 *    lock_stat_enable()), because they need every spin_lock() and
 *    spin_unlock() out of line. A hold is timed from the acquisition's TSC
 *    in the lock (stat_since) to its release; a lock taken before
 *    lock_stat was last switched on has an older stat_since and is not
 *    timed (it would count a hold it did not see start).
 */
#include "kernel/spinlock.h"

#include "asm/processor.h"
#include "asm/tsc.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

#define LOCK_STAT_MAX 64 /* classes tracked, as many as lockdep has */

struct lstat_counters {
	u64 contentions;
	u64 wait_min, wait_max, wait_total; /* cycles; wait_min 0 = none yet */
	u64 acq_bounces, acquisitions;
	u64 hold_min, hold_max, hold_total; /* cycles; hold_min 0 = none yet */
};

bool lock_stat_enabled;
static u64 lstat_on_since;		       /* TSC of the last lock_stat_enable() */
static const void *lstat_keys[LOCK_STAT_MAX];  /* class identity; NULL = free slot */
static const char *lstat_names[LOCK_STAT_MAX]; /* written after the key */
static struct lstat_counters lstat_cpu[NR_CPUS][LOCK_STAT_MAX];
static u64 lstat_untracked; /* events of classes that found no slot */

void lock_stat_enable(void)
{
	WRITE_ONCE(lstat_on_since, rdtsc());
	smp_store_release(&lock_stat_enabled, true);
}

void lock_stat_disable(void)
{
	WRITE_ONCE(lock_stat_enabled, false);
}

static const void *lstat_key(const struct spinlock *lock)
{
	return lock->key ? (const void *)lock->key : (const void *)lock;
}

static const char *lstat_name(const struct spinlock *lock)
{
	return lock->key ? lock->key->name : lock->name;
}

/* The slot of @key, or -1 when it has none (and @claim is false, or the table is full). */
static int lstat_find(const void *key, const char *name, bool claim)
{
	for (int i = 0; i < LOCK_STAT_MAX; i++) {
		const void *k = READ_ONCE(lstat_keys[i]);

		if (!k && claim) {
			k = cmpxchg(&lstat_keys[i], NULL, key);
			if (!k) {
				WRITE_ONCE(lstat_names[i], name);
				return i;
			}
		}
		if (k == key)
			return i;
		if (!k)
			return -1;
	}
	return -1;
}

/* @lock's counters on this CPU, its class claimed now if new; NULL when the table is full. */
static struct lstat_counters *lstat_this_cpu(struct spinlock *lock)
{
	unsigned int id = READ_ONCE(lock->stat_class);
	int slot;

	if (!id) {
		slot = lstat_find(lstat_key(lock), lstat_name(lock), true);
		if (slot < 0) {
			__atomic_fetch_add(&lstat_untracked, 1, __ATOMIC_RELAXED);
			return NULL;
		}
		id = (unsigned int)slot + 1;
		WRITE_ONCE(lock->stat_class, (u8)id);
	}
	return &lstat_cpu[smp_processor_id()][id - 1];
}

static void lstat_add(u64 *counter, u64 v)
{
	__atomic_fetch_add(counter, v, __ATOMIC_RELAXED);
}

/* Lower *@min to @v (0 = unset), raise *@max to it: a CPU's own row, interrupts may race. */
static void lstat_min_max(u64 *min, u64 *max, u64 v)
{
	u64 old = READ_ONCE(*min);

	if (!v)
		v = 1; /* the minimum is "non-0", as Linux's */
	while ((!old || v < old) &&
	       !__atomic_compare_exchange_n(min, &old, v, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
	old = READ_ONCE(*max);
	while (v > old && !__atomic_compare_exchange_n(max, &old, v, false, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

void lock_stat_contended(struct spinlock *lock, u64 cycles)
{
	struct lstat_counters *c = lstat_this_cpu(lock);

	if (!c)
		return;
	lstat_add(&c->contentions, 1);
	lstat_add(&c->wait_total, cycles);
	lstat_min_max(&c->wait_min, &c->wait_max, cycles);
}

void lock_stat_acquired(struct spinlock *lock, unsigned int cpu)
{
	struct lstat_counters *c = lstat_this_cpu(lock);

	lock->stat_since = rdtsc(); /* the holder's own field until it releases */
	if (!c)
		return;
	lstat_add(&c->acquisitions, 1);
	if (lock->stat_last_cpu != cpu + 1) {
		if (lock->stat_last_cpu)
			lstat_add(&c->acq_bounces, 1);
		lock->stat_last_cpu = (u8)(cpu + 1);
	}
}

void lock_stat_released(struct spinlock *lock)
{
	u64 since = lock->stat_since, now = rdtsc();
	struct lstat_counters *c;

	lock->stat_since = 0;
	if (!since || since < READ_ONCE(lstat_on_since) || now < since)
		return; /* taken before lock_stat was switched on: not seen start */
	c = lstat_this_cpu(lock);
	if (!c)
		return;
	lstat_add(&c->hold_total, now - since);
	lstat_min_max(&c->hold_min, &c->hold_max, now - since);
}

static void lstat_fold(struct lock_stat_totals *t, const struct lstat_counters *c)
{
	u64 wmin = READ_ONCE(c->wait_min), hmin = READ_ONCE(c->hold_min);

	t->contentions += READ_ONCE(c->contentions);
	t->wait_total += READ_ONCE(c->wait_total);
	t->wait_max = max(t->wait_max, READ_ONCE(c->wait_max));
	if (wmin && (!t->wait_min || wmin < t->wait_min))
		t->wait_min = wmin;
	t->acquisitions += READ_ONCE(c->acquisitions);
	t->acq_bounces += READ_ONCE(c->acq_bounces);
	t->hold_total += READ_ONCE(c->hold_total);
	t->hold_max = max(t->hold_max, READ_ONCE(c->hold_max));
	if (hmin && (!t->hold_min || hmin < t->hold_min))
		t->hold_min = hmin;
}

static void lstat_totals(int slot, struct lock_stat_totals *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		lstat_fold(out, &lstat_cpu[cpu][slot]);
	out->con_bounces = out->contentions; /* the holder is always another CPU */
}

bool lock_stat_read(const struct spinlock *lock, struct lock_stat_totals *out)
{
	int slot = lstat_find(lstat_key(lock), NULL, false);

	if (slot < 0) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	lstat_totals(slot, out);
	return true;
}

void lock_stat_reset(void)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		for (unsigned int i = 0; i < LOCK_STAT_MAX; i++)
			memset(&lstat_cpu[cpu][i], 0, sizeof(lstat_cpu[cpu][i]));
	WRITE_ONCE(lstat_untracked, 0);
}

/* @cycles as Linux prints a time: microseconds with two decimals, from ns. */
static void lstat_us(char *buf, size_t len, u64 cycles)
{
	u64 ns = tsc_cycles_to_ns(cycles);

	snprintf(buf, len, "%lu.%02lu", (unsigned long)(ns / 1000),
		 (unsigned long)(ns % 1000 / 10));
}

static void lstat_print_one(int slot, const struct lock_stat_totals *t)
{
	char w[4][24], h[4][24];
	const char *name = READ_ONCE(lstat_names[slot]);

	lstat_us(w[0], sizeof(w[0]), t->wait_min);
	lstat_us(w[1], sizeof(w[1]), t->wait_max);
	lstat_us(w[2], sizeof(w[2]), t->wait_total);
	lstat_us(w[3], sizeof(w[3]), t->contentions ? t->wait_total / t->contentions : 0);
	lstat_us(h[0], sizeof(h[0]), t->hold_min);
	lstat_us(h[1], sizeof(h[1]), t->hold_max);
	lstat_us(h[2], sizeof(h[2]), t->hold_total);
	lstat_us(h[3], sizeof(h[3]), t->acquisitions ? t->hold_total / t->acquisitions : 0);
	pr_info("%40s: %14lu %14lu %14s %14s %14s %14s %14lu %14lu %14s %14s %14s %14s\n",
		name ? name : "?", (unsigned long)t->con_bounces, (unsigned long)t->contentions,
		w[0], w[1], w[2], w[3], (unsigned long)t->acq_bounces,
		(unsigned long)t->acquisitions, h[0], h[1], h[2], h[3]);
}

/* Printed before: more contentions, or as many and more acquisitions. */
static bool lstat_before(const struct lock_stat_totals *a, const struct lock_stat_totals *b)
{
	if (a->contentions != b->contentions)
		return a->contentions > b->contentions;
	return a->acquisitions > b->acquisitions;
}

/* One caller at a time (the console, a test's end): the totals are in a static table. */
void lock_stat_print(void)
{
	static const char dashes[] = "--------------------------------------------------------";
	static struct lock_stat_totals t[LOCK_STAT_MAX]; /* 5 KiB: not on the stack */
	bool done[LOCK_STAT_MAX] = { false };
	int n;

	for (n = 0; n < LOCK_STAT_MAX && READ_ONCE(lstat_keys[n]); n++)
		lstat_totals(n, &t[n]);
	pr_info("lock_stat version 0.4 (contig: times in us; acquisitions and holds %s)\n",
		READ_ONCE(lock_stat_enabled) ? "counted (lock_stat on)"
					     : "not counted (lock_stat off)");
	pr_info("%s%s%s%s\n", dashes, dashes, dashes, dashes);
	pr_info("%41s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s %14s\n", "class name",
		"con-bounces", "contentions", "waittime-min", "waittime-max", "waittime-total",
		"waittime-avg", "acq-bounces", "acquisitions", "holdtime-min", "holdtime-max",
		"holdtime-total", "holdtime-avg");
	pr_info("%s%s%s%s\n", dashes, dashes, dashes, dashes);
	for (int k = 0; k < n; k++) {
		int best = -1;

		for (int i = 0; i < n; i++)
			if (!done[i] && (best < 0 || lstat_before(&t[i], &t[best])))
				best = i;
		done[best] = true;
		if (t[best].contentions || t[best].acquisitions)
			lstat_print_one(best, &t[best]);
	}
	pr_info("lock_stat: %d classes%s", n, n == LOCK_STAT_MAX ? " (table full)" : "");
	pr_cont(", %lu events of untracked classes\n", (unsigned long)READ_ONCE(lstat_untracked));
}
