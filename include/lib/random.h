/*
 * A small deterministic generator for tests and benchmarks: xorshift64*
 * (Marsaglia's xorshift with a multiplying output step, Vigna 2014). The
 * same seed gives the same sequence on every boot and host, so a failing
 * randomised run is replayed by printing its seed. Not for anything that
 * needs unpredictability.
 */
#ifndef LIB_RANDOM_H
#define LIB_RANDOM_H

#include "kernel/types.h"

struct rnd_state {
	u64 x; /* never 0 */
};

/* Start @s from @seed; a 0 seed is replaced by a fixed non-zero one. */
static inline void rnd_seed(struct rnd_state *s, u64 seed)
{
	s->x = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

/* The next 64 random bits. */
static inline u64 rnd_next(struct rnd_state *s)
{
	u64 x = s->x;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->x = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A value in [0, n), n > 0 (modulo bias is below 2^-32 for n < 2^32). */
static inline u64 rnd_below(struct rnd_state *s, u64 n)
{
	return rnd_next(s) % n;
}

#endif /* LIB_RANDOM_H */
