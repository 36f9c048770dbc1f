/*
 * Host tests for lib/string.c. The kernel's functions carry libc's names, so
 * they are renamed to k_* before the source is included; after it, the
 * renames are dropped and the host's libc serves as the oracle. Random
 * cases use a fixed seed and check every byte around the destination too.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "host_shim.h"
#include "lib/random.h"

#include "kernel_string_names.h"
#include "lib/string.c"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef memchr_inv
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strlcpy
#undef kstrtoul
#undef kstrtol
#undef memparse

#define BUF    512
#define ROUNDS 20000

static struct rnd_state rng;

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rnd_next(&rng);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_memcpy_random(void **state)
{
	static unsigned char src[BUF], dst[BUF], want[BUF];

	(void)state;
	rnd_seed(&rng, 0x5eed0001);
	for (int r = 0; r < ROUNDS; r++) {
		size_t so = rnd_below(&rng, 64), d = rnd_below(&rng, 64);
		size_t n = rnd_below(&rng, BUF - 64);
		void *ret;

		fill_random(src, BUF);
		fill_random(dst, BUF);
		memcpy(want, dst, BUF);
		memcpy(want + d, src + so, n);
		ret = k_memcpy(dst + d, src + so, n);
		assert_ptr_equal(ret, dst + d);
		if (memcmp(dst, want, BUF) != 0)
			fail_msg("memcpy(dst+%zu, src+%zu, %zu) round %d differs", d, so, n, r);
	}
}

static void test_memmove_overlap_random(void **state)
{
	static unsigned char buf[BUF], want[BUF];

	(void)state;
	rnd_seed(&rng, 0x5eed0002);
	for (int r = 0; r < ROUNDS; r++) {
		size_t n = rnd_below(&rng, BUF / 2);
		size_t so = rnd_below(&rng, BUF - n), d = rnd_below(&rng, BUF - n);
		void *ret;

		if (r % 4 == 0 && so + 1 + n <= BUF) /* the tightest overlaps */
			d = so + 1;
		else if (r % 4 == 1 && so >= 1)
			d = so - 1;
		fill_random(buf, BUF);
		memcpy(want, buf, BUF);
		memmove(want + d, want + so, n);
		ret = k_memmove(buf + d, buf + so, n);
		assert_ptr_equal(ret, buf + d);
		if (memcmp(buf, want, BUF) != 0)
			fail_msg("memmove(buf+%zu, buf+%zu, %zu) round %d differs", d, so, n, r);
	}
	/* The direction flag must be clear again after a backward copy. */
	memset(buf, 'a', 16);
	k_memmove(buf + 1, buf, 8);
	memset(want, 'x', 16);
	k_memcpy(buf, want, 16);
	assert_memory_equal(buf, want, 16);
}

static void test_memset_random(void **state)
{
	static unsigned char buf[BUF], want[BUF];

	(void)state;
	rnd_seed(&rng, 0x5eed0003);
	for (int r = 0; r < ROUNDS; r++) {
		size_t d = rnd_below(&rng, 64), n = rnd_below(&rng, BUF - 64);
		int c = (int)rnd_next(&rng); /* only the low byte counts */
		void *ret;

		fill_random(buf, BUF);
		memcpy(want, buf, BUF);
		memset(want + d, c, n);
		ret = k_memset(buf + d, c, n);
		assert_ptr_equal(ret, buf + d);
		if (memcmp(buf, want, BUF) != 0)
			fail_msg("memset(buf+%zu, %#x, %zu) round %d differs", d, c, n, r);
	}
}

/*
 * Page-sized and larger fills and copies, at every destination misalignment
 * and with tails of 0..71 bytes: each takes the bulk path (head, 64-byte
 * blocks, qwords, bytes). Every byte of the buffer is compared with libc.
 */
static void test_memset_memcpy_bulk(void **state)
{
	enum {
		BIG = 3 * 4096 + 256
	};
	static unsigned char buf[BIG], src[BIG], want[BIG];

	(void)state;
	rnd_seed(&rng, 0x5eed0010);
	for (int r = 0; r < 600; r++) {
		size_t d = r % 8, tail = (r / 8) % 72;
		size_t n = (r % 3 + 1) * 4096 - 128 + tail;
		int c = (int)rnd_next(&rng);

		fill_random(buf, BIG);
		fill_random(src, BIG);
		memcpy(want, buf, BIG);
		memset(want + d, c, n);
		assert_ptr_equal(k_memset(buf + d, c, n), buf + d);
		if (memcmp(buf, want, BIG) != 0)
			fail_msg("memset(buf+%zu, %#x, %zu) round %d differs", d, c, n, r);
		memcpy(want + d, src + 5, n);
		assert_ptr_equal(k_memcpy(buf + d, src + 5, n), buf + d);
		if (memcmp(buf, want, BIG) != 0)
			fail_msg("memcpy(buf+%zu, src+5, %zu) round %d differs", d, n, r);
	}
}

static void test_memcmp_memchr_inv_random(void **state)
{
	static unsigned char a[BUF], b[BUF];

	(void)state;
	rnd_seed(&rng, 0x5eed0004);
	for (int r = 0; r < ROUNDS; r++) {
		size_t n = rnd_below(&rng, BUF), at = rnd_below(&rng, BUF);
		int c = (int)rnd_below(&rng, 256);
		const unsigned char *want = NULL;

		fill_random(a, BUF);
		memcpy(b, a, BUF);
		if (r & 1)
			b[at] = (unsigned char)rnd_next(&rng);
		assert_int_equal(sign(k_memcmp(a, b, n)), sign(memcmp(a, b, n)));
		assert_int_equal(sign(k_memcmp(b, a, n)), sign(memcmp(b, a, n)));

		memset(a, c, BUF);
		if (r & 1)
			a[at] = (unsigned char)(c + 1 + rnd_below(&rng, 255));
		for (size_t i = 0; i < n; i++) {
			if (a[i] != (unsigned char)c) {
				want = a + i;
				break;
			}
		}
		assert_ptr_equal(k_memchr_inv(a, c, n), want);
	}
	assert_int_equal(k_memcmp("\x80", "\x7f", 1), 1); /* bytes are unsigned */
	assert_int_equal(k_memcmp("abc", "abd", 0), 0);
}

/* A random string over a small alphabet (so that matches are common). */
static void random_string(char *s, size_t max)
{
	static const char alphabet[] = "ab\x80\xff"
				       "c";
	size_t n = rnd_below(&rng, max);

	for (size_t i = 0; i < n; i++)
		s[i] = alphabet[rnd_below(&rng, sizeof(alphabet) - 1)];
	s[n] = '\0';
}

static void test_str_random(void **state)
{
	char a[40], b[40];

	(void)state;
	rnd_seed(&rng, 0x5eed0005);
	for (int r = 0; r < ROUNDS; r++) {
		size_t lim = rnd_below(&rng, 40);
		int c = "ab\x80\xff"
			"cz"[rnd_below(&rng, 7)]; /* includes the NUL */

		random_string(a, 12);
		if (r & 1)
			memcpy(b, a, sizeof(a));
		else
			random_string(b, 12);
		assert_int_equal(k_strlen(a), strlen(a));
		assert_int_equal(k_strnlen(a, lim), strnlen(a, lim));
		assert_int_equal(sign(k_strcmp(a, b)), sign(strcmp(a, b)));
		assert_int_equal(sign(k_strncmp(a, b, lim)), sign(strncmp(a, b, lim)));
		assert_ptr_equal(k_strchr(a, c), strchr(a, c));
		assert_ptr_equal(k_strrchr(a, c), strrchr(a, c));
	}
}

static void test_strlcpy(void **state)
{
	const char *src = "hello, kernel";
	size_t len = strlen(src);
	char buf[32];

	(void)state;
	for (size_t size = 0; size <= len + 2; size++) {
		size_t copied = size ? (size - 1 < len ? size - 1 : len) : 0;

		memset(buf, '#', sizeof(buf));
		assert_int_equal(k_strlcpy(buf, src, size), len);
		assert_memory_equal(buf, src, copied);
		if (size)
			assert_int_equal(buf[copied], '\0');
		for (size_t i = size; i < sizeof(buf); i++)
			if (buf[i] != '#')
				fail_msg("strlcpy size %zu wrote byte %zu", size, i);
	}
}

struct parse_case {
	const char *s;
	unsigned int base;
	int ret;
	unsigned long val;
};

static void test_kstrtoul_table(void **state)
{
	static const struct parse_case cases[] = {
		{ "0", 0, 0, 0 },
		{ "42", 0, 0, 42 },
		{ "+42", 0, 0, 42 },
		{ "0x1f", 0, 0, 0x1f },
		{ "0X1F", 0, 0, 0x1f },
		{ "017", 0, 0, 017 },
		{ "1f", 16, 0, 0x1f },
		{ "0x1f", 16, 0, 0x1f },
		{ "17", 8, 0, 017 },
		{ "101", 2, 0, 5 },
		{ "z", 36, 0, 35 },
		{ "18446744073709551615", 0, 0, ULONG_MAX },
		{ "0xffffffffffffffff", 0, 0, ULONG_MAX },
		{ "18446744073709551616", 0, -ERANGE, 0 },
		{ "0x10000000000000000", 0, -ERANGE, 0 },
		{ "99999999999999999999999", 10, -ERANGE, 0 },
		{ "", 0, -EINVAL, 0 },
		{ "+", 0, -EINVAL, 0 },
		{ "-1", 0, -EINVAL, 0 },
		{ "-0", 0, -EINVAL, 0 },
		{ " 1", 0, -EINVAL, 0 },
		{ "1 ", 0, -EINVAL, 0 },
		{ "12abc", 10, -EINVAL, 0 },
		{ "1\n", 0, -EINVAL, 0 },
		{ "0x", 0, -EINVAL, 0 },
		{ "0x", 16, -EINVAL, 0 },
		{ "08", 0, -EINVAL, 0 },
		{ "19", 8, -EINVAL, 0 },
		{ "1", 1, -EINVAL, 0 },
		{ "1", 37, -EINVAL, 0 },
		{ "++1", 0, -EINVAL, 0 },
		{ "18446744073709551616x", 0, -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long v = 0xdeadbeef;
		int ret = k_kstrtoul(cases[i].s, cases[i].base, &v);

		if (ret != cases[i].ret)
			fail_msg("kstrtoul(\"%s\", %u) = %d, want %d", cases[i].s, cases[i].base,
				 ret, cases[i].ret);
		assert_int_equal(v, ret ? 0xdeadbeef : cases[i].val);
	}
}

static void test_kstrtol_table(void **state)
{
	static const struct {
		const char *s;
		int ret;
		long val;
	} cases[] = {
		{ "-1", 0, -1 },
		{ "+7", 0, 7 },
		{ "-0x10", 0, -16 },
		{ "9223372036854775807", 0, LONG_MAX },
		{ "-9223372036854775808", 0, LONG_MIN },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "-9223372036854775809", -ERANGE, 0 },
		{ "-18446744073709551616", -ERANGE, 0 },
		{ "-", -EINVAL, 0 },
		{ "--1", -EINVAL, 0 },
		{ "-+1", -EINVAL, 0 },
		{ "+-1", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "5x", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		long v = 0x1234;
		int ret = k_kstrtol(cases[i].s, 0, &v);

		if (ret != cases[i].ret)
			fail_msg("kstrtol(\"%s\") = %d, want %d", cases[i].s, ret, cases[i].ret);
		assert_int_equal(v, ret ? 0x1234 : cases[i].val);
	}
}

/*
 * Random strings over digits, letters, signs and spaces, parsed by us and by
 * the host's strtoul/strtol. Strings the host would accept but we must not
 * (leading blanks, '-' for unsigned) are skipped here; the tables cover them.
 */
static void test_kstrto_vs_libc_random(void **state)
{
	static const char charset[] = "0123456789abcdefxXzZ+-";
	char s[32];
	int compared = 0;

	(void)state;
	rnd_seed(&rng, 0x5eed0006);
	for (int r = 0; r < 200000; r++) {
		size_t n = rnd_below(&rng, 24);
		static const unsigned int common[] = { 0, 8, 10, 16 };
		unsigned int base = rnd_below(&rng, 3) ? common[rnd_below(&rng, 4)]
						       : 2 + (unsigned int)rnd_below(&rng, 35);
		unsigned long uv = 7, want_u;
		long sv = 7, want_s;
		char *end;
		int want, ret;

		for (size_t i = 0; i < n; i++)
			s[i] = charset[rnd_below(&rng, r & 1 ? 10 : sizeof(charset) - 1)];
		s[n] = '\0';

		errno = 0;
		want_s = strtol(s, &end, base);
		want = n == 0 || *end || end == s ? -EINVAL : errno == ERANGE ? -ERANGE : 0;
		ret = k_kstrtol(s, base, &sv);
		if (ret != want || (!ret && sv != want_s))
			fail_msg("kstrtol(\"%s\", %u) = %d (%ld), libc %d (%ld)", s, base, ret, sv,
				 want, want_s);

		if (s[0] == '-')
			continue;
		errno = 0;
		want_u = strtoul(s, &end, base);
		want = n == 0 || *end || end == s ? -EINVAL : errno == ERANGE ? -ERANGE : 0;
		ret = k_kstrtoul(s, base, &uv);
		if (ret != want || (!ret && uv != want_u))
			fail_msg("kstrtoul(\"%s\", %u) = %d (%lu), libc %d (%lu)", s, base, ret, uv,
				 want, want_u);
		compared += !ret;
	}
	assert_true(compared > 10000); /* enough valid numbers were in the mix */
}

static void test_memparse(void **state)
{
	static const struct {
		const char *s;
		int ret;
		unsigned long val;
	} cases[] = {
		{ "4096", 0, 4096 },
		{ "4k", 0, 4096 },
		{ "4K", 0, 4096 },
		{ "2m", 0, 2UL << 20 },
		{ "2M", 0, 2UL << 20 },
		{ "3g", 0, 3UL << 30 },
		{ "3G", 0, 3UL << 30 },
		{ "0x1000", 0, 0x1000 },
		{ "0x10M", 0, 16UL << 20 },
		{ "0k", 0, 0 },
		{ "17179869183G", 0, 17179869183UL << 30 },
		{ "17179869184G", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "k", -EINVAL, 0 },
		{ "4kb", -EINVAL, 0 },
		{ "4kk", -EINVAL, 0 },
		{ "4t", 0, 4UL << 40 },
		{ "64T", 0, 64UL << 40 },
		{ "16777215T", 0, 16777215UL << 40 },
		{ "16777216T", -ERANGE, 0 },
		{ "4p", -EINVAL, 0 },
		{ "-4k", -EINVAL, 0 },
		{ "4 k", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
	};
	char s[40];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long v = 99;
		int ret = k_memparse(cases[i].s, &v);

		if (ret != cases[i].ret)
			fail_msg("memparse(\"%s\") = %d, want %d", cases[i].s, ret, cases[i].ret);
		assert_int_equal(v, ret ? 99 : cases[i].val);
	}

	rnd_seed(&rng, 0x5eed0007);
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long val = rnd_next(&rng) >> rnd_below(&rng, 64), v = 0;
		unsigned int shift = 10 * (unsigned int)rnd_below(&rng, 5);
		const char *suffix = shift == 0	   ? ""
				     : shift == 10 ? "kK"
				     : shift == 20 ? "mM"
				     : shift == 30 ? "gG"
						   : "tT";
		bool fits = shift == 0 || val <= (ULONG_MAX >> shift);
		int ret;

		if (shift && r & 2)
			suffix++; /* the upper-case spelling */
		snprintf(s, sizeof(s), r & 1 ? "%lu%.1s" : "0x%lx%.1s", val, suffix);
		ret = k_memparse(s, &v);
		if (ret != (fits ? 0 : -ERANGE) || (fits && v != val << shift))
			fail_msg("memparse(\"%s\") = %d (%#lx), want %d (%#lx)", s, ret, v,
				 fits ? 0 : -ERANGE, val << shift);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_random),
		cmocka_unit_test(test_memmove_overlap_random),
		cmocka_unit_test(test_memset_random),
		cmocka_unit_test(test_memset_memcpy_bulk),
		cmocka_unit_test(test_memcmp_memchr_inv_random),
		cmocka_unit_test(test_str_random),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_kstrtoul_table),
		cmocka_unit_test(test_kstrtol_table),
		cmocka_unit_test(test_kstrto_vs_libc_random),
		cmocka_unit_test(test_memparse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
