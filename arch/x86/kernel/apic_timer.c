/*
 * The local APIC timer as the tick of every CPU.
 *
 * The timer counts TMICT down to zero at the APIC's input clock divided by
 * TDCR, then raises the LVTT vector; in periodic mode it reloads TMICT. Its
 * input clock is not architectural (QEMU's is 1 GHz), so CPU 0 measures it
 * once: TMICT = ~0 one-shot and masked, a TSC-timed window of
 * CALIBRATE_MS, read TMCCT; windows whose ends were not read promptly are
 * refused, and the median of five good ones is kept. Every CPU's timer has
 * the same clock on a PC, so the APs reuse the rate.
 *
 * Per CPU: apic_ticks counts the ticks (written by its CPU in the handler).
 * jiffies is advanced by CPU 0 only, so no lock or atomic is needed: a
 * reader on another CPU sees some recent value.
 */
#include "asm/apic_timer.h"

#include "asm/apic.h"
#include "asm/irq.h"
#include "asm/processor.h"
#include "asm/tsc.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/sort.h"

#define APIC_LVT_MASKED	   (1u << 16)
#define APIC_LVTT_PERIODIC (1u << 17)
#define APIC_TDCR_DIV16	   0x3
#define CALIBRATE_MS	   10
#define CALIBRATE_WINDOWS  5
#define CALIBRATE_TRIES	   20
#define BRACKET_US	   200 /* longest TSC bracket around one timer access */

volatile unsigned long jiffies;
u32 apic_timer_khz;
static DEFINE_PER_CPU(unsigned long, apic_ticks);
static unsigned long timer_cpus; /* bit n: CPU n's timer was started */

void (*apic_timer_hook)(void);

void __weak scheduler_tick(void)
{
}

static void apic_timer_interrupt(struct pt_regs *regs __unused)
{
	void (*hook)(void) = READ_ONCE(apic_timer_hook);

	this_cpu_inc(apic_ticks);
	if (smp_processor_id() == 0)
		jiffies++;
	lapic_eoi(); /* before scheduler_tick(): it may switch away */
	if (hook)
		hook();
	scheduler_tick();
}

/*
 * The timer's rate in kHz over one window of @ms, or 0 when the window is
 * refused: each end reads the timer between two TSC reads, and an end whose
 * two reads lie more than BRACKET_US apart (the host descheduled us between
 * them) would skew the ratio.
 */
static u64 apic_timer_window(unsigned int ms)
{
	u64 t0a, t0b, t1a, t1b, cycles, ticks;
	u32 left;

	lapic_write(APIC_TDCR, APIC_TDCR_DIV16);
	lapic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	t0a = rdtsc_ordered();
	lapic_write(APIC_TMICT, 0xffffffff);
	t0b = rdtsc_ordered();
	while (rdtsc_ordered() < t0b + tsc_khz * ms)
		cpu_relax();
	t1a = rdtsc_ordered();
	left = lapic_read(APIC_TMCCT);
	t1b = rdtsc_ordered();
	lapic_write(APIC_TMICT, 0);
	if (t0b - t0a > tsc_khz * BRACKET_US / 1000 || t1b - t1a > tsc_khz * BRACKET_US / 1000)
		return 0;
	cycles = (t1a + t1b) / 2 - (t0a + t0b) / 2;
	ticks = 0xffffffffu - left;
	return ticks * tsc_khz / cycles;
}

static int apic_timer_calibrate(void)
{
	u64 khz[CALIBRATE_WINDOWS];
	unsigned int n = 0;

	if (!tsc_khz) {
		pr_err("apic timer: the TSC rate is unknown, no tick\n");
		return -ENODEV;
	}
	for (unsigned int i = 0; i < CALIBRATE_TRIES && n < CALIBRATE_WINDOWS; i++) {
		khz[n] = apic_timer_window(CALIBRATE_MS);
		n += khz[n] != 0;
	}
	if (!n) {
		pr_err("apic timer: no calibration window of %u tries was clean; no tick\n",
		       CALIBRATE_TRIES);
		return -ENODEV;
	}
	sort_u64(khz, n);
	apic_timer_khz = khz[n / 2];
	if (apic_timer_khz < HZ) {
		pr_err("apic timer: measured %u kHz, too slow for HZ=%u; no tick\n", apic_timer_khz,
		       HZ);
		apic_timer_khz = 0;
		return -ENODEV;
	}
	pr_info("apic timer: %u.%03u MHz after the divide by 16 (median of %u %u ms windows "
		"against the TSC), HZ=%u\n",
		apic_timer_khz / 1000, apic_timer_khz % 1000, n, CALIBRATE_MS, HZ);
	return 0;
}

int apic_timer_setup_this_cpu(void)
{
	if (!lapic_present())
		return -ENODEV;
	if (!apic_timer_khz && (smp_processor_id() != 0 || apic_timer_calibrate()))
		return -ENODEV;
	set_irq_handler(LOCAL_TIMER_VECTOR, apic_timer_interrupt);
	lapic_write(APIC_TDCR, APIC_TDCR_DIV16);
	lapic_write(APIC_LVTT, APIC_LVTT_PERIODIC | LOCAL_TIMER_VECTOR);
	lapic_write(APIC_TMICT, apic_timer_khz * 1000 / HZ);
	set_bit(smp_processor_id(), &timer_cpus);
	return 0;
}

bool apic_timer_running(unsigned int cpu)
{
	return cpu < NR_CPUS && test_bit(cpu, &timer_cpus);
}

unsigned long apic_timer_ticks(unsigned int cpu)
{
	return cpu_possible(cpu) ? READ_ONCE(per_cpu(apic_ticks, cpu)) : 0;
}
