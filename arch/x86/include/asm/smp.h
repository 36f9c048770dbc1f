/*
 * Bringing up the other CPUs (arch/x86/kernel/smpboot.c): CPU numbers and
 * APIC IDs, each CPU's boot stack, and what the bring-up saw.
 *
 * CPU numbers follow the MADT's order, the boot CPU being 0. A CPU that
 * does not answer keeps its number and leaves a hole: for_each_online_cpu()
 * skips it.
 *
 * An AP's first steps in C, in smp_ap_entry(), in this order:
 * percpu_enter(), its own GDT/TSS, the shared IDT, CPU features (PAT, NX,
 * PGE as on CPU 0), lapic_setup_this_cpu(), set_cpu_online(), then the idle
 * loop (sti; hlt).
 */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include "kernel/compiler.h"
#include "kernel/percpu.h"
#include "kernel/types.h"

#define SMP_STACK_SIZE	      (16 * 1024) /* an AP's boot (later idle) stack, from vmalloc */
#define SMP_ANSWER_TIMEOUT_MS 1000	  /* INIT to online, per CPU; TCG takes ~10-40 ms */
#define BAD_APICID	      0xffffffffu

/* A CPU's boot stack [base, top): boot_stack for CPU 0, vmalloc'ed for the others. */
struct cpu_stack {
	unsigned long base;
	unsigned long top;
};
DECLARE_PER_CPU(struct cpu_stack, cpu_boot_stack);

/*
 * What each CPU saw of itself as it came up, written by that CPU through
 * %gs (CPU 0 in smp_init()): the self-tests compare it with what the boot
 * CPU set up for it. tag is SMP_CALLIN_TAG(its number).
 */
#define SMP_CALLIN_TAG(cpu) (0x5a170000u | (cpu))
struct smp_callin {
	u32 tag;
	u32 apic_id;	   /* lapic_id() */
	unsigned long gdt; /* sgdt base */
	unsigned long idt; /* sidt base */
	u16 tr;		   /* str */
	unsigned long cr4; /* after the feature setup */
	u64 efer, pat;
};
DECLARE_PER_CPU(struct smp_callin, smp_callin);

/* What smp_init() did, for the dumps and the self-tests. [I] after smp_init() */
struct smp_boot_report {
	unsigned int nr_listed; /* CPUs the MADT lists (acpi_madt.nr_cpus), the boot CPU too */
	unsigned int nr_wanted; /* of which to start, after nosmp and maxcpus= */
	unsigned long failed;	/* bit n: CPU n did not answer and was skipped */
	unsigned int fail_cpu;	/* smp_fail_cpu= (its SIPIs are not sent), 0 = none */
	u64 cpu_us[NR_CPUS];	/* INIT to online, per CPU */
	u64 total_us;		/* the whole smp_init() */
	phys_addr_t trampoline; /* the trampoline page, 0 if none */
};
extern struct smp_boot_report smp_boot_report;

/*
 * smp_init - start every other CPU the MADT lists, one at a time
 *  => Context: boot CPU, after acpi_init() and lapic_init(), interrupts off.
 *  => Honours nosmp, maxcpus=N and smp_fail_cpu=N (cmdline).
 *  => A CPU that does not come online within SMP_ANSWER_TIMEOUT_MS is
 *     reported, put back into INIT, and its per-CPU area, stacks and
 *     descriptors are freed; boot goes on. Never panics.
 *  => Prints one line per CPU and "smp: brought up N CPUs in T ms".
 */
void smp_init(void);

/* CPU @cpu's APIC ID, or BAD_APICID when @cpu is not possible. */
u32 cpu_to_apicid(unsigned int cpu);
/* The CPU number of APIC ID @apic_id, or NR_CPUS when no possible CPU has it. */
unsigned int apicid_to_cpu(u32 apic_id);

/*
 * smp_cpus_dump - one line per CPU: number, APIC ID, state, per-CPU area,
 * boot stack, TSS, #DF and NMI IST stacks (the console's `cpus`, GDB's
 * contig-cpus); CPUs that did not answer at boot are listed as failed.
 */
void smp_cpus_dump(void);

/* The number of online CPUs (counted: num_online_cpus() needs libgcc's popcount). */
unsigned int smp_count_online(void);

/* The AP's C entry, called by trampoline.asm on its own stack. */
void __noreturn smp_ap_entry(unsigned int cpu);

#endif /* ASM_SMP_H */
