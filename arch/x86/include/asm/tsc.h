/*
 * The time-stamp counter as a clock: its rate, measured once at boot
 * against a reference the kernel can trust (arch/x86/kernel/tsc.c).
 */
#ifndef ASM_TSC_H
#define ASM_TSC_H

#include "kernel/types.h"

/* Where tsc_khz came from. */
enum tsc_source {
	TSC_SRC_NONE,	   /* not calibrated yet */
	TSC_SRC_CPUID_15H, /* CPUID 0x15: crystal clock times the TSC/crystal ratio */
	TSC_SRC_PIT,	   /* PIT channel 2 one-shot, gate polled through port 0x61 */
	TSC_SRC_CPUID_16H, /* CPUID 0x16: nominal base frequency, when the PIT failed */
};

extern u64 tsc_khz; /* TSC ticks per millisecond; 0 = unknown */
extern enum tsc_source tsc_source;
extern u64 tsc_cpuid16_khz; /* CPUID 0x16 base frequency, 0 if absent (a cross-check) */
/* The PIT calibration was confirmed: two of its measurements agreed (see tsc.c). */
extern bool tsc_pit_confirmed;

/*
 * tsc_calibrate - measure tsc_khz once
 *  => Tries CPUID 0x15 (exact when the crystal frequency is given), then the
 *     PIT (measurements of several 20 ms windows each, median, until two
 *     measurements agree: tsc_pit_confirmed), then CPUID 0x16.
 *  => Needs no interrupts; takes ~250 ms with the PIT under TCG (more on a
 *     busy host). Idempotent: later calls return at once.
 *  => Prints one line naming the source and the rate.
 */
void tsc_calibrate(void);

/*
 * tsc_pit_khz - measure the TSC rate against the PIT now, without touching
 * tsc_khz (to check it after a long run: a TSC that jumped shows up here).
 * Return: kHz, or 0 when there is no PIT.
 */
u64 tsc_pit_khz(void);

/*
 * tsc_pit_agreeing - whether the last of @n PIT measurements @khz agrees,
 * within TSC_PIT_AGREE_PER_100000, with an earlier one; *@khz_out is then
 * their mean. The calibration's rule, a pure function for the self-tests.
 */
#define TSC_PIT_AGREE_PER_100000 300 /* 0.3%: what two undisturbed ones meet */
bool tsc_pit_agreeing(const u64 *khz, unsigned int n, u64 *khz_out);

/* Name of @src for messages ("pit", "cpuid-0x15", ...). */
const char *tsc_source_name(enum tsc_source src);

/* TSC cycles to nanoseconds with the calibrated rate (0 if uncalibrated). */
static inline u64 tsc_cycles_to_ns(u64 cycles)
{
	if (!tsc_khz)
		return 0;
	/* cycles * 10^6 / khz, split so that the product cannot overflow */
	return cycles / tsc_khz * 1000000 + cycles % tsc_khz * 1000000 / tsc_khz;
}

/*
 * udelay/mdelay - busy-wait at least @us microseconds (@ms milliseconds) on
 * the TSC. Before tsc_calibrate() they assume 1 GHz: not exact, not shorter
 * on any machine Contig runs on.
 * Context: any; does not sleep.
 */
void udelay(unsigned long us);
void mdelay(unsigned long ms);

#endif /* ASM_TSC_H */
