/*
 * The call-function IPI.
 *
 *   caller:  lock its slot for the target (call_slot[target] in the caller's
 *            per-CPU area), fill fn/info, push it on the target's call_queue,
 *            IPI CALL_FUNCTION_VECTOR if the queue was empty, [wait].
 *   target:  take the whole queue (xchg), run the calls oldest first, unlock
 *            each slot after its fn returned (a store-release: the caller's
 *            acquire load then sees everything fn did).
 *
 * The queue is a lock-free stack (cmpxchg push, xchg pop-all): an interrupt
 * handler can queue without a lock, and a slot is reused only once unlocked,
 * so the ABA problem cannot arise (a slot is on at most one queue). The slot
 * is locked, filled and queued with interrupts off, so an interrupt on the
 * caller cannot find its own CPU's slot locked and half-queued.
 *
 * Any loop here that waits with interrupts off (for a slot, or for the
 * target with wait = true) calls ipi_poll(): a CPU spinning for another one
 * still answers that one's calls and shootdowns, so two CPUs calling each
 * other at once do not deadlock.
 *
 * The reschedule IPI (RESCHEDULE_VECTOR, smp_send_reschedule()) carries
 * nothing: a wake-up on another CPU sends it so that an idle CPU leaves hlt,
 * and the scheduler switches on the interrupt's return.
 */
#include "asm/ipi.h"

#include "asm/apic.h"
#include "asm/irq.h"
#include "asm/irqflags.h"
#include "asm/processor.h"
#include "asm/qemu.h"
#include "asm/tsc.h"
#include "asm/smp.h"
#include "asm/tlbflush.h"
#include "asm/traps.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"

struct call_slot {
	struct call_slot *next; /* on the target's call_queue */
	void (*fn)(void *);
	void *info;
	unsigned int locked; /* 1 from the caller's lock until the target ran fn */
};

static DEFINE_PER_CPU(struct call_slot *, call_queue);	     /* calls waiting for this CPU */
static DEFINE_PER_CPU(struct call_slot[NR_CPUS], call_slot); /* this CPU's, one per target */
static DEFINE_PER_CPU(unsigned long, calls_received);
static DEFINE_PER_CPU(unsigned long, calls_sent);
static DEFINE_PER_CPU(unsigned long, reschedules_received);
static bool call_vector_set;

u32 ipi_apicid(unsigned int cpu)
{
	return cpu == smp_processor_id() ? lapic_id() : cpu_to_apicid(cpu);
}

/* Run the calls queued for this CPU. Interrupts off. */
static void call_queue_run(void)
{
	struct call_slot *list = xchg(this_cpu_ptr(&call_queue), NULL), *prev = NULL;

	while (list) { /* a stack: reverse it to run in the order queued */
		struct call_slot *next = list->next;

		list->next = prev;
		prev = list;
		list = next;
	}
	while (prev) {
		struct call_slot *slot = prev;

		prev = slot->next; /* read before the unlock: the caller may reuse it */
		slot->fn(slot->info);
		this_cpu_inc(calls_received);
		smp_store_release(&slot->locked, 0);
	}
}

static void call_function_interrupt(struct pt_regs *regs __unused)
{
	lapic_eoi();
	call_queue_run();
}

void ipi_poll(void)
{
	unsigned long flags;

	local_irq_save(flags);
	this_cpu_inc(irq_depth); /* the calls run as in their IPI: in_interrupt() */
	call_queue_run();
	this_cpu_dec(irq_depth);
	tlb_shootdown_run();
	local_irq_restore(flags);
}

static void call_slot_wait(struct call_slot *slot)
{
	while (smp_load_acquire(&slot->locked)) {
		if (irqs_disabled())
			ipi_poll();
		cpu_relax();
	}
}

/* True when the queue was empty (the target needs an IPI to look at it). */
static bool call_queue_push(unsigned int cpu, struct call_slot *slot)
{
	struct call_slot **head = per_cpu_ptr(&call_queue, cpu);
	struct call_slot *first = READ_ONCE(*head);

	do {
		slot->next = first;
	} while (!__atomic_compare_exchange_n(head, &first, slot, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	return !first;
}

/* The reschedule IPI: nothing to do here, the switch happens on the interrupt's return. */
static void reschedule_interrupt(struct pt_regs *regs __unused)
{
	lapic_eoi();
	this_cpu_inc(reschedules_received);
}

static void call_vector_install(void)
{
	if (READ_ONCE(call_vector_set))
		return;
	set_irq_handler(CALL_FUNCTION_VECTOR, call_function_interrupt);
	set_irq_handler(RESCHEDULE_VECTOR, reschedule_interrupt);
	WRITE_ONCE(call_vector_set, true);
}

static atomic_t cpus_stopped; /* CPUs halted by smp_send_stop() */

void smp_send_stop(void)
{
	unsigned int others = num_online_cpus() - 1;

	if (!lapic_present() || !others)
		return;
	lapic_send_nmi_allbutself(); /* do_trap() calls smp_stop_this_cpu() */
	for (int us = 0; us < 100000 && (unsigned int)atomic_read(&cpus_stopped) < others; us++)
		udelay(1);
	printk(KERN_EMERG "smp: stopped %d of %u other CPUs\n", atomic_read(&cpus_stopped), others);
}

void smp_stop_this_cpu(void)
{
	set_cpu_online(smp_processor_id(), false); /* no more shootdowns to wait for */
	atomic_inc(&cpus_stopped);
	machine_halt();
}

void smp_send_reschedule(unsigned int cpu)
{
	if (cpu == smp_processor_id() || !cpu_online(cpu))
		return;
	call_vector_install();
	lapic_send_ipi(ipi_apicid(cpu), RESCHEDULE_VECTOR);
}

/* Queue fn(info) for @cpu (not this one) in this CPU's slot for it. Interrupts off. */
static struct call_slot *call_send(unsigned int cpu, void (*fn)(void *), void *info)
{
	struct call_slot *slot = this_cpu_ptr(&call_slot[cpu]);

	while (xchg(&slot->locked, 1)) /* its previous call has not run yet */
		call_slot_wait(slot);
	slot->fn = fn;
	slot->info = info;
	this_cpu_inc(calls_sent);
	if (call_queue_push(cpu, slot))
		lapic_send_ipi(ipi_apicid(cpu), CALL_FUNCTION_VECTOR);
	return slot;
}

static void call_warn_irqs_off(bool wait)
{
	/*
	 * See asm/ipi.h: with interrupts off (a spinlock held) even wait=false
	 * can deadlock: the call slot of an earlier call stays taken while its
	 * target spins for that lock, serving shootdowns but not calls.
	 */
	WARN_ONCE(irqs_disabled(), "smp_call_function: called with interrupts disabled (wait=%d)",
		  wait);
}

int smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *info, bool wait)
{
	struct call_slot *slot;
	unsigned long flags;

	if (!cpu_online(cpu))
		return -ENXIO;
	call_warn_irqs_off(wait);
	call_vector_install();
	local_irq_save(flags);
	if (cpu == smp_processor_id()) {
		fn(info);
		local_irq_restore(flags);
		return 0;
	}
	slot = call_send(cpu, fn, info);
	local_irq_restore(flags);
	if (wait)
		call_slot_wait(slot);
	return 0;
}

/* The online CPUs of @mask but this one. Interrupts off. */
static unsigned long call_targets(const unsigned long *mask)
{
	return *mask & READ_ONCE(cpu_online_mask_bits) & ~(1UL << smp_processor_id());
}

static void call_many_send(unsigned long targets, void (*fn)(void *), void *info)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) if (targets & (1UL << cpu)) call_send(cpu, fn, info);
}

/* Wait for the calls CPU @me sent to @targets (its slots stay put if we move). */
static void call_many_wait(unsigned int me, unsigned long targets)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (targets & (1UL << cpu))
			call_slot_wait(per_cpu_ptr(&call_slot[cpu], me));
}

void smp_call_function_many(const unsigned long *mask, void (*fn)(void *), void *info, bool wait)
{
	unsigned long flags, targets;
	unsigned int me;

	call_warn_irqs_off(wait);
	call_vector_install();
	local_irq_save(flags);
	me = smp_processor_id();
	targets = call_targets(mask);
	call_many_send(targets, fn, info);
	local_irq_restore(flags);
	if (wait)
		call_many_wait(me, targets);
}

void on_each_cpu(void (*fn)(void *), void *info, bool wait)
{
	unsigned long flags, all = ~0UL, targets;
	unsigned int me;

	call_warn_irqs_off(wait);
	call_vector_install();
	local_irq_save(flags);
	me = smp_processor_id();
	targets = call_targets(&all);
	call_many_send(targets, fn, info);
	fn(info); /* here, while the others run theirs */
	local_irq_restore(flags);
	if (wait)
		call_many_wait(me, targets);
}

unsigned long ipi_reschedules_received(unsigned int cpu)
{
	return READ_ONCE(per_cpu(reschedules_received, cpu));
}

unsigned long ipi_calls_received(unsigned int cpu)
{
	return cpu_possible(cpu) ? READ_ONCE(per_cpu(calls_received, cpu)) : 0;
}

unsigned long ipi_calls_sent(unsigned int cpu)
{
	return cpu_possible(cpu) ? READ_ONCE(per_cpu(calls_sent, cpu)) : 0;
}
