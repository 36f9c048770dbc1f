/*
 * Rate limiting of repeated messages (Linux's ratelimit): at most @burst
 * messages per @interval_ns; the ones over are counted, and the count is
 * handed back once, when the next interval opens, for a "N callbacks
 * suppressed" line. The caller gives the time (vmalloc uses the TSC).
 */
#ifndef LIB_RATELIMIT_H
#define LIB_RATELIMIT_H

#include "kernel/types.h"

#define DEFAULT_RATELIMIT_INTERVAL_NS 5000000000ULL /* 5 s, as Linux */
#define DEFAULT_RATELIMIT_BURST	      10

struct ratelimit_state {
	u64 interval_ns; /* 0: no limit */
	unsigned int burst;
	u64 begin;	      /* start of the current interval, ns; 0: none yet */
	unsigned int printed; /* messages let through in it */
	unsigned int missed;  /* messages held back in it */
};

#define RATELIMIT_STATE_INIT(interval, nr)               \
	{                                                \
		.interval_ns = (interval), .burst = (nr) \
	}

/*
 * ratelimit_at - may one more message go out at time @now_ns?
 *  => Opens a new interval when none is open or @now_ns is past the end of
 *     the open one; then *@suppressed is the count held back in the old
 *     one (0 when none), which the caller should print. Otherwise
 *     *@suppressed is 0. Returns false when the burst is spent (the
 *     message is counted as missed). Not locked: callers serialise.
 */
bool ratelimit_at(struct ratelimit_state *rs, u64 now_ns, unsigned int *suppressed);

#endif /* LIB_RATELIMIT_H */
