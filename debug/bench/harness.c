/*
 * The benchmark harness: bench=all or bench=name,glob on the command line.
 *
 * The benchmarks are the scenarios of bench_scenarios[] (scenarios.c), timed
 * with their `bench` parameters, and the studies (floors.c, studies.c,
 * profile.c), each run whole. A scenario runs BENCH_REPS repetitions of
 * `loops` operations (one operation = one allocation and its free), each
 * between two TSC reads; we report the median of the per-operation averages
 * with the fastest and the slowest repetition, in ns and in TSC cycles, and
 * per page where the scenario allocates pages. With more than one CPU
 * online, each scenario runs on one thread per CPU, released together
 * (team.c), and the figures are the team's wall time over one thread's
 * loops: the per-thread cost, as make bench-linux reports it. Counters (TLB flushes, lazy
 * purges, page-table pages) are differences over the timed repetitions only.
 *
 * Output: a human table on the console, and for the host one JSON object
 * per line, each starting with {"bench": (scripts/run-bench.sh collects
 * them). No floating point in the kernel: fractions are printed from
 * fixed-point integers (x1000).
 *
 * Everything allocated is freed before bench_run() returns; a final check
 * compares the free page count with the start (page tables excepted: the
 * kernel never frees them) and runs vmalloc_check().
 */
#include "internal.h"
#include "debug/console.h"

#include "asm/pgtable.h"
#include "asm/processor.h"
#include "kernel/errno.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "lib/match.h"
#include "lib/sort.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/page_alloc.h"
#include "mm/vmalloc.h"

bool bench_quiet;

const char *bench_fixed3(char *buf, size_t len, u64 x1000)
{
	snprintf(buf, len, "%lu.%03lu", x1000 / 1000, x1000 % 1000);
	return buf;
}

const char *bench_fixed2(char *buf, size_t len, u64 x1000)
{
	u64 x100 = (x1000 + 5) / 10; /* rounded */

	snprintf(buf, len, "%lu.%02lu", x100 / 100, x100 % 100);
	return buf;
}

int bench_measure(const struct bench_scenario *sc, const struct bench_params *p, unsigned int reps,
		  struct bench_result *res)
{
	unsigned long loops = p->loops;
	struct bench_ctx ctx;
	int err;

	memset(res, 0, sizeof(*res));
	err = bench_scenario_run(sc, p, reps, false, &ctx);
	if (err)
		return err;
	sort_u64(ctx.cyc, reps);
	res->loops = loops;
	res->reps = reps;
	res->cyc_min = ctx.cyc[0] / loops;
	res->cyc_med = ctx.cyc[reps / 2] / loops;
	res->cyc_max = ctx.cyc[reps - 1] / loops;
	res->ns_min = ns_of(ctx.cyc[0]) / loops;
	res->ns_med = ns_of(ctx.cyc[reps / 2]) / loops;
	res->ns_max = ns_of(ctx.cyc[reps - 1]) / loops;
	res->pages = ctx.nr_pages / reps;
	res->ns_page = res->pages ? ns_of(ctx.cyc[reps / 2]) / res->pages : 0;
	res->frees = ctx.nr_frees;
	res->flush_single = ctx.c1.flush_single - ctx.c0.flush_single;
	res->flush_ranges = ctx.c1.flush_ranges - ctx.c0.flush_ranges;
	res->flush_all = ctx.c1.flush_all - ctx.c0.flush_all;
	res->purges = ctx.c1.purges - ctx.c0.purges;
	res->pt_pages = ctx.c1.pt_pages - ctx.c0.pt_pages;
	res->lazy_end = ctx.lazy_end;
	return 0;
}

u64 bench_cyc_page_x1000(const struct bench_result *res)
{
	if (!res->pages)
		return 0;
	return res->cyc_med * res->loops * 1000 / res->pages;
}

static void print_table_header(void)
{
	bench_out("%-24s %7s %8s %8s %8s %8s %7s %7s %7s %6s %5s %8s %7s\n", "scenario", "loops",
		  "ns/op", "min", "max", "cyc/op", "ns/page", "fl/1k", "inv/1k", "purges", "ptpg",
		  "floor", "x floor");
}

/* One table row and one JSON line for @res; @floor: its floor, cycles x1000 per operation. */
static void print_result(const struct bench_scenario *sc, const struct bench_result *res, u64 floor)
{
	unsigned long flushes = res->flush_ranges + res->flush_all;
	u64 fl_x1000 = res->frees ? (u64)flushes * 1000000 / res->frees : 0;
	u64 inv_x1000 = res->frees ? (u64)res->flush_single * 1000000 / res->frees : 0;
	u64 ratio = floor ? res->cyc_med * 1000000 / floor : 0;
	char a[24], b[24], f[24], r[24];

	bench_fixed2(f, sizeof(f), ns_of(floor));
	bench_fixed2(r, sizeof(r), ratio);
	/* ptpg is signed: a huge mapping can free the PTE tables it replaces */
	bench_out("%-24s %7lu %8lu %8lu %8lu %8lu %7lu %7s %7s %6lu %5ld %8s %7s\n", sc->name,
		  res->loops, res->ns_med, res->ns_min, res->ns_max, res->cyc_med, res->ns_page,
		  bench_fixed2(a, sizeof(a), fl_x1000), bench_fixed2(b, sizeof(b), inv_x1000),
		  res->purges, (long)res->pt_pages, floor ? f : "-", floor ? r : "-");
	bench_out("{\"bench\":\"scenario\",\"name\":\"%s\",\"loops\":%lu,\"reps\":%u,"
		  "\"threads\":%u,"
		  "\"ns_med\":%lu,\"ns_min\":%lu,\"ns_max\":%lu,\"cyc_med\":%lu,"
		  "\"pages_per_op\":%s,\"ns_page\":%lu,\"frees\":%lu,\"flush_single\":%lu,"
		  "\"flush_ranges\":%lu,\"flush_all\":%lu,\"purges\":%lu,\"pt_pages\":%ld,"
		  "\"ref_per_page\":%s,\"floor_ns\":%s,\"floor_ratio\":%s}\n",
		  sc->name, res->loops, res->reps, num_online_cpus(), res->ns_med, res->ns_min,
		  res->ns_max, res->cyc_med,
		  bench_fixed3(a, sizeof(a), res->pages * 1000 / res->loops), res->ns_page,
		  res->frees, res->flush_single, res->flush_ranges, res->flush_all, res->purges,
		  (long)res->pt_pages, sc->ref_per_page ? "true" : "false",
		  floor ? bench_fixed3(f, sizeof(f), ns_of(floor)) : "null",
		  floor ? bench_fixed3(r, sizeof(r), ratio) : "null");
}

/* ---------------------------------------------------------------------- */
/* What bench= can name: the studies and the scenarios.                   */

struct bench_study {
	const char *name;
	const char *desc;
	int (*run)(void);
};

/* studies[0] runs before the scenarios (they are compared with it), the rest after. */
static const struct bench_study studies[] = {
	{ "floors", "the machine's primitives: pop+push, PTE, invlpg, first touch, zeroing",
	  floors_run },
	{ "scaling", "1 page with N = 10..100000 live areas and holes", scaling_run },
	{ "size_curve", "ns/page for 1 page .. 64 MiB", size_curve_run },
	{ "map", "vmalloc range map after a random workload", map_run },
	{ "memory", "metadata bytes per area and per page", memory_run },
	{ "profile", "vmalloc phases timed one by one", profile_run },
	{ "purge_irqoff", "longest vfree and idle purge step at the lazy budget",
	  purge_irqoff_run },
	{ "ipi", "call-function IPI round trip, TLB shootdown of 1 and 64 pages", ipi_run },
	{ "locks", "spin_lock/spin_unlock pair, lockdep off and on", locks_run },
	{ "align", "8-page-aligned vs plain 1 page among 100,000 misaligned holes", align_run },
};

/* One thing bench= names: a scenario (@sc) or a study (@run). */
struct bench_item {
	const char *name;
	const char *desc;
	const struct bench_scenario *sc;
	int (*run)(void);
};

static unsigned int bench_nr_items(void)
{
	return ARRAY_SIZE(studies) + bench_nr_scenarios;
}

/* Item @i in bench=all's order: the floors, every scenario, the other studies. */
static struct bench_item bench_item_at(unsigned int i)
{
	const struct bench_study *st;

	if (i > 0 && i <= bench_nr_scenarios) {
		const struct bench_scenario *sc = &bench_scenarios[i - 1];

		return (struct bench_item){ sc->name, sc->desc, sc, NULL };
	}
	st = &studies[i ? i - bench_nr_scenarios : 0];
	return (struct bench_item){ st->name, st->desc, NULL, st->run };
}

/* Is the @len characters at @pat "all" (*all set), or a glob that names something? */
static bool bench_pattern_known(const char *pat, size_t len, bool *all)
{
	char glob[64];

	if (len >= sizeof(glob))
		return false;
	memcpy(glob, pat, len);
	glob[len] = '\0';
	if (!strcmp(glob, "all")) {
		*all = true;
		return true;
	}
	for (unsigned int i = 0; i < bench_nr_items(); i++)
		if (glob_match(glob, bench_item_at(i).name))
			return true;
	return false;
}

/* The names with one line of description each. */
static void bench_list(void)
{
	printk(KERN_INFO "bench: benchmarks (bench=all, or names and globs: bench=fix_*,map):\n");
	for (unsigned int i = 0; i < bench_nr_items(); i++) {
		struct bench_item it = bench_item_at(i);

		printk(KERN_INFO "  %-24s %s\n", it.name, it.desc);
	}
}

static void bench_refuse(const char *pat, size_t len)
{
	char names[512];
	size_t n = scnprintf(names, sizeof(names), "all");

	for (unsigned int i = 0; i < bench_nr_items(); i++)
		n += scnprintf(names + n, sizeof(names) - n, ", %s", bench_item_at(i).name);
	pr_err("bench: no benchmark '%.*s'; valid names: %s\n", (int)len, pat, names);
	bench_list();
}

/*
 * Check every comma-separated item of @spec before anything runs; *@all
 * says whether one of them is "all". False (with the message) on the first
 * item that names nothing.
 */
static bool bench_spec_check(const char *spec, bool *all)
{
	*all = false;
	for (const char *p = spec;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len && !bench_pattern_known(p, len, all)) {
			bench_refuse(p, len);
			return false;
		}
		if (!comma)
			return true;
		p = comma + 1;
	}
}

int bench_run_one(const char *name, const struct bench_params *p, unsigned int reps,
		  struct bench_result *res)
{
	const struct bench_scenario *sc = bench_scenario_find(name);
	int err;

	if (!reps)
		reps = BENCH_REPS;
	if (!sc || reps > BENCH_MAX_REPS)
		return -EINVAL;
	tsc_calibrate();
	bench_quiet = true;
	err = bench_measure(sc, p ? p : &sc->bench, reps, res);
	bench_quiet = false;
	return err;
}

static int bench_item_run(const struct bench_item *it, bool *header_done)
{
	const struct bench_scenario *sc = it->sc;
	struct bench_result res;
	int err;

	if (!sc)
		return it->run();
	if ((err = floors_refresh()) != 0)
		return err;
	/*
	 * The floors just freed their pages into this CPU's page cache: give
	 * them back to the buddy, so the scenario starts from no warmer a cache
	 * than its own work makes.
	 */
	drain_all_pages();
	if (!*header_done) {
		print_table_header();
		*header_done = true;
	}
	bench_threads = num_online_cpus();
	err = bench_measure(sc, &sc->bench, BENCH_REPS, &res);
	bench_threads = 1;
	if (err) {
		pr_err("bench: %s failed (%d)\n", sc->name, err);
		return err;
	}
	print_result(sc, &res, bench_floor_op_x1000(sc, &res));
	return 0;
}

static void print_config(void)
{
	char a[24];

	bench_out("bench: TSC %s MHz (%s); %u repetitions per scenario: median [min max]\n",
		  bench_fixed3(a, sizeof(a), tsc_khz), tsc_source_name(tsc_source), BENCH_REPS);
	if (num_online_cpus() > 1)
		bench_out(
			"bench: each scenario on %u threads, one bound to each CPU, released "
			"together; ns/op = the team's wall time (release to the last thread's end, "
			"plus the purge) / one thread's loops\n",
			num_online_cpus());
	bench_out("bench: %lu MiB RAM, %lu MiB free, lazy purge above %lu pages\n",
		  totalram_pages >> (20 - PAGE_SHIFT), nr_free_pages() >> (20 - PAGE_SHIFT),
		  vmalloc_lazy_max_pages());
	bench_out("{\"bench\":\"config\",\"tsc_khz\":%lu,\"tsc_source\":\"%s\",\"reps\":%u,"
		  "\"threads\":%u,\"ram_pages\":%lu,\"lazy_max_pages\":%lu}\n",
		  tsc_khz, tsc_source_name(tsc_source), BENCH_REPS, num_online_cpus(),
		  totalram_pages, vmalloc_lazy_max_pages());
}

/* Pages a run may leave behind: partly used slabs of the kmalloc caches. */
#define BENCH_SLACK_PAGES 256

/*
 * After everything: nothing leaked (page tables excepted, the kernel never
 * frees them), the trees are sound, and the TSC still agrees with the PIT.
 */
static int bench_check(unsigned long free0, unsigned long pt0)
{
	unsigned long pt = pgtable_stats.pt_pages - pt0;
	long held;
	u64 khz;
	int bad = 0;

	vm_unmap_aliases();
	held = (long)free0 - (long)nr_free_pages() - (long)pt;
	bench_out("bench: %ld pages held after the run (slab caches), %lu page-table pages added\n",
		  held, pt);
	if (held > BENCH_SLACK_PAGES) {
		pr_err("bench: %ld pages not returned\n", held);
		bad++;
	}
	if (vmalloc_check()) {
		pr_err("bench: vmalloc_check() failed after the run\n");
		bad++;
	}
	khz = tsc_source == TSC_SRC_PIT ? tsc_pit_khz() : 0;
	if (khz && (khz > tsc_khz + tsc_khz / 100 || khz < tsc_khz - tsc_khz / 100))
		pr_warn("bench: the TSC now runs at %lu kHz against the PIT, not %lu: times are "
			"suspect (pin QEMU to one host CPU)\n",
			khz, tsc_khz);
	return bad;
}

int bench_run(const char *spec)
{
	unsigned long free0 = nr_free_pages(), pt0 = pgtable_stats.pt_pages;
	bool all, header_done = false;
	int failed = 0;
	char a[24];
	u64 t0;

	if (!bench_spec_check(spec, &all))
		return -EINVAL;
	t0 = rdtsc_ordered();
	tsc_calibrate();
	print_config();
	for (unsigned int i = 0; i < bench_nr_items() && !console_interrupted(); i++) {
		struct bench_item it = bench_item_at(i);

		if ((all || list_match(spec, it.name)) && bench_item_run(&it, &header_done))
			failed++;
	}
	failed += bench_check(free0, pt0);
	if (READ_ONCE(lock_stat_enabled))
		lock_stat_print(); /* booted with lock_stat: where the scenarios contended */
	bench_out("bench: done in %s s, %d failed\n",
		  bench_fixed2(a, sizeof(a), ns_of(rdtsc_ordered() - t0) / 1000000), failed);
	bench_out("{\"bench\":\"done\",\"failed\":%d,\"ms\":%lu}\n", failed,
		  ns_of(rdtsc_ordered() - t0) / 1000000);
	return failed;
}
