/*
 * The permission API: set_memory_ro/rw/nx/x/rox() change the RW and NX bits
 * of the 4 KiB ptes of a range inside one vm area, and the RW bit of the
 * direct-map alias of each RAM page in it, then flush the TLB (Linux's
 * change_page_attr, for the part of it we need).
 *
 * What it accepts:
 *
 *	vm area [addr ......................... addr + size)[guard]
 *	        |<-- the range: mapped 4 KiB ptes -->|
 *
 *  - the range must lie in the mapped pages of one busy vm area (vmalloc,
 *    vmap, ioremap, module), each page mapped by a 4 KiB pte (vmalloc_huge's
 *    2 MiB leaves are refused);
 *  - a direct-map address itself is refused: the direct map is everybody's,
 *    and only its aliases of vm-area pages change, as below.
 *
 * Aliases. Every page of RAM is also mapped at __va(phys), RW and NX. A
 * module's text made read-only would still be writable through that alias,
 * so set_memory_ro/rox clear RW on the alias too, set_memory_rw sets it
 * again, and the unmap of a VM_FLUSH_RESET_PERMS area gives every alias its
 * RW back before the pages go back (set_memory_reset_aliases()). NX is never
 * cleared on an alias: code runs only at its vm-area address.
 *
 *	vm area	 text page  RO X  ---.
 *	                              >-- same frame
 *	__va()	 alias      RO NX ---'    (RW again once the area is unmapped)
 *
 * An alias inside a 2 MiB or 1 GiB leaf first gets that leaf split into a
 * table of the next size with the same rights (Linux's split_large_page).
 * A split changes no translation, so it stays even when the call then
 * fails. The frames of the kernel image are left alone: their aliases
 * follow the image's own W^X from boot (arch/x86/mm/init.c).
 *
 * A call checks the whole range first and changes nothing when it refuses
 * (or cannot get a table for a split: -ENOMEM); then it rewrites the ptes
 * and flushes before returning, so no stale translation with the old
 * rights survives the call, and marks the area VM_FLUSH_RESET_PERMS, so
 * none with the new rights survives its free.
 */
#include "asm/set_memory.h"

#include "asm/page.h"
#include "asm/pgtable.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "mm/memlayout.h"
#include "mm/page.h"
#include "mm/vmalloc.h"
#include "arch/x86/mm/mm_internal.h"

extern char _text[], _end[];

/* One change: the range, the bits to set and clear, the caller's name for messages. */
struct cpa_data {
	const char *op;
	unsigned long start, end;
	pgprot_t set, clear;
};

static bool cpa_in_direct_map(const struct cpa_data *cpa)
{
	return cpa->start < PAGE_OFFSET + direct_map_size && cpa->end > PAGE_OFFSET;
}

/* The range must be the mapped part of one busy vm area: NULL, saying why not. */
static struct vm_struct *cpa_check_area(const struct cpa_data *cpa)
{
	struct vm_struct *area = find_vm_area((void *)cpa->start);
	unsigned long area_start, area_end;

	if (!area) {
		pr_err("%s: [%#lx-%#lx) is in no vmalloc or module area; refusing\n", cpa->op,
		       cpa->start, cpa->end);
		return NULL;
	}
	area_start = (unsigned long)area->addr;
	area_end = area_start + get_vm_area_size(area);
	if (cpa->end > area_end) {
		pr_err("%s: [%#lx-%#lx) runs past the mapped pages of the vm area [%#lx-%#lx) "
		       "(caller %pS); refusing\n",
		       cpa->op, cpa->start, cpa->end, area_start, area_end, area->caller);
		return NULL;
	}
	return area;
}

/* Every page of the range must be mapped by a 4 KiB pte. */
static int cpa_check_ptes(const struct cpa_data *cpa)
{
	for (unsigned long va = cpa->start; va < cpa->end; va += PAGE_SIZE) {
		enum pg_level level;
		pte_t *pte = lookup_address(va, &level);

		if (!pte || level != PG_LEVEL_4K) {
			pr_err("%s: %#lx in [%#lx-%#lx) is %s; refusing\n", cpa->op, va, cpa->start,
			       cpa->end, pte ? "mapped by a large page" : "not mapped");
			return -EINVAL;
		}
	}
	return 0;
}

/* The area the range lies in, or NULL with a message and nothing changed. */
static struct vm_struct *cpa_check(const struct cpa_data *cpa, unsigned long addr, int numpages)
{
	struct vm_struct *area;

	if (numpages < 0) {
		pr_err("%s: %d pages at %#lx: the count is negative; refusing\n", cpa->op, numpages,
		       addr);
		return NULL;
	}
	if (!PAGE_ALIGNED(addr)) {
		pr_err("%s: %#lx is not page aligned; refusing\n", cpa->op, addr);
		return NULL;
	}
	if (cpa->end <= cpa->start) {
		pr_err("%s: %d pages at %#lx run past the top of the address space; refusing\n",
		       cpa->op, numpages, addr);
		return NULL;
	}
	if (cpa_in_direct_map(cpa)) {
		pr_err("%s: [%#lx-%#lx) is in the direct map, which is not a vm area; refusing\n",
		       cpa->op, cpa->start, cpa->end);
		return NULL;
	}
	area = cpa_check_area(cpa);
	if (!area || cpa_check_ptes(cpa))
		return NULL;
	return area;
}

/* Serialises the read-modify-write of ptes and the splits (Linux's cpa_lock). */
static DEFINE_SPINLOCK(cpa_lock);

/*
 * The direct-map address of the RAM frame the 4 KiB pte at @va maps, or 0:
 * not mapped by a 4 KiB pte, not RAM (ioremap), or a frame of the image.
 */
static unsigned long alias_of(unsigned long va)
{
	enum pg_level level;
	pte_t *pte = lookup_address(va, &level);
	phys_addr_t phys;

	if (!pte || level != PG_LEVEL_4K)
		return 0;
	phys = *pte & PTE_PFN_MASK;
	if (!pfn_valid(phys >> PAGE_SHIFT))
		return 0;
	if (phys >= __pa_symbol(_text) && phys < __pa_symbol(_end))
		return 0;
	return (unsigned long)__va(phys);
}

/*
 * Fill @table with the 512 entries of the next size down that map what the
 * leaf @entry of @level (PG_LEVEL_2M or 1G) maps, with its rights; then
 * make @entry point at it. A 2 MiB leaf's PAT bit moves from bit 12 to 7.
 */
static void split_leaf(u64 *entry, enum pg_level level, u64 *table)
{
	u64 e = *entry, pat = e & _PAGE_PAT_LARGE;
	unsigned long size = level == PG_LEVEL_1G ? PUD_SIZE : PMD_SIZE;
	unsigned long step = size / 512;
	u64 base = e & PTE_PFN_MASK & ~(u64)(size - 1);
	u64 prot = e & ~PTE_PFN_MASK;

	if (level == PG_LEVEL_2M) /* 4 KiB ptes: no PSE, PAT at bit 7 */
		prot = (prot & ~_PAGE_PSE) | (pat ? _PAGE_PAT : 0);
	else /* 2 MiB leaves keep PSE and PAT at bit 12 */
		prot |= pat;
	for (unsigned int i = 0; i < 512; i++)
		table[i] = (base + i * step) | prot;
	WRITE_ONCE(*entry, pgtable_pa(table) | _KERNPG_TABLE);
	direct_pages_count[level]--;
	direct_pages_count[level - 1] += 512;
}

/*
 * Make the direct map hold @alias in a 4 KiB pte, splitting the leaves
 * above it: 0, or -ENOMEM with nothing changed but the splits done so far
 * (each keeps every translation). The table is taken before the lock.
 * *@split is set when a leaf was split.
 */
static int alias_make_4k(unsigned long alias, bool *split)
{
	for (;;) {
		enum pg_level level;
		u64 *table;
		pte_t *pte = lookup_address(alias, &level);

		if (!pte || level == PG_LEVEL_4K)
			return 0;
		table = pgtable_alloc();
		if (!table)
			return -ENOMEM;
		spin_lock(&cpa_lock);
		pte = lookup_address(alias, &level);
		if (pte && level != PG_LEVEL_4K) { /* nobody split it meanwhile */
			split_leaf(pte, level, table);
			table = NULL;
			*split = true;
		}
		spin_unlock(&cpa_lock);
		if (table)
			pgtable_free_unused(table);
	}
}

/* Split every large direct-map leaf over an alias of [start, end): 0 or -ENOMEM. */
static int cpa_split_aliases(const struct cpa_data *cpa)
{
	bool split = false;
	int err = 0;

	for (unsigned long va = cpa->start; va < cpa->end && !err; va += PAGE_SIZE) {
		unsigned long alias = alias_of(va);

		if (alias)
			err = alias_make_4k(alias, &split);
	}
	/* As Linux does: no TLB may mix the old large and the new small entries. */
	if (split)
		flush_tlb_all();
	if (err)
		pr_err("%s: no memory for a page table to split the direct map over the aliases "
		       "of [%#lx-%#lx); nothing changed\n",
		       cpa->op, cpa->start, cpa->end);
	return err;
}

/*
 * Under cpa_lock: apply @set/@clear's RW bit to the alias of @va; whether
 * one changed. With @split, cpa_split_aliases() made the alias 4 KiB;
 * without (the reset at unmap), an alias still in a large page was never
 * changed (only 4 KiB aliases are ever made read-only) and is left alone.
 */
static bool alias_set_rw_locked(unsigned long va, pgprot_t set, pgprot_t clear, bool split)
{
	unsigned long alias = alias_of(va);
	enum pg_level level;
	pte_t *pte;
	u64 old;

	if (!alias)
		return false;
	pte = lookup_address(alias, &level);
	if (!split && pte && level != PG_LEVEL_4K)
		return false;
	if (WARN(!pte || level != PG_LEVEL_4K, "set_memory: alias %#lx of %#lx is not a 4 KiB page",
		 alias, va))
		return false;
	old = *pte;
	*pte = (old & ~(clear & _PAGE_RW)) | (set & _PAGE_RW);
	return *pte != old;
}

static int change_page_attr(const char *op, unsigned long addr, int numpages, pgprot_t set,
			    pgprot_t clear)
{
	struct cpa_data cpa = { op, addr, addr + ((unsigned long)numpages << PAGE_SHIFT), set,
				clear };
	bool aliases = (set | clear) & _PAGE_RW, changed = false;
	struct vm_struct *area;
	enum pg_level level;
	int err = 0;

	if (!numpages)
		return 0;
	area = cpa_check(&cpa, addr, numpages);
	if (!area)
		return -EINVAL;
	if (aliases && cpa_split_aliases(&cpa))
		return -ENOMEM;
	/*
	 * Changed rights must not outlive the area: its vfree() or vunmap()
	 * then flushes at once and gives the aliases back their RW.
	 */
	set_vm_flush_reset_perms(area->addr);
	spin_lock(&cpa_lock); /* two CPUs changing one pte would lose a change */
	for (unsigned long va = cpa.start; va < cpa.end; va += PAGE_SIZE) {
		pte_t *pte = lookup_address(va, &level);

		if (WARN(!pte || level != PG_LEVEL_4K, "%s: %#lx lost its mapping meanwhile", op,
			 va)) {
			err = -EFAULT; /* the caller freed the area under us */
			break;
		}
		*pte = (*pte & ~clear) | set;
		if (aliases)
			changed |= alias_set_rw_locked(va, set, clear, true);
	}
	spin_unlock(&cpa_lock);
	/* Every CPU, outside the lock; aliases are scattered, so all of it. */
	if (changed)
		flush_tlb_all();
	else
		flush_tlb_kernel_range(cpa.start, cpa.end);
	return err;
}

/*
 * Before the unmap of a VM_FLUSH_RESET_PERMS area: first make its
 * executable ptes NX and flush, so that no CPU can still run code from a
 * frame once it is writable again; then give each alias its RW back.
 */
void set_memory_reset_aliases(unsigned long start, unsigned long end)
{
	bool exec = false, changed = false;
	enum pg_level level;

	spin_lock(&cpa_lock);
	for (unsigned long va = start; va < end; va += PAGE_SIZE) {
		pte_t *pte = lookup_address(va, &level);

		if (pte && level == PG_LEVEL_4K && !(*pte & _PAGE_NX)) {
			*pte |= _PAGE_NX;
			exec = true;
		}
	}
	spin_unlock(&cpa_lock);
	if (exec)
		flush_tlb_kernel_range(start, end);
	spin_lock(&cpa_lock);
	for (unsigned long va = start; va < end; va += PAGE_SIZE)
		changed |= alias_set_rw_locked(va, _PAGE_RW, 0, false);
	spin_unlock(&cpa_lock);
	if (changed)
		flush_tlb_all();
}

int set_memory_ro(unsigned long addr, int numpages)
{
	return change_page_attr("set_memory_ro", addr, numpages, 0, _PAGE_RW);
}

int set_memory_rw(unsigned long addr, int numpages)
{
	return change_page_attr("set_memory_rw", addr, numpages, _PAGE_RW, 0);
}

int set_memory_nx(unsigned long addr, int numpages)
{
	return change_page_attr("set_memory_nx", addr, numpages, _PAGE_NX, 0);
}

int set_memory_x(unsigned long addr, int numpages)
{
	return change_page_attr("set_memory_x", addr, numpages, 0, _PAGE_NX);
}

int set_memory_rox(unsigned long addr, int numpages)
{
	return change_page_attr("set_memory_rox", addr, numpages, 0, _PAGE_RW | _PAGE_NX);
}
