/*
 * Host stand-ins for the physical memory managers' tests (memblock, buddy,
 * slab): a simulated physical memory map.
 *
 * sim_mem_init() mallocs "RAM" for the pfns [base_pfn, base_pfn + nr_pages)
 * and a struct page array for them, and points page_offset_base and
 * vmemmap_base so that __va(), page_address() and pfn_to_page() land in
 * those buffers. pfn_valid() is true on the given RAM ranges only; the RAM
 * and struct pages of the holes are poisoned for AddressSanitizer, so code
 * that touches a hole's struct page or memory fails the test on the spot.
 *
 * Also here: the kernel's layout variables and the linker-script symbols
 * _text and _end (aliases inside shim_image, so __pa_symbol() of them is
 * some address far above the simulated RAM).
 *
 * Include after host_shim.h and before the kernel sources.
 */
#ifndef MM_SHIM_H
#define MM_SHIM_H

#include <sanitizer/asan_interface.h>
#include <stdlib.h>
#include <string.h>

#include "lib/random.h"
#include "mm/page.h"

unsigned long page_offset_base;
unsigned long vmalloc_base;
unsigned long vmemmap_base;
unsigned long vmalloc_range_size = VMALLOC_SIZE;
unsigned long max_pfn;

char shim_image[4 * 4096] __attribute__((aligned(4096), used));
__asm__(".globl _text\n\t.set _text, shim_image + 4096\n\t"
	".globl _end\n\t.set _end, shim_image + 3 * 4096 - 100\n");

#define SIM_MAX_RANGES 16

struct sim_mem {
	unsigned long base_pfn, nr_pages;
	void *ram;
	struct page *pages;
	unsigned int nr_ranges;
	unsigned long start[SIM_MAX_RANGES], end[SIM_MAX_RANGES]; /* pfns, [start, end) */
};

static struct sim_mem sim;

bool pfn_valid(unsigned long pfn)
{
	for (unsigned int i = 0; i < sim.nr_ranges; i++)
		if (pfn >= sim.start[i] && pfn < sim.end[i])
			return true;
	return false;
}

/*
 * Simulate pfns [base_pfn, base_pfn + nr_pages), RAM on the @nr ranges
 * [r[i][0], r[i][1]) (absolute pfns). Every RAM page starts PG_reserved, as
 * vmemmap_init() leaves it.
 */
static void sim_mem_init(unsigned long base_pfn, unsigned long nr_pages,
			 const unsigned long (*r)[2], unsigned int nr)
{
	sim.base_pfn = base_pfn;
	sim.nr_pages = nr_pages;
	sim.ram = aligned_alloc(4096, nr_pages * 4096);
	sim.pages = calloc(nr_pages, sizeof(struct page));
	if (!sim.ram || !sim.pages || nr > SIM_MAX_RANGES)
		abort();
	sim.nr_ranges = nr;
	for (unsigned int i = 0; i < nr; i++) {
		sim.start[i] = r[i][0];
		sim.end[i] = r[i][1];
	}
	page_offset_base = (unsigned long)sim.ram - base_pfn * 4096;
	vmemmap_base = (unsigned long)sim.pages - base_pfn * sizeof(struct page);
	max_pfn = base_pfn + nr_pages;
	for (unsigned long i = 0; i < nr_pages; i++) {
		if (pfn_valid(base_pfn + i)) {
			sim.pages[i].flags = PG_reserved;
			continue;
		}
		ASAN_POISON_MEMORY_REGION(&sim.pages[i], sizeof(struct page));
		ASAN_POISON_MEMORY_REGION((char *)sim.ram + i * 4096, 4096);
	}
}

static void sim_mem_exit(void)
{
	ASAN_UNPOISON_MEMORY_REGION(sim.pages, sim.nr_pages * sizeof(struct page));
	ASAN_UNPOISON_MEMORY_REGION(sim.ram, sim.nr_pages * 4096);
	free(sim.pages);
	free(sim.ram);
	memset(&sim, 0, sizeof(sim));
}

/* Number of RAM pages in the simulation. */
static unsigned long sim_ram_pages(void)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < sim.nr_ranges; i++)
		n += sim.end[i] - sim.start[i];
	return n;
}

/* The randomised tests' generator: lib/random.h, one stream for the program. */
static struct rnd_state sim_rng = { 0x2545f4914f6cdd1dULL };

static inline void sim_srand(unsigned long long seed)
{
	rnd_seed(&sim_rng, seed);
}

static inline unsigned long sim_rand(void)
{
	return (unsigned long)(rnd_next(&sim_rng) >> 11);
}

/* One CPU: mm/page_alloc.c's drain and check of every CPU's cache run here. */
void on_each_cpu(void (*fn)(void *), void *info, bool wait)
{
	(void)wait;
	fn(info);
}

#endif /* MM_SHIM_H */
