/*
 * Insertion sort of a few u64 samples (medians of timing repetitions). Stable,
 * no allocation; O(n^2), so only for the small arrays it is used on.
 */
#include "lib/sort.h"

void sort_u64(u64 *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		u64 x = v[i];
		unsigned int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}
