/*
 * Kernel page tables: walk, allocate, set and clear entries of the four
 * levels under init_pgd, and flush the TLB.
 *
 * Map and unmap are written one function per level with the same loop
 * shape (Linux's vmap_*_range): each level finds or allocates the table
 * below it and hands [addr, next) down, where next is the end of the range
 * or the end of what one entry of this level covers, whichever is first.
 *
 *   pgd_t[512] --> pud_t[512] --> pmd_t[512] --> pte_t[512] --> 4 KiB page
 *   512 GiB each   1 GiB each     2 MiB each     4 KiB each
 *
 * Table pages come from memblock until the buddy allocator is up
 * (pgtable_use_buddy()), then from the buddy, zeroed. Kernel tables are
 * never freed: every address space shares them, as in Linux. A table is
 * linked in with cmpxchg, so two CPUs mapping under the same empty entry
 * agree on one table (the loser frees its own); the leaves in a range
 * belong to whoever owns the range (vmalloc hands each range to one user).
 */
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "kernel/atomic.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/memblock.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "arch/x86/mm/mm_internal.h"

pgd_t *init_pgd;
struct pgtable_stats pgtable_stats;

const struct pt_level_info pt_levels[PT_LEVELS] = {
	[PT_PGD] = { PGDIR_SHIFT, PTRS_PER_TABLE, "pgd" },
	[PT_PUD] = { PUD_SHIFT, PTRS_PER_TABLE, "pud" },
	[PT_PMD] = { PMD_SHIFT, PTRS_PER_TABLE, "pmd" },
	[PT_PTE] = { PAGE_SHIFT, PTRS_PER_TABLE, "pte" },
};

static bool use_buddy;

/*
 * Until paging_init() switches to the final tables, table pages are reached
 * through the boot tables' direct map, at the default base, whatever
 * page_offset_base says (it may have been randomised already).
 */
static unsigned long table_offset = __PAGE_OFFSET_BASE_DEFAULT;

void *pgtable_va(phys_addr_t phys)
{
	return (void *)(phys + table_offset);
}

phys_addr_t pgtable_pa(const void *table)
{
	return (unsigned long)table - table_offset;
}

void pgtable_switched(void)
{
	table_offset = page_offset_base;
}

void pgtable_use_buddy(void)
{
	use_buddy = true;
}

/* A zeroed page for a page table, by direct-map address; NULL when out of memory. */
void *pgtable_alloc(void)
{
	void *table;

	if (use_buddy) {
		struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

		if (!page)
			return NULL;
		page->flags |= PG_pgtable;
		table = page_address(page);
	} else {
		phys_addr_t phys = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE);

		if (!phys)
			return NULL;
		table = pgtable_va(phys);
		memset(table, 0, PAGE_SIZE);
	}
	__atomic_fetch_add(&pgtable_stats.pt_pages, 1, __ATOMIC_RELAXED);
	return table;
}

/* Give back a table that lost the race to be linked in (never used, still zero). */
void pgtable_free_unused(void *table)
{
	struct page *page;

	if (WARN_ON_ONCE(!use_buddy)) /* boot: one CPU, no race */
		return;
	page = virt_to_page(table);
	page->flags &= ~PG_pgtable;
	__free_page(page);
	__atomic_fetch_sub(&pgtable_stats.pt_pages, 1, __ATOMIC_RELAXED);
}

static inline void *entry_table(u64 entry)
{
	return pgtable_va(entry & PTE_PFN_MASK);
}

static inline bool entry_present(u64 entry)
{
	return entry & _PAGE_PRESENT;
}

static inline bool entry_leaf(u64 entry)
{
	return entry & _PAGE_PSE;
}

/* The table that *@entry points to, allocated and linked in if it is empty. */
static u64 *table_alloc(u64 *entry)
{
	void *table;

	if (entry_present(*entry)) {
		if (WARN(entry_leaf(*entry), "pgtable: large page %#llx where a table was expected",
			 (unsigned long long)*entry))
			return NULL;
		return entry_table(*entry);
	}
	table = pgtable_alloc();
	if (!table)
		return NULL;
	/* Another CPU may have linked a table here meanwhile: keep the first. */
	if (cmpxchg(entry, 0, pgtable_pa(table) | _KERNPG_TABLE) != 0) {
		pgtable_free_unused(table);
		return table_alloc(entry);
	}
	return table;
}

static inline unsigned long level_end(unsigned long addr, unsigned long end, unsigned long size)
{
	unsigned long boundary = (addr + size) & ~(size - 1);

	return boundary - 1 < end - 1 ? boundary : end;
}

/* Where the pages of a mapping come from: an array of pages or one physical run. */
struct map_src {
	struct page **pages;
	phys_addr_t phys;
	unsigned long done; /* pages mapped so far */
	unsigned int huge;  /* VMAP_HUGE_*: the leaf sizes it may use */
};

/*
 * W^X for aliases of RAM: a page of RAM (every page of an array, and any
 * frame pfn_valid() knows) is mapped NX whatever @prot says. Executable
 * mappings come only from the permission API (set_memory_x()/rox()),
 * which clears NX on an area after it is mapped.
 */
static inline pgprot_t map_src_prot(const struct map_src *src, phys_addr_t phys, pgprot_t prot)
{
	if (src->pages || pfn_valid(PHYS_PFN(phys)))
		return prot | _PAGE_NX;
	return prot;
}

/*
 * The PTEs of one run inside one table, in a tight loop: @n entries from
 * @pte, the pages from src->done on. Stops at the first entry already
 * present; returns how many it wrote.
 */
static unsigned long map_pte_run(pte_t *pte, unsigned long n, pgprot_t prot,
				 const struct map_src *src)
{
	unsigned long i;

	if (src->pages) {
		struct page *const *pages = src->pages + src->done;
		const struct page *base = vmemmap;

		prot |= _PAGE_NX; /* every page of an array is RAM */
		for (i = 0; i < n && !entry_present(pte[i]); i++)
			pte[i] = PFN_PHYS((unsigned long)(pages[i] - base)) | prot;
	} else {
		phys_addr_t phys = src->phys + (src->done << PAGE_SHIFT);

		for (i = 0; i < n && !entry_present(pte[i]); i++, phys += PAGE_SIZE)
			pte[i] = phys | map_src_prot(src, phys, prot);
	}
	return i;
}

static int map_pte_range(pmd_t *pmd, unsigned long addr, unsigned long end, pgprot_t prot,
			 struct map_src *src)
{
	pte_t *table = table_alloc(pmd), *pte;
	unsigned long n = (end - addr) >> PAGE_SHIFT, done;

	if (!table)
		return -ENOMEM;
	pte = &table[pte_index(addr)];
	done = map_pte_run(pte, n, prot, src);
	src->done += done;
	if (WARN(done < n, "pgtable: %#lx is already mapped (pte %#llx)",
		 addr + (done << PAGE_SHIFT), (unsigned long long)pte[done]))
		return -EBUSY;
	return 0;
}

/*
 * Large leaves. A 2 MiB (pmd) or 1 GiB (pud) leaf maps [addr, addr + size)
 * when the mapper allows it (src->huge), the step covers that whole aligned
 * block, the source is physically contiguous over it from an aligned frame,
 * @prot has no PTE-only PAT bit, and the entry is empty or holds an empty
 * table (kernel tables stay after an unmap: one left under a block that is
 * wholly ours now is taken out and freed). Otherwise the level below maps
 * it in smaller pages.
 */
static bool map_src_contiguous(const struct map_src *src, unsigned long n, phys_addr_t *phys)
{
	struct page *const *pages = src->pages + src->done;

	if (!src->pages) {
		*phys = src->phys + (src->done << PAGE_SHIFT);
		return true;
	}
	for (unsigned long i = 1; i < n; i++)
		if (pages[i] != pages[0] + i)
			return false;
	*phys = page_to_phys(pages[0]);
	return true;
}

/*
 * *@entry (covering [addr, addr + size)) empty, or made so by freeing the
 * empty table it held. The entry is cleared and every CPU flushes the block
 * before the table goes back: a CPU may still cache the old entry in its
 * paging-structure caches, and walk the freed page as a table (Linux's
 * pmd_free_pte_page() does the same).
 */
static bool entry_free_for_leaf(u64 *entry, unsigned long addr, unsigned long size)
{
	u64 old = *entry, *table;
	struct page *page;

	if (!entry_present(old))
		return true;
	if (entry_leaf(old) || !use_buddy)
		return false;
	table = entry_table(old);
	page = virt_to_page(table);
	if (!(page->flags & PG_pgtable))
		return false;
	for (unsigned int i = 0; i < PTRS_PER_TABLE; i++)
		if (table[i])
			return false;
	if (cmpxchg(entry, old, 0) != old)
		return false;
	flush_tlb_kernel_range(addr, addr + size);
	pgtable_free_unused(table);
	return true;
}

static bool map_leaf(u64 *entry, unsigned long addr, unsigned long next, unsigned int shift,
		     pgprot_t prot, struct map_src *src)
{
	unsigned long size = 1UL << shift;
	phys_addr_t phys;

	if ((addr & (size - 1)) || next - addr != size || (prot & _PAGE_PAT) ||
	    !map_src_contiguous(src, size >> PAGE_SHIFT, &phys) || (phys & (size - 1)) ||
	    !entry_free_for_leaf(entry, addr, size))
		return false;
	*entry = phys | map_src_prot(src, phys, prot) | _PAGE_PSE;
	src->done += size >> PAGE_SHIFT;
	__atomic_fetch_add(shift == PMD_SHIFT ? &pgtable_stats.pmd_leaves
					      : &pgtable_stats.pud_leaves,
			   1, __ATOMIC_RELAXED);
	return true;
}

static int map_pmd_range(pud_t *pud, unsigned long addr, unsigned long end, pgprot_t prot,
			 struct map_src *src)
{
	pmd_t *table = table_alloc(pud);
	unsigned long next;
	int err;

	if (!table)
		return -ENOMEM;
	do {
		next = level_end(addr, end, PMD_SIZE);
		if ((src->huge & VMAP_HUGE_PMD) &&
		    map_leaf(&table[pmd_index(addr)], addr, next, PMD_SHIFT, prot, src))
			continue;
		err = map_pte_range(&table[pmd_index(addr)], addr, next, prot, src);
		if (err)
			return err;
	} while (addr = next, addr != end);
	return 0;
}

static int map_pud_range(pgd_t *pgd, unsigned long addr, unsigned long end, pgprot_t prot,
			 struct map_src *src)
{
	pud_t *table = table_alloc(pgd);
	unsigned long next;
	int err;

	if (!table)
		return -ENOMEM;
	do {
		next = level_end(addr, end, PUD_SIZE);
		if ((src->huge & VMAP_HUGE_PUD) && boot_cpu.pdpe1gb &&
		    map_leaf(&table[pud_index(addr)], addr, next, PUD_SHIFT, prot, src))
			continue;
		err = map_pmd_range(&table[pud_index(addr)], addr, next, prot, src);
		if (err)
			return err;
	} while (addr = next, addr != end);
	return 0;
}

static int map_range(unsigned long addr, unsigned long end, pgprot_t prot, struct map_src *src)
{
	unsigned long start = addr, next;
	int err = 0;

	if (WARN(!PAGE_ALIGNED(addr) || !PAGE_ALIGNED(end) || end <= addr,
		 "pgtable: bad range [%#lx-%#lx)", addr, end))
		return -EINVAL;
	do {
		next = level_end(addr, end, PGDIR_SIZE);
		err = map_pud_range(&init_pgd[pgd_index(addr)], addr, next, prot, src);
	} while (!err && (addr = next, addr != end));
	if (err && src->done) /* undo: clear what this call set */
		vunmap_range_noflush(start, start + (src->done << PAGE_SHIFT));
	return err;
}

int vmap_pages_range_huge(unsigned long addr, unsigned long end, pgprot_t prot, struct page **pages,
			  unsigned int huge)
{
	struct map_src src = { .pages = pages, .phys = 0, .done = 0, .huge = huge };

	return map_range(addr, end, prot, &src);
}

int vmap_pages_range(unsigned long addr, unsigned long end, pgprot_t prot, struct page **pages)
{
	return vmap_pages_range_huge(addr, end, prot, pages, 0);
}

int vmap_range_huge(unsigned long addr, unsigned long end, phys_addr_t phys, pgprot_t prot,
		    unsigned int huge)
{
	struct map_src src = { .pages = NULL, .phys = phys, .done = 0, .huge = huge };

	if (WARN(phys & ~PAGE_MASK, "vmap_range: unaligned phys %#llx", (unsigned long long)phys))
		return -EINVAL;
	return map_range(addr, end, prot, &src);
}

int vmap_range(unsigned long addr, unsigned long end, phys_addr_t phys, pgprot_t prot)
{
	return vmap_range_huge(addr, end, phys, prot, 0);
}

/* Clear the PTEs of [addr, end) inside one table: one run of stores. */
static void unmap_pte_range(pmd_t *pmd, unsigned long addr, unsigned long end)
{
	pte_t *pte = (pte_t *)entry_table(*pmd) + pte_index(addr);
	unsigned long i, n = (end - addr) >> PAGE_SHIFT;

	for (i = 0; i < n; i++)
		pte[i] = 0;
}

static void unmap_pmd_range(pud_t *pud, unsigned long addr, unsigned long end)
{
	pmd_t *table = entry_table(*pud);
	unsigned long next;

	do {
		pmd_t *pmd = &table[pmd_index(addr)];

		next = level_end(addr, end, PMD_SIZE);
		if (!entry_present(*pmd))
			continue;
		if (entry_leaf(*pmd)) {
			/* cut or not, the leaf goes: else it maps memory freed after */
			WARN(next - addr != PMD_SIZE, "vunmap: [%#lx-%#lx) cuts a 2 MiB page", addr,
			     next);
			*pmd = 0;
			continue;
		}
		unmap_pte_range(pmd, addr, next);
	} while (addr = next, addr != end);
}

static void unmap_pud_range(pgd_t *pgd, unsigned long addr, unsigned long end)
{
	pud_t *table = entry_table(*pgd);
	unsigned long next;

	do {
		pud_t *pud = &table[pud_index(addr)];

		next = level_end(addr, end, PUD_SIZE);
		if (!entry_present(*pud))
			continue;
		if (entry_leaf(*pud)) {
			/* cut or not, the leaf goes: else it maps memory freed after */
			WARN(next - addr != PUD_SIZE, "vunmap: [%#lx-%#lx) cuts a 1 GiB page", addr,
			     next);
			*pud = 0;
			continue;
		}
		unmap_pmd_range(pud, addr, next);
	} while (addr = next, addr != end);
}

void vunmap_range_noflush(unsigned long addr, unsigned long end)
{
	unsigned long next;

	if (WARN(!PAGE_ALIGNED(addr) || !PAGE_ALIGNED(end) || end < addr,
		 "vunmap: bad range [%#lx-%#lx)", addr, end))
		return;
	if (addr == end)
		return;
	do {
		pgd_t *pgd = &init_pgd[pgd_index(addr)];

		next = level_end(addr, end, PGDIR_SIZE);
		if (entry_present(*pgd))
			unmap_pud_range(pgd, addr, next);
	} while (addr = next, addr != end);
}

void vunmap_range(unsigned long addr, unsigned long end)
{
	vunmap_range_noflush(addr, end);
	flush_tlb_kernel_range(addr, end);
}

u64 *pt_walk(unsigned long addr, enum pt_level level, enum pt_level *stopped)
{
	enum pt_level at = PT_PGD;
	u64 *entry = &init_pgd[pt_index(addr, at)];

	while (at < level && entry_present(*entry) && !pt_entry_leaf(*entry, at)) {
		entry = (u64 *)entry_table(*entry) + pt_index(addr, at + 1);
		at++;
	}
	*stopped = at;
	return entry;
}

pte_t *lookup_address(unsigned long addr, enum pg_level *level)
{
	enum pt_level at;
	u64 *entry = pt_walk(addr, PT_PTE, &at);

	*level = pt_pg_level(at);
	return entry_present(*entry) ? entry : NULL;
}
