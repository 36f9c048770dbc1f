/*
 * Test module of the module_load self-tests: uses mlt_base's export, so
 * mlt_base cannot be unloaded while this one is loaded.
 */
#include "kernel/module.h"

extern int mlt_events;
int mlt_base_add(int x);

static int mlt_user_init(void)
{
	mlt_events += 10 * mlt_base_add(0) + 1000;
	return 0;
}

static void mlt_user_exit(void)
{
}

MODULE_INIT(mlt_user_init);
MODULE_EXIT(mlt_user_exit);
MODULE_NAME("mlt_user");
