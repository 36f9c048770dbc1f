/*
 * Lockdep-lite (include/kernel/lockdep.h): lock classes, each CPU's stack
 * of held locks, and the graph of the orders seen between classes.
 *
 * The graph is a small adjacency matrix, one 64-bit row per class (bit b
 * of deps_after[a]: a lock of class b was taken while one of class a was
 * held), beside a list of the dependencies with where each was first seen.
 * A new dependency a -> b closes a cycle when b already reaches a: a
 * breadth-first search over the rows finds that path. The inverted
 * dependency is then reported, counted as a finding and not recorded, so
 * the graph stays acyclic and each pair is reported once.
 *
 * Every spin_lock() comes here with interrupts off. The fast path, taken
 * when the lock's class is known and every dependency it adds is already
 * recorded, reads the matrix without a lock (rows only gain bits, except
 * in lockdep_forget(), a test's cleanup). The slow path takes lockdep_lock,
 * a bare arch_spinlock this file does not track. A per-CPU busy flag stops
 * the checker from entering itself (a lock taken by an NMI or a fault that
 * hit the checker, or by printk while it reports): such an acquisition
 * goes unchecked. Reports are built under lockdep_lock and printed after
 * it is dropped.
 *
 * A held entry stands for @refs locks of its class: one, or more when
 * further locks of the class were taken under a nest lock
 * (lock_acquire_nest()). Its @lock is the one it was pushed for, NULL once
 * that one is released while others remain; a release not found by
 * pointer takes a reference of its class's entry that stands for others.
 *
 * The lock's kind matters once: a noirq lock (include/kernel/spinlock.h)
 * taken by spin_lock() in interrupt context is a finding of its own
 * ("noirq lock in interrupt"), reported once per class.
 *
 * Locks: [L] lockdep_lock (interrupts off); [C] this CPU only, interrupts off.
 */
#include "kernel/lockdep.h"

#include "asm/irqflags.h"
#include "asm/traps.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"

#define LOCKDEP_MAX_FINDINGS 16 /* more turns the checker off */
#define LOCKDEP_REPORT_HOPS  4	/* dependencies of a cycle printed with their stacks */

struct lock_class {
	const void *key; /* the lock itself, or its spin_lock_init() site's key */
	const char *name;
	unsigned long first_ip; /* where a lock of the class was first taken */
	unsigned int first_cpu;
};

/* A lock of class @to was taken while one of class @from was held. */
struct lock_dep {
	unsigned int from, to; /* class indexes */
	unsigned int cpu;
	unsigned long from_ip, to_ip; /* where each was taken, the first time */
	unsigned int nr_trace;
	unsigned long trace[LOCKDEP_TRACE_DEPTH];
};

enum lockdep_kind {
	LOCKDEP_NONE,
	LOCKDEP_CIRCULAR,
	LOCKDEP_RECURSIVE,
	LOCKDEP_NOIRQ_IN_IRQ /* a noirq lock taken by spin_lock() in interrupt context */
};

struct lockdep_finding {
	enum lockdep_kind kind;
	unsigned int held, wanted; /* class indexes */
};

static struct arch_spinlock lockdep_lock = ARCH_SPINLOCK_INIT;
static struct lock_class lock_classes[LOCKDEP_MAX_CLASSES];   /* [L] */
static unsigned int nr_lock_classes;			      /* [L] */
static u64 deps_after[LOCKDEP_MAX_CLASSES];		      /* [L] written, read locklessly */
static struct lock_dep lock_deps[LOCKDEP_MAX_EDGES];	      /* [L] */
static unsigned int nr_lock_deps;			      /* [L] */
static struct lockdep_finding findings[LOCKDEP_MAX_FINDINGS]; /* [L] */
static unsigned int nr_findings;			      /* [L] */
static const char *lockdep_off_reason;			      /* [L] why it turned itself off */

bool lockdep_enabled;

struct held_lock {
	struct spinlock *lock; /* NULL: released, its class's other locks still held */
	unsigned int class;    /* index */
	unsigned int refs;     /* locks of the class it stands for (nested under a nest lock) */
	unsigned long ip;
};

struct lockdep_cpu {
	unsigned int busy; /* inside the checker: do not enter again */
	unsigned int depth;
	bool overflowed; /* more than LOCKDEP_MAX_HELD held once: said so */
	struct held_lock held[LOCKDEP_MAX_HELD];
};

static DEFINE_PER_CPU(struct lockdep_cpu, lockdep_cpu); /* [C] */

/* What lock_acquire() prints once lockdep_lock is dropped. */
struct lockdep_report {
	enum lockdep_kind kind;
	const char *held_name, *wanted_name;
	unsigned long held_ip;
	unsigned int nr_hops; /* the cycle wanted -> ... -> held */
	struct lock_dep hops[LOCKDEP_REPORT_HOPS];
	unsigned int nr_trace; /* the current stack */
	unsigned long trace[LOCKDEP_TRACE_DEPTH];
};

void lockdep_enable(void)
{
	WRITE_ONCE(lockdep_enabled, true);
	pr_info("lockdep: lock-order checking on (up to %u classes, %u dependencies)\n",
		LOCKDEP_MAX_CLASSES, LOCKDEP_MAX_EDGES);
}

static void lockdep_turn_off_locked(const char *why)
{
	if (!lockdep_off_reason)
		lockdep_off_reason = why;
	WRITE_ONCE(lockdep_enabled, false);
}

static const void *lock_key(const struct spinlock *lock)
{
	return lock->key ? (const void *)lock->key : (const void *)lock;
}

static const char *lock_class_name_of(const struct spinlock *lock)
{
	return lock->key ? lock->key->name : lock->name;
}

/* @lock's class id (index + 1), registered now if new; 0 when the table is full. */
static unsigned int lockdep_class_locked(struct spinlock *lock, unsigned long ip)
{
	const void *key = lock_key(lock);
	struct lock_class *c;
	unsigned int i;

	for (i = 0; i < nr_lock_classes; i++)
		if (lock_classes[i].key == key)
			goto found;
	if (nr_lock_classes == LOCKDEP_MAX_CLASSES) {
		lockdep_turn_off_locked("more than LOCKDEP_MAX_CLASSES lock classes");
		return 0;
	}
	c = &lock_classes[nr_lock_classes++];
	c->key = key;
	c->name = lock_class_name_of(lock);
	c->first_ip = ip;
	c->first_cpu = smp_processor_id();
found:
	WRITE_ONCE(lock->class_id, i + 1);
	return i + 1;
}

static bool lockdep_depends(unsigned int from, unsigned int to)
{
	return (READ_ONCE(deps_after[from]) >> to) & 1;
}

/*
 * Is there a path @from -> ... -> @to? Breadth-first over the rows; the
 * path is written backwards into @parent (parent[x]: the class before x).
 */
static bool lockdep_path_locked(unsigned int from, unsigned int to,
				unsigned int parent[LOCKDEP_MAX_CLASSES])
{
	u64 seen = 1ULL << from, queue = 1ULL << from;

	while (queue) {
		unsigned int c = __builtin_ctzll(queue);
		u64 next = deps_after[c] & ~seen;

		queue &= queue - 1;
		while (next) {
			unsigned int n = __builtin_ctzll(next);

			next &= next - 1;
			parent[n] = c;
			if (n == to)
				return true;
			seen |= 1ULL << n;
			queue |= 1ULL << n;
		}
	}
	return false;
}

static const struct lock_dep *lockdep_find_dep_locked(unsigned int from, unsigned int to)
{
	for (unsigned int i = 0; i < nr_lock_deps; i++)
		if (lock_deps[i].from == from && lock_deps[i].to == to)
			return &lock_deps[i];
	return NULL;
}

/* Count a finding; false when the same one was counted before. */
static bool lockdep_new_finding_locked(enum lockdep_kind kind, unsigned int held,
				       unsigned int wanted)
{
	struct lockdep_finding *f;

	for (unsigned int i = 0; i < nr_findings; i++)
		if (findings[i].kind == kind && findings[i].held == held &&
		    findings[i].wanted == wanted)
			return false;
	if (nr_findings == LOCKDEP_MAX_FINDINGS) {
		lockdep_turn_off_locked("more than LOCKDEP_MAX_FINDINGS findings");
		return false;
	}
	f = &findings[nr_findings++];
	f->kind = kind;
	f->held = held;
	f->wanted = wanted;
	return true;
}

/* The cycle @wanted -> ... -> @held, first hops first, into @rep. */
static void lockdep_report_cycle_locked(struct lockdep_report *rep, unsigned int wanted,
					unsigned int held, const unsigned int *parent)
{
	unsigned int path[LOCKDEP_MAX_CLASSES], n = 0, c = held;

	while (c != wanted && n < LOCKDEP_MAX_CLASSES) {
		path[n++] = c;
		c = parent[c];
	}
	path[n] = wanted;
	rep->nr_hops = 0;
	for (unsigned int i = n; i > 0 && rep->nr_hops < LOCKDEP_REPORT_HOPS; i--) {
		const struct lock_dep *d = lockdep_find_dep_locked(path[i], path[i - 1]);

		if (d)
			rep->hops[rep->nr_hops++] = *d;
	}
}

static void lockdep_fill_report_locked(struct lockdep_report *rep, enum lockdep_kind kind,
				       const struct held_lock *h, unsigned int wanted)
{
	rep->kind = kind;
	rep->held_name = lock_classes[h->class].name;
	rep->held_ip = h->ip;
	rep->wanted_name = lock_classes[wanted].name;
	rep->nr_hops = 0;
}

static void lockdep_record_dep_locked(const struct held_lock *h, unsigned int to, unsigned long ip,
				      const unsigned long *trace, unsigned int nr_trace)
{
	struct lock_dep *d;

	if (nr_lock_deps == LOCKDEP_MAX_EDGES) {
		lockdep_turn_off_locked("more than LOCKDEP_MAX_EDGES dependencies");
		return;
	}
	d = &lock_deps[nr_lock_deps++];
	d->from = h->class;
	d->to = to;
	d->cpu = smp_processor_id();
	d->from_ip = h->ip;
	d->to_ip = ip;
	d->nr_trace = nr_trace;
	for (unsigned int i = 0; i < nr_trace; i++)
		d->trace[i] = trace[i];
	WRITE_ONCE(deps_after[h->class], deps_after[h->class] | 1ULL << to);
}

/*
 * Check and record held -> @wanted; the first problem goes into @rep. A
 * lock of a held class is recursive, unless taken under a nest lock (@nest).
 */
static void lockdep_add_dep_locked(const struct held_lock *h, unsigned int wanted, unsigned long ip,
				   bool nest, struct lockdep_report *rep)
{
	unsigned int parent[LOCKDEP_MAX_CLASSES];

	if (h->class == wanted && nest)
		return;
	if (h->class == wanted) {
		if (lockdep_new_finding_locked(LOCKDEP_RECURSIVE, h->class, wanted) && !rep->kind)
			lockdep_fill_report_locked(rep, LOCKDEP_RECURSIVE, h, wanted);
		return;
	}
	if (lockdep_depends(h->class, wanted))
		return;
	if (lockdep_path_locked(wanted, h->class, parent)) {
		if (lockdep_new_finding_locked(LOCKDEP_CIRCULAR, h->class, wanted) && !rep->kind) {
			lockdep_fill_report_locked(rep, LOCKDEP_CIRCULAR, h, wanted);
			lockdep_report_cycle_locked(rep, wanted, h->class, parent);
		}
		return;
	}
	lockdep_record_dep_locked(h, wanted, ip, rep->trace, rep->nr_trace);
}

/*
 * Fast path: @class known, and every dependency on it from the held locks
 * recorded (a held lock of @class is only fine under a nest lock).
 */
static __always_inline bool lockdep_all_known(const struct lockdep_cpu *lc, unsigned int class,
					      bool trylock, bool nest)
{
	if (trylock)
		return true;
	for (unsigned int i = 0; i < lc->depth; i++) {
		if (lc->held[i].class == class) {
			if (nest)
				continue;
			return false;
		}
		if (!lockdep_depends(lc->held[i].class, class))
			return false;
	}
	return true;
}

static void lockdep_push(struct lockdep_cpu *lc, struct spinlock *lock, unsigned int class,
			 unsigned long ip)
{
	if (lc->depth == LOCKDEP_MAX_HELD) {
		if (!lc->overflowed)
			pr_warn("lockdep: CPU %u holds more than %u locks; %s is not tracked\n",
				smp_processor_id(), LOCKDEP_MAX_HELD, lock->name);
		lc->overflowed = true;
		return;
	}
	lc->held[lc->depth++] =
		(struct held_lock){ .lock = lock, .class = class, .refs = 1, .ip = ip };
}

/* Under a nest lock: a reference to the held entry of @class, if there is one. */
static bool lockdep_add_ref(struct lockdep_cpu *lc, unsigned int class)
{
	for (unsigned int i = lc->depth; i-- > 0;) {
		if (lc->held[i].class == class) {
			lc->held[i].refs++;
			return true;
		}
	}
	return false;
}

static void lockdep_print_trace(const unsigned long *trace, unsigned int n)
{
	if (!n)
		printk(KERN_WARNING "       (no stack: its frames are off the known stacks)\n");
	for (unsigned int i = 0; i < n; i++)
		printk(KERN_WARNING "       %pB\n", (void *)trace[i]);
}

static void lockdep_print_hop(const struct lock_dep *d)
{
	printk(KERN_WARNING "-> (%s) taken at %pS while (%s) was held (taken at %pS), CPU %u:\n",
	       lock_classes[d->to].name, (void *)d->to_ip, lock_classes[d->from].name,
	       (void *)d->from_ip, d->cpu);
	lockdep_print_trace(d->trace, d->nr_trace);
}

/* A noirq lock in an interrupt: the holder this interrupt may have stopped deadlocks it. */
static void lockdep_print_noirq_report(const struct lockdep_report *rep, unsigned long ip)
{
	printk(KERN_WARNING "======================================================\n");
	printk(KERN_WARNING "WARNING: noirq lock taken in interrupt context\n");
	printk(KERN_WARNING "------------------------------------------------------\n");
	printk(KERN_WARNING "CPU %u is trying to acquire lock:\n", smp_processor_id());
	printk(KERN_WARNING "  (%s) at %pS\n", rep->wanted_name, (void *)ip);
	printk(KERN_WARNING "its holders keep interrupts on: one interrupted on this CPU "
			    "would never get it back\n");
	printk(KERN_WARNING "current stack:\n");
	lockdep_print_trace(rep->trace, rep->nr_trace);
	printk(KERN_WARNING "lockdep: finding %u; this lock is not reported again\n",
	       lockdep_findings());
}

static void lockdep_print_report(const struct lockdep_report *rep, unsigned long ip)
{
	bool circular = rep->kind == LOCKDEP_CIRCULAR;

	if (rep->kind == LOCKDEP_NOIRQ_IN_IRQ) {
		lockdep_print_noirq_report(rep, ip);
		return;
	}
	printk(KERN_WARNING "======================================================\n");
	printk(KERN_WARNING "WARNING: %s\n",
	       circular ? "possible circular locking dependency detected"
			: "possible recursive locking detected");
	printk(KERN_WARNING "------------------------------------------------------\n");
	printk(KERN_WARNING "CPU %u is trying to acquire lock:\n", smp_processor_id());
	printk(KERN_WARNING "  (%s) at %pS\n", rep->wanted_name, (void *)ip);
	printk(KERN_WARNING "but already holds lock:\n");
	printk(KERN_WARNING "  (%s) at %pS\n", rep->held_name, (void *)rep->held_ip);
	if (circular) {
		printk(KERN_WARNING "which lock already depends on the new lock; the other order "
				    "was first seen:\n");
		for (unsigned int i = 0; i < rep->nr_hops; i++)
			lockdep_print_hop(&rep->hops[i]);
	} else {
		printk(KERN_WARNING "another lock of the same class: two CPUs nesting two of "
				    "them in the other order deadlock\n");
	}
	printk(KERN_WARNING "current stack:\n");
	lockdep_print_trace(rep->trace, rep->nr_trace);
	printk(KERN_WARNING "lockdep: finding %u; this pair is not reported again\n",
	       lockdep_findings());
}

/* The slow path: class lookup, dependencies, maybe a report. */
static unsigned int lockdep_check(struct lockdep_cpu *lc, struct spinlock *lock, unsigned long ip,
				  bool trylock, bool nest, struct lockdep_report *rep)
{
	unsigned int id;

	arch_spin_lock(&lockdep_lock);
	id = lockdep_class_locked(lock, ip);
	if (id && !trylock && lock->noirq && in_interrupt() &&
	    lockdep_new_finding_locked(LOCKDEP_NOIRQ_IN_IRQ, id - 1, id - 1)) {
		rep->kind = LOCKDEP_NOIRQ_IN_IRQ;
		rep->wanted_name = rep->held_name = lock_classes[id - 1].name;
		rep->held_ip = ip;
		rep->nr_hops = 0;
	}
	for (unsigned int i = 0; id && !trylock && i < lc->depth; i++)
		lockdep_add_dep_locked(&lc->held[i], id - 1, ip, nest, rep);
	arch_spin_unlock(&lockdep_lock);
	return id;
}

/*
 * Both ways in, inlined into each with @nest constant (lock_acquire()'s
 * fast path stays as it was). Called by the out-of-line spin_lock() paths:
 * the stack is saved from their caller on.
 */
static __always_inline void lockdep_acquire(struct spinlock *lock, unsigned long ip, bool trylock,
					    bool nest)
{
	struct lockdep_cpu *lc = this_cpu_ptr(&lockdep_cpu);
	struct lockdep_report rep;
	unsigned int id;

	if (lc->busy || !READ_ONCE(lockdep_enabled))
		return;
	lc->busy = 1;
	rep.kind = LOCKDEP_NONE;
	id = READ_ONCE(lock->class_id);
	if (!id || !lockdep_all_known(lc, id - 1, trylock, nest) ||
	    (lock->noirq && !trylock && in_interrupt())) {
		rep.nr_trace = stack_trace_save(rep.trace, LOCKDEP_TRACE_DEPTH,
						2); /* from spin_lock()'s caller */
		id = lockdep_check(lc, lock, ip, trylock, nest, &rep);
	}
	if (id && !(nest && lockdep_add_ref(lc, id - 1)))
		lockdep_push(lc, lock, id - 1, ip);
	lc->busy = 0;
	if (rep.kind)
		lockdep_print_report(&rep, ip);
}

void lock_acquire(struct spinlock *lock, unsigned long ip, bool trylock)
{
	lockdep_acquire(lock, ip, trylock, false);
}

void lock_acquire_nest(struct spinlock *lock, unsigned long ip)
{
	lockdep_acquire(lock, ip, false, true);
}

/*
 * The entry @lock was pushed for, else one of its class standing for more
 * locks than its own (a nested one); -1 when it was taken unchecked
 * (checker busy, stack full, or turned off).
 */
static int lockdep_find_held(const struct lockdep_cpu *lc, const struct spinlock *lock)
{
	unsigned int i, id;

	for (i = lc->depth; i-- > 0;)
		if (lc->held[i].lock == lock)
			return (int)i;
	id = READ_ONCE(lock->class_id);
	for (i = lc->depth; id && i-- > 0;)
		if (lc->held[i].class == id - 1 && lc->held[i].refs > (lc->held[i].lock ? 1U : 0U))
			return (int)i;
	return -1;
}

void lock_release(struct spinlock *lock)
{
	struct lockdep_cpu *lc = this_cpu_ptr(&lockdep_cpu);
	struct held_lock *h;
	int i = lc->busy ? -1 : lockdep_find_held(lc, lock);

	if (i < 0)
		return;
	h = &lc->held[i];
	if (h->lock == lock)
		h->lock = NULL;
	if (--h->refs)
		return;
	for (; (unsigned int)i + 1 < lc->depth; i++)
		lc->held[i] = lc->held[i + 1];
	lc->depth--;
}

unsigned int lockdep_depth(void)
{
	return READ_ONCE(this_cpu_ptr(&lockdep_cpu)->depth);
}

unsigned int lockdep_findings(void)
{
	return READ_ONCE(nr_findings);
}

bool lockdep_dependency(const struct spinlock *from, const struct spinlock *to)
{
	unsigned int a = READ_ONCE(from->class_id), b = READ_ONCE(to->class_id);

	return a && b && lockdep_depends(a - 1, b - 1);
}

/* Enter the checker's state from outside spin_lock(): irqs off, busy, lockdep_lock. */
static unsigned long lockdep_enter(void)
{
	unsigned long flags = arch_local_irq_save();

	this_cpu_ptr(&lockdep_cpu)->busy++;
	arch_spin_lock(&lockdep_lock);
	return flags;
}

static void lockdep_exit(unsigned long flags)
{
	arch_spin_unlock(&lockdep_lock);
	this_cpu_ptr(&lockdep_cpu)->busy--;
	arch_local_irq_restore(flags);
}

static void lockdep_forget_class_locked(unsigned int c)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr_lock_deps; i++)
		if (lock_deps[i].from != c && lock_deps[i].to != c)
			lock_deps[n++] = lock_deps[i];
	nr_lock_deps = n;
	for (i = 0; i < LOCKDEP_MAX_CLASSES; i++)
		WRITE_ONCE(deps_after[i], deps_after[i] & ~(1ULL << c));
	WRITE_ONCE(deps_after[c], 0);
	for (i = 0, n = 0; i < nr_findings; i++)
		if (findings[i].held != c && findings[i].wanted != c)
			findings[n++] = findings[i];
	WRITE_ONCE(nr_findings, n);
}

void lockdep_forget(struct spinlock *lock)
{
	unsigned long flags = lockdep_enter();
	unsigned int id = READ_ONCE(lock->class_id);

	if (id)
		lockdep_forget_class_locked(id - 1);
	lockdep_exit(flags);
}

static const char *lockdep_kind_name(enum lockdep_kind kind)
{
	if (kind == LOCKDEP_NOIRQ_IN_IRQ)
		return "noirq lock in interrupt";
	return kind == LOCKDEP_CIRCULAR ? "circular" : "recursive";
}

static void lockdep_dump_locked(void)
{
	unsigned int i;

	printk("lockdep: %s, %u classes, %u dependencies, %u findings\n",
	       READ_ONCE(lockdep_enabled) ? "on"
	       : lockdep_off_reason	  ? "turned off"
					  : "off (boot with `lockdep`)",
	       nr_lock_classes, nr_lock_deps, nr_findings);
	if (lockdep_off_reason)
		printk("lockdep: turned itself off: %s\n", lockdep_off_reason);
	for (i = 0; i < nr_lock_classes; i++)
		printk("class %2u %-28s first taken at %pS on CPU %u\n", i, lock_classes[i].name,
		       (void *)lock_classes[i].first_ip, lock_classes[i].first_cpu);
	for (i = 0; i < nr_lock_deps; i++)
		printk("dep %-28s -> %-28s first at %pS (CPU %u)\n",
		       lock_classes[lock_deps[i].from].name, lock_classes[lock_deps[i].to].name,
		       (void *)lock_deps[i].to_ip, lock_deps[i].cpu);
	for (i = 0; i < nr_findings; i++)
		printk("finding %u: %s: %s held, then %s\n", i + 1,
		       lockdep_kind_name(findings[i].kind), lock_classes[findings[i].held].name,
		       lock_classes[findings[i].wanted].name);
}

void lockdep_dump(void)
{
	unsigned long flags = lockdep_enter();

	lockdep_dump_locked();
	lockdep_exit(flags);
}

void lockdep_print_summary(void)
{
	unsigned long flags = lockdep_enter();

	if (lockdep_off_reason)
		printk("lockdep: turned off: %s (%u findings before)\n", lockdep_off_reason,
		       nr_findings);
	else
		printk("lockdep: %u findings (%u classes, %u dependencies)\n", nr_findings,
		       nr_lock_classes, nr_lock_deps);
	lockdep_exit(flags);
}
