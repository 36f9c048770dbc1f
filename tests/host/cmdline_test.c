/*
 * Host tests for kernel/cmdline.c: every option with good and bad values,
 * the exact messages, defaults kept on error, problem counts, blanks and
 * quotes, and a randomised run against a shadow model.
 */
#include "host_shim.h"
#include "cmdline_shim.h"

/* host_shim.h included printk.h already: let the unit define its own prefix. */
#undef pr_fmt
#include "../../kernel/cmdline.c"

static struct cmdline_opts opts;

static void assert_defaults(const struct cmdline_opts *o)
{
	assert_int_equal(o->loglevel, -1);
	assert_string_equal(o->ktest, "");
	assert_string_equal(o->bench, "");
	assert_false(o->poweroff);
	assert_int_equal(o->fail_page_alloc, 0);
	assert_int_equal(o->fail_slab, 0);
	assert_int_equal(o->lazy_max_pages, 0);
	assert_false(o->randomize_memory);
	assert_true(o->console);
	assert_int_equal(o->mem_limit, 0);
	assert_false(o->vmalloc_debug_flush);
	assert_false(o->nosmp);
	assert_int_equal(o->maxcpus, -1);
	assert_int_equal(o->smp_fail_cpu, 0);
}

/* Parse @line into a struct first filled with junk, so defaults must be set. */
static int parse(const char *line)
{
	memset(&opts, 0x5a, sizeof(opts));
	shim_log_clear();
	return cmdline_parse(line, &opts);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(NULL), 0);
	assert_defaults(&opts);
	assert_int_equal(parse(""), 0);
	assert_defaults(&opts);
	assert_int_equal(parse(" \t \n "), 0);
	assert_defaults(&opts);
	assert_int_equal(shim_log_len, 0);
	/* The global starts with the same defaults. */
	assert_defaults(&cmdline_opts);
}

static void test_null_opts(void **state)
{
	unsigned long before = warn_count;

	(void)state;
	assert_int_equal(cmdline_parse("loglevel=3", NULL), 1);
	assert_int_equal(warn_count, before + 1);
}

static void test_loglevel(void **state)
{
	(void)state;
	for (int lvl = 0; lvl <= 8; lvl++) {
		char line[32];

		snprintf(line, sizeof(line), "loglevel=%d", lvl);
		assert_int_equal(parse(line), 0);
		assert_int_equal(opts.loglevel, lvl);
	}
	assert_int_equal(parse("loglevel=x"), 1);
	assert_int_equal(opts.loglevel, -1);
	assert_true(shim_log_has(
		"cmdline: loglevel: invalid value 'x' (expected 0..8), keeping default"));

	assert_int_equal(parse("loglevel=9"), 1);
	assert_int_equal(opts.loglevel, -1);
	assert_true(shim_log_has(
		"cmdline: loglevel: value '9' out of range (expected 0..8), keeping default"));

	assert_int_equal(parse("loglevel=-1"), 1);
	assert_int_equal(opts.loglevel, -1);
	assert_true(shim_log_has("loglevel: invalid value '-1'"));

	assert_int_equal(parse("loglevel=+4"), 0); /* kstrtoul takes a '+' */
	assert_int_equal(opts.loglevel, 4);
	assert_int_equal(parse("loglevel=3x"), 1);
	assert_true(shim_log_has("loglevel: invalid value '3x'"));

	assert_int_equal(parse("loglevel="), 1);
	assert_true(
		shim_log_has("cmdline: loglevel: missing value (expected 0..8), keeping default"));
	assert_int_equal(parse("loglevel"), 1);
	assert_true(shim_log_has("cmdline: loglevel: missing value"));
	assert_int_equal(opts.loglevel, -1);

	/* Later words win; a bad later word leaves the earlier value. */
	assert_int_equal(parse("loglevel=3 loglevel=5"), 0);
	assert_int_equal(opts.loglevel, 5);
	assert_int_equal(parse("loglevel=3 loglevel=99"), 1);
	assert_int_equal(opts.loglevel, 3);
}

static void test_strings(void **state)
{
	char line[400], val[300];

	(void)state;
	assert_int_equal(parse("ktest=all"), 0);
	assert_string_equal(opts.ktest, "all");
	assert_string_equal(opts.bench, "");
	assert_int_equal(parse("ktest=buddy,vmalloc bench=vmalloc_small,fork_2"), 0);
	assert_string_equal(opts.ktest, "buddy,vmalloc");
	assert_string_equal(opts.bench, "vmalloc_small,fork_2");
	assert_int_equal(parse("ktest=\"buddy,slab\" poweroff"), 0);
	assert_string_equal(opts.ktest, "buddy,slab");
	assert_true(opts.poweroff);

	assert_int_equal(parse("ktest=vmalloc.*,*guard?,buddy.alloc_all"), 0);
	assert_string_equal(opts.ktest, "vmalloc.*,*guard?,buddy.alloc_all");

	assert_int_equal(parse("ktest=Buddy"), 1);
	assert_string_equal(opts.ktest, "");
	assert_true(shim_log_has("cmdline: ktest: invalid character 'B' in 'Buddy'"));
	assert_true(shim_log_has("keeping default"));

	assert_int_equal(parse("bench=\"a b\""), 1);
	assert_string_equal(opts.bench, "");
	assert_true(shim_log_has("cmdline: bench: invalid character ' ' in 'a b'"));

	assert_int_equal(parse("ktest=\"buddy"), 1);
	assert_string_equal(opts.ktest, "");
	assert_true(shim_log_has("cmdline: ktest: no closing quote in 'ktest=\"buddy'"));

	assert_int_equal(parse("ktest=\"\""), 1);
	assert_true(shim_log_has("cmdline: ktest: missing value"));
	assert_int_equal(parse("bench="), 1);
	assert_true(shim_log_has("cmdline: bench: missing value"));

	/* 255 characters fit, 256 do not. */
	memset(val, 'a', 255);
	val[255] = '\0';
	snprintf(line, sizeof(line), "ktest=%s", val);
	assert_int_equal(parse(line), 0);
	assert_int_equal(strlen(opts.ktest), 255);
	memset(val, 'b', 256);
	val[256] = '\0';
	snprintf(line, sizeof(line), "ktest=%s", val);
	assert_int_equal(parse(line), 1);
	assert_string_equal(opts.ktest, "");
	assert_true(shim_log_has(
		"cmdline: ktest: value of 256 characters is too long (at most 255), keeping default"));
}

static void test_flags(void **state)
{
	(void)state;
	assert_int_equal(parse("poweroff randomize_memory noconsole"), 0);
	assert_true(opts.poweroff);
	assert_true(opts.randomize_memory);
	assert_false(opts.console);
	assert_int_equal(parse("randomize_memory nokaslr"), 0);
	assert_false(opts.randomize_memory);
	assert_int_equal(parse("nokaslr randomize_memory"), 0);
	assert_true(opts.randomize_memory);
	assert_int_equal(parse("vmalloc_debug_flush"), 0);
	assert_true(opts.vmalloc_debug_flush);

	assert_int_equal(parse("poweroff=1"), 1);
	assert_false(opts.poweroff);
	assert_true(shim_log_has("cmdline: poweroff: a flag takes no value, 'poweroff=1' ignored"));
	assert_int_equal(parse("noconsole="), 1);
	assert_true(opts.console);
	assert_true(
		shim_log_has("cmdline: noconsole: a flag takes no value, 'noconsole=' ignored"));
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(parse("fail_page_alloc=10 fail_slab=0x20 vmalloc_lazy=512"), 0);
	assert_int_equal(opts.fail_page_alloc, 10);
	assert_int_equal(opts.fail_slab, 32);
	assert_int_equal(opts.lazy_max_pages, 512);
	assert_int_equal(parse("fail_page_alloc=18446744073709551615"), 0);
	assert_int_equal(opts.fail_page_alloc, ~0UL);

	assert_int_equal(parse("fail_page_alloc=18446744073709551616"), 1);
	assert_int_equal(opts.fail_page_alloc, 0);
	assert_true(shim_log_has(
		"cmdline: fail_page_alloc: value '18446744073709551616' out of range (expected a number), keeping default"));
	assert_int_equal(parse("fail_slab=ten"), 1);
	assert_true(shim_log_has(
		"cmdline: fail_slab: invalid value 'ten' (expected a number), keeping default"));
	assert_int_equal(parse("vmalloc_lazy=1048577"), 1);
	assert_int_equal(opts.lazy_max_pages, 0);
	assert_true(shim_log_has(
		"cmdline: vmalloc_lazy: value '1048577' out of range (expected 0..1048576)"));
	assert_int_equal(parse("vmalloc_lazy=1048576"), 0);
	assert_int_equal(opts.lazy_max_pages, 1048576);
}

static void test_mem(void **state)
{
	(void)state;
	assert_int_equal(parse("mem=512M"), 0);
	assert_int_equal(opts.mem_limit, 512UL << 20);
	assert_int_equal(parse("mem=2G"), 0);
	assert_int_equal(opts.mem_limit, 2UL << 30);
	assert_int_equal(parse("mem=16384k"), 0);
	assert_int_equal(opts.mem_limit, 16UL << 20);
	assert_int_equal(parse("mem=0x40000000"), 0);
	assert_int_equal(opts.mem_limit, 1UL << 30);

	assert_int_equal(parse("mem=12q"), 1);
	assert_int_equal(opts.mem_limit, 0);
	assert_true(shim_log_has(
		"cmdline: mem: invalid value '12q' (expected a size of at least 16M, with an optional k, M or G suffix), keeping default"));
	assert_int_equal(parse("mem=1M"), 1);
	assert_int_equal(opts.mem_limit, 0);
	assert_true(shim_log_has("cmdline: mem: value '1M' out of range"));
	assert_int_equal(parse("mem=99999999999999G"), 1);
	assert_true(shim_log_has("cmdline: mem: value '99999999999999G' out of range"));
	assert_int_equal(parse("mem"), 1);
	assert_true(shim_log_has("cmdline: mem: missing value"));
}

/* vmalloc=SIZE: a page-aligned size (T suffix too); the layout checks the bounds at boot. */
static void test_vmalloc_size(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(opts.vmalloc_range_size, 0);
	assert_int_equal(parse("vmalloc=1G"), 0);
	assert_int_equal(opts.vmalloc_range_size, 1UL << 30);
	assert_int_equal(parse("vmalloc=64T"), 0);
	assert_int_equal(opts.vmalloc_range_size, 64UL << 40);
	assert_int_equal(parse("vmalloc=4K"), 0);
	assert_int_equal(opts.vmalloc_range_size, 4096);
	assert_int_equal(parse("vmalloc=0x2000000"), 0);
	assert_int_equal(opts.vmalloc_range_size, 32UL << 20);

	assert_int_equal(parse("vmalloc=1G vmalloc=4097"), 1);
	assert_int_equal(opts.vmalloc_range_size, 1UL << 30);
	assert_true(shim_log_has(
		"cmdline: vmalloc: value '4097' is not a multiple of 4096, keeping default"));
	assert_int_equal(parse("vmalloc=lots"), 1);
	assert_int_equal(opts.vmalloc_range_size, 0);
	assert_true(shim_log_has(
		"cmdline: vmalloc: invalid value 'lots' (expected a multiple of 4096, with an optional k, M, G or T suffix), keeping default"));
	assert_int_equal(parse("vmalloc=0"), 1);
	assert_true(shim_log_has("cmdline: vmalloc: value '0' out of range"));
	assert_int_equal(parse("vmalloc=99999999T"), 1);
	assert_true(shim_log_has("cmdline: vmalloc: value '99999999T' out of range"));
	assert_int_equal(parse("vmalloc"), 1);
	assert_true(shim_log_has("cmdline: vmalloc: missing value"));
	assert_int_equal(opts.vmalloc_range_size, 0);
}

/* quiet is console loglevel 4, unless loglevel= says otherwise (in any order). */
static void test_smp_options(void **state)
{
	(void)state;
	assert_int_equal(parse("nosmp"), 0);
	assert_true(opts.nosmp);
	assert_int_equal(parse("maxcpus=2"), 0);
	assert_int_equal(opts.maxcpus, 2);
	assert_int_equal(parse("maxcpus=0"), 0);
	assert_int_equal(opts.maxcpus, 0);
	assert_int_equal(parse("maxcpus=16 smp_fail_cpu=15"), 0);
	assert_int_equal(opts.maxcpus, 16);
	assert_int_equal(opts.smp_fail_cpu, 15);

	assert_int_equal(parse("nosmp=1"), 1);
	assert_false(opts.nosmp);
	assert_true(shim_log_has("cmdline: nosmp: a flag takes no value, 'nosmp=1' ignored"));
	assert_int_equal(parse("maxcpus=17"), 1);
	assert_int_equal(opts.maxcpus, -1);
	assert_true(shim_log_has(
		"cmdline: maxcpus: value '17' out of range (expected 0..16), keeping default"));
	assert_int_equal(parse("maxcpus=two"), 1);
	assert_int_equal(opts.maxcpus, -1);
	assert_true(shim_log_has("cmdline: maxcpus: invalid value 'two' (expected 0..16)"));
	assert_int_equal(parse("maxcpus=-1"), 1);
	assert_int_equal(opts.maxcpus, -1);
	assert_int_equal(parse("maxcpus="), 1);
	assert_true(shim_log_has("cmdline: maxcpus: missing value (expected 0..16)"));
	assert_int_equal(parse("smp_fail_cpu=0"), 1);
	assert_int_equal(opts.smp_fail_cpu, 0);
	assert_true(shim_log_has("cmdline: smp_fail_cpu: value '0' out of range (expected 1..15)"));
	assert_int_equal(parse("smp_fail_cpu=16"), 1);
	assert_int_equal(opts.smp_fail_cpu, 0);
}

static void test_quiet(void **state)
{
	(void)state;
	assert_int_equal(parse("quiet"), 0);
	assert_int_equal(opts.loglevel, 4);
	assert_int_equal(parse("quiet loglevel=7"), 0);
	assert_int_equal(opts.loglevel, 7);
	assert_int_equal(parse("loglevel=2 quiet"), 0);
	assert_int_equal(opts.loglevel, 2);
	assert_int_equal(parse("poweroff"), 0);
	assert_int_equal(opts.loglevel, -1);
}

static void test_unknown_and_path(void **state)
{
	(void)state;
	assert_int_equal(parse("foo=bar"), 1);
	assert_true(shim_log_has("cmdline: unknown option 'foo=bar' ignored"));
	assert_defaults(&opts);
	assert_int_equal(parse("silent"), 1);
	assert_true(shim_log_has("cmdline: unknown option 'silent' ignored"));
	assert_int_equal(parse("loglevelx=3"), 1);
	assert_true(shim_log_has("cmdline: unknown option 'loglevelx=3' ignored"));
	assert_int_equal(opts.loglevel, -1);

	/* The image path as first word is skipped; anywhere else it is unknown. */
	assert_int_equal(parse("/boot/contig.elf ktest=all"), 0);
	assert_string_equal(opts.ktest, "all");
	assert_int_equal(shim_log_len, 0);
	assert_int_equal(parse("  /boot/contig.elf"), 0);
	assert_int_equal(parse("ktest=all /boot/contig.elf"), 1);
	assert_true(shim_log_has("cmdline: unknown option '/boot/contig.elf' ignored"));
}

static void test_blanks_and_counts(void **state)
{
	(void)state;
	assert_int_equal(parse("\t loglevel=7   ktest=all\n poweroff  "), 0);
	assert_int_equal(opts.loglevel, 7);
	assert_string_equal(opts.ktest, "all");
	assert_true(opts.poweroff);

	assert_int_equal(parse("loglevel=x foo ktest=all mem=1 poweroff=yes bench=ok"), 4);
	assert_int_equal(opts.loglevel, -1);
	assert_string_equal(opts.ktest, "all");
	assert_string_equal(opts.bench, "ok");
	assert_false(opts.poweroff);
	assert_int_equal(opts.mem_limit, 0);
}

static void test_help(void **state)
{
	(void)state;
	shim_log_clear();
	cmdline_dump_help();
	for (size_t i = 0; i < ARRAY_SIZE(cmdline_options); i++) {
		assert_true(shim_log_has(cmdline_options[i].name));
		assert_true(shim_log_has(cmdline_options[i].help));
	}
	assert_true(shim_log_has("loglevel=0..8"));
	assert_true(shim_log_has("mem=SIZE"));
	assert_true(shim_log_has("ktest=LIST"));
	assert_true(shim_log_has("fail_page_alloc=N"));
}

/*
 * Random command lines built from words whose effect is known, checked
 * against a shadow model of the options and of the problem count.
 */
struct word_case {
	const char *word;
	bool bad;
	void (*apply)(struct cmdline_opts *o);
};

static void ap_log2(struct cmdline_opts *o)
{
	o->loglevel = 2;
}
static void ap_log8(struct cmdline_opts *o)
{
	o->loglevel = 8;
}
static void ap_ktest_all(struct cmdline_opts *o)
{
	strcpy(o->ktest, "all");
}
static void ap_ktest_two(struct cmdline_opts *o)
{
	strcpy(o->ktest, "buddy,slab");
}
static void ap_bench(struct cmdline_opts *o)
{
	strcpy(o->bench, "vmalloc");
}
static void ap_poweroff(struct cmdline_opts *o)
{
	o->poweroff = true;
}
static void ap_fpa(struct cmdline_opts *o)
{
	o->fail_page_alloc = 77;
}
static void ap_fslab(struct cmdline_opts *o)
{
	o->fail_slab = 5;
}
static void ap_lazy(struct cmdline_opts *o)
{
	o->lazy_max_pages = 4096;
}
static void ap_rand(struct cmdline_opts *o)
{
	o->randomize_memory = true;
}
static void ap_nokaslr(struct cmdline_opts *o)
{
	o->randomize_memory = false;
}
static void ap_nocons(struct cmdline_opts *o)
{
	o->console = false;
}
static void ap_mem(struct cmdline_opts *o)
{
	o->mem_limit = 256UL << 20;
}

static const struct word_case words[] = {
	{ "loglevel=2", false, ap_log2 },
	{ "loglevel=8", false, ap_log8 },
	{ "ktest=all", false, ap_ktest_all },
	{ "ktest=\"buddy,slab\"", false, ap_ktest_two },
	{ "bench=vmalloc", false, ap_bench },
	{ "poweroff", false, ap_poweroff },
	{ "fail_page_alloc=77", false, ap_fpa },
	{ "fail_slab=0x5", false, ap_fslab },
	{ "vmalloc_lazy=4096", false, ap_lazy },
	{ "randomize_memory", false, ap_rand },
	{ "nokaslr", false, ap_nokaslr },
	{ "noconsole", false, ap_nocons },
	{ "mem=256M", false, ap_mem },
	{ "loglevel=11", true, NULL },
	{ "ktest=A", true, NULL },
	{ "bogus", true, NULL },
	{ "mem=1x", true, NULL },
	{ "poweroff=0", true, NULL },
	{ "fail_slab=", true, NULL },
	{ "bench=\"x", true, NULL }, /* swallows the rest: only ever used last */
};

static void test_random_lines(void **state)
{
	const size_t nr_words = ARRAY_SIZE(words);

	(void)state;
	srand(1234);
	for (int iter = 0; iter < 5000; iter++) {
		struct cmdline_opts want = cmdline_defaults;
		char line[1024] = "";
		int n = rand() % 12, want_problems = 0;

		for (int k = 0; k < n; k++) {
			/* The open-quote word eats the rest of the line: allow it only last. */
			size_t pick = rand() % (k == n - 1 ? nr_words : nr_words - 1);
			const struct word_case *wc = &words[pick];

			strcat(line, rand() % 2 ? " " : "\t  ");
			strcat(line, wc->word);
			if (wc->bad)
				want_problems++;
			else
				wc->apply(&want);
		}
		assert_int_equal(parse(line), want_problems);
		if (memcmp(&opts, &want, offsetof(struct cmdline_opts, ktest)) ||
		    strcmp(opts.ktest, want.ktest) || strcmp(opts.bench, want.bench) ||
		    opts.poweroff != want.poweroff ||
		    opts.fail_page_alloc != want.fail_page_alloc ||
		    opts.fail_slab != want.fail_slab ||
		    opts.lazy_max_pages != want.lazy_max_pages ||
		    opts.randomize_memory != want.randomize_memory ||
		    opts.console != want.console || opts.mem_limit != want.mem_limit)
			fail_msg("iteration %d: line '%s' parsed differently from the model", iter,
				 line);
	}
}

/* Random bytes must never crash the parser or read past the string (ASan). */
static void test_random_bytes(void **state)
{
	(void)state;
	srand(99);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = rand() % 200;
		char *s = malloc(len + 1);
		int problems;

		for (size_t i = 0; i < len; i++) {
			static const char alphabet[] = "ab=\" \t/,_09xMkG";

			s[i] = rand() % 4 ? alphabet[rand() % (sizeof(alphabet) - 1)]
					  : (char)(1 + rand() % 255);
		}
		s[len] = '\0';
		problems = parse(s);
		assert_true(problems >= 0 && (size_t)problems <= len);
		assert_true(opts.loglevel >= -1 && opts.loglevel <= 8);
		assert_true(strlen(opts.ktest) < sizeof(opts.ktest));
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_null_opts),
		cmocka_unit_test(test_loglevel),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_vmalloc_size),
		cmocka_unit_test(test_unknown_and_path),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_smp_options),
		cmocka_unit_test(test_blanks_and_counts),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_random_lines),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
