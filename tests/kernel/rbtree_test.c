/*
 * In-kernel tests for lib/rbtree.c: the host test's random insert/erase run,
 * smaller (2000 operations), on nodes from a static array, with a fixed-seed
 * PRNG. After every operation the tree must pass rb_check(), an in-order
 * walk (both ways) must give exactly the shadow array's nodes, and in the
 * augmented run every subtree_max must be the max val of its subtree.
 *
 * Keys repeat (0..63): an equal key goes right on insert, so equal keys stay
 * in insertion order and the shadow places a new node after its equals.
 */
#include "kernel/errno.h"
#include "debug/ktest.h"
#include "lib/random.h"
#include "lib/rbtree_augmented.h"
#include "lib/string.h"

#define RBT_NODES 256u
#define RBT_OPS	  2000

struct rbt_node {
	struct rb_node rb;
	u32 key;
	u32 val;
	u32 subtree_max; /* max val over the subtree (augmented run) */
};

static inline u32 rbt_val(struct rbt_node *node)
{
	return node->val;
}

RB_DECLARE_CALLBACKS_MAX(static, rbt_augment_cb, struct rbt_node, rb, u32, subtree_max, rbt_val);

struct rbt_state {
	struct rb_root root;
	bool augmented;
	struct rnd_state rng;
	unsigned int step;
	unsigned int n;
	unsigned int nr_spare;
	struct rbt_node *shadow[RBT_NODES]; /* in-tree nodes, expected in-order */
	struct rbt_node *spare[RBT_NODES];  /* nodes not in the tree */
	struct rbt_node nodes[RBT_NODES];
};

static struct rbt_state rbt;

static struct rbt_node *rbt_of(struct rb_node *rb)
{
	return rb_entry_safe(rb, struct rbt_node, rb);
}

static void rbt_init(struct rbt_state *s, bool augmented, u64 seed)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->root = RB_ROOT;
	s->augmented = augmented;
	rnd_seed(&s->rng, seed);
	for (i = 0; i < RBT_NODES; i++) {
		RB_CLEAR_NODE(&s->nodes[i].rb);
		s->spare[i] = &s->nodes[i];
	}
	s->nr_spare = RBT_NODES;
}

static void rbt_insert(struct rbt_state *s, u32 key, u32 val)
{
	struct rbt_node *node = s->spare[--s->nr_spare];
	struct rb_node **link = &s->root.rb_node, *parent = NULL;
	unsigned int pos;

	node->key = key;
	node->val = val;
	node->subtree_max = val;
	while (*link) {
		struct rbt_node *t = rbt_of(*link);

		parent = *link;
		if (t->subtree_max < val)
			t->subtree_max = val;
		link = key < t->key ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&node->rb, parent, link);
	if (s->augmented)
		rb_insert_augmented(&node->rb, &s->root, &rbt_augment_cb);
	else
		rb_insert_color(&node->rb, &s->root);

	for (pos = 0; pos < s->n && s->shadow[pos]->key <= key; pos++)
		;
	memmove(&s->shadow[pos + 1], &s->shadow[pos], (s->n - pos) * sizeof(s->shadow[0]));
	s->shadow[pos] = node;
	s->n++;
}

static void rbt_erase(struct rbt_state *s, unsigned int pos)
{
	struct rbt_node *node = s->shadow[pos];

	if (s->augmented)
		rb_erase_augmented(&node->rb, &s->root, &rbt_augment_cb);
	else
		rb_erase(&node->rb, &s->root);
	RB_CLEAR_NODE(&node->rb);
	memmove(&s->shadow[pos], &s->shadow[pos + 1], (s->n - pos - 1) * sizeof(s->shadow[0]));
	s->n--;
	s->spare[s->nr_spare++] = node;
}

/* The first node whose subtree_max is wrong, with the right value in *want. */
static struct rbt_node *rbt_bad_augment(struct rb_node *rb, u32 *want)
{
	struct rbt_node *node = rbt_of(rb), *bad, *kid;
	u32 best;

	if (!rb)
		return NULL;
	bad = rbt_bad_augment(rb->rb_left, want);
	if (!bad)
		bad = rbt_bad_augment(rb->rb_right, want);
	if (bad)
		return bad;
	best = node->val;
	kid = rbt_of(rb->rb_left);
	if (kid && kid->subtree_max > best)
		best = kid->subtree_max;
	kid = rbt_of(rb->rb_right);
	if (kid && kid->subtree_max > best)
		best = kid->subtree_max;
	if (node->subtree_max == best)
		return NULL;
	*want = best;
	return node;
}

/* Check everything; on a mismatch report it with the step and return false. */
static bool rbt_check(struct ktest *t, struct rbt_state *s)
{
	struct rb_node *rb;
	struct rbt_node *bad;
	unsigned int i;
	u32 want = 0;
	int err = rb_check(&s->root);

	if (err) {
		ktest_fail(t, __FILE__, __LINE__, "step %u: rb_check() = %d", s->step, err);
		return false;
	}
	rb = rb_first(&s->root);
	for (i = 0; i < s->n; i++, rb = rb_next(rb)) {
		if (rb != &s->shadow[i]->rb) {
			ktest_fail(t, __FILE__, __LINE__,
				   "step %u: forward walk position %u/%u is %p, want %p (key %u)",
				   s->step, i, s->n, rb, &s->shadow[i]->rb, s->shadow[i]->key);
			return false;
		}
	}
	rb = rb_last(&s->root);
	for (i = s->n; i > 0; i--, rb = rb_prev(rb)) {
		if (rb != &s->shadow[i - 1]->rb) {
			ktest_fail(t, __FILE__, __LINE__,
				   "step %u: backward walk position %u/%u is %p, expected %p",
				   s->step, i - 1, s->n, rb, &s->shadow[i - 1]->rb);
			return false;
		}
	}
	if (rb_first(&s->root) && (rb_prev(rb_first(&s->root)) || rb_next(rb_last(&s->root)))) {
		ktest_fail(t, __FILE__, __LINE__, "step %u: walk runs past an end", s->step);
		return false;
	}
	if (!s->augmented)
		return true;
	bad = rbt_bad_augment(s->root.rb_node, &want);
	if (bad) {
		ktest_fail(t, __FILE__, __LINE__,
			   "step %u: node %p key %u val %u has subtree_max %u, want %u", s->step,
			   bad, bad->key, bad->val, bad->subtree_max, want);
		return false;
	}
	return true;
}

/* RBT_OPS random inserts/erases, growing then shrinking every 250 steps. */
static void rbt_random_run(struct ktest *t, bool augmented, u64 seed)
{
	struct rbt_state *s = &rbt;
	unsigned int bias;

	rbt_init(s, augmented, seed);
	for (s->step = 0; s->step < RBT_OPS; s->step++) {
		bias = (s->step / 250) % 2 ? 25 : 75;
		if (s->n == 0 || (s->nr_spare && rnd_below(&s->rng, 100) < bias))
			rbt_insert(s, rnd_below(&s->rng, 64), rnd_below(&s->rng, 10000));
		else
			rbt_erase(s, rnd_below(&s->rng, s->n));
		KTEST_ASSERT_TRUE(t, rbt_check(t, s));
	}
	while (s->n) {
		rbt_erase(s, rnd_below(&s->rng, s->n));
		KTEST_ASSERT_TRUE(t, rbt_check(t, s));
	}
	KTEST_EXPECT_EQ(t, s->nr_spare, RBT_NODES);
	KTEST_EXPECT_TRUE(t, RB_EMPTY_ROOT(&s->root));
}

KTEST(rbtree, random_insert_erase)
{
	rbt_random_run(t, false, 0x6b7262740001ULL);
}

KTEST(rbtree, random_insert_erase_augmented)
{
	rbt_random_run(t, true, 0x6b7262740002ULL);
}

KTEST(rbtree, empty_and_single)
{
	struct rbt_state *s = &rbt;
	struct rbt_node *node;

	rbt_init(s, true, 1);
	KTEST_EXPECT_TRUE(t, RB_EMPTY_ROOT(&s->root));
	KTEST_EXPECT_NULL(t, rb_first(&s->root));
	KTEST_EXPECT_NULL(t, rb_last(&s->root));
	KTEST_EXPECT_EQ(t, rb_check(&s->root), 0);

	rbt_insert(s, 42, 7);
	node = s->shadow[0];
	KTEST_ASSERT_TRUE(t, rbt_check(t, s));
	KTEST_EXPECT_TRUE(t, rb_is_black(&node->rb));
	KTEST_EXPECT_NULL(t, rb_next(&node->rb));
	KTEST_EXPECT_NULL(t, rb_prev(&node->rb));
	KTEST_EXPECT_EQ(t, node->subtree_max, 7u);

	rbt_erase(s, 0);
	KTEST_EXPECT_TRUE(t, RB_EMPTY_ROOT(&s->root));
	KTEST_EXPECT_TRUE(t, RB_EMPTY_NODE(&node->rb));
}

/* Ascending then descending keys; erase from the front, then the back. */
KTEST(rbtree, monotonic_sequences)
{
	struct rbt_state *s = &rbt;
	unsigned int i;

	rbt_init(s, true, 2);
	for (i = 0; i < RBT_NODES / 2; i++, s->step++) {
		rbt_insert(s, i, i % 13);
		KTEST_ASSERT_TRUE(t, rbt_check(t, s));
	}
	for (i = 0; i < RBT_NODES / 2; i++, s->step++) {
		rbt_insert(s, 1000 - i, i % 17);
		KTEST_ASSERT_TRUE(t, rbt_check(t, s));
	}
	while (s->n) {
		rbt_erase(s, s->step % 2 ? 0 : s->n - 1);
		s->step++;
		KTEST_ASSERT_TRUE(t, rbt_check(t, s));
	}
}

/* The checkers must see a broken tree: flip a red node black, then a value. */
KTEST(rbtree, checker_catches_corruption)
{
	struct rbt_state *s = &rbt;
	struct rbt_node *red = NULL, *bad;
	unsigned int i;
	u32 want = 0;

	rbt_init(s, true, 3);
	for (i = 0; i < 100; i++)
		rbt_insert(s, i, i);
	KTEST_ASSERT_TRUE(t, rbt_check(t, s));
	for (i = 0; i < s->n && !red; i++)
		if (rb_is_red(&s->shadow[i]->rb))
			red = s->shadow[i];
	KTEST_ASSERT_NOT_NULL(t, red);

	red->rb.__rb_parent_color |= RB_BLACK;
	KTEST_EXPECT_EQ(t, rb_check(&s->root), -EINVAL);
	red->rb.__rb_parent_color &= ~1UL;
	KTEST_EXPECT_EQ(t, rb_check(&s->root), 0);

	red->subtree_max += 1;
	bad = rbt_bad_augment(s->root.rb_node, &want);
	KTEST_EXPECT_TRUE(t, bad == red);
	KTEST_EXPECT_EQ(t, want, red->subtree_max - 1);
}
