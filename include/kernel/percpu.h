/*
 * Per-CPU variables through the GS base (x86-64, non-zero-based, like
 * Linux's x86-32 layout).
 *
 * DEFINE_PER_CPU() puts a variable in .data..percpu. That section is CPU
 * 0's copy: the boot CPU runs with GS base 0, so %gs:var is var itself.
 * Each other CPU gets a copy of the section (percpu_area_setup()) and runs
 * with GS base = copy - section, its __per_cpu_offset[]; %gs:var then lands
 * in its copy. A single-instruction access through %gs (this_cpu_read(),
 * this_cpu_write(), this_cpu_add()) cannot be torn by moving to another CPU
 * half-way; this_cpu_ptr() can, so hold preemption or interrupts off while
 * using its result.
 *
 * A copy starts from a snapshot of the section taken by percpu_init(), early
 * in boot: per-CPU state that must differ per CPU (list heads that point to
 * themselves, counters) is set by its subsystem's per-CPU init, on or for
 * that CPU.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include "kernel/compiler.h"

#define NR_CPUS 16 /* the most CPUs Contig brings up (SMP=1..16) */

#define PER_CPU_SECTION		    ".data..percpu"
#define DEFINE_PER_CPU(type, name)  __section(PER_CPU_SECTION) __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __section(PER_CPU_SECTION) __typeof__(type) name

/* Added to a per-CPU variable's address to reach CPU n's copy; 0 for CPU 0. */
extern unsigned long __per_cpu_offset[NR_CPUS];
DECLARE_PER_CPU(unsigned long, this_cpu_off); /* this CPU's own __per_cpu_offset */

#define per_cpu_ptr(ptr, cpu) ((__typeof__(ptr))((unsigned long)(ptr) + __per_cpu_offset[(cpu)]))
#define per_cpu(var, cpu)     (*per_cpu_ptr(&(var), (cpu)))

/* The variable seen through %gs: one mov/add instruction per access. */
#define __this_cpu_lvalue(var) (*(volatile __seg_gs __typeof__(var) *)(unsigned long)&(var))
#define this_cpu_read(var)     (__this_cpu_lvalue(var))
#define this_cpu_write(var, v) (__this_cpu_lvalue(var) = (v))
#define this_cpu_ptr(ptr)      ((__typeof__(ptr))((unsigned long)(ptr) + this_cpu_read(this_cpu_off)))

/* var += v in one instruction (4- and 8-byte integers). */
#define this_cpu_add(var, v)                                                                    \
	do {                                                                                    \
		_Static_assert(sizeof(var) == 4 || sizeof(var) == 8, "this_cpu_add: size");     \
		if (sizeof(var) == 8)                                                           \
			__asm__ __volatile__("addq %1, %%gs:%0" : "+m"(var) : "er"((long)(v))); \
		else                                                                            \
			__asm__ __volatile__("addl %1, %%gs:%0" : "+m"(var) : "ir"((int)(v)));  \
	} while (0)
#define this_cpu_inc(var) this_cpu_add(var, 1)
#define this_cpu_dec(var) this_cpu_add(var, -1)

/*
 * percpu_init - snapshot the per-CPU section as the template of every copy.
 * Context: boot CPU, after paging_init() (memblock allocation, direct map).
 */
void percpu_init(void);

/*
 * percpu_area_setup - give CPU @cpu (1..NR_CPUS-1) its copy of the section,
 * with cpu_number and this_cpu_off filled in.
 * Return: 0, -EINVAL for a bad or already set up @cpu, -ENOMEM.
 * Context: the buddy is up; may be called from any CPU, not concurrently.
 */
int percpu_area_setup(unsigned int cpu);
/* Give back the copy of a CPU that never came up. */
void percpu_area_free(unsigned int cpu);

/* Point this CPU's GS base at @cpu's copy (the CPU's first step in C). */
void percpu_enter(unsigned int cpu);

#endif /* KERNEL_PERCPU_H */
