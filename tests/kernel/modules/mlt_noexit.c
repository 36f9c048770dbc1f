/*
 * Test module of the module_load self-tests: no MODULE_EXIT, so it cannot
 * be unloaded; and its rodata region starts with bytes no symbol names (a
 * top-level asm chunk, which GCC emits before the C code, so its section
 * comes first), followed by an object that has a name.
 */
#include "kernel/module.h"

__asm__(".pushsection .rodata.mlt_anon, \"a\"\n"
	".balign 8\n"
	".quad 0x1122334455667788, 0\n"
	".popsection\n");

const int mlt_noexit_table[4] = { 1, 2, 3, 4 };

int mlt_noexit_get(int i);
int mlt_noexit_get(int i)
{
	return mlt_noexit_table[i & 3];
}

static int mlt_noexit_init(void)
{
	return mlt_noexit_get(0) - 1;
}

MODULE_INIT(mlt_noexit_init);
MODULE_NAME("mlt_noexit");
