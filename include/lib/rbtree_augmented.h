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

struct rb_augment_callbacks {
	void (*propagate)(struct rb_node *node, struct rb_node *stop);
	void (*copy)(struct rb_node *old, struct rb_node *new);
	void (*rotate)(struct rb_node *old, struct rb_node *new);
};

void rb_insert_augmented(struct rb_node *node, struct rb_root *root,
			 const struct rb_augment_callbacks *augment);
void rb_erase_augmented(struct rb_node *node, struct rb_root *root,
			const struct rb_augment_callbacks *augment);

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
	}

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

#endif /* LIB_RBTREE_AUGMENTED_H */
