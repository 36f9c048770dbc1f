/* Segment descriptors, the TSS and IDT gates. */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#include "kernel/compiler.h"

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

/* The static IST stacks used during boot, and the bases of those in use. */
extern char ist_stacks[2][IST_STACK_SIZE];
extern char *ist_stack_base[2];
/* Move the IST stacks into vmalloc space, with guard pages (after vmalloc_init). */
void ist_stacks_vmalloc(void);

#endif /* ASM_DESC_H */
