/*
 * Cross-CPU function calls through the local APIC (Linux's
 * kernel/smp.c API): run fn(info) on other CPUs, in their interrupt
 * context, and optionally wait until every one has returned.
 *
 * fn runs with interrupts off on the target and must not sleep or wait for
 * the caller. Calls to one CPU from one caller run in the order they were
 * made.
 *
 * A call with interrupts off (IF = 0, e.g. under a spinlock) WARNs once, as
 * on Linux, whatever @wait: a CPU spinning for a lock serves shootdowns but
 * not calls, so a call (or the next call's wait for its slot) to a CPU that
 * waits for a lock the caller holds never ends. The waiter serves its own
 * incoming calls and shootdowns while it spins, so IPIs alone cannot deadlock.
 */
#ifndef ASM_IPI_H
#define ASM_IPI_H

#include "kernel/types.h"

/*
 * smp_call_function_single - run @fn(@info) on @cpu
 * => On the calling CPU itself: runs at once, interrupts off.
 * => @wait: return only after @fn has returned there; else once it is queued.
 * Return: 0, -ENXIO when @cpu is not online (nothing runs).
 */
int smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *info, bool wait);

/* Run @fn(@info) on every online CPU of @mask (one word, bit n = CPU n) but the caller. */
void smp_call_function_many(const unsigned long *mask, void (*fn)(void *), void *info, bool wait);

/* Run @fn(@info) on every online CPU, the caller included (there, interrupts off). */
void on_each_cpu(void (*fn)(void *), void *info, bool wait);

/*
 * ipi_poll - serve this CPU's pending calls and shootdowns now, as their
 * IPIs would. For loops that spin with interrupts off waiting for another CPU.
 */
void ipi_poll(void);

/* The local APIC ID that IPIs to @cpu use. */
u32 ipi_apicid(unsigned int cpu);

/* Calls run on @cpu (the dump's CAL row) and calls it sent to others. */
unsigned long ipi_calls_received(unsigned int cpu);
unsigned long ipi_reschedules_received(unsigned int cpu); /* the RES row */
unsigned long ipi_calls_sent(unsigned int cpu);

#endif /* ASM_IPI_H */
