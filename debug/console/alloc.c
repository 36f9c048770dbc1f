/*
 * Console commands that drive the allocators by hand: vmalloc, vzalloc,
 * vmap and ioremap make areas, vfree and iounmap give them back.
 *
 * Safety: every argument is parsed and range-checked before anything
 * changes. vfree/iounmap accept only areas this console made (con_areas[]):
 * freeing memory the kernel itself uses would be a use-after-free waiting
 * to happen.
 *
 * Locking: [C] console context only.
 */
#include "asm/page.h"
#include "asm/processor.h"
#include "asm/ptdump.h"
#include "debug/console/internal.h"
#include "kernel/errno.h"
#include "lib/string.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

#define CONSOLE_MAX_AREAS 64 /* areas the console made and may free */
#define IOREMAP_MAX_SIZE  (1UL << 30)
#define VMALLOC_MAX_ALIGN (1UL << 30)

enum con_area_kind {
	CON_AREA_NONE,
	CON_AREA_VMALLOC,
	CON_AREA_VMAP,
	CON_AREA_IOREMAP
};

struct con_area {
	enum con_area_kind kind;
	void *addr;	     /* what the allocator returned */
	struct page **pages; /* vmap: pages the console allocated */
	unsigned int nr_pages;
};

static struct con_area con_areas[CONSOLE_MAX_AREAS]; /* [C] */

static struct con_area *con_area_slot(const char *cmd)
{
	for (int i = 0; i < CONSOLE_MAX_AREAS; i++)
		if (con_areas[i].kind == CON_AREA_NONE)
			return &con_areas[i];
	con_printf("%s: the console already holds %d areas; free some first\n", cmd,
		   CONSOLE_MAX_AREAS);
	return NULL;
}

/* The console's record of the area that @area is, or NULL. */
static struct con_area *con_area_of(const struct vm_struct *area)
{
	for (int i = 0; i < CONSOLE_MAX_AREAS; i++) {
		struct con_area *ca = &con_areas[i];

		if (ca->kind != CON_AREA_NONE &&
		    ((unsigned long)ca->addr & PAGE_MASK) == (unsigned long)area->addr)
			return ca;
	}
	return NULL;
}

/* "16 pages at 0x..-0x.., guard page 0x..-0x.." for a fresh area. */
static void con_show_area(const char *cmd, const void *ret, const struct vm_struct *area)
{
	unsigned long start = (unsigned long)area->addr;
	unsigned long usable = get_vm_area_size(area);

	con_printf("%s: 0x%016lx: %lu page%s at 0x%016lx-0x%016lx", cmd, (unsigned long)ret,
		   usable >> PAGE_SHIFT, usable == PAGE_SIZE ? "" : "s", start, start + usable);
	if (area->flags & VM_NO_GUARD)
		con_puts(", no guard page\n");
	else
		con_printf(", guard page 0x%016lx-0x%016lx\n", start + usable, start + area->size);
}

/* ---------------------------------------------------------------------- */
/* Driving the allocators.                                                 */

static int con_vmalloc(const char *cmd, int argc, char **argv, gfp_t gfp)
{
	unsigned long size, align = 0, free = nr_free_pages();
	struct con_area *slot;
	void *p;

	if (con_parse(cmd, "SIZE", argv[1], CON_SIZE, &size))
		return -EINVAL;
	if (argc > 2 && con_parse(cmd, "ALIGN", argv[2], CON_SIZE, &align))
		return -EINVAL;
	if (!size || PAGE_ALIGN(size) < size || (PAGE_ALIGN(size) >> PAGE_SHIFT) > free) {
		con_printf("%s: SIZE %#lx is out of range (1 byte to the %lu kB free)\n", cmd, size,
			   free << (PAGE_SHIFT - 10));
		return -EINVAL;
	}
	if (argc > 2 && (!is_power_of_2(align) || align > VMALLOC_MAX_ALIGN)) {
		con_printf("%s: ALIGN %#lx must be a power of two up to 1G\n", cmd, align);
		return -EINVAL;
	}
	slot = con_area_slot(cmd);
	if (!slot)
		return -EINVAL;
	gfp |= GFP_KERNEL | __GFP_NOWARN; /* the console says it itself */
	if (align)
		p = __vmalloc_node_range(size, align, VMALLOC_START, VMALLOC_END, gfp, PAGE_KERNEL,
					 0, -1, (const void *)_THIS_IP_);
	else
		p = __vmalloc(size, gfp);
	if (!p) {
		con_printf("%s: allocation of %#lx bytes failed (out of memory or vmalloc space)\n",
			   cmd, size);
		return -ENOMEM;
	}
	slot->kind = CON_AREA_VMALLOC;
	slot->addr = p;
	con_show_area(cmd, p, find_vm_area(p));
	return 0;
}

static int cmd_vmalloc(int argc, char **argv)
{
	return con_vmalloc("vmalloc", argc, argv, 0);
}
CONSOLE_CMD(vmalloc, "SIZE [ALIGN]", "vmalloc SIZE bytes (ALIGN: a power of two)", cmd_vmalloc,
	    .min_args = 1, .max_args = 2,
	    .details = "Prints the address, the pages and the guard page; free it with vfree.");

static int cmd_vzalloc(int argc, char **argv)
{
	return con_vmalloc("vzalloc", argc, argv, __GFP_ZERO);
}
CONSOLE_CMD(vzalloc, "SIZE", "vmalloc SIZE zeroed bytes", cmd_vzalloc, .min_args = 1,
	    .max_args = 1);

static void con_show_pfns(const char *cmd, struct page **pages, unsigned long n)
{
	con_printf("%s: page frames", cmd);
	for (unsigned long i = 0; i < n && i < 8; i++)
		con_printf(" %#lx", page_to_pfn(pages[i]));
	con_puts(n > 8 ? " ...\n" : "\n");
}

static int cmd_vmap(int argc, char **argv)
{
	unsigned long n, i, free = nr_free_pages();
	struct con_area *slot;
	struct page **pages;
	void *p;

	if (con_parse("vmap", "N", argv[1], CON_NUMBER, &n))
		return -EINVAL;
	if (!n || n > free || n > 0xffffffffUL) {
		con_printf("vmap: N %lu is out of range (1 to the %lu free pages)\n", n, free);
		return -EINVAL;
	}
	slot = con_area_slot("vmap");
	if (!slot)
		return -EINVAL;
	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		goto out_nomem;
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i])
			goto out_free_pages;
	}
	p = vmap(pages, n, 0, PAGE_KERNEL);
	if (!p)
		goto out_free_pages;
	slot->kind = CON_AREA_VMAP;
	slot->addr = p;
	slot->pages = pages;
	slot->nr_pages = n;
	con_show_area("vmap", p, find_vm_area(p));
	con_show_pfns("vmap", pages, n);
	return 0;

out_free_pages:
	while (i--)
		__free_page(pages[i]);
	kfree(pages);
out_nomem:
	con_printf("vmap: out of memory mapping %lu pages\n", n);
	return -ENOMEM;
}
CONSOLE_CMD(vmap, "N", "allocate N pages one by one and vmap them", cmd_vmap, .min_args = 1,
	    .max_args = 1);

/* The first RAM page frame in [phys, last], or -1. */
static unsigned long first_ram_pfn(unsigned long phys, unsigned long last)
{
	for (unsigned long pfn = PHYS_PFN(phys); pfn <= PHYS_PFN(last); pfn++)
		if (pfn_valid(pfn))
			return pfn;
	return -1UL;
}

static int cmd_ioremap(int argc, char **argv)
{
	unsigned long phys, size, last, pfn;
	unsigned int bits = boot_cpu.phys_bits;
	struct con_area *slot;
	void *p;

	if (con_parse("ioremap", "PHYS", argv[1], CON_ADDR, &phys) ||
	    con_parse("ioremap", "SIZE", argv[2], CON_SIZE, &size))
		return -EINVAL;
	if (!size || size > IOREMAP_MAX_SIZE) {
		con_printf("ioremap: SIZE %#lx is out of range (1 byte to 1G)\n", size);
		return -EINVAL;
	}
	last = phys + size - 1;
	if (last < phys || last > cpu_phys_addr_limit()) {
		con_printf(
			"ioremap: phys %#lx + %#lx is beyond the CPU's %u-bit physical addresses\n",
			phys, size, bits);
		return -EINVAL;
	}
	pfn = first_ram_pfn(phys, last);
	if (pfn != -1UL) {
		con_printf("ioremap: phys %#lx-%#lx holds RAM (pfn %#lx), already in the direct "
			   "map; refusing\n",
			   phys, last, pfn);
		return -EINVAL;
	}
	slot = con_area_slot("ioremap");
	if (!slot)
		return -EINVAL;
	p = ioremap(phys, size);
	if (!p) {
		con_printf("ioremap: mapping phys %#lx-%#lx failed (see above)\n", phys, last);
		return -ENOMEM;
	}
	slot->kind = CON_AREA_IOREMAP;
	slot->addr = p;
	con_show_area("ioremap", p, find_vm_area(p));
	con_printf("ioremap: phys %#lx-%#lx, uncached\n", phys, last);
	return 0;
}
CONSOLE_CMD(ioremap, "PHYS SIZE", "map device memory at PHYS uncached (no RAM)", cmd_ioremap,
	    .min_args = 2, .max_args = 2);

/*
 * The area that starts at @addr, which the console made, or NULL with a
 * message saying what @addr is instead.
 */
static struct con_area *con_find_own_area(const char *cmd, unsigned long addr)
{
	struct vm_struct *area;
	struct con_area *ca;
	char what[192];

	if (!ptdump_addr_canonical(addr) || !is_vmalloc_or_module_addr((void *)addr)) {
		con_printf("%s: 0x%lx is not a vmalloc address (vmalloc is 0x%lx-0x%lx)\n", cmd,
			   addr, VMALLOC_START, VMALLOC_END + 1);
		return NULL;
	}
	area = find_vm_area((void *)addr);
	if (!area) {
		if (vmalloc_describe_fault(addr, what, sizeof(what)))
			con_printf("%s: no vm area at 0x%lx (%s)\n", cmd, addr, what);
		else
			con_printf("%s: no vm area at 0x%lx\n", cmd, addr);
		return NULL;
	}
	if ((unsigned long)area->addr != addr) {
		vmalloc_describe_fault(addr, what, sizeof(what));
		con_printf("%s: 0x%lx is not the start of an area (%s)\n", cmd, addr, what);
		return NULL;
	}
	ca = con_area_of(area);
	if (!ca) {
		con_printf("%s: the area at 0x%lx belongs to %pS, not to this console; refusing\n",
			   cmd, addr, area->caller);
		return NULL;
	}
	return ca;
}

static void con_area_release(struct con_area *ca)
{
	memset(ca, 0, sizeof(*ca));
}

static int cmd_vfree(int argc, char **argv)
{
	struct con_area *ca;
	struct vm_struct *area;
	unsigned long addr, start, end;

	if (con_parse("vfree", "ADDR", argv[1], CON_ADDR, &addr))
		return -EINVAL;
	ca = con_find_own_area("vfree", addr);
	if (!ca)
		return -EINVAL;
	if (ca->kind == CON_AREA_IOREMAP) {
		con_printf("vfree: 0x%lx is an ioremap area: use iounmap\n", addr);
		return -EINVAL;
	}
	area = find_vm_area(ca->addr);
	start = (unsigned long)area->addr;
	end = start + area->size;
	if (ca->kind == CON_AREA_VMAP) {
		vunmap(ca->addr);
		for (unsigned int i = 0; i < ca->nr_pages; i++)
			__free_page(ca->pages[i]);
		kfree(ca->pages);
		con_printf("vfree: unmapped 0x%016lx-0x%016lx and freed its %u pages\n", start, end,
			   ca->nr_pages);
	} else {
		vfree(ca->addr);
		con_printf("vfree: freed 0x%016lx-0x%016lx\n", start, end);
	}
	con_area_release(ca);
	return 0;
}
CONSOLE_CMD(vfree, "ADDR", "free an area that vmalloc, vzalloc or vmap made here", cmd_vfree,
	    .min_args = 1, .max_args = 1,
	    .details = "Areas the kernel made itself are refused: freeing them would break their "
		       "owner.");

static int cmd_iounmap(int argc, char **argv)
{
	struct con_area *ca;
	unsigned long addr;

	if (con_parse("iounmap", "ADDR", argv[1], CON_ADDR, &addr))
		return -EINVAL;
	/* ioremap() returns the address of PHYS, which may be inside the first page. */
	for (int i = 0; i < CONSOLE_MAX_AREAS; i++)
		if (con_areas[i].kind == CON_AREA_IOREMAP &&
		    (unsigned long)con_areas[i].addr == addr)
			addr &= PAGE_MASK;
	ca = con_find_own_area("iounmap", addr);
	if (!ca)
		return -EINVAL;
	if (ca->kind != CON_AREA_IOREMAP) {
		con_printf("iounmap: 0x%lx is not an ioremap area: use vfree\n", addr);
		return -EINVAL;
	}
	iounmap(ca->addr);
	con_printf("iounmap: unmapped 0x%016lx\n", addr);
	con_area_release(ca);
	return 0;
}
CONSOLE_CMD(iounmap, "ADDR", "unmap an area that ioremap made here", cmd_iounmap, .min_args = 1,
	    .max_args = 1);
