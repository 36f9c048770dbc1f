/*
 * Atomics and memory barriers, in one place (Linux names).
 *
 * x86-64 is TSO: loads are not reordered with loads, stores not with
 * stores, and a locked instruction is a full barrier. So smp_rmb() and
 * smp_wmb() only stop the compiler; smp_mb() is a real fence, needed when a
 * store must be visible before a later load (Dekker, wake-up flags).
 * The operations use GCC's __atomic builtins, which emit lock-prefixed
 * instructions; all of them are full barriers on x86 except atomic_read()
 * and atomic_set(), which are plain accesses the compiler may not tear.
 * The spin-wait hint cpu_relax() is in asm/processor.h.
 */
#ifndef KERNEL_ATOMIC_H
#define KERNEL_ATOMIC_H

#include "kernel/compiler.h"

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	long counter;
} atomic_long_t;

#define ATOMIC_INIT(i) \
	{              \
		(i)    \
	}

#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		barrier()
#define smp_wmb()		barrier()
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Exchange and compare-exchange on any naturally aligned scalar. */
#define xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define cmpxchg(p, old, new)                                                             \
	({                                                                               \
		__typeof__(*(p)) __old = (old);                                          \
		__atomic_compare_exchange_n((p), &__old, (new), false, __ATOMIC_SEQ_CST, \
					    __ATOMIC_SEQ_CST);                           \
		__old; /* the value found: equal to @old on success */                   \
	})

#define ATOMIC_OPS(prefix, atype, ctype)                                     \
	static inline ctype prefix##_read(const atype *v)                    \
	{                                                                    \
		return READ_ONCE(v->counter);                                \
	}                                                                    \
	static inline void prefix##_set(atype *v, ctype i)                   \
	{                                                                    \
		WRITE_ONCE(v->counter, i);                                   \
	}                                                                    \
	static inline ctype prefix##_add_return(ctype i, atype *v)           \
	{                                                                    \
		return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); \
	}                                                                    \
	static inline ctype prefix##_fetch_add(ctype i, atype *v)            \
	{                                                                    \
		return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST); \
	}                                                                    \
	static inline void prefix##_add(ctype i, atype *v)                   \
	{                                                                    \
		prefix##_fetch_add(i, v);                                    \
	}                                                                    \
	static inline void prefix##_sub(ctype i, atype *v)                   \
	{                                                                    \
		prefix##_fetch_add(-i, v);                                   \
	}                                                                    \
	static inline void prefix##_inc(atype *v)                            \
	{                                                                    \
		prefix##_fetch_add(1, v);                                    \
	}                                                                    \
	static inline void prefix##_dec(atype *v)                            \
	{                                                                    \
		prefix##_fetch_add(-1, v);                                   \
	}                                                                    \
	static inline ctype prefix##_inc_return(atype *v)                    \
	{                                                                    \
		return prefix##_add_return(1, v);                            \
	}                                                                    \
	static inline ctype prefix##_dec_return(atype *v)                    \
	{                                                                    \
		return prefix##_add_return(-1, v);                           \
	}                                                                    \
	static inline bool prefix##_dec_and_test(atype *v)                   \
	{                                                                    \
		return prefix##_dec_return(v) == 0;                          \
	}                                                                    \
	static inline ctype prefix##_xchg(atype *v, ctype i)                 \
	{                                                                    \
		return xchg(&v->counter, i);                                 \
	}                                                                    \
	static inline ctype prefix##_cmpxchg(atype *v, ctype old, ctype new) \
	{                                                                    \
		return cmpxchg(&v->counter, old, new);                       \
	}

ATOMIC_OPS(atomic, atomic_t, int)
ATOMIC_OPS(atomic_long, atomic_long_t, long)
#undef ATOMIC_OPS

/* Atomic bit operations on an unsigned long bitmap word. */
static inline void set_bit(unsigned int nr, unsigned long *addr)
{
	__atomic_fetch_or(&addr[nr / 64], 1UL << (nr % 64), __ATOMIC_SEQ_CST);
}

static inline void clear_bit(unsigned int nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[nr / 64], ~(1UL << (nr % 64)), __ATOMIC_SEQ_CST);
}

static inline bool test_and_set_bit(unsigned int nr, unsigned long *addr)
{
	unsigned long bit = 1UL << (nr % 64);

	return __atomic_fetch_or(&addr[nr / 64], bit, __ATOMIC_SEQ_CST) & bit;
}

static inline bool test_bit(unsigned int nr, const unsigned long *addr)
{
	return (READ_ONCE(addr[nr / 64]) >> (nr % 64)) & 1;
}

#endif /* KERNEL_ATOMIC_H */
