/*
 * Page-table dump: walk the four levels of init_pgd and describe the kernel
 * address space as runs of pages whose leaf entries show the same attributes,
 * one line per run, in the layout of Linux's x86 dump_pagetables:
 *
 *   start-end (exclusive)                     size  USR RW PWT PCD PSE PAT GLB NX level
 *   0xffffc20000000000-0xffffc20000004000          16K     RW                 GLB NX pte
 *
 * A run ends where the shown bits change, where the level of the leaf
 * changes (a 2 MiB page never merges with 4 KiB ones), or where the address
 * crosses into another region of the layout table; each region gets a
 * "---[ name ]---" heading. Unmapped space is reported at the level where the
 * walk found nothing, with no flags.
 *
 * The walk reads init_pgd and the tables below it through the direct map and
 * changes nothing. Internally ranges are inclusive ([lo, hi]) so that the
 * last page of the address space needs no special case.
 */
#include "asm/page.h"
#include "asm/ptdump.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/layout.h"

#define KERNEL_SPACE_START 0xffff800000000000UL
#define MAX_MARKERS	   (2 * NR_MEM_REGIONS + 2)

/* Entry bits the dump shows; anything else (A, D, software bits) does not split a run. */
#define PTDUMP_SHOWN_BITS                                                            \
	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_PWT | _PAGE_PCD | _PAGE_PSE | \
	 _PAGE_GLOBAL | _PAGE_NX)

/* ptdump's levels are the page tables' levels: names and shifts come from pt_levels[]. */
_Static_assert(PTDUMP_PGD == (int)PT_PGD && PTDUMP_PUD == (int)PT_PUD &&
		       PTDUMP_PMD == (int)PT_PMD && PTDUMP_PTE == (int)PT_PTE,
	       "enum ptdump_level must follow enum pt_level");

/* Where a heading starts: the region table's starts, plus "hole" after each end. */
struct ptdump_marker {
	unsigned long start;
	const char *name;
};

struct ptdump_state {
	unsigned long lo, hi;	 /* the part of the address space asked for */
	struct ptdump_range cur; /* the run being grown */
	bool have_cur;
	ptdump_fn fn;
	void *data;
	bool effective; /* runs carry the RW and NX that all levels leave, not the leaf's */
	struct ptdump_marker markers[MAX_MARKERS];
	int nr_markers;
};

static void marker_add(struct ptdump_state *st, unsigned long start, const char *name)
{
	int i;

	for (i = 0; i < st->nr_markers; i++) {
		if (st->markers[i].start == start) {
			/* A region's start wins over the hole after its neighbour. */
			if (strcmp(name, "hole"))
				st->markers[i].name = name;
			return;
		}
	}
	if (st->nr_markers == MAX_MARKERS)
		return;
	i = st->nr_markers++;
	while (i > 0 && st->markers[i - 1].start > start) {
		st->markers[i] = st->markers[i - 1];
		i--;
	}
	st->markers[i].start = start;
	st->markers[i].name = name;
}

static void markers_init(struct ptdump_state *st)
{
	st->nr_markers = 0;
	marker_add(st, 0, "user space");
	marker_add(st, KERNEL_SPACE_START, "hole");
	for (int i = 0; i < NR_MEM_REGIONS; i++) {
		const struct mem_region *r = &mem_regions[i];

		if (!r->name || r->end <= r->start)
			continue; /* layout_init() has not filled it in */
		marker_add(st, r->end, "hole");
	}
	for (int i = 0; i < NR_MEM_REGIONS; i++) {
		const struct mem_region *r = &mem_regions[i];

		if (r->name && r->end > r->start)
			marker_add(st, r->start, r->name);
	}
}

/* The marker whose span holds @addr (the markers start at 0, so there is one). */
static int marker_index(const struct ptdump_state *st, unsigned long addr)
{
	int i = 0;

	while (i + 1 < st->nr_markers && st->markers[i + 1].start <= addr)
		i++;
	return i;
}

static void ptdump_flush(struct ptdump_state *st)
{
	if (st->have_cur)
		st->fn(&st->cur, st->data);
	st->have_cur = false;
}

/* [lo, hi] lies inside one region: extend the current run or start a new one. */
static void note_piece(struct ptdump_state *st, unsigned long lo, unsigned long hi, pgprot_t prot,
		       enum ptdump_level level, const char *region)
{
	struct ptdump_range *cur = &st->cur;

	if (st->have_cur && cur->prot == prot && cur->level == level && cur->region == region &&
	    cur->last + 1 == lo) {
		cur->last = hi;
		return;
	}
	ptdump_flush(st);
	cur->start = lo;
	cur->last = hi;
	cur->prot = prot;
	cur->level = level;
	cur->region = region;
	st->have_cur = true;
}

/* Record [lo, hi] (inclusive), split at region boundaries. */
static void note_range(struct ptdump_state *st, unsigned long lo, unsigned long hi, pgprot_t prot,
		       enum ptdump_level level)
{
	for (;;) {
		int m = marker_index(st, lo);
		unsigned long piece_hi = hi;

		if (m + 1 < st->nr_markers && st->markers[m + 1].start - 1 < hi)
			piece_hi = st->markers[m + 1].start - 1;
		note_piece(st, lo, piece_hi, prot, level, st->markers[m].name);
		if (piece_hi == hi)
			return;
		lo = piece_hi + 1;
	}
}

static pgprot_t shown_prot(u64 entry, enum ptdump_level level)
{
	pgprot_t prot = entry & PTDUMP_SHOWN_BITS;

	if (level != PTDUMP_PTE)
		prot |= entry & _PAGE_PAT_LARGE;
	return prot;
}

/*
 * The access an entry leaves to what it maps, given what the levels above
 * left (@above): writable only if every level says RW, no-execute if any
 * level says NX, as the MMU combines them.
 */
static pgprot_t effective_prot(pgprot_t above, u64 e)
{
	return (above & e & _PAGE_RW) | ((above | e) & _PAGE_NX);
}

/*
 * Walk the entry @e that maps [addr, addr + size of @level), clipped to the
 * request; @above is the effective access the levels above it leave.
 */
static void walk_entry(struct ptdump_state *st, u64 e, unsigned long addr, enum ptdump_level level,
		       pgprot_t above)
{
	unsigned long last = addr + pt_level_size((enum pt_level)level) - 1;
	unsigned long lo = addr > st->lo ? addr : st->lo;
	unsigned long hi = last < st->hi ? last : st->hi;
	pgprot_t eff = effective_prot(above, e);
	const u64 *table;

	if (!(e & _PAGE_PRESENT)) {
		note_range(st, lo, hi, 0, level);
		return;
	}
	if (pt_entry_leaf(e, (enum pt_level)level)) {
		pgprot_t prot = shown_prot(e, level);

		if (st->effective)
			prot = (prot & ~(_PAGE_RW | _PAGE_NX)) | eff;
		note_range(st, lo, hi, prot, level);
		return;
	}
	table = __va(e & PTE_PFN_MASK);
	for (unsigned int i = 0; i < pt_levels[level + 1].entries; i++) {
		unsigned long child = addr + i * pt_level_size((enum pt_level)(level + 1));
		unsigned long child_last = child + pt_level_size((enum pt_level)(level + 1)) - 1;

		if (child_last < st->lo || child > st->hi)
			continue;
		walk_entry(st, table[i], child, level + 1, eff);
	}
}

/* The canonical address that pgd slot @i maps. */
static unsigned long pgd_slot_addr(unsigned int i)
{
	unsigned long addr = (unsigned long)i << pt_levels[PT_PGD].shift;

	return i < PTRS_PER_TABLE / 2 ? addr : addr | 0xffff000000000000UL;
}

static void walk_ranges(unsigned long start, unsigned long end, ptdump_fn fn, void *data,
			bool effective)
{
	struct ptdump_state st;

	memset(&st, 0, sizeof(st));
	st.effective = effective;
	st.lo = start & PAGE_MASK;
	st.hi = PAGE_ALIGN(end) - 1; /* end 0, or rounded up past the top: ~0UL */
	if (st.hi < st.lo)
		return;
	st.fn = fn;
	st.data = data;
	markers_init(&st);
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++) {
		unsigned long addr = pgd_slot_addr(i);

		if (addr + PGDIR_SIZE - 1 < st.lo || addr > st.hi)
			continue;
		walk_entry(&st, init_pgd[i], addr, PTDUMP_PGD, _PAGE_RW);
	}
	ptdump_flush(&st);
}

void ptdump_walk_ranges(unsigned long start, unsigned long end, ptdump_fn fn, void *data)
{
	walk_ranges(start, end, fn, data, false);
}

int ptdump_format_size(char *buf, size_t len, unsigned long bytes)
{
	static const char units[] = "KMGTPE";
	unsigned long v = bytes >> 10;
	unsigned int u = 0;

	while (u + 1 < sizeof(units) - 1 && v && !(v & 1023)) {
		v >>= 10;
		u++;
	}
	return snprintf(buf, len, "%lu%c", v, units[u]);
}

/* The 30 columns of flags: USR RW PWT PCD PSE PAT GLB NX, blank when not present. */
static void format_flags(char *buf, size_t len, pgprot_t prot, enum ptdump_level level)
{
	bool large = level != PTDUMP_PTE;

	if (!(prot & _PAGE_PRESENT)) {
		snprintf(buf, len, "%30s", "");
		return;
	}
	snprintf(buf, len, "%s%s%s%s%s%s%s%s", (prot & _PAGE_USER) ? "USR " : "    ",
		 (prot & _PAGE_RW) ? "RW " : "ro ", (prot & _PAGE_PWT) ? "PWT " : "    ",
		 (prot & _PAGE_PCD) ? "PCD " : "    ",
		 (large && (prot & _PAGE_PSE)) ? "PSE " : "    ",
		 (large ? (prot & _PAGE_PAT_LARGE) : (prot & _PAGE_PAT)) ? "PAT " : "    ",
		 (prot & _PAGE_GLOBAL) ? "GLB " : "    ", (prot & _PAGE_NX) ? "NX " : "x  ");
}

int ptdump_format_range(char *buf, size_t len, const struct ptdump_range *r)
{
	char size[24], flags[40];

	ptdump_format_size(size, sizeof(size), r->last - r->start + 1);
	format_flags(flags, sizeof(flags), r->prot, r->level);
	return scnprintf(buf, len, "0x%016lx-0x%016lx   %10s %s%s", r->start, r->last + 1, size,
			 flags, pt_levels[r->level].name);
}

struct ptdump_printer {
	const char *region; /* heading printed last */
};

static void ptdump_print_range(const struct ptdump_range *r, void *data)
{
	struct ptdump_printer *p = data;
	char line[128];

	if (r->region != p->region) {
		pr_info("---[ %s ]---\n", r->region);
		p->region = r->region;
	}
	ptdump_format_range(line, sizeof(line), r);
	pr_info("%s\n", line);
}

void ptdump_walk(unsigned long start, unsigned long end)
{
	struct ptdump_printer p = { NULL };

	ptdump_walk_ranges(start, end, ptdump_print_range, &p);
}

void ptdump_show_walk(unsigned long addr)
{
	static const char *const page_sizes[PT_LEVELS] = { "512G", "1G", "2M", "4K" };
	enum pt_level level, at;
	char flags[40];

	pr_info("page walk of 0x%016lx:\n", addr);
	if (!ptdump_addr_canonical(addr)) {
		pr_info("  not a canonical address: no page table maps it\n");
		return;
	}
	for (level = PT_PGD; level < PT_LEVELS; level++) {
		/* The levels above led here, so the walk reaches @level. */
		u64 e = *pt_walk(addr, level, &at);
		const char *name = pt_levels[level].name;
		unsigned int idx = pt_index(addr, level);
		unsigned long mask = pt_level_size(level) - 1;
		phys_addr_t phys;

		if (!(e & _PAGE_PRESENT)) {
			pr_info("  %s[%3u] 0x%016llx  not present\n", name, idx,
				(unsigned long long)e);
			pr_info("  => 0x%016lx is not mapped\n", addr);
			return;
		}
		if (!pt_entry_leaf(e, level)) {
			pr_info("  %s[%3u] 0x%016llx  table at phys 0x%llx\n", name, idx,
				(unsigned long long)e, (unsigned long long)(e & PTE_PFN_MASK));
			continue;
		}
		format_flags(flags, sizeof(flags), shown_prot(e, (enum ptdump_level)level),
			     (enum ptdump_level)level);
		phys = (e & PTE_PFN_MASK & ~(phys_addr_t)mask) | (addr & mask);
		pr_info("  %s[%3u] 0x%016llx %s%s\n", name, idx, (unsigned long long)e, flags,
			name);
		pr_info("  => 0x%016lx is phys 0x%llx (%s page)\n", addr, (unsigned long long)phys,
			page_sizes[level]);
		return;
	}
}

/* ---------------------------------------------------------------------- */
/*
 * The W+X check (Linux's DEBUG_WX): walk every mapping and count the pages
 * that are both writable and executable, then the executable pages, of the
 * image, a module or any vm area, whose direct-map alias is writable (a
 * write through the alias would change the code as surely as a W+X
 * mapping). set_memory_x()/_rox() leave the direct map alone, so every
 * executable vmalloc or module page is counted here until the direct map
 * can be split.
 */

struct wx_walk {
	struct ptdump_wx *wx;
	bool report;
};

static unsigned long range_pages(const struct ptdump_range *r)
{
	return (r->last - r->start + 1) >> PAGE_SHIFT;
}

/* The direct-map alias of the page at @va, or 0 when it has none. */
static unsigned long direct_alias(unsigned long va)
{
	enum pt_level at;
	u64 e = *pt_walk(va, PT_PTE, &at);
	unsigned long mask = pt_level_size(at) - 1;
	phys_addr_t phys = (e & PTE_PFN_MASK & ~(phys_addr_t)mask) | (va & mask);

	if (!(e & _PAGE_PRESENT) || PHYS_PFN(phys) >= max_pfn)
		return 0;
	return (unsigned long)__va(phys);
}

/* Executable pages in @r: count those with a writable direct-map alias. */
static void wx_check_aliases(const struct ptdump_range *r, struct wx_walk *w)
{
	unsigned long first = 0, n = 0;

	for (unsigned long i = 0; i < range_pages(r); i++) {
		unsigned long alias = direct_alias(r->start + i * PAGE_SIZE);
		enum pg_level level;
		pte_t *pte = alias ? lookup_address(alias, &level) : NULL;

		if (!pte || !(*pte & _PAGE_RW)) /* the direct map's upper levels are RW */
			continue;
		if (!n++)
			first = alias;
	}
	if (!n)
		return;
	if (!w->wx->alias_pages)
		w->wx->first_alias = first;
	w->wx->alias_pages += n;
	if (w->report)
		pr_warn("x86/mm: Found writable alias %p of executable memory at %pS (%s, %lu pages)\n",
			(void *)first, (void *)r->start, r->region, n);
}

static void wx_note(const struct ptdump_range *r, void *data)
{
	struct wx_walk *w = data;

	if (!(r->prot & _PAGE_PRESENT) || (r->prot & _PAGE_NX))
		return;
	wx_check_aliases(r, w);
	if (!(r->prot & _PAGE_RW))
		return;
	if (!w->wx->wx_pages)
		w->wx->first_wx = r->start;
	w->wx->wx_pages += range_pages(r);
	if (w->report)
		pr_warn("x86/mm: Found insecure W+X mapping at address %p (%s, %lu pages)\n",
			(void *)r->start, r->region, range_pages(r));
}

void ptdump_count_wx(struct ptdump_wx *wx, bool report)
{
	struct wx_walk w = { wx, report };

	memset(wx, 0, sizeof(*wx));
	walk_ranges(0, 0, wx_note, &w, true);
}

unsigned long ptdump_check_wx(void)
{
	struct ptdump_wx wx;
	unsigned long bad;

	ptdump_count_wx(&wx, true);
	bad = wx.wx_pages + wx.alias_pages;
	if (bad)
		pr_warn("x86/mm: Checked W+X mappings: FAILED, %lu W+X pages found.\n", bad);
	else
		pr_info("x86/mm: Checked W+X mappings: passed, no W+X pages found.\n");
	return bad;
}
