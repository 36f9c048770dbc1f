/*
 * The kernel's exports: what a module may call or read. Each EXPORT_SYMBOL
 * puts {address, name} into __ksymtab (linker.ld keeps the section between
 * __start___ksymtab and __stop___ksymtab); load_module() resolves a
 * module's undefined symbols against this table first, then against the
 * exports of the live modules. A symbol missing here makes a module that
 * needs it fail to load with "module NAME: unknown symbol X".
 *
 * Grouped by the header that declares them; add an export next to its
 * group when a module needs it.
 */
#include "kernel/module.h"

#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/ptdump.h"
#include "asm/set_memory.h"
#include "asm/tsc.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

/* kernel/printk.h, kernel/panic.h, lib/vsprintf.h */
EXPORT_SYMBOL(printk);
EXPORT_SYMBOL(vprintk);
EXPORT_SYMBOL(panic);
EXPORT_SYMBOL(__warn);
EXPORT_SYMBOL(snprintf);
EXPORT_SYMBOL(vsnprintf);
EXPORT_SYMBOL(scnprintf);
EXPORT_SYMBOL(vscnprintf);

/* lib/string.h (gcc emits calls to memset/memcpy for struct copies too) */
EXPORT_SYMBOL(memset);
EXPORT_SYMBOL(memcpy);
EXPORT_SYMBOL(memmove);
EXPORT_SYMBOL(memcmp);
EXPORT_SYMBOL(memchr_inv);
EXPORT_SYMBOL(strlen);
EXPORT_SYMBOL(strnlen);
EXPORT_SYMBOL(strcmp);
EXPORT_SYMBOL(strncmp);
EXPORT_SYMBOL(strchr);
EXPORT_SYMBOL(strrchr);
EXPORT_SYMBOL(strlcpy);
EXPORT_SYMBOL(kstrtoul);
EXPORT_SYMBOL(kstrtol);

/* mm/vmalloc.h */
EXPORT_SYMBOL(vmalloc);
EXPORT_SYMBOL(vzalloc);
EXPORT_SYMBOL(__vmalloc);
EXPORT_SYMBOL(__vmalloc_node);
EXPORT_SYMBOL(__vmalloc_node_range);
EXPORT_SYMBOL(vmalloc_node);
EXPORT_SYMBOL(vzalloc_node);
EXPORT_SYMBOL(vfree);
EXPORT_SYMBOL(vfree_atomic);
EXPORT_SYMBOL(vmap);
EXPORT_SYMBOL(vunmap);
EXPORT_SYMBOL(vmalloc_to_page);
EXPORT_SYMBOL(vmalloc_to_pfn);
EXPORT_SYMBOL(vmalloc_size);
EXPORT_SYMBOL(is_vmalloc_addr);
EXPORT_SYMBOL(find_vm_area);
EXPORT_SYMBOL(get_vm_area);
EXPORT_SYMBOL(free_vm_area);
EXPORT_SYMBOL(vread);
EXPORT_SYMBOL(ioremap);
EXPORT_SYMBOL(ioremap_wc);
EXPORT_SYMBOL(iounmap);
EXPORT_SYMBOL(kvmalloc);
EXPORT_SYMBOL(kvzalloc);
EXPORT_SYMBOL(kvfree);
EXPORT_SYMBOL(vmalloc_check);
EXPORT_SYMBOL(vmallocinfo_dump);
EXPORT_SYMBOL(vm_unmap_aliases);
EXPORT_SYMBOL(vmalloc_stats);

/* mm/slab.h, mm/page_alloc.h */
EXPORT_SYMBOL(kmalloc);
EXPORT_SYMBOL(kzalloc);
EXPORT_SYMBOL(kcalloc);
EXPORT_SYMBOL(kfree);
EXPORT_SYMBOL(ksize);
EXPORT_SYMBOL(kmem_cache_create);
EXPORT_SYMBOL(kmem_cache_destroy);
EXPORT_SYMBOL(kmem_cache_alloc);
EXPORT_SYMBOL(kmem_cache_free);
EXPORT_SYMBOL(alloc_pages);
EXPORT_SYMBOL(__free_pages);
EXPORT_SYMBOL(__get_free_pages);
EXPORT_SYMBOL(free_pages);
EXPORT_SYMBOL(nr_free_pages);

/* asm/set_memory.h, asm/pgtable.h, asm/ptdump.h */
EXPORT_SYMBOL(set_memory_ro);
EXPORT_SYMBOL(set_memory_rw);
EXPORT_SYMBOL(set_memory_nx);
EXPORT_SYMBOL(set_memory_x);
EXPORT_SYMBOL(set_memory_rox);
EXPORT_SYMBOL(lookup_address);
EXPORT_SYMBOL(ptdump_check_wx);

/* time and scheduling: asm/tsc.h, kernel/sched.h */
EXPORT_SYMBOL(tsc_khz);
EXPORT_SYMBOL(udelay);
EXPORT_SYMBOL(mdelay);
EXPORT_SYMBOL(msleep);
EXPORT_SYMBOL(sched_clock_ns);
EXPORT_SYMBOL(schedule);
EXPORT_SYMBOL(yield);
EXPORT_SYMBOL(cond_resched);

/* kernel/spinlock.h, kernel/smp.h (per-CPU variables are %gs-relative symbols) */
EXPORT_SYMBOL(spin_lock_slow); /* spin_lock() is inline */
EXPORT_SYMBOL(spin_lock_contended);
EXPORT_SYMBOL(spin_trylock);
EXPORT_SYMBOL(spin_unlock);
EXPORT_SYMBOL(spinlock_depth);
EXPORT_SYMBOL(preempt_count_pcpu);
EXPORT_SYMBOL(preempt_enable);
EXPORT_SYMBOL(lockdep_enabled);
EXPORT_SYMBOL(lock_stat_enabled);
EXPORT_SYMBOL(spin_waiting_for);
EXPORT_SYMBOL(irq_depth);
EXPORT_SYMBOL(cpu_number);

/* kernel/module.h */
EXPORT_SYMBOL(try_module_get);
EXPORT_SYMBOL(module_put);
EXPORT_SYMBOL(find_module);
