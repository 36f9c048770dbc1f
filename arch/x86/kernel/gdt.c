/*
 * Every CPU's GDT (null, kernel code, kernel data, TSS) and TSS, whose IST
 * slots give the double-fault and NMI handlers stacks of their own, so that
 * a kernel stack overflow still ends in a readable oops.
 *
 * The tables are per-CPU (struct cpu_desc): a TSS descriptor goes busy when
 * a CPU loads it, and each CPU needs its own IST stacks, since two CPUs may
 * take a double fault or an NMI at once. CPU 0 starts on static IST stacks
 * (there is no vmalloc yet) and moves to vmalloc'ed ones in
 * ist_stacks_vmalloc(); every other CPU gets vmalloc'ed ones from
 * cpu_desc_setup() before it starts.
 *
 * Locking: [O] only the CPU that owns the copy, or the boot CPU before that
 * CPU runs (cpu_desc_setup/free are called during bring-up only).
 */
#include "asm/desc.h"
#include "asm/traps.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "mm/vmalloc.h"

char ist_stacks[IST_STACKS][IST_STACK_SIZE] __aligned(16);

DEFINE_PER_CPU(struct cpu_desc, cpu_desc); /* [O] */

static void gdt_set_tss(struct cpu_desc *d)
{
	u64 base = (u64)&d->tss;
	u64 limit = sizeof(d->tss) - 1;

	d->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	d->gdt[4] = base >> 32;
}

/* Fill @d: the flat segments, a TSS whose IST slots top the stacks in @d->ist_stack. */
static void cpu_desc_fill(struct cpu_desc *d)
{
	d->gdt[0] = 0;
	d->gdt[1] = 0x00209a0000000000UL; /* 64-bit code, DPL 0 */
	d->gdt[2] = 0x0000920000000000UL; /* data */
	for (int i = 0; i < IST_STACKS; i++)
		d->tss.ist[i] = (u64)d->ist_stack[i] + IST_STACK_SIZE;
	d->tss.iomap_base = sizeof(d->tss);
	gdt_set_tss(d);
}

/* Load @d's GDT, reload the segment registers from it and its TSS. */
static void cpu_desc_load(struct cpu_desc *d)
{
	struct desc_ptr gdtr = { sizeof(d->gdt) - 1, (u64)d->gdt };

	__asm__ __volatile__("lgdt %0\n\t"
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movw %w2, %%ax\n\t"
			     "movw %%ax, %%ds\n\t"
			     "movw %%ax, %%es\n\t"
			     "movw %%ax, %%ss\n\t"
			     "xorl %%eax, %%eax\n\t"
			     "movw %%ax, %%fs\n\t"
			     "ltr %w3"
			     :
			     : "m"(gdtr), "i"(KERNEL_CS), "i"(KERNEL_DS), "r"((u16)TSS_SEL)
			     : "rax", "memory");
}

void gdt_init(void)
{
	struct cpu_desc *d = &cpu_desc; /* CPU 0's copy is the section itself */

	BUILD_BUG_ON(sizeof(struct tss64) != 104);
	BUILD_BUG_ON(IST_DOUBLE_FAULT > IST_STACKS || IST_NMI > IST_STACKS);
	for (int i = 0; i < IST_STACKS; i++)
		d->ist_stack[i] = ist_stacks[i];
	cpu_desc_fill(d);
	cpu_desc_load(d);
	/* %gs is loaded once, here: a later load would clear the GS base percpu_enter() sets. */
	__asm__ __volatile__("movw %w0, %%gs" : : "r"(0) : "memory");
}

/*
 * Move CPU 0's #DF and NMI stacks into vmalloc space, as Linux's VMAP_STACK
 * does: each is followed by a guard page and preceded by another area's
 * guard page or by unmapped space, so an overflow faults instead of
 * corrupting memory. On failure the static stacks stay in use.
 */
void ist_stacks_vmalloc(void)
{
	struct cpu_desc *d = &cpu_desc;

	for (int i = 0; i < IST_STACKS; i++) {
		char *stack = vmalloc(IST_STACK_SIZE);

		if (!stack) {
			pr_warn("gdt: no vmalloc stack for IST %d, keeping the static one\n",
				i + 1);
			continue;
		}
		d->ist_stack[i] = stack;
		d->tss.ist[i] = (u64)stack + IST_STACK_SIZE;
	}
}

int cpu_desc_setup(unsigned int cpu)
{
	struct cpu_desc *d;
	int i;

	if (cpu == 0 || cpu >= NR_CPUS || !__per_cpu_offset[cpu])
		return -EINVAL;
	d = &per_cpu(cpu_desc, cpu);
	for (i = 0; i < IST_STACKS; i++) {
		d->ist_stack[i] = vmalloc(IST_STACK_SIZE);
		if (!d->ist_stack[i])
			goto out_free_stacks;
	}
	cpu_desc_fill(d);
	return 0;

out_free_stacks:
	while (i-- > 0) {
		vfree(d->ist_stack[i]);
		d->ist_stack[i] = NULL;
	}
	return -ENOMEM;
}

void cpu_desc_free(unsigned int cpu)
{
	struct cpu_desc *d;

	if (cpu == 0 || cpu >= NR_CPUS || !__per_cpu_offset[cpu] || WARN_ON(cpu_online(cpu)))
		return;
	d = &per_cpu(cpu_desc, cpu);
	for (int i = 0; i < IST_STACKS; i++) {
		vfree(d->ist_stack[i]);
		d->ist_stack[i] = NULL;
	}
}

void cpu_desc_load_this_cpu(void)
{
	cpu_desc_load(this_cpu_ptr(&cpu_desc));
}

bool ist_stack_contains(unsigned long p, unsigned long len)
{
	const struct cpu_desc *d = this_cpu_ptr(&cpu_desc);

	for (int i = 0; i < IST_STACKS; i++)
		if (p >= (unsigned long)d->ist_stack[i] &&
		    p + len <= (unsigned long)d->ist_stack[i] + IST_STACK_SIZE)
			return true;
	return false;
}
