/*
 * Red-black trees (lib/rbtree.c), with Linux's API and meanings.
 *
 * The tree is intrusive: embed a struct rb_node in your object and get back
 * to the object with rb_entry(). The library never compares keys. The
 * caller walks down from the root to the empty slot where the new node
 * belongs, hangs it there with rb_link_node(), then calls rb_insert_color()
 * to repair the colours:
 *
 *	struct rb_node **link = &root->rb_node, *parent = NULL;
 *
 *	while (*link) {
 *		struct thing *t = rb_entry(*link, struct thing, rb);
 *
 *		parent = *link;
 *		link = new->key < t->key ? &parent->rb_left : &parent->rb_right;
 *	}
 *	rb_link_node(&new->rb, parent, link);
 *	rb_insert_color(&new->rb, root);
 *
 * Nothing here takes a lock: the tree's owner serialises every call
 * (readers included, since rebalancing moves nodes around).
 *
 * Trees that keep a per-subtree summary in their nodes (vmalloc's largest
 * free block below each node) use lib/rbtree_augmented.h on top of this.
 */
#ifndef LIB_RBTREE_H
#define LIB_RBTREE_H

#include "kernel/compiler.h"

/*
 * One node. __rb_parent_color packs the parent pointer and the colour:
 * nodes are at least long-aligned, so bit 0 of the parent's address is free
 * and holds the colour (0 red, 1 black). Use rb_parent() and the helpers in
 * rbtree_augmented.h rather than the raw field.
 */
struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __aligned(sizeof(long));

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_ROOT ((struct rb_root){ NULL })

#define rb_parent(r) ((struct rb_node *)((r)->__rb_parent_color & ~3UL))

#define rb_entry(ptr, type, member) container_of(ptr, type, member)

/* Like rb_entry(), but NULL stays NULL. */
#define rb_entry_safe(ptr, type, member)                            \
	({                                                          \
		__typeof__(ptr) __rb_ptr = (ptr);                   \
		__rb_ptr ? rb_entry(__rb_ptr, type, member) : NULL; \
	})

#define RB_EMPTY_ROOT(root) (READ_ONCE((root)->rb_node) == NULL)

/*
 * A node that is in no tree points at itself. RB_CLEAR_NODE() marks a node
 * that way (after rb_erase(), or before it is ever inserted) so that
 * RB_EMPTY_NODE() can tell whether it is linked.
 */
#define RB_EMPTY_NODE(node) ((node)->__rb_parent_color == (unsigned long)(node))
#define RB_CLEAR_NODE(node) ((node)->__rb_parent_color = (unsigned long)(node))

/*
 * Hang @node, red and childless, in the empty slot @rb_link under @parent
 * (NULL and &root->rb_node for the first node). The tree may now break the
 * red-black rules: rb_insert_color() or rb_insert_augmented() comes next.
 */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **rb_link)
{
	node->__rb_parent_color = (unsigned long)parent;
	node->rb_left = NULL;
	node->rb_right = NULL;
	*rb_link = node;
}

/* Rebalance after rb_link_node(). Contracts for all of these: lib/rbtree.c. */
void rb_insert_color(struct rb_node *node, struct rb_root *root);
/* Unlink @node and rebalance. */
void rb_erase(struct rb_node *node, struct rb_root *root);
/* Put @new, which sorts the same, in @victim's place; no rebalancing. */
void rb_replace_node(struct rb_node *victim, struct rb_node *new, struct rb_root *root);

/* In-order walk: smallest/largest node, then neighbours; NULL past the ends. */
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/* Check the red-black rules and parent pointers: 0, or -EINVAL after a KERN_ERR line. */
int rb_check(const struct rb_root *root);

/*
 * A tree that also remembers its leftmost node, so that rb_first_cached()
 * is O(1). Insert with rb_insert_color_cached() (saying whether the new
 * node went leftmost) or rb_add_cached(); erase with rb_erase_cached().
 */
struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;
};

#define RB_ROOT_CACHED ((struct rb_root_cached){ { NULL }, NULL })

#define rb_first_cached(root) ((root)->rb_leftmost)

static inline void rb_insert_color_cached(struct rb_node *node, struct rb_root_cached *root,
					  bool leftmost)
{
	if (leftmost)
		root->rb_leftmost = node;
	rb_insert_color(node, &root->rb_root);
}

/* Returns the new leftmost node if @node was it, else NULL. */
static inline struct rb_node *rb_erase_cached(struct rb_node *node, struct rb_root_cached *root)
{
	struct rb_node *leftmost = NULL;

	if (root->rb_leftmost == node)
		leftmost = root->rb_leftmost = rb_next(node);
	rb_erase(node, &root->rb_root);
	return leftmost;
}

/*
 * Comparator-driven helpers, for trees whose order is one function. Each is
 * inlined with its comparator, so the walk costs what a hand-written one
 * does.
 *
 *   less(a, b)      true when node @a sorts before node @b
 *   cmp(key, node)  <0, 0 or >0 as @key sorts before, at or after @node
 *
 * rb_add() and rb_add_cached() put an equal node after the ones already
 * there.
 */
static __always_inline void rb_add(struct rb_node *node, struct rb_root *tree,
				   bool (*less)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = less(node, parent) ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
}

/* rb_add() for a cached tree. Returns @node if it is the new leftmost, else NULL. */
static __always_inline struct rb_node *
rb_add_cached(struct rb_node *node, struct rb_root_cached *tree,
	      bool (*less)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (less(node, parent)) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(node, parent, link);
	rb_insert_color_cached(node, tree, leftmost);
	return leftmost ? node : NULL;
}

/*
 * Insert @node unless a node comparing equal is there: returns that node
 * (and @node is not linked), or NULL once @node is in. @cmp takes @node as
 * its key.
 */
static __always_inline struct rb_node *rb_find_add(struct rb_node *node, struct rb_root *tree,
						   int (*cmp)(const void *key,
							      const struct rb_node *))
{
	struct rb_node **link = &tree->rb_node, *parent = NULL;
	int c;

	while (*link) {
		parent = *link;
		c = cmp(node, parent);
		if (c < 0)
			link = &parent->rb_left;
		else if (c > 0)
			link = &parent->rb_right;
		else
			return parent;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
	return NULL;
}

/* The node @key compares equal to (any one of them if several), or NULL. */
static __always_inline struct rb_node *rb_find(const void *key, const struct rb_root *tree,
					       int (*cmp)(const void *key, const struct rb_node *))
{
	struct rb_node *node = tree->rb_node;
	int c;

	while (node) {
		c = cmp(key, node);
		if (c < 0)
			node = node->rb_left;
		else if (c > 0)
			node = node->rb_right;
		else
			return node;
	}
	return NULL;
}

#endif /* LIB_RBTREE_H */
