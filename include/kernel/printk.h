/*
 * printk: formatted kernel messages with a log level, kept in a ring buffer
 * (dmesg) and written to every console whose level allows it.
 *
 * A message may start with KERN_<LEVEL> ("\001" + digit), as in Linux.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include "kernel/compiler.h"

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

#define LOGLEVEL_DEFAULT	 4 /* messages without a level */
#define CONSOLE_LOGLEVEL_DEFAULT 7 /* print everything but debug */

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list args);

extern int console_loglevel; /* print messages with level < this */
extern bool console_enabled;
void dmesg_dump(void);
size_t dmesg_read(char *buf, size_t size);

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
