/*
 * printk: formatted kernel messages with a log level, kept in a ring buffer
 * (dmesg) and written to every registered console sink when the level
 * allows it.
 *
 * A message may start with KERN_<LEVEL> ("\001" + digit), as in Linux.
 * Every line, in log_buf and on the consoles, starts with a timestamp:
 *
 *	[    0.123456] text
 *
 * "[%5llu.%06llu] ": seconds since the first message (at least five
 * characters, right-aligned) and microseconds, from the TSC; 0.000000 until
 * tsc_calibrate() has run. PRINTK_TIME_LEN characters for times below
 * 100000 s. A message longer than PRINTK_MSG_MAX - 1 bytes is cut and ends
 * with "[...truncated]\n", so the next message starts a line of its own.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include "kernel/compiler.h"
#include "kernel/types.h"

#define PRINTK_MSG_MAX	  512 /* bytes of one message, NUL included */
#define PRINTK_TRUNC_MARK "[...truncated]\n"

#define KERN_SOH     "\001"
#define KERN_EMERG   KERN_SOH "0"
#define KERN_ALERT   KERN_SOH "1"
#define KERN_CRIT    KERN_SOH "2"
#define KERN_ERR     KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE  KERN_SOH "5"
#define KERN_INFO    KERN_SOH "6"
#define KERN_DEBUG   KERN_SOH "7"
#define KERN_CONT    KERN_SOH "c"

#define LOGLEVEL_DEFAULT	 4  /* messages without a level */
#define CONSOLE_LOGLEVEL_DEFAULT 7  /* print everything but debug */
#define CONSOLE_LOGLEVEL_QUIET	 4  /* `quiet`: warnings and worse only */
#define PRINTK_TIME_LEN		 15 /* "[    0.123456] " */

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list args);

extern int console_loglevel; /* print messages with level < this */
extern bool console_enabled;
/* Stamp lines on the consoles (log_buf always has the stamps). The
 * interactive console turns it off while a command prints its answer. */
extern bool printk_console_time;

/*
 * A console sink (Linux's struct console): printk calls write() with text
 * that may hold several lines; "\n" ends a line. write() must not sleep or
 * allocate and is called with interrupts off.
 */
struct console {
	const char *name;
	void (*write)(const char *s, size_t len);
	struct console *next; /* printk's list */
};

/* Add @con to the sinks (again is a no-op). It must stay alive for ever. */
void register_console(struct console *con);

/*
 * The log as dmesg shows it: positions count every byte ever printed.
 * dmesg_start(0) is the oldest byte kept (and not cleared); dmesg_start(N)
 * the start of the Nth line from the end. dmesg_copy() copies from *@pos
 * up to @size bytes and advances *@pos; it returns 0 at the end.
 * dmesg_clear(@upto) hides everything before position @upto from later reads
 * (dmesg -c passes where its copy ended, so nothing printed meanwhile is lost).
 */
unsigned long dmesg_start(unsigned long last_lines);
size_t dmesg_copy(unsigned long *pos, char *buf, size_t size);
void dmesg_clear(unsigned long upto);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define pr_emerg(fmt, ...)  printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)   printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)    printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)   printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)   printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)  printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)   printk(KERN_CONT fmt, ##__VA_ARGS__)

/*
 * Per-file tracing (lk's LOCAL_TRACE): define LOCAL_TRACE 1 at the top of a
 * file to turn its ltrace() calls on. They cost nothing when off.
 */
#define ltrace(fmt, ...)                                                                     \
	do {                                                                                 \
		if (LOCAL_TRACE)                                                             \
			printk(KERN_DEBUG "%s:%d: " fmt, __func__, __LINE__, ##__VA_ARGS__); \
	} while (0)

#endif /* KERNEL_PRINTK_H */
