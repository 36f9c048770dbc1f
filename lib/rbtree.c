/*
 * Red-black trees: balanced binary search trees whose nodes are embedded in
 * the caller's objects (include/lib/rbtree.h). The caller finds where a node
 * goes; the library restores the balance after an insert or an erase.
 *
 * The balancing itself (the rules, the cases and their pictures) is the
 * always-inline core in include/lib/rbtree_augmented.h, compiled once per
 * set of callbacks. This file is its plain instantiation: rb_insert_color()
 * and rb_erase() with empty callbacks, which the compiler removes, so plain
 * trees pay nothing for augmentation. Augmented trees get their own copy at
 * their rb_insert_augmented()/rb_erase_augmented() calls. Here too are what
 * does not rebalance: replace, the in-order walk and the checker.
 *
 * No locking here: the tree's owner serialises all calls.
 */
#include "lib/rbtree_augmented.h"

#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

/* Plain trees have no augmented value to maintain. */
static inline void dummy_propagate(struct rb_node *node __unused, struct rb_node *stop __unused)
{
}

static inline void dummy_copy(struct rb_node *old __unused, struct rb_node *new __unused)
{
}

static inline void dummy_rotate(struct rb_node *old __unused, struct rb_node *new __unused)
{
}

static const struct rb_augment_callbacks dummy_callbacks = {
	.propagate = dummy_propagate,
	.copy = dummy_copy,
	.rotate = dummy_rotate,
};

/* Out of line, so that the check costs the erase fast path only a compare. */
__noinline void __rb_erase_refused(const struct rb_node *node)
{
	WARN_ONCE(1, "rb_erase: node %p is not in a tree", node);
}

/*
 * rb_insert_color - rebalance after rb_link_node() hung @node in @root
 *  => @node must be the node just linked, and the tree valid apart from it.
 *  => Nodes may move (rotations); @node's own memory does not.
 *  => O(log n), never fails, never sleeps.
 */
void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	__rb_insert(node, root, &dummy_callbacks);
}

/*
 * rb_erase - remove @node from @root and rebalance
 *  => @node must be in @root; a node marked with RB_CLEAR_NODE() is refused
 *     with a warning. Afterwards @node's fields are stale: RB_CLEAR_NODE()
 *     it if you will ask RB_EMPTY_NODE() later.
 *  => O(log n), never sleeps.
 */
void rb_erase(struct rb_node *node, struct rb_root *root)
{
	__rb_erase(node, root, &dummy_callbacks);
}

/*
 * rb_replace_node - put @new where @victim is, without rebalancing
 *  => @new must sort at the same place as @victim; it takes @victim's
 *     colour, parent and children. @victim's fields are left stale.
 *  => Augmented values are not touched: give @new the right one yourself.
 */
void rb_replace_node(struct rb_node *victim, struct rb_node *new, struct rb_root *root)
{
	struct rb_node *parent = rb_parent(victim);

	*new = *victim;
	if (victim->rb_left)
		rb_set_parent(victim->rb_left, new);
	if (victim->rb_right)
		rb_set_parent(victim->rb_right, new);
	__rb_change_child(victim, new, parent, root);
}

static struct rb_node *leftmost(struct rb_node *node)
{
	while (node->rb_left)
		node = node->rb_left;
	return node;
}

static struct rb_node *rightmost(struct rb_node *node)
{
	while (node->rb_right)
		node = node->rb_right;
	return node;
}

/*
 * rb_first / rb_last - the smallest / largest node in @root
 *  => NULL for an empty tree. O(log n).
 */
struct rb_node *rb_first(const struct rb_root *root)
{
	return root->rb_node ? leftmost(root->rb_node) : NULL;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	return root->rb_node ? rightmost(root->rb_node) : NULL;
}

/*
 * rb_next / rb_prev - the in-order neighbour of @node
 *  => NULL past either end, or for a node marked with RB_CLEAR_NODE().
 *  => O(1) amortised over a whole walk, O(log n) worst case.
 */
struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	/* Right subtree: its leftmost node. */
	if (node->rb_right)
		return leftmost(node->rb_right);
	/* Else climb while we come from a right child; that parent is done. */
	while ((parent = rb_parent(node)) && node == parent->rb_right)
		node = parent;
	return parent;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	struct rb_node *parent;

	if (RB_EMPTY_NODE(node))
		return NULL;
	if (node->rb_left)
		return rightmost(node->rb_left);
	while ((parent = rb_parent(node)) && node == parent->rb_left)
		node = parent;
	return parent;
}

/*
 * Check the subtree at @node, which hangs under @parent, against R2, R3 and
 * the parent pointers. Returns its black height, or -1 after printing the
 * first fault found. A cycle is caught by the parent check, since the first
 * node reached twice cannot name both of its "parents".
 */
static int check_subtree(const struct rb_node *node, const struct rb_node *parent)
{
	int left, right;

	if (!node)
		return 0;
	if (rb_parent(node) != parent) {
		pr_err("rb_check: node %p has parent %p, expected %p\n", node, rb_parent(node),
		       parent);
		return -1;
	}
	if (node->__rb_parent_color & 2) {
		pr_err("rb_check: node %p has stray bit 1 in __rb_parent_color 0x%lx\n", node,
		       node->__rb_parent_color);
		return -1;
	}
	if (rb_is_red(node) &&
	    (__rb_node_is_red(node->rb_left) || __rb_node_is_red(node->rb_right))) {
		pr_err("rb_check: red node %p has a red child (left %p, right %p)\n", node,
		       node->rb_left, node->rb_right);
		return -1;
	}
	left = check_subtree(node->rb_left, node);
	if (left < 0)
		return -1;
	right = check_subtree(node->rb_right, node);
	if (right < 0)
		return -1;
	if (left != right) {
		pr_err("rb_check: node %p has black height %d on the left, %d on the right\n", node,
		       left, right);
		return -1;
	}
	return left + (rb_is_black(node) ? 1 : 0);
}

/*
 * rb_check - verify the red-black rules and the parent pointers of @root
 *  => Returns 0, or -EINVAL after printing (KERN_ERR) the first fault found
 *     and the node where it is.
 *  => Does not know the keys: the caller checks the order with rb_first()
 *     and rb_next(), and its augmented values itself.
 *  => O(n) time; recursion depth is the tree's height, at most 2*log2(n+1).
 */
int rb_check(const struct rb_root *root)
{
	const struct rb_node *top = root->rb_node;

	if (!top)
		return 0;
	if (rb_is_red(top)) {
		pr_err("rb_check: root %p is red\n", top);
		return -EINVAL;
	}
	return check_subtree(top, NULL) < 0 ? -EINVAL : 0;
}
