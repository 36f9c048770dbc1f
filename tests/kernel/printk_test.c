/*
 * In-kernel tests of lib/vsprintf.c: the formats the kernel's own messages
 * rely on, checked against literal strings. The host test compares the same
 * code with libc over random formats; these confirm the kernel build (its
 * flags, its va_list handling and the real symbol table) agrees.
 */
#include "debug/ktest.h"
#include "kernel/symbols.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

#define BUF_SIZE 96

/* Format into @buf and check both the text and the C99 return value. */
#define EXPECT_FMT(t, buf, want, fmt, ...)                             \
	do {                                                           \
		int __n = snprintf(buf, BUF_SIZE, fmt, ##__VA_ARGS__); \
		KTEST_EXPECT_STREQ(t, buf, want);                      \
		KTEST_EXPECT_EQ(t, __n, (int)strlen(want));            \
	} while (0)

KTEST(printk, padding)
{
	char buf[BUF_SIZE];

	EXPECT_FMT(t, buf, "[   42]", "[%5d]", 42);
	EXPECT_FMT(t, buf, "[42   ]", "[%-5d]", 42);
	EXPECT_FMT(t, buf, "[00042]", "[%05d]", 42);
	EXPECT_FMT(t, buf, "[  abc]", "[%*s]", 5, "abc");
	EXPECT_FMT(t, buf, "[ab]", "[%.2s]", "abc");
	EXPECT_FMT(t, buf, "0x00ff", "%#06x", 0xff);
	EXPECT_FMT(t, buf, "[   007]", "[%6.3u]", 7u);
}

KTEST(printk, negative_numbers)
{
	char buf[BUF_SIZE];

	EXPECT_FMT(t, buf, "-42", "%d", -42);
	EXPECT_FMT(t, buf, "-0042", "%05d", -42);
	EXPECT_FMT(t, buf, "+42 -42", "%+d %+d", 42, -42);
	EXPECT_FMT(t, buf, "-9223372036854775808", "%ld", (long)(-9223372036854775807L - 1));
	EXPECT_FMT(t, buf, "-1", "%hhd", 255);
	EXPECT_FMT(t, buf, "ffffffff", "%x", -1);
}

KTEST(printk, long_and_size)
{
	char buf[BUF_SIZE];

	EXPECT_FMT(t, buf, "ffffc20000000000", "%lx", 0xffffc20000000000UL);
	EXPECT_FMT(t, buf, "FFFFC20000000000", "%lX", 0xffffc20000000000UL);
	EXPECT_FMT(t, buf, "18446744073709551615", "%zu", (size_t)-1);
	EXPECT_FMT(t, buf, "4096", "%zu", (size_t)4096);
	EXPECT_FMT(t, buf, "0x0000000000001000", "%p", (void *)0x1000UL);
}

KTEST(printk, null_string)
{
	/* volatile: gcc warns about a NULL %s argument it can see. */
	const char *volatile null_str = NULL;
	char buf[BUF_SIZE];

	EXPECT_FMT(t, buf, "(null)", "%s", null_str);
	EXPECT_FMT(t, buf, "<  (null)>", "<%8s>", null_str);
}

KTEST(printk, truncation)
{
	char buf[8];
	int n;

	memset(buf, 'x', sizeof(buf));
	n = snprintf(buf, 5, "%d", 1234567);
	KTEST_EXPECT_EQ(t, n, 7);
	KTEST_EXPECT_STREQ(t, buf, "1234");
	KTEST_EXPECT_EQ(t, buf[5], 'x');

	n = snprintf(NULL, 0, "%s=%lu", "pages", 512UL);
	KTEST_EXPECT_EQ(t, n, 9);

	n = scnprintf(buf, sizeof(buf), "%s", "overflowing");
	KTEST_EXPECT_EQ(t, n, 7);
	KTEST_EXPECT_STREQ(t, buf, "overflo");
}

/* %pS and %ps on a known function resolve through the real symbol table. */
KTEST(printk, symbol)
{
	unsigned long addr = (unsigned long)&symbols_lookup;
	char buf[BUF_SIZE];

	if (!symbols_lookup_name("symbols_lookup"))
		KTEST_SKIP(t, "no symbol table linked in");
	EXPECT_FMT(t, buf, "symbols_lookup", "%ps", (void *)addr);
	snprintf(buf, sizeof(buf), "%pS", (void *)addr);
	KTEST_EXPECT_EQ(t, strncmp(buf, "symbols_lookup+0x0/0x", 21), 0);
}
