/*
 * printk: every message goes into log_buf, a ring of the last LOG_BUF_LEN
 * bytes (dmesg; the GDB helper contig-dmesg reads it straight from memory),
 * and to the serial console when its level is below console_loglevel.
 *
 * log_buf holds plain text. log_next counts every byte ever written, so the
 * ring's live part is [max(0, log_next - LOG_BUF_LEN), log_next).
 * Interrupts are off while a message is stored and written, so lines from an
 * interrupt handler never split another message.
 */
#include "asm/irqflags.h"
#include "asm/serial.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "lib/vsprintf.h"

#define LOG_BUF_LEN (1UL << 17)

char log_buf[LOG_BUF_LEN];
unsigned long log_next;
int console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
bool console_enabled = true;
static bool line_open; /* the last message did not end with a newline */
static int line_level; /* level of the open line, for KERN_CONT */

static void log_store(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_buf[(log_next + i) % LOG_BUF_LEN] = s[i];
	log_next += len;
}

int vprintk(const char *fmt, va_list args)
{
	char buf[512];
	const char *text = buf;
	int level = LOGLEVEL_DEFAULT;
	unsigned long flags;
	int len;

	len = vscnprintf(buf, sizeof(buf), fmt, args);
	if (text[0] == KERN_SOH[0] && text[1]) {
		if (text[1] == 'c')
			level = line_open ? line_level : LOGLEVEL_DEFAULT;
		else if (text[1] >= '0' && text[1] <= '7')
			level = text[1] - '0';
		text += 2;
		len -= 2;
	} else if (line_open) {
		level = line_level;
	}

	local_irq_save(flags);
	log_store(text, len);
	if (console_enabled && level < console_loglevel)
		serial_write(text, len);
	line_open = len > 0 && text[len - 1] != '\n';
	line_level = level;
	local_irq_restore(flags);
	return len;
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

/* Print the whole ring to the console, oldest byte first. */
void dmesg_dump(void)
{
	unsigned long start = log_next > LOG_BUF_LEN ? log_next - LOG_BUF_LEN : 0;

	for (unsigned long i = start; i < log_next; i++)
		serial_putc(log_buf[i % LOG_BUF_LEN]);
}

/* Copy the ring's live part into @buf (NUL-terminated); returns the length. */
size_t dmesg_read(char *buf, size_t size)
{
	unsigned long start = log_next > LOG_BUF_LEN ? log_next - LOG_BUF_LEN : 0;
	size_t n = 0;

	if (!size)
		return 0;
	for (unsigned long i = start; i < log_next && n + 1 < size; i++)
		buf[n++] = log_buf[i % LOG_BUF_LEN];
	buf[n] = '\0';
	return n;
}
