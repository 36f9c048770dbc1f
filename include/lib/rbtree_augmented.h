/*
 * Augmented red-black trees: each node carries a value that summarises its
 * whole subtree (vmalloc's free tree keeps subtree_max_size, the largest
 * free block at or below the node), and the tree keeps those values right
 * while it inserts, erases and rotates.
 *
 * The library cannot compute the value itself, so the owner hands it three
 * callbacks:
 *
 *   propagate(node, stop)  recompute @node, then its parent, and so on
 *                          upwards, stopping before @stop (NULL: the root)
 *                          or as soon as a node's value comes out unchanged,
 *                          since nothing above it can change then;
 *   copy(old, new)         @new takes @old's place in the tree: give it
 *                          @old's value;
 *   rotate(old, new)       a rotation lifted @new above @old: @new now heads
 *                          the subtree @old headed, so it takes @old's value,
 *                          and @old, which lost part of its subtree, is
 *                          recomputed from its children.
 *
 * RB_DECLARE_CALLBACKS_MAX() writes all three for the common case where the
 * value is the maximum of a per-node quantity over the subtree.
 *
 * Protocol:
 *  - insert: set the new node's value to what it would be as a leaf, and
 *    raise the value of each node passed on the way down (or, after
 *    rb_link_node(), call propagate(parent, NULL)); then
 *    rb_insert_augmented() keeps the values right through its rotations;
 *  - erase: rb_erase_augmented() does everything;
 *  - a node's own quantity changed in place: call propagate(node, NULL).
 */
#ifndef LIB_RBTREE_AUGMENTED_H
#define LIB_RBTREE_AUGMENTED_H

#include "lib/rbtree.h"

/* Warn (once) that @node, cleared with RB_CLEAR_NODE(), was given to an erase. */
void __rb_erase_refused(const struct rb_node *node);

struct rb_augment_callbacks {
	void (*propagate)(struct rb_node *node, struct rb_node *stop);
	void (*copy)(struct rb_node *old, struct rb_node *new);
	void (*rotate)(struct rb_node *old, struct rb_node *new);
};

/*
 * Colour and parent helpers, for code that does its own tree surgery and
 * for checkers. Red is 0 so that rb_link_node() makes a node red.
 */
#define RB_RED	 0
#define RB_BLACK 1

#define __rb_parent(pc)	  ((struct rb_node *)((pc) & ~3UL))
#define __rb_color(pc)	  ((pc)&1)
#define __rb_is_black(pc) __rb_color(pc)
#define __rb_is_red(pc)	  (!__rb_color(pc))
#define rb_color(rb)	  __rb_color((rb)->__rb_parent_color)
#define rb_is_red(rb)	  __rb_is_red((rb)->__rb_parent_color)
#define rb_is_black(rb)	  __rb_is_black((rb)->__rb_parent_color)

static inline void rb_set_parent(struct rb_node *rb, struct rb_node *p)
{
	rb->__rb_parent_color = rb_color(rb) | (unsigned long)p;
}

static inline void rb_set_parent_color(struct rb_node *rb, struct rb_node *p, int color)
{
	rb->__rb_parent_color = (unsigned long)p | (unsigned long)color;
}

/*
 * The balancing core. Every function below is __always_inline and takes the
 * callbacks as a constant pointer, so that each instantiation is compiled
 * for its own callbacks: lib/rbtree.c instantiates it once for plain trees
 * with empty callbacks that vanish, and each augmented user gets its own
 * copy through rb_insert_augmented()/rb_erase_augmented() with its
 * callbacks called directly (usually inlined). Nothing pays for a path it
 * does not use, and no rotation is a function call.
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
 * handles the mirror image with the same lines, through a "side" argument
 * (RB_LEFT or RB_RIGHT, a constant at every call, so each image compiles to
 * plain field accesses) and the __rb_child() / __rb_other() helpers.
 *
 * The colour lives in bit 0 of __rb_parent_color (0 red, 1 black), beside
 * the parent pointer. No locking here: the tree's owner serialises all calls.
 */

enum rb_side {
	RB_LEFT = 0,
	RB_RIGHT = 1
};

static __always_inline enum rb_side __rb_other(enum rb_side side)
{
	return side == RB_LEFT ? RB_RIGHT : RB_LEFT;
}

static __always_inline struct rb_node **__rb_child_slot(struct rb_node *node, enum rb_side side)
{
	return side == RB_LEFT ? &node->rb_left : &node->rb_right;
}

static __always_inline struct rb_node *__rb_child(const struct rb_node *node, enum rb_side side)
{
	return side == RB_LEFT ? node->rb_left : node->rb_right;
}

/* The parent of a node known to be red: its colour bit is 0. */
static __always_inline struct rb_node *__rb_red_parent(const struct rb_node *red)
{
	return (struct rb_node *)red->__rb_parent_color;
}

/* Empty slots are black. */
static __always_inline bool __rb_node_is_red(const struct rb_node *node)
{
	return node && rb_is_red(node);
}

static __always_inline void __rb_set_color(struct rb_node *node, unsigned long color)
{
	node->__rb_parent_color = (node->__rb_parent_color & ~1UL) | color;
}

static __always_inline void __rb_set_black(struct rb_node *node)
{
	__rb_set_color(node, RB_BLACK);
}

static __always_inline void __rb_set_red(struct rb_node *node)
{
	__rb_set_color(node, RB_RED);
}

/* Make the link that pointed at @old (in @parent, or the root) point at @new. */
static __always_inline void __rb_change_child(struct rb_node *old, struct rb_node *new,
					      struct rb_node *parent, struct rb_root *root)
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
 * the other side (the riser) takes its place. Drawn for side == RB_LEFT:
 *
 *          |                         |
 *         top                      riser
 *        /   \                     /   \
 *       1    riser     ==>       top    3
 *            /   \              /   \
 *           2     3            1     2
 *
 * The in-order sequence (1 top 2 riser 3) is unchanged. Every rotation of
 * the fixups below also repaints the same way: the riser takes top's colour
 * (with its parent, in one store) and top takes @top_color. @middle_black
 * says that 2 is known to be black or empty (a child of a red node), which
 * saves reading its colour. @link, when the caller knows it, is the slot
 * that points at top (in top's parent), which saves finding it. For augmented trees the riser now heads the
 * same set of nodes top headed, so it takes top's value, and top, which lost
 * the riser and 3, is recomputed: that is exactly augment->rotate().
 */
static __always_inline void __rb_rotate(struct rb_node *top, enum rb_side side,
					unsigned long top_color, bool middle_black,
					struct rb_node **link, struct rb_root *root,
					const struct rb_augment_callbacks *augment)
{
	struct rb_node *riser = __rb_child(top, __rb_other(side));
	struct rb_node *middle = __rb_child(riser, side);

	*__rb_child_slot(top, __rb_other(side)) = middle;
	if (middle && middle_black)
		rb_set_parent_color(middle, top, RB_BLACK);
	else if (middle)
		rb_set_parent(middle, top);
	*__rb_child_slot(riser, side) = top;
	if (link)
		*link = riser;
	else
		__rb_change_child(top, riser, rb_parent(top), root);
	riser->__rb_parent_color = top->__rb_parent_color;
	rb_set_parent_color(top, riser, top_color);
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
static __always_inline struct rb_node *__rb_insert_step(struct rb_node *node,
							struct rb_node *parent,
							struct rb_node *gparent, enum rb_side side,
							struct rb_root *root,
							const struct rb_augment_callbacks *augment)
{
	struct rb_node *uncle = __rb_child(gparent, __rb_other(side));

	if (__rb_node_is_red(uncle)) {
		/* Case 1. */
		rb_set_parent_color(parent, gparent, RB_BLACK);
		rb_set_parent_color(uncle, gparent, RB_BLACK);
		__rb_set_red(gparent);
		return gparent;
	}
	if (node == __rb_child(parent, __rb_other(side))) {
		/* Case 2: afterwards the old parent hangs below the old node. */
		__rb_rotate(parent, side, RB_RED, true, __rb_child_slot(gparent, side), root,
			    augment);
		parent = node;
	}
	/* Case 3: P takes G's black, G turns red. */
	__rb_rotate(gparent, __rb_other(side), RB_RED, true, NULL, root, augment);
	return NULL;
}

/*
 * The loop: one step per clash, with P on the left or on the right of G.
 * Each call passes a constant side, so that each mirror image compiles to
 * straight field accesses. A step returns the node to go on with (case 1)
 * or NULL when the tree is repaired.
 */
static __always_inline void __rb_insert(struct rb_node *node, struct rb_root *root,
					const struct rb_augment_callbacks *augment)
{
	/* N is always red here, so its parent pointer needs no masking. */
	struct rb_node *parent = __rb_red_parent(node), *gparent;

	while (parent && rb_is_red(parent)) {
		gparent = __rb_red_parent(parent);
		if (parent != gparent->rb_right)
			node = __rb_insert_step(node, parent, gparent, RB_LEFT, root, augment);
		else
			node = __rb_insert_step(node, parent, gparent, RB_RIGHT, root, augment);
		if (!node)
			return;
		parent = __rb_red_parent(node);
	}
	/* N is the root (R1): case 1 may have carried the red here. */
	if (!parent)
		rb_set_parent_color(node, NULL, RB_BLACK);
}

/*
 * Take @node out of the tree's structure, keeping R1 and R2 and, when it
 * can, R3. Returns the parent of an empty slot whose paths are now one
 * black short (__rb_erase_fixup() then repairs R3), or NULL when no repair is
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
static __always_inline struct rb_node *__rb_unlink_one(struct rb_node *node, struct rb_node *c,
						       struct rb_root *root,
						       const struct rb_augment_callbacks *augment)
{
	unsigned long pc = node->__rb_parent_color;
	struct rb_node *parent = __rb_parent(pc);

	/* Case A. C is red and N black: C takes N's parent and colour. */
	__rb_change_child(node, c, parent, root);
	if (c)
		c->__rb_parent_color = pc;
	augment->propagate(parent, NULL);
	return !c && __rb_is_black(pc) ? parent : NULL;
}

static __always_inline struct rb_node *__rb_unlink(struct rb_node *node, struct rb_root *root,
						   const struct rb_augment_callbacks *augment)
{
	struct rb_node *left = node->rb_left, *right = node->rb_right;
	struct rb_node *succ = right, *hole_parent = right, *next, *c;
	unsigned long pc;
	bool short_black;

	if (!left)
		return __rb_unlink_one(node, right, root, augment);
	if (!right)
		return __rb_unlink_one(node, left, root, augment);

	/* Case B: S is the leftmost node of N's right subtree. */
	next = succ->rb_left;
	if (!next) {
		c = succ->rb_right;
	} else {
		/* B2: walk down to S, knowing its parent on the way. */
		do {
			hole_parent = succ;
			succ = next;
			next = succ->rb_left;
		} while (next);
		c = succ->rb_right;
		hole_parent->rb_left = c;
		succ->rb_right = right;
		rb_set_parent(right, succ);
	}
	short_black = !c && rb_is_black(succ);
	if (c)
		rb_set_parent_color(c, hole_parent, RB_BLACK);
	succ->rb_left = left;
	rb_set_parent(left, succ);
	pc = node->__rb_parent_color;
	succ->__rb_parent_color = pc;
	__rb_change_child(node, succ, __rb_parent(pc), root);

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
 * (N starts as the empty slot __rb_unlink() left, so NULL), has one black
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
static __always_inline bool __rb_erase_step(struct rb_node *parent, enum rb_side side,
					    struct rb_root *root,
					    const struct rb_augment_callbacks *augment)
{
	struct rb_node *sibling = __rb_child(parent, __rb_other(side));
	struct rb_node *near, *far;

	if (rb_is_red(sibling)) {
		/* Case 1: S takes P's black, P turns red. */
		__rb_rotate(parent, side, RB_RED, true, NULL, root, augment);
		sibling = __rb_child(parent, __rb_other(side));
	}
	near = __rb_child(sibling, side);
	far = __rb_child(sibling, __rb_other(side));

	if (!__rb_node_is_red(far)) {
		if (!__rb_node_is_red(near)) {
			/* Case 2. */
			rb_set_parent_color(sibling, parent, RB_RED);
			if (rb_is_red(parent)) {
				__rb_set_black(parent);
				return true;
			}
			return false;
		}
		/* Case 3: Sn takes S's black, S turns red. */
		__rb_rotate(sibling, __rb_other(side), RB_RED, true,
			    __rb_child_slot(parent, __rb_other(side)), root, augment);
		far = sibling;
		sibling = near;
	}
	/* Case 4: S takes P's colour, P turns black. */
	__rb_rotate(parent, side, RB_BLACK, false, NULL, root, augment);
	rb_set_parent_color(far, sibling, RB_BLACK);
	return true;
}

/*
 * The loop: one step per level, N on the left or on the right of P, each
 * with a constant side as in __rb_insert(). A step returns true when the
 * tree is repaired, false when the shortage moved up to P (case 2).
 */
static __always_inline void __rb_erase_fixup(struct rb_node *parent, struct rb_root *root,
					     const struct rb_augment_callbacks *augment)
{
	struct rb_node *node = NULL;
	bool done;

	while (parent) {
		/* With node NULL this still works: the sibling is never empty. */
		if (parent->rb_right != node)
			done = __rb_erase_step(parent, RB_LEFT, root, augment);
		else
			done = __rb_erase_step(parent, RB_RIGHT, root, augment);
		if (done)
			return;
		node = parent;
		parent = rb_parent(node);
	}
	/* The shortage reached the root: every path lost one, which is fine. */
}

static __always_inline void __rb_erase(struct rb_node *node, struct rb_root *root,
				       const struct rb_augment_callbacks *augment)
{
	struct rb_node *short_parent;

	if (unlikely(RB_EMPTY_NODE(node))) {
		__rb_erase_refused(node);
		return;
	}
	short_parent = __rb_unlink(node, root, augment);
	if (short_parent)
		__rb_erase_fixup(short_parent, root, augment);
}

/*
 * rb_insert_augmented - rb_insert_color() for an augmented tree
 *  => @node's value, and those of its ancestors, must already account for
 *     @node (see the protocol above); the rotations done here keep them
 *     right through @augment->rotate.
 *  => Inlined with @augment's callbacks: call it from one place per tree.
 */
static __always_inline void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
						const struct rb_augment_callbacks *augment)
{
	__rb_insert(node, root, augment);
}

/*
 * rb_erase_augmented - rb_erase() for an augmented tree
 *  => On return every node's augmented value is right again, provided it
 *     was before the call. Refuses a cleared node as rb_erase() does.
 */
static __always_inline void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
					       const struct rb_augment_callbacks *augment)
{
	__rb_erase(node, root, augment);
}

/*
 * Define static callbacks RBNAME##_propagate/_copy/_rotate and the
 * callback table RBNAME (RBSTATIC: "static", or empty for a global table)
 * for RBSTRUCT objects linked through their RBFIELD node, whose augmented
 * value is the field RBAUGMENTED.
 *
 * RBCOMPUTE(RBSTRUCT *node, bool exit) recomputes node->RBAUGMENTED from
 * the node and its children. With @exit true it returns true, storing
 * nothing, when the value is already right; propagate relies on this to
 * stop early. Otherwise it stores the value and returns false.
 *
 * Like Linux's, the macro ends its own declaration: write it with no ';'
 * after it (one is tolerated, as an empty declaration).
 */
#define RB_DECLARE_CALLBACKS(RBSTATIC, RBNAME, RBSTRUCT, RBFIELD, RBAUGMENTED, RBCOMPUTE) \
	static void RBNAME##_propagate(struct rb_node *rb, struct rb_node *stop)          \
	{                                                                                 \
		while (rb != stop) {                                                      \
			RBSTRUCT *node = rb_entry(rb, RBSTRUCT, RBFIELD);                 \
			if (RBCOMPUTE(node, true))                                        \
				break;                                                    \
			rb = rb_parent(&node->RBFIELD);                                   \
		}                                                                         \
	}                                                                                 \
	static void RBNAME##_copy(struct rb_node *rb_old, struct rb_node *rb_new)         \
	{                                                                                 \
		RBSTRUCT *old = rb_entry(rb_old, RBSTRUCT, RBFIELD);                      \
		RBSTRUCT *new = rb_entry(rb_new, RBSTRUCT, RBFIELD);                      \
		new->RBAUGMENTED = old->RBAUGMENTED;                                      \
	}                                                                                 \
	static void RBNAME##_rotate(struct rb_node *rb_old, struct rb_node *rb_new)       \
	{                                                                                 \
		RBSTRUCT *old = rb_entry(rb_old, RBSTRUCT, RBFIELD);                      \
		RBSTRUCT *new = rb_entry(rb_new, RBSTRUCT, RBFIELD);                      \
		new->RBAUGMENTED = old->RBAUGMENTED;                                      \
		RBCOMPUTE(old, false);                                                    \
	}                                                                                 \
	RBSTATIC const struct rb_augment_callbacks RBNAME = {                             \
		.propagate = RBNAME##_propagate,                                          \
		.copy = RBNAME##_copy,                                                    \
		.rotate = RBNAME##_rotate,                                                \
	};

/*
 * The maximum case: RBSTRUCT.RBAUGMENTED (of type RBTYPE) is the largest
 * RBCOMPUTE(node) over the node's subtree, RBCOMPUTE being a function or
 * macro giving one node's own quantity (vmalloc: va_size). Besides the
 * callbacks this defines
 *
 *	bool RBNAME##_compute_max(RBSTRUCT *node, bool exit)
 *
 * with the RBCOMPUTE contract of RB_DECLARE_CALLBACKS above.
 */
#define RB_DECLARE_CALLBACKS_MAX(RBSTATIC, RBNAME, RBSTRUCT, RBFIELD, RBTYPE, RBAUGMENTED, \
				 RBCOMPUTE)                                                \
	static inline bool RBNAME##_compute_max(RBSTRUCT *node, bool exit)                 \
	{                                                                                  \
		RBTYPE best = RBCOMPUTE(node);                                             \
		RBSTRUCT *kid;                                                             \
                                                                                           \
		if (node->RBFIELD.rb_left) {                                               \
			kid = rb_entry(node->RBFIELD.rb_left, RBSTRUCT, RBFIELD);          \
			if (kid->RBAUGMENTED > best)                                       \
				best = kid->RBAUGMENTED;                                   \
		}                                                                          \
		if (node->RBFIELD.rb_right) {                                              \
			kid = rb_entry(node->RBFIELD.rb_right, RBSTRUCT, RBFIELD);         \
			if (kid->RBAUGMENTED > best)                                       \
				best = kid->RBAUGMENTED;                                   \
		}                                                                          \
		if (exit && node->RBAUGMENTED == best)                                     \
			return true;                                                       \
		node->RBAUGMENTED = best;                                                  \
		return false;                                                              \
	}                                                                                  \
	RB_DECLARE_CALLBACKS(RBSTATIC, RBNAME, RBSTRUCT, RBFIELD, RBAUGMENTED, RBNAME##_compute_max)

#endif /* LIB_RBTREE_AUGMENTED_H */
