/*
 * Host tests for lib/match.c: glob_match() on literal, '?' and '*'
 * patterns, against fnmatch(3) as the oracle on random patterns and names;
 * list_match() on comma lists with empty items; and patterns built to make
 * a backtracking matcher take exponential time.
 */
#include <fnmatch.h>
#include <string.h>
#include "host_shim.h"

#include "lib/match.c"
#include "lib/random.h"

static void test_glob_literal(void **state)
{
	(void)state;
	assert_true(glob_match("", ""));
	assert_false(glob_match("", "a"));
	assert_false(glob_match("a", ""));
	assert_true(glob_match("vmalloc", "vmalloc"));
	assert_false(glob_match("vmalloc", "vmallo"));
	assert_false(glob_match("vmallo", "vmalloc")); /* the whole name must match */
	assert_false(glob_match("Vmalloc", "vmalloc"));
	assert_true(glob_match("vmalloc.guard_page_fault", "vmalloc.guard_page_fault"));
}

static void test_glob_question(void **state)
{
	(void)state;
	assert_true(glob_match("?", "a"));
	assert_false(glob_match("?", ""));
	assert_false(glob_match("?", "ab"));
	assert_true(glob_match("b?ddy", "buddy"));
	assert_true(glob_match("??", "ab"));
	assert_false(glob_match("???", "ab"));
}

static void test_glob_star(void **state)
{
	(void)state;
	assert_true(glob_match("*", ""));
	assert_true(glob_match("*", "anything.at_all"));
	assert_true(glob_match("**", ""));
	assert_true(glob_match("vmalloc.*", "vmalloc.guard_page_fault"));
	assert_true(glob_match("vmalloc.*", "vmalloc."));
	assert_false(glob_match("vmalloc.*", "vmalloc"));
	assert_false(glob_match("vmalloc.*", "vmalloc_irq.ioremap_reads_hpet"));
	assert_true(glob_match("*guard*", "vmalloc.guard_page_fault"));
	assert_true(glob_match("*guard*", "guard"));
	assert_false(glob_match("*guard*", "vmalloc.gard"));
	assert_true(glob_match("*_alloc", "vmalloc.fix_size_alloc"));
	assert_false(glob_match("*_alloc", "vmalloc.fix_size_alloc_x"));
	/* the backtracking point moves on: the first 'ab' is not the one */
	assert_true(glob_match("*ab", "aabab"));
	assert_true(glob_match("a*b*c", "axxbyybzc"));
	assert_false(glob_match("a*b*c", "axxbyybz"));
	assert_true(glob_match("*?", "x"));
	assert_false(glob_match("*?", ""));
	assert_true(glob_match("?*?", "xy"));
	assert_false(glob_match("?*?", "x"));
}

static void test_list(void **state)
{
	(void)state;
	assert_true(list_match("buddy", "buddy"));
	assert_true(list_match("slab,buddy", "buddy"));
	assert_true(list_match("buddy,slab", "buddy"));
	assert_false(list_match("slab,vmalloc", "buddy"));
	assert_true(list_match("slab,vm*", "vmalloc"));
	assert_true(list_match("slab,*", ""));
	/* Empty items match nothing, not even the empty name. */
	assert_false(list_match("", ""));
	assert_false(list_match(",", ""));
	assert_false(list_match(",,", ""));
	assert_false(list_match("a,", ""));
	assert_false(list_match(",a", ""));
	assert_true(list_match(",,buddy,,", "buddy"));
	assert_false(list_match(",,buddy,,", "budd"));
	/* An item is matched whole: no match across a comma. */
	assert_false(list_match("bu,ddy", "buddy"));
	assert_true(list_match("bu*,ddy", "bu,ddy")); /* "bu*" takes the whole name */
	assert_false(list_match("*y,x", "abc"));
	/* "all" is nothing special here. */
	assert_false(list_match("all", "buddy"));
}

/* Patterns that cost a naive recursive matcher exponential time. */
static void test_pathological(void **state)
{
	char name[4097], pat[200];
	size_t i;

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (i = 0; i < 60; i++) {
		pat[2 * i] = 'a';
		pat[2 * i + 1] = '*';
	}
	pat[120] = 'b';
	pat[121] = '\0';
	assert_false(glob_match(pat, name));
	pat[120] = '\0';
	assert_true(glob_match(pat, name));
	memset(pat, '*', 150);
	pat[150] = '\0';
	assert_true(glob_match(pat, name));
	assert_true(glob_match(pat, ""));
	pat[75] = '?';
	assert_true(glob_match(pat, "x"));
	assert_false(glob_match(pat, ""));
	/* A long list of near misses, then the hit. */
	{
		static char list[8192];
		size_t n = 0;

		for (i = 0; i < 500 && n < sizeof(list) - 32; i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "a*a*a*c,");
		snprintf(list + n, sizeof(list) - n, "a*a*a*");
		assert_true(list_match(list, name));
		list[n] = '\0';
		assert_false(list_match(list, name));
	}
}

static struct rnd_state rng = { 0x9e3779b97f4a7c15ULL };

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)rnd_below(&rng, n);
}

static void random_string(char *s, size_t max, const char *alphabet)
{
	size_t len = rnd((unsigned int)max), k = strlen(alphabet);

	for (size_t i = 0; i < len; i++)
		s[i] = alphabet[rnd((unsigned int)k)];
	s[len] = '\0';
}

/* Random small patterns and names over a tiny alphabet, against fnmatch(3). */
static void test_glob_vs_fnmatch_random(void **state)
{
	char pat[12], name[14];
	unsigned int hits = 0;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		bool want;

		random_string(pat, sizeof(pat) - 1, "ab*?.");
		random_string(name, sizeof(name) - 1, "ab.");
		want = fnmatch(pat, name, 0) == 0;
		if (glob_match(pat, name) != want)
			fail_msg("glob_match(\"%s\", \"%s\") = %d, fnmatch says %d", pat, name,
				 !want, want);
		hits += want;
	}
	/* the alphabet is small enough for both answers to be common */
	assert_true(hits > 10000);
	assert_true(hits < 190000);
}

/* list_match() is "some item matches", items cut at commas, empty ones skipped. */
static void test_list_vs_items_random(void **state)
{
	char list[24], name[10], item[24];

	(void)state;
	for (int i = 0; i < 100000; i++) {
		bool want = false;
		const char *p;

		random_string(list, sizeof(list) - 1, "ab*?,");
		random_string(name, sizeof(name) - 1, "ab");
		for (p = list;;) {
			size_t len = strcspn(p, ",");

			memcpy(item, p, len);
			item[len] = '\0';
			if (len && fnmatch(item, name, 0) == 0)
				want = true;
			if (!p[len])
				break;
			p += len + 1;
		}
		if (list_match(list, name) != want)
			fail_msg("list_match(\"%s\", \"%s\") = %d, expected %d", list, name, !want,
				 want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob_literal),
		cmocka_unit_test(test_glob_question),
		cmocka_unit_test(test_glob_star),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_pathological),
		cmocka_unit_test(test_glob_vs_fnmatch_random),
		cmocka_unit_test(test_list_vs_items_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
