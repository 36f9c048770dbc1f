/*
 * What the files of mm/ share and nobody else may use: fault injection,
 * the compound-head lookup, and the caller-passing entry to the buddy.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include "kernel/spinlock.h"
#include "mm/page_alloc.h"

/*
 * Fault-injection knob (fail_page_alloc, fail_slab).
 *
 * Lock legend: [L] attr->lock.
 */
struct fault_attr {
	struct spinlock lock;
	unsigned long nth;	 /* [L] calls until the first failure (1 = next); 0 = off */
	unsigned long times;	 /* [L] failures left to inject once nth is reached */
	unsigned long *injected; /* [L] where the injected failures are counted */
};

#define FAULT_ATTR_INIT(name, counter)                                                    \
	{                                                                                 \
		.lock = SPINLOCK_INIT(name), .nth = 0, .times = 0, .injected = &(counter) \
	}

/* Arm @attr: the @nth call from now fails, @times calls in a row; 0 disarms. */
void fault_attr_set(struct fault_attr *attr, unsigned long nth, unsigned long times);
/* Count one call; true when it must fail (and then it is counted as injected). */
bool should_fail(struct fault_attr *attr);

/* The head page of the block @page belongs to (itself unless PG_tail). */
static inline struct page *compound_head(struct page *page)
{
	if (page->flags & PG_tail)
		return pfn_to_page(page->private);
	return page;
}

/* alloc_pages() with the caller to name in the failure message. */
struct page *__alloc_pages(gfp_t gfp, unsigned int order, unsigned long caller);

#endif /* MM_INTERNAL_H */
