/*
 * Memory-type tracking of mapped physical ranges, after the idea of Linux's
 * PAT memtype code (reserve/free of {start, end, type}): two live mappings
 * of one physical byte must not disagree on its cache mode, since x86
 * leaves mixed aliases (uncached against write-combining or write-back)
 * undefined. Every ioremap(), and the VGA screen's early mapping, reserves
 * its range with the mode its PTEs select before mapping it; iounmap(),
 * remove_vm_area() and free_vm_area() free it.
 *
 * Invariants:
 *  - no two entries that overlap have different types;
 *  - no two entries cover exactly the same range: a second reservation of
 *    a range takes a reference on the first (refs >= 1 for every entry);
 *  - the list is sorted by start, so a scan stops at the first entry that
 *    starts at or after the end of the range asked about.
 * Few devices are mapped at a time, so one list keeps the code small.
 *
 * Locks:
 *	[M] memtype_lock	the list and every entry on it
 */
#include "asm/memtype.h"

#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/list.h"
#include "mm/slab.h"

struct memtype_entry {
	struct list_head list; /* [M] memtype_list, by start */
	phys_addr_t start;     /* [M] first byte */
	phys_addr_t end;       /* [M] exclusive */
	enum memtype type;     /* [M] */
	unsigned int refs;     /* [M] reservations of exactly [start, end) */
};

static DEFINE_SPINLOCK(memtype_lock);
static LIST_HEAD(memtype_list);	    /* [M] */
static unsigned long memtype_count; /* [M] entries on memtype_list */

static const char *const memtype_names[NR_MEMTYPES] = {
	[MEMTYPE_WB] = "write-back",
	[MEMTYPE_WC] = "write-combining",
	[MEMTYPE_UC_MINUS] = "uncached-minus",
	[MEMTYPE_UC] = "uncached",
};

enum memtype memtype_of_prot(pgprot_t prot)
{
	/* PAT index: PWT is bit 0, PCD bit 1, PAT bit 2; entries 4-7 repeat 0-3. */
	unsigned int idx = (prot & _PAGE_PWT ? 1 : 0) | (prot & _PAGE_PCD ? 2 : 0);

	return (enum memtype)idx;
}

const char *memtype_name(enum memtype type)
{
	return (unsigned int)type < NR_MEMTYPES ? memtype_names[type] : "unknown";
}

/* The first entry overlapping [start, end) of another type than @type, or NULL. */
static struct memtype_entry *memtype_conflict_locked(phys_addr_t start, phys_addr_t end,
						     enum memtype type)
{
	struct memtype_entry *e;

	assert_held(&memtype_lock);
	list_for_each_entry(e, &memtype_list, list) {
		if (e->start >= end)
			break;
		if (e->end > start && e->type != type)
			return e;
	}
	return NULL;
}

/* The entry of exactly [start, end), or NULL. */
static struct memtype_entry *memtype_find_locked(phys_addr_t start, phys_addr_t end)
{
	struct memtype_entry *e;

	assert_held(&memtype_lock);
	list_for_each_entry(e, &memtype_list, list) {
		if (e->start > start)
			break;
		if (e->start == start && e->end == end)
			return e;
	}
	return NULL;
}

/* Put @new on the list before the first entry that starts after it. */
static void memtype_insert_locked(struct memtype_entry *new)
{
	struct memtype_entry *e;

	assert_held(&memtype_lock);
	list_for_each_entry(e, &memtype_list, list)
		if (e->start > new->start)
			break;
	list_add_tail(&new->list, &e->list);
	memtype_count++;
}

/* Take a reference on [start, end) or add @new for it; -EBUSY on a conflict. */
static int memtype_reserve_locked(struct memtype_entry *new, const char *op, const void *caller)
{
	struct memtype_entry *e;

	e = memtype_conflict_locked(new->start, new->end, new->type);
	if (e) {
		pr_err("%s: phys %#llx-%#llx %s conflicts with phys %#llx-%#llx %s (caller %pS)\n",
		       op, (unsigned long long)new->start, (unsigned long long)new->end - 1,
		       memtype_name(new->type), (unsigned long long)e->start,
		       (unsigned long long)e->end - 1, memtype_name(e->type), caller);
		return -EBUSY;
	}
	e = memtype_find_locked(new->start, new->end);
	if (e) {
		e->refs++;
		return 0;
	}
	memtype_insert_locked(new);
	return 1; /* @new is on the list now */
}

int memtype_reserve(phys_addr_t start, phys_addr_t end, enum memtype type, const char *op,
		    const void *caller)
{
	struct memtype_entry *new;
	int ret;

	if (end <= start || (unsigned int)type >= NR_MEMTYPES) {
		pr_err("%s: bad memtype reservation phys %#llx-%#llx type %d (caller %pS)\n", op,
		       (unsigned long long)start, (unsigned long long)end, type, caller);
		return -EINVAL;
	}
	new = kmalloc(sizeof(*new), GFP_KERNEL | __GFP_NOWARN);
	if (!new) {
		pr_err("%s: no memory to track the memory type of phys %#llx-%#llx (caller %pS)\n",
		       op, (unsigned long long)start, (unsigned long long)end - 1, caller);
		return -ENOMEM;
	}
	*new = (struct memtype_entry){ .start = start, .end = end, .type = type, .refs = 1 };
	spin_lock(&memtype_lock);
	ret = memtype_reserve_locked(new, op, caller);
	spin_unlock(&memtype_lock);
	if (ret == 1)
		return 0;
	kfree(new);
	return ret;
}

int memtype_free(phys_addr_t start, phys_addr_t end)
{
	struct memtype_entry *e, *gone = NULL;

	spin_lock(&memtype_lock);
	e = memtype_find_locked(start, end);
	if (e && --e->refs == 0) {
		list_del(&e->list);
		memtype_count--;
		gone = e;
	}
	spin_unlock(&memtype_lock);
	if (!e) {
		pr_err("memtype_free: phys %#llx-%#llx was not reserved\n",
		       (unsigned long long)start, (unsigned long long)end - 1);
		return -EINVAL;
	}
	kfree(gone);
	return 0;
}

unsigned int memtype_refs(phys_addr_t start, phys_addr_t end)
{
	struct memtype_entry *e;
	unsigned int refs;

	spin_lock(&memtype_lock);
	e = memtype_find_locked(start, end);
	refs = e ? e->refs : 0;
	spin_unlock(&memtype_lock);
	return refs;
}

unsigned long memtype_nr_entries(void)
{
	unsigned long n;

	spin_lock(&memtype_lock);
	n = memtype_count;
	spin_unlock(&memtype_lock);
	return n;
}
