/*
 * What the files of debug/console/ share and nobody else may use: output,
 * the one number parser, the command table in name order, and the line
 * editor's entry point.
 */
#ifndef DEBUG_CONSOLE_INTERNAL_H
#define DEBUG_CONSOLE_INTERNAL_H

#include "debug/console.h"
#include "kernel/types.h"

#define CONSOLE_PROMPT	 "contig> "
#define CONSOLE_LINE_MAX 128 /* bytes per line, NUL included */

/* The console's answers go straight to the serial line, not to the log. */
void con_printf(const char *fmt, ...) __printf(1, 2);
void con_puts(const char *s);

/*
 * How a number on the console is written; one rule per kind, everywhere:
 *   CON_ADDR   an address: hex, with or without 0x (ffffc20000000000)
 *   CON_NUMBER a count or value: decimal, or hex with 0x (4096, 0x1000)
 *   CON_SIZE   a CON_NUMBER with an optional k, M or G suffix (64k, 0x10M)
 */
enum con_num_kind {
	CON_ADDR,
	CON_NUMBER,
	CON_SIZE
};

/*
 * con_parse - read @s as a number of @kind into *@res
 * Return: 0, or -EINVAL after one line naming @cmd, @what and @s.
 */
int con_parse(const char *cmd, const char *what, const char *s, enum con_num_kind kind,
	      unsigned long *res);

/* The command called @name, or NULL. */
const struct console_cmd *console_cmd_find(const char *name);
/* The command after @prev in name order (the first when @prev is NULL), or NULL. */
const struct console_cmd *console_cmd_next(const struct console_cmd *prev);

/* Read one edited line (the prompt first) into @buf of CONSOLE_LINE_MAX bytes. */
void console_read_line(char *buf);
void console_history_add(const char *line);
extern unsigned long console_idle_wakeups; /* times hlt returned at the prompt */

#endif /* DEBUG_CONSOLE_INTERNAL_H */
