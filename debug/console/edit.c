/*
 * The console's line editor: one line in a buffer with a cursor, echoed on
 * a terminal that knows only "\b" (cursor left) and printable characters,
 * plus a ring of the last lines for up/down and Tab completion of command
 * names. Bytes come from the serial driver's receive ring; with the ring
 * empty the CPU halts until the next interrupt.
 *
 *   buf:  h e l p   v m | a p        len = 9, pos = 6 (the cursor is before 'a')
 *
 * Every edit changes buf, then redraws from the cursor to the end of the
 * line (plus blanks over what got shorter) and backs the terminal's cursor
 * up to pos again, so screen and buffer agree after each key.
 *
 * Keys: printable characters insert at the cursor; left/right, Home/End
 * (ESC [ C/D/H/F, ESC [ 1~ 4~ 7~ 8~, ESC O ...); Backspace and ^H erase
 * before the cursor, Delete (ESC [ 3~) under it; ^W the word before it, ^U
 * the whole line; up/down (ESC [ A/B) walk the history; Tab completes the
 * command name; ^C abandons the line.
 */
#include "asm/irqflags.h"
#include "asm/processor.h"
#include "asm/serial.h"
#include "debug/console/internal.h"
#include "kernel/deferred.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/vmalloc.h"

#define CONSOLE_HISTORY 16 /* lines kept for up/down */

#define KEY_CTRL_C 0x03
#define KEY_BS	   0x08
#define KEY_TAB	   0x09
#define KEY_CTRL_U 0x15
#define KEY_CTRL_W 0x17
#define KEY_ESC	   0x1b
#define KEY_DEL	   0x7f

unsigned long console_idle_wakeups;

/*
 * The next input byte. Waiting is the kernel's idle time: each round runs
 * one bounded step of the deferred work (the lazy vmalloc purge), and with
 * the ring empty and no work left the CPU halts until an interrupt:
 * "sti; hlt" enables interrupts only after hlt has started, so an interrupt
 * that arrives after the check still wakes it.
 */
static int console_getc(void)
{
	bool busy;
	int c;

	for (;;) {
		vfree_deferred_run(); /* vmalloc's safe point */
		busy = deferred_work_run();
		local_irq_disable();
		c = serial_rx_getc();
		if (c >= 0) {
			local_irq_enable();
			return c;
		}
		if (busy || !serial_rx_stats().irq_on || sched_runnable_waiting()) {
			local_irq_enable();
			yield(); /* other threads of this CPU run while the console waits */
			cpu_relax();
			continue;
		}
		__asm__ __volatile__("sti; hlt" ::: "memory");
		console_idle_wakeups++;
	}
}

/* ---------------------------------------------------------------------- */
/* History.                                                                */

static char history[CONSOLE_HISTORY][CONSOLE_LINE_MAX]; /* ring of lines */
static unsigned int history_count;			/* lines ever added */

/* The line @back entries before the newest (0 = newest), or NULL. */
static const char *history_get(unsigned int back)
{
	unsigned int kept = min(history_count, (unsigned int)CONSOLE_HISTORY);

	if (back >= kept)
		return NULL;
	return history[(history_count - 1 - back) % CONSOLE_HISTORY];
}

void console_history_add(const char *line)
{
	const char *last = history_get(0);

	if (!line[0] || (last && !strcmp(last, line)))
		return;
	strlcpy(history[history_count % CONSOLE_HISTORY], line, CONSOLE_LINE_MAX);
	history_count++;
}

/* ---------------------------------------------------------------------- */
/* The buffer and the screen.                                              */

struct line_editor {
	char buf[CONSOLE_LINE_MAX];
	unsigned int len;	      /* bytes in buf (NUL after them) */
	unsigned int pos;	      /* the cursor: 0..len */
	int hist_pos;		      /* -1: the new line; k: history_get(k) shown */
	char saved[CONSOLE_LINE_MAX]; /* the new line while browsing history */
	int esc_state;		      /* 0, 1 after ESC, 2 inside "ESC [" or "ESC O" */
	unsigned int esc_param;	      /* the number in "ESC [ 3 ~" */
	bool last_cr;		      /* swallow the \n of a \r\n */
};

static void bell(void)
{
	serial_putc('\a');
}

static void cursor_back(unsigned int n)
{
	while (n--)
		serial_putc('\b');
}

/* Redraw buf[pos..len) and @blanks spaces, then put the cursor back at pos. */
static void redraw_tail(struct line_editor *ed, unsigned int blanks)
{
	serial_write(ed->buf + ed->pos, ed->len - ed->pos);
	for (unsigned int i = 0; i < blanks; i++)
		serial_putc(' ');
	cursor_back(ed->len - ed->pos + blanks);
}

static void move_to(struct line_editor *ed, unsigned int pos)
{
	if (pos < ed->pos)
		cursor_back(ed->pos - pos);
	else
		serial_write(ed->buf + ed->pos, pos - ed->pos);
	ed->pos = pos;
}

/* Remove buf[from..to) (from <= to <= len); the cursor ends at @from. */
static void delete_range(struct line_editor *ed, unsigned int from, unsigned int to)
{
	unsigned int n = to - from;

	if (!n)
		return;
	move_to(ed, from);
	memmove(ed->buf + from, ed->buf + to, ed->len - to + 1);
	ed->len -= n;
	redraw_tail(ed, n);
}

/* Insert @n bytes of @s at the cursor, as far as they fit; false if cut. */
static bool insert_text(struct line_editor *ed, const char *s, unsigned int n)
{
	unsigned int room = sizeof(ed->buf) - 1 - ed->len;
	bool fits = n <= room;

	n = min(n, room);
	memmove(ed->buf + ed->pos + n, ed->buf + ed->pos, ed->len - ed->pos + 1);
	memcpy(ed->buf + ed->pos, s, n);
	ed->len += n;
	serial_write(ed->buf + ed->pos, n);
	ed->pos += n;
	redraw_tail(ed, 0);
	if (!fits)
		bell(); /* full */
	return fits;
}

static void line_set(struct line_editor *ed, const char *text)
{
	move_to(ed, ed->len);
	delete_range(ed, 0, ed->len);
	insert_text(ed, text, strlen(text));
}

static void erase_word(struct line_editor *ed)
{
	unsigned int from = ed->pos;

	while (from && ed->buf[from - 1] == ' ')
		from--;
	while (from && ed->buf[from - 1] != ' ')
		from--;
	delete_range(ed, from, ed->pos);
}

/* Up (@older) or down through the history. */
static void line_history(struct line_editor *ed, bool older)
{
	int pos = ed->hist_pos + (older ? 1 : -1);
	const char *text;

	if (pos < -1 || (older && !history_get(pos))) {
		bell();
		return;
	}
	if (ed->hist_pos == -1)
		strlcpy(ed->saved, ed->buf, sizeof(ed->saved));
	text = pos == -1 ? ed->saved : history_get(pos);
	ed->hist_pos = pos;
	line_set(ed, text);
}

/* ---------------------------------------------------------------------- */
/* Tab: complete the command name before the cursor.                       */

static const char *find_byte(const char *s, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == c)
			return s + i;
	return NULL;
}

static unsigned int common_prefix(const char *a, const char *b, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && a[n] && a[n] == b[n])
		n++;
	return n;
}

static void list_candidates(struct line_editor *ed)
{
	serial_putc('\n');
	for (const struct console_cmd *c = console_cmd_next(NULL); c; c = console_cmd_next(c))
		if (!strncmp(c->name, ed->buf, ed->pos))
			con_printf("%s  ", c->name);
	con_puts("\n" CONSOLE_PROMPT);
	serial_write(ed->buf, ed->len);
	cursor_back(ed->len - ed->pos);
}

static void line_complete(struct line_editor *ed)
{
	const struct console_cmd *first = NULL;
	unsigned int matches = 0, common = 0;

	if (find_byte(ed->buf, ' ', ed->pos) || (ed->pos < ed->len && ed->buf[ed->pos] != ' ')) {
		bell(); /* only a first word, with the cursor at its end, is completed */
		return;
	}
	for (const struct console_cmd *c = console_cmd_next(NULL); c; c = console_cmd_next(c)) {
		if (strncmp(c->name, ed->buf, ed->pos))
			continue;
		common = first ? common_prefix(first->name, c->name, common) : strlen(c->name);
		first = first ? first : c;
		matches++;
	}
	if (!matches)
		bell();
	else if (common > ed->pos)
		insert_text(ed, first->name + ed->pos, common - ed->pos);
	else if (matches > 1)
		list_candidates(ed);
	if (matches == 1 && (ed->pos == ed->len || ed->buf[ed->pos] != ' '))
		insert_text(ed, " ", 1);
}

/* ---------------------------------------------------------------------- */
/* Keys.                                                                   */

/* The final byte of "ESC [ ..." or "ESC O ...". */
static void line_escape_end(struct line_editor *ed, int c)
{
	unsigned int param = ed->esc_param;

	if (c == 'A' || c == 'B')
		line_history(ed, c == 'A');
	else if (c == 'C' && ed->pos < ed->len)
		move_to(ed, ed->pos + 1);
	else if (c == 'D' && ed->pos)
		move_to(ed, ed->pos - 1);
	else if (c == 'H' || (c == '~' && (param == 1 || param == 7)))
		move_to(ed, 0);
	else if (c == 'F' || (c == '~' && (param == 4 || param == 8)))
		move_to(ed, ed->len);
	else if (c == '~' && param == 3 && ed->pos < ed->len)
		delete_range(ed, ed->pos, ed->pos + 1);
}

static void line_escape(struct line_editor *ed, int c)
{
	if (ed->esc_state == 1) {
		ed->esc_state = (c == '[' || c == 'O') ? 2 : 0;
		ed->esc_param = 0;
		return;
	}
	if (c >= '0' && c <= '9') {
		ed->esc_param = min(ed->esc_param * 10 + (c - '0'), 1000U);
		return;
	}
	if (c == ';')
		return; /* more parameters: only the first one matters here */
	ed->esc_state = 0;
	line_escape_end(ed, c);
}

/* A control key (or Backspace) other than Enter. */
static int line_control(struct line_editor *ed, int c)
{
	switch (c) {
	case KEY_BS:
	case KEY_DEL:
		if (ed->pos)
			delete_range(ed, ed->pos - 1, ed->pos);
		break;
	case KEY_CTRL_W:
		erase_word(ed);
		break;
	case KEY_CTRL_U:
		move_to(ed, ed->len);
		delete_range(ed, 0, ed->len);
		break;
	case KEY_TAB:
		line_complete(ed);
		break;
	case KEY_CTRL_C:
		con_puts("^C\n");
		return -1;
	case KEY_ESC:
		ed->esc_state = 1;
		break;
	}
	return 0;
}

/*
 * Feed one byte to the editor. Returns 1 when a line is complete (in
 * ed->buf), -1 when it was cancelled with ^C, 0 otherwise.
 */
static int line_key(struct line_editor *ed, int c)
{
	bool after_cr = ed->last_cr;
	char ch = (char)c;

	ed->last_cr = c == '\r';
	if (ed->esc_state) {
		line_escape(ed, c);
		return 0;
	}
	if (c == '\r' || c == '\n') {
		if (c == '\n' && after_cr)
			return 0; /* the second half of \r\n */
		move_to(ed, ed->len);
		serial_putc('\n');
		return 1;
	}
	if (c >= 0x20 && c < 0x7f) {
		insert_text(ed, &ch, 1);
		return 0;
	}
	return line_control(ed, c);
}

static void line_reset(struct line_editor *ed)
{
	memset(ed, 0, sizeof(*ed));
	ed->hist_pos = -1;
	con_puts(CONSOLE_PROMPT);
}

void console_read_line(char *buf)
{
	struct line_editor ed;
	int done;

	line_reset(&ed);
	for (;;) {
		done = line_key(&ed, console_getc());
		if (done > 0)
			break;
		if (done < 0)
			line_reset(&ed);
	}
	strlcpy(buf, ed.buf, CONSOLE_LINE_MAX);
}
