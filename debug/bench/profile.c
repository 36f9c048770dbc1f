/*
 * Profile: one vmalloc+vfree done by hand through the public API, vmalloc's
 * own steps in its order, each phase timed; then the same size timed
 * through vmalloc() itself to compare, and the slab pairs vmalloc uses.
 */
#include "internal.h"

#include "asm/processor.h"
#include "kernel/errno.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

enum phase {
	PH_RESERVE,    /* get_vm_area: vm_struct, vmap_area, range search, busy insert */
	PH_ARRAY,      /* the pages array */
	PH_PAGES,      /* alloc_page() per page */
	PH_MAP,	       /* vmap_pages_range(): PTE writes */
	PH_TOUCH,      /* first access: TLB fill */
	PH_UNMAP,      /* vunmap_range_noflush(): PTE clears */
	PH_FREE_PAGES, /* __free_page() per page */
	PH_FREE_ARRAY,
	PH_RELEASE, /* free_vm_area() without a purge: detach, lazy insert */
	PH_PURGE,   /* free_vm_area() calls that purged: TLB flush + merges */
	NR_PHASES
};

static const char *const phase_names[NR_PHASES] = {
	"reserve",    "pages_array", "alloc_pages", "map_ptes",	    "touch",
	"unmap_ptes", "free_pages",  "free_array",  "release_lazy", "purge_flush",
};

static struct page **profile_array_alloc(unsigned long pages)
{
	if (pages * sizeof(struct page *) > PAGE_SIZE)
		return (struct page **)bench_ptr_array(pages);
	return kcalloc(pages, sizeof(struct page *), GFP_KERNEL);
}

static void profile_array_free(struct page **arr)
{
	if (is_vmalloc_addr(arr))
		vfree(arr);
	else
		kfree(arr);
}

/*
 * One vmalloc+vfree done by hand, each phase timed into @cyc. The steps
 * are vmalloc's own, in its order, through the public API.
 */
static int profile_once(unsigned long pages, u64 cyc[NR_PHASES])
{
	unsigned long purges = vmalloc_stats.nr_purges, addr, end, n = 0;
	struct vm_struct *area;
	struct page **arr;
	u64 t = rdtsc_ordered(), t1;

#define PHASE(ph)                     \
	do {                          \
		t1 = rdtsc_ordered(); \
		cyc[ph] += t1 - t;    \
		t = t1;               \
	} while (0)
	area = get_vm_area_caller(pages << PAGE_SHIFT, VM_MAP, __builtin_return_address(0));
	PHASE(PH_RESERVE);
	if (!area)
		return -ENOMEM;
	addr = (unsigned long)area->addr;
	end = addr + (pages << PAGE_SHIFT);
	arr = profile_array_alloc(pages);
	PHASE(PH_ARRAY);
	if (!arr)
		goto out_free_area;
	for (; n < pages; n++)
		if (!(arr[n] = alloc_page(GFP_KERNEL)))
			goto out_free_pages;
	PHASE(PH_PAGES);
	if (vmap_pages_range(addr, end, PAGE_KERNEL, arr))
		goto out_free_pages;
	PHASE(PH_MAP);
	bench_touch(area->addr);
	PHASE(PH_TOUCH);
	vunmap_range_noflush(addr, end);
	PHASE(PH_UNMAP);
	while (n)
		__free_page(arr[--n]);
	PHASE(PH_FREE_PAGES);
	profile_array_free(arr);
	PHASE(PH_FREE_ARRAY);
	free_vm_area(area);
	PHASE(vmalloc_stats.nr_purges != purges ? PH_PURGE : PH_RELEASE);
#undef PHASE
	return 0;

out_free_pages:
	while (n)
		__free_page(arr[--n]);
	profile_array_free(arr);
out_free_area:
	free_vm_area(area);
	return -ENOMEM;
}

static const unsigned long profile_pages[] = { 1, 3, 16384 };

static int profile_size(unsigned long pages)
{
	unsigned long loops = pages >= 1024 ? 10 : 20000;
	struct bench_params p = { .loops = loops, .pages = pages };
	u64 cyc[NR_PHASES] = { 0 }, sum = 0, ovh, t0;
	struct bench_result direct;

	/* the cost of one PHASE() itself, to subtract */
	t0 = rdtsc_ordered();
	for (unsigned int i = 0; i < 1000; i++)
		rdtsc_ordered();
	ovh = (rdtsc_ordered() - t0) / 1000;

	vm_unmap_aliases();
	for (unsigned long i = 0; i < loops; i++)
		if (profile_once(pages, cyc))
			return -ENOMEM;
	vm_unmap_aliases();
	if (bench_measure(bench_scenario_find("fix_size_alloc"), &p, 3, &direct))
		return -ENOMEM;
	for (unsigned int ph = 0; ph < NR_PHASES; ph++) {
		cyc[ph] = cyc[ph] / loops;
		cyc[ph] -= min(cyc[ph], ph == PH_PURGE ? 0 : ovh); /* purges are rare */
		sum += cyc[ph];
	}
	bench_out("profile: %lu page(s), %lu loops; vmalloc+vfree itself: %lu ns/op\n", pages,
		  loops, direct.ns_med);
	for (unsigned int ph = 0; ph < NR_PHASES; ph++) {
		bench_out("  %-13s %10lu ns/op %5lu%%\n", phase_names[ph], ns_of(cyc[ph]),
			  sum ? cyc[ph] * 100 / sum : 0);
		bench_out("{\"bench\":\"profile\",\"pages\":%lu,\"phase\":\"%s\",\"ns\":%lu}\n",
			  pages, phase_names[ph], ns_of(cyc[ph]));
	}
	bench_out("  %-13s %10lu ns/op (rdtsc cost %lu cycles subtracted per phase)\n", "sum",
		  ns_of(sum), ovh);
	return 0;
}

/* Slab pairs: the kmalloc/kfree that vmalloc does two or three times per call. */
static void profile_slab(void)
{
	static const size_t sizes[] = { 8, 64, 128 };

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 t0 = rdtsc_ordered();

		for (unsigned int n = 0; n < 10000; n++)
			kfree(kmalloc(sizes[i], GFP_KERNEL));
		bench_out("  kmalloc(%zu)+kfree %lu ns/op\n", sizes[i],
			  ns_of((rdtsc_ordered() - t0) / 10000));
	}
}

int profile_run(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(profile_pages); i++) {
		int err = profile_size(profile_pages[i]);

		if (err) {
			pr_err("bench: profile at %lu pages failed (%d)\n", profile_pages[i], err);
			return err;
		}
	}
	profile_slab();
	return 0;
}
