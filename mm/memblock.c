/*
 * memblock: the boot-time physical memory manager.
 *
 * Two arrays of regions describe physical memory until the buddy exists:
 * "memory" (usable RAM from the multiboot2 map) and "reserved" (what must not
 * be handed out: the low 1 MiB, the kernel image, the boot information,
 * modules, and memblock's own allocations). Free memory is memory minus
 * reserved. Invariants of both arrays, checked by the host tests:
 *
 *  - regions are sorted by base, non-empty, and never overlap or touch: an
 *    add that overlaps or abuts existing regions merges with them;
 *  - every end (base + size) is at most MEMBLOCK_PHYS_LIMIT.
 *
 *   memory    [=========]     [===================]
 *   reserved    [==]                [==]   [=]
 *   free      [=]    [==]     [=====]    [=]   [==]
 *
 * memblock_phys_alloc() takes the highest fitting free range below
 * current_limit (top-down, so that low memory stays for who needs it) and
 * records the allocation in reserved. memblock_free_all() hands the free
 * ranges to the buddy, whole pages only, and from then on memblock refuses
 * to change.
 *
 * Locking: [B] boot only. memblock runs single-threaded before the buddy
 * exists and is read-only afterwards, so it has no lock.
 */
#include "asm/page.h"
#include "kernel/errno.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/memblock.h"
#include "mm/page_alloc.h"

#define LOCAL_TRACE 0

/* x86-64 physical addresses have at most 52 bits. */
#define MEMBLOCK_PHYS_LIMIT (1ULL << 52)
#define LOW_MEMORY_END	    0x100000ULL

extern char _text[], _end[];

/* [B] Allocations start below 4 GiB: only that much is mapped early. */
struct memblock memblock = {
	.current_limit = 4ULL << 30,
	.memory = { .cnt = 0, .name = "memory" },
	.reserved = { .cnt = 0, .name = "reserved" },
};

/* [B] Set by memblock_setup(): the AP trampoline's low pages, 0 if none. */
phys_addr_t memblock_trampoline_phys;

/* [B] Filled in by memblock_free_all(). */
struct memblock_handover memblock_handover;

static inline phys_addr_t region_end(const struct memblock_region *r)
{
	return r->base + r->size;
}

/* Refuse a range that is empty, wraps or runs past the physical limit. */
static int memblock_check_range(const char *op, phys_addr_t base, phys_addr_t size)
{
	if (memblock_handover.done) {
		WARN(1, "%s: [%#lx+%#lx] after memblock_free_all()", op, base, size);
		return -EBUSY;
	}
	if (size == 0) {
		pr_err("%s: refused empty range at %#lx\n", op, base);
		return -EINVAL;
	}
	if (base + size < base || base + size > MEMBLOCK_PHYS_LIMIT) {
		pr_err("%s: refused [%#lx+%#lx]: overflows the physical address space\n", op, base,
		       size);
		return -EINVAL;
	}
	return 0;
}

/*
 * Insert [base, end) into @type, merging with every region it overlaps or
 * touches. Regions i..j-1 are those touching the new range:
 *
 *   before   [i]   [i+1]      [j]
 *   new         [=======]
 *   after    [=============]  [j -> i+1]
 */
static int memblock_add_range(struct memblock_type *type, phys_addr_t base, phys_addr_t size)
{
	struct memblock_region *r = type->regions;
	phys_addr_t end = base + size;
	unsigned long i, j, k;

	for (i = 0; i < type->cnt && region_end(&r[i]) < base; i++)
		;
	for (j = i; j < type->cnt && r[j].base <= end; j++)
		;
	if (i == j) {
		if (type->cnt == MEMBLOCK_MAX_REGIONS) {
			pr_err("memblock: %s array full (%d regions), [%#lx-%#lx] dropped\n",
			       type->name, MEMBLOCK_MAX_REGIONS, base, end - 1);
			return -ENOSPC;
		}
		for (k = type->cnt; k > i; k--)
			r[k] = r[k - 1];
		r[i].base = base;
		r[i].size = size;
		type->cnt++;
		return 0;
	}
	base = min(base, r[i].base);
	end = max(end, region_end(&r[j - 1]));
	r[i].base = base;
	r[i].size = end - base;
	for (k = j; k < type->cnt; k++)
		r[i + 1 + k - j] = r[k];
	type->cnt -= j - i - 1;
	return 0;
}

/*
 * memblock_add - add [base, base+size) to usable memory.
 * => Boot only, before memblock_free_all().
 * => Overlapping or adjacent regions merge; the refusal cases are printed.
 */
int memblock_add(phys_addr_t base, phys_addr_t size)
{
	int err = memblock_check_range("memblock_add", base, size);

	if (err)
		return err;
	ltrace("[%#lx-%#lx)\n", base, base + size);
	return memblock_add_range(&memblock.memory, base, size);
}

/*
 * memblock_reserve - mark [base, base+size) as not to be handed out.
 * => Boot only, before memblock_free_all(). The range need not be memory.
 */
int memblock_reserve(phys_addr_t base, phys_addr_t size)
{
	int err = memblock_check_range("memblock_reserve", base, size);

	if (err)
		return err;
	ltrace("[%#lx-%#lx)\n", base, base + size);
	return memblock_add_range(&memblock.reserved, base, size);
}

/* Index of the region of @type containing @addr, or -1 (binary search). */
static long memblock_search(const struct memblock_type *type, phys_addr_t addr)
{
	unsigned long lo = 0, hi = type->cnt;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		const struct memblock_region *r = &type->regions[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr >= region_end(r))
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

/*
 * memblock_phys_free - give back [base, base+size) from the reserved array.
 * => The whole range must be reserved (it lies in one region, since
 *    touching regions are merged); anything else is refused with -EINVAL.
 * => Freeing from the middle of a region splits it and needs a free slot.
 */
int memblock_phys_free(phys_addr_t base, phys_addr_t size)
{
	struct memblock_type *type = &memblock.reserved;
	struct memblock_region *r;
	phys_addr_t end = base + size;
	int err = memblock_check_range("memblock_phys_free", base, size);
	long i;

	if (err)
		return err;
	i = memblock_search(type, base);
	if (i < 0 || end > region_end(&type->regions[i])) {
		pr_err("memblock_phys_free: [%#lx-%#lx] is not reserved\n", base, end - 1);
		return -EINVAL;
	}
	r = &type->regions[i];
	if (base > r->base && end < region_end(r)) {
		if (type->cnt == MEMBLOCK_MAX_REGIONS) {
			pr_err("memblock_phys_free: reserved array full, cannot split at %#lx\n",
			       base);
			return -ENOSPC;
		}
		phys_addr_t r_end = region_end(r);

		r->size = base - r->base;
		return memblock_add_range(type, end, r_end - end);
	}
	if (base == r->base && end == region_end(r)) {
		for (unsigned long k = (unsigned long)i; k + 1 < type->cnt; k++)
			type->regions[k] = type->regions[k + 1];
		type->cnt--;
	} else if (base == r->base) {
		r->base = end;
		r->size -= size;
	} else {
		r->size -= size;
	}
	return 0;
}

/*
 * memblock_next_free - the next free range (memory minus reserved), lowest
 * first. *@idx starts at 0 and encodes where to go on: memory region in the
 * high half, reserved gap in the low half. Gap g lies between reserved
 * region g-1 and region g (gap 0 starts at 0, the last gap runs to the end).
 */
bool memblock_next_free(u64 *idx, phys_addr_t *start, phys_addr_t *end)
{
	const struct memblock_type *mem = &memblock.memory, *rsv = &memblock.reserved;
	unsigned long mi = *idx >> 32, ri = *idx & 0xffffffffu;

	for (; mi < mem->cnt; mi++) {
		phys_addr_t m_base = mem->regions[mi].base, m_end = region_end(&mem->regions[mi]);

		for (; ri <= rsv->cnt; ri++) {
			phys_addr_t g_base = ri ? region_end(&rsv->regions[ri - 1]) : 0;
			phys_addr_t g_end = ri < rsv->cnt ? rsv->regions[ri].base
							  : MEMBLOCK_PHYS_LIMIT;

			if (g_base >= m_end)
				break; /* this gap starts beyond the region: next region */
			if (g_end <= m_base)
				continue;
			*start = max(m_base, g_base);
			*end = min(m_end, g_end);
			if (m_end <= g_end)
				*idx = ((u64)(mi + 1) << 32) | ri;
			else
				*idx = ((u64)mi << 32) | (ri + 1);
			return true;
		}
	}
	*idx = (u64)mem->cnt << 32;
	return false;
}

/*
 * memblock_phys_alloc - allocate @size bytes aligned to @align (a power of
 * two), from the highest free range that fits below current_limit.
 * => Boot only: after memblock_free_all() it warns and fails.
 * => The range is recorded as reserved. Returns its physical address, or 0
 *    on failure (no fit, bad arguments, reserved array full), with a message.
 */
phys_addr_t memblock_phys_alloc(phys_addr_t size, phys_addr_t align)
{
	phys_addr_t start, end, found = 0;

	if (WARN(memblock_handover.done,
		 "memblock_phys_alloc: %#lx bytes after memblock_free_all()", size))
		return 0;
	if (size == 0 || !is_power_of_2(align) || size > MEMBLOCK_PHYS_LIMIT) {
		pr_err("memblock_phys_alloc: refused size %#lx align %#lx\n", size, align);
		return 0;
	}
	for_each_free_mem_range(i, &start, &end)
	{
		phys_addr_t cand;

		end = min(end, memblock.current_limit);
		if (end < size)
			continue;
		cand = ALIGN_DOWN(end - size, align);
		if (cand >= start && cand != 0)
			found = cand;
	}
	if (!found) {
		pr_err("memblock_phys_alloc: no free range for %#lx bytes aligned %#lx below %#lx\n",
		       size, align, memblock.current_limit);
		return 0;
	}
	if (memblock_reserve(found, size))
		return 0;
	ltrace("%#lx bytes at %#lx\n", size, found);
	return found;
}

void memblock_set_current_limit(phys_addr_t limit)
{
	memblock.current_limit = limit;
}

phys_addr_t memblock_start_of_DRAM(void)
{
	return memblock.memory.cnt ? memblock.memory.regions[0].base : 0;
}

phys_addr_t memblock_end_of_DRAM(void)
{
	const struct memblock_type *mem = &memblock.memory;

	return mem->cnt ? region_end(&mem->regions[mem->cnt - 1]) : 0;
}

static phys_addr_t memblock_type_size(const struct memblock_type *type)
{
	phys_addr_t total = 0;

	for (unsigned long i = 0; i < type->cnt; i++)
		total += type->regions[i].size;
	return total;
}

phys_addr_t memblock_phys_mem_size(void)
{
	return memblock_type_size(&memblock.memory);
}

phys_addr_t memblock_reserved_size(void)
{
	return memblock_type_size(&memblock.reserved);
}

bool memblock_is_memory(phys_addr_t addr)
{
	return memblock_search(&memblock.memory, addr) >= 0;
}

bool memblock_is_reserved(phys_addr_t addr)
{
	return memblock_search(&memblock.reserved, addr) >= 0;
}

/* Add one usable map entry, page-aligned inwards. */
static void memblock_setup_usable(const struct boot_mmap_entry *e)
{
	phys_addr_t start = PAGE_ALIGN(e->addr);
	phys_addr_t end = e->addr + e->len < e->addr ? ~0ULL : e->addr + e->len;

	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (start < e->addr || end <= start) {
		pr_info("memblock: usable [mem %#018lx-%#018lx] holds no whole page, ignored\n",
			e->addr, e->addr + e->len - 1);
		return;
	}
	memblock_add(start, end - start);
}

/*
 * Set aside MEMBLOCK_TRAMPOLINE_PAGES of usable RAM below 1 MiB (never page
 * 0, the real-mode interrupt table) for the APs' real-mode start-up code,
 * before the whole low 1 MiB is reserved: the highest free fit, so that the
 * pages are neither firmware's (not usable in the map) nor the image's, the
 * boot information's or a module's (reserved just before).
 */
static void memblock_reserve_trampoline(void)
{
	phys_addr_t size = MEMBLOCK_TRAMPOLINE_PAGES * PAGE_SIZE;
	phys_addr_t limit = memblock.current_limit;

	memblock.current_limit = LOW_MEMORY_END;
	memblock_trampoline_phys = memblock_phys_alloc(size, PAGE_SIZE);
	memblock.current_limit = limit;
	if (!memblock_trampoline_phys)
		pr_warn("memblock: no %lu KiB of usable RAM below 1 MiB for the AP trampoline: "
			"one CPU only\n",
			(unsigned long)(size >> 10));
}

/*
 * memblock_setup - build memory and reserved from the boot information.
 * => Called once, at boot, before any memblock allocation.
 * => Empty or unusable items are reported and skipped; boot goes on.
 */
void memblock_setup(const struct boot_info *bi)
{
	phys_addr_t image_start = ALIGN_DOWN(__pa_symbol(_text), PAGE_SIZE);
	phys_addr_t image_end = PAGE_ALIGN(__pa_symbol(_end));

	for (unsigned int i = 0; i < bi->nr_mmap; i++)
		if (bi->mmap[i].type == MB2_MEMORY_AVAILABLE)
			memblock_setup_usable(&bi->mmap[i]);

	memblock_reserve(image_start, image_end - image_start);
	if (bi->mbi_size)
		memblock_reserve(bi->mbi_phys, bi->mbi_size);
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->end <= m->start) {
			pr_info("memblock: module %u \"%s\" [%#x-%#x) is empty, not reserved\n", i,
				m->name, m->start, m->end);
			continue;
		}
		memblock_reserve(m->start, m->end - m->start);
	}
	memblock_reserve_trampoline();
	memblock_reserve(0, LOW_MEMORY_END);
	pr_info("memblock: %lu MiB usable in %lu ranges, %lu KiB reserved\n",
		memblock_phys_mem_size() >> 20, memblock.memory.cnt,
		memblock_reserved_size() >> 10);
}

/* Whole pages of memory that some reservation touches, counted on their own. */
static unsigned long memblock_count_reserved_pages(void)
{
	const struct memblock_type *mem = &memblock.memory, *rsv = &memblock.reserved;
	unsigned long pages = 0;

	for (unsigned long mi = 0; mi < mem->cnt; mi++) {
		unsigned long m_start = PFN_UP(mem->regions[mi].base);
		unsigned long m_end = PFN_DOWN(region_end(&mem->regions[mi]));
		unsigned long counted_to = m_start;

		for (unsigned long ri = 0; ri < rsv->cnt; ri++) {
			unsigned long r_start = PFN_DOWN(rsv->regions[ri].base);
			unsigned long r_end = PFN_UP(region_end(&rsv->regions[ri]));

			r_start = max(r_start, counted_to);
			r_end = min(r_end, m_end);
			if (r_start < r_end) {
				pages += r_end - r_start;
				counted_to = r_end;
			}
		}
	}
	return pages;
}

static unsigned long memblock_count_memory_pages(void)
{
	unsigned long pages = 0;

	for (unsigned long i = 0; i < memblock.memory.cnt; i++) {
		const struct memblock_region *r = &memblock.memory.regions[i];

		if (PFN_DOWN(region_end(r)) > PFN_UP(r->base))
			pages += PFN_DOWN(region_end(r)) - PFN_UP(r->base);
	}
	return pages;
}

/*
 * memblock_free_all - hand every free range to the buddy, whole pages only
 * (a page partly reserved stays reserved).
 * => Called once, after the struct page array exists (every page of RAM is
 *    PG_reserved). Afterwards memblock refuses every change.
 * Return: the number of pages handed over.
 */
unsigned long memblock_free_all(void)
{
	struct memblock_handover *h = &memblock_handover;
	phys_addr_t start, end;

	if (WARN(h->done, "memblock_free_all: called twice"))
		return 0;
	h->memory_pages = memblock_count_memory_pages();
	h->reserved_pages = memblock_count_reserved_pages();
	for_each_free_mem_range(i, &start, &end)
	{
		unsigned long spfn = PFN_UP(start), epfn = PFN_DOWN(end);

		if (spfn >= epfn)
			continue;
		free_pages_range(spfn, epfn);
		h->freed_pages += epfn - spfn;
		h->nr_ranges++;
	}
	h->done = true;
	pr_info("memblock: %lu pages (%lu MiB) in %lu ranges to the buddy; %lu of %lu pages reserved\n",
		h->freed_pages, h->freed_pages >> (20 - PAGE_SHIFT), h->nr_ranges,
		h->reserved_pages, h->memory_pages);
	return h->freed_pages;
}

static void memblock_dump_type(const struct memblock_type *type)
{
	printk(" %s.cnt  = 0x%lx\n", type->name, type->cnt);
	for (unsigned long i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		printk(" %s[0x%lx]\t[0x%016lx-0x%016lx], 0x%016lx bytes\n", type->name, i, r->base,
		       region_end(r) - 1, r->size);
	}
}

/* Print both arrays in the format of Linux's memblock debug output. */
void memblock_dump(void)
{
	printk("MEMBLOCK configuration:\n");
	printk(" memory size = 0x%016lx reserved size = 0x%016lx\n", memblock_phys_mem_size(),
	       memblock_reserved_size());
	memblock_dump_type(&memblock.memory);
	memblock_dump_type(&memblock.reserved);
}
