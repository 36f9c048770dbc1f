/*
 * Per-CPU areas (include/kernel/percpu.h): the section is CPU 0's copy, the
 * others are page-allocated copies of a snapshot taken early in boot.
 */
#include "asm/page.h"
#include "asm/processor.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"

#define MSR_GS_BASE 0xc0000101

extern char __per_cpu_start[], __per_cpu_end[];

unsigned long __per_cpu_offset[NR_CPUS]; /* [I] once the CPU is set up */
DEFINE_PER_CPU(unsigned long, this_cpu_off);
DEFINE_PER_CPU(unsigned int, cpu_number);

unsigned long cpu_possible_mask_bits = 1; /* CPU 0 always */
unsigned long cpu_online_mask_bits = 1;

static const void *percpu_template; /* [I] after percpu_init() */
static unsigned int percpu_order;   /* [I] buddy order of one copy */

static unsigned long percpu_size(void)
{
	return __per_cpu_end - __per_cpu_start;
}

void percpu_init(void)
{
	unsigned long size = PAGE_ALIGN(percpu_size());
	phys_addr_t phys = memblock_phys_alloc(size, PAGE_SIZE);

	if (!phys)
		panic("percpu: no memory for the %lu-byte template", size);
	memcpy(__va(phys), __per_cpu_start, percpu_size());
	percpu_template = __va(phys);
	while ((PAGE_SIZE << percpu_order) < size)
		percpu_order++;
	pr_info("percpu: %lu bytes per CPU, up to %u CPUs\n", percpu_size(), NR_CPUS);
}

int percpu_area_setup(unsigned int cpu)
{
	char *area;

	if (cpu == 0 || cpu >= NR_CPUS || __per_cpu_offset[cpu] || !percpu_template)
		return -EINVAL;
	area = (char *)__get_free_pages(GFP_KERNEL, percpu_order);
	if (!area)
		return -ENOMEM;
	memcpy(area, percpu_template, percpu_size());
	__per_cpu_offset[cpu] = (unsigned long)(area - __per_cpu_start);
	per_cpu(this_cpu_off, cpu) = __per_cpu_offset[cpu];
	per_cpu(cpu_number, cpu) = cpu;
	return 0;
}

void percpu_area_free(unsigned int cpu)
{
	if (cpu == 0 || cpu >= NR_CPUS || !__per_cpu_offset[cpu] || WARN_ON(cpu_online(cpu)))
		return;
	free_pages((unsigned long)(__per_cpu_start + __per_cpu_offset[cpu]), percpu_order);
	__per_cpu_offset[cpu] = 0;
	set_cpu_possible(cpu, false);
}

void percpu_enter(unsigned int cpu)
{
	wrmsr(MSR_GS_BASE, __per_cpu_offset[cpu]);
}

void set_cpu_possible(unsigned int cpu, bool possible)
{
	if (WARN_ON(cpu >= NR_CPUS || (cpu == 0 && !possible)))
		return;
	if (possible)
		set_bit(cpu, &cpu_possible_mask_bits);
	else
		clear_bit(cpu, &cpu_possible_mask_bits);
}

void set_cpu_online(unsigned int cpu, bool online)
{
	if (WARN_ON(cpu >= NR_CPUS || (cpu == 0 && !online)))
		return;
	if (online)
		set_bit(cpu, &cpu_online_mask_bits);
	else
		clear_bit(cpu, &cpu_online_mask_bits);
}
