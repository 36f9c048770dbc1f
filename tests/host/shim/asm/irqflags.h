/* Host stand-in for asm/irqflags.h: interrupts are a plain variable. */
#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H

#include "kernel/types.h"

#define X86_EFLAGS_IF 0x200UL

static unsigned long shim_eflags = X86_EFLAGS_IF;
static unsigned long shim_irq_enables; /* times interrupts went from off to on */

static inline unsigned long arch_local_save_flags(void)
{
	return shim_eflags;
}
static inline void arch_local_irq_disable(void)
{
	shim_eflags &= ~X86_EFLAGS_IF;
}
static inline void arch_local_irq_enable(void)
{
	if (!(shim_eflags & X86_EFLAGS_IF))
		shim_irq_enables++;
	shim_eflags |= X86_EFLAGS_IF;
}
static inline unsigned long arch_local_irq_save(void)
{
	unsigned long f = shim_eflags;

	arch_local_irq_disable();
	return f;
}
static inline void arch_local_irq_restore(unsigned long f)
{
	if (f & X86_EFLAGS_IF)
		arch_local_irq_enable();
}
static inline bool irqs_disabled(void)
{
	return !(shim_eflags & X86_EFLAGS_IF);
}

#define local_irq_save(f)    ((f) = arch_local_irq_save())
#define local_irq_restore(f) arch_local_irq_restore(f)
#define local_irq_disable()  arch_local_irq_disable()
#define local_irq_enable()   arch_local_irq_enable()

#endif /* ASM_IRQFLAGS_H */
