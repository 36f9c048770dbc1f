/* In-place sorts (lib/sort.c): insertion sort for small arrays, heapsort for the rest. */
#ifndef LIB_SORT_H
#define LIB_SORT_H

#include "kernel/types.h"

/*
 * sort_small - sort @n elements of @size bytes at @base ascending by @cmp
 * (negative, zero or positive, as for qsort)
 *  => Stable (equal elements keep their order), in place, no allocation.
 *  => Insertion sort, O(n^2): for the handful of elements it is used on
 *     (timing samples, a firmware memory map).
 */
void sort_small(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b));

/*
 * sort - the same, in O(n log n) comparisons and swaps (heapsort)
 *  => Not stable: give @cmp a tie-break when the order of equal keys matters.
 *  => For arrays whose length comes from outside (a module's symbol table).
 */
void sort(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b));

/* Sort @n values ascending. */
void sort_u64(u64 *v, unsigned int n);

#endif /* LIB_SORT_H */
