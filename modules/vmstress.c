/*
 * vmstress: a vmalloc scenario run on load. Areas of a few sizes (one page
 * up to 1 MiB, page-aligned and not) are allocated, every byte written with
 * a pattern that depends on its offset and area, read back, and freed, so
 * that a page mapped twice or not at all shows as a wrong byte. One result
 * line says what was checked; any mismatch fails the load with -EIO.
 * Shows: a module calling the kernel's exported vmalloc API.
 */
#include "kernel/errno.h"
#include "kernel/module.h"
#include "kernel/printk.h"
#include "mm/vmalloc.h"

static const unsigned long vmstress_sizes[] = { 4096, 5000, 65536, 200000, 1 << 20 };
#define VMSTRESS_AREAS (sizeof(vmstress_sizes) / sizeof(vmstress_sizes[0]))

static unsigned char vmstress_byte(unsigned int area, unsigned long off)
{
	return (unsigned char)((off >> 12) * 31 + off + area * 101);
}

/* The first offset of @p (area @area, @size bytes) holding a wrong byte, or @size. */
static unsigned long vmstress_check(const unsigned char *p, unsigned int area, unsigned long size)
{
	for (unsigned long off = 0; off < size; off++)
		if (p[off] != vmstress_byte(area, off))
			return off;
	return size;
}

static int vmstress_init(void)
{
	unsigned char *areas[VMSTRESS_AREAS] = { 0 };
	unsigned long bytes = 0, bad = 0;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < VMSTRESS_AREAS; i++) {
		areas[i] = vmalloc(vmstress_sizes[i]);
		if (!areas[i]) {
			printk("vmstress: vmalloc(%lu) failed\n", vmstress_sizes[i]);
			ret = -ENOMEM;
			goto out_free;
		}
		for (unsigned long off = 0; off < vmstress_sizes[i]; off++)
			areas[i][off] = vmstress_byte(i, off);
	}
	/* All filled before any is checked: an alias between two areas shows. */
	for (i = 0; i < VMSTRESS_AREAS; i++) {
		unsigned long off = vmstress_check(areas[i], i, vmstress_sizes[i]);

		if (off != vmstress_sizes[i]) {
			printk("vmstress: area %u (%lu bytes at %p): wrong byte at offset %#lx\n",
			       i, vmstress_sizes[i], areas[i], off);
			bad++;
		}
		bytes += vmstress_sizes[i];
	}
	if (bad)
		ret = -EIO;
out_free:
	for (i = 0; i < VMSTRESS_AREAS; i++)
		vfree(areas[i]);
	if (!ret)
		printk("vmstress: %u areas, %lu bytes written, checked and freed: ok\n",
		       (unsigned int)VMSTRESS_AREAS, bytes);
	return ret;
}

static void vmstress_exit(void)
{
	printk("vmstress: unloaded\n");
}

MODULE_INIT(vmstress_init);
MODULE_EXIT(vmstress_exit);
MODULE_NAME("vmstress");
