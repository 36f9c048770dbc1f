/*
 * Studies: measurements that put the scenarios in context, each run whole.
 *   scaling	1-page alloc+free while N = 10..100000 areas are live with a
 *		free hole between each two of them
 *   size_curve	cost per page for allocations of 1 page .. 64 MiB
 *   map	the vmalloc range after a random workload (busy/guard/free)
 *   memory	metadata bytes per live area and per mapped page
 *   purge_irqoff	the longest vfree() and idle purge step at the lazy budget
 * The timed ones time the fix_size scenarios with their own parameters.
 */
#include "internal.h"

#include "asm/pgtable.h"
#include "asm/processor.h"
#include "kernel/deferred.h"
#include "kernel/errno.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/memlayout.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define SCALING_LOOPS		 100000UL
#define SCALING_SPACER_MAX_PAGES 16
static const unsigned long scaling_n[] = { 10, 100, 1000, 10000, 100000 };

struct scaling_state {
	void **keep;		   /* N live 1-page vmalloc areas */
	struct vm_struct **spacer; /* N reservations freed to make the holes */
	unsigned long n;
};

static void scaling_release(struct scaling_state *s)
{
	if (s->keep)
		for (unsigned long i = 0; i < s->n; i++)
			vfree(s->keep[i]);
	if (s->spacer)
		for (unsigned long i = 0; i < s->n; i++)
			free_vm_area(s->spacer[i]);
	vfree(s->keep);
	vfree(s->spacer);
	vm_unmap_aliases();
}

/*
 * Lay out [spacer][keep][spacer][keep]... from the lowest free address,
 * then free every spacer: N live areas with N holes of 2..17 pages
 * between them. Spacers are bare reservations (get_vm_area(), no pages) so
 * that 100 000 holes of random size fit in the guest's memory; the tree
 * shapes are the same as with vmalloc()ed spacers.
 */
static int scaling_populate(struct scaling_state *s, unsigned long n)
{
	struct rnd_state rng;

	rnd_seed(&rng, BENCH_SEED ^ n);
	memset(s, 0, sizeof(*s));
	s->keep = bench_ptr_array(n);
	s->spacer = (struct vm_struct **)bench_ptr_array(n);
	if (!s->keep || !s->spacer)
		goto fail;
	for (; s->n < n; s->n++) {
		unsigned long pages = 1 + rnd_below(&rng, SCALING_SPACER_MAX_PAGES);

		s->spacer[s->n] = get_vm_area_caller(pages << PAGE_SHIFT, VM_MAP,
						     __builtin_return_address(0));
		s->keep[s->n] = vmalloc(PAGE_SIZE);
		if (!s->spacer[s->n] || !s->keep[s->n]) {
			s->n++;
			goto fail;
		}
	}
	for (unsigned long i = 0; i < n; i++) {
		free_vm_area(s->spacer[i]);
		s->spacer[i] = NULL;
	}
	vm_unmap_aliases();
	return 0;
fail:
	scaling_release(s);
	return -ENOMEM;
}

/* The 1-page scenario, as many times as any N can take. */
static const struct bench_params scaling_params = { .loops = SCALING_LOOPS, .pages = 1 };

int scaling_run(void)
{
	struct bench_result res[ARRAY_SIZE(scaling_n)];
	struct scaling_state s;
	u64 ratio;
	char a[24];

	bench_out("scaling: 1-page vmalloc+vfree, %lu loops, with N live areas and N holes\n",
		  SCALING_LOOPS);
	bench_out("%10s %8s %8s %8s %8s %8s %7s\n", "N", "ns/op", "min", "max", "cyc/op",
		  "free_blk", "purges");
	for (unsigned int i = 0; i < ARRAY_SIZE(scaling_n); i++) {
		unsigned long blocks;
		int err = scaling_populate(&s, scaling_n[i]);

		if (!err) {
			blocks = vmalloc_stats.nr_free_blocks;
			err = bench_measure(bench_scenario_find("fix_size_1page"), &scaling_params,
					    BENCH_REPS, &res[i]);
			scaling_release(&s);
		}
		if (err) {
			pr_err("bench: scaling at N=%lu failed (%d)\n", scaling_n[i], err);
			return err;
		}
		bench_out("%10lu %8lu %8lu %8lu %8lu %8lu %7lu\n", scaling_n[i], res[i].ns_med,
			  res[i].ns_min, res[i].ns_max, res[i].cyc_med, blocks, res[i].purges);
		bench_out("{\"bench\":\"scaling\",\"n\":%lu,\"ns_med\":%lu,\"ns_min\":%lu,"
			  "\"ns_max\":%lu,\"cyc_med\":%lu,\"free_blocks\":%lu}\n",
			  scaling_n[i], res[i].ns_med, res[i].ns_min, res[i].ns_max, res[i].cyc_med,
			  blocks);
	}
	ratio = res[ARRAY_SIZE(scaling_n) - 1].cyc_med * 1000 / max(res[0].cyc_med, 1UL);

	bench_out("scaling: N=100000 / N=10 = %s (target <= 1.5)\n",
		  bench_fixed2(a, sizeof(a), ratio));
	bench_out("{\"bench\":\"scaling_ratio\",\"ratio\":%s}\n",
		  bench_fixed3(a, sizeof(a), ratio));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Cost per page against the size of the allocation.                      */

#define CURVE_MAX_ORDER	    14 /* 2^14 pages = 64 MiB */
#define CURVE_PAGES_PER_REP 32768UL

int size_curve_run(void)
{
	bench_out("size_curve: vmalloc+vfree, cost per page by size\n");
	bench_out("%8s %7s %10s %8s %8s\n", "pages", "loops", "ns/op", "ns/page", "cyc/page");
	for (unsigned int order = 0; order <= CURVE_MAX_ORDER; order++) {
		unsigned long loops = clamp(CURVE_PAGES_PER_REP >> order, 4UL, 4096UL);
		struct bench_params p = { .loops = loops, .pages = 1UL << order };
		struct bench_result res;
		int err =
			bench_measure(bench_scenario_find("fix_size_alloc"), &p, BENCH_REPS, &res);

		if (err) {
			pr_err("bench: size_curve at %lu pages failed (%d)\n", 1UL << order, err);
			return err;
		}
		bench_out("%8lu %7lu %10lu %8lu %8lu\n", 1UL << order, loops, res.ns_med,
			  res.ns_page, bench_cyc_page_x1000(&res) / 1000);
		bench_out("{\"bench\":\"size_curve\",\"pages\":%lu,\"loops\":%lu,\"ns_med\":%lu,"
			  "\"ns_page\":%lu}\n",
			  1UL << order, loops, res.ns_med, res.ns_page);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* A map of the vmalloc range after a random workload.                    */

#define MAP_AREAS    600
#define MAP_PER_LINE 16

/* Print [offset, pages, guard pages] of @vm, 16 to a JSON line. */
static void map_emit(char *line, size_t size, size_t *len, unsigned int *n,
		     const struct vm_struct *vm)
{
	if (vm)
		*len += scnprintf(line + *len, size - *len, "%s[%lu,%lu,%u]", *n ? "," : "",
				  ((unsigned long)vm->addr - VMALLOC_START) >> PAGE_SHIFT,
				  vm->size >> PAGE_SHIFT, (vm->flags & VM_NO_GUARD) ? 0 : 1);
	if ((vm && ++*n == MAP_PER_LINE) || (!vm && *n)) {
		bench_out("{\"bench\":\"map\",\"areas\":[%s]}\n", line);
		*n = 0;
		*len = 0;
	}
}

/*
 * Walk [VMALLOC_START, @top) page by page with find_vm_area(): every busy
 * area there (the workload's and any other) is printed, guard page
 * included, and skipped; what lies between is free (the caller purged).
 */
static void map_print(unsigned long top)
{
	unsigned long addr = VMALLOC_START, busy = 0, free = 0;
	unsigned int n = 0;
	char line[480];
	size_t len = 0;

	bench_out("{\"bench\":\"map_begin\",\"base\":\"%#lx\",\"span_pages\":%lu}\n", VMALLOC_START,
		  (top - VMALLOC_START) >> PAGE_SHIFT);
	while (addr < top) {
		struct vm_struct *vm = find_vm_area((void *)addr);

		if (!vm) {
			free++;
			addr += PAGE_SIZE;
			continue;
		}
		busy++;
		map_emit(line, sizeof(line), &len, &n, vm);
		addr = (unsigned long)vm->addr + vm->size;
	}
	map_emit(line, sizeof(line), &len, &n, NULL);
	bench_out("map: %lu busy areas and %lu free pages below %#lx (JSON \"map\" lines)\n", busy,
		  free, top);
}

/*
 * The random workload: MAP_AREAS areas of 1..100 pages, a random half of
 * them freed, the lazy ones purged; then the map, then everything freed.
 */
int map_run(void)
{
	void **p = bench_ptr_array(MAP_AREAS);
	unsigned long i, top = VMALLOC_START;
	struct rnd_state rng;
	int err = -ENOMEM;

	if (!p)
		return -ENOMEM;
	rnd_seed(&rng, BENCH_SEED);
	for (i = 0; i < MAP_AREAS; i++)
		if (!(p[i] = vmalloc((1 + rnd_below(&rng, 100)) << PAGE_SHIFT)))
			goto out;
	for (i = 0; i < MAP_AREAS; i++) {
		if (rnd_next(&rng) & 1) {
			vfree(p[i]);
			p[i] = NULL;
		}
	}
	vm_unmap_aliases();
	for (i = 0; i < MAP_AREAS; i++) {
		struct vm_struct *vm = p[i] ? find_vm_area(p[i]) : NULL;

		if (vm)
			top = max(top, (unsigned long)vm->addr + vm->size);
	}
	map_print(top);
	err = 0;
out:
	for (i = 0; i < MAP_AREAS; i++)
		vfree(p[i]);
	vfree(p);
	vm_unmap_aliases();
	return err;
}

/* ---------------------------------------------------------------------- */
/* Memory: metadata per live area and per mapped page.                    */

#define MEM_AREAS     20000UL
#define MEM_BIG_PAGES 16384UL

static void print_meta(const char *what, unsigned long bytes_x1000, const char *note)
{
	char a[24];

	bench_out("  %-28s %9s B  %s\n", what, bench_fixed2(a, sizeof(a), bytes_x1000), note);
}

/*
 * Metadata per live 1-page area: the drop of nr_free_pages() over
 * MEM_AREAS vmalloc(PAGE_SIZE) calls, less the data pages and our own
 * pointer array. ksize() names the vm_struct and pages-array parts; the
 * rest is the vmap_area and slab slack. Page tables are counted as the
 * kernel allocates them: a range whose tables already exist costs none.
 */
static int memory_per_area(unsigned long *total, unsigned long *vm_bytes, unsigned long *arr_bytes,
			   unsigned long *pt_pages)
{
	unsigned long free0, pt0, used;
	void **live;
	struct vm_struct *vm;
	bool inline_arr;

	vm_unmap_aliases();
	free0 = nr_free_pages();
	pt0 = pgtable_stats.pt_pages;
	live = bench_hold_pages(MEM_AREAS);
	if (!live)
		return -ENOMEM;
	used = free0 - nr_free_pages() - MEM_AREAS -
	       DIV_ROUND_UP(MEM_AREAS * sizeof(void *), PAGE_SIZE) - 1;
	vm = find_vm_area(live[0]);
	*vm_bytes = ksize(vm);
	/* A small area's pages array lives inside its vm_struct's object. */
	inline_arr = (char *)vm->pages > (char *)vm && (char *)vm->pages < (char *)vm + *vm_bytes;
	*arr_bytes = inline_arr ? 0 : ksize(vm->pages);
	*pt_pages = pgtable_stats.pt_pages - pt0;
	*total = used * PAGE_SIZE * 1000 / MEM_AREAS;
	bench_release(live, MEM_AREAS);
	return 0;
}

/* Metadata per mapped page of one 64 MiB area: the pages array and the PTEs. */
static int memory_per_page(unsigned long *per_page, unsigned long *pt_pages)
{
	unsigned long free0, pt0;
	void *big;

	vm_unmap_aliases();
	free0 = nr_free_pages();
	pt0 = pgtable_stats.pt_pages;
	big = vmalloc(MEM_BIG_PAGES << PAGE_SHIFT);
	if (!big)
		return -ENOMEM;
	*per_page = (free0 - nr_free_pages() - MEM_BIG_PAGES) * PAGE_SIZE * 1000 / MEM_BIG_PAGES;
	*pt_pages = pgtable_stats.pt_pages - pt0;
	vfree(big);
	vm_unmap_aliases();
	return 0;
}

int memory_run(void)
{
	unsigned long total, vm_bytes, arr_bytes, pt_area, per_page, pt_big;
	char a[24], b[24];

	if (memory_per_area(&total, &vm_bytes, &arr_bytes, &pt_area) ||
	    memory_per_page(&per_page, &pt_big))
		return -ENOMEM;
	bench_out(
		"memory: %lu live 1-page areas (nr_free_pages() before/after), %lu new PT pages\n",
		MEM_AREAS, pt_area);
	print_meta("per live area", total, "");
	print_meta("  vm_struct (slab)", vm_bytes * 1000, arr_bytes ? "" : "(pages array inside)");
	print_meta("  pages array (kmalloc)", arr_bytes * 1000, "");
	print_meta("  vmap_area + slab slack",
		   total - min(total, (vm_bytes + arr_bytes) * 1000 +
					      pt_area * PAGE_SIZE * 1000 / MEM_AREAS),
		   "");
	print_meta("  page tables", pt_area * PAGE_SIZE * 1000 / MEM_AREAS,
		   "(16 B when new: 2 PTEs, area + guard)");
	bench_out("memory: one 64 MiB area, %lu new PT pages\n", pt_big);
	print_meta("per mapped page", per_page, "(the pages array, 8 B)");
	print_meta("  + PTE", 8000, "(in tables that stay, 1/512 of a page each)");
	bench_out("{\"bench\":\"memory\",\"per_area\":%s,\"vm_struct\":%lu,\"pages_array\":%lu,"
		  "\"pt_pages_new\":%lu,\"per_page\":%s,\"pte\":8}\n",
		  bench_fixed3(a, sizeof(a), total), vm_bytes, arr_bytes, pt_area,
		  bench_fixed3(b, sizeof(b), per_page));
	return 0;
}

/*
 * purge_irqoff: the vfree() that crosses the lazy budget in force (the
 * default: 8192 pages), the longest vfree() and the idle purge's steps, over
 * 1-page areas freed odd ones first, then even ones, so that none merges
 * with another on the lazy list (the purge's worst case: one node each).
 * A purge batch runs with interrupts off (the purge lock), so each figure
 * bounds the longest interrupts-off stretch of its path from above.
 */
struct irqoff_times {
	u64 cross, worst_free, worst_step, sum_step;
	unsigned long steps;
};

/* Free p[0..n) odd ones first, timing each vfree() and the one crossing the budget. */
static void irqoff_free_all(void **p, unsigned long n, struct irqoff_times *r)
{
	unsigned long budget = vmalloc_lazy_max_pages(), i;

	for (i = 0; i < n; i++) {
		unsigned long k = i < n / 2 ? 2 * i + 1 : 2 * (i - n / 2);
		unsigned long purges = vmalloc_stats.nr_purges, lazy = vmalloc_stats.lazy_pages;
		u64 t0 = rdtsc_ordered(), d;

		vfree(p[k]);
		d = rdtsc_ordered() - t0;
		p[k] = NULL;
		r->worst_free = max(r->worst_free, d);
		if (lazy <= budget &&
		    (vmalloc_stats.lazy_pages > budget || vmalloc_stats.nr_purges != purges))
			r->cross = d;
	}
}

static void irqoff_step(struct irqoff_times *r, u64 t0)
{
	u64 d = rdtsc_ordered() - t0;

	r->worst_step = max(r->worst_step, d);
	r->sum_step += d;
	r->steps++;
}

/*
 * Run the idle path's deferred work to the end, timing each step; then the
 * purge worker's run (it purges now, not the idle path), as one more step.
 */
static void irqoff_idle(struct irqoff_times *r)
{
	bool more;
	u64 t0;

	do {
		t0 = rdtsc_ordered();
		more = deferred_work_run();
		irqoff_step(r, t0);
	} while (more);
	t0 = rdtsc_ordered();
	vmalloc_purge_flush();
	irqoff_step(r, t0);
}

int purge_irqoff_run(void)
{
	unsigned long n = (vmalloc_lazy_max_pages() / 2 + 64) & ~1UL, i;
	void **p = bench_ptr_array(n);
	struct irqoff_times r;
	int round;

	if (!p)
		return -ENOMEM;
	for (round = 0; round < 2; round++) { /* the first one warms TCG's code cache */
		memset(&r, 0, sizeof(r));
		vm_unmap_aliases();
		for (i = 0; i < n; i++)
			if (!(p[i] = vmalloc(PAGE_SIZE)))
				goto out_free_areas;
		irqoff_free_all(p, n, &r);
		irqoff_idle(&r);
	}
	bench_out("purge_irqoff: %lu areas, budget %lu pages: the vfree crossing it %lu us, "
		  "longest vfree %lu us; idle purge %lu steps, mean %lu us, longest %lu us\n",
		  n, vmalloc_lazy_max_pages(), ns_of(r.cross) / 1000, ns_of(r.worst_free) / 1000,
		  r.steps, ns_of(r.sum_step / r.steps) / 1000, ns_of(r.worst_step) / 1000);
	bench_out("{\"bench\":\"purge_irqoff\",\"areas\":%lu,\"vfree_cross_ns\":%lu,"
		  "\"vfree_max_ns\":%lu,\"idle_steps\":%lu,\"idle_step_max_ns\":%lu}\n",
		  n, ns_of(r.cross), ns_of(r.worst_free), r.steps, ns_of(r.worst_step));
	vfree(p);
	vm_unmap_aliases();
	return 0;

out_free_areas:
	for (i = 0; i < n; i++)
		vfree(p[i]);
	vfree(p);
	vm_unmap_aliases();
	return -ENOMEM;
}
