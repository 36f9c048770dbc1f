/*
 * Host stand-in for kernel/percpu.h: one CPU, so a per-CPU variable is a
 * plain variable and every this_cpu_*() reaches it directly (the kernel's
 * %gs-relative accesses would not work in a host process).
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#define NR_CPUS 16

#define DEFINE_PER_CPU(type, name)  __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name

#define per_cpu_ptr(ptr, cpu)  (ptr)
#define per_cpu(var, cpu)      (var)
#define this_cpu_read(var)     (var)
#define this_cpu_write(var, v) ((var) = (v))
#define this_cpu_ptr(ptr)      (ptr)
#define this_cpu_add(var, v)   ((var) += (v))
#define this_cpu_inc(var)      this_cpu_add(var, 1)
#define this_cpu_dec(var)      this_cpu_add(var, -1)

#endif /* KERNEL_PERCPU_H */
