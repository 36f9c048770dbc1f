/* Segment descriptors, the TSS and IDT gates. */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#include "kernel/compiler.h"
#include "kernel/percpu.h"
#include "kernel/types.h"

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define TSS_SEL	  0x18

/* IST slots (1-based in gates): separate known-good stacks. */
#define IST_DOUBLE_FAULT 1
#define IST_NMI		 2
#define IST_STACK_SIZE	 8192

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct desc_ptr {
	u16 size;
	u64 address;
} __packed;

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 zero;
} __packed;

#define IST_STACKS  2 /* #DF and NMI */
#define GDT_ENTRIES 5 /* 3 plain descriptors + a 16-byte TSS descriptor */

/*
 * One CPU's descriptor tables (arch/x86/kernel/gdt.c), a per-CPU variable:
 * its GDT, its TSS and the bases of the IST stacks its TSS points to.
 */
struct cpu_desc {
	u64 gdt[GDT_ENTRIES];
	struct tss64 tss;
	char *ist_stack[IST_STACKS]; /* [IST_DOUBLE_FAULT - 1], [IST_NMI - 1] */
} __aligned(256);		     /* the TSS never crosses a page */
DECLARE_PER_CPU(struct cpu_desc, cpu_desc);

/* CPU 0's static IST stacks, used during boot. */
extern char ist_stacks[IST_STACKS][IST_STACK_SIZE];
/* Move CPU 0's IST stacks into vmalloc space, with guard pages (after vmalloc_init). */
void ist_stacks_vmalloc(void);

/*
 * cpu_desc_setup - fill CPU @cpu's GDT and TSS, with IST stacks from
 * vmalloc (a guard page after each), before the CPU starts.
 * Return: 0, -EINVAL (CPU 0, or no per-CPU area yet), -ENOMEM (nothing kept).
 * Context: boot CPU, bring-up; may sleep in the future (vmalloc).
 */
int cpu_desc_setup(unsigned int cpu);
/* Free what cpu_desc_setup() gave a CPU that never came online. */
void cpu_desc_free(unsigned int cpu);
/* Load this CPU's GDT and TSS (an AP's step after percpu_enter(); %gs is left alone). */
void cpu_desc_load_this_cpu(void);
/* Does [p, p + len) lie in one of this CPU's IST stacks? */
bool ist_stack_contains(unsigned long p, unsigned long len);

#endif /* ASM_DESC_H */
