/*
 * Red-black trees: balanced binary search trees whose nodes are embedded in
 * the caller's objects (include/lib/rbtree.h). The caller finds where a node
 * goes; this file restores the balance after an insert or an erase, optionally
 * keeping a per-subtree value up to date (include/lib/rbtree_augmented.h).
 *
 * The rules. Every node is red or black, an empty child slot (NULL) counts as
 * black, and
 *   R1. the root is black;
 *   R2. a red node has no red child;
 *   R3. every path from a node down to an empty slot meets the same number of
 *       black nodes: the node's "black height".
 * A path can at most alternate black and red (R2), and all paths have the
 * same black count (R3), so the longest path from the root is at most twice
 * the shortest, and a tree of n nodes is at most 2*log2(n + 1) deep.
 *
 * Insert links a red node (black height unchanged, R3 holds), which may break
 * R2 (red parent) or R1 (it is the root). Erase unlinks a node, which may
 * leave one side of a node a black short of R3. Each is repaired by a loop of
 * a few cases, each a recolouring and at most a rotation or two, walking up
 * towards the root: O(log n) steps, and at most three rotations per call.
 *
 * Pictures. A node is a name plus its colour: "b" black, "r" red, "?" either,
 * e.g. "Gb", "Nr". Digits are subtrees that do not move inside. The cases are
 * drawn for the node being fixed hanging on the left of its parent; the code
 * handles the mirror image with the same lines, through a "side" variable
 * (LEFT or RIGHT) and the child() / other() helpers.
 *
 * The colour lives in bit 0 of __rb_parent_color (0 red, 1 black), beside
 * the parent pointer. No locking here: the tree's owner serialises all calls.
 */
#include "lib/rbtree_augmented.h"

#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

enum rb_side {
	LEFT = 0,
	RIGHT = 1
};

static inline enum rb_side other(enum rb_side side)
{
	return side == LEFT ? RIGHT : LEFT;
}

static inline struct rb_node **child_slot(struct rb_node *node, enum rb_side side)
{
	return side == LEFT ? &node->rb_left : &node->rb_right;
}

static inline struct rb_node *child(const struct rb_node *node, enum rb_side side)
{
	return side == LEFT ? node->rb_left : node->rb_right;
}

/* Empty slots are black. */
static inline bool is_red(const struct rb_node *node)
{
	return node && rb_is_red(node);
}

static inline void set_color(struct rb_node *node, unsigned long color)
{
	node->__rb_parent_color = (node->__rb_parent_color & ~1UL) | color;
}

static inline void set_black(struct rb_node *node)
{
	set_color(node, RB_BLACK);
}

static inline void set_red(struct rb_node *node)
{
	set_color(node, RB_RED);
}

/* Make the link that pointed at @old (in @parent, or the root) point at @new. */
static void change_child(struct rb_node *old, struct rb_node *new, struct rb_node *parent,
			 struct rb_root *root)
{
	if (!parent)
		root->rb_node = new;
	else if (parent->rb_left == old)
		parent->rb_left = new;
	else
		parent->rb_right = new;
}

/*
 * Rotate at @top towards @side: @top goes down on that side and its child on
 * the other side (the riser) takes its place. Drawn for side == LEFT:
 *
 *          |                         |
 *         top                      riser
 *        /   \                     /   \
 *       1    riser     ==>       top    3
 *            /   \              /   \
 *           2     3            1     2
 *
 * The in-order sequence (1 top 2 riser 3) is unchanged. Nodes keep their
 * colours; the caller repaints. For augmented trees the riser now heads the
 * same set of nodes top headed, so it takes top's value, and top, which lost
 * the riser and 3, is recomputed: that is exactly augment->rotate().
 */
static void rotate(struct rb_node *top, enum rb_side side, struct rb_root *root,
		   const struct rb_augment_callbacks *augment)
{
	struct rb_node *parent = rb_parent(top);
	struct rb_node *riser = child(top, other(side));
	struct rb_node *middle = child(riser, side);

	*child_slot(top, other(side)) = middle;
	if (middle)
		rb_set_parent(middle, top);
	*child_slot(riser, side) = top;
	rb_set_parent(top, riser);
	rb_set_parent(riser, parent);
	change_child(top, riser, parent, root);
	augment->rotate(top, riser);
}

/*
 * Repair the tree after red @node was linked as a leaf. Only R2 can be
 * broken, and only between @node and its parent P; the loop either fixes it
 * or moves the clash two levels up. P red means P is not the root (R1), so
 * the grandparent G exists and is black (R2 held before). U is P's sibling.
 *
 * Case 1: U is red. Swap the colours of G and of its children. Black heights
 * are unchanged, P and N are fine, but G may now clash with its own parent:
 * go on with N = G.
 *
 *            Gb                    Gr
 *           /  \                  /  \
 *         Pr    Ur      ==>     Pb    Ub
 *          |                     |
 *          Nr                    Nr
 *
 * Case 2: U is black and N is the inner grandchild (on the other side of P
 * than P is of G). Rotate at P so that P becomes the outer grandchild, under
 * N; with the names of N and P swapped, this is case 3.
 *
 *            Gb                    Gb
 *           /  \                  /  \
 *         Pr    Ub      ==>     Nr    Ub
 *        /  \                  /  \
 *       1    Nr              Pr    3
 *           /  \            /  \
 *          2    3          1    2
 *
 * Case 3: U is black and N is the outer grandchild. Rotate at G so that P
 * takes its place, and swap the colours of P and G. Every path keeps its one
 * black (G before, P now) among these nodes, and no red touches a red: done.
 *
 *            Gb                    Pb
 *           /  \                  /  \
 *         Pr    Ub      ==>     Nr    Gr
 *        /  \                        /  \
 *       Nr   3                      3    Ub
 */
static void insert_fixup(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment)
{
	struct rb_node *parent, *gparent, *uncle;
	enum rb_side side;

	while ((parent = rb_parent(node)) && rb_is_red(parent)) {
		gparent = rb_parent(parent);
		side = parent == gparent->rb_left ? LEFT : RIGHT;
		uncle = child(gparent, other(side));

		if (is_red(uncle)) {
			/* Case 1. */
			set_black(parent);
			set_black(uncle);
			set_red(gparent);
			node = gparent;
			continue;
		}
		if (node == child(parent, other(side))) {
			/* Case 2: afterwards the old parent hangs below the old node. */
			rotate(parent, side, root, augment);
			parent = node;
		}
		/* Case 3. */
		rotate(gparent, other(side), root, augment);
		set_black(parent);
		set_red(gparent);
		return;
	}
	/* Case 1 may have carried the red up to the root (R1). */
	set_black(root->rb_node);
}

/*
 * Take @node out of the tree's structure, keeping R1 and R2 and, when it
 * can, R3. Returns the parent of an empty slot whose paths are now one
 * black short (erase_fixup() then repairs R3), or NULL when no repair is
 * needed. Augmented values are brought up to date before returning.
 *
 * Case A: N has at most one child C. C replaces N. If C exists, it is red
 * and N black (a lone child with a black below it would break R3 on N's
 * empty side); painting C black keeps every count. No C and a black N: the
 * paths through N's old slot have lost a black.
 *
 *          P                  P
 *          |                  |
 *          N?      ==>        Cb
 *         /
 *        Cr
 *
 * Case B: N has two children. Its successor S, the leftmost node of N's
 * right subtree, has no left child; S moves into N's place and takes N's
 * colour, so the only change in counts is where S left: S's old slot now
 * holds S's right child C, which is red when it exists (as in case A) and is
 * painted black. No C and a black S: that slot is one black short.
 *
 * B1, S is N's right child; the short slot is S's right:
 *
 *          N?                 S?
 *         /  \               /  \
 *        L    Sb     ==>    L    Cb
 *               \
 *                Cr
 *
 * B2, S is deeper; the short slot is Q's left, where S was:
 *
 *          N?                 S?
 *         /  \               /  \
 *        L    R      ==>    L    R
 *            /                  /
 *           Q                  Q
 *          /                  /
 *         Sb                 Cb
 *           \
 *            Cr
 */
static struct rb_node *unlink_node(struct rb_node *node, struct rb_root *root,
				   const struct rb_augment_callbacks *augment)
{
	struct rb_node *parent = rb_parent(node);
	struct rb_node *succ, *c, *hole_parent;
	bool short_black;

	if (!node->rb_left || !node->rb_right) {
		/* Case A. */
		c = node->rb_left ? node->rb_left : node->rb_right;
		change_child(node, c, parent, root);
		if (c)
			rb_set_parent_color(c, parent, RB_BLACK);
		short_black = !c && rb_is_black(node);
		augment->propagate(parent, NULL);
		return short_black ? parent : NULL;
	}

	/* Case B. */
	succ = node->rb_right;
	while (succ->rb_left)
		succ = succ->rb_left;
	c = succ->rb_right;
	short_black = !c && rb_is_black(succ);

	if (succ == node->rb_right) {
		hole_parent = succ;
	} else {
		hole_parent = rb_parent(succ);
		hole_parent->rb_left = c;
		succ->rb_right = node->rb_right;
		rb_set_parent(node->rb_right, succ);
	}
	if (c)
		rb_set_parent_color(c, hole_parent, RB_BLACK);
	succ->rb_left = node->rb_left;
	rb_set_parent(node->rb_left, succ);
	succ->__rb_parent_color = node->__rb_parent_color;
	change_child(node, succ, parent, root);

	/*
	 * S starts from N's value: right for the whole subtree before the
	 * erase. Recompute the path that lost S (up to S), then S and above.
	 */
	augment->copy(node, succ);
	if (hole_parent != succ)
		augment->propagate(hole_parent, succ);
	augment->propagate(succ, NULL);
	return short_black ? hole_parent : NULL;
}

/*
 * Repair R3 after an erase: every path through N, the child of P on @side
 * (N starts as the empty slot unlink_node() left, so NULL), has one black
 * fewer than the paths through its sibling S. N is black. S is not empty:
 * its side has a black height of at least one. Sn and Sf are S's children
 * nearer to and farther from N.
 *
 * Case 1: S is red (so P, Sn and Sf are black). Rotate at P and swap the
 * colours of P and S. Counts are unchanged; N's new sibling Sn is black, so
 * go on with one of the cases below.
 *
 *          Pb                      Sb
 *         /  \                    /  \
 *        N    Sr       ==>      Pr    Sfb
 *            /  \              /  \
 *          Snb   Sfb          N    Snb
 *
 * Case 2: S, Sn and Sf are black. Paint S red: now both sides of P are one
 * short. A red P is painted black and makes up for it: done. A black P
 * passes the shortage up: go on with N = P.
 *
 *          P?                      P?
 *         /  \                    /  \
 *        N    Sb       ==>       N    Sr
 *            /  \                    /  \
 *          Snb   Sfb               Snb   Sfb
 *
 * Case 3: S is black, Sn red and Sf black. Rotate at S away from N and swap
 * the colours of S and Sn: counts unchanged, and now N's sibling (Sn) has a
 * red far child (S): case 4.
 *
 *          P?                      P?
 *         /  \                    /  \
 *        N    Sb       ==>       N    Snb
 *            /  \                    /  \
 *          Snr   Sfb                1    Sr
 *         /  \                          /  \
 *        1    2                        2    Sfb
 *
 * Case 4: S is black and Sf red. Rotate at P towards N; S takes P's colour,
 * P and Sf become black. N's paths gain a black (P); paths through Sn keep
 * theirs (P instead of S); paths through Sf keep theirs (Sf instead of S).
 * Done.
 *
 *          P?                      S?
 *         /  \                    /  \
 *        N    Sb       ==>      Pb    Sfb
 *            /  \              /  \
 *          Sn?   Sfr          N    Sn?
 */
static void erase_fixup(struct rb_node *parent, struct rb_root *root,
			const struct rb_augment_callbacks *augment)
{
	struct rb_node *node = NULL, *sibling, *near, *far;
	enum rb_side side;

	while (parent) {
		/* With node NULL this still works: the sibling is never empty. */
		side = parent->rb_left == node ? LEFT : RIGHT;
		sibling = child(parent, other(side));

		if (rb_is_red(sibling)) {
			/* Case 1. */
			rotate(parent, side, root, augment);
			set_black(sibling);
			set_red(parent);
			sibling = child(parent, other(side));
		}
		near = child(sibling, side);
		far = child(sibling, other(side));

		if (!is_red(near) && !is_red(far)) {
			/* Case 2. */
			set_red(sibling);
			if (rb_is_red(parent)) {
				set_black(parent);
				return;
			}
			node = parent;
			parent = rb_parent(node);
			continue;
		}
		if (!is_red(far)) {
			/* Case 3. */
			rotate(sibling, other(side), root, augment);
			set_black(near);
			set_red(sibling);
			far = sibling;
			sibling = near;
		}
		/* Case 4. */
		rotate(parent, side, root, augment);
		set_color(sibling, rb_color(parent));
		set_black(parent);
		set_black(far);
		return;
	}
	/* The shortage reached the root: every path lost one, which is fine. */
}

/* Plain trees have no augmented value to maintain. */
static void dummy_propagate(struct rb_node *node __unused, struct rb_node *stop __unused)
{
}

static void dummy_copy(struct rb_node *old __unused, struct rb_node *new __unused)
{
}

static void dummy_rotate(struct rb_node *old __unused, struct rb_node *new __unused)
{
}

static const struct rb_augment_callbacks dummy_callbacks = {
	.propagate = dummy_propagate,
	.copy = dummy_copy,
	.rotate = dummy_rotate,
};

static void erase(struct rb_node *node, struct rb_root *root,
		  const struct rb_augment_callbacks *augment)
{
	struct rb_node *short_parent;

	if (WARN_ONCE(RB_EMPTY_NODE(node), "rb_erase: node %p is not in a tree", node))
		return;
	short_parent = unlink_node(node, root, augment);
	if (short_parent)
		erase_fixup(short_parent, root, augment);
}

/*
 * rb_insert_color - rebalance after rb_link_node() hung @node in @root
 *  => @node must be the node just linked, and the tree valid apart from it.
 *  => Nodes may move (rotations); @node's own memory does not.
 *  => O(log n), never fails, never sleeps.
 */
void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	insert_fixup(node, root, &dummy_callbacks);
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
	erase(node, root, &dummy_callbacks);
}

/*
 * rb_insert_augmented - rb_insert_color() for an augmented tree
 *  => @node's value, and those of its ancestors, must already account for
 *     @node (see the protocol in rbtree_augmented.h); the rotations done
 *     here keep them right through @augment->rotate.
 */
void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment)
{
	insert_fixup(node, root, augment);
}

/*
 * rb_erase_augmented - rb_erase() for an augmented tree
 *  => On return every node's augmented value is right again, provided it
 *     was before the call.
 */
void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *augment)
{
	erase(node, root, augment);
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
	change_child(victim, new, parent, root);
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
	if (rb_is_red(node) && (is_red(node->rb_left) || is_red(node->rb_right))) {
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
