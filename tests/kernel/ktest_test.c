/*
 * Self-tests of the runner's deferred cleanup actions (ktest_defer(), the
 * ktest_vmalloc()-style wrappers): the order they run in, cancel and
 * release. An action runs after its test has ended, so the case after it
 * looks at what it did; run alone, that case skips.
 *
 * The hidden suite _ktest_leak ends tests on purpose, every way a test can
 * end early (a failed ASSERT, an unexpected fault, a SKIP, a full action
 * table), each after taking a large part of free memory through the
 * wrappers; its last case checks that every page came back. A failed
 * self-test used to keep what it held: at 16M one that took the free memory
 * left MemFree at 0 for everything after it.
 * tests/e2e/ktest_failed_test_gives_back.sh runs it at 16M.
 */
#include "asm/pgtable.h"
#include "debug/ktest.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

static char order_log[16]; /* what the actions of defer_order wrote, in order */
static unsigned int order_len;
static bool order_registered;

static void log_char(void *arg)
{
	if (order_len < sizeof(order_log) - 1)
		order_log[order_len++] = (char)(unsigned long)arg;
}

/* Registers a, b, c, x, y; cancels x; releases y at once. */
KTEST(ktest, defer_cancel_release)
{
	memset(order_log, 0, sizeof(order_log));
	order_len = 0;
	ktest_defer(t, log_char, (void *)'a');
	ktest_defer(t, log_char, (void *)'b');
	ktest_defer(t, log_char, (void *)'x');
	ktest_defer(t, log_char, (void *)'c');
	ktest_defer(t, log_char, (void *)'y');
	KTEST_EXPECT_TRUE(t, ktest_defer_cancel(t, log_char, (void *)'x'));
	KTEST_EXPECT_FALSE(t, ktest_defer_cancel(t, log_char, (void *)'x'));
	KTEST_EXPECT_EQ(t, order_len, 0U);
	KTEST_EXPECT_TRUE(t, ktest_release(t, log_char, (void *)'y'));
	KTEST_EXPECT_FALSE(t, ktest_release(t, log_char, (void *)'y'));
	KTEST_EXPECT_STREQ(t, order_log, "y");
	KTEST_EXPECT_EQ(t, t->nr_actions, 3U);
	order_registered = true;
}

/* The actions left by the case before ran when it ended, last first. */
KTEST(ktest, defer_ran_last_first)
{
	if (!order_registered)
		KTEST_SKIP(t, "runs after ktest.defer_cancel_release");
	order_registered = false;
	KTEST_EXPECT_STREQ(t, order_log, "ycba");
}

/* The wrappers free at the end; ktest_vfree() and friends free now, once. */
KTEST(ktest, wrappers_free_now_or_at_end)
{
	unsigned long busy = vmalloc_nr_busy(), free0;
	struct page *page;
	void *v, *k;

	ktest_need_pages(t, 64);
	v = ktest_vmalloc(t, 4 * PAGE_SIZE);
	k = ktest_kmalloc(t, 2 * PAGE_SIZE, GFP_KERNEL);
	page = ktest_alloc_pages(t, GFP_KERNEL, 2);
	KTEST_ASSERT_NOT_NULL(t, v);
	KTEST_ASSERT_NOT_NULL(t, k);
	KTEST_ASSERT_NOT_NULL(t, page);
	KTEST_EXPECT_EQ(t, t->nr_actions, 3U);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy + 1);
	free0 = nr_free_pages();
	ktest_free_pages(t, page);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0 + 4);
	ktest_kfree(t, k);
	KTEST_EXPECT_EQ(t, nr_free_pages(), free0 + 4 + 2); /* 8 KiB: an order-1 block */
	ktest_vfree(t, v);
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, t->nr_actions, 0U);
}

/* ---- _ktest_leak: tests that end early on purpose, run by the e2e test ---- */

/* What the machine holds, in pages: free, slabs, page tables; vm areas. */
struct leak_snapshot {
	unsigned long pages, busy;
};

static struct leak_snapshot leak_before;
static bool leak_recorded;

static struct leak_snapshot leak_snapshot(void)
{
	vm_unmap_aliases(); /* lazily freed areas are back */
	return (struct leak_snapshot){ nr_free_pages() + slab_nr_pages() + pgtable_stats.pt_pages,
				       vmalloc_nr_busy() };
}

/* Take about a third of free memory each way: vmalloc, kmalloc, pages. */
static void leak_take_memory(struct ktest *t)
{
	unsigned long third = nr_free_pages() / 3, order = 0;

	while (order < MAX_ORDER && (2UL << order) <= third / 2)
		order++;
	KTEST_ASSERT_NOT_NULL(t, ktest_vmalloc(t, third * PAGE_SIZE));
	KTEST_ASSERT_NOT_NULL(t, ktest_kmalloc(t, (1UL << order) * PAGE_SIZE, GFP_KERNEL));
	KTEST_ASSERT_NOT_NULL(t, ktest_alloc_pages(t, GFP_KERNEL, order));
	KTEST_ASSERT_NOT_NULL(t, ktest_kmalloc(t, 100, GFP_KERNEL));
}

KTEST(_ktest_leak, record)
{
	leak_before = leak_snapshot();
	leak_recorded = true;
	printk("    # record: %lu pages, %lu vm areas\n", leak_before.pages, leak_before.busy);
}

KTEST(_ktest_leak, assert_fails_holding_memory)
{
	leak_take_memory(t);
	KTEST_ASSERT_EQ(t, 1, 2); /* on purpose */
}

KTEST(_ktest_leak, faults_holding_memory)
{
	char *p;

	leak_take_memory(t);
	p = ktest_vmalloc(t, PAGE_SIZE);
	KTEST_ASSERT_NOT_NULL(t, p);
	*(volatile char *)(p + PAGE_SIZE) = 1; /* on purpose: its guard page */
}

KTEST(_ktest_leak, skips_holding_memory)
{
	leak_take_memory(t);
	KTEST_SKIP(t, "on purpose, holding memory");
}

KTEST(_ktest_leak, action_table_full)
{
	for (unsigned int i = 0; i <= KTEST_MAX_ACTIONS; i++)
		KTEST_ASSERT_NOT_NULL(t, ktest_kmalloc(t, 2 * PAGE_SIZE, GFP_KERNEL));
	ktest_fail(t, __FILE__, __LINE__, "a full action table did not end the test");
}

/* The cases above gave back every page and every vm area. */
KTEST(_ktest_leak, everything_given_back)
{
	struct leak_snapshot now = leak_snapshot();

	if (!leak_recorded)
		KTEST_SKIP(t, "runs after _ktest_leak.record");
	printk("    # everything_given_back: %lu pages, %lu vm areas\n", now.pages, now.busy);
	KTEST_EXPECT_EQ(t, now.pages, leak_before.pages);
	KTEST_EXPECT_EQ(t, now.busy, leak_before.busy);
	KTEST_EXPECT_EQ(t, vmalloc_check(), 0);
	KTEST_EXPECT_EQ(t, buddy_check(), 0);
}
