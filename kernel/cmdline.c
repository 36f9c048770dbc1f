/*
 * The kernel command line. One table, cmdline_options[], says everything
 * about each option: its name, what kind of value it takes (none, a number
 * in a range, a size, or a list of names), where the value goes in struct
 * cmdline_opts and a line of help. The parser only walks the words and
 * consults the table.
 *
 * Words are separated by blanks. A word is a flag ("poweroff") or
 * name=value; a value may be put in double quotes (ktest="buddy,slab").
 * Nothing on the command line can stop the boot: a word that cannot be used
 * is reported with one line naming the option and the value, the field keeps
 * its default, and the problem is counted in the return value.
 */
#define pr_fmt(fmt) "cmdline: " fmt

#include "kernel/cmdline.h"
#include "kernel/compiler.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

#define CMDLINE_ULONG_MAX (~0UL)
#define CMDLINE_MEM_MIN	  (16UL << 20) /* mem= below this cannot boot */
#define CMDLINE_LAZY_MAX  (1UL << 20)  /* 4 GiB of lazily freed vmalloc space */
#define CMDLINE_PAGE_SIZE 4096UL       /* vmalloc= is page-aligned; the layout checks the rest */

enum cmdline_kind {
	CMDLINE_FLAG,	/* no value; stores flag_value into a bool */
	CMDLINE_UINT,	/* unsigned number in [min, max] into an int or unsigned long */
	CMDLINE_SIZE,	/* memparse() size in [min, max] into an unsigned long */
	CMDLINE_STRING, /* list of globs, [a-z0-9_,.*?], into a char array */
};

struct cmdline_option {
	const char *name;
	enum cmdline_kind kind;
	size_t offset; /* of the field in struct cmdline_opts */
	size_t size;   /* of that field */
	unsigned long min, max;
	unsigned long align; /* CMDLINE_SIZE: the value must be a multiple of it (0 = any) */
	bool flag_value;
	const char *help;
};

#define OPT_FIELD(f) offsetof(struct cmdline_opts, f), sizeof(((struct cmdline_opts *)0)->f)

#define OPT_FLAG(n, f, v, h)                                                              \
	{                                                                                 \
		.name = n, .kind = CMDLINE_FLAG, OPT_FIELD(f), .flag_value = v, .help = h \
	}
#define OPT_UINT(n, f, lo, hi, h)                                                              \
	{                                                                                      \
		.name = n, .kind = CMDLINE_UINT, OPT_FIELD(f), .min = lo, .max = hi, .help = h \
	}
#define OPT_SIZE(n, f, lo, hi, al, h)                                                             \
	{                                                                                         \
		.name = n, .kind = CMDLINE_SIZE, OPT_FIELD(f), .min = lo, .max = hi, .align = al, \
		.help = h                                                                         \
	}
#define OPT_STRING(n, f, h)                                                \
	{                                                                  \
		.name = n, .kind = CMDLINE_STRING, OPT_FIELD(f), .help = h \
	}

static const struct cmdline_option cmdline_options[] = {
	OPT_UINT("loglevel", loglevel, 0, 8,
		 "console log level: print messages below it (8 = everything)"),
	OPT_FLAG("quiet", quiet, true,
		 "console log level 4: only warnings and worse (loglevel= wins)"),
	OPT_STRING("ktest", ktest,
		   "run the self-tests: all, list, or globs on suite[.case], comma-separated"),
	OPT_STRING("bench", bench, "run the benchmarks: all, or names separated by commas"),
	OPT_STRING("modules", modules,
		   "load these GRUB modules at boot: all, or names/globs, comma-separated"),
	OPT_FLAG("poweroff", poweroff, true, "power off when the tests or benchmarks are done"),
	OPT_UINT("fail_page_alloc", fail_page_alloc, 0, CMDLINE_ULONG_MAX,
		 "make the Nth page allocation fail (0 = never)"),
	OPT_UINT("fail_slab", fail_slab, 0, CMDLINE_ULONG_MAX,
		 "make the Nth slab allocation fail (0 = never)"),
	OPT_UINT("vmalloc_lazy", lazy_max_pages, 0, CMDLINE_LAZY_MAX,
		 "pages freed lazily before vmalloc purges them (0 = default)"),
	OPT_FLAG("vmalloc_debug_flush", vmalloc_debug_flush, true,
		 "flush the TLB at every vfree/vunmap: a use after free faults at once"),
	OPT_FLAG("lockdep", lockdep, true,
		 "check the order locks are taken in and report possible deadlocks"),
	OPT_FLAG("lock_stat", lock_stat, true,
		 "count every lock's acquisitions and hold times (console `lockstat`)"),
	OPT_FLAG("randomize_memory", randomize_memory, true,
		 "randomise the bases of the direct map, vmalloc and vmemmap"),
	OPT_FLAG("nokaslr", randomize_memory, false, "keep the default memory layout"),
	OPT_FLAG("noconsole", console, false, "do not start the interactive console"),
	OPT_SIZE("mem", mem_limit, CMDLINE_MEM_MIN, CMDLINE_ULONG_MAX, 0,
		 "use no RAM above SIZE (k, M or G suffix)"),
	OPT_FLAG("nosmp", nosmp, true, "run on the boot CPU only: start no other CPU"),
	OPT_UINT("maxcpus", maxcpus, 0, NR_CPUS,
		 "start at most N CPUs, the boot CPU included (0 = as nosmp)"),
	OPT_UINT("smp_fail_cpu", smp_fail_cpu, 1, NR_CPUS - 1,
		 "fault injection: send CPU N no startup IPI, so that it does not answer"),
	OPT_SIZE("vmalloc", vmalloc_range_size, CMDLINE_PAGE_SIZE, CMDLINE_ULONG_MAX,
		 CMDLINE_PAGE_SIZE,
		 "size of the vmalloc area (k, M, G or T suffix; checked against the layout)"),
	OPT_UINT("vmalloc_stress.seed", stress_seed, 0, CMDLINE_ULONG_MAX,
		 "seed of the vmalloc_stress self-test, to replay a run (0 = from the TSC)"),
	OPT_UINT("vmalloc_stress.ms", stress_ms, 0, 24UL * 3600 * 1000,
		 "milliseconds the vmalloc_stress self-test runs (0 = its default)"),
};

static const struct cmdline_opts cmdline_defaults = {
	.loglevel = -1,
	.console = true,
	.maxcpus = -1,
};

struct cmdline_opts cmdline_opts = {
	.loglevel = -1,
	.console = true,
	.maxcpus = -1,
};

/* One word of the command line, as spans of the original string. */
struct cmdline_word {
	const char *text; /* the whole word, for messages */
	size_t text_len;
	const char *name;
	size_t name_len;
	const char *value; /* NULL when there is no '=' */
	size_t value_len;
	bool open_quote; /* a quoted value with no closing quote */
};

static bool cmdline_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Cut the next word out of @p into @w; returns where to go on, or NULL at the end. */
static const char *cmdline_next_word(const char *p, struct cmdline_word *w)
{
	while (cmdline_is_blank(*p))
		p++;
	if (!*p)
		return NULL;

	memset(w, 0, sizeof(*w));
	w->text = w->name = p;
	while (*p && *p != '=' && !cmdline_is_blank(*p))
		p++;
	w->name_len = p - w->name;
	if (*p == '=') {
		p++;
		if (*p == '"') {
			w->value = ++p;
			while (*p && *p != '"')
				p++;
			w->value_len = p - w->value;
			if (*p == '"')
				p++;
			else
				w->open_quote = true;
		} else {
			w->value = p;
			while (*p && !cmdline_is_blank(*p))
				p++;
			w->value_len = p - w->value;
		}
	}
	w->text_len = p - w->text;
	return p;
}

static const struct cmdline_option *cmdline_find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmdline_options); i++) {
		const struct cmdline_option *o = &cmdline_options[i];

		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	}
	return NULL;
}

/* What a value of @o looks like, for messages and the help text. */
static const char *cmdline_expect(const struct cmdline_option *o, char *buf, size_t size)
{
	switch (o->kind) {
	case CMDLINE_FLAG:
		return "no value";
	case CMDLINE_UINT:
		if (o->min == 0 && o->max == CMDLINE_ULONG_MAX)
			return "a number";
		snprintf(buf, size, "%lu..%lu", o->min, o->max);
		return buf;
	case CMDLINE_SIZE:
		if (o->min < (1UL << 20))
			snprintf(buf, size,
				 "a multiple of %lu, with an optional k, M, G or T suffix",
				 o->align);
		else
			snprintf(buf, size,
				 "a size of at least %luM, with an optional k, M or G suffix",
				 o->min >> 20);
		return buf;
	case CMDLINE_STRING:
		snprintf(buf, size, "at most %d of a-z, 0-9 and _,.*?", CMDLINE_STR_MAX - 1);
		return buf;
	}
	return "?";
}

static void cmdline_store_ulong(const struct cmdline_option *o, struct cmdline_opts *opts,
				unsigned long v)
{
	void *field = (char *)opts + o->offset;

	if (o->size == sizeof(int))
		*(int *)field = (int)v; /* the table keeps max within int for these */
	else
		*(unsigned long *)field = v;
}

/* Parse a number or size value of @o from @val; false (with a message) if unusable. */
static bool cmdline_set_number(const struct cmdline_option *o, const char *val,
			       struct cmdline_opts *opts)
{
	char expect[96];
	unsigned long v;
	int ret;

	if (o->kind == CMDLINE_SIZE)
		ret = memparse(val, &v);
	else
		ret = kstrtoul(val, 0, &v);
	if (ret == -ERANGE || (ret == 0 && (v < o->min || v > o->max))) {
		pr_warn("%s: value '%s' out of range (expected %s), keeping default\n", o->name,
			val, cmdline_expect(o, expect, sizeof(expect)));
		return false;
	}
	if (ret) {
		pr_warn("%s: invalid value '%s' (expected %s), keeping default\n", o->name, val,
			cmdline_expect(o, expect, sizeof(expect)));
		return false;
	}
	if (o->align && v % o->align) {
		pr_warn("%s: value '%s' is not a multiple of %lu, keeping default\n", o->name, val,
			o->align);
		return false;
	}
	cmdline_store_ulong(o, opts, v);
	return true;
}

static bool cmdline_set_string(const struct cmdline_option *o, const char *val,
			       struct cmdline_opts *opts)
{
	for (const char *c = val; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || strchr("_,.*?", *c))
			continue;
		pr_warn("%s: invalid character '%c' in '%s' (expected a-z, 0-9 and _,.*?), keeping default\n",
			o->name, *c, val);
		return false;
	}
	memcpy((char *)opts + o->offset, val, strlen(val) + 1);
	return true;
}

/* Apply one option=value (or flag) word; false (with a message) if unusable. */
static bool cmdline_apply(const struct cmdline_option *o, const struct cmdline_word *w,
			  struct cmdline_opts *opts)
{
	char val[CMDLINE_STR_MAX];
	char expect[96];

	if (o->kind == CMDLINE_FLAG) {
		if (w->value) {
			pr_warn("%s: a flag takes no value, '%.*s' ignored\n", o->name,
				(int)w->text_len, w->text);
			return false;
		}
		*(bool *)((char *)opts + o->offset) = o->flag_value;
		return true;
	}
	if (w->open_quote) {
		pr_warn("%s: no closing quote in '%.*s', keeping default\n", o->name,
			(int)w->text_len, w->text);
		return false;
	}
	if (!w->value || w->value_len == 0) {
		pr_warn("%s: missing value (expected %s), keeping default\n", o->name,
			cmdline_expect(o, expect, sizeof(expect)));
		return false;
	}
	if (w->value_len >= sizeof(val)) {
		pr_warn("%s: value of %zu characters is too long (at most %zu), keeping default\n",
			o->name, w->value_len, sizeof(val) - 1);
		return false;
	}
	memcpy(val, w->value, w->value_len);
	val[w->value_len] = '\0';

	if (o->kind == CMDLINE_STRING)
		return cmdline_set_string(o, val, opts);
	return cmdline_set_number(o, val, opts);
}

/*
 * cmdline_parse - see include/kernel/cmdline.h.
 *
 * => Later words override earlier ones ("loglevel=3 loglevel=5" gives 5).
 * => A NULL @opts is a caller bug: WARN and count one problem.
 */
int cmdline_parse(const char *cmdline, struct cmdline_opts *opts)
{
	const char *p = cmdline;
	struct cmdline_word w;
	bool first = true;
	int problems = 0;

	if (WARN_ON_ONCE(!opts))
		return 1;
	*opts = cmdline_defaults;
	if (!p)
		return 0;

	while ((p = cmdline_next_word(p, &w))) {
		const struct cmdline_option *o;

		if (first && w.text[0] == '/') {
			first = false;
			continue; /* the image path, when the loader passes it */
		}
		first = false;
		o = cmdline_find(w.name, w.name_len);
		if (!o) {
			pr_warn("unknown option '%.*s' ignored\n", (int)w.text_len, w.text);
			problems++;
			continue;
		}
		if (!cmdline_apply(o, &w, opts))
			problems++;
	}
	if (opts->quiet && opts->loglevel < 0)
		opts->loglevel = CONSOLE_LOGLEVEL_QUIET;
	return problems;
}

/* cmdline_dump_help - print one line per option: its syntax and what it does. */
void cmdline_dump_help(void)
{
	char syntax[48], expect[96];

	pr_info("options (words separated by spaces, values may be quoted):\n");
	for (size_t i = 0; i < ARRAY_SIZE(cmdline_options); i++) {
		const struct cmdline_option *o = &cmdline_options[i];

		switch (o->kind) {
		case CMDLINE_FLAG:
			snprintf(syntax, sizeof(syntax), "%s", o->name);
			break;
		case CMDLINE_UINT:
			snprintf(syntax, sizeof(syntax), "%s=%s", o->name,
				 o->max == CMDLINE_ULONG_MAX
					 ? "N"
					 : cmdline_expect(o, expect, sizeof(expect)));
			break;
		case CMDLINE_SIZE:
			snprintf(syntax, sizeof(syntax), "%s=SIZE", o->name);
			break;
		case CMDLINE_STRING:
			snprintf(syntax, sizeof(syntax), "%s=LIST", o->name);
			break;
		}
		pr_info("  %-24s %s\n", syntax, o->help);
	}
}
