/*
 * Host tests for lib/sort.c: random arrays of every small length against
 * libc's qsort as the oracle, stability checked on records with equal keys,
 * and sort_u64.
 */
#include <stdlib.h>
#include "host_shim.h"
#include "lib/random.h"

#include "lib/sort.c"

struct rec {
	u32 key;
	u16 seq; /* position before sorting */
	u8 pad;	 /* an odd size: 7 bytes of payload */
} __attribute__((packed));

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static int cmp_u64_libc(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return (x > y) - (x < y);
}

/* Equal keys keep their order: the sort is stable. */
static void test_sort_small_stable(void **state)
{
	struct rec v[64];
	struct rnd_state rng;

	(void)state;
	rnd_seed(&rng, 0x50f7);
	for (size_t n = 0; n <= 64; n++) {
		for (size_t i = 0; i < n; i++)
			v[i] = (struct rec){ .key = (u32)rnd_below(&rng, 8), .seq = (u16)i };
		sort_small(v, n, sizeof(v[0]), cmp_rec);
		for (size_t i = 1; i < n; i++) {
			assert_true(v[i - 1].key <= v[i].key);
			if (v[i - 1].key == v[i].key)
				assert_true(v[i - 1].seq < v[i].seq);
		}
	}
}

/* sort_u64 agrees with qsort on random arrays of 0..40 values. */
static void test_sort_u64_vs_qsort(void **state)
{
	u64 got[40], want[40];
	struct rnd_state rng;

	(void)state;
	rnd_seed(&rng, 0x50f8);
	for (unsigned int round = 0; round < 2000; round++) {
		unsigned int n = (unsigned int)rnd_below(&rng, 41);

		for (unsigned int i = 0; i < n; i++)
			got[i] = want[i] = rnd_next(&rng) >> rnd_below(&rng, 64);
		sort_u64(got, n);
		qsort(want, n, sizeof(want[0]), cmp_u64_libc);
		assert_memory_equal(got, want, n * sizeof(got[0]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_small_stable),
		cmocka_unit_test(test_sort_u64_vs_qsort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
