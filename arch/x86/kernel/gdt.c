/*
 * The GDT (null, kernel code, kernel data, TSS) and the TSS, whose IST
 * slots give the double-fault and NMI handlers stacks of their own, so that
 * a kernel stack overflow still ends in a readable oops.
 */
#include "asm/desc.h"
#include "asm/traps.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/vmalloc.h"

char ist_stacks[2][IST_STACK_SIZE] __aligned(16);
/* The IST stacks in use: ist_stacks at boot, vmalloc'ed ones after ist_stacks_vmalloc(). */
char *ist_stack_base[2] = { ist_stacks[0], ist_stacks[1] };
static struct tss64 tss;

/* 3 plain descriptors + a 16-byte TSS descriptor. */
static u64 gdt[5] __aligned(16);

static void gdt_set_tss(void)
{
	u64 base = (u64)&tss;
	u64 limit = sizeof(tss) - 1;

	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
}

void gdt_init(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (u64)gdt };

	BUILD_BUG_ON(sizeof(struct tss64) != 104);
	gdt[0] = 0;
	gdt[1] = 0x00209a0000000000UL; /* 64-bit code, DPL 0 */
	gdt[2] = 0x0000920000000000UL; /* data */
	tss.ist[IST_DOUBLE_FAULT - 1] = (u64)&ist_stacks[0][IST_STACK_SIZE];
	tss.ist[IST_NMI - 1] = (u64)&ist_stacks[1][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss);
	gdt_set_tss();

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
			     "movw %%ax, %%gs\n\t"
			     "ltr %w3"
			     :
			     : "m"(gdtr), "i"(KERNEL_CS), "i"(KERNEL_DS), "r"((u16)TSS_SEL)
			     : "rax", "memory");
}

/*
 * Move the #DF and NMI stacks into vmalloc space, as Linux's VMAP_STACK does:
 * each is followed by a guard page and preceded by another area's guard page
 * or by unmapped space, so an overflow faults instead of corrupting memory.
 * On failure the static stacks stay in use.
 */
void ist_stacks_vmalloc(void)
{
	for (int i = 0; i < 2; i++) {
		char *stack = vmalloc(IST_STACK_SIZE);

		if (!stack) {
			pr_warn("gdt: no vmalloc stack for IST %d, keeping the static one\n",
				i + 1);
			continue;
		}
		ist_stack_base[i] = stack;
		tss.ist[i] = (u64)stack + IST_STACK_SIZE;
	}
}
