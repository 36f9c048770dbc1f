/*
 * Floors: the physical cost of one page, the least that big_alloc and
 * vzalloc can cost per page whatever vmalloc does. Buddy: FLOOR_BATCH
 * order-0 pages allocated, then all freed. PTE: a PTE written and cleared,
 * plus its share of one full TLB flush (what a lazy purge does for a large
 * area). Zero: one page zeroed, the cheapest of three ways. Each floor is
 * the fastest of BENCH_REPS runs, in TSC cycles per page x1000.
 */
#include "internal.h"

#include "asm/pgtable.h"
#include "asm/processor.h"
#include "kernel/errno.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

#define NR_FLOORS 3 /* BENCH_FLOOR_PAGE, _PTE, _ZERO */

static u64 floor_cyc_x1000[NR_FLOORS]; /* cycles per page, x1000; 0 = not measured */
static const char *const floor_names[NR_FLOORS] = { "page", "pte", "zero" };

u64 bench_floor_sum(unsigned int floors)
{
	u64 sum = 0;

	for (unsigned int i = 0; i < NR_FLOORS; i++)
		if (floors & BIT(i))
			sum += floor_cyc_x1000[i];
	return sum;
}

#define FLOOR_BATCH	 16384 /* pages per repetition: as many as big_alloc maps */
#define FLOOR_PTE_PAGES	 4096
#define FLOOR_ZERO_PAGES 1024

/*
 * The fastest of BENCH_REPS runs of @fn(@arg), in cycles x1000 per page of
 * @pages (0 if none ran): a floor is the best the machine can do, so noise
 * from a busy host must not raise it.
 */
static u64 floor_best(u64 (*fn)(void *arg), void *arg, unsigned long pages)
{
	u64 best = ~0ULL;

	for (unsigned int r = 0; r < BENCH_REPS; r++) {
		u64 cyc = fn(arg);

		if (cyc) /* 0: it could not allocate */
			best = min(best, cyc);
	}
	return best == ~0ULL ? 0 : best * 1000 / pages;
}

/* FLOOR_BATCH order-0 pages allocated, then all freed: the buddy's part of big_alloc. */
static u64 floor_page_once(void *arg)
{
	struct page **pages = arg;
	u64 t0 = rdtsc_ordered();

	for (unsigned long i = 0; i < FLOOR_BATCH; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			while (i--)
				__free_page(pages[i]);
			return 0;
		}
	}
	for (unsigned long i = 0; i < FLOOR_BATCH; i++)
		__free_page(pages[i]);
	return rdtsc_ordered() - t0;
}

struct pte_floor {
	unsigned long addr; /* the first page of the window */
	pte_t **ptes;	    /* FLOOR_PTE_PAGES entries, in order */
	pte_t val;	    /* what a mapping writes */
	bool invlpg_each;   /* invlpg every page instead of one flush at the end */
};

/*
 * Write each PTE and clear it again: map + unmap at their barest. The
 * invalidation is either one full flush for the whole window, which is what
 * a lazy purge does for a large area (and so the floor), or one invlpg per
 * page (printed for comparison).
 */
static u64 floor_pte_once(void *arg)
{
	struct pte_floor *f = arg;
	u64 t0 = rdtsc_ordered();

	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++) {
		WRITE_ONCE(*f->ptes[i], f->val);
		WRITE_ONCE(*f->ptes[i], 0);
		if (f->invlpg_each)
			invlpg(f->addr + (i << PAGE_SHIFT));
	}
	if (!f->invlpg_each)
		local_flush_tlb_all(); /* the floor is this CPU's cost, no shootdown */
	return rdtsc_ordered() - t0;
}

/*
 * Three ways to zero a page: the kernel's memset() (unrolled 8-byte stores in
 * 64-byte blocks), rep stosq, and rep stosb (what memset used to be). Under
 * TCG a rep-prefixed string instruction costs about one loop turn per
 * element, so the element size matters a lot there (and hardly at all on a
 * real CPU with ERMS).
 */
static void zero_memset(void *p)
{
	memset(p, 0, PAGE_SIZE);
}

static void zero_stosq(void *p)
{
	unsigned long n = PAGE_SIZE / 8;

	__asm__ __volatile__("rep stosq" : "+D"(p), "+c"(n) : "a"(0UL) : "memory");
}

static void zero_stosb(void *p)
{
	unsigned long n = PAGE_SIZE;

	__asm__ __volatile__("rep stosb" : "+D"(p), "+c"(n) : "a"(0) : "memory");
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

static int floor_measure_page(void)
{
	struct page **pages = (struct page **)bench_ptr_array(FLOOR_BATCH);

	if (!pages)
		return -ENOMEM;
	floor_cyc_x1000[0] = 0;
	if (floor_page_once(pages)) /* warm-up: the first run splits large blocks */
		floor_cyc_x1000[0] = floor_best(floor_page_once, pages, FLOOR_BATCH);
	vfree(pages);
	return floor_cyc_x1000[0] ? 0 : -ENOMEM;
}

/*
 * A window of FLOOR_PTE_PAGES pages whose page tables exist (mapped once,
 * the same page everywhere), then unmapped; the floor writes its PTEs.
 */
static int floor_measure_pte(u64 *invlpg_each)
{
	struct page **pages = (struct page **)bench_ptr_array(FLOOR_PTE_PAGES);
	struct pte_floor f = { .ptes = (pte_t **)bench_ptr_array(FLOOR_PTE_PAGES) };
	struct page *page = alloc_page(GFP_KERNEL);
	struct vm_struct *area = get_vm_area_caller(FLOOR_PTE_PAGES << PAGE_SHIFT, VM_MAP,
						    __builtin_return_address(0));
	int err = -ENOMEM;

	if (!pages || !f.ptes || !page || !area)
		goto out;
	f.addr = (unsigned long)area->addr;
	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++)
		pages[i] = page;
	if (vmap_pages_range(f.addr, f.addr + (FLOOR_PTE_PAGES << PAGE_SHIFT), PAGE_KERNEL, pages))
		goto out;
	f.val = *lookup_address(f.addr, &(enum pg_level){ 0 });
	for (unsigned long i = 0; i < FLOOR_PTE_PAGES; i++)
		f.ptes[i] = lookup_address(f.addr + (i << PAGE_SHIFT), &(enum pg_level){ 0 });
	vunmap_range(f.addr, f.addr + (FLOOR_PTE_PAGES << PAGE_SHIFT));
	floor_cyc_x1000[1] = floor_best(floor_pte_once, &f, FLOOR_PTE_PAGES);
	f.invlpg_each = true;
	*invlpg_each = floor_best(floor_pte_once, &f, FLOOR_PTE_PAGES);
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

/* Each zeroing method's cost (cycles x1000 per page); the floor is the cheapest. */
static int floor_measure_zero(u64 per_method[3])
{
	static void (*const methods[3])(void *) = { zero_memset, zero_stosq, zero_stosb };
	struct zero_floor z = { .pages = (struct page **)bench_ptr_array(FLOOR_ZERO_PAGES) };
	unsigned long n = 0;
	int err = -ENOMEM;

	if (!z.pages)
		return -ENOMEM;
	for (; n < FLOOR_ZERO_PAGES; n++)
		if (!(z.pages[n] = alloc_page(GFP_KERNEL)))
			goto out;
	floor_cyc_x1000[2] = ~0ULL;
	for (unsigned int m = 0; m < 3; m++) {
		z.zero = methods[m];
		per_method[m] = floor_best(floor_zero_once, &z, FLOOR_ZERO_PAGES);
		floor_cyc_x1000[2] = min(floor_cyc_x1000[2], per_method[m]);
	}
	err = 0;
out:
	while (n--)
		__free_page(z.pages[n]);
	vfree(z.pages);
	return err;
}

/* Measure the three floors into floor_cyc_x1000[], with the alternatives. */
static int floors_measure(u64 *invlpg_each, u64 zero[3])
{
	int err = floor_measure_page();

	if (!err)
		err = floor_measure_pte(invlpg_each);
	if (!err)
		err = floor_measure_zero(zero);
	if (err) {
		memset(floor_cyc_x1000, 0, sizeof(floor_cyc_x1000));
		pr_err("bench: floors: out of memory\n");
	}
	return err;
}

int floors_run(void)
{
	static const char *const zero_names[3] = { "memset", "stosq", "stosb" };
	u64 zero[3], invlpg_each;
	char a[24], b[24], c[24];

	if (floors_measure(&invlpg_each, zero))
		return -ENOMEM;
	bench_out("floors (per page): buddy alloc+free %s ns, PTE write+clear+flush %s ns, "
		  "zero %s ns\n",
		  bench_fixed2(a, sizeof(a), ns_of(floor_cyc_x1000[0])),
		  bench_fixed2(b, sizeof(b), ns_of(floor_cyc_x1000[1])),
		  bench_fixed2(c, sizeof(c), ns_of(floor_cyc_x1000[2])));
	for (unsigned int i = 0; i < NR_FLOORS; i++)
		bench_out("{\"bench\":\"floor\",\"name\":\"%s\",\"cyc\":%s,\"ns\":%s}\n",
			  floor_names[i], bench_fixed3(a, sizeof(a), floor_cyc_x1000[i]),
			  bench_fixed3(b, sizeof(b), ns_of(floor_cyc_x1000[i])));
	bench_out("  PTE write+clear+invlpg %s ns/page\n",
		  bench_fixed2(a, sizeof(a), ns_of(invlpg_each)));
	bench_out("{\"bench\":\"floor_info\",\"name\":\"pte_invlpg_each\",\"ns\":%s}\n",
		  bench_fixed3(b, sizeof(b), ns_of(invlpg_each)));
	for (unsigned int m = 0; m < 3; m++) {
		bench_out("  zeroing with %-6s %8s ns/page\n", zero_names[m],
			  bench_fixed2(a, sizeof(a), ns_of(zero[m])));
		bench_out("{\"bench\":\"zero_method\",\"name\":\"%s\",\"ns\":%s}\n", zero_names[m],
			  bench_fixed3(b, sizeof(b), ns_of(zero[m])));
	}
	return 0;
}

/*
 * The floors again, quietly, right before a scenario that is compared with
 * them: on a busy host, speed drifts over a run, and a ratio is only fair
 * between numbers taken close together.
 */
int floors_refresh(void)
{
	u64 zero[3], invlpg_each;

	return floors_measure(&invlpg_each, zero);
}

/* After big_alloc/vzalloc: their cost per page against the floors they need. */
void print_floor_ratio(const struct bench_scenario *sc, const struct bench_result *res)
{
	u64 floor = bench_floor_sum(sc->floors);
	char a[24], b[24], c[24];

	if (!floor || !res->pages)
		return;
	bench_out("  %s: %s ns/page = %s x floor (page + pte%s = %s ns/page, measured just "
		  "before), target <= 1.2\n",
		  sc->name, bench_fixed2(a, sizeof(a), ns_of(bench_cyc_page_x1000(res))),
		  bench_fixed2(b, sizeof(b), bench_cyc_page_x1000(res) * 1000 / floor),
		  (sc->floors & BENCH_FLOOR_ZERO) ? " + zero" : "",
		  bench_fixed2(c, sizeof(c), ns_of(floor)));
}
