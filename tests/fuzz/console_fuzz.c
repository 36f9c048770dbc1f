/*
 * libFuzzer target: the console's input path, as typed on COM1. The input
 * is the byte stream the UART receives; it goes through the real line
 * editor (debug/console/edit.c: keys, escapes, history, Tab completion),
 * the real dispatcher (debug/console/console.c: words, the command table,
 * word counts, `help`) and the real number parser (debug/console/parse.c
 * with lib/string.c), line after line, as console_run() does.
 *
 * The commands other than `help` are stand-ins with the real names, usages
 * and word counts that only parse their words with con_parse() (the real
 * ones would peek at and map the addresses typed). Checked:
 *  - the screen: a terminal model of what was echoed (printable bytes and
 *    "\b" on one row) never backs up past the row's start, and when a line
 *    is entered its row reads the prompt and then exactly the line;
 *  - the dispatcher: the words a command gets are the blank-separated
 *    words of the line, their count within the command's bounds; a line of
 *    no words does nothing, a refused one returns -EINVAL with a message;
 *  - con_parse(): agrees with a reference parser written from the rules in
 *    debug/console/internal.h (value, or -EINVAL with one line naming the
 *    command, the word, and "more than 64 bits" for an overflow).
 */
#include "fuzz.h"
#include "fuzz_kernel_lib.h"

#include "asm/serial.h"
#include "kernel/compiler.h"

/*
 * The command table: a section with a C-identifier name gets __start_ and
 * __stop_ symbols from the linker and no AddressSanitizer red zones
 * between its entries (".console_cmds" would get both wrong on the host).
 */
#undef __section
#define __section(s)	    __attribute__((section("console_cmds")))
#define __console_cmd_start __start_console_cmds
#define __console_cmd_end   __stop_console_cmds

#include "debug/console/console.c"
#include "debug/console/edit.c"
#include "debug/console/parse.c"

int console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
bool console_enabled = true, printk_console_time = true;

/* ---- the UART: input from the fuzzer, output into a terminal model ---- */

#define ROW_MAX	      4096
#define ENTERS_AT_END 16 /* Enter keys after the input before the editor must give up */

static const u8 *in_data;
static size_t in_size, in_pos, in_enters;

static struct {
	char row[ROW_MAX], last[ROW_MAX]; /* the row being written, the one before */
	size_t col, len, last_len;
} term;

int serial_rx_getc(void)
{
	if (in_pos < in_size)
		return in_data[in_pos++];
	if (++in_enters > ENTERS_AT_END)
		fail_msg("the line editor ends no line after %d Enter keys", ENTERS_AT_END);
	return '\r';
}

static void term_putc(char c)
{
	if (c == '\n') {
		memcpy(term.last, term.row, term.len);
		term.last[term.len] = '\0';
		term.last_len = term.len;
		term.len = term.col = 0;
	} else if (c == '\b') {
		if (!term.col)
			fail_msg("the console backs up past the start of the row");
		term.col--;
	} else if (c >= 0x20 && c < 0x7f) {
		assert_true(term.col < ROW_MAX - 1);
		term.row[term.col++] = c;
		term.len = term.col > term.len ? term.col : term.len;
	} else if (c != '\a') {
		fail_msg("the console echoes byte %#x", (unsigned char)c);
	}
}

void serial_putc(char c)
{
	term_putc(c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		term_putc(s[i]);
}

/* Forget the last row (to see what one call prints). */
static void term_forget(void)
{
	term.last[0] = '\0';
	term.last_len = 0;
}

struct serial_rx_stats serial_rx_stats(void)
{
	return (struct serial_rx_stats){ .irq_on = true };
}

void serial_rx_flush(void)
{
}

void serial_rx_poll(void)
{
}

void serial_rx_set_filter(bool (*filter)(u8 c))
{
	(void)filter;
}

int serial_rx_enable(void)
{
	return 0;
}

void vfree_deferred_run(void)
{
}

bool deferred_work_run(void)
{
	return false;
}

/* ---- the reference number parser ---------------------------------------- */

static int ref_digit(char c, unsigned int base)
{
	int d = c >= '0' && c <= '9'   ? c - '0'
		: c >= 'a' && c <= 'z' ? c - 'a' + 10
		: c >= 'A' && c <= 'Z' ? c - 'A' + 10
				       : 99;
	return d < (int)base ? d : -1;
}

/* 0, -EINVAL or -ERANGE, from internal.h's rules alone. */
static int ref_parse(const char *s, enum con_num_kind kind, unsigned long *res)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned int base = hex || kind == CON_ADDR ? 16 : 10, shift = 0;
	unsigned long v = 0;
	bool over = false;
	const char *p;

	if (hex && ref_digit(s[2], 16) >= 0)
		s += 2;
	for (p = s; ref_digit(*p, base) >= 0; p++)
		over |= __builtin_mul_overflow(v, base, &v) ||
			__builtin_add_overflow(v, (unsigned long)ref_digit(*p, base), &v);
	if (p == s)
		return -EINVAL;
	if (over)
		return -ERANGE;
	if (kind == CON_SIZE && *p && !p[1] && strchr("kKmMgG", *p))
		shift = strchr("kK", *p) ? 10 : strchr("mM", *p) ? 20 : 30, p++;
	if (*p)
		return -EINVAL;
	if (shift && v > (~0UL >> shift))
		return -ERANGE;
	*res = v << shift;
	return 0;
}

/* ---- the stand-in commands -------------------------------------------------- */

static const char *line_words[CONSOLE_MAX_ARGS + 2]; /* the reference split */
static int line_nwords;
static bool command_ran;

/* @kinds: one letter per word after the name: a(ddr), n(umber), s(ize), w(ord). */
static int parse_words(int argc, char **argv, const char *kinds)
{
	command_ran = true;
	assert_int_equal(argc, line_nwords);
	assert_null(argv[argc]);
	for (int i = 0; i < argc; i++)
		assert_string_equal(argv[i], line_words[i]);
	for (int i = 1; i < argc; i++) {
		static const enum con_num_kind kind_of[] = {
			['a'] = CON_ADDR, ['n'] = CON_NUMBER, ['s'] = CON_SIZE
		};
		unsigned long got = 0x5a5a, want = 0xa5a5;
		int ret, ref;

		assert_true(kinds[i - 1]);
		if (kinds[i - 1] == 'w')
			continue;
		ref = ref_parse(argv[i], kind_of[(int)kinds[i - 1]], &want);
		term_forget();
		ret = con_parse(argv[0], "X", argv[i], kind_of[(int)kinds[i - 1]], &got);
		if (ret != (ref ? -EINVAL : 0))
			fail_msg("%s: con_parse('%s') = %d, the rules say %d", argv[0], argv[i],
				 ret, ref);
		if (!ref && got != want)
			fail_msg("%s: con_parse('%s') = %#lx, the rules say %#lx", argv[0], argv[i],
				 got, want);
		if (ref &&
		    (term.len || !strstr(term.last, argv[i]) || !strstr(term.last, argv[0]) ||
		     !strstr(term.last, "more than 64 bits") != (ref != -ERANGE)))
			fail_msg("%s: con_parse('%s') refused it with '%s'", argv[0], argv[i],
				 term.last);
	}
	return 0;
}

#define STAND_IN(cname, usage, kinds, lo, hi)              \
	static int stand_in_##cname(int argc, char **argv) \
	{                                                  \
		return parse_words(argc, argv, kinds);     \
	}                                                  \
	CONSOLE_CMD(cname, usage, "stand-in", stand_in_##cname, .min_args = lo, .max_args = hi)

STAND_IN(vmalloc, "SIZE [ALIGN]", "ss", 1, 2);
STAND_IN(vzalloc, "SIZE", "s", 1, 1);
STAND_IN(vmap, "N", "n", 1, 1);
STAND_IN(ioremap, "PHYS SIZE", "as", 2, 2);
STAND_IN(vfree, "ADDR", "a", 1, 1);
STAND_IN(iounmap, "ADDR", "a", 1, 1);
STAND_IN(peek, "ADDR [LEN]", "as", 1, 2);
STAND_IN(poke, "ADDR VALUE [WIDTH]", "ann", 2, 3);
STAND_IN(ptdump, "[START [END]]", "aa", 0, 2);
STAND_IN(walk, "ADDR", "a", 1, 1);
STAND_IN(dmesg, "[-c | N]", "w", 0, 1);
STAND_IN(ktest, "[SPEC]", "w", 0, 1);
STAND_IN(meminfo, "", "", 0, 0);

/* ---- one line ------------------------------------------------------------------ */

/* Split a copy of @line at blanks, as the console is documented to. */
static void reference_split(char *copy)
{
	line_nwords = 0;
	for (char *w = strtok(copy, " \t"); w; w = strtok(NULL, " \t"))
		if (line_nwords < CONSOLE_MAX_ARGS + 1)
			line_words[line_nwords++] = w;
}

static void run_line(char *line)
{
	static char copy[CONSOLE_LINE_MAX];
	const struct console_cmd *c;
	int ret;

	/* The editor's row: the prompt, then the line (blanks may trail). */
	if (term.last_len < sizeof(CONSOLE_PROMPT) - 1 ||
	    memcmp(term.last, CONSOLE_PROMPT, sizeof(CONSOLE_PROMPT) - 1))
		fail_msg("the line '%s' was entered on a row without the prompt", line);
	for (size_t i = sizeof(CONSOLE_PROMPT) - 1 + strlen(line); i < term.last_len; i++)
		if (term.last[i] != ' ')
			fail_msg("the row of '%s' shows '%.*s'", line, (int)term.last_len,
				 term.last);
	if (memcmp(term.last + sizeof(CONSOLE_PROMPT) - 1, line, strlen(line)))
		fail_msg("the row of '%s' shows '%.*s'", line, (int)term.last_len, term.last);

	console_history_add(line);
	assert_true(strlen(line) < CONSOLE_LINE_MAX);
	memcpy(copy, line, strlen(line) + 1);
	reference_split(copy);
	c = line_nwords ? console_cmd_find(line_words[0]) : NULL;
	command_ran = false;
	term_forget();
	FUZZ_NO_WARNING(ret = console_execute(line));
	if (!line_nwords) {
		assert_int_equal(ret, 0);
		assert_false(command_ran);
		return;
	}
	if (line_nwords > CONSOLE_MAX_ARGS || !c || line_nwords - 1 < c->min_args ||
	    line_nwords - 1 > c->max_args) {
		assert_int_equal(ret, -EINVAL);
		assert_false(command_ran);
		if (!term.last_len)
			fail_msg("'%s' refused without a message", line_words[0]);
		return;
	}
	if (!strcmp(line_words[0], "help")) {
		/* help NAME refuses a NAME that is no command */
		assert_int_equal(ret,
				 line_nwords == 1 || console_cmd_find(line_words[1]) ? 0 : -EINVAL);
		return;
	}
	assert_int_equal(ret, 0);
	assert_true(command_ran);
}

FUZZ_DEFAULT_INITIALIZE()

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char line[CONSOLE_LINE_MAX];

	in_data = data;
	in_size = size;
	in_pos = in_enters = 0;
	memset(&term, 0, sizeof(term));
	history_count = 0;
	shim_log_clear();
	while (in_pos < in_size) {
		console_read_line(line);
		run_line(line);
	}
	return 0;
}
