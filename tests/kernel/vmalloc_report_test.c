/*
 * In-kernel tests of vmalloc's reports in Linux's shapes (issue 13, item 2):
 *  - an allocation failure prints the seed's line with the caller, the mode
 *    with its flags named, the nodemask, then a stack dump;
 *  - __GFP_NOWARN keeps it silent (the failure is still counted);
 *  - past the burst, reports are held back, and the next interval opens
 *    with a "callbacks suppressed" line giving their number;
 *  - vmallocinfo prints an ioremap's phys= padded to 16 digits, and N0=
 *    (the pages on node 0, all of them) after a vmalloc area's kind.
 */
#include "debug/ktest.h"

#include "asm/tsc.h"
#include "lib/ratelimit.h"
#include "lib/vsprintf.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define HPET_PHYS 0xfed00000ULL /* registers of a device, never RAM on QEMU */

static struct ratelimit_state vr_saved_rs;

/* A ktest_defer() action: the report rate limit as it was before the test. */
static void vr_rs_restore(void *unused)
{
	(void)unused;
	vmalloc_warn_rs = vr_saved_rs;
}

/* Save the rate limit (restored when @t ends) and set it to @burst per @interval_ns. */
static void vr_rs_set(struct ktest *t, u64 interval_ns, unsigned int burst)
{
	vr_saved_rs = vmalloc_warn_rs;
	ktest_defer(t, vr_rs_restore, NULL);
	vmalloc_warn_rs = (struct ratelimit_state)RATELIMIT_STATE_INIT(interval_ns, burst);
}

/* A size vmalloc() refuses at once (more pages than RAM), distinct for each @i. */
static unsigned long vr_huge(unsigned long i)
{
	return (totalram_pages + 1 + i) * PAGE_SIZE;
}

KTEST(vmalloc_report, failure_names_mode_nodemask_and_dumps_stack)
{
	unsigned long mark, fails = vmalloc_stats.alloc_failures;
	char want[KTEST_NEEDLE_MAX];

	vr_rs_set(t, 0, 0); /* no limit */
	mark = ktest_log_mark();
	KTEST_EXPECT_NULL(t, __vmalloc(vr_huge(0), __GFP_ZERO));
	snprintf(want, sizeof(want), "vmalloc: allocation failure: %lu bytes, caller ", vr_huge(0));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, want));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark,
					   ", mode:0x1(GFP_KERNEL|__GFP_ZERO), nodemask=(null)"));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "Call Trace:"));
	KTEST_EXPECT_EQ(t, vmalloc_stats.alloc_failures, fails + 1);

	mark = ktest_log_mark();
	KTEST_EXPECT_NULL(t, __vmalloc(0, GFP_ATOMIC | __GFP_DMA32));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, "vmalloc: allocation failure: 0 bytes, caller "));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark,
					   ", mode:0xa(GFP_ATOMIC|__GFP_DMA32), nodemask=(null)"));
}

KTEST(vmalloc_report, nowarn_failure_is_silent)
{
	unsigned long mark, fails = vmalloc_stats.alloc_failures;

	vr_rs_set(t, 0, 0);
	mark = ktest_log_mark();
	KTEST_EXPECT_NULL(t, __vmalloc(vr_huge(0), GFP_KERNEL | __GFP_NOWARN));
	KTEST_EXPECT_NULL(t, __vmalloc(0, __GFP_NOWARN | __GFP_ZERO));
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, "allocation failure"));
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, "Call Trace:"));
	KTEST_EXPECT_EQ(t, vmalloc_stats.alloc_failures, fails + 2);
}

KTEST(vmalloc_report, burst_then_callbacks_suppressed)
{
	const unsigned int burst = 4, extra = 3;
	char want[KTEST_NEEDLE_MAX];
	unsigned long mark;
	unsigned int i;

	if (!tsc_khz)
		KTEST_SKIP(t, "no calibrated TSC: reports are not rate limited");
	/* an interval no test outlasts: only the burst counts */
	vr_rs_set(t, 3600ULL * 1000000000ULL, burst);
	mark = ktest_log_mark();
	for (i = 0; i < burst + extra; i++)
		KTEST_EXPECT_NULL(t, vmalloc(vr_huge(i)));
	for (i = 0; i < burst + extra; i++) {
		snprintf(want, sizeof(want), "vmalloc: allocation failure: %lu bytes, caller ",
			 vr_huge(i));
		KTEST_EXPECT_EQ(t, ktest_log_has(mark, want), i < burst);
	}
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, "callbacks suppressed"));
	KTEST_EXPECT_EQ(t, vmalloc_warn_rs.missed, extra);

	/* end the interval now: the next failure reports, after the count */
	vmalloc_warn_rs.interval_ns = 1;
	mark = ktest_log_mark();
	KTEST_EXPECT_NULL(t, vmalloc(vr_huge(burst + extra)));
	snprintf(want, sizeof(want), "warn_alloc: %u callbacks suppressed", extra);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, want));
	snprintf(want, sizeof(want), "vmalloc: allocation failure: %lu bytes, caller ",
		 vr_huge(burst + extra));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, want));
}

static void vr_iounmap(void *addr)
{
	iounmap(addr);
}

KTEST(vmalloc_report, vmallocinfo_pads_phys_and_counts_node_pages)
{
	char want[KTEST_NEEDLE_MAX];
	unsigned long mark;
	void *io, *v;

	io = ioremap(HPET_PHYS, PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, io);
	ktest_defer(t, vr_iounmap, io);
	v = ktest_vmalloc(t, 3 * PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, v);

	mark = ktest_log_mark();
	vmallocinfo_dump();
	snprintf(want, sizeof(want), "0x%016lx-0x%016lx    8192 ", (unsigned long)io,
		 (unsigned long)io + 2 * PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, want));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, " phys=0x00000000fed00000 ioremap\n"));
	KTEST_EXPECT_FALSE(t, ktest_log_has(mark, " phys=0xfed00000 "));
	snprintf(want, sizeof(want), "0x%016lx-0x%016lx   16384 ", (unsigned long)v,
		 (unsigned long)v + 4 * PAGE_SIZE);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, want));
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, " pages=3 vmalloc N0=3\n"));
}
