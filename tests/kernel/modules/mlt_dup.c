/*
 * Test module of the module_load self-tests: exports a name mlt_base
 * exports too, so it is refused while mlt_base is live.
 */
#include "kernel/module.h"

int mlt_base_counter;

static int mlt_dup_init(void)
{
	return 0;
}

static void mlt_dup_exit(void)
{
}

MODULE_INIT(mlt_dup_init);
MODULE_EXIT(mlt_dup_exit);
MODULE_NAME("mlt_dup");
EXPORT_SYMBOL(mlt_base_counter);
