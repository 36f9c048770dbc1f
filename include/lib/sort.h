/* Small in-place sorts (lib/sort.c). */
#ifndef LIB_SORT_H
#define LIB_SORT_H

#include "kernel/types.h"

/* Sort @n values ascending; insertion sort: meant for a handful of samples. */
void sort_u64(u64 *v, unsigned int n);

#endif /* LIB_SORT_H */
