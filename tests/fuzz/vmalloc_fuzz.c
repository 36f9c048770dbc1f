/*
 * libFuzzer target: allocator operation sequences. mm/vmalloc.c runs on
 * the host exactly as in tests/host/vmalloc_test.c (the same shims:
 * tests/host/shim/vmalloc_shim.h aliases fake RAM at real vmalloc
 * addresses, so contents can be checked through both mappings and a
 * guard-page touch would fault). The input is a program: each byte picks
 * an operation, the bytes after it its arguments (sizes, alignments, which
 * area, an injected failure):
 *
 *   vmalloc / vzalloc / __vmalloc_node (aligned), vfree, vfree_atomic,
 *   vrealloc, vmap, vunmap, ioremap / ioremap_wc, iounmap,
 *   frees of the wrong kind or of an address inside an area (refused),
 *   vm_unmap_aliases, a change of the lazy-free budget.
 *
 * A shadow model keeps the live areas (address, size, kind, pages or
 * physical address, and the pattern written into them). After every step:
 * vmalloc_check(); every live area is found by find_vm_area() with its
 * size, mapped page by page (ioremap: to its frames), followed by an
 * unmapped guard page, and no two overlap (guards included); the busy
 * count matches; one area's contents are read back through the vmalloc
 * address; a refused or failed operation changed nothing (free pages,
 * PTEs, slab objects, memory types) and said so; ioremap is refused
 * exactly when the model says (RAM, or another memory type on an
 * overlapping live mapping). At the end everything is freed and the state
 * must be as after vmalloc_init().
 */
#define _GNU_SOURCE
#include "fuzz.h"
#include "vmalloc_shim.h"

#include "arch/x86/mm/memtype.c"
#include "kernel/deferred.c"
#include "lib/ratelimit.c"
#include "lib/rbtree.c"
#include "mm/gfp.c"
#include "mm/vmalloc.c"

#define P(n)	      ((unsigned long)(n)*PAGE_SIZE)
#define MAX_LIVE      32
#define MAX_VMAP      16
#define IO_BASE	      0xfe000000ULL /* device memory: far above the shim's RAM */
#define MAX_FREE_SNAP 256

enum kind {
	K_VMALLOC,
	K_VMAP,
	K_IOREMAP,
	K_IOREMAP_WC
};

struct live {
	enum kind kind;
	unsigned long addr;   /* what the call returned */
	unsigned long size;   /* bytes asked for */
	unsigned long seed;   /* of the pattern (vmalloc, vmap) */
	phys_addr_t phys;     /* ioremap */
	unsigned int nr_vmap; /* vmap: the pages the harness allocated */
	struct page *pages[MAX_VMAP];
};

static bool trace; /* FUZZ_TRACE set: one line per step on stderr */
static struct live live[MAX_LIVE];
static unsigned int nr_live;
static unsigned long step_no;

/* ---- the program -------------------------------------------------------- */

static const u8 *in_p;
static size_t in_n;

static unsigned int next8(void)
{
	if (!in_n)
		return 0;
	in_n--;
	return *in_p++;
}

static unsigned int next16(void)
{
	return next8() | next8() << 8;
}

/* ---- state snapshots (what must come back after a failure or at the end) */

struct snap {
	unsigned long free_pages, ptes, slab_live, busy, lazy_pages, memtypes, nr_free;
	unsigned long free[MAX_FREE_SNAP][2];
};

static struct snap initial;

static void take_snap(struct snap *s, bool free_list)
{
	struct vmap_area *va;

	s->free_pages = nr_free_pages();
	s->ptes = shim_pt_present;
	s->slab_live = shim_slab_live - (ne_fit_spare ? 1 : 0);
	s->busy = vmalloc_nr_busy();
	s->lazy_pages = vmalloc_stats.lazy_pages;
	s->memtypes = memtype_count;
	s->nr_free = 0;
	if (!free_list)
		return;
	list_for_each_entry(va, &vmap_free.head, list) {
		assert_true(s->nr_free < MAX_FREE_SNAP);
		s->free[s->nr_free][0] = va->va_start;
		s->free[s->nr_free][1] = va->va_end;
		s->nr_free++;
	}
}

static void assert_unchanged(const struct snap *was, const char *what)
{
	struct snap now;

	take_snap(&now, false);
	if (now.free_pages != was->free_pages || now.ptes != was->ptes ||
	    now.slab_live != was->slab_live || now.busy != was->busy ||
	    now.memtypes != was->memtypes)
		fail_msg("step %lu: %s changed the state: free pages %lu -> %lu, PTEs %lu -> %lu, "
			 "slab objects %lu -> %lu, busy areas %lu -> %lu, memtypes %lu -> %lu",
			 step_no, what, was->free_pages, now.free_pages, was->ptes, now.ptes,
			 was->slab_live, now.slab_live, was->busy, now.busy, was->memtypes,
			 now.memtypes);
}

/* ---- contents ----------------------------------------------------------------- */

static unsigned long pattern(unsigned long seed, unsigned long off)
{
	return (seed * 0x9e3779b97f4a7c15UL) ^ off;
}

/* The offsets of the words checked: three per page, all below @size. */
#define for_each_word(off, size)                                      \
	for (unsigned long pg_ = 0; pg_ < (size); pg_ += PAGE_SIZE)   \
		for (unsigned long w_ = 0, off; w_ < 3; w_++)         \
			if ((off = pg_ + (w_ == 0   ? 0               \
					  : w_ == 1 ? 2048            \
						    : PAGE_SIZE - 8), \
			     off + 8 <= (size)))

static void fill(const struct live *l)
{
	for_each_word(off, l->size) * (unsigned long *)(l->addr + off) = pattern(l->seed, off);
}

static void check_contents(const struct live *l, unsigned long upto)
{
	for_each_word(off, upto)
	{
		unsigned long got = *(unsigned long *)(l->addr + off);

		if (got != pattern(l->seed, off))
			fail_msg("step %lu: area %#lx (%lu bytes): word at +%#lx is %#lx, not %#lx",
				 step_no, l->addr, l->size, off, got, pattern(l->seed, off));
	}
}

static void check_zero(const struct live *l)
{
	for_each_word(off, l->size)
	{
		if (*(unsigned long *)(l->addr + off))
			fail_msg("step %lu: zeroed area %#lx has %#lx at +%#lx", step_no, l->addr,
				 *(unsigned long *)(l->addr + off), off);
	}
}

/* ---- the checks after every step -------------------------------------------- */

static pte_t *pte_of(unsigned long addr)
{
	enum pg_level level;

	return lookup_address(addr, &level);
}

static bool is_io(const struct live *l)
{
	return l->kind == K_IOREMAP || l->kind == K_IOREMAP_WC;
}

/* The reserved range of @l, guard included, from vmalloc's own area. */
static void area_range(const struct live *l, unsigned long *start, unsigned long *end)
{
	struct vm_struct *vm = find_vm_area((void *)(l->addr & PAGE_MASK));

	if (!vm)
		fail_msg("step %lu: live area %#lx (%lu bytes) is not found", step_no, l->addr,
			 l->size);
	if ((unsigned long)vm->addr != (l->addr & PAGE_MASK))
		fail_msg("step %lu: find_vm_area(%#lx) gives the area at %p", step_no, l->addr,
			 vm->addr);
	if (vm->flags & VM_NO_GUARD)
		fail_msg("step %lu: area %#lx has no guard page", step_no, l->addr);
	*start = (unsigned long)vm->addr;
	*end = *start + vm->size;
}

static void check_mapping(const struct live *l, unsigned long start, unsigned long end)
{
	unsigned long first = l->addr & PAGE_MASK;
	unsigned long mapped = PAGE_ALIGN(l->addr + l->size) - first;

	if (mapped + PAGE_SIZE > end - start)
		fail_msg("step %lu: area %#lx of %lu bytes reserves only %#lx bytes", step_no,
			 l->addr, l->size, end - start);
	for (unsigned long a = first; a < first + mapped; a += PAGE_SIZE) {
		pte_t *pte = pte_of(a);

		if (!pte)
			fail_msg("step %lu: page %#lx of area %#lx is not mapped", step_no, a,
				 l->addr);
		if (is_io(l) && (*pte & PTE_PFN_MASK) != ((l->phys & PAGE_MASK) + (a - first)))
			fail_msg("step %lu: ioremap page %#lx maps %#llx, not %#llx", step_no, a,
				 (unsigned long long)(*pte & PTE_PFN_MASK),
				 (unsigned long long)((l->phys & PAGE_MASK) + (a - first)));
	}
	if (pte_of(end - PAGE_SIZE))
		fail_msg("step %lu: the guard page %#lx of area %#lx is mapped", step_no,
			 end - PAGE_SIZE, l->addr);
}

static void check_all(void)
{
	unsigned long range[MAX_LIVE][2];

	if (vmalloc_check())
		fail_msg("step %lu: vmalloc_check() failed: %s", step_no, shim_log);
	for (unsigned int i = 0; i < nr_live; i++) {
		area_range(&live[i], &range[i][0], &range[i][1]);
		check_mapping(&live[i], range[i][0], range[i][1]);
		for (unsigned int j = 0; j < i; j++)
			if (range[i][0] < range[j][1] && range[j][0] < range[i][1])
				fail_msg("step %lu: areas %#lx-%#lx and %#lx-%#lx overlap", step_no,
					 range[j][0], range[j][1], range[i][0], range[i][1]);
	}
	if (vmalloc_nr_busy() != initial.busy + nr_live)
		fail_msg("step %lu: %lu busy areas, the model has %u + %lu early", step_no,
			 vmalloc_nr_busy(), nr_live, initial.busy);
	if (nr_live && !is_io(&live[step_no % nr_live]))
		check_contents(&live[step_no % nr_live], live[step_no % nr_live].size);
}

/* ---- the operations ------------------------------------------------------------ */

static struct live *pick(void)
{
	return nr_live ? &live[next8() % nr_live] : NULL;
}

static void forget(struct live *l)
{
	*l = live[--nr_live];
}

/* A size in bytes: mostly a few pages, sometimes up to 512, often not page-aligned. */
static unsigned long pick_size(void)
{
	unsigned int b = next8();
	unsigned long pages = b & 0x80 ? 1 + next16() % 512 : 1 + b % 16;
	unsigned int cut = next8();

	return P(pages) - (cut & 1 ? (cut >> 1) * 31 % PAGE_SIZE : 0);
}

/* Arm at most one fault for the next call, from one byte (0-4: none). */
static void arm_fault(unsigned int b, unsigned long pages)
{
	switch (b % 8) {
	case 5:
		fail_page_alloc_set(1 + next8() % (pages + 1), 1);
		break;
	case 6:
		fail_slab_set(1 + next8() % 3, 1);
		break;
	case 7:
		shim_fail_vmap_set(1, 1);
		break;
	}
}

static void disarm_faults(void)
{
	fail_page_alloc_set(0, 0);
	fail_slab_set(0, 0);
	shim_fail_vmap_set(0, 0);
}

/*
 * Run an allocation that WARNs at most @warns times (0, or 1 for a flag it
 * ignores with a WARN_ONCE); NULL must leave the state as it was, and, when
 * @says (the vmalloc family's contract), print why.
 */
#define ALLOC_WARNS(expr, what, warns, says)                                                      \
	({                                                                                        \
		unsigned long warned_ = warn_count;                                               \
		struct snap was_;                                                                 \
		void *p_;                                                                         \
		take_snap(&was_, false);                                                          \
		shim_log_clear();                                                                 \
		p_ = (expr);                                                                      \
		disarm_faults();                                                                  \
		if (warn_count - warned_ > (warns))                                               \
			fail_msg("step %lu: %s: %lu WARNs, more than %d; log: %s", step_no, what, \
				 warn_count - warned_, (warns), shim_log);                        \
		if (!p_) {                                                                        \
			assert_unchanged(&was_, what);                                            \
			if ((says) && !shim_log_len)                                              \
				fail_msg("step %lu: %s failed silently", step_no, what);          \
		}                                                                                 \
		p_;                                                                               \
	})
#define ALLOC(expr, what)	ALLOC_WARNS(expr, what, 0, true)
#define ALLOC_QUIET(expr, what) ALLOC_WARNS(expr, what, 0, false)

static void op_vmalloc(void)
{
	unsigned int how = next8();
	unsigned long size = pick_size(), align = P(1) << (next8() % 10);
	struct live *l = &live[nr_live];
	void *p;

	if (nr_live == MAX_LIVE)
		return;
	arm_fault(how >> 2, PAGE_ALIGN(size) >> PAGE_SHIFT);
	switch (how % 4) {
	case 0:
		p = ALLOC(vmalloc(size), "vmalloc");
		break;
	case 1:
		p = ALLOC(vzalloc(size), "vzalloc");
		break;
	case 2:
		p = ALLOC(__vmalloc_node(size, align, GFP_KERNEL | __GFP_ZERO, NUMA_NO_NODE, NULL),
			  "__vmalloc_node");
		break;
	default:
		p = ALLOC(__vmalloc(size, GFP_KERNEL), "__vmalloc");
		break;
	}
	if (!p)
		return;
	*l = (struct live){
		.kind = K_VMALLOC, .addr = (unsigned long)p, .size = size, .seed = step_no
	};
	if (how % 4 == 2 && !IS_ALIGNED(l->addr, align))
		fail_msg("step %lu: __vmalloc_node(align %#lx) gave %#lx", step_no, align, l->addr);
	if (how % 4 == 1 || how % 4 == 2)
		check_zero(l);
	nr_live++;
	fill(l);
}

static void op_vmap(void)
{
	unsigned int b = next8(), n = 1 + b % MAX_VMAP;
	unsigned long flags = VM_MAP | (b & 0x80 ? VM_NO_GUARD : 0);
	struct live *l = &live[nr_live];
	void *p;

	if (nr_live == MAX_LIVE)
		return;
	memset(l, 0, sizeof(*l));
	for (unsigned int i = 0; i < n; i++) {
		l->pages[i] = alloc_pages(GFP_KERNEL, 0);
		if (!l->pages[i]) { /* the live areas hold all the fake RAM */
			while (i--)
				__free_pages(l->pages[i], 0);
			return;
		}
	}
	arm_fault(b >> 4 & 7, 0);
	p = ALLOC_WARNS(vmap(l->pages, n, flags, PAGE_KERNEL), "vmap", flags & VM_NO_GUARD ? 1 : 0,
			false);
	if (!p) {
		for (unsigned int i = 0; i < n; i++)
			__free_pages(l->pages[i], 0);
		return;
	}
	l->kind = K_VMAP;
	l->addr = (unsigned long)p;
	l->size = P(n);
	l->seed = step_no;
	l->nr_vmap = n;
	nr_live++;
	/* Written through the direct map, read back through the vmap alias. */
	for_each_word(off, l->size) *
		(unsigned long *)((char *)page_address(l->pages[off >> PAGE_SHIFT]) +
				  (off & ~PAGE_MASK)) = pattern(l->seed, off);
	check_contents(l, l->size);
}

/* Would the model refuse ioremap of [phys, phys + size) with @kind? */
static bool io_refused(phys_addr_t phys, unsigned long size, enum kind kind)
{
	phys_addr_t start = phys & PAGE_MASK, end = PAGE_ALIGN(phys + size);

	if (start < P(SHIM_NR_PAGES))
		return true; /* RAM */
	for (unsigned int i = 0; i < nr_live; i++) {
		const struct live *l = &live[i];

		if (is_io(l) && l->kind != kind && start < PAGE_ALIGN(l->phys + l->size) &&
		    (l->phys & PAGE_MASK) < end)
			return true;
	}
	return false;
}

static void op_ioremap(void)
{
	unsigned int b = next8();
	enum kind kind = b & 1 ? K_IOREMAP_WC : K_IOREMAP;
	phys_addr_t phys = IO_BASE + P(next8() % 64) + (b & 2 ? next8() * 8 : 0);
	unsigned long size = 1 + next16() % P(8);
	struct live *l = &live[nr_live];
	bool refuse;
	void *p;

	if (nr_live == MAX_LIVE)
		return;
	if ((b & 0x1c) == 0x1c)
		phys = P(next16() % SHIM_NR_PAGES); /* RAM: refused */
	refuse = io_refused(phys, size, kind);
	if (!refuse)
		arm_fault(b >> 5, 0);
	if (kind == K_IOREMAP_WC)
		p = ALLOC_QUIET(ioremap_wc(phys, size), "ioremap_wc");
	else
		p = ALLOC_QUIET(ioremap(phys, size), "ioremap");
	if (refuse && !p && !shim_log_len)
		fail_msg("step %lu: ioremap(%#llx, %#lx) refused without a message", step_no,
			 (unsigned long long)phys, size);
	if (refuse && p)
		fail_msg("step %lu: ioremap%s(%#llx, %#lx) should be refused", step_no,
			 kind == K_IOREMAP_WC ? "_wc" : "", (unsigned long long)phys, size);
	if (!p)
		return;
	if (((unsigned long)p & ~PAGE_MASK) != (phys & ~PAGE_MASK))
		fail_msg("step %lu: ioremap(%#llx) gave %p: another offset in the page", step_no,
			 (unsigned long long)phys, p);
	*l = (struct live){ .kind = kind, .addr = (unsigned long)p, .size = size, .phys = phys };
	nr_live++;
}

/* Free @l with the call of its kind. */
static void free_live(struct live *l, bool atomic)
{
	if (!is_io(l))
		check_contents(l, l->size);
	shim_log_clear();
	switch (l->kind) {
	case K_VMALLOC:
		if (atomic) {
			FUZZ_NO_WARNING(vfree_atomic((void *)l->addr));
			FUZZ_NO_WARNING(vfree_deferred_run());
		} else {
			FUZZ_NO_WARNING(vfree((void *)l->addr));
		}
		break;
	case K_VMAP:
		FUZZ_NO_WARNING(vunmap((void *)l->addr));
		for (unsigned int i = 0; i < l->nr_vmap; i++)
			__free_pages(l->pages[i], 0);
		break;
	default:
		FUZZ_NO_WARNING(iounmap((void *)l->addr));
		break;
	}
	forget(l);
}

static void op_vrealloc(void)
{
	struct live *l = pick();
	unsigned long size = next8() == 0 ? 0 : pick_size();
	struct live moved;
	void *p;

	if (!l || l->kind != K_VMALLOC)
		return;
	if (!size) {
		check_contents(l, l->size);
		FUZZ_NO_WARNING(p = vrealloc((void *)l->addr, 0, GFP_KERNEL));
		assert_null(p);
		forget(l);
		return;
	}
	arm_fault(next8(), PAGE_ALIGN(size) >> PAGE_SHIFT);
	p = ALLOC_QUIET(vrealloc((void *)l->addr, size, GFP_KERNEL), "vrealloc");
	if (!p) {
		check_contents(l, l->size);
		return;
	}
	moved = *l;
	moved.addr = (unsigned long)p;
	check_contents(&moved, min(size, l->size));
	l->addr = moved.addr;
	l->size = size;
	fill(l);
}

/* A free of the wrong kind, or of an address inside the area: one WARN, no change. */
static void op_bad_free(void)
{
	struct live *l = pick();
	unsigned int b = next8();
	unsigned long addr, pages;
	struct snap was;

	if (!l)
		return;
	pages = (PAGE_ALIGN(l->addr + l->size) - (l->addr & PAGE_MASK)) >> PAGE_SHIFT;
	addr = (l->addr & PAGE_MASK) + (b & 1 && pages > 1 ? P(1 + b % (pages - 1)) : 0);
	if (addr == (l->addr & PAGE_MASK) && (b >> 1) % 3 == (is_io(l) ? 2U : l->kind))
		return; /* that would be the right call */
	take_snap(&was, false);
	shim_log_clear();
	if (trace)
		fprintf(stderr, "bad free %d of %#lx (area %#lx, kind %d)\n", (b >> 1) % 3, addr,
			l->addr, l->kind);
	SHIM_EXPECT_ONE_WARNING(({
					switch ((b >> 1) % 3) {
					case 0:
						vfree((void *)addr);
						break;
					case 1:
						vunmap((void *)addr);
						break;
					default:
						iounmap((void *)addr);
						break;
					}
				}),
				"");
	assert_unchanged(&was, "a refused free");
}

static void step(unsigned int op)
{
	struct live *l;

	if (trace)
		fprintf(stderr, "step %lu: op %u, %u live\n", step_no, op % 12, nr_live);

	switch (op % 12) {
	case 0:
	case 1:
		op_vmalloc();
		break;
	case 2:
		if ((l = pick()))
			free_live(l, false);
		break;
	case 3:
		op_vmap();
		break;
	case 4:
		op_ioremap();
		break;
	case 5:
		op_vrealloc();
		break;
	case 6:
		if ((l = pick()) && l->kind == K_VMALLOC)
			free_live(l, true);
		break;
	case 7:
		op_bad_free();
		break;
	case 8:
		FUZZ_NO_WARNING(vm_unmap_aliases());
		break;
	case 9:
		vmalloc_set_lazy_max_pages(next8() % 64);
		break;
	default:
		if ((l = pick()))
			free_live(l, false);
		break;
	}
	step_no++;
	check_all();
}

/* ---- setup and one input ------------------------------------------------------- */

static struct vm_struct early_a = { .size = 3 * 4096, .flags = VM_ALLOC | VM_NO_GUARD };
static struct vm_struct early_b = { .size = 2 * 4096, .flags = VM_MAP };
static unsigned long default_lazy_max;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	trace = getenv("FUZZ_TRACE") != NULL;
	shim_vmalloc_setup();
	vm_area_register_early(&early_a, 0);
	vm_area_register_early(&early_b, P(16));
	vmalloc_init();
	vmalloc_debug_vm = true;
	vfree(vmalloc(P(1))); /* leaves the spare node in place */
	vm_unmap_aliases();
	default_lazy_max = vmalloc_lazy_max_pages();
	take_snap(&initial, true);
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct snap now;

	in_p = data;
	in_n = size;
	step_no = 0;
	while (in_n)
		step(next8());
	while (nr_live)
		free_live(&live[nr_live - 1], false);
	vmalloc_set_lazy_max_pages(default_lazy_max);
	vfree_deferred_run();
	vmalloc_purge_flush();
	vm_unmap_aliases();
	assert_int_equal(vmalloc_check(), 0);
	take_snap(&now, true);
	assert_int_equal(now.free_pages, initial.free_pages);
	assert_int_equal(now.ptes, initial.ptes);
	assert_int_equal(now.slab_live, initial.slab_live);
	assert_int_equal(now.busy, initial.busy);
	assert_int_equal(now.lazy_pages, initial.lazy_pages);
	assert_int_equal(now.memtypes, initial.memtypes);
	assert_int_equal(now.nr_free, initial.nr_free);
	for (unsigned long i = 0; i < now.nr_free; i++) {
		assert_int_equal(now.free[i][0], initial.free[i][0]);
		assert_int_equal(now.free[i][1], initial.free[i][1]);
	}
	return 0;
}
