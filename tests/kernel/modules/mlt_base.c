/*
 * Test module of the module_load self-tests (tests/kernel/module_load_test.c):
 * one page or so in each region (text, rodata, data, bss), an exported
 * function another test module uses, and init/exit that count themselves
 * in the kernel's mlt_events; init calls the self-test's hook when set
 * (to load another module while this one is COMING).
 */
#include "kernel/module.h"
#include "kernel/printk.h"

extern int mlt_events;			 /* exported by the self-test */
extern void (*mlt_base_init_hook)(void); /* the same: called by init when set */

int mlt_base_counter = 5;
static int mlt_base_scratch[2048]; /* bss: 8 KiB */
static const char mlt_base_greeting[] = "mlt_base: hello";

int mlt_base_add(int x);
int mlt_base_add(int x)
{
	mlt_base_scratch[x & 2047] += x;
	mlt_base_counter += x;
	return mlt_base_counter;
}

static int mlt_base_init(void)
{
	mlt_events += 1;
	mlt_base_counter += 1;
	if (mlt_base_init_hook)
		mlt_base_init_hook();
	printk("%s\n", mlt_base_greeting);
	return 0;
}

static void mlt_base_exit(void)
{
	mlt_events += 100;
}

MODULE_INIT(mlt_base_init);
MODULE_EXIT(mlt_base_exit);
MODULE_NAME("mlt_base");
EXPORT_SYMBOL(mlt_base_add);
EXPORT_SYMBOL(mlt_base_counter);
