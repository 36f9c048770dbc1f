/*
 * CPU numbers and masks. CPU 0 is the boot CPU; the others are numbered in
 * the order the firmware lists them (ACPI MADT) and count as online once
 * they run the kernel.
 *
 * cpu_possible: has a per-CPU area and may come online (set at bring-up).
 * cpu_online: runs the kernel, takes interrupts and IPIs.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include "kernel/atomic.h"
#include "kernel/percpu.h"

DECLARE_PER_CPU(unsigned int, cpu_number);

/* This CPU's number. Stable only while it cannot move (irqs or preemption off). */
#define smp_processor_id() this_cpu_read(cpu_number)

extern unsigned long cpu_possible_mask_bits; /* bit n: CPU n possible */
extern unsigned long cpu_online_mask_bits;   /* bit n: CPU n online */

static inline bool cpu_possible(unsigned int cpu)
{
	return cpu < NR_CPUS && test_bit(cpu, &cpu_possible_mask_bits);
}

static inline bool cpu_online(unsigned int cpu)
{
	return cpu < NR_CPUS && test_bit(cpu, &cpu_online_mask_bits);
}

/* Bits set in @mask (no __builtin_popcountl: it needs libgcc without -mpopcnt). */
static inline unsigned int cpumask_weight(unsigned long mask)
{
	unsigned int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static inline unsigned int num_online_cpus(void)
{
	return cpumask_weight(READ_ONCE(cpu_online_mask_bits));
}

static inline unsigned int num_possible_cpus(void)
{
	return cpumask_weight(READ_ONCE(cpu_possible_mask_bits));
}

/* Send every other CPU an NMI that halts it (a panic's first step). */
void smp_send_stop(void);
/* What a CPU does on that NMI: count itself stopped, go offline, halt. */
void __noreturn smp_stop_this_cpu(void);

void set_cpu_possible(unsigned int cpu, bool possible);
void set_cpu_online(unsigned int cpu, bool online);

#define for_each_possible_cpu(cpu)                \
	for ((cpu) = 0; (cpu) < NR_CPUS; (cpu)++) \
		if (!cpu_possible(cpu)) {         \
		} else
#define for_each_online_cpu(cpu)                  \
	for ((cpu) = 0; (cpu) < NR_CPUS; (cpu)++) \
		if (!cpu_online(cpu)) {           \
		} else

#endif /* KERNEL_SMP_H */
