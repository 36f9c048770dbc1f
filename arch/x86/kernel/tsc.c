/*
 * TSC calibration: how many TSC ticks make a millisecond.
 *
 * Sources, best first:
 *   CPUID 0x15	the TSC runs at crystal * EBX / EAX; exact, but only when the
 *		CPU reports the crystal frequency (ECX != 0). qemu64 has no
 *		leaf 0x15 at all.
 *   PIT	channel 2 of the 8254 counts down from a value we load at
 *		1193182 Hz; its OUT pin, readable as bit 5 of port 0x61, rises
 *		at zero (mode 0). Timing that with the TSC needs no interrupt.
 *		Under TCG the PIT follows QEMU's virtual clock, i.e. host time,
 *		and the guest TSC ticks at the host rate, so this agrees with
 *		the host's clocks (as long as QEMU's thread stays on one host
 *		CPU: hosts whose TSCs differ make the guest TSC jump).
 *   CPUID 0x16	the nominal base frequency in MHz: a fallback only (it says
 *		what the CPU is sold as, not what the TSC does).
 *
 * The PIT is read over several 20 ms windows; a window whose start or end
 * was not seen promptly (the host descheduled us) is refused, and the
 * median of the rest is one measurement. On a busy host a whole
 * measurement can still be off by 10-30% (seen: 2465 MHz for a 2096 MHz
 * TSC), so the calibration measures again until two measurements agree
 * within 0.3%, and keeps their mean; if none of TSC_CAL_TRIES do, it keeps
 * their median, says so, and leaves tsc_pit_confirmed false.
 */
#include "asm/tsc.h"
#include "lib/sort.h"

#include "asm/io.h"
#include "asm/processor.h"
#include "kernel/printk.h"

#define PIT_HZ		     1193182UL
#define PIT_CH2_DATA	     0x42
#define PIT_MODE	     0x43
#define PIT_MODE_CH2_ONESHOT 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_B		     0x61 /* NMI status and control ("port B") */
#define PORT_B_GATE2	     0x01 /* channel 2 gate */
#define PORT_B_SPEAKER	     0x02 /* speaker data enable */
#define PORT_B_OUT2	     0x20 /* channel 2 output, read-only */

#define PIT_WINDOW_MS 20
#define PIT_WINDOWS   5
#define PIT_TRIES     20
/* Give up on a window after this many polls (~35 ns each under TCG: ~3 s). */
#define PIT_MAX_POLLS 100000000UL
#define TSC_CAL_TRIES 5

u64 tsc_khz;
enum tsc_source tsc_source = TSC_SRC_NONE;
static unsigned int pit_windows_used, pit_measurements;
u64 tsc_cpuid16_khz;
bool tsc_pit_confirmed;

const char *tsc_source_name(enum tsc_source src)
{
	switch (src) {
	case TSC_SRC_CPUID_15H:
		return "cpuid-0x15";
	case TSC_SRC_PIT:
		return "pit";
	case TSC_SRC_CPUID_16H:
		return "cpuid-0x16";
	default:
		return "none";
	}
}

static u32 cpuid_max_leaf(void)
{
	u32 a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	return a;
}

/* CPUID 0x15 when it gives the crystal frequency; 0 otherwise. */
static u64 tsc_khz_from_cpuid15(u32 max_leaf)
{
	u32 den, num, crystal_hz, d;

	if (max_leaf < 0x15)
		return 0;
	cpuid(0x15, 0, &den, &num, &crystal_hz, &d);
	if (!den || !num || !crystal_hz)
		return 0;
	return (u64)crystal_hz * num / den / 1000;
}

static u64 tsc_khz_from_cpuid16(u32 max_leaf)
{
	u32 base_mhz, b, c, d;

	if (max_leaf < 0x16)
		return 0;
	cpuid(0x16, 0, &base_mhz, &b, &c, &d);
	return (u64)(base_mhz & 0xffff) * 1000;
}

/*
 * One PIT window: TSC ticks while channel 2 counts @count PIT ticks down,
 * or 0 if OUT2 never rose (no PIT) or the end was seen too late to trust.
 *
 * The gate is raised before the count is written, so counting starts with
 * the write of the high byte on real hardware and in QEMU alike; the TSC is
 * read on both sides of that write. The end lies between the last poll that saw
 * OUT2 low and the first that saw it high. If the vCPU was descheduled
 * across either edge (a busy host), that gap is long and the window is
 * refused: a late end would make the TSC look faster than it is.
 */
static u64 pit_window_cycles(u16 count, u64 max_gap)
{
	u8 portb = inb(PORT_B);
	unsigned long polls = 0;
	u64 t0, before, after;
	u8 out;

	outb(PORT_B, (portb & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_MODE, PIT_MODE_CH2_ONESHOT);
	outb(PIT_CH2_DATA, count & 0xff);
	before = rdtsc_ordered();
	outb(PIT_CH2_DATA, count >> 8);
	after = rdtsc_ordered();
	if (after - before > max_gap) {
		outb(PORT_B, portb);
		return 0;
	}
	t0 = (before + after) / 2;
	for (;;) {
		before = after;
		out = inb(PORT_B) & PORT_B_OUT2;
		after = rdtsc_ordered();
		if (out)
			break;
		if (++polls > PIT_MAX_POLLS) {
			outb(PORT_B, portb);
			return 0;
		}
	}
	outb(PORT_B, portb);
	if (after - before > max_gap)
		return 0;
	return (before + after) / 2 - t0;
}

/*
 * The PIT measurement in kHz, 0 if there is no PIT: the median of
 * PIT_WINDOWS trusted windows, out of at most PIT_TRIES. A window is
 * trusted when its end is known to within 1/2000 of its length (judged
 * against the first window, whichever it was).
 */
u64 tsc_pit_khz(void)
{
	const u16 count = PIT_HZ * PIT_WINDOW_MS / 1000;
	u64 khz[PIT_WINDOWS], first, max_gap;
	unsigned int good = 0;

	first = pit_window_cycles(count, ~0ULL);
	if (!first)
		return 0;
	max_gap = first / 2000;
	for (unsigned int i = 0; i < PIT_TRIES && good < PIT_WINDOWS; i++) {
		u64 cycles = pit_window_cycles(count, max_gap);

		if (cycles) /* cycles per (count / PIT_HZ) s, in ticks per ms */
			khz[good++] = cycles * PIT_HZ / ((u64)count * 1000);
	}
	if (!good) {
		pr_warn("tsc: every PIT window was disturbed; using a rough one\n");
		return first * PIT_HZ / ((u64)count * 1000);
	}
	sort_u64(khz, good);
	pit_windows_used = good;
	return khz[good / 2];
}

bool tsc_pit_agreeing(const u64 *khz, unsigned int n, u64 *khz_out)
{
	u64 last, bound;

	if (n < 2)
		return false;
	last = khz[n - 1];
	bound = last * TSC_PIT_AGREE_PER_100000 / 100000;
	for (unsigned int i = 0; i + 1 < n; i++) {
		if ((khz[i] > last ? khz[i] - last : last - khz[i]) <= bound) {
			*khz_out = (khz[i] + last) / 2;
			return true;
		}
	}
	return false;
}

/* PIT measurements until two agree (tsc_pit_confirmed); else their median. 0: no PIT. */
static u64 tsc_pit_khz_confirmed(void)
{
	u64 khz[TSC_CAL_TRIES], agreed;
	unsigned int n;

	for (n = 0; n < TSC_CAL_TRIES;) {
		khz[n] = tsc_pit_khz();
		if (!khz[n])
			return 0;
		pit_measurements = ++n;
		if (tsc_pit_agreeing(khz, n, &agreed)) {
			tsc_pit_confirmed = true;
			return agreed;
		}
	}
	sort_u64(khz, n);
	pr_warn("tsc: no two of %u PIT measurements agreed within 0.3%% (%llu..%llu kHz: a busy "
		"host?); using their median\n",
		n, (unsigned long long)khz[0], (unsigned long long)khz[n - 1]);
	return khz[n / 2];
}

void tsc_calibrate(void)
{
	u32 max_leaf;
	u64 khz;

	if (tsc_source != TSC_SRC_NONE)
		return;
	max_leaf = cpuid_max_leaf();
	tsc_cpuid16_khz = tsc_khz_from_cpuid16(max_leaf);
	khz = tsc_khz_from_cpuid15(max_leaf);
	if (khz) {
		tsc_source = TSC_SRC_CPUID_15H;
	} else if ((khz = tsc_pit_khz_confirmed()) != 0) {
		tsc_source = TSC_SRC_PIT;
	} else if (tsc_cpuid16_khz) {
		khz = tsc_cpuid16_khz;
		tsc_source = TSC_SRC_CPUID_16H;
	} else {
		pr_warn("tsc: no usable reference (CPUID 0x15/0x16, PIT); times stay in cycles\n");
		return;
	}
	tsc_khz = khz;
	pr_info("tsc: %llu.%03llu MHz from %s (PIT measurements %u, windows %u, CPUID max leaf "
		"%#x, 0x16 %llu)\n",
		(unsigned long long)(khz / 1000), (unsigned long long)(khz % 1000),
		tsc_source_name(tsc_source), pit_measurements, pit_windows_used, max_leaf,
		(unsigned long long)(tsc_cpuid16_khz / 1000));
}

void udelay(unsigned long us)
{
	u64 khz = tsc_khz ? tsc_khz : 1000000;
	u64 start = rdtsc_ordered();
	u64 wait = us * khz / 1000;

	while (rdtsc_ordered() - start < wait)
		cpu_relax();
}

void mdelay(unsigned long ms)
{
	while (ms--)
		udelay(1000);
}
