/*
 * The permission API: set_memory_ro/rw/nx/x/rox() change the RW and NX bits
 * of the 4 KiB ptes of a range inside one vm area, then flush the TLB for
 * it (Linux's change_page_attr, for the part of it we can do today).
 *
 * What it accepts, and why so little:
 *
 *	vm area [addr ......................... addr + size)[guard]
 *	        |<-- the range: mapped 4 KiB ptes -->|
 *
 *  - the range must lie in the mapped pages of one busy vm area (vmalloc,
 *    vmap, ioremap, module): those are mapped with 4 KiB ptes, so a change
 *    never has to split a large page;
 *  - the direct map is refused: it is built from 1 GiB and 2 MiB pages, and
 *    changing part of one needs a split we do not have yet. So the aliases
 *    of vmalloc pages keep their RW+NX direct mapping; the kernel image's
 *    own aliases are made read-only at boot instead (arch/x86/mm/init.c).
 *
 * A call checks the whole range first and changes nothing when it refuses;
 * then it rewrites the ptes and flushes before returning, so no stale
 * translation with the old rights survives the call, and marks the area
 * VM_FLUSH_RESET_PERMS, so none with the new rights survives its free.
 */
#include "asm/set_memory.h"

#include "asm/page.h"
#include "asm/pgtable.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "mm/memlayout.h"
#include "mm/vmalloc.h"

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
		pr_err("%s: [%#lx-%#lx) is in the direct map, whose large pages cannot be split "
		       "yet; refusing\n",
		       cpa->op, cpa->start, cpa->end);
		return NULL;
	}
	area = cpa_check_area(cpa);
	if (!area || cpa_check_ptes(cpa))
		return NULL;
	return area;
}

/* Serialises the read-modify-write of ptes (Linux's cpa_lock). */
static DEFINE_SPINLOCK(cpa_lock);

static int change_page_attr(const char *op, unsigned long addr, int numpages, pgprot_t set,
			    pgprot_t clear)
{
	struct cpa_data cpa = { op, addr, addr + ((unsigned long)numpages << PAGE_SHIFT), set,
				clear };
	struct vm_struct *area;
	enum pg_level level;
	int err = 0;

	if (!numpages)
		return 0;
	area = cpa_check(&cpa, addr, numpages);
	if (!area)
		return -EINVAL;
	/*
	 * Changed rights must not outlive the area: its vfree() or vunmap()
	 * then flushes at once instead of leaving it to the lazy purge.
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
	}
	spin_unlock(&cpa_lock);
	flush_tlb_kernel_range(cpa.start, cpa.end); /* every CPU, outside the lock */
	return err;
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
