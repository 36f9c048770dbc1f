/*
 * The interactive console: a "contig> " prompt on COM1 from which a person
 * can look at memory and drive the allocators by hand. This file is the
 * dispatcher; the rest of debug/console/ holds the line editor (edit.c),
 * the number parser (parse.c) and the commands, grouped by topic:
 * info.c (the dumps), mem.c (peek, poke, ptdump, walk), alloc.c (vmalloc,
 * vfree, vmap, ioremap) and run.c (ktest, bench, reboot, poweroff).
 *
 *   UART --IRQ 4--> serial driver ring --> edit.c console_read_line()
 *                         |                    |
 *                         | ^C while a command runs: intr_pending
 *                         v                    v
 *                console_interrupted()   console_execute(): words --> .console_cmds --> fn
 *
 * Commands register themselves with CONSOLE_CMD() (include/debug/console.h)
 * into the .console_cmds section, which is in no particular order; `help`
 * and Tab completion walk it in name order.
 *
 * Output: the console's own answers go straight to the serial port. The
 * dumps are the kernel's own *_dump() functions, printed through printk
 * with the console log level raised and the timestamps left off the console
 * for the duration of the command (log_buf keeps them), so that they read
 * as the /proc files they imitate.
 *
 * Locking: [C] console context only; [F] the serial driver's receive
 * filter, which runs with interrupts off.
 */
#include "asm/irqflags.h"
#include "asm/serial.h"
#include "debug/console/internal.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

#define CONSOLE_MAX_ARGS 8
#define KEY_CTRL_C	 0x03

extern const struct console_cmd __console_cmd_start[], __console_cmd_end[];

static bool cmd_running;  /* [C] a command is executing: ^C interrupts it */
static bool intr_pending; /* [F] ^C came while cmd_running */

void con_printf(const char *fmt, ...)
{
	char buf[256];
	va_list args;
	int n;

	va_start(args, fmt);
	n = vscnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	serial_write(buf, n);
}

void con_puts(const char *s)
{
	serial_write(s, strlen(s));
}

/* ---------------------------------------------------------------------- */
/* The command table.                                                      */

const struct console_cmd *console_cmd_find(const char *name)
{
	for (const struct console_cmd *c = __console_cmd_start; c < __console_cmd_end; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const struct console_cmd *console_cmd_next(const struct console_cmd *prev)
{
	const struct console_cmd *best = NULL;

	for (const struct console_cmd *c = __console_cmd_start; c < __console_cmd_end; c++) {
		if (prev && strcmp(c->name, prev->name) <= 0)
			continue;
		if (!best || strcmp(c->name, best->name) < 0)
			best = c;
	}
	return best;
}

static void show_usage(const struct console_cmd *c)
{
	con_printf("usage: %s%s%s\n", c->name, c->usage[0] ? " " : "", c->usage);
}

static int cmd_help(int argc, char **argv)
{
	const struct console_cmd *c;

	if (argc == 2) {
		c = console_cmd_find(argv[1]);
		if (!c) {
			con_printf("help: no command '%s' (type 'help' for the list)\n", argv[1]);
			return -EINVAL;
		}
		show_usage(c);
		con_printf("  %s\n", c->help);
		if (c->details)
			con_printf("  %s\n", c->details);
		return 0;
	}
	con_puts("Commands:\n");
	for (c = console_cmd_next(NULL); c; c = console_cmd_next(c))
		con_printf("  %-11s %-18s %s\n", c->name, c->usage, c->help);
	con_puts("Numbers: ADDR, PHYS, START and END are hex, 0x optional (ffffc20000000000);\n"
		 "    other numbers are decimal or 0x hex; SIZE, LEN and ALIGN take k, M or G.\n"
		 "Keys: left/right, Home/End, Backspace/Delete, up/down for history, Tab\n"
		 "    completes a command, ^W erases a word, ^U the line, ^C cancels the line\n"
		 "    or interrupts a long command (ktest, bench).\n");
	return 0;
}
CONSOLE_CMD(help, "[CMD]", "list the commands, or show how to use CMD", cmd_help, .max_args = 1);

/* ---------------------------------------------------------------------- */
/* ^C while a command runs.                                                */

/* The serial driver's receive filter: runs with interrupts off. */
static bool console_rx_filter(u8 c)
{
	if (c != KEY_CTRL_C || !READ_ONCE(cmd_running))
		return false;
	WRITE_ONCE(intr_pending, true);
	return true;
}

bool console_interrupted(void)
{
	if (!READ_ONCE(cmd_running))
		return false;
	serial_rx_poll();
	return READ_ONCE(intr_pending);
}

/* ---------------------------------------------------------------------- */
/* Running a line.                                                         */

/* Split @line in place into words; -1 when there are too many. */
static int split_words(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			return argc;
		if (argc == CONSOLE_MAX_ARGS)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
}

/*
 * Run @c with the dumps visible and unstamped on the console; note a ^C.
 * A call nested in a running command (a self-test run from `ktest` calling
 * console_execute()) leaves the outer command's ^C state as it found it.
 */
static int console_call(const struct console_cmd *c, int argc, char **argv)
{
	int level = console_loglevel, ret;
	bool enabled = console_enabled, stamped = printk_console_time;
	bool nested = READ_ONCE(cmd_running);

	console_loglevel = max(level, CONSOLE_LOGLEVEL_DEFAULT);
	console_enabled = true;
	printk_console_time = false;
	if (!nested)
		WRITE_ONCE(intr_pending, false);
	WRITE_ONCE(cmd_running, true);
	ret = c->fn(argc, argv);
	WRITE_ONCE(cmd_running, nested);
	console_loglevel = level;
	console_enabled = enabled;
	printk_console_time = stamped;
	if (!nested && READ_ONCE(intr_pending)) {
		serial_rx_flush(); /* what was typed ahead belonged to the interrupted command */
		con_printf("%s: interrupted by ^C\n", c->name);
	}
	return ret;
}

int console_execute(char *line)
{
	char *argv[CONSOLE_MAX_ARGS + 1];
	const struct console_cmd *c;
	int argc = split_words(line, argv);

	if (argc < 0) {
		con_printf("%s: too many words (at most %d)\n", argv[0], CONSOLE_MAX_ARGS);
		return -EINVAL;
	}
	if (!argc)
		return 0;
	argv[argc] = NULL;
	c = console_cmd_find(argv[0]);
	if (!c) {
		con_printf("%s: unknown command (type 'help' for the list)\n", argv[0]);
		return -EINVAL;
	}
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		con_printf("%s: %s arguments; ", c->name,
			   argc - 1 < c->min_args ? "missing" : "too many");
		show_usage(c);
		return -EINVAL;
	}
	return console_call(c, argc, argv);
}

void console_run(void)
{
	char line[CONSOLE_LINE_MAX];
	bool irq = false;

	serial_rx_set_filter(console_rx_filter);
	irq = !serial_rx_enable();
	local_irq_enable();
	con_printf("\nContig console on COM1 (%s). Type 'help' for the commands, Tab to "
		   "complete; Ctrl-A X quits QEMU.\n",
		   irq ? "IRQ 4" : "polled");
	for (;;) {
		console_read_line(line);
		console_history_add(line);
		console_execute(line);
	}
}
