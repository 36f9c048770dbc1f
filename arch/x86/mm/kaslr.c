/*
 * Memory-region randomisation (Linux's RANDOMIZE_MEMORY, seed 001): with
 * `randomize_memory` on the command line, the bases of the direct map, the
 * vmalloc area and vmemmap move at boot, each by a random multiple of 1 GiB,
 * while their order stays fixed and none overlaps the next.
 *
 *   0xffff810000000000                                              0xffffe40000000000
 *   |<-- r0 -->|direct map|<-- r1 -->|vmalloc|hole|<-- r2 -->|vmemmap|<-- rest -->|
 *
 * The direct map is sized to the RAM present (rounded up to 1 TiB) plus
 * randomize_memory_padding_tb, so most of the 99 TiB is entropy; each region
 * takes a random share of what is left, as Linux does. The vmalloc slot
 * carries its guard hole (VMALLOC_GUARD_HOLE_MIN, one PUD), so nothing in
 * vmalloc space can run into vmemmap whatever r2 is. This must run after
 * memblock knows the RAM and before paging_init() builds the tables at the
 * new bases. Without the option, or when the regions do not fit (a message
 * says so), the bases keep their defaults.
 */
#include "asm/page.h"
#include "asm/processor.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "mm/memblock.h"
#include "mm/memlayout.h"

#define KASLR_SPACE_START __PAGE_OFFSET_BASE_DEFAULT
#define KASLR_SPACE_END	  (__VMEMMAP_BASE_DEFAULT + VMEMMAP_SIZE)
#define TB		  (1UL << 40)

BUILD_BUG_ON(KASLR_SPACE_END > __START_KERNEL_map);
BUILD_BUG_ON(VMALLOC_GUARD_HOLE_MIN % PUD_SIZE);

unsigned long direct_map_size = DIRECT_MAP_SIZE;
unsigned long randomize_memory_padding_tb; /* room for hot-added memory */
bool memory_randomized;

/* A 64-bit random number: RDRAND when the CPU has it, else TSC jitter mixed. */
static u64 kaslr_get_random(void)
{
	u64 v = 0, x;
	int ok = 0;

	if (boot_cpu.rdrand) {
		for (int i = 0; i < 10 && !ok; i++)
			__asm__ __volatile__("rdrand %0; setc %b1" : "=r"(v), "=q"(ok));
		if (ok)
			return v;
	}
	x = rdtsc();
	for (int i = 0; i < 8; i++) { /* splitmix64 over TSC samples */
		x += 0x9e3779b97f4a7c15UL ^ rdtsc();
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
		x ^= x >> 31;
	}
	return x;
}

/*
 * kaslr_place_regions - choose the three bases for a direct map of @dm_size
 *  => @random gives the draws (kaslr_get_random() at boot; tests pass their own).
 *  => Return: 0 with bases[] the direct map, vmalloc and vmemmap bases, in
 *     that order, each PUD-aligned inside the KASLR space; VMALLOC_GUARD_HOLE_MIN
 *     or more stays unmapped after vmalloc, whatever the draws.
 *  => -EINVAL when the three regions do not fit in the KASLR space (or
 *     @dm_size is not PUD-aligned): bases[] is left untouched.
 */
int kaslr_place_regions(unsigned long dm_size, u64 (*random)(void), unsigned long bases[3])
{
	/* The vmalloc slot carries its guard hole; PUD-rounded so vmemmap stays aligned. */
	const unsigned long sizes[3] = {
		dm_size, ALIGN(vmalloc_range_size, PUD_SIZE) + VMALLOC_GUARD_HOLE_MIN, VMEMMAP_SIZE
	};
	const unsigned long space = KASLR_SPACE_END - KASLR_SPACE_START;
	unsigned long vaddr = KASLR_SPACE_START, remain;

	if (dm_size % PUD_SIZE || dm_size > space - sizes[1] - sizes[2])
		return -EINVAL;
	remain = space - sizes[0] - sizes[1] - sizes[2];
	for (int i = 0; i < 3; i++) {
		/* Share the remaining entropy between this region and those after it. */
		unsigned long share = remain / (3 - i);
		unsigned long off = share ? (random() % share) & ~(PUD_SIZE - 1) : 0;

		bases[i] = vaddr + off;
		vaddr = bases[i] + sizes[i];
		remain -= off;
	}
	return 0;
}

void kernel_randomize_memory(void)
{
	const unsigned long max_tb = (KASLR_SPACE_END - KASLR_SPACE_START) / TB;
	unsigned long ram_tb = ALIGN((unsigned long)memblock_end_of_DRAM(), TB) / TB;
	unsigned long bases[3];

	if (randomize_memory_padding_tb > max_tb ||
	    kaslr_place_regions((ram_tb + randomize_memory_padding_tb) * TB, kaslr_get_random,
				bases)) {
		pr_err("kaslr: a direct map of %lu TiB of RAM + %lu TiB of padding, vmalloc and "
		       "vmemmap do not fit in the %lu TiB KASLR space; keeping the default layout\n",
		       ram_tb, randomize_memory_padding_tb, max_tb);
		return;
	}
	direct_map_size = (ram_tb + randomize_memory_padding_tb) * TB;
	page_offset_base = bases[0];
	vmalloc_base = bases[1];
	vmemmap_base = bases[2];
	memory_randomized = true;
	pr_info("kaslr: randomised: direct map %#lx, vmalloc %#lx, vmemmap %#lx\n",
		page_offset_base, vmalloc_base, vmemmap_base);
}
