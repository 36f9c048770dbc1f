/*
 * Floors: what the machine's primitives cost, measured in the same run as
 * the scenarios, and from them each scenario's physical floor, the least
 * any allocator doing the same work could cost: take an address range and
 * each page from an array (pop, and push on free), write each PTE and
 * clear it, invalidate (a full flush shared by the lazy batch), write the
 * one byte (the first touch of a fresh mapping) and, for vzalloc, zero each
 * page with the fastest loop. Nothing of vmalloc or the buddy is in it.
 *
 * Each primitive is the fastest of BENCH_REPS runs over many pages, and of
 * every refresh of the boot, in TSC cycles x1000 per page (per flush for
 * the full flush): a floor is the best the machine can do, so noise from a
 * busy host must not raise it.
 * docs/performance.md gives the formula of each scenario.
 */
#include "internal.h"

#include "asm/pgtable.h"
#include "asm/processor.h"
#include "kernel/errno.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

enum floor_prim {
	FP_POP_PUSH,	/* a page pointer popped from an array and pushed back */
	FP_PTE_WRITE,	/* one PTE written */
	FP_PTE_CLEAR,	/* one PTE cleared */
	FP_INVLPG,	/* one invlpg */
	FP_FLUSH_ALL,	/* one full local TLB flush (per flush) */
	FP_FIRST_TOUCH, /* a byte written to a page just mapped (TLB miss and walk) */
	FP_ZERO_STORE8, /* 4 KiB zeroed with 8-byte stores, 64 bytes a turn */
	FP_ZERO_MEMSET, /* 4 KiB zeroed by the kernel's memset() */
	FP_ZERO_STOSQ,	/* 4 KiB zeroed by rep stosq */
	NR_FLOOR_PRIMS
};

static const char *const prim_names[NR_FLOOR_PRIMS] = {
	"pop_push",    "pte_write",   "pte_clear",   "invlpg",	   "flush_all",
	"first_touch", "zero_store8", "zero_memset", "zero_stosq",
};

/* cycles x1000 per page (or flush), the best of the boot; 0 = not measured */
static u64 prim_x1000[NR_FLOOR_PRIMS];

#define FLOOR_POP_PAGES	 16384 /* as many as big_alloc takes */
#define FLOOR_PTE_PAGES	 4096
#define FLOOR_ZERO_PAGES 1024
#define FLOOR_FLUSHES	 16

/*
 * Primitive @p: the fastest of BENCH_REPS runs of @fn(@arg), in cycles x1000
 * per one of @n, unless this boot has measured it faster before: a load
 * spike over one refresh must not raise a floor.
 */
static void floor_best(enum floor_prim p, u64 (*fn)(void *arg), void *arg, unsigned long n)
{
	u64 best = ~0ULL;

	for (unsigned int r = 0; r < BENCH_REPS; r++)
		best = min(best, fn(arg));
	best = best * 1000 / n;
	prim_x1000[p] = prim_x1000[p] ? min(prim_x1000[p], best) : best;
}

/* A stack of page pointers: FLOOR_POP_PAGES popped into an array, then pushed back. */
struct pop_floor {
	struct page **stack;
	struct page **taken;
};

static u64 floor_pop_push_once(void *arg)
{
	struct pop_floor *f = arg;
	unsigned long top = FLOOR_POP_PAGES;
	u64 t0 = rdtsc_ordered();

	for (unsigned long i = 0; i < FLOOR_POP_PAGES; i++) {
		f->taken[i] = f->stack[--top];
		barrier(); /* one page at a time, as an allocator would */
	}
	for (unsigned long i = 0; i < FLOOR_POP_PAGES; i++) {
		f->stack[top++] = f->taken[i];
		barrier();
	}
	return rdtsc_ordered() - t0;
}

static int floor_measure_pop_push(void)
{
	struct pop_floor f = { (struct page **)bench_ptr_array(FLOOR_POP_PAGES),
			       (struct page **)bench_ptr_array(FLOOR_POP_PAGES) };
	int err = -ENOMEM;

	if (f.stack && f.taken) {
		for (unsigned long i = 0; i < FLOOR_POP_PAGES; i++)
			f.stack[i] = (struct page *)(i << 6); /* never dereferenced */
		floor_best(FP_POP_PUSH, floor_pop_push_once, &f, FLOOR_POP_PAGES);
		err = 0;
	}
	vfree(f.taken);
	vfree(f.stack);
	return err;
}

/* A window of FLOOR_PTE_PAGES pages whose page tables exist; ptes[i] maps page i. */
struct pte_floor {
	unsigned long addr;
	pte_t **ptes;
	pte_t val; /* what a mapping writes */
};

static unsigned long pte_addr(const struct pte_floor *f, unsigned long i)
{
	return f->addr + (i << PAGE_SHIFT);
}

/* Write @val to every pte of the floor's range (0 unmaps it). */
static void floor_ptes_write(struct pte_floor *f, u64 val)
{
	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++)
		WRITE_ONCE(*f->ptes[i], val);
}

static u64 floor_pte_write_once(void *arg)
{
	struct pte_floor *f = arg;
	u64 t0 = rdtsc_ordered(), t;

	floor_ptes_write(f, f->val);
	t = rdtsc_ordered() - t0;
	floor_ptes_write(f, 0);
	local_flush_tlb_all();
	return t;
}

static u64 floor_pte_clear_once(void *arg)
{
	struct pte_floor *f = arg;
	u64 t0;

	floor_ptes_write(f, f->val);
	t0 = rdtsc_ordered();
	floor_ptes_write(f, 0);
	t0 = rdtsc_ordered() - t0;
	local_flush_tlb_all();
	return t0;
}

/* Mapped, never touched since the last flush: each write misses the TLB. */
static u64 floor_first_touch_once(void *arg)
{
	struct pte_floor *f = arg;
	u64 t0;

	floor_ptes_write(f, f->val);
	local_flush_tlb_all();
	t0 = rdtsc_ordered();
	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++)
		bench_touch((void *)pte_addr(f, i));
	t0 = rdtsc_ordered() - t0;
	floor_ptes_write(f, 0);
	local_flush_tlb_all();
	return t0;
}

static u64 floor_invlpg_once(void *arg)
{
	struct pte_floor *f = arg;
	u64 t0 = rdtsc_ordered();

	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++)
		invlpg(pte_addr(f, i));
	return rdtsc_ordered() - t0;
}

static u64 floor_flush_all_once(void *arg)
{
	u64 t0 = rdtsc_ordered();

	(void)arg;
	for (unsigned int i = 0; i < FLOOR_FLUSHES; i++)
		local_flush_tlb_all(); /* this CPU's cost, no shootdown */
	return rdtsc_ordered() - t0;
}

static void floor_pte_prims(struct pte_floor *f)
{
	floor_best(FP_PTE_WRITE, floor_pte_write_once, f, FLOOR_PTE_PAGES);
	floor_best(FP_PTE_CLEAR, floor_pte_clear_once, f, FLOOR_PTE_PAGES);
	floor_best(FP_FIRST_TOUCH, floor_first_touch_once, f, FLOOR_PTE_PAGES);
	floor_best(FP_INVLPG, floor_invlpg_once, f, FLOOR_PTE_PAGES);
	floor_best(FP_FLUSH_ALL, floor_flush_all_once, NULL, FLOOR_FLUSHES);
}

/*
 * The window is mapped once (the same page everywhere) so that its page
 * tables exist, its PTEs are looked up, and it is unmapped again; the
 * primitives then write those PTEs themselves.
 */
static int floor_measure_pte(void)
{
	struct page **pages = (struct page **)bench_ptr_array(FLOOR_PTE_PAGES);
	struct pte_floor f = { .ptes = (pte_t **)bench_ptr_array(FLOOR_PTE_PAGES) };
	struct page *page = alloc_page(GFP_KERNEL);
	struct vm_struct *area = get_vm_area_caller(FLOOR_PTE_PAGES << PAGE_SHIFT, VM_MAP,
						    __builtin_return_address(0));
	unsigned long end;
	int err = -ENOMEM;

	if (!pages || !f.ptes || !page || !area)
		goto out;
	f.addr = (unsigned long)area->addr;
	end = pte_addr(&f, FLOOR_PTE_PAGES);
	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++)
		pages[i] = page;
	if (vmap_pages_range(f.addr, end, PAGE_KERNEL, pages))
		goto out;
	f.val = *lookup_address(f.addr, &(enum pg_level){ 0 });
	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++)
		f.ptes[i] = lookup_address(pte_addr(&f, i), &(enum pg_level){ 0 });
	vunmap_range(f.addr, end);
	floor_pte_prims(&f);
	err = 0;
out:
	if (area)
		free_vm_area(area);
	if (page)
		__free_page(page);
	vfree(f.ptes);
	vfree(pages);
	return err;
}

/*
 * Three ways to zero a page. Under TCG a rep-prefixed string instruction
 * costs about one loop turn per element, and SSE is slower than integer
 * stores, so 8-byte stores win there (on a real CPU with ERMS rep stos
 * would).
 */
static void zero_store8(void *p)
{
	u64 *w = p;

	for (unsigned long i = 0; i < PAGE_SIZE / 8; i += 8) {
		w[i] = 0, w[i + 1] = 0, w[i + 2] = 0, w[i + 3] = 0;
		w[i + 4] = 0, w[i + 5] = 0, w[i + 6] = 0, w[i + 7] = 0;
		barrier(); /* stays a loop of stores, not a call to memset */
	}
}

static void zero_memset(void *p)
{
	memset(p, 0, PAGE_SIZE);
}

static void zero_stosq(void *p)
{
	unsigned long n = PAGE_SIZE / 8;

	__asm__ __volatile__("rep stosq" : "+D"(p), "+c"(n) : "a"(0UL) : "memory");
}

struct zero_floor {
	struct page **pages;
	void (*zero)(void *p);
};

static u64 floor_zero_once(void *arg)
{
	struct zero_floor *z = arg;
	u64 t0 = rdtsc_ordered();

	for (unsigned long i = 0; i < FLOOR_ZERO_PAGES; i++)
		z->zero(page_address(z->pages[i]));
	return rdtsc_ordered() - t0;
}

static int floor_measure_zero(void)
{
	static void (*const methods[])(void *) = { zero_store8, zero_memset, zero_stosq };
	struct zero_floor z = { .pages = (struct page **)bench_ptr_array(FLOOR_ZERO_PAGES) };
	unsigned long n = 0;
	int err = -ENOMEM;

	if (!z.pages)
		return -ENOMEM;
	for (; n < FLOOR_ZERO_PAGES; n++)
		if (!(z.pages[n] = alloc_page(GFP_KERNEL)))
			goto out;
	for (unsigned int m = 0; m < ARRAY_SIZE(methods); m++) {
		z.zero = methods[m];
		floor_best(FP_ZERO_STORE8 + m, floor_zero_once, &z, FLOOR_ZERO_PAGES);
	}
	err = 0;
out:
	while (n--)
		__free_page(z.pages[n]);
	vfree(z.pages);
	return err;
}

int floors_refresh(void)
{
	int err = floor_measure_pop_push();

	if (!err)
		err = floor_measure_pte();
	if (!err)
		err = floor_measure_zero();
	if (err)
		pr_err("bench: floors: out of memory\n");
	return err;
}

static u64 zero_best_x1000(void)
{
	return min(prim_x1000[FP_ZERO_STORE8],
		   min(prim_x1000[FP_ZERO_MEMSET], prim_x1000[FP_ZERO_STOSQ]));
}

/* Per page mapped and freed: PTE write + clear + a share of one flush per lazy batch. */
static u64 floor_map_page_x1000(void)
{
	return prim_x1000[FP_PTE_WRITE] + prim_x1000[FP_PTE_CLEAR] +
	       prim_x1000[FP_FLUSH_ALL] / vmalloc_lazy_max_pages();
}

u64 bench_floor_op_x1000(const struct bench_scenario *sc, const struct bench_result *res)
{
	unsigned int floors = sc->floors ? sc->floors : BENCH_FLOOR_PAGE | BENCH_FLOOR_PTE;
	u64 per_page = 0;

	if (!prim_x1000[FP_POP_PUSH] || !res->loops)
		return 0;
	if (floors & BENCH_FLOOR_PAGE)
		per_page += prim_x1000[FP_POP_PUSH];
	if (floors & BENCH_FLOOR_PTE)
		per_page += floor_map_page_x1000();
	if (floors & BENCH_FLOOR_ZERO)
		per_page += zero_best_x1000();
	/* the range: one pop + push; the one byte written: one first touch */
	return prim_x1000[FP_POP_PUSH] + prim_x1000[FP_FIRST_TOUCH] +
	       per_page * res->pages / res->loops;
}

int floors_run(void)
{
	char a[24], b[24];

	if (floors_refresh())
		return -ENOMEM;
	bench_out("floors: the machine's primitives, fastest of %u runs (ns):\n", BENCH_REPS);
	for (unsigned int i = 0; i < NR_FLOOR_PRIMS; i++) {
		bench_out("  %-12s %9s%s\n", prim_names[i],
			  bench_fixed2(a, sizeof(a), ns_of(prim_x1000[i])),
			  i == FP_FLUSH_ALL ? " per flush" : " per page");
		bench_out("{\"bench\":\"floor\",\"name\":\"%s\",\"cyc\":%s,\"ns\":%s}\n",
			  prim_names[i], bench_fixed3(a, sizeof(a), prim_x1000[i]),
			  bench_fixed3(b, sizeof(b), ns_of(prim_x1000[i])));
	}
	bench_out("  a page mapped and freed: %s ns (write + clear + flush / %lu lazy pages)\n",
		  bench_fixed2(a, sizeof(a), ns_of(floor_map_page_x1000())),
		  vmalloc_lazy_max_pages());
	return 0;
}
