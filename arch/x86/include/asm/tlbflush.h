/*
 * TLB flushes of kernel mappings. Kernel mappings are global (PGE), so a
 * CR3 reload does not drop them: a full flush toggles CR4.PGE.
 *
 * local_*: this CPU's TLB only. For a change no other CPU can have cached
 * (boot before the APs run, a benchmark's own floor), or when the caller
 * shoots down the others itself.
 *
 * flush_tlb_kernel_range() / flush_tlb_all(): every online CPU's TLB (the
 * shootdown, arch/x86/mm/tlb.c). Use them after clearing or weakening any
 * kernel mapping another CPU may have used.
 */
#ifndef ASM_TLBFLUSH_H
#define ASM_TLBFLUSH_H

#include "kernel/types.h"

/* Above this many pages a range flush is a full flush (Linux's default, 33). */
extern unsigned long tlb_single_page_flush_ceiling;

/* This CPU: invlpg per page of [start, end), or a full flush above the ceiling. */
void local_flush_tlb_range(unsigned long start, unsigned long end);
/* This CPU: every entry, global ones included. */
void local_flush_tlb_all(void);

/*
 * flush_tlb_kernel_range - drop [start, end) from every online CPU's TLB
 * => This CPU flushes first, then the range goes to every other online CPU
 *    by TLB_FLUSH_VECTOR; returns once all of them have flushed.
 * => Safe with interrupts off: while waiting it serves the shootdowns and
 *    calls other CPUs send it (two CPUs shooting down at once both finish).
 *    Not safe while holding a spinlock another CPU may spin on with
 *    interrupts off: that CPU cannot answer.
 * => end <= start: nothing.
 */
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
/* Every entry on every online CPU. */
void flush_tlb_all(void);

/* Serve the shootdowns queued for this CPU (its IPI, or ipi_poll()). Interrupts off. */
void tlb_shootdown_run(void);

/* Shootdowns this CPU sent (one per target CPU) and received. */
unsigned long tlb_shootdowns_sent(unsigned int cpu);
unsigned long tlb_shootdowns_received(unsigned int cpu);

#endif /* ASM_TLBFLUSH_H */
