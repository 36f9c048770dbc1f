/*
 * The tick: each CPU's local APIC timer, periodic at HZ. CPU 0 also
 * advances jiffies. Every tick calls scheduler_tick() (kernel/sched when
 * it is linked in, an empty default otherwise).
 */
#ifndef ASM_APIC_TIMER_H
#define ASM_APIC_TIMER_H

#include "kernel/types.h"

/*
 * 100 Hz: under TCG every tick is an exit from translated code into QEMU's
 * timer machinery plus the handler, on every vCPU; with four vCPUs on two
 * host cores a 1000 Hz tick would cost ~4000 such round trips a second.
 * 10 ms is fine for time slices and msleep() granularity.
 */
#define HZ 100

extern volatile unsigned long jiffies; /* ticks since CPU 0's timer started */
extern u32 apic_timer_khz;	       /* timer input (bus clock / 16) ticks per ms; 0 = none */

/*
 * apic_timer_setup_this_cpu - start this CPU's tick.
 * => The first call (CPU 0) calibrates the timer against the TSC and prints
 *    the rate; later calls reuse it.
 * => Periodic at HZ on LOCAL_TIMER_VECTOR; ticks arrive once interrupts are on.
 * Return: 0, or -ENODEV when the rate cannot be measured (no TSC rate; the
 *    CPU then has no tick).
 * Context: the CPU itself, after lapic_setup_this_cpu() (or lapic_init() on
 *    CPU 0), interrupts off.
 */
int apic_timer_setup_this_cpu(void);

/* Has @cpu started its timer (apic_timer_setup_this_cpu() succeeded there)? */
bool apic_timer_running(unsigned int cpu);
/* Ticks taken on @cpu (the dump's LOC row, tests). */
unsigned long apic_timer_ticks(unsigned int cpu);

/* If set, called on every tick of every CPU before scheduler_tick(), with
 * interrupts off (self-tests: work from a timer interrupt). */
extern void (*apic_timer_hook)(void);

/* Called on every tick with interrupts off, after the EOI. */
void scheduler_tick(void);

#endif /* ASM_APIC_TIMER_H */
