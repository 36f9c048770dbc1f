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

#define memset	   k_memset
#define memcpy	   k_memcpy
#define memmove	   k_memmove
#define memcmp	   k_memcmp
#define memchr_inv k_memchr_inv
#define strlen	   k_strlen
#define strnlen	   k_strnlen
#define strcmp	   k_strcmp
#define strncmp	   k_strncmp
#define strchr	   k_strchr
#define strrchr	   k_strrchr
#define strlcpy	   k_strlcpy
#define kstrtoul   k_kstrtoul
#define kstrtol	   k_kstrtol
#define memparse   k_memparse
#define vsnprintf  k_vsnprintf
#define snprintf   k_snprintf
#define vscnprintf k_vscnprintf
#define scnprintf  k_scnprintf
#include "lib/string.c"
#include "lib/vsprintf.c"

const char *symbols_lookup(unsigned long addr, unsigned long *offset, unsigned long *size)
{
	(void)addr;
	(void)offset;
	(void)size;
	return NULL;
}

#endif /* FUZZ_KERNEL_LIB_H */
