/*
 * Memory-region randomisation (Linux's RANDOMIZE_MEMORY, seed 001): with
 * `randomize_memory` on the command line, the bases of the direct map, the
 * vmalloc area and vmemmap move at boot, each by a random multiple of 1 GiB,
 * while their order stays fixed and none overlaps the next.
 *
 *   0xffff810000000000                                       0xffffe30000000000
 *   |<-- r0 -->|direct map|<-- r1 -->|vmalloc|<-- r2 -->|vmemmap|<-- rest -->|
 *
 * The direct map is sized to the RAM present (rounded up to 1 TiB) plus
 * randomize_memory_padding_tb, so most of the 98 TiB is entropy; each region
 * takes a random share of what is left, as Linux does. This must run after
 * memblock knows the RAM and before paging_init() builds the tables at the
 * new bases. Without the option the bases keep their defaults.
 */
#include "asm/page.h"
#include "asm/processor.h"
#include "kernel/printk.h"
#include "mm/memblock.h"
#include "mm/memlayout.h"

#define KASLR_SPACE_START __PAGE_OFFSET_BASE_DEFAULT
#define KASLR_SPACE_END	  (__VMEMMAP_BASE_DEFAULT + VMEMMAP_SIZE)
#define TB		  (1UL << 40)

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

void kernel_randomize_memory(void)
{
	unsigned long *bases[] = { &page_offset_base, &vmalloc_base, &vmemmap_base };
	unsigned long sizes[3];
	unsigned long vaddr = KASLR_SPACE_START, remain;

	sizes[0] =
		ALIGN((unsigned long)memblock_end_of_DRAM(), TB) + randomize_memory_padding_tb * TB;
	sizes[1] = VMALLOC_SIZE;
	sizes[2] = VMEMMAP_SIZE;
	remain = KASLR_SPACE_END - KASLR_SPACE_START - sizes[0] - sizes[1] - sizes[2];

	for (int i = 0; i < 3; i++) {
		/* Share the remaining entropy between this region and those after it. */
		unsigned long share = remain / (3 - i);
		unsigned long off = share ? (kaslr_get_random() % share) & ~(PUD_SIZE - 1) : 0;

		*bases[i] = vaddr + off;
		vaddr = *bases[i] + sizes[i];
		remain -= off;
	}
	direct_map_size = sizes[0];
	memory_randomized = true;
	pr_info("kaslr: randomised: direct map %#lx, vmalloc %#lx, vmemmap %#lx\n",
		page_offset_base, vmalloc_base, vmemmap_base);
}
