/*
 * Rate limiting of repeated messages, after Linux's lib/ratelimit.c but
 * without its lock: the one caller (vmalloc's warn_alloc()) holds none of
 * its own, and a lost count under a race only changes a report's tally.
 */
#include "lib/ratelimit.h"

bool ratelimit_at(struct ratelimit_state *rs, u64 now_ns, unsigned int *suppressed)
{
	*suppressed = 0;
	if (!rs->interval_ns)
		return true;
	if (!rs->begin || now_ns - rs->begin >= rs->interval_ns) {
		*suppressed = rs->missed;
		rs->begin = now_ns ? now_ns : 1;
		rs->printed = 0;
		rs->missed = 0;
	}
	if (rs->printed < rs->burst) {
		rs->printed++;
		return true;
	}
	rs->missed++;
	return false;
}
