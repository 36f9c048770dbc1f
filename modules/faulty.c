/*
 * faulty: a module that faults on demand, for the self-tests and the e2e
 * test of module backtraces. faulty_write_text() stores into its own code,
 * which the loader mapped read-only: a page fault whose RIP and address are
 * both in this module, reported as "faulty_write_text+0x.../0x... [faulty]".
 * Loading it does nothing else.
 * Shows: module text is read-only (W^X), and oopses name the module.
 */
#include "kernel/module.h"
#include "kernel/printk.h"
#include "faulty.h"

void faulty_write_text(void)
{
	volatile unsigned char *code = (volatile unsigned char *)&faulty_write_text;

	*code = 0xc3; /* ret: harmless if it ever landed, but it must fault */
}

static int faulty_init(void)
{
	printk("faulty: loaded; faulty_write_text() at %p writes to its own text\n",
	       (void *)&faulty_write_text);
	return 0;
}

static void faulty_exit(void)
{
}

EXPORT_SYMBOL(faulty_write_text);
MODULE_INIT(faulty_init);
MODULE_EXIT(faulty_exit);
MODULE_NAME("faulty");
