/*
 * Insertion sort, the tree's one sort: stable, in place, no allocation and
 * O(n^2), so only for the small arrays it is used on (medians of timing
 * repetitions, the firmware's memory map). Elements move by byte swaps
 * with their left neighbour, so any element size works without a buffer.
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

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

void sort_u64(u64 *v, unsigned int n)
{
	sort_small(v, n, sizeof(*v), cmp_u64);
}
