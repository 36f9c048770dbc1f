/*
 * Completions: "this has happened", counted. complete() lets one waiter
 * through (or banks a pass for the next one), complete_all() every waiter,
 * now and later, until reinit_completion().
 *
 *	struct completion done;
 *	init_completion(&done);
 *	kthread_run(worker, &done, "w");	worker: ...; complete(&done);
 *	wait_for_completion(&done);
 *
 * Locking: [W] the wait queue's lock guards done.
 */
#ifndef KERNEL_COMPLETION_H
#define KERNEL_COMPLETION_H

#include "kernel/wait.h"

struct completion {
	unsigned int done; /* [W] passes banked; COMPLETION_ALL after complete_all() */
	struct wait_queue_head wait;
};

#define COMPLETION_ALL (~0u / 2)

#define COMPLETION_INIT(name)                                      \
	{                                                          \
		.done = 0, .wait = WAIT_QUEUE_HEAD_INIT(name.wait) \
	}
#define DECLARE_COMPLETION(name) struct completion name = COMPLETION_INIT(name)

void init_completion(struct completion *c);
/* Forget the passes banked (a completion reused for the next round). No waiter may be asleep. */
void reinit_completion(struct completion *c);

/*
 * wait_for_completion - sleep until @c is completed, then use one pass
 *  => May sleep (see wait_event()).
 */
void wait_for_completion(struct completion *c);
/* As wait_for_completion(), giving up after @ms ms. Return: 0 on timeout, else ms left (>= 1). */
long wait_for_completion_timeout(struct completion *c, long ms);
/* Use a pass if one is banked, without sleeping. Return: whether there was one. */
bool try_wait_for_completion(struct completion *c);

/* Bank one pass and wake one waiter. Any context. */
void complete(struct completion *c);
/* Let every waiter through, now and until reinit_completion(). Any context. */
void complete_all(struct completion *c);

#endif /* KERNEL_COMPLETION_H */
