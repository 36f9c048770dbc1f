/*
 * Host tests for arch/x86/mm/memtype.c: the fixed cases (conflict, same
 * type counted, overlap of one type, free of an unknown range, no memory),
 * then a long random run of reservations and frees against a brute-force
 * oracle, with the list's invariants checked after every step.
 */
#include <stdlib.h>
#include "host_shim.h"
#include "lib/random.h"

#include "arch/x86/mm/memtype.c"

static bool fail_kmalloc;
static long live_allocs;

void *kmalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	if (fail_kmalloc)
		return NULL;
	live_allocs++;
	return malloc(size);
}

void kfree(const void *p)
{
	if (p)
		live_allocs--;
	free((void *)p);
}

#define MB(n) ((phys_addr_t)(n) << 20)

/* Sorted by start, refs >= 1, no overlap of two types, no two equal ranges. */
static void check_list(void)
{
	struct memtype_entry *e, *f;
	unsigned long n = 0;
	phys_addr_t last = 0;

	list_for_each_entry(e, &memtype_list, list) {
		assert_true(e->start >= last);
		assert_true(e->refs >= 1);
		last = e->start;
		n++;
		for (f = list_next_entry(e, list); &f->list != &memtype_list;
		     f = list_next_entry(f, list)) {
			if (f->start < e->end && e->start < f->end)
				assert_int_equal(e->type, f->type);
			assert_false(f->start == e->start && f->end == e->end);
		}
	}
	assert_int_equal(n, memtype_count);
	assert_int_equal(live_allocs, (long)n);
}

static void test_fixed_cases(void **state)
{
	(void)state;
	assert_int_equal(memtype_of_prot(PAGE_KERNEL), MEMTYPE_WB);
	assert_int_equal(memtype_of_prot(PAGE_KERNEL_WC), MEMTYPE_WC);
	assert_int_equal(memtype_of_prot(PAGE_KERNEL_NOCACHE), MEMTYPE_UC);

	assert_int_equal(memtype_reserve(MB(1), MB(2), MEMTYPE_UC, "t", NULL), 0);
	shim_log_clear();
	assert_int_equal(memtype_reserve(MB(1) + 4096, MB(3), MEMTYPE_WC, "t", NULL), -EBUSY);
	assert_true(shim_log_has("t: phys 0x101000-0x2fffff write-combining conflicts with phys "
				 "0x100000-0x1fffff uncached"));
	assert_int_equal(memtype_reserve(MB(1), MB(2), MEMTYPE_UC, "t", NULL), 0);
	assert_int_equal(memtype_refs(MB(1), MB(2)), 2);
	assert_int_equal(memtype_reserve(MB(0), MB(4), MEMTYPE_UC, "t", NULL), 0);
	assert_int_equal(memtype_reserve(MB(2), MB(3), MEMTYPE_WB, "t", NULL), -EBUSY);
	assert_int_equal(memtype_reserve(MB(4), MB(5), MEMTYPE_WB, "t", NULL), 0); /* touches */
	assert_int_equal(memtype_nr_entries(), 3);
	check_list();

	fail_kmalloc = true;
	shim_log_clear();
	assert_int_equal(memtype_reserve(MB(8), MB(9), MEMTYPE_UC, "t", NULL), -ENOMEM);
	assert_true(shim_log_has("no memory to track"));
	fail_kmalloc = false;
	assert_int_equal(memtype_reserve(MB(9), MB(9), MEMTYPE_UC, "t", NULL), -EINVAL);
	shim_log_clear();
	assert_int_equal(memtype_free(MB(1), MB(3)), -EINVAL);
	assert_true(shim_log_has("memtype_free: phys 0x100000-0x2fffff was not reserved"));
	check_list();

	assert_int_equal(memtype_free(MB(1), MB(2)), 0);
	assert_int_equal(memtype_refs(MB(1), MB(2)), 1);
	assert_int_equal(memtype_free(MB(1), MB(2)), 0);
	assert_int_equal(memtype_free(MB(0), MB(4)), 0);
	assert_int_equal(memtype_reserve(MB(2), MB(3), MEMTYPE_WB, "t", NULL), 0); /* now free */
	assert_int_equal(memtype_free(MB(2), MB(3)), 0);
	assert_int_equal(memtype_free(MB(4), MB(5)), 0);
	assert_int_equal(memtype_nr_entries(), 0);
	check_list();
}

#define ORACLE_MAX 64

struct resv {
	phys_addr_t start, end;
	enum memtype type;
};

static struct resv oracle[ORACLE_MAX];
static int nr_oracle;

static bool oracle_conflicts(const struct resv *r)
{
	for (int i = 0; i < nr_oracle; i++)
		if (oracle[i].start < r->end && r->start < oracle[i].end &&
		    oracle[i].type != r->type)
			return true;
	return false;
}

static unsigned int oracle_refs(phys_addr_t start, phys_addr_t end)
{
	unsigned int n = 0;

	for (int i = 0; i < nr_oracle; i++)
		n += oracle[i].start == start && oracle[i].end == end;
	return n;
}

static void random_reserve(struct rnd_state *rs)
{
	struct resv r;
	int ret;

	r.start = rnd_below(rs, 32) * 4096;
	r.end = r.start + (1 + rnd_below(rs, 4)) * 4096;
	r.type = (enum memtype)rnd_below(rs, NR_MEMTYPES);
	ret = memtype_reserve(r.start, r.end, r.type, "rnd", NULL);
	if (oracle_conflicts(&r)) {
		assert_int_equal(ret, -EBUSY);
		return;
	}
	assert_int_equal(ret, 0);
	oracle[nr_oracle++] = r;
}

static void random_free(struct rnd_state *rs)
{
	int i = (int)rnd_below(rs, nr_oracle);
	struct resv r = oracle[i];

	assert_int_equal(memtype_free(r.start, r.end), 0);
	oracle[i] = oracle[--nr_oracle];
}

static void test_random_against_oracle(void **state)
{
	struct rnd_state rs;

	(void)state;
	rnd_seed(&rs, 0x6d656d74);
	for (int step = 0; step < 20000; step++) {
		if (nr_oracle < ORACLE_MAX && (nr_oracle == 0 || rnd_below(&rs, 2)))
			random_reserve(&rs);
		else
			random_free(&rs);
		check_list();
		for (int i = 0; i < nr_oracle; i++)
			assert_int_equal(memtype_refs(oracle[i].start, oracle[i].end),
					 oracle_refs(oracle[i].start, oracle[i].end));
	}
	while (nr_oracle)
		random_free(&rs);
	assert_int_equal(memtype_nr_entries(), 0);
	assert_int_equal(live_allocs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_cases),
		cmocka_unit_test(test_random_against_oracle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
