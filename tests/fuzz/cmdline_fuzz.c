/*
 * libFuzzer target: kernel/cmdline.c, with the kernel's own number parsers
 * (lib/string.c). The input is the command line as GRUB hands it over.
 *
 * Checked for every input: no WARN; a message exactly when problems are
 * counted; every field within the range its option allows; the strings
 * terminated and made of the allowed characters. And a round trip: the
 * options found, written back as a canonical command line, parse with no
 * problem into the same options.
 */
#include "fuzz.h"
#include "fuzz_kernel_lib.h"

#undef pr_fmt
#include "kernel/cmdline.c"

static bool allowed_string(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("_,.*?", s[i])))
			return false;
	return true;
}

static void check_ranges(const struct cmdline_opts *o)
{
	assert_true(o->loglevel >= -1 && o->loglevel <= 8);
	assert_true(allowed_string(o->ktest, sizeof(o->ktest)));
	assert_true(allowed_string(o->bench, sizeof(o->bench)));
	assert_true(o->lazy_max_pages <= CMDLINE_LAZY_MAX);
	assert_true(o->mem_limit == 0 || o->mem_limit >= CMDLINE_MEM_MIN);
	assert_true(o->vmalloc_range_size % CMDLINE_PAGE_SIZE == 0);
	if (o->quiet)
		assert_true(o->loglevel >= 0);
}

/* @o as the shortest command line that gives it back. */
static void canonical(const struct cmdline_opts *o, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
#define PUT(...) (n += (size_t)scnprintf(buf + n, size - n, __VA_ARGS__))
	if (o->loglevel >= 0)
		PUT("loglevel=%d ", o->loglevel);
	if (o->quiet)
		PUT("quiet ");
	if (o->ktest[0])
		PUT("ktest=\"%s\" ", o->ktest);
	if (o->bench[0])
		PUT("bench=%s ", o->bench);
	if (o->poweroff)
		PUT("poweroff ");
	if (o->fail_page_alloc)
		PUT("fail_page_alloc=%lu ", o->fail_page_alloc);
	if (o->fail_slab)
		PUT("fail_slab=%#lx ", o->fail_slab);
	if (o->lazy_max_pages)
		PUT("vmalloc_lazy=%lu ", o->lazy_max_pages);
	if (o->vmalloc_debug_flush)
		PUT("vmalloc_debug_flush ");
	if (o->randomize_memory)
		PUT("randomize_memory ");
	if (!o->console)
		PUT("noconsole ");
	if (o->mem_limit)
		PUT("mem=%lu ", o->mem_limit);
	if (o->vmalloc_range_size)
		PUT("vmalloc=%lu ", o->vmalloc_range_size);
#undef PUT
	assert_true(n + 1 < size);
}

static bool same_opts(const struct cmdline_opts *a, const struct cmdline_opts *b)
{
	return a->loglevel == b->loglevel && a->quiet == b->quiet && !strcmp(a->ktest, b->ktest) &&
	       !strcmp(a->bench, b->bench) && a->poweroff == b->poweroff &&
	       a->fail_page_alloc == b->fail_page_alloc && a->fail_slab == b->fail_slab &&
	       a->lazy_max_pages == b->lazy_max_pages &&
	       a->vmalloc_debug_flush == b->vmalloc_debug_flush &&
	       a->randomize_memory == b->randomize_memory && a->console == b->console &&
	       a->mem_limit == b->mem_limit && a->vmalloc_range_size == b->vmalloc_range_size;
}

FUZZ_DEFAULT_INITIALIZE()

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct cmdline_opts opts, again;
	static char line[1024], line2[1024];
	char *input = fuzz_strdup(data, size);
	int problems;

	shim_log_clear();
	FUZZ_NO_WARNING(problems = cmdline_parse(input, &opts));
	free(input);
	assert_true(problems >= 0);
	if ((problems > 0) != (shim_log_len > 0))
		fail_msg("%d problems counted, but the messages were: '%s'", problems, shim_log);
	check_ranges(&opts);

	canonical(&opts, line, sizeof(line));
	shim_log_clear();
	FUZZ_NO_WARNING(problems = cmdline_parse(line, &again));
	if (problems)
		fail_msg("canonical line '%s': %d problems: %s", line, problems, shim_log);
	if (!same_opts(&opts, &again)) {
		canonical(&again, line2, sizeof(line2));
		fail_msg("canonical line '%s' parses back as '%s'", line, line2);
	}
	return 0;
}
