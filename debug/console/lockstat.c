/*
 * The `lockstat` console command: the lock statistics per lock class
 * (kernel/lock_stat.c) in the columns of Linux's /proc/lock_stat, busiest
 * first; `lockstat clear` zeroes them, `lockstat on`/`off` switches the
 * counting of acquisitions and hold times.
 */
#include "debug/console/internal.h"
#include "kernel/errno.h"
#include "kernel/spinlock.h"
#include "lib/string.h"

static int cmd_lockstat(int argc, char **argv)
{
	if (argc == 1) {
		lock_stat_print();
		return 0;
	}
	if (!strcmp(argv[1], "clear")) {
		lock_stat_reset();
		con_puts("lockstat: counters cleared\n");
	} else if (!strcmp(argv[1], "on")) {
		lock_stat_enable();
		con_puts("lockstat: counting acquisitions and hold times\n");
	} else if (!strcmp(argv[1], "off")) {
		lock_stat_disable();
		con_puts("lockstat: counting contentions only\n");
	} else {
		con_printf("lockstat: unknown argument '%s' (clear, on or off)\n", argv[1]);
		return -EINVAL;
	}
	return 0;
}
CONSOLE_CMD(lockstat, "[clear|on|off]", "lock contentions, waits, acquisitions and holds per class",
	    cmd_lockstat, .max_args = 2,
	    .details = "Contentions and wait times are always counted; acquisitions, bounces and "
		       "hold times while lock_stat is on (the `lock_stat` command line, or "
		       "`lockstat on`). Times are in microseconds, as in Linux's /proc/lock_stat.");
