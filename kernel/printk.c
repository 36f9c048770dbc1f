/*
 * printk: every message goes into log_buf, a ring of the last LOG_BUF_LEN
 * bytes (dmesg; the GDB helper contig-dmesg reads it straight from memory),
 * and to every registered console sink when its level is below
 * console_loglevel.
 *
 *   printk(fmt) --> vsnprintf into a line buffer (cut with a marker if too long)
 *               --> for each line: "[    1.234567] " + text --> log_buf
 *                                                         `--> consoles (serial, VGA)
 *
 * log_buf holds plain text, each line opened by its timestamp: seconds and
 * microseconds since the first message, from the TSC, 0.000000 until the
 * TSC is calibrated (as Linux before its clock is up). log_next counts
 * every byte ever written, so the ring's live part is
 * [max(0, log_next - LOG_BUF_LEN), log_next); dmesg -c moves log_clear.
 * A message is stored and written under printk_lock with interrupts off,
 * so lines from an interrupt handler or another CPU never split it. The
 * lock is printk's own (not a tracked spinlock: lockdep and the lock code
 * print): a re-entry on the CPU that holds it (an oops or NMI inside
 * printk) goes straight through, and a CPU that waits longer than
 * PRINTK_LOCK_WAIT_MS for one that stopped (a panic halted it) takes the
 * lock anyway, since a lost message is worse than a garbled one.
 */
#include "asm/irqflags.h"
#include "asm/processor.h"
#include "asm/tsc.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

#define LOG_BUF_LEN	    (1UL << 17)
#define PRINTK_LOCK_WAIT_MS 1000
#define PRINTK_NO_OWNER	    (-1)

char log_buf[LOG_BUF_LEN];
unsigned long log_next;
static unsigned long log_clear; /* dmesg -c: nothing before this is shown */
int console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
bool console_enabled = true;
bool printk_console_time = true;
static struct console *console_list;	   /* in registration order */
static u64 printk_tsc_base;		   /* TSC at the first message: time 0 */
static bool line_open;			   /* the last message did not end with a newline */
static int line_level;			   /* level of the open line, for KERN_CONT */
static int printk_owner = PRINTK_NO_OWNER; /* CPU holding printk_lock */
static unsigned int printk_nest;	   /* re-entries of that CPU */

/* Take printk_lock; interrupts stay off until printk_unlock(). */
static unsigned long printk_lock(void)
{
	unsigned long flags = arch_local_irq_save();
	int me = (int)smp_processor_id();
	u64 start = rdtsc(), limit = (tsc_khz ? tsc_khz : 1000000) * PRINTK_LOCK_WAIT_MS;

	if (READ_ONCE(printk_owner) == me) {
		printk_nest++;
		return flags;
	}
	while (cmpxchg(&printk_owner, PRINTK_NO_OWNER, me) != PRINTK_NO_OWNER) {
		if (rdtsc() - start > limit) {
			WRITE_ONCE(printk_owner, me); /* its holder stopped: take it over */
			printk_nest = 0;	      /* and none of its re-entries */
			break;
		}
		cpu_relax();
	}
	return flags;
}

static void printk_unlock(unsigned long flags)
{
	if (printk_nest)
		printk_nest--;
	else
		smp_store_release(&printk_owner, PRINTK_NO_OWNER);
	arch_local_irq_restore(flags);
}

void register_console(struct console *con)
{
	struct console **pp = &console_list;

	while (*pp) {
		if (*pp == con)
			return;
		pp = &(*pp)->next;
	}
	con->next = NULL;
	*pp = con;
}

static void console_emit(const char *s, size_t len)
{
	for (struct console *con = console_list; con; con = con->next)
		con->write(s, len);
}

static void log_store(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_buf[(log_next + i) % LOG_BUF_LEN] = s[i];
	log_next += len;
}

/* "[    1.234567] " for now into @buf (PRINTK_TIME_LEN + 1 bytes or more). */
static size_t printk_time(char *buf, size_t size)
{
	u64 ns = 0;

	if (!printk_tsc_base)
		printk_tsc_base = rdtsc();
	if (tsc_khz)
		ns = tsc_cycles_to_ns(rdtsc() - printk_tsc_base);
	return scnprintf(buf, size, "[%5llu.%06llu] ", (unsigned long long)(ns / 1000000000),
			 (unsigned long long)(ns / 1000 % 1000000));
}

/* Bytes of @text up to and including its first newline (all @len if none). */
static size_t line_span(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			return i + 1;
	return len;
}

/* Store (and show, if @show) @text line by line, each new line stamped. */
static void printk_emit(const char *text, size_t len, bool show)
{
	char stamp[32];

	while (len) {
		size_t seg = line_span(text, len);

		if (!line_open) {
			size_t n = printk_time(stamp, sizeof(stamp));

			log_store(stamp, n);
			if (show && printk_console_time)
				console_emit(stamp, n);
		}
		log_store(text, seg);
		if (show)
			console_emit(text, seg);
		line_open = text[seg - 1] != '\n';
		text += seg;
		len -= seg;
	}
}

/* Format @fmt into @buf; a message too long for it ends with the marker and a newline. */
static size_t printk_format(char *buf, size_t size, const char *fmt, va_list args)
{
	size_t mark = sizeof(PRINTK_TRUNC_MARK) - 1;
	int n = vsnprintf(buf, size, fmt, args);

	if (n < 0)
		return 0;
	if ((size_t)n < size)
		return n;
	memcpy(buf + size - 1 - mark, PRINTK_TRUNC_MARK, mark + 1);
	return size - 1;
}

int vprintk(const char *fmt, va_list args)
{
	char buf[PRINTK_MSG_MAX];
	const char *text = buf;
	int level = LOGLEVEL_DEFAULT;
	unsigned long flags;
	size_t len;

	len = printk_format(buf, sizeof(buf), fmt, args);
	/* The open line and its level are shared with every CPU: decide under the lock. */
	flags = printk_lock();
	if (len >= 2 && text[0] == KERN_SOH[0]) {
		if (text[1] == 'c') {
			level = line_open ? line_level : LOGLEVEL_DEFAULT;
		} else if (text[1] >= '0' && text[1] <= '7') {
			level = text[1] - '0';
			/* A new message, not a continuation: end the open line first. */
			if (line_open)
				printk_emit("\n", 1,
					    console_enabled && line_level < console_loglevel);
		}
		text += 2;
		len -= 2;
	} else if (line_open) {
		level = line_level;
	}
	printk_emit(text, len, console_enabled && level < console_loglevel);
	line_level = level;
	printk_unlock(flags);
	return (int)len;
}

int printk(const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vprintk(fmt, args);
	va_end(args);
	return n;
}

static unsigned long log_first(void)
{
	unsigned long start = log_next > LOG_BUF_LEN ? log_next - LOG_BUF_LEN : 0;

	return max(start, log_clear);
}

unsigned long dmesg_start(unsigned long last_lines)
{
	unsigned long first = log_first(), pos = log_next;

	if (!last_lines)
		return first;
	/* Back over @last_lines newlines; the last byte is the newest line's end. */
	while (pos > first) {
		if (log_buf[(pos - 1) % LOG_BUF_LEN] == '\n' && pos != log_next && !--last_lines)
			break;
		pos--;
	}
	return pos;
}

size_t dmesg_copy(unsigned long *pos, char *buf, size_t size)
{
	size_t n = 0;

	if (*pos < log_first())
		*pos = log_first(); /* overwritten meanwhile */
	while (*pos < log_next && n < size)
		buf[n++] = log_buf[(*pos)++ % LOG_BUF_LEN];
	return n;
}

void dmesg_clear(unsigned long upto)
{
	log_clear = min(upto, log_next);
}
