/*
 * Self-tests of the page-table dump: the line format (Linux's
 * dump_pagetables columns), and what the walk reports about real mappings --
 * a vmalloc area followed by its unmapped guard page, the image's W^X
 * sections, the direct map covering exactly the RAM -- plus the merge rule:
 * no two neighbouring runs could have been one.
 */
#include "asm/ptdump.h"
#include "debug/ktest.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/memblock.h"
#include "mm/vmalloc.h"

extern char _text[], _etext[], _rodata[], _data[];

#define MAX_RANGES 64

struct range_log {
	unsigned int n;
	unsigned int total; /* ranges seen, even past MAX_RANGES */
	struct ptdump_range r[MAX_RANGES];
};

static void log_range(const struct ptdump_range *r, void *data)
{
	struct range_log *log = data;

	if (log->n < MAX_RANGES)
		log->r[log->n++] = *r;
	log->total++;
}

/* The logged range that contains @addr, or NULL. */
static const struct ptdump_range *range_at(const struct range_log *log, unsigned long addr)
{
	for (unsigned int i = 0; i < log->n; i++)
		if (addr >= log->r[i].start && addr <= log->r[i].last)
			return &log->r[i];
	return NULL;
}

KTEST(ptdump, format_size)
{
	char buf[24];

	ptdump_format_size(buf, sizeof(buf), 4096);
	KTEST_EXPECT_STREQ(t, buf, "4K");
	ptdump_format_size(buf, sizeof(buf), 16384);
	KTEST_EXPECT_STREQ(t, buf, "16K");
	ptdump_format_size(buf, sizeof(buf), 1984UL << 10);
	KTEST_EXPECT_STREQ(t, buf, "1984K");
	ptdump_format_size(buf, sizeof(buf), 2UL << 20);
	KTEST_EXPECT_STREQ(t, buf, "2M");
	ptdump_format_size(buf, sizeof(buf), 1UL << 40);
	KTEST_EXPECT_STREQ(t, buf, "1T");
	ptdump_format_size(buf, sizeof(buf), 32256UL << 30);
	KTEST_EXPECT_STREQ(t, buf, "32256G");
}

KTEST(ptdump, format_line)
{
	struct ptdump_range r = { 0xffffc20000000000UL, 0xffffc20000003fffUL,
				  PAGE_KERNEL & ~(_PAGE_ACCESSED | _PAGE_DIRTY), PTDUMP_PTE,
				  "vmalloc" };
	char buf[128];

	ptdump_format_range(buf, sizeof(buf), &r);
	KTEST_EXPECT_STREQ(t, buf,
			   "0xffffc20000000000-0xffffc20000004000          16K     RW"
			   "                 GLB NX pte");
	r.prot = 0;
	r.start = 0xffffc20000004000UL;
	r.last = 0xffffc20000004fffUL;
	ptdump_format_range(buf, sizeof(buf), &r);
	KTEST_EXPECT_STREQ(t, buf,
			   "0xffffc20000004000-0xffffc20000005000           4K"
			   "                               pte");
	r.prot = _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE | _PAGE_GLOBAL | _PAGE_NX;
	r.level = PTDUMP_PMD;
	r.start = 0xffff810000200000UL;
	r.last = 0xffff81001fdfffffUL;
	ptdump_format_range(buf, sizeof(buf), &r);
	KTEST_EXPECT_STREQ(t, buf,
			   "0xffff810000200000-0xffff81001fe00000         508M     RW"
			   "         PSE     GLB NX pmd");
	r.prot = _PAGE_PRESENT | _PAGE_GLOBAL | _PAGE_PCD | _PAGE_PWT;
	r.level = PTDUMP_PTE;
	r.start = 0xffffffff80101000UL;
	r.last = 0xffffffff80101fffUL;
	ptdump_format_range(buf, sizeof(buf), &r);
	KTEST_EXPECT_STREQ(t, buf,
			   "0xffffffff80101000-0xffffffff80102000           4K     ro"
			   " PWT PCD         GLB x  pte");
}

/* A 4-page vmalloc area is one RW NX run, then its guard page is not present. */
KTEST(ptdump, vmalloc_area_then_guard)
{
	unsigned long p = (unsigned long)vmalloc(4 * PAGE_SIZE);
	struct range_log log = { 0 };
	const struct ptdump_range *area, *guard;

	KTEST_ASSERT_NE(t, p, 0UL);
	ptdump_walk_ranges(p, p + 5 * PAGE_SIZE, log_range, &log);
	area = range_at(&log, p);
	guard = range_at(&log, p + 4 * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, log.total, 2u);
	if (area && guard) {
		KTEST_EXPECT_EQ(t, area->start, p);
		KTEST_EXPECT_EQ(t, area->last, p + 4 * PAGE_SIZE - 1);
		KTEST_EXPECT_EQ(t, area->prot, _PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL | _PAGE_NX);
		KTEST_EXPECT_EQ(t, (int)area->level, (int)PTDUMP_PTE);
		KTEST_EXPECT_STREQ(t, area->region, "vmalloc");
		KTEST_EXPECT_EQ(t, guard->start, p + 4 * PAGE_SIZE);
		KTEST_EXPECT_EQ(t, guard->prot, 0UL);
	} else {
		KTEST_EXPECT_NOT_NULL(t, area);
		KTEST_EXPECT_NOT_NULL(t, guard);
	}

	/* A window inside the area is clipped to exactly that window. */
	log.n = log.total = 0;
	ptdump_walk_ranges(p + PAGE_SIZE, p + 2 * PAGE_SIZE, log_range, &log);
	KTEST_EXPECT_EQ(t, log.total, 1u);
	KTEST_EXPECT_EQ(t, log.r[0].start, p + PAGE_SIZE);
	KTEST_EXPECT_EQ(t, log.r[0].last, p + 2 * PAGE_SIZE - 1);
	vfree((void *)p);
}

/* The image: text ro+x, rodata ro+NX, data RW+NX (W^X). */
KTEST(ptdump, kernel_image_w_xor_x)
{
	struct range_log log = { 0 };
	const struct ptdump_range *text, *rodata, *data;
	const pgprot_t rw_nx = _PAGE_RW | _PAGE_NX;

	ptdump_walk_ranges((unsigned long)_text, (unsigned long)_data + PAGE_SIZE, log_range, &log);
	text = range_at(&log, (unsigned long)_text);
	rodata = range_at(&log, (unsigned long)_rodata);
	data = range_at(&log, (unsigned long)_data);
	KTEST_ASSERT_NOT_NULL(t, text);
	KTEST_ASSERT_NOT_NULL(t, rodata);
	KTEST_ASSERT_NOT_NULL(t, data);
	KTEST_EXPECT_EQ(t, text->prot & (rw_nx | _PAGE_PRESENT), _PAGE_PRESENT);
	KTEST_EXPECT_EQ(t, rodata->prot & (rw_nx | _PAGE_PRESENT), _PAGE_PRESENT | _PAGE_NX);
	KTEST_EXPECT_EQ(t, data->prot & (rw_nx | _PAGE_PRESENT), _PAGE_PRESENT | rw_nx);
	KTEST_EXPECT_STREQ(t, text->region, "kernel image");
}

struct merge_check {
	struct ptdump_range prev;
	bool have_prev;
	unsigned long bad, runs;
	unsigned long direct_mapped; /* bytes present in the direct map */
	unsigned long bad_start, bad_prev_last;
};

static void check_range(const struct ptdump_range *r, void *data)
{
	struct merge_check *mc = data;
	const struct ptdump_range *p = &mc->prev;
	const struct mem_region *dm = &mem_regions[REGION_DIRECT_MAP];

	mc->runs++;
	if (r->last < r->start ||
	    (mc->have_prev &&
	     (r->start <= p->last || (p->last + 1 == r->start && p->prot == r->prot &&
				      p->level == r->level && p->region == r->region)))) {
		if (!mc->bad++) {
			mc->bad_start = r->start;
			mc->bad_prev_last = p->last;
		}
	}
	if ((r->prot & _PAGE_PRESENT) && r->start >= dm->start && r->last < dm->end)
		mc->direct_mapped += r->last - r->start + 1;
	mc->prev = *r;
	mc->have_prev = true;
}

/* Over the whole kernel half: sorted, disjoint, maximal runs; the direct map is the RAM. */
KTEST(ptdump, runs_are_maximal_and_direct_map_is_ram)
{
	struct merge_check mc;

	memset(&mc, 0, sizeof(mc));
	ptdump_walk_ranges(0xffff800000000000UL, 0, check_range, &mc);
	KTEST_EXPECT_GT(t, mc.runs, 5UL);
	KTEST_EXPECT_EQ(t, mc.bad, 0UL);
	if (mc.bad)
		KTEST_EXPECT_EQ(t, mc.bad_start, mc.bad_prev_last + 1);
	KTEST_EXPECT_EQ(t, mc.direct_mapped, (unsigned long)memblock_phys_mem_size());
	KTEST_EXPECT_EQ(t, mc.prev.last, ~0UL);
}
