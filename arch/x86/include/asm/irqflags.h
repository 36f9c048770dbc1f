/* Interrupt flag control (IF in RFLAGS). */
#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H

#include "kernel/types.h"

#define X86_EFLAGS_IF 0x200UL

static inline unsigned long arch_local_save_flags(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0" : "=rm"(flags) : : "memory");
	return flags;
}

static inline void arch_local_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void arch_local_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags = arch_local_save_flags();

	arch_local_irq_disable();
	return flags;
}

static inline void arch_local_irq_restore(unsigned long flags)
{
	if (flags & X86_EFLAGS_IF)
		arch_local_irq_enable();
}

static inline bool irqs_disabled(void)
{
	return !(arch_local_save_flags() & X86_EFLAGS_IF);
}

#define local_irq_save(f)    ((f) = arch_local_irq_save())
#define local_irq_restore(f) arch_local_irq_restore(f)
#define local_irq_disable()  arch_local_irq_disable()
#define local_irq_enable()   arch_local_irq_enable()

#endif /* ASM_IRQFLAGS_H */
