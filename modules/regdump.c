/*
 * regdump: ioremap the HPET's register block (0xfed00000, 1 KiB, on QEMU's
 * pc machine) uncached and print its capabilities: vendor, revision, number
 * of timers, counter width and period, and the configuration word. The
 * mapping lives while the module is loaded (it shows in vmallocinfo as an
 * ioremap area with this module's caller) and goes on unload.
 * Shows: a module using ioremap/iounmap and MMIO accessors, and a data
 * pointer kept across init and exit.
 */
#include "asm/io.h"
#include "kernel/errno.h"
#include "kernel/module.h"
#include "kernel/printk.h"
#include "mm/vmalloc.h"

#define HPET_BASE	0xfed00000UL
#define HPET_LEN	0x400
#define HPET_CAP_LO	0x000 /* revision, timers, counter size, vendor */
#define HPET_CAP_HI	0x004 /* counter period in femtoseconds */
#define HPET_CONFIG	0x010
#define HPET_COUNTER_LO 0x0f0

static void *regdump_hpet;

static int regdump_init(void)
{
	u32 cap, period;

	regdump_hpet = ioremap(HPET_BASE, HPET_LEN);
	if (!regdump_hpet) {
		printk("regdump: ioremap(%#lx, %#x) failed\n", HPET_BASE, HPET_LEN);
		return -ENOMEM;
	}
	cap = readl(regdump_hpet + HPET_CAP_LO);
	period = readl(regdump_hpet + HPET_CAP_HI);
	if (cap == 0xffffffffu || !period) {
		printk("regdump: no HPET at %#lx (capabilities %#x, period %u)\n", HPET_BASE, cap,
		       period);
		iounmap(regdump_hpet);
		return -ENODEV;
	}
	printk("regdump: HPET at %#lx mapped at %p: vendor %#06x rev %u, %u timers, %u-bit counter\n",
	       HPET_BASE, regdump_hpet, cap >> 16, cap & 0xff, ((cap >> 8) & 0x1f) + 1,
	       cap & (1u << 13) ? 64 : 32);
	printk("regdump: period %u fs (%u kHz), config %#x, counter %#x\n", period,
	       (u32)(1000000000000ULL / period), readl(regdump_hpet + HPET_CONFIG),
	       readl(regdump_hpet + HPET_COUNTER_LO));
	return 0;
}

static void regdump_exit(void)
{
	iounmap(regdump_hpet);
	printk("regdump: HPET unmapped\n");
}

MODULE_INIT(regdump_init);
MODULE_EXIT(regdump_exit);
MODULE_NAME("regdump");
