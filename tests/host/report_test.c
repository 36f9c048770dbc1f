/*
 * Host tests for the pieces of vmalloc's failure report: the gfp-flag
 * names (mm/gfp.c) and the rate limit (lib/ratelimit.c), driven with
 * explicit times so that no assertion depends on the clock.
 */
#include <string.h>
#include "host_shim.h"

#include "lib/ratelimit.c"
#include "mm/gfp.c"

static void expect_gfp(gfp_t gfp, const char *want)
{
	char buf[128];
	int len = gfp_flags_snprint(buf, sizeof(buf), gfp);

	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
}

static void test_gfp_names(void **state)
{
	(void)state;
	expect_gfp(GFP_KERNEL, "GFP_KERNEL");
	expect_gfp(GFP_ATOMIC, "GFP_ATOMIC");
	expect_gfp(GFP_KERNEL | __GFP_ZERO, "GFP_KERNEL|__GFP_ZERO");
	expect_gfp(GFP_ATOMIC | __GFP_NOWARN | __GFP_ZERO, "GFP_ATOMIC|__GFP_ZERO|__GFP_NOWARN");
	expect_gfp(__GFP_DMA32 | __GFP_NOFAULT, "GFP_KERNEL|__GFP_DMA32|__GFP_NOFAULT");
}

static void test_gfp_unknown_bits_in_hex(void **state)
{
	(void)state;
	expect_gfp(0x100, "GFP_KERNEL|0x100");
	expect_gfp(__GFP_ZERO | 0xf00, "GFP_KERNEL|__GFP_ZERO|0xf00");
	expect_gfp(0x80000000u | __GFP_ATOMIC, "GFP_ATOMIC|0x80000000");
}

static void test_gfp_truncated(void **state)
{
	char buf[8];
	char none[1] = { 'x' };

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(gfp_flags_snprint(buf, sizeof(buf), __GFP_ZERO),
			 strlen("GFP_KERNEL|__GFP_ZERO"));
	assert_string_equal(buf, "GFP_KER");
	assert_int_equal(gfp_flags_snprint(none, 0, __GFP_ZERO | 0x100),
			 strlen("GFP_KERNEL|__GFP_ZERO|0x100"));
	assert_int_equal(none[0], 'x');
}

#define NS 1000000000ULL

static void test_ratelimit_burst_then_suppressed(void **state)
{
	struct ratelimit_state rs = RATELIMIT_STATE_INIT(5 * NS, 10);
	unsigned int sup, allowed = 0, i;

	(void)state;
	for (i = 0; i < 13; i++) {
		allowed += ratelimit_at(&rs, 100 * NS + i, &sup);
		assert_int_equal(sup, 0);
	}
	assert_int_equal(allowed, 10);
	/* still inside the interval: held back, no count yet */
	assert_false(ratelimit_at(&rs, 104 * NS, &sup));
	assert_int_equal(sup, 0);
	/* the next interval: allowed, and the 4 held back are handed over once */
	assert_true(ratelimit_at(&rs, 105 * NS, &sup));
	assert_int_equal(sup, 4);
	assert_true(ratelimit_at(&rs, 105 * NS + 1, &sup));
	assert_int_equal(sup, 0);
}

static void test_ratelimit_quiet_interval_reports_nothing(void **state)
{
	struct ratelimit_state rs = RATELIMIT_STATE_INIT(5 * NS, 2);
	unsigned int sup;

	(void)state;
	assert_true(ratelimit_at(&rs, 0, &sup)); /* time 0 opens an interval too */
	assert_true(ratelimit_at(&rs, 1, &sup));
	assert_false(ratelimit_at(&rs, 2, &sup));
	assert_true(ratelimit_at(&rs, 5 * NS + 1, &sup));
	assert_int_equal(sup, 1);
	assert_true(ratelimit_at(&rs, 20 * NS, &sup));
	assert_int_equal(sup, 0);
}

static void test_ratelimit_zero_interval_unlimited(void **state)
{
	struct ratelimit_state rs = RATELIMIT_STATE_INIT(0, 1);
	unsigned int sup;

	(void)state;
	for (int i = 0; i < 100; i++)
		assert_true(ratelimit_at(&rs, 7, &sup));
	assert_int_equal(rs.missed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gfp_names),
		cmocka_unit_test(test_gfp_unknown_bits_in_hex),
		cmocka_unit_test(test_gfp_truncated),
		cmocka_unit_test(test_ratelimit_burst_then_suppressed),
		cmocka_unit_test(test_ratelimit_quiet_interval_reports_nothing),
		cmocka_unit_test(test_ratelimit_zero_interval_unlimited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
