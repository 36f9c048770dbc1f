/*
 * Host benchmark of a red-black tree library, in the loops of Linux's
 * lib/rbtree_test.c: insert NODES nodes by key, erase them in the same
 * order, repeat. "plain" uses rb_insert_color()/rb_erase(); "augmented"
 * keeps the largest val of each subtree through RB_DECLARE_CALLBACKS_MAX()
 * and rb_insert_augmented()/rb_erase_augmented().
 *
 * The same source is built twice by scripts/rbtree-vs-linux.sh: against
 * Contig's lib/rbtree.c, and with -DBENCH_LINUX against Linux's, both at
 * -O2 with the library in its own translation unit. Both trees share the
 * API, so only the includes differ. Not part of make test.
 *
 * Usage: rbtree_bench plain|augmented LOOPS RUNS
 * Prints the median over RUNS of the nanoseconds per loop (NODES inserts
 * and NODES erases). The work itself is in bench_plain()/bench_augmented(),
 * which the script names to callgrind for instruction counts.
 */
#ifdef BENCH_LINUX
#include <linux/rbtree_augmented.h>
#else
#include "lib/rbtree_augmented.h"

#include "kernel/panic.h"
#include "kernel/printk.h"

/* lib/rbtree.c's only outside calls, both on paths the loops never take. */
int printk(const char *fmt __unused, ...)
{
	return 0;
}

void __warn(const char *file __unused, int line __unused, unsigned long caller __unused,
	    const char *fmt __unused, ...)
{
}
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NODES	 100
#define MAX_RUNS 101

struct bnode {
	struct rb_node rb;
	uint32_t key;
	uint32_t val;
	uint32_t augmented;
};

static struct rb_root root = RB_ROOT;
static struct bnode nodes[NODES];

#define BNODE_VAL(node) ((node)->val)

RB_DECLARE_CALLBACKS_MAX(static, bnode_cb, struct bnode, rb, uint32_t, augmented, BNODE_VAL);

static void insert(struct bnode *node)
{
	struct rb_node **link = &root.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (node->key < rb_entry(parent, struct bnode, rb)->key)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&node->rb, parent, link);
	rb_insert_color(&node->rb, &root);
}

static void insert_augmented(struct bnode *node)
{
	struct rb_node **link = &root.rb_node, *parent = NULL;
	struct bnode *up;

	while (*link) {
		parent = *link;
		up = rb_entry(parent, struct bnode, rb);
		if (up->augmented < node->val)
			up->augmented = node->val;
		link = node->key < up->key ? &parent->rb_left : &parent->rb_right;
	}
	node->augmented = node->val;
	rb_link_node(&node->rb, parent, link);
	rb_insert_augmented(&node->rb, &root, &bnode_cb);
}

__attribute__((noinline)) void bench_plain(long loops)
{
	for (long i = 0; i < loops; i++) {
		for (int j = 0; j < NODES; j++)
			insert(&nodes[j]);
		for (int j = 0; j < NODES; j++)
			rb_erase(&nodes[j].rb, &root);
	}
}

__attribute__((noinline)) void bench_augmented(long loops)
{
	for (long i = 0; i < loops; i++) {
		for (int j = 0; j < NODES; j++)
			insert_augmented(&nodes[j]);
		for (int j = 0; j < NODES; j++)
			rb_erase_augmented(&nodes[j].rb, &root, &bnode_cb);
	}
}

/* The same keys for both libraries: xorshift64* from a fixed seed. */
static void init_nodes(void)
{
	uint64_t x = 3141592653589793238ULL;

	for (int i = 0; i < NODES; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		nodes[i].key = (uint32_t)((x * 2685821657736338717ULL) >> 32);
		nodes[i].val = (uint32_t)(x * 2685821657736338717ULL);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	double ns[MAX_RUNS], t0;
	long loops;
	int runs;
	void (*bench)(long);

	if (argc != 4 || (strcmp(argv[1], "plain") && strcmp(argv[1], "augmented"))) {
		fprintf(stderr, "usage: %s plain|augmented LOOPS RUNS\n", argv[0]);
		return 2;
	}
	bench = strcmp(argv[1], "plain") ? bench_augmented : bench_plain;
	loops = atol(argv[2]);
	runs = atoi(argv[3]);
	if (loops < 1 || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "%s: LOOPS must be >= 1 and RUNS in 1..%d\n", argv[0], MAX_RUNS);
		return 2;
	}
	init_nodes();
	for (int r = 0; r < runs; r++) {
		t0 = now_ns();
		bench(loops);
		ns[r] = (now_ns() - t0) / loops;
	}
	qsort(ns, runs, sizeof(ns[0]), cmp_double);
	printf("%.1f\n", ns[runs / 2]);
	return 0;
}
