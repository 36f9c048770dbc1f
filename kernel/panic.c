/*
 * panic(): print the reason and a backtrace through printk, so on every
 * console sink (serial, VGA), then leave QEMU with the panic status (or
 * halt). __warn(): the body of WARN()/WARN_ON(): file:line, the message and
 * a backtrace, counted in warn_count; execution goes on.
 */
#include "asm/irqflags.h"
#include "asm/qemu.h"
#include "asm/traps.h"
#include "kernel/atomic.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/vsprintf.h"

unsigned long warn_count;
static bool in_panic;

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list args;

	local_irq_disable();
	/* A panic while panicking, or on a second CPU meanwhile: stop at once. */
	if (xchg(&in_panic, true))
		machine_halt();
	smp_send_stop(); /* the other CPUs halt: nothing changes under the report */
	va_start(args, fmt);
	vscnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", msg);
	dump_stack();
	printk(KERN_EMERG "---[ end Kernel panic - not syncing: %s ]---\n", msg);
	qemu_exit(QEMU_EXIT_PANIC);
}

bool panic_in_progress(void)
{
	return READ_ONCE(in_panic);
}

void __warn(const char *file, int line, unsigned long caller, const char *fmt, ...)
{
	va_list args;

	__atomic_fetch_add(&warn_count, 1, __ATOMIC_RELAXED);
	printk(KERN_WARNING "------------[ cut here ]------------\n");
	printk(KERN_WARNING "WARNING: at %s:%d %pS\n", file, line, (void *)caller);
	va_start(args, fmt);
	vprintk(fmt, args);
	va_end(args);
	printk(KERN_CONT "\n");
	dump_stack();
	printk(KERN_WARNING "---[ end trace ]---\n");
}
