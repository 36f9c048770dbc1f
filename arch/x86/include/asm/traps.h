/*
 * Exception and interrupt entry: struct pt_regs is what isr.asm pushes, in
 * this order, before calling do_trap(). The layout is shared with assembly:
 * keep the BUILD_BUG_ON offsets in traps.c in step with isr.asm.
 */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include "kernel/percpu.h"
#include "kernel/types.h"

struct pt_regs {
	unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
	unsigned long rbp, rdi, rsi, rdx, rcx, rbx, rax;
	unsigned long vector;
	unsigned long error_code; /* 0 when the CPU pushes none */
	/* pushed by the CPU */
	unsigned long rip, cs, rflags, rsp, ss;
};

#define X86_TRAP_DE	      0
#define X86_TRAP_DB	      1
#define X86_TRAP_NMI	      2
#define X86_TRAP_BP	      3
#define X86_TRAP_UD	      6
#define X86_TRAP_DF	      8
#define X86_TRAP_GP	      13
#define X86_TRAP_PF	      14
#define FIRST_EXTERNAL_VECTOR 32
#define NR_VECTORS	      256

/* #PF error code bits. */
#define X86_PF_PROT  (1UL << 0) /* 0: not present, 1: protection violation */
#define X86_PF_WRITE (1UL << 1)
#define X86_PF_USER  (1UL << 2)
#define X86_PF_RSVD  (1UL << 3)
#define X86_PF_INSTR (1UL << 4)

typedef void (*irq_handler_t)(struct pt_regs *regs);

/* Interrupt handlers running on this CPU, nested (do_trap() counts them). */
DECLARE_PER_CPU(unsigned int, irq_depth);

/* Running in an interrupt handler on this CPU (Linux: in_interrupt()). */
static inline bool in_interrupt(void)
{
	return this_cpu_read(irq_depth) != 0;
}

void gdt_init(void);
void idt_init(void);
void idt_load(void); /* this CPU loads the shared IDT (APs at bring-up) */
void do_trap(struct pt_regs *regs);
/* Install a handler for an external vector (32..255). */
void set_irq_handler(unsigned int vector, irq_handler_t handler);

/* Oops: print what happened, the registers and a backtrace, then panic. */
void die(const char *what, struct pt_regs *regs) __attribute__((noreturn));
void show_regs(const struct pt_regs *regs);
void show_backtrace(unsigned long rbp);
void dump_stack(void);
/*
 * stack_trace_save - the return addresses of the frame-pointer chain of the
 * caller, after skipping @skip of them, into @store (at most @size).
 * Return: how many were stored; 0 when the frames are off the known stacks.
 */
unsigned int stack_trace_save(unsigned long *store, unsigned int size, unsigned int skip);
const char *trap_name(unsigned long vector);

/*
 * Hooks for a tool above the kernel (the self-test runner), in the manner of
 * KUnit's lib/kunit/hooks.c: the exception path calls through them and knows
 * nothing of who installed them. Either pointer may be NULL.
 */
struct trap_hooks {
	/*
	 * An exception, before the kernel reports it; @addr is CR2 for a #PF,
	 * else 0.
	 * => returns true when it claims the fault, having edited @regs so that
	 *    the return from the exception resumes somewhere else
	 * => returns false to leave the fault to the kernel (an oops)
	 */
	bool (*fault)(struct pt_regs *regs, unsigned long addr);
	/*
	 * die() has printed its report and is about to panic. May not return
	 * (the hook ends what was running); if it returns, the panic goes on.
	 */
	void (*oops)(struct pt_regs *regs);
};

/*
 * Install @hooks, or remove them with NULL.
 * => @hooks must stay valid until it is removed
 */
void trap_hooks_set(const struct trap_hooks *hooks);
/* Offer the fault to the hook: true when it was claimed (return from the trap).
 * Never for a fault inside an interrupt handler or an NMI: die() panics there. */
bool trap_hook_fault(struct pt_regs *regs, unsigned long addr);

/* arch/x86/mm/fault.c */
void do_page_fault(struct pt_regs *regs, unsigned long cr2);
/*
 * read_kernel_nofault - *@val = the 8 bytes at @addr, or -EFAULT when the
 * load page-faults (the fault is absorbed quietly, in any context).
 */
int read_kernel_nofault(const void *addr, u64 *val);
/*
 * fault_describe - what a page fault at @addr with error code @err hit, as
 * the oops's first line names it ("direct map (write to a read-only page)",
 * "guard hole after vmalloc; just below: ...", a vmalloc area)
 *  => Writes it into @buf and returns true; false when nothing is known.
 *  => Safe from the fault handler (takes no lock already held).
 */
bool fault_describe(unsigned long addr, unsigned long err, char *buf, size_t len);

#endif /* ASM_TRAPS_H */
