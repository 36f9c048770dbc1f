/*
 * The tree's two sorts, both in place without allocation, elements moved by
 * byte swaps so any element size works without a buffer: insertion sort
 * (stable, O(n^2), for the small arrays it is used on: medians of timing
 * repetitions, the firmware's memory map) and heapsort (O(n log n), not
 * stable, for arrays whose length comes from outside: a module's symbols).
 */
#include "lib/sort.h"

static void swap_bytes(char *a, char *b, size_t size)
{
	while (size--) {
		char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

void sort_small(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b))
{
	char *v = base;

	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp(v + (j - 1) * size, v + j * size) > 0; j--)
			swap_bytes(v + (j - 1) * size, v + j * size, size);
}

/* Move the element at @root down the max-heap v[0..n) to its place. */
static void sift_down(char *v, size_t root, size_t n, size_t size,
		      int (*cmp)(const void *a, const void *b))
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && cmp(v + child * size, v + (child + 1) * size) < 0)
			child++;
		if (cmp(v + root * size, v + child * size) >= 0)
			return;
		swap_bytes(v + root * size, v + child * size, size);
	}
}

void sort(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b))
{
	char *v = base;

	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n, size, cmp);
	for (size_t end = n; end-- > 1;) {
		swap_bytes(v, v + end * size, size);
		sift_down(v, 0, end, size, cmp);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

void sort_u64(u64 *v, unsigned int n)
{
	sort_small(v, n, sizeof(*v), cmp_u64);
}
