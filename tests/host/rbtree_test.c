/*
 * Host tests for lib/rbtree.c: random insert/erase runs checked after every
 * step against a shadow model, the red-black rules (rb_check()), augmented
 * values, edge cases, and proof that the checkers do catch a broken tree.
 *
 * Keys may repeat. The insert walk sends an equal key to the right, so equal
 * keys sit in the order they were inserted, and rotations/erases never
 * reorder them. The shadow is therefore an array of node pointers sorted by
 * key, with a new node placed after every equal key already there; an
 * in-order walk must give exactly these nodes (identity, not just keys).
 *
 * The augmented tree keeps, in each node, subtree_max = the largest val in
 * its subtree, through RB_DECLARE_CALLBACKS_MAX(), as vmalloc keeps
 * subtree_max_size.
 */
#include "host_shim.h"
#include "lib/random.h"

#include "lib/rbtree.c"

#define POOL 1024

struct tnode {
	struct rb_node rb;
	u32 key;
	u32 val;	 /* augmented tree: this node's own quantity */
	u32 subtree_max; /* augmented tree: max val over the subtree */
};

/* Counts RBCOMPUTE calls, to see propagate stop early. */
static unsigned long compute_calls;

static inline u32 tnode_val(struct tnode *node)
{
	compute_calls++;
	return node->val;
}

/* Linux's users write no ';' after the macro; ours may write one (below). */
RB_DECLARE_CALLBACKS_MAX(static, tnode_augment_cb, struct tnode, rb, u32, subtree_max, tnode_val)

static inline u32 tnode_key(struct tnode *node)
{
	return node->key;
}

/* A second user, declared with the ';', only to prove that this compiles too. */
RB_DECLARE_CALLBACKS_MAX(static, tnode_key_cb, struct tnode, rb, u32, subtree_max, tnode_key);

struct model {
	union {
		struct rb_root root;	     /* the tree, */
		struct rb_root_cached croot; /* seen as a cached tree when @cached */
	};
	bool augmented;
	bool cached; /* plain tree through the _cached API and rb_add_cached() */
	u64 seed;
	struct rnd_state rng;
	unsigned long step;
	unsigned int n; /* nodes in the tree */
	unsigned int nr_free;
	struct tnode *shadow[POOL]; /* the tree's nodes in expected in-order */
	struct tnode *free[POOL];   /* pool nodes not in the tree */
	struct tnode pool[POOL];
};

static struct model model;

static struct tnode *to_tnode(struct rb_node *rb)
{
	return rb_entry_safe(rb, struct tnode, rb);
}

static void model_init(struct model *m, bool augmented, u64 seed)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->root = RB_ROOT;
	m->augmented = augmented;
	m->seed = seed;
	rnd_seed(&m->rng, seed);
	for (i = 0; i < POOL; i++) {
		RB_CLEAR_NODE(&m->pool[i].rb);
		m->free[POOL - 1 - i] = &m->pool[i];
	}
	m->nr_free = POOL;
	shim_log_clear();
}

/* Index of the first shadow node with a key greater than @key. */
static unsigned int shadow_upper_bound(struct model *m, u32 key)
{
	unsigned int lo = 0, hi = m->n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (m->shadow[mid]->key <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool tnode_less(struct rb_node *a, const struct rb_node *b)
{
	return to_tnode(a)->key < rb_entry(b, struct tnode, rb)->key;
}

static int tnode_cmp(const void *key, const struct rb_node *node)
{
	u32 k = *(const u32 *)key, nk = rb_entry(node, struct tnode, rb)->key;

	return k < nk ? -1 : k > nk;
}

/* rb_find_add() takes the new node as its key. */
static int tnode_cmp_node(const void *key, const struct rb_node *node)
{
	return tnode_cmp(&((const struct tnode *)key)->key, node);
}

/* Cached trees: odd keys through rb_add_cached(), even ones by hand. */
static void tree_insert_cached(struct model *m, struct tnode *node)
{
	struct rb_node **link = &m->root.rb_node, *parent = NULL;
	struct rb_node *was_first = rb_first_cached(&m->croot);
	bool leftmost = true;

	if (node->key % 2) {
		if (rb_add_cached(&node->rb, &m->croot, tnode_less))
			assert_true(!was_first || node->key < to_tnode(was_first)->key);
		else
			assert_true(was_first && node->key >= to_tnode(was_first)->key);
		return;
	}
	while (*link) {
		parent = *link;
		if (node->key < to_tnode(parent)->key) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&node->rb, parent, link);
	rb_insert_color_cached(&node->rb, &m->croot, leftmost);
}

static void tree_insert(struct model *m, struct tnode *node)
{
	struct rb_node **link = &m->root.rb_node, *parent = NULL;
	unsigned int pos;

	while (!m->cached && *link) {
		struct tnode *t = to_tnode(*link);

		parent = *link;
		if (t->subtree_max < node->val)
			t->subtree_max = node->val;
		link = node->key < t->key ? &parent->rb_left : &parent->rb_right;
	}
	node->subtree_max = node->val;
	if (m->cached) {
		tree_insert_cached(m, node);
	} else {
		rb_link_node(&node->rb, parent, link);
		if (m->augmented)
			rb_insert_augmented(&node->rb, &m->root, &tnode_augment_cb);
		else
			rb_insert_color(&node->rb, &m->root);
	}

	pos = shadow_upper_bound(m, node->key);
	memmove(&m->shadow[pos + 1], &m->shadow[pos], (m->n - pos) * sizeof(m->shadow[0]));
	m->shadow[pos] = node;
	m->n++;
}

static struct tnode *take_free(struct model *m)
{
	assert_true(m->nr_free > 0);
	return m->free[--m->nr_free];
}

static void insert_new(struct model *m, u32 key, u32 val)
{
	struct tnode *node = take_free(m);

	node->key = key;
	node->val = val;
	tree_insert(m, node);
}

static void tree_erase(struct model *m, unsigned int pos)
{
	struct tnode *node = m->shadow[pos];
	struct rb_node *next_first;

	if (m->cached) {
		next_first = pos == 0 && m->n > 1 ? &m->shadow[1]->rb : NULL;
		assert_ptr_equal(rb_erase_cached(&node->rb, &m->croot), next_first);
	} else if (m->augmented) {
		rb_erase_augmented(&node->rb, &m->root, &tnode_augment_cb);
	} else {
		rb_erase(&node->rb, &m->root);
	}
	RB_CLEAR_NODE(&node->rb);
	memmove(&m->shadow[pos], &m->shadow[pos + 1], (m->n - pos - 1) * sizeof(m->shadow[0]));
	m->n--;
	m->free[m->nr_free++] = node;
}

/* Put a fresh node with the same key where shadow[pos] is (rb_replace_node). */
static void tree_replace(struct model *m, unsigned int pos, u32 new_val)
{
	struct tnode *old = m->shadow[pos];
	struct tnode *new = take_free(m);

	new->key = old->key;
	new->val = new_val;
	rb_replace_node(&old->rb, &new->rb, &m->root);
	/* The replace protocol: start from the old value, then propagate the change. */
	new->subtree_max = old->subtree_max;
	if (m->augmented)
		tnode_augment_cb_propagate(&new->rb, NULL);
	RB_CLEAR_NODE(&old->rb);
	m->shadow[pos] = new;
	m->free[m->nr_free++] = old;
}

/* Change a node's own quantity in place, then propagate (augmented only). */
static void tree_update_val(struct model *m, unsigned int pos, u32 new_val)
{
	struct tnode *node = m->shadow[pos];

	node->val = new_val;
	tnode_augment_cb_propagate(&node->rb, NULL);
}

/*
 * Find a node whose subtree_max differs from max(val, children's
 * subtree_max). Returns it, with the right value in *want, or NULL.
 */
static struct tnode *find_bad_augment(struct rb_node *rb, u32 *want)
{
	struct tnode *node = to_tnode(rb), *bad, *kid;
	u32 best;

	if (!rb)
		return NULL;
	bad = find_bad_augment(rb->rb_left, want);
	if (!bad)
		bad = find_bad_augment(rb->rb_right, want);
	if (bad)
		return bad;
	best = node->val;
	kid = to_tnode(rb->rb_left);
	if (kid && kid->subtree_max > best)
		best = kid->subtree_max;
	kid = to_tnode(rb->rb_right);
	if (kid && kid->subtree_max > best)
		best = kid->subtree_max;
	if (node->subtree_max != best) {
		*want = best;
		return node;
	}
	return NULL;
}

static unsigned int tree_height(const struct rb_node *rb)
{
	unsigned int l, r;

	if (!rb)
		return 0;
	l = tree_height(rb->rb_left);
	r = tree_height(rb->rb_right);
	return 1 + (l > r ? l : r);
}

/* Everything we know about the tree, checked against the model. */
static void check_model(struct model *m)
{
	struct rb_node *rb;
	struct tnode *bad;
	unsigned int i, h;
	u32 want = 0;
	int err;

	err = rb_check(&m->root);
	if (err)
		fail_msg("seed %llu step %lu: rb_check() = %d: %s", (unsigned long long)m->seed,
			 m->step, err, shim_log);
	assert_int_equal(RB_EMPTY_ROOT(&m->root), m->n == 0);
	if (m->cached && rb_first_cached(&m->croot) != rb_first(&m->root))
		fail_msg("seed %llu step %lu: rb_first_cached() is %p, rb_first() %p",
			 (unsigned long long)m->seed, m->step, (void *)rb_first_cached(&m->croot),
			 (void *)rb_first(&m->root));

	rb = rb_first(&m->root);
	for (i = 0; i < m->n; i++, rb = rb_next(rb)) {
		if (rb != &m->shadow[i]->rb)
			fail_msg("seed %llu step %lu: forward walk position %u/%u is %p (key %u), "
				 "expected %p (key %u)",
				 (unsigned long long)m->seed, m->step, i, m->n, (void *)rb,
				 rb ? to_tnode(rb)->key : 0, (void *)&m->shadow[i]->rb,
				 m->shadow[i]->key);
		if (i > 0 && m->shadow[i - 1]->key > m->shadow[i]->key)
			fail_msg("step %lu: shadow out of order at %u: %u > %u", m->step, i,
				 m->shadow[i - 1]->key, m->shadow[i]->key);
	}
	if (rb)
		fail_msg("step %lu: forward walk goes past %u nodes to %p", m->step, m->n,
			 (void *)rb);

	rb = rb_last(&m->root);
	for (i = m->n; i > 0; i--, rb = rb_prev(rb)) {
		if (rb != &m->shadow[i - 1]->rb)
			fail_msg("seed %llu step %lu: backward walk position %u/%u is %p, "
				 "expected %p (key %u)",
				 (unsigned long long)m->seed, m->step, i - 1, m->n, (void *)rb,
				 (void *)&m->shadow[i - 1]->rb, m->shadow[i - 1]->key);
	}
	if (rb)
		fail_msg("step %lu: backward walk goes past %u nodes to %p", m->step, m->n,
			 (void *)rb);

	/* The balance promise: height <= 2*log2(n + 1), i.e. 2^h <= (n + 1)^2. */
	h = tree_height(m->root.rb_node);
	if ((1ULL << h) > (u64)(m->n + 1) * (m->n + 1))
		fail_msg("step %lu: height %u for %u nodes", m->step, h, m->n);

	if (m->augmented) {
		bad = find_bad_augment(m->root.rb_node, &want);
		if (bad)
			fail_msg("seed %llu step %lu: node %p key %u val %u has subtree_max %u, "
				 "want %u",
				 (unsigned long long)m->seed, m->step, (void *)bad, bad->key,
				 bad->val, bad->subtree_max, want);
	}
}

/*
 * @steps random operations, the tree checked after each. The insert bias
 * swings every 500 steps between growing (75%) and shrinking (25%), so the
 * tree repeatedly fills up and drains, empty included.
 */
static void random_run(bool augmented, bool cached, u64 seed, unsigned long steps, u32 key_range)
{
	struct model *m = &model;
	unsigned int op, bias, pos;

	model_init(m, augmented, seed);
	m->cached = cached;
	for (m->step = 0; m->step < steps; m->step++) {
		bias = (m->step / 500) % 2 ? 25 : 75;
		op = rnd_next(&m->rng) % 100;
		pos = m->n ? rnd_next(&m->rng) % m->n : 0;

		if (m->n && m->nr_free && op < 5 && !cached)
			tree_replace(m, pos, rnd_next(&m->rng) % 100000);
		else if (m->n && augmented && op < 10)
			tree_update_val(m, pos, rnd_next(&m->rng) % 100000);
		else if (m->n == 0 || (m->nr_free && rnd_next(&m->rng) % 100 < bias))
			insert_new(m, rnd_next(&m->rng) % key_range, rnd_next(&m->rng) % 100000);
		else
			tree_erase(m, pos);
		check_model(m);
	}
	/* Drain what is left, still checking. */
	while (m->n) {
		tree_erase(m, rnd_next(&m->rng) % m->n);
		check_model(m);
		m->step++;
	}
	assert_int_equal(m->nr_free, POOL);
	assert_null(m->root.rb_node);
}

static void test_random_plain_dup_keys(void **state)
{
	(void)state;
	random_run(false, false, 0x5eed0001, 20000, 64);
}

static void test_random_plain_distinct_keys(void **state)
{
	(void)state;
	random_run(false, false, 0x5eed0002, 20000, 1u << 30);
}

static void test_random_augmented_dup_keys(void **state)
{
	(void)state;
	random_run(true, false, 0x5eed0003, 20000, 64);
}

static void test_random_augmented_distinct_keys(void **state)
{
	(void)state;
	random_run(true, false, 0x5eed0004, 20000, 1u << 30);
}

static void test_random_cached_dup_keys(void **state)
{
	(void)state;
	random_run(false, true, 0x5eed0005, 20000, 64);
}

static void test_random_cached_distinct_keys(void **state)
{
	(void)state;
	random_run(false, true, 0x5eed0006, 20000, 1u << 30);
}

/* rb_add(): equal keys go after those already there, as the model expects. */
static void test_rb_add_keeps_equal_keys_in_order(void **state)
{
	struct model *m = &model;
	struct tnode *node;
	unsigned int i, pos;

	(void)state;
	model_init(m, false, 11);
	for (i = 0; i < 500; i++, m->step++) {
		node = take_free(m);
		node->key = (u32)(rnd_next(&m->rng) % 16);
		rb_add(&node->rb, &m->root, tnode_less);
		pos = shadow_upper_bound(m, node->key);
		memmove(&m->shadow[pos + 1], &m->shadow[pos], (m->n - pos) * sizeof(m->shadow[0]));
		m->shadow[pos] = node;
		m->n++;
		check_model(m);
	}
}

/* rb_find_add() refuses a key that is there; rb_find() finds exactly the keys in. */
static void test_find_add_refuses_equal_key(void **state)
{
	struct model *m = &model;
	bool present[256] = { false };
	struct rb_node *found;
	struct tnode *node;
	unsigned int i, refused = 0;
	u32 key;

	(void)state;
	model_init(m, false, 12);
	for (i = 0; i < 400; i++, m->step++) {
		node = take_free(m);
		node->key = (u32)(rnd_next(&m->rng) % 256);
		found = rb_find_add(&node->rb, &m->root, tnode_cmp_node);
		if (present[node->key]) {
			assert_non_null(found);
			assert_int_equal(to_tnode(found)->key, node->key);
			assert_true(RB_EMPTY_NODE(&node->rb));
			m->free[m->nr_free++] = node;
			refused++;
			continue;
		}
		assert_null(found);
		present[node->key] = true;
		m->shadow[m->n] = node;
		m->n++;
		for (unsigned int j = m->n - 1; j > 0 && m->shadow[j - 1]->key > node->key; j--) {
			m->shadow[j] = m->shadow[j - 1];
			m->shadow[j - 1] = node;
		}
		check_model(m);
	}
	assert_true(refused > 0);
	for (key = 0; key < 256; key++) {
		found = rb_find(&key, &m->root, tnode_cmp);
		if (!present[key]) {
			assert_null(found);
			continue;
		}
		assert_non_null(found);
		assert_int_equal(to_tnode(found)->key, key);
	}
}

/* The ';'-terminated declaration gives working callbacks too. */
static void test_callbacks_declared_with_semicolon(void **state)
{
	struct tnode a = { .key = 5, .val = 1 }, b = { .key = 9, .val = 2 };
	struct rb_root root = RB_ROOT;

	(void)state;
	a.subtree_max = a.key;
	rb_link_node(&a.rb, NULL, &root.rb_node);
	rb_insert_augmented(&a.rb, &root, &tnode_key_cb);
	b.subtree_max = b.key;
	a.subtree_max = b.key;
	rb_link_node(&b.rb, &a.rb, &a.rb.rb_right);
	rb_insert_augmented(&b.rb, &root, &tnode_key_cb);
	assert_int_equal(to_tnode(root.rb_node)->subtree_max, 9);
	rb_erase_augmented(&b.rb, &root, &tnode_key_cb);
	assert_int_equal(a.subtree_max, 5);
	assert_int_equal(rb_check(&root), 0);
}

static void test_empty_tree(void **state)
{
	struct rb_root root = RB_ROOT;

	(void)state;
	shim_log_clear();
	assert_true(RB_EMPTY_ROOT(&root));
	assert_null(rb_first(&root));
	assert_null(rb_last(&root));
	assert_int_equal(rb_check(&root), 0);
	assert_null(to_tnode(rb_first(&root)));
}

static void test_single_node(void **state)
{
	struct model *m = &model;
	struct tnode *node;

	(void)state;
	model_init(m, true, 1);
	insert_new(m, 42, 7);
	check_model(m);
	node = m->shadow[0];
	assert_ptr_equal(m->root.rb_node, &node->rb);
	assert_true(rb_is_black(&node->rb));
	assert_null(rb_parent(&node->rb));
	assert_ptr_equal(rb_first(&m->root), &node->rb);
	assert_ptr_equal(rb_last(&m->root), &node->rb);
	assert_null(rb_next(&node->rb));
	assert_null(rb_prev(&node->rb));
	assert_int_equal(node->subtree_max, 7);
	assert_false(RB_EMPTY_NODE(&node->rb));

	tree_erase(m, 0);
	check_model(m);
	assert_true(RB_EMPTY_ROOT(&m->root));
	assert_true(RB_EMPTY_NODE(&node->rb));
	assert_null(rb_next(&node->rb));
	assert_null(rb_prev(&node->rb));
}

/* Erase whatever node is at the root until the tree is empty. */
static void test_erase_root_repeatedly(void **state)
{
	struct model *m = &model;
	unsigned int i, pos;
	struct tnode *top;

	(void)state;
	model_init(m, true, 7);
	for (i = 0; i < 300; i++)
		insert_new(m, (u32)(rnd_next(&m->rng) % 1000), (u32)(rnd_next(&m->rng) % 1000));
	check_model(m);
	while (m->n) {
		top = to_tnode(m->root.rb_node);
		for (pos = 0; m->shadow[pos] != top; pos++)
			assert_true(pos + 1 < m->n);
		tree_erase(m, pos);
		m->step++;
		check_model(m);
	}
}

/* Monotonic key sequences hit the same rotation cases over and over. */
static void sequence_run(bool ascending_insert, bool ascending_erase)
{
	struct model *m = &model;
	unsigned int i, n = 1000;

	model_init(m, true, 3);
	for (i = 0; i < n; i++, m->step++) {
		insert_new(m, ascending_insert ? i : n - i, i % 97);
		check_model(m);
	}
	assert_int_equal(m->n, n);
	while (m->n) {
		tree_erase(m, ascending_erase ? 0 : m->n - 1);
		m->step++;
		check_model(m);
	}
}

static void test_ascending_insert_ascending_erase(void **state)
{
	(void)state;
	sequence_run(true, true);
}

static void test_ascending_insert_descending_erase(void **state)
{
	(void)state;
	sequence_run(true, false);
}

static void test_descending_insert_ascending_erase(void **state)
{
	(void)state;
	sequence_run(false, true);
}

static void test_descending_insert_descending_erase(void **state)
{
	(void)state;
	sequence_run(false, false);
}

/* All keys equal: the tree is ordered by insertion alone. */
static void test_all_keys_equal(void **state)
{
	struct model *m = &model;
	unsigned int i;

	(void)state;
	model_init(m, false, 11);
	for (i = 0; i < 500; i++, m->step++) {
		insert_new(m, 5, i);
		check_model(m);
	}
	for (i = 0; i < 500; i++, m->step++) {
		tree_erase(m, rnd_next(&m->rng) % m->n);
		check_model(m);
	}
}

static struct rb_node *find_leaf(struct rb_node *rb)
{
	while (rb->rb_left || rb->rb_right)
		rb = rb->rb_left ? rb->rb_left : rb->rb_right;
	return rb;
}

static unsigned int depth_of(const struct rb_node *rb)
{
	unsigned int d = 0;

	while ((rb = rb_parent(rb)))
		d++;
	return d;
}

/* propagate() must stop at the first node whose value comes out unchanged. */
static void test_propagate_stops_early(void **state)
{
	struct model *m = &model;
	struct rb_node *leaf;
	struct tnode *node;
	unsigned int i, depth;

	(void)state;
	model_init(m, true, 5);
	for (i = 0; i < 255; i++)
		insert_new(m, i, 5);
	check_model(m);
	leaf = find_leaf(m->root.rb_node);
	node = to_tnode(leaf);
	depth = depth_of(leaf);
	assert_true(depth >= 4);

	/* Lower the leaf: its parent keeps 5 (its own val), so 2 computes. */
	node->val = 3;
	compute_calls = 0;
	tnode_augment_cb_propagate(leaf, NULL);
	assert_int_equal(compute_calls, 2);
	assert_int_equal(node->subtree_max, 3);
	check_model(m);

	/* Raise it above everything: every ancestor changes, depth + 1 computes. */
	node->val = 9;
	compute_calls = 0;
	tnode_augment_cb_propagate(leaf, NULL);
	assert_int_equal(compute_calls, depth + 1);
	assert_int_equal(to_tnode(m->root.rb_node)->subtree_max, 9);
	check_model(m);

	/* A stop node ends the walk before it, even if values change. */
	node->val = 11;
	compute_calls = 0;
	tnode_augment_cb_propagate(leaf, rb_parent(leaf));
	assert_int_equal(compute_calls, 1);
	assert_int_equal(node->subtree_max, 11);
	assert_int_equal(to_tnode(rb_parent(leaf))->subtree_max, 9);
}

/* A tree of @n ascending keys, checked, with a red node below depth 1. */
static void build_for_corruption(struct model *m, unsigned int n)
{
	unsigned int i;

	model_init(m, true, 9);
	for (i = 0; i < n; i++)
		insert_new(m, i, i);
	check_model(m);
	shim_log_clear();
}

static struct tnode *find_red_below_root_child(struct model *m)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		struct rb_node *rb = &m->shadow[i]->rb;

		if (rb_is_red(rb) && depth_of(rb) >= 2)
			return m->shadow[i];
	}
	fail_msg("no red node at depth >= 2 among %u nodes", m->n);
	return NULL;
}

static void test_checker_catches_red_root(void **state)
{
	struct model *m = &model;

	(void)state;
	build_for_corruption(m, 100);
	__rb_set_red(m->root.rb_node);
	assert_int_equal(rb_check(&m->root), -EINVAL);
	assert_true(shim_log_has("rb_check: root"));
	assert_true(shim_log_has("is red"));
}

static void test_checker_catches_red_red(void **state)
{
	struct model *m = &model;
	struct tnode *red;

	(void)state;
	build_for_corruption(m, 100);
	red = find_red_below_root_child(m);
	__rb_set_red(rb_parent(&red->rb));
	assert_int_equal(rb_check(&m->root), -EINVAL);
	assert_true(shim_log_has("has a red child"));
}

static void test_checker_catches_black_height(void **state)
{
	struct model *m = &model;
	struct tnode *red;

	(void)state;
	build_for_corruption(m, 100);
	red = find_red_below_root_child(m);
	__rb_set_black(&red->rb);
	assert_int_equal(rb_check(&m->root), -EINVAL);
	assert_true(shim_log_has("black height"));
}

static void test_checker_catches_bad_parent(void **state)
{
	struct model *m = &model;
	struct rb_node *leaf;

	(void)state;
	build_for_corruption(m, 100);
	leaf = find_leaf(m->root.rb_node);
	rb_set_parent(leaf, m->root.rb_node);
	assert_int_equal(rb_check(&m->root), -EINVAL);
	assert_true(shim_log_has("expected"));
}

static void test_checker_catches_cycle(void **state)
{
	struct model *m = &model;
	struct rb_node *leaf;

	(void)state;
	build_for_corruption(m, 100);
	leaf = find_leaf(m->root.rb_node);
	leaf->rb_left = m->root.rb_node;
	assert_int_equal(rb_check(&m->root), -EINVAL);
	assert_true(shim_log_has("has parent"));
}

static void test_checker_catches_stray_bit(void **state)
{
	struct model *m = &model;

	(void)state;
	build_for_corruption(m, 50);
	m->shadow[20]->rb.__rb_parent_color |= 2;
	assert_int_equal(rb_check(&m->root), -EINVAL);
	assert_true(shim_log_has("stray bit 1"));
}

static void test_augment_checker_catches_stale_value(void **state)
{
	struct model *m = &model;
	struct tnode *victim, *bad;
	u32 want = 0;

	(void)state;
	build_for_corruption(m, 100);
	victim = m->shadow[37];
	victim->subtree_max += 1;
	bad = find_bad_augment(m->root.rb_node, &want);
	assert_ptr_equal(bad, victim);
	assert_int_equal(want, victim->subtree_max - 1);
	/* rb_check() does not know about augmented values. */
	assert_int_equal(rb_check(&m->root), 0);
}

/* The shadow comparison fails on a tree that lost a node behind its back. */
static void test_walk_check_catches_missing_node(void **state)
{
	struct model *m = &model;
	struct rb_node *rb;

	(void)state;
	build_for_corruption(m, 10);
	rb = m->root.rb_node;
	rb->rb_left = NULL; /* drop the whole left subtree */
	assert_ptr_not_equal(rb_first(&m->root), &m->shadow[0]->rb);
	assert_int_equal(rb_check(&m->root), -EINVAL);
}

static void test_erase_unlinked_node_warns(void **state)
{
	struct model *m = &model;
	struct tnode *loose;
	unsigned long warns = warn_count;

	(void)state;
	build_for_corruption(m, 20);
	loose = take_free(m);
	RB_CLEAR_NODE(&loose->rb);
	rb_erase(&loose->rb, &m->root);
	assert_int_equal(warn_count, warns + 1);
	assert_true(shim_log_has("rb_erase: node"));
	m->free[m->nr_free++] = loose;
	check_model(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_tree),
		cmocka_unit_test(test_single_node),
		cmocka_unit_test(test_erase_root_repeatedly),
		cmocka_unit_test(test_ascending_insert_ascending_erase),
		cmocka_unit_test(test_ascending_insert_descending_erase),
		cmocka_unit_test(test_descending_insert_ascending_erase),
		cmocka_unit_test(test_descending_insert_descending_erase),
		cmocka_unit_test(test_all_keys_equal),
		cmocka_unit_test(test_random_plain_dup_keys),
		cmocka_unit_test(test_random_plain_distinct_keys),
		cmocka_unit_test(test_random_augmented_dup_keys),
		cmocka_unit_test(test_random_augmented_distinct_keys),
		cmocka_unit_test(test_random_cached_dup_keys),
		cmocka_unit_test(test_random_cached_distinct_keys),
		cmocka_unit_test(test_rb_add_keeps_equal_keys_in_order),
		cmocka_unit_test(test_find_add_refuses_equal_key),
		cmocka_unit_test(test_callbacks_declared_with_semicolon),
		cmocka_unit_test(test_propagate_stops_early),
		cmocka_unit_test(test_checker_catches_red_root),
		cmocka_unit_test(test_checker_catches_red_red),
		cmocka_unit_test(test_checker_catches_black_height),
		cmocka_unit_test(test_checker_catches_bad_parent),
		cmocka_unit_test(test_checker_catches_cycle),
		cmocka_unit_test(test_checker_catches_stray_bit),
		cmocka_unit_test(test_augment_checker_catches_stale_value),
		cmocka_unit_test(test_walk_check_catches_missing_node),
		cmocka_unit_test(test_erase_unlinked_node_warns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
