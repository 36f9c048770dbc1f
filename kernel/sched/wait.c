/*
 * Wait queues and completions (include/kernel/wait.h, completion.h). A
 * waiter is an entry on the queue naming its task; waking it is
 * wake_up_process(), under the queue's lock, so a waiter cannot leave (and
 * its entry on its stack vanish) while a waker looks at it.
 */
#include "kernel/completion.h"
#include "kernel/sched.h"
#include "kernel/wait.h"

void init_waitqueue_head(struct wait_queue_head *wq, const char *name)
{
	spin_lock_init(&wq->lock, name);
	INIT_LIST_HEAD(&wq->head);
}

static void __prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w, long state,
			      unsigned int flags)
{
	spin_lock(&wq->lock);
	w->flags = flags;
	if (list_empty(&w->entry)) {
		if (flags & WQ_FLAG_EXCLUSIVE)
			list_add_tail(&w->entry, &wq->head);
		else
			list_add(&w->entry, &wq->head);
	}
	set_current_state(state);
	spin_unlock(&wq->lock);
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w, long state)
{
	__prepare_to_wait(wq, w, state, 0);
}

void prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *w, long state)
{
	__prepare_to_wait(wq, w, state, WQ_FLAG_EXCLUSIVE);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w)
{
	__set_current_state(TASK_RUNNING);
	spin_lock(&wq->lock);
	if (!list_empty(&w->entry))
		list_del_init(&w->entry);
	spin_unlock(&wq->lock);
}

/* Wake the waiters of @wq: all of them, or up to the first exclusive one. */
static unsigned int __wake_up_locked(struct wait_queue_head *wq, bool all)
{
	struct wait_queue_entry *w, *n;
	unsigned int woken = 0;

	assert_held(&wq->lock);
	list_for_each_entry_safe(w, n, &wq->head, entry) {
		if (!wake_up_process(w->task))
			continue; /* already awake: it does not use up the exclusive wake-up */
		woken++;
		if (!all && (w->flags & WQ_FLAG_EXCLUSIVE))
			break;
	}
	return woken;
}

unsigned int wake_up_all_locked(struct wait_queue_head *wq)
{
	return __wake_up_locked(wq, true);
}

static unsigned int __wake_up(struct wait_queue_head *wq, bool all)
{
	unsigned int woken;

	spin_lock(&wq->lock);
	woken = __wake_up_locked(wq, all);
	spin_unlock(&wq->lock);
	return woken;
}

unsigned int wake_up(struct wait_queue_head *wq)
{
	return __wake_up(wq, false);
}

unsigned int wake_up_all(struct wait_queue_head *wq)
{
	return __wake_up(wq, true);
}

/* ---- completions ---- */

void init_completion(struct completion *c)
{
	c->done = 0;
	init_waitqueue_head(&c->wait, "completion");
}

void reinit_completion(struct completion *c)
{
	WRITE_ONCE(c->done, 0);
}

/* Take a pass if one is banked. [W] */
static bool completion_take_locked(struct completion *c)
{
	if (!c->done)
		return false;
	if (c->done != COMPLETION_ALL)
		c->done--;
	return true;
}

long wait_for_completion_timeout(struct completion *c, long ms)
{
	DEFINE_WAIT(w);
	long left = ms;

	spin_lock(&c->wait.lock);
	w.flags = WQ_FLAG_EXCLUSIVE;
	while (!completion_take_locked(c)) {
		if (!left)
			goto out;
		if (list_empty(&w.entry))
			list_add_tail(&w.entry, &c->wait.head);
		set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock(&c->wait.lock);
		left = schedule_timeout(left);
		spin_lock(&c->wait.lock);
	}
	left = left ? left : 1;
out:
	if (!list_empty(&w.entry))
		list_del_init(&w.entry);
	spin_unlock(&c->wait.lock);
	__set_current_state(TASK_RUNNING);
	return left;
}

void wait_for_completion(struct completion *c)
{
	wait_for_completion_timeout(c, MAX_SCHEDULE_TIMEOUT);
}

bool try_wait_for_completion(struct completion *c)
{
	bool got;

	spin_lock(&c->wait.lock);
	got = completion_take_locked(c);
	spin_unlock(&c->wait.lock);
	return got;
}

void complete(struct completion *c)
{
	spin_lock(&c->wait.lock);
	if (c->done != COMPLETION_ALL)
		c->done++;
	__wake_up_locked(&c->wait, false);
	spin_unlock(&c->wait.lock);
}

void complete_all(struct completion *c)
{
	spin_lock(&c->wait.lock);
	c->done = COMPLETION_ALL;
	__wake_up_locked(&c->wait, true);
	spin_unlock(&c->wait.lock);
}
