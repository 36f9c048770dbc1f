/* Allocation flags for the page and slab allocators (Linux names). */
#ifndef MM_GFP_H
#define MM_GFP_H

#include "kernel/types.h"

typedef unsigned int gfp_t;

#define __GFP_ZERO    0x01u /* return zeroed memory */
#define __GFP_DMA32   0x02u /* pages below 4 GiB only */
#define __GFP_NOWARN  0x04u /* no allocation-failure message */
#define __GFP_ATOMIC  0x08u /* caller cannot sleep (we never sleep: documentation) */
#define __GFP_NOFAULT 0x10u /* exempt from fault injection (tests' own bookkeeping) */
#define __GFP_NORETRY 0x20u /* no second try after draining every CPU's page cache */

#define GFP_KERNEL 0u
#define GFP_ATOMIC __GFP_ATOMIC
#define GFP_NOWAIT __GFP_ATOMIC
#define GFP_DMA32  __GFP_DMA32

/*
 * gfp_flags_snprint - @gfp named as Linux's %pGg does: the base set first
 * (GFP_ATOMIC if __GFP_ATOMIC is set, else GFP_KERNEL, which is 0), then
 * the other known flags joined by '|', then any unknown bits as one hex
 * number: "GFP_KERNEL", "GFP_ATOMIC|__GFP_ZERO", "GFP_KERNEL|0x100".
 *  => Writes at most @size bytes into @buf, always terminated when @size > 0
 *     (truncated if short). Returns the length the whole text needs.
 */
int gfp_flags_snprint(char *buf, size_t size, gfp_t gfp);

#endif /* MM_GFP_H */
