/*
 * lib/string.c and lib/vsprintf.c for a fuzz target: the kernel's own
 * parsers and formatter, not the host's, so that what is fuzzed is what
 * boots. Their functions carry libc's names, so they are renamed to k_*
 * (as tests/host/string_test.c and vsprintf_test.c do) and the renames
 * stay on for the kernel sources included after this header.
 * %pS finds no symbol here (it prints the bare address).
 */
#ifndef FUZZ_KERNEL_LIB_H
#define FUZZ_KERNEL_LIB_H

#include "kernel_string_names.h"
#define vsnprintf  k_vsnprintf
#define snprintf   k_snprintf
#define vscnprintf k_vscnprintf
#define scnprintf  k_scnprintf
#include "lib/string.c"
#include "lib/vsprintf.c"

const char *symbols_lookup_mod(unsigned long addr, unsigned long *offset, unsigned long *size,
			       char *modname, char *namebuf)
{
	(void)addr;
	(void)offset;
	(void)size;
	(void)modname;
	(void)namebuf;
	return NULL;
}

#endif /* FUZZ_KERNEL_LIB_H */
