/*
 * Exception and interrupt dispatch. Exceptions end in die(): the vector's
 * name, the error code, the registers and a symbolised frame-pointer
 * backtrace, then panic. A tool above the kernel (the self-test runner) may
 * install trap_hooks to claim an expected fault or to end a test that oopsed.
 */
#include "asm/desc.h"
#include "asm/irqflags.h"
#include "asm/page.h"
#include "asm/processor.h"
#include "asm/qemu.h"
#include "asm/smp.h"
#include "asm/traps.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"

static irq_handler_t irq_handlers[NR_VECTORS];
static const struct trap_hooks *trap_hooks;
unsigned long spurious_irqs;

static const char *const trap_names[32] = {
	"divide error",
	"debug",
	"NMI",
	"int3",
	"overflow",
	"bounds",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor segment overrun",
	"invalid TSS",
	"segment not present",
	"stack segment",
	"general protection fault",
	"page fault",
	"reserved 15",
	"x87 floating point",
	"alignment check",
	"machine check",
	"SIMD floating point",
	"virtualization",
	"control protection",
	"reserved 22",
	"reserved 23",
	"reserved 24",
	"reserved 25",
	"reserved 26",
	"reserved 27",
	"hypervisor injection",
	"VMM communication",
	"security",
	"reserved 31",
};

const char *trap_name(unsigned long vector)
{
	return vector < 32 ? trap_names[vector] : "external interrupt";
}

static bool on_kernel_stack(unsigned long p)
{
	const struct cpu_stack *s = this_cpu_ptr(&cpu_boot_stack);

	if (p >= s->base && p + 16 <= s->top)
		return true;
	if (ist_stack_contains(p, 16))
		return true;
	return on_current_stack(p); /* a kernel thread's stack */
}

/* Walk the frame-pointer chain from @rbp: [rbp] = caller's rbp, [rbp+8] = return address. */
void show_backtrace(unsigned long rbp)
{
	for (int depth = 0; depth < 32 && rbp; depth++) {
		unsigned long *frame = (unsigned long *)rbp;

		if ((rbp & 7) || !on_kernel_stack(rbp)) {
			printk(KERN_EMERG " <frame pointer %#lx off the kernel stacks>\n", rbp);
			return;
		}
		if (!frame[1])
			return;
		printk(KERN_EMERG " [<%016lx>] %pB\n", frame[1], (void *)frame[1]);
		if (frame[0] <= rbp) /* stacks grow down: callers are above */
			return;
		rbp = frame[0];
	}
}

unsigned int stack_trace_save(unsigned long *store, unsigned int size, unsigned int skip)
{
	/* not read_rbp(): a leaf may run on its caller's frame; this forces one */
	unsigned long rbp = (unsigned long)__builtin_frame_address(0);
	unsigned int n = 0;

	while (n < size && rbp && !(rbp & 7) && on_kernel_stack(rbp)) {
		unsigned long *frame = (unsigned long *)rbp;

		if (!frame[1])
			break;
		if (skip)
			skip--;
		else
			store[n++] = frame[1];
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	return n;
}

static bool is_kernel_text(unsigned long addr)
{
	extern char _text[], _etext[];

	return addr >= (unsigned long)_text && addr < (unsigned long)_etext;
}

/*
 * gcc builds leaf functions without a frame, so the chain from regs->rbp
 * skips the leaf's caller. The word at the interrupted rsp is that caller's
 * return address when the leaf pushed nothing: print it marked unreliable
 * ("? "), as Linux does for addresses found by scanning the stack.
 */
static void show_leaf_caller(const struct pt_regs *regs)
{
	unsigned long word, *frame = (unsigned long *)regs->rbp;

	if (!on_kernel_stack(regs->rsp) || (regs->rsp & 7))
		return;
	word = *(unsigned long *)regs->rsp;
	if (!is_kernel_text(word))
		return;
	if (on_kernel_stack(regs->rbp) && !(regs->rbp & 7) && frame[1] == word)
		return;
	printk(KERN_EMERG " [<%016lx>] ? %pB\n", word, (void *)word);
}

void dump_stack(void)
{
	printk(KERN_EMERG "Call Trace:\n");
	show_backtrace(read_rbp());
}

void show_regs(const struct pt_regs *regs)
{
	printk(KERN_EMERG "RIP: %04lx:%016lx %pS\n", regs->cs, regs->rip, (void *)regs->rip);
	printk(KERN_EMERG "RSP: %04lx:%016lx EFLAGS: %08lx\n", regs->ss, regs->rsp, regs->rflags);
	printk(KERN_EMERG "RAX: %016lx RBX: %016lx RCX: %016lx\n", regs->rax, regs->rbx, regs->rcx);
	printk(KERN_EMERG "RDX: %016lx RSI: %016lx RDI: %016lx\n", regs->rdx, regs->rsi, regs->rdi);
	printk(KERN_EMERG "RBP: %016lx R08: %016lx R09: %016lx\n", regs->rbp, regs->r8, regs->r9);
	printk(KERN_EMERG "R10: %016lx R11: %016lx R12: %016lx\n", regs->r10, regs->r11, regs->r12);
	printk(KERN_EMERG "R13: %016lx R14: %016lx R15: %016lx\n", regs->r13, regs->r14, regs->r15);
	printk(KERN_EMERG "CR2: %016lx CR3: %016lx CR4: %016lx\n", read_cr2(), read_cr3(),
	       read_cr4());
	printk(KERN_EMERG "Call Trace:\n");
	printk(KERN_EMERG " [<%016lx>] %pS\n", regs->rip, (void *)regs->rip);
	show_leaf_caller(regs);
	show_backtrace(regs->rbp);
}

static unsigned long oops_count;

/*
 * Interrupt handlers running (nested). A fault inside one is never handed
 * to the hooks: resuming the interrupted test from there would skip the
 * end-of-interrupt, leave the line unacknowledged, and with the timer's
 * priority block every interrupt after it (the console would hang).
 */
DEFINE_PER_CPU(unsigned int, irq_depth); /* per CPU: another CPU's IPI is not ours */

/*
 * The hooks belong to the CPU that installed them (the self-test runner's):
 * a fault on another CPU must not resume that CPU's test on this one's stack.
 */
static unsigned int trap_hooks_cpu;

static bool trap_hooks_here(void)
{
	return trap_hooks && smp_processor_id() == trap_hooks_cpu;
}

void die(const char *what, struct pt_regs *regs)
{
	printk(KERN_EMERG "Oops: %s, error code %#lx [#%lu]\n", what, regs->error_code,
	       ++oops_count);
	printk(KERN_EMERG "CPU: %u\n", smp_processor_id());
	show_regs(regs);
	if (in_interrupt())
		panic("Fatal exception in interrupt: %s", what);
	if (!in_boot_thread()) /* the hooks resume the boot flow's test: not from another stack */
		panic("Fatal exception in thread '%s': %s", current->comm, what);
	if (trap_hooks_here() && trap_hooks->oops)
		trap_hooks->oops(regs); /* e.g. a running self-test fails; the run goes on */
	panic("Fatal exception: %s", what);
}

void trap_hooks_set(const struct trap_hooks *hooks)
{
	trap_hooks_cpu = smp_processor_id();
	trap_hooks = hooks;
}

bool trap_hook_fault(struct pt_regs *regs, unsigned long addr)
{
	if (in_interrupt() || regs->vector == X86_TRAP_NMI || !in_boot_thread())
		return false;
	return trap_hooks_here() && trap_hooks->fault && trap_hooks->fault(regs, addr);
}

void set_irq_handler(unsigned int vector, irq_handler_t handler)
{
	if (WARN(vector < FIRST_EXTERNAL_VECTOR || vector >= NR_VECTORS,
		 "set_irq_handler: bad vector %u", vector))
		return;
	irq_handlers[vector] = handler;
}

void do_trap(struct pt_regs *regs)
{
	unsigned long v = regs->vector;

	BUILD_BUG_ON(sizeof(struct pt_regs) != 22 * 8);
	BUILD_BUG_ON(__builtin_offsetof(struct pt_regs, vector) != 15 * 8);
	if (v == X86_TRAP_NMI && panic_in_progress())
		smp_stop_this_cpu(); /* smp_send_stop(): another CPU panics */
	if (v >= FIRST_EXTERNAL_VECTOR) {
		if (irq_handlers[v]) {
			this_cpu_inc(irq_depth);
			irq_handlers[v](regs);
			this_cpu_dec(irq_depth);
		} else {
			__atomic_fetch_add(&spurious_irqs, 1, __ATOMIC_RELAXED);
		}
		if (!in_interrupt() && (regs->rflags & X86_EFLAGS_IF))
			sched_irq_return(); /* preemption: the tick or a wake-up asked for it */
		return;
	}
	if (v == X86_TRAP_PF) {
		do_page_fault(regs, read_cr2());
		return;
	}
	if (v == X86_TRAP_BP) {
		printk(KERN_WARNING "int3 at %pS\n", (void *)regs->rip);
		return;
	}
	if (trap_hook_fault(regs, 0))
		return; /* claimed: resume where the hook said */
	/* a kernel thread's stack is reported with its name, the boot stack below */
	if (v == X86_TRAP_DF && !sched_report_stack_overflow(regs->rsp, read_cr2()) &&
	    regs->rsp < this_cpu_read(cpu_boot_stack.base) &&
	    regs->rsp + PAGE_SIZE >= this_cpu_read(cpu_boot_stack.base))
		printk(KERN_EMERG "BUG: kernel stack overflow: rsp %#lx is in the guard page below "
				  "the stack [%#lx-%#lx)\n",
		       regs->rsp, this_cpu_read(cpu_boot_stack.base),
		       this_cpu_read(cpu_boot_stack.top));
	die(trap_name(v), regs);
}
