/*
 * The boot-time layout dump, in the spirit of Linux's "Virtual kernel memory
 * layout:" (seed 003), driven by one table of regions (Linux's
 * address_markers) that the overlap check and the GDB helper share. The
 * table lists the guard hole after vmalloc as a region of its own, so the
 * dump, ptdump and the console name it.
 */
#include "asm/page.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "lib/vsprintf.h"
#include "mm/layout.h"
#include "mm/memblock.h"

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _edata[];
extern char __bss_start[], __bss_end[], _end[];

struct mem_region mem_regions[NR_MEM_REGIONS];
static bool layout_fixed; /* set by layout_init(): vmalloc= can no longer move VMALLOC_END */

void layout_init(void)
{
	layout_fixed = true;
	struct mem_region r[NR_MEM_REGIONS] = {
		[REGION_DIRECT_MAP] = { "direct map", PAGE_OFFSET, PAGE_OFFSET + direct_map_size },
		[REGION_VMALLOC] = { "vmalloc", VMALLOC_START, VMALLOC_END + 1 },
		[REGION_GUARD_HOLE] = { "guard hole", VMALLOC_END + 1, VMEMMAP_START },
		[REGION_VMEMMAP] = { "vmemmap", VMEMMAP_START, VMEMMAP_START + VMEMMAP_SIZE },
		[REGION_KERNEL] = { "kernel image", __START_KERNEL_map, MODULES_VADDR },
		[REGION_MODULES] = { "modules", MODULES_VADDR, MODULES_END },
		[REGION_FIXMAP] = { "fixmap", FIXADDR_START, FIXADDR_TOP },
	};

	for (int i = 0; i < NR_MEM_REGIONS; i++)
		mem_regions[i] = r[i];
}

/* Size in the largest unit that keeps it whole-ish: "64 TB", "512 MB", "20 kB". */
static void format_size(char *buf, size_t len, unsigned long bytes)
{
	static const char *const units[] = { "kB", "MB", "GB", "TB" };
	unsigned long v = bytes >> 10;
	int u = 0;

	while (u < 3 && v >= 10240) {
		v >>= 10;
		u++;
	}
	snprintf(buf, len, "%6lu %s", v, units[u]);
}

static void print_range(const char *name, unsigned long start, unsigned long end)
{
	char size[24];

	format_size(size, sizeof(size), end - start);
	pr_info("    %-13s: 0x%016lx - 0x%016lx   (%s)\n", name, start, end, size);
}

int layout_check(const struct mem_region *r, int n)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		if (r[i].end <= r[i].start) {
			pr_err("layout: region %s is empty or inverted [%#lx-%#lx)\n", r[i].name,
			       r[i].start, r[i].end);
			bad++;
		}
		for (int j = i + 1; j < n; j++) {
			if (r[i].start < r[j].end && r[j].start < r[i].end) {
				pr_err("layout: regions %s [%#lx-%#lx) and %s [%#lx-%#lx) overlap\n",
				       r[i].name, r[i].start, r[i].end, r[j].name, r[j].start,
				       r[j].end);
				bad++;
			}
		}
	}
	return bad ? -1 : 0;
}

int layout_check_guard_hole(unsigned long vmalloc_end, unsigned long vmemmap_start)
{
	if (vmemmap_start > vmalloc_end &&
	    vmemmap_start - vmalloc_end - 1 >= VMALLOC_GUARD_HOLE_MIN)
		return 0;
	pr_err("layout: vmalloc ends at %#lx and vmemmap starts at %#lx: no %lu MiB guard hole "
	       "between them\n",
	       vmalloc_end, vmemmap_start, VMALLOC_GUARD_HOLE_MIN >> 20);
	return -1;
}

/* format_size() without its padding, for messages. */
static const char *size_word(char *buf, size_t len, unsigned long bytes)
{
	format_size(buf, len, bytes);
	while (*buf == ' ')
		buf++;
	return buf;
}

/*
 * vmalloc_set_size - see include/mm/memlayout.h. The bound is the default
 * layout's: kernel_randomize_memory() fits the chosen size in its space or
 * says why not and keeps the default bases, where this size fits too.
 */
int vmalloc_set_size(unsigned long size)
{
	const unsigned long hole = VMEMMAP_START - VMALLOC_GUARD_HOLE_MIN;
	unsigned long last = size > ~0UL - VMALLOC_START ? ~0UL : VMALLOC_START + size - 1;
	char b1[24], b2[24];
	const char *keep = size_word(b1, sizeof(b1), vmalloc_range_size);
	const char *want = size_word(b2, sizeof(b2), size);

	if (size % PAGE_SIZE) {
		pr_err("vmalloc=%#lx: not a multiple of the page size; keeping %s\n", size, keep);
		return -EINVAL;
	}
	if (size < VMALLOC_SIZE_MIN) {
		pr_err("vmalloc=%#lx (%s): vmalloc region too small: vmalloc %#lx-%#lx cannot hold "
		       "the boot-time areas, %lu MiB at least; keeping %s\n",
		       size, want, VMALLOC_START, last, VMALLOC_SIZE_MIN >> 20, keep);
		return -EINVAL;
	}
	if (size > hole - VMALLOC_START) {
		pr_err("vmalloc=%#lx (%s): vmalloc region overlap: vmalloc %#lx-%#lx overlaps guard "
		       "hole %#lx-%#lx and vmemmap %#lx-%#lx; keeping %s\n",
		       size, want, VMALLOC_START, last, hole, VMEMMAP_START - 1, VMEMMAP_START,
		       VMEMMAP_START + VMEMMAP_SIZE - 1, keep);
		return -EINVAL;
	}
	if (layout_fixed && size != vmalloc_range_size) {
		pr_err("vmalloc=%#lx (%s): the layout is fixed once booted; keeping %s\n", size,
		       want, keep);
		return -EBUSY;
	}
	vmalloc_range_size = size;
	return 0;
}

void layout_dump(void)
{
	char size[24];

	pr_info("Virtual kernel memory layout:\n");
	for (int i = 0; i < NR_MEM_REGIONS; i++)
		print_range(mem_regions[i].name, mem_regions[i].start, mem_regions[i].end);
	print_range(".text", (unsigned long)_text, (unsigned long)_etext);
	print_range(".rodata", (unsigned long)_rodata, (unsigned long)_erodata);
	print_range(".data", (unsigned long)_data, (unsigned long)_edata);
	print_range(".bss", (unsigned long)__bss_start, (unsigned long)__bss_end);
	format_size(size, sizeof(size), memblock_phys_mem_size());
	pr_info("Memory: %s RAM, %lu kB reserved, %lu kB kernel image\n", size,
		(unsigned long)(memblock_reserved_size() >> 10),
		(unsigned long)((_end - _text) >> 10));
	if (layout_check(mem_regions, NR_MEM_REGIONS) |
	    layout_check_guard_hole(VMALLOC_END, VMEMMAP_START))
		pr_err("layout: the memory layout is inconsistent (see above)\n");
}
