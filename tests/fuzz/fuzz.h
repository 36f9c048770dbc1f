/*
 * What every libFuzzer target here shares. A target is one program that
 * #includes the real kernel sources it fuzzes, as tests/host does, against
 * the same shims (tests/host/shim/: printk into a buffer, WARN counted,
 * panic fatal). A failed cmocka assertion or a panic aborts the process
 * (CMOCKA_TEST_ABORT), which libFuzzer reports as a crash and saves the
 * input that caused it.
 *
 * Include it first, then fuzz_kernel_lib.h if the unit needs lib/string.c
 * or lib/vsprintf.c, then the sources.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "host_shim.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Outside a cmocka test run, fail_msg() and assert_*() must abort, not exit. */
static inline void fuzz_setup(void)
{
	setenv("CMOCKA_TEST_ABORT", "1", 1);
}

/* The LLVMFuzzerInitialize() of a target that needs nothing but fuzz_setup(). */
#define FUZZ_DEFAULT_INITIALIZE()                         \
	int LLVMFuzzerInitialize(int *argc, char ***argv) \
	{                                                 \
		(void)argc;                               \
		(void)argv;                               \
		fuzz_setup();                             \
		return 0;                                 \
	}

/*
 * Abort unless @stmt printed no WARN: outside input (a command line, boot
 * information, console keys) must get a message, never a WARN or a panic.
 */
#define FUZZ_NO_WARNING(stmt)                                                            \
	do {                                                                             \
		unsigned long warned_ = warn_count;                                      \
		stmt;                                                                    \
		if (warn_count != warned_)                                               \
			fail_msg("%s: WARN on outside input; log: %s", #stmt, shim_log); \
	} while (0)

/* @data as a NUL-terminated string in a malloc() of exactly size + 1 bytes. */
static inline char *fuzz_strdup(const u8 *data, size_t size)
{
	char *s = malloc(size + 1);

	assert_non_null(s);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif /* FUZZ_H */
