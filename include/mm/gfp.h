/* Allocation flags for the page and slab allocators (Linux names). */
#ifndef MM_GFP_H
#define MM_GFP_H

typedef unsigned int gfp_t;

#define __GFP_ZERO    0x01u /* return zeroed memory */
#define __GFP_DMA32   0x02u /* pages below 4 GiB only */
#define __GFP_NOWARN  0x04u /* no allocation-failure message */
#define __GFP_ATOMIC  0x08u /* caller cannot sleep (we never sleep: documentation) */
#define __GFP_NOFAULT 0x10u /* exempt from fault injection (tests' own bookkeeping) */

#define GFP_KERNEL 0u
#define GFP_ATOMIC __GFP_ATOMIC
#define GFP_NOWAIT __GFP_ATOMIC
#define GFP_DMA32  __GFP_DMA32

#endif /* MM_GFP_H */
