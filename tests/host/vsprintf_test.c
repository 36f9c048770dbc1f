/*
 * Host tests for lib/vsprintf.c. Our vsnprintf family is renamed to k_*
 * before the source is included (the shim's printk keeps the host's), and
 * the host's snprintf is the oracle for the C99 conversions: random
 * flags/width/precision/length/value combinations with a fixed seed, the
 * whole buffer (NUL and the bytes after it) and the return value compared.
 * The kernel-only forms (%p, %pS, %ps, unknown conversions) are checked by
 * hand against a fake symbol table.
 */
#include <limits.h>
#include <string.h>
#include "host_shim.h"
#include "lib/random.h"

#define vsnprintf  k_vsnprintf
#define snprintf   k_snprintf
#define vscnprintf k_vscnprintf
#define scnprintf  k_scnprintf
#include "lib/vsprintf.c"
#undef vsnprintf
#undef snprintf
#undef vscnprintf
#undef scnprintf

/* A fake kernel symbol table for %pS/%ps, with one symbol of a module. */
static const struct {
	const char *name;
	unsigned long start, size;
	const char *module;
} fake_syms[] = {
	{ "start_kernel", 0xffffffff81000000UL, 0x80, NULL },
	{ "do_page_fault", 0xffffffff81000100UL, 0x1a0, NULL },
	{ "mathlib_gcd", 0xffffffffa0001000UL, 0x40, "mathlib" },
};

static unsigned long symbols_lookups;

const char *symbols_lookup_mod(unsigned long addr, unsigned long *offset, unsigned long *size,
			       char *modname, char *namebuf)
{
	(void)namebuf;
	symbols_lookups++;
	for (size_t i = 0; i < ARRAY_SIZE(fake_syms); i++) {
		if (addr >= fake_syms[i].start && addr - fake_syms[i].start < fake_syms[i].size) {
			*offset = addr - fake_syms[i].start;
			*size = fake_syms[i].size;
			if (fake_syms[i].module)
				strcpy(modname, fake_syms[i].module);
			return fake_syms[i].name;
		}
	}
	return NULL;
}

#define BUF  320
#define FILL 0xa5

static struct rnd_state rng;

/* Values that hit the edges: 0, +-1, the type limits, and random bit lengths. */
static uint64_t random_value(void)
{
	static const uint64_t edges[] = {
		0,
		1,
		~0ULL,
		0x7f,
		0x80,
		0xff,
		0x7fff,
		0x8000,
		0xffff,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		0x7fffffffffffffffULL,
		0x8000000000000000ULL,
		8,
		9,
		10,
		16,
	};

	if (rnd_below(&rng, 4) == 0)
		return edges[rnd_below(&rng, ARRAY_SIZE(edges))];
	return rnd_next(&rng) >> rnd_below(&rng, 64);
}

static const char *const strings[] = {
	"", "a", "hello", "hello, world", "0123456789abcdefghijklmnopqrstuvwxyz", "%d not a spec",
};

/* What the argument list of one generated conversion looks like. */
enum arg_kind {
	ARG_INT,
	ARG_LONG,
	ARG_STR,
	ARG_NONE
};

struct gen {
	char fmt[96];
	enum arg_kind kind;
	int nstars;
	int stars[2];
	uint64_t value;
	const char *str;
};

static void append(char *fmt, const char *s)
{
	strncat(fmt, s, 95 - strlen(fmt));
}

/*
 * Build one conversion with literal text around it. Combinations that C
 * leaves undefined ('#' on d/u/c/s, '0' or a precision on c/s where libc
 * may differ, length modifiers on c/s) are not generated.
 */
static void gen_spec(struct gen *g, bool allow_star)
{
	static const char convs[] = "diuxXocs%";
	static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
	static const char *const texts[] = { "", "x", "[", "] ", "abc ", "%%", "\t" };
	char conv = convs[rnd_below(&rng, sizeof(convs) - 1)];
	bool is_int = strchr("diuxXo", conv) != NULL;
	char tmp[16];
	const char *len = "";

	g->fmt[0] = '\0';
	g->nstars = 0;
	g->stars[0] = g->stars[1] = 0;
	append(g->fmt, texts[rnd_below(&rng, ARRAY_SIZE(texts))]);
	append(g->fmt, "%");
	if (conv == '%') {
		append(g->fmt, "%");
		g->kind = ARG_NONE;
		goto out;
	}
	for (unsigned int i = rnd_below(&rng, 4); i; i--) {
		char f = "-0+ #"[rnd_below(&rng, 5)];

		if (f == '#' && !strchr("xXo", conv))
			continue;
		if (f == '0' && !is_int)
			continue;
		tmp[0] = f;
		tmp[1] = '\0';
		append(g->fmt, tmp);
	}
	switch (rnd_below(&rng, 4)) {
	case 0:
		break;
	case 1:
		if (allow_star) {
			append(g->fmt, "*");
			g->stars[g->nstars++] = (int)rnd_below(&rng, 61) - 30;
			break;
		}
		/* fall through */
	default:
		snprintf(tmp, sizeof(tmp), "%u", (unsigned int)rnd_below(&rng, 31));
		append(g->fmt, tmp);
	}
	switch (conv == 'c' ? 0 : rnd_below(&rng, 5)) {
	case 0:
		break;
	case 1:
		append(g->fmt, ".");
		break;
	case 2:
		if (allow_star) {
			append(g->fmt, ".*");
			g->stars[g->nstars++] = (int)rnd_below(&rng, 31) - 5;
			break;
		}
		/* fall through */
	default:
		snprintf(tmp, sizeof(tmp), ".%u", (unsigned int)rnd_below(&rng, 26));
		append(g->fmt, tmp);
	}
	if (is_int)
		len = lens[rnd_below(&rng, ARRAY_SIZE(lens))];
	append(g->fmt, len);
	tmp[0] = conv;
	tmp[1] = '\0';
	append(g->fmt, tmp);
	g->kind = conv == 's' ? ARG_STR : len[0] == 'h' || !len[0] ? ARG_INT : ARG_LONG;
	g->value = random_value();
	g->str = strings[rnd_below(&rng, ARRAY_SIZE(strings))];
out:
	append(g->fmt, texts[rnd_below(&rng, ARRAY_SIZE(texts))]);
}

static char want_buf[BUF], got_buf[BUF];
static int want_ret, got_ret;

/* Format with both the host's snprintf and ours, into buffers of @size. */
#define BOTH(size, fmt, ...)                                                           \
	do {                                                                           \
		memset(want_buf, FILL, BUF);                                           \
		memset(got_buf, FILL, BUF);                                            \
		want_ret = snprintf((size) ? want_buf : NULL, size, fmt, __VA_ARGS__); \
		got_ret = k_snprintf((size) ? got_buf : NULL, size, fmt, __VA_ARGS__); \
	} while (0)

/* Expand BOTH with the star arguments @g asks for, then @v. */
#define BOTH_STARS(size, g, v)                                                 \
	do {                                                                   \
		if ((g)->nstars == 0)                                          \
			BOTH(size, (g)->fmt, v);                               \
		else if ((g)->nstars == 1)                                     \
			BOTH(size, (g)->fmt, (g)->stars[0], v);                \
		else                                                           \
			BOTH(size, (g)->fmt, (g)->stars[0], (g)->stars[1], v); \
	} while (0)

static void check_same(const char *what, const struct gen *g, size_t size)
{
	if (got_ret != want_ret || memcmp(got_buf, want_buf, BUF) != 0)
		fail_msg("%s: fmt \"%s\" stars %d,%d value %#llx str \"%s\" size %zu: "
			 "libc %d \"%.*s\", ours %d \"%.*s\"",
			 what, g->fmt, g->stars[0], g->stars[1], (unsigned long long)g->value,
			 g->str, size, want_ret, BUF - 1, want_buf, got_ret, BUF - 1, got_buf);
}

static size_t random_size(void)
{
	switch (rnd_below(&rng, 4)) {
	case 0:
		return rnd_below(&rng, 4); /* 0 (NULL buffer), 1, 2, 3 */
	case 1:
		return rnd_below(&rng, 40); /* truncation in the middle */
	default:
		return BUF;
	}
}

static void test_random_single_vs_libc(void **state)
{
	struct gen g;

	(void)state;
	rnd_seed(&rng, 0x7e57c0de);
	for (int r = 0; r < 300000; r++) {
		size_t size = random_size();

		gen_spec(&g, true);
		switch (g.kind) {
		case ARG_INT:
			BOTH_STARS(size, &g, (int)g.value);
			break;
		case ARG_LONG:
			BOTH_STARS(size, &g, (long long)g.value);
			break;
		case ARG_STR:
			BOTH_STARS(size, &g, g.str);
			break;
		case ARG_NONE:
			BOTH(size, g.fmt, 0);
			break;
		}
		check_same("single", &g, size);
	}
}

/* Three conversions in one format: the arguments must be walked correctly. */
static void test_random_triple_vs_libc(void **state)
{
	struct gen g[3];
	char fmt[300];

	(void)state;
	rnd_seed(&rng, 0x3c0de);
	for (int r = 0; r < 100000; r++) {
		size_t size = random_size();

		do
			gen_spec(&g[0], false);
		while (g[0].kind != ARG_LONG);
		do
			gen_spec(&g[1], false);
		while (g[1].kind != ARG_STR);
		do
			gen_spec(&g[2], false);
		while (g[2].kind != ARG_INT);
		snprintf(fmt, sizeof(fmt), "%s%s%s", g[0].fmt, g[1].fmt, g[2].fmt);
		BOTH(size, fmt, (long long)g[0].value, g[1].str, (int)g[2].value);
		strncpy(g[0].fmt, fmt, sizeof(g[0].fmt) - 1);
		g[0].fmt[sizeof(g[0].fmt) - 1] = '\0';
		check_same("triple", &g[0], size);
	}
}

/* Format into a fresh buffer with our snprintf and compare to @want. */
#define EXPECT_FMT(want, fmt, ...)                                                                 \
	do {                                                                                       \
		char __b[BUF];                                                                     \
		int __n = k_snprintf(__b, sizeof(__b), fmt, ##__VA_ARGS__);                        \
		if (strcmp(__b, want) != 0 || __n != (int)strlen(want))                            \
			fail_msg("line %d: fmt \"%s\": got %d \"%s\", want \"%s\"", __LINE__, fmt, \
				 __n, __b, want);                                                  \
	} while (0)

static void test_pointer(void **state)
{
	(void)state;
	EXPECT_FMT("0x0000000000001234", "%p", (void *)0x1234);
	EXPECT_FMT("0x0000000000000000", "%p", NULL);
	EXPECT_FMT("0xffffc20000000000", "%p", (void *)0xffffc20000000000UL);
	EXPECT_FMT("[  0x00000000deadbeef]", "[%20p]", (void *)0xdeadbeef);
	EXPECT_FMT("[0x00000000deadbeef  ]", "[%-20p]", (void *)0xdeadbeef);
	EXPECT_FMT("0x0000000000000010 s", "%p s", (void *)0x10);
}

static void test_symbol_pointer(void **state)
{
	void *inside = (void *)0xffffffff8100011cUL;
	void *nosym = (void *)0xffffffff81000080UL;

	(void)state;
	symbols_lookups = 0;
	EXPECT_FMT("do_page_fault+0x1c/0x1a0", "%pS", inside);
	EXPECT_FMT("start_kernel+0x0/0x80", "%pS", (void *)0xffffffff81000000UL);
	EXPECT_FMT("start_kernel+0x7f/0x80", "%pS", (void *)0xffffffff8100007fUL);
	EXPECT_FMT("do_page_fault", "%ps", inside);
	EXPECT_FMT("at do_page_fault+0x1c/0x1a0.", "at %pS.", inside);
	EXPECT_FMT("do_page_faultxyz", "%psxyz", inside);
	EXPECT_FMT("0xffffffff81000080", "%pS", nosym);
	EXPECT_FMT("0xffffffff81000080", "%ps", nosym);
	EXPECT_FMT("0x0000000000000000", "%pS", NULL);
	EXPECT_FMT("[   start_kernel]", "[%15ps]", (void *)0xffffffff81000001UL);
	EXPECT_FMT("[start_kernel   ]", "[%-15ps]", (void *)0xffffffff81000001UL);
	EXPECT_FMT("caller start_kernel+0x1/0x80 x=5", "caller %pS x=%d",
		   (void *)0xffffffff81000001UL, 5);
	assert_int_equal(symbols_lookups, 12);
	/* %pB credits a return address that ends a function to that function. */
	EXPECT_FMT("start_kernel+0x80/0x80", "%pB", nosym);
	EXPECT_FMT("start_kernel+0x1/0x80", "%pB", (void *)0xffffffff81000001UL);
	EXPECT_FMT("0x0000000000000000", "%pB", NULL);
	assert_int_equal(symbols_lookups, 14);
	/* Plain %p never asks for a symbol. */
	EXPECT_FMT("0xffffffff8100011c", "%p", inside);
	assert_int_equal(symbols_lookups, 14);
}

/* A symbol of a loaded module is followed by the module's name, as in Linux's oopses. */
static void test_symbol_in_module(void **state)
{
	void *in_mod = (void *)0xffffffffa0001012UL;

	(void)state;
	EXPECT_FMT("mathlib_gcd+0x12/0x40 [mathlib]", "%pS", in_mod);
	EXPECT_FMT("mathlib_gcd+0x40/0x40 [mathlib]", "%pB", (void *)0xffffffffa0001040UL);
	EXPECT_FMT("mathlib_gcd", "%ps", in_mod);
	EXPECT_FMT("[mathlib_gcd+0x12/0x40 [mathlib]   ]", "[%-34pS]", in_mod);
}

static void test_null_string(void **state)
{
	/* volatile: gcc would warn about a NULL %s argument it can see. */
	const char *volatile null_str = NULL;

	(void)state;
	EXPECT_FMT("(null)", "%s", null_str);
	EXPECT_FMT("[  (null)]", "[%8s]", null_str);
	EXPECT_FMT("[(null)  ]", "[%-8s]", null_str);
	EXPECT_FMT("(nu", "%.3s", null_str);
}

static void test_unknown_conversion(void **state)
{
	const char *fmt;
	char buf[64];
	int n = 12345;

	(void)state;
	/* Non-literal formats: gcc would rightly refuse these as literals. */
	fmt = "%y";
	EXPECT_FMT("%y", fmt);
	fmt = "a%-5yb%d";
	EXPECT_FMT("a%-5yb7", fmt, 7);
	fmt = "tail %";
	EXPECT_FMT("tail %", fmt);
	fmt = "%5";
	EXPECT_FMT("%5", fmt);
	fmt = "%n|%d";
	assert_int_equal(k_snprintf(buf, sizeof(buf), fmt, 3), 4);
	assert_string_equal(buf, "%n|3");
	assert_int_equal(n, 12345);
}

static void test_truncation_and_return(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(k_snprintf(buf, 5, "%d", 123456), 6);
	assert_string_equal(buf, "1234");
	assert_int_equal(buf[5], 'x');

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(k_snprintf(buf, 1, "hello"), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');

	assert_int_equal(k_snprintf(NULL, 0, "%s-%d", "abc", 42), 6);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(k_snprintf(buf, 0, "%s", "abc"), 3);
	assert_int_equal(buf[0], 'x'); /* size 0 writes nothing */

	assert_int_equal(k_snprintf(buf, 6, "%s", "hello"), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(k_snprintf(buf, 5, "%s", "hello"), 5);
	assert_string_equal(buf, "hell");

	assert_int_equal(k_scnprintf(buf, 5, "%d", 123456), 4);
	assert_string_equal(buf, "1234");
	assert_int_equal(k_scnprintf(buf, sizeof(buf), "%d", 42), 2);
	assert_int_equal(k_scnprintf(buf, 1, "%d", 42), 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(k_scnprintf(NULL, 0, "%d", 42), 0);
}

/* vscnprintf through a va_list, the way a printk-like caller uses it. */
static int call_vscnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = k_vscnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

static void test_vscnprintf_append(void **state)
{
	char buf[24];
	size_t len = 0;

	(void)state;
	for (int i = 0; i < 10; i++)
		len += call_vscnprintf(buf + len, sizeof(buf) - len, "%d,", i * 11);
	assert_int_equal(len, sizeof(buf) - 1);
	assert_string_equal(buf, "0,11,22,33,44,55,66,77,");
}

static void test_kernel_examples(void **state)
{
	(void)state;
	EXPECT_FMT("ffffc20000000000", "%lx", 0xffffc20000000000UL);
	EXPECT_FMT("-42", "%d", -42);
	EXPECT_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	EXPECT_FMT("18446744073709551615", "%zu", (size_t)-1);
	EXPECT_FMT("-1", "%zd", (ssize_t)-1);
	EXPECT_FMT("-3", "%td", (ptrdiff_t)-3);
	EXPECT_FMT("[00042|42   |   42]", "[%05d|%-5d|%5d]", 42, 42, 42);
	EXPECT_FMT("0x00ff 0XFF 0377", "%#06x %#X %#o", 255, 255, 255);
	EXPECT_FMT("[    x]", "[%*c]", 5, 'x');
	EXPECT_FMT("[x    ]", "[%*c]", -5, 'x');
	EXPECT_FMT("[  abc]", "[%*.*s]", 5, 3, "abcdef");
	EXPECT_FMT("100%", "%d%%", 100);
	EXPECT_FMT("ff -1 255", "%hhx %hhd %hhu", 0x1ff, 255, 511);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_single_vs_libc),
		cmocka_unit_test(test_random_triple_vs_libc),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_symbol_pointer),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_truncation_and_return),
		cmocka_unit_test(test_vscnprintf_append),
		cmocka_unit_test(test_kernel_examples),
		cmocka_unit_test(test_symbol_in_module),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
