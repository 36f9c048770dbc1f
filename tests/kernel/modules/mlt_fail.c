/*
 * Test module of the module_load self-tests: its init fails with the
 * value the test put into mlt_fail_ret, after touching its own data.
 */
#include "kernel/module.h"

extern int mlt_fail_ret;
static int mlt_fail_data[16] = { 1 };

static int mlt_fail_init(void)
{
	mlt_fail_data[1] = mlt_fail_data[0];
	return mlt_fail_ret;
}

MODULE_INIT(mlt_fail_init);
MODULE_NAME("mlt_fail");
