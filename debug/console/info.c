/*
 * Console commands that only look: the kernel's dumps in the formats of
 * the /proc files they imitate (meminfo, buddyinfo, slabinfo, vmallocinfo,
 * interrupts), the boot-time tables (layout, e820, memblock), the
 * allocators' own checks and the W+X check of the page tables, and the
 * kernel log (dmesg). None of them changes anything but dmesg -c, which
 * hides what was shown from the next dmesg.
 */
#include "asm/pic.h"
#include "asm/ptdump.h"
#include "asm/serial.h"
#include "debug/console/internal.h"
#include "kernel/errno.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

static int cmd_layout(int argc, char **argv)
{
	layout_dump();
	return 0;
}
CONSOLE_CMD(layout, "", "the boot-time virtual memory layout", cmd_layout);

static int cmd_e820(int argc, char **argv)
{
	boot_mmap_dump(&boot_info);
	return 0;
}
CONSOLE_CMD(e820, "", "the firmware memory map (BIOS-e820 lines)", cmd_e820);
CONSOLE_CMD(memmap, "", "the firmware memory map (same as e820)", cmd_e820);

static int cmd_memblock(int argc, char **argv)
{
	memblock_dump();
	return 0;
}
CONSOLE_CMD(memblock, "", "memblock's memory and reserved regions", cmd_memblock);

static int cmd_meminfo(int argc, char **argv)
{
	meminfo_dump();
	vmalloc_meminfo_dump();
	return 0;
}
CONSOLE_CMD(meminfo, "", "memory totals, as /proc/meminfo", cmd_meminfo,
	    .details = "Every field free(1) and vmstat(1) read; what Contig does not have is 0.");

static int cmd_buddyinfo(int argc, char **argv)
{
	buddyinfo_dump();
	return 0;
}
CONSOLE_CMD(buddyinfo, "", "free blocks per order, as /proc/buddyinfo", cmd_buddyinfo);

static int cmd_slabinfo(int argc, char **argv)
{
	slabinfo_dump();
	return 0;
}
CONSOLE_CMD(slabinfo, "", "the slab caches, as /proc/slabinfo (version 2.1)", cmd_slabinfo);

static int cmd_vmallocinfo(int argc, char **argv)
{
	vmallocinfo_dump();
	return 0;
}
CONSOLE_CMD(vmallocinfo, "", "every vmalloc area, as /proc/vmallocinfo", cmd_vmallocinfo);

static int cmd_vmstat(int argc, char **argv)
{
	vmalloc_stats_dump();
	return 0;
}
CONSOLE_CMD(vmstat, "", "vmalloc counters: areas, lazy purges, TLB flushes", cmd_vmstat);

static int cmd_check(int argc, char **argv)
{
	int vm = vmalloc_check(), buddy = buddy_check();
	struct ptdump_wx wx;
	unsigned long bad_wx;

	ptdump_count_wx(&wx, true);
	bad_wx = wx.wx_pages + wx.alias_pages;
	con_printf("check: vmalloc %s, buddy %s, ", vm ? "BROKEN (see above)" : "ok",
		   buddy ? "BROKEN (see above)" : "ok");
	if (bad_wx)
		con_printf("wx FAILED: %lu W+X pages, %lu writable aliases of code (see above)\n",
			   wx.wx_pages, wx.alias_pages);
	else
		con_printf("wx ok\n");
	return vm || buddy || bad_wx ? -EINVAL : 0;
}
CONSOLE_CMD(check, "", "check the vmalloc trees, the buddy free lists, no W+X pages", cmd_check,
	    .details = "The W+X part walks every mapping for pages both writable and executable, "
		       "and every executable page (image, module, vm area) for a writable "
		       "direct-map alias.");

static int cmd_interrupts(int argc, char **argv)
{
	struct serial_rx_stats rx = serial_rx_stats();

	interrupts_dump();
	con_printf("console: %lu bytes received, %lu dropped, %lu wake-ups from hlt%s\n", rx.bytes,
		   rx.dropped, console_idle_wakeups, rx.irq_on ? "" : " (polling: no IRQ)");
	return 0;
}
CONSOLE_CMD(interrupts, "", "interrupt counts per IRQ line, as /proc/interrupts", cmd_interrupts);

/* dmesg, dmesg -c (print, then clear) or dmesg N (the last N lines). */
static int cmd_dmesg(int argc, char **argv)
{
	bool clear = argc > 1 && !strcmp(argv[1], "-c");
	unsigned long last = 0, pos;
	char chunk[128];
	size_t n;

	if (argc > 1 && !clear) {
		if (con_parse("dmesg", "N", argv[1], CON_NUMBER, &last))
			return -EINVAL;
		if (!last) {
			con_puts("dmesg: N must be at least 1 line\n");
			return -EINVAL;
		}
	}
	pos = dmesg_start(last);
	while ((n = dmesg_copy(&pos, chunk, sizeof(chunk))) != 0)
		serial_write(chunk, n);
	if (clear)
		dmesg_clear(pos);
	return 0;
}
CONSOLE_CMD(dmesg, "[-c | N]", "the kernel log; -c then clears it, N: the last N lines", cmd_dmesg,
	    .max_args = 1,
	    .details = "Lines start with [seconds.microseconds] since boot, as Linux's dmesg.");
