/*
 * The IDT: all 256 vectors go to the stubs in isr.asm. Exceptions are
 * interrupt gates (interrupts stay off in handlers); #DF and NMI run on
 * their IST stacks.
 */
#include "asm/desc.h"
#include "asm/traps.h"

extern const u64 isr_stub_table[NR_VECTORS];
static struct idt_gate idt[NR_VECTORS] __aligned(16);

static void idt_set_gate(unsigned int vector, u64 handler, u8 ist)
{
	struct idt_gate *g = &idt[vector];

	g->offset_low = handler & 0xffff;
	g->selector = KERNEL_CS;
	g->ist = ist;
	g->type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_high = handler >> 32;
	g->zero = 0;
}

void idt_init(void)
{
	for (unsigned int v = 0; v < NR_VECTORS; v++)
		idt_set_gate(v, isr_stub_table[v], 0);
	idt_set_gate(X86_TRAP_DF, isr_stub_table[X86_TRAP_DF], IST_DOUBLE_FAULT);
	idt_set_gate(X86_TRAP_NMI, isr_stub_table[X86_TRAP_NMI], IST_NMI);
	idt_load();
}

/* The one IDT is shared: every CPU loads it (each has its own IST stacks in its TSS). */
void idt_load(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (u64)idt };

	__asm__ __volatile__("lidt %0" : : "m"(idtr) : "memory");
}
