/*
 * In-kernel self-tests. KTEST(suite, name) registers a test in the .ktest
 * section; ktest= on the command line runs them and prints KTAP version 1 on
 * the console: "all", "list" (print the cases), or a comma list of globs on
 * the suite or on "suite.case" (ktest=vmalloc.*,*guard*,buddy). Assertions print file:line and the values.
 * A test that faults unexpectedly is reported as failed and the run goes on;
 * KTEST_EXPECT_FAULT() lets a test demand a fault and carry on after it.
 * ktest_defer() and the ktest_vmalloc()-style wrappers give back what a test
 * held when it ends, passed or not.
 *
 *	KTEST(buddy, alloc_free_one)
 *	{
 *		struct page *p = alloc_page(GFP_KERNEL);
 *
 *		KTEST_ASSERT_NOT_NULL(t, p);
 *		__free_page(p);
 *	}
 */
#ifndef DEBUG_KTEST_H
#define DEBUG_KTEST_H

#include "kernel/compiler.h"
#include "kernel/spinlock.h"
#include "mm/gfp.h"

/* Callee-saved state for ktest_setjmp/ktest_longjmp (arch/x86/kernel/ktest_jmp.asm). */
struct ktest_jmp_buf {
	unsigned long rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};

int ktest_setjmp(struct ktest_jmp_buf *buf) __attribute__((returns_twice));
void ktest_longjmp(struct ktest_jmp_buf *buf, int val) __noreturn;

struct page;

/* Deferred cleanup actions of one test (KUnit's kunit_add_action()): see ktest_defer(). */
#define KTEST_MAX_ACTIONS 32

struct ktest_action {
	void (*fn)(void *arg);
	void *arg;
};

struct ktest {
	const char *suite;
	const char *name;
	bool failed;
	bool skipped;
	const char *skip_reason;
	char skip_buf[64];	  /* a skip reason made up at run time */
	bool expect_fault;	  /* a fault now jumps to fault_jmp */
	unsigned int fault_locks; /* spin_locks_held() at KTEST_EXPECT_FAULT() */
	unsigned long fault_addr; /* CR2 of the last expected fault */
	unsigned long fault_vector;
	struct ktest_jmp_buf fault_jmp; /* where an expected fault resumes */
	struct ktest_jmp_buf abort_jmp; /* where an unexpected fault or ASSERT ends the test */
	unsigned int nr_actions;
	struct ktest_action actions[KTEST_MAX_ACTIONS]; /* run last first when the test ends */
};

struct ktest_case {
	const char *suite;
	const char *name;
	void (*fn)(struct ktest *t);
	int line; /* tests of a suite run in source order */
};

#define KTEST(suite, name)                                                                 \
	static void ktest_##suite##_##name(struct ktest *t);                               \
	static const struct ktest_case __ktest_case_##suite##_##name __section(".ktest")   \
		__used __aligned(8) = { #suite, #name, ktest_##suite##_##name, __LINE__ }; \
	static void ktest_##suite##_##name(struct ktest *t __unused)

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...) __printf(4, 5);
void ktest_abort(struct ktest *t) __noreturn;
/* The test running now, or NULL. */
struct ktest *ktest_current(void);
/*
 * ktest_run - run the cases that @spec selects ("all", globs, or "list").
 * => installs trap_hooks for the run: an expected fault resumes the test, an
 *    unexpected one fails it and the run goes on (or ends, if locks were held)
 * Return: the number of failed cases; 1 when nothing matches @spec.
 */
int ktest_run(const char *spec);
/*
 * ktest_need_pages - skip @t (and end it) unless @pages pages are free now.
 * For tests whose size is fixed; a test that can shrink should size itself.
 */
void ktest_need_pages(struct ktest *t, unsigned long pages);
/*
 * ktest_log_mark - where the kernel log ends now; ktest_log_has(mark, s)
 * then says whether a line printed since holds @needle (shorter than
 * KTEST_NEEDLE_MAX bytes). For tests that expect a message.
 */
#define KTEST_NEEDLE_MAX 128
unsigned long ktest_log_mark(void);
bool ktest_log_has(unsigned long mark, const char *needle);

/*
 * Deferred cleanup, after KUnit's kunit_add_action(): what a test holds is
 * given back when it ends, however it ends.
 *
 *	p = ktest_vmalloc(t, SZ);	(vfree(p) is now deferred)
 *	KTEST_ASSERT_NOT_NULL(t, p);	(a failure here still frees p)
 *
 * ktest_defer - run @fn(@arg) when @t ends
 * => The actions run last-registered first, right after the test function
 *    returns, fails an ASSERT, skips, or faults unexpectedly; not when a
 *    fault with spinlocks held ends the whole run (their owners' data cannot
 *    be trusted: the runner then says how many it left).
 * => @arg must outlive the test function: static data, an allocation, never
 *    the test's locals (after an ASSERT its stack frame is gone).
 * => No allocation: a table of KTEST_MAX_ACTIONS per test. When it is full,
 *    @fn(@arg) runs at once, the test fails with a message and ends.
 */
void ktest_defer(struct ktest *t, void (*fn)(void *arg), void *arg);
/* Forget the latest action @fn(@arg) without running it. Return: whether there was one. */
bool ktest_defer_cancel(struct ktest *t, void (*fn)(void *arg), void *arg);
/* Run the latest action @fn(@arg) now and forget it. Return: whether there was one. */
bool ktest_release(struct ktest *t, void (*fn)(void *arg), void *arg);

/*
 * Allocate and defer the free (vfree, kfree, __free_pages at the block's
 * order). NULL, with nothing deferred, when the allocation fails: fault
 * injection tests may expect it.
 */
void *ktest_vmalloc(struct ktest *t, unsigned long size);
void *ktest_kmalloc(struct ktest *t, size_t size, gfp_t gfp);
struct page *ktest_alloc_pages(struct ktest *t, gfp_t gfp, unsigned int order);
/*
 * Free now what the wrapper above gave, and forget its action. A pointer
 * that no action of @t frees fails the test and is not freed.
 */
void ktest_vfree(struct ktest *t, const void *addr);
void ktest_kfree(struct ktest *t, const void *p);
void ktest_free_pages(struct ktest *t, struct page *page);
/* The actions the wrappers defer, for ktest_defer() of an allocation made otherwise. */
void ktest_action_vfree(void *addr);
void ktest_action_kfree(void *p);
void ktest_action_free_pages(void *page); /* __free_pages(page, page->order) */

#define __KTEST_CMP(t, got, op, want, fatal)                                                     \
	do {                                                                                     \
		__typeof__(got) __g = (got);                                                     \
		__typeof__(want) __w = (want);                                                   \
		if (!(__g op __w)) {                                                             \
			ktest_fail(t, __FILE__, __LINE__,                                        \
				   "expected %s " #op " %s, got 0x%llx (%lld) vs 0x%llx (%lld)", \
				   #got, #want, (unsigned long long)__g, (long long)__g,         \
				   (unsigned long long)__w, (long long)__w);                     \
			if (fatal)                                                               \
				ktest_abort(t);                                                  \
		}                                                                                \
	} while (0)

#define KTEST_EXPECT_EQ(t, g, w) __KTEST_CMP(t, g, ==, w, 0)
#define KTEST_EXPECT_NE(t, g, w) __KTEST_CMP(t, g, !=, w, 0)
#define KTEST_EXPECT_LT(t, g, w) __KTEST_CMP(t, g, <, w, 0)
#define KTEST_EXPECT_LE(t, g, w) __KTEST_CMP(t, g, <=, w, 0)
#define KTEST_EXPECT_GT(t, g, w) __KTEST_CMP(t, g, >, w, 0)
#define KTEST_EXPECT_GE(t, g, w) __KTEST_CMP(t, g, >=, w, 0)
#define KTEST_ASSERT_EQ(t, g, w) __KTEST_CMP(t, g, ==, w, 1)
#define KTEST_ASSERT_NE(t, g, w) __KTEST_CMP(t, g, !=, w, 1)
#define KTEST_ASSERT_LE(t, g, w) __KTEST_CMP(t, g, <=, w, 1)
#define KTEST_ASSERT_GE(t, g, w) __KTEST_CMP(t, g, >=, w, 1)

#define KTEST_EXPECT_TRUE(t, c)                                               \
	do {                                                                  \
		if (!(c))                                                     \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", #c); \
	} while (0)
#define KTEST_EXPECT_FALSE(t, c) KTEST_EXPECT_TRUE(t, !(c))
#define KTEST_ASSERT_TRUE(t, c)                                               \
	do {                                                                  \
		if (!(c)) {                                                   \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", #c); \
			ktest_abort(t);                                       \
		}                                                             \
	} while (0)
#define KTEST_EXPECT_NULL(t, p)	    KTEST_EXPECT_TRUE(t, (p) == NULL)
#define KTEST_EXPECT_NOT_NULL(t, p) KTEST_EXPECT_TRUE(t, (p) != NULL)
#define KTEST_ASSERT_NOT_NULL(t, p) KTEST_ASSERT_TRUE(t, (p) != NULL)

#define KTEST_EXPECT_STREQ(t, g, w)                                                                \
	do {                                                                                       \
		const char *__g = (g), *__w = (w);                                                 \
		if (strcmp(__g, __w) != 0)                                                         \
			ktest_fail(t, __FILE__, __LINE__, "expected %s == \"%s\", got \"%s\"", #g, \
				   __w, __g);                                                      \
	} while (0)

/* Mark the test skipped and end it. */
#define KTEST_SKIP(t, reason)                \
	do {                                 \
		(t)->skipped = true;         \
		(t)->skip_reason = (reason); \
		ktest_abort(t);              \
	} while (0)

/*
 * Run @stmt, which must fault (page fault or any exception); the test goes
 * on after it with t->fault_addr (CR2) and t->fault_vector set. No fault is
 * a failure.
 */
#define KTEST_EXPECT_FAULT(t, stmt)                                                            \
	do {                                                                                   \
		if (ktest_setjmp(&(t)->fault_jmp) == 0) {                                      \
			(t)->fault_locks = spin_locks_held();                                  \
			(t)->expect_fault = true;                                              \
			barrier();                                                             \
			stmt;                                                                  \
			barrier();                                                             \
			(t)->expect_fault = false;                                             \
			ktest_fail(t, __FILE__, __LINE__, "expected a fault from: %s", #stmt); \
		}                                                                              \
		(t)->expect_fault = false;                                                     \
	} while (0)

#endif /* DEBUG_KTEST_H */
