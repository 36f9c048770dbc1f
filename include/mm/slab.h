/*
 * Slab caches of fixed-size objects on top of the buddy, and kmalloc with
 * power-of-two size classes from 8 bytes to 4 KiB; larger kmallocs go to the
 * buddy directly.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include "mm/gfp.h"
#include "kernel/types.h"

struct kmem_cache;

#define KMALLOC_MIN_SIZE       8
#define KMALLOC_MAX_CACHE_SIZE 4096

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align);
void kmem_cache_destroy(struct kmem_cache *cache);
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *cache, void *obj);
/* Empty the CPU arrays of @cache (NULL: of every cache) into its slabs. */
void kmem_cache_drain_cpus(struct kmem_cache *cache);
/* Drain the cache's CPU arrays and give its empty slabs back to the buddy; returns pages freed. */
unsigned long kmem_cache_shrink(struct kmem_cache *cache);
/* Drain every CPU's arrays, shrink every cache (exact counts; the buddy's last resort). */
unsigned long kmem_cache_shrink_all(void);

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void kfree(const void *ptr);
size_t ksize(const void *ptr);

void kmem_cache_init(void);
/*
 * /proc/slabinfo version 2.1, one line per cache (tunables and sharedavail 0,
 * as SLUB). active_objs leaves out the free objects in CPU arrays; exact
 * after kmem_cache_shrink_all(), else racing with other CPUs' frees.
 */
void slabinfo_dump(void);
/* Pages held by every cache's slabs (meminfo's Slab). */
unsigned long slab_nr_pages(void);
/*
 * Objects in use in every cache, those in CPU arrays not counted (leak
 * checks: exact after kmem_cache_shrink_all(), while nothing else allocates).
 */
unsigned long slab_nr_objects(void);
/* Objects of @cache in use, as slab_nr_objects() for one cache. */
unsigned long kmem_cache_objects_in_use(struct kmem_cache *cache);

/* Fault injection, as fail_page_alloc_set() but for slab allocations. */
void fail_slab_set(unsigned long nth, unsigned long times);
extern unsigned long fail_slab_injected;

#endif /* MM_SLAB_H */
