/*
 * Align: the worst case of the range search. 100,000 misaligned 2-page
 * holes (a 2-page area at page 4k, a hole at 4k + 2, never a multiple of 8
 * pages) in the lowest free range of vmalloc space that holds them, below
 * the free rest of it; then, in the window from the first hole up, a 1-page
 * vmalloc+vfree (2 pages with its guard) aligned to 8 pages, which no hole
 * holds, against the same without alignment, which the first hole holds.
 * The target is at most 2x: the aligned search is the padded walk plus a
 * budget of exact-walk visits, never a walk of every hole.
 */
#include "internal.h"

#include "asm/processor.h"
#include "kernel/errno.h"
#include "mm/page.h"
#include "mm/vmalloc.h"

#define ALIGN_HOLES 100000UL
#define ALIGN_LOOPS 2000UL

static struct vm_struct **align_keep;
static unsigned long align_nr_keep;
static unsigned long align_w; /* the first unit, 8-page aligned */

/* The lowest free range that holds the units, found by reserving it once. */
static int align_find_base(void)
{
	unsigned long bytes = (4 * ALIGN_HOLES + 8) << PAGE_SHIFT;
	struct vm_struct *probe = __get_vm_area_caller(bytes, VM_NO_GUARD, VMALLOC_START,
						       VMALLOC_END, align_find_base);

	if (!probe)
		return -ENOMEM;
	align_w = ALIGN((unsigned long)probe->addr, 8 * PAGE_SIZE);
	free_vm_area(probe);
	vm_unmap_aliases();
	return 0;
}

/* The holes from align_w up; 0 or -ENOMEM (then nothing is left held). */
static int align_make_holes(void)
{
	unsigned long w;

	align_keep = (struct vm_struct **)bench_ptr_array(ALIGN_HOLES);
	if (!align_keep || align_find_base())
		return -ENOMEM;
	w = align_w;
	for (align_nr_keep = 0; align_nr_keep < ALIGN_HOLES; align_nr_keep++) {
		unsigned long at = w + ((4 * align_nr_keep) << PAGE_SHIFT);
		struct vm_struct *gap, *keep;

		gap = __get_vm_area_caller(2 * PAGE_SIZE, VM_NO_GUARD, at + 2 * PAGE_SIZE,
					   at + 4 * PAGE_SIZE, align_make_holes);
		keep = __get_vm_area_caller(2 * PAGE_SIZE, VM_NO_GUARD, at, at + 4 * PAGE_SIZE,
					    align_make_holes);
		if (gap)
			free_vm_area(gap);
		if (!gap || !keep) {
			if (keep)
				free_vm_area(keep);
			return -ENOMEM;
		}
		align_keep[align_nr_keep] = keep;
	}
	vm_unmap_aliases();
	return 0;
}

static void align_free_holes(void)
{
	while (align_nr_keep)
		free_vm_area(align_keep[--align_nr_keep]);
	if (align_keep)
		vfree(align_keep);
	align_keep = NULL;
	vm_unmap_aliases();
}

/* One repetition: cycles per vmalloc+vfree of one page aligned to @align, in the window. */
static int align_rep(unsigned long align, u64 *cyc, unsigned long *visits)
{
	unsigned long v0 = vmalloc_stats.fit_visits;
	u64 t;

	vm_unmap_aliases(); /* each repetition starts with no lazy area: no purge inside */
	t = rdtsc_ordered();
	for (unsigned long i = 0; i < ALIGN_LOOPS; i++) {
		void *p = __vmalloc_node_range(PAGE_SIZE, align, align_w, VMALLOC_END, GFP_KERNEL,
					       PAGE_KERNEL, 0, -1, align_rep);

		if (!p)
			return -ENOMEM;
		vfree(p);
	}
	*cyc = (rdtsc_ordered() - t) / ALIGN_LOOPS;
	*visits = (vmalloc_stats.fit_visits - v0) / ALIGN_LOOPS;
	return 0;
}

static u64 align_median(u64 *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j && v[j - 1] > v[j]; j--) {
			u64 x = v[j - 1];

			v[j - 1] = v[j];
			v[j] = x;
		}
	return v[n / 2];
}

/* Repetitions alternate between the two, so that both see the same host load. */
static int align_time(u64 *plain, u64 *aligned, unsigned long *vp, unsigned long *va)
{
	u64 cp[BENCH_REPS], ca[BENCH_REPS];
	int err = 0;

	for (unsigned int r = 0; r < BENCH_REPS && !err; r++) {
		err = align_rep(PAGE_SIZE, &cp[r], vp);
		if (!err)
			err = align_rep(8 * PAGE_SIZE, &ca[r], va);
	}
	if (err)
		return err;
	*plain = align_median(cp, BENCH_REPS);
	*aligned = align_median(ca, BENCH_REPS);
	return 0;
}

int align_run(void)
{
	u64 plain = 0, aligned = 0, ratio;
	unsigned long vp = 0, va = 0;
	char a[24];
	int err;

	err = align_make_holes();
	if (!err)
		err = align_time(&plain, &aligned, &vp, &va);
	align_free_holes();
	if (err) {
		pr_err("bench: align failed (%d)\n", err);
		return err;
	}
	ratio = aligned * 1000 / max(plain, 1ULL);
	bench_out("align: 1-page vmalloc+vfree among %lu misaligned holes, %lu loops\n",
		  ALIGN_HOLES, ALIGN_LOOPS);
	bench_out("  unaligned      %8lu ns/op  %4lu nodes visited/op\n", ns_of(plain), vp);
	bench_out("  aligned 32 KiB %8lu ns/op  %4lu nodes visited/op\n", ns_of(aligned), va);
	bench_out("align: aligned / unaligned = %s (target <= 2)\n",
		  bench_fixed2(a, sizeof(a), ratio));
	bench_out("{\"bench\":\"align\",\"holes\":%lu,\"plain_ns\":%lu,\"aligned_ns\":%lu,"
		  "\"plain_visits\":%lu,\"aligned_visits\":%lu,\"ratio\":%s}\n",
		  ALIGN_HOLES, ns_of(plain), ns_of(aligned), vp, va,
		  bench_fixed3(a, sizeof(a), ratio));
	return 0;
}
