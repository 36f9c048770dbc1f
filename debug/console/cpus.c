/*
 * The console's `cpus`: every CPU the kernel knows, with the memory it runs
 * on (smp_cpus_dump(), the format GDB's contig-cpus prints too).
 */
#include "asm/smp.h"
#include "debug/console/internal.h"

static int cmd_cpus(int argc, char **argv)
{
	smp_cpus_dump();
	return 0;
}
CONSOLE_CMD(cpus, "", "every CPU: APIC ID, state, per-CPU area, stack, TSS, IST stacks", cmd_cpus,
	    .details = "Addresses are kernel virtual: the per-CPU area is CPU 0's section or a\n"
		       "page-allocated copy; stacks are [start-end) and come from vmalloc, whose\n"
		       "areas are each followed by an unmapped guard page, so one lies below every\n"
		       "stack (CPU 0's boot stack is in the image, above its own guard page).");
