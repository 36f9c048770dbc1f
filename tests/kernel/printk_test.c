/*
 * In-kernel tests of lib/vsprintf.c: the formats the kernel's own messages
 * rely on, checked against literal strings. The host test compares the same
 * code with libc over random formats; these confirm the kernel build (its
 * flags, its va_list handling and the real symbol table) agrees.
 */
#include "debug/ktest.h"
#include "kernel/printk.h"
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

/* ---- the log: timestamps, truncation, dmesg ---- */

#define LOG_TEST_MAX (PRINTK_MSG_MAX + 256)

/* Is @s "[sssss.uuuuuu] " (PRINTK_TIME_LEN characters)? */
static bool stamp_ok(const char *s)
{
	for (int i = 1; i < 12; i++)
		if (i != 6 && !(s[i] == ' ' || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return s[0] == '[' && s[6] == '.' && s[12] >= '0' && s[12] <= '9' && s[13] == ']' &&
	       s[14] == ' ';
}

/* The last @lines lines of the log, NUL-terminated, into @buf. */
static size_t log_tail(unsigned long lines, char *buf, size_t size)
{
	unsigned long pos = dmesg_start(lines);
	size_t n = dmesg_copy(&pos, buf, size - 1);

	buf[n] = '\0';
	return n;
}

KTEST(printk, every_line_is_stamped)
{
	static char got[LOG_TEST_MAX];

	printk(KERN_DEBUG "ktest-one\nktest-two\n");
	printk(KERN_DEBUG "ktest-th");
	printk(KERN_CONT "ree\n");
	KTEST_ASSERT_EQ(t, log_tail(3, got, sizeof(got)), 3 * (size_t)PRINTK_TIME_LEN + 32);
	KTEST_EXPECT_TRUE(t, stamp_ok(got));
	KTEST_EXPECT_EQ(t, strncmp(got + PRINTK_TIME_LEN, "ktest-one\n", 10), 0);
	KTEST_EXPECT_TRUE(t, stamp_ok(got + PRINTK_TIME_LEN + 10));
	KTEST_EXPECT_EQ(t, strncmp(got + 2 * PRINTK_TIME_LEN + 10, "ktest-two\n", 10), 0);
	KTEST_EXPECT_TRUE(t, stamp_ok(got + 2 * PRINTK_TIME_LEN + 20));
	KTEST_EXPECT_STREQ(t, got + 3 * PRINTK_TIME_LEN + 20, "ktest-three\n");
}

/*
 * Regression: a message with its own level while a line was open (an
 * interrupt's pr_warn in the middle of a half-printed line) was glued onto
 * that line without a stamp. It starts a line of its own.
 */
KTEST(printk, new_level_while_line_open_starts_a_line)
{
	static char got[LOG_TEST_MAX];

	printk(KERN_DEBUG "ktest-half");
	printk(KERN_DEBUG "ktest-whole\n");
	KTEST_ASSERT_EQ(t, log_tail(2, got, sizeof(got)), 2 * (size_t)PRINTK_TIME_LEN + 23);
	KTEST_EXPECT_TRUE(t, stamp_ok(got));
	KTEST_EXPECT_EQ(t, strncmp(got + PRINTK_TIME_LEN, "ktest-half\n", 11), 0);
	KTEST_EXPECT_TRUE(t, stamp_ok(got + PRINTK_TIME_LEN + 11));
	KTEST_EXPECT_STREQ(t, got + 2 * PRINTK_TIME_LEN + 11, "ktest-whole\n");
}

/*
 * Regression: a message longer than printk's buffer (a 4000-character
 * command line) was cut without its newline, so the next message ran into
 * it. Now it ends with the marker and a newline.
 */
KTEST(printk, long_message_is_cut_with_marker_and_newline)
{
	static char longstr[4001], got[LOG_TEST_MAX];
	size_t mark = strlen(PRINTK_TRUNC_MARK), first;
	char *nl;

	memset(longstr, 'x', sizeof(longstr) - 1);
	printk(KERN_DEBUG "%s\n", longstr);
	printk(KERN_DEBUG "after the long one\n");
	log_tail(2, got, sizeof(got));
	nl = strchr(got, '\n');
	KTEST_ASSERT_NOT_NULL(t, nl);
	first = nl + 1 - got;
	KTEST_EXPECT_TRUE(t, stamp_ok(got));
	/* The stamp, then the buffer less its NUL and KERN_DEBUG. */
	KTEST_EXPECT_EQ(t, first, (size_t)PRINTK_TIME_LEN + PRINTK_MSG_MAX - 1 - 2);
	KTEST_EXPECT_EQ(t, strncmp(nl + 1 - mark, PRINTK_TRUNC_MARK, mark), 0);
	KTEST_EXPECT_EQ(t, got[first - mark - 1], 'x');
	KTEST_EXPECT_TRUE(t, stamp_ok(got + first));
	KTEST_EXPECT_STREQ(t, got + first + PRINTK_TIME_LEN, "after the long one\n");
}

/* A message that just fits is not cut. */
KTEST(printk, longest_message_is_whole)
{
	static char str[PRINTK_MSG_MAX], got[LOG_TEST_MAX];
	size_t n = PRINTK_MSG_MAX - 1 - 2 - 1; /* KERN_DEBUG and the newline */

	memset(str, 'y', n);
	str[n] = '\0';
	printk(KERN_DEBUG "%s\n", str);
	KTEST_ASSERT_EQ(t, log_tail(1, got, sizeof(got)), PRINTK_TIME_LEN + n + 1);
	KTEST_EXPECT_EQ(t, got[PRINTK_TIME_LEN + n - 1], 'y');
	KTEST_EXPECT_EQ(t, got[PRINTK_TIME_LEN + n], '\n');
}

KTEST(printk, dmesg_last_lines)
{
	static char got[LOG_TEST_MAX];

	printk(KERN_DEBUG "dmesg-a\n");
	printk(KERN_DEBUG "dmesg-b\n");
	printk(KERN_DEBUG "dmesg-c\n");
	KTEST_EXPECT_EQ(t, log_tail(1, got, sizeof(got)), (size_t)PRINTK_TIME_LEN + 8);
	KTEST_EXPECT_STREQ(t, got + PRINTK_TIME_LEN, "dmesg-c\n");
	KTEST_EXPECT_EQ(t, log_tail(2, got, sizeof(got)), 2 * (size_t)PRINTK_TIME_LEN + 16);
	KTEST_EXPECT_EQ(t, strncmp(got + PRINTK_TIME_LEN, "dmesg-b\n", 8), 0);
	KTEST_EXPECT_EQ(t, dmesg_start(0) <= dmesg_start(1000000), true);
}
