/* Control registers, MSRs, CPUID, TSC and friends. */
#ifndef ASM_PROCESSOR_H
#define ASM_PROCESSOR_H

#include "kernel/types.h"

#define X86_CR0_WP  (1UL << 16)
#define X86_CR0_PG  (1UL << 31)
#define X86_CR4_PAE (1UL << 5)
#define X86_CR4_PGE (1UL << 7)

#define MSR_EFER	  0xc0000080
#define EFER_NXE	  (1UL << 11)
#define MSR_IA32_PAT	  0x277
#define MSR_IA32_APICBASE 0x1b

static inline unsigned long read_cr0(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr2(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr3(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(unsigned long v)
{
	__asm__ __volatile__("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(unsigned long v)
{
	__asm__ __volatile__("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void invlpg(unsigned long addr)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(addr) : "memory");
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* rdtsc ordered after earlier instructions (lfence is enough on x86). */
static inline u64 rdtsc_ordered(void)
{
	__asm__ __volatile__("lfence" ::: "memory");
	return rdtsc();
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void halt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}

static inline unsigned long read_rbp(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%rbp, %0" : "=r"(v));
	return v;
}

/* Physical address bits of a CPU without CPUID leaf 0x80000008 (Linux's default). */
#define CPU_PHYS_BITS_DEFAULT 36
/* The architecture's MAXPHYADDR limit: a bigger CPUID value is not believed. */
#define CPU_PHYS_BITS_MAX 52

/* CPU features the kernel looks at (arch/x86/kernel/cpu.c). */
struct cpu_features {
	bool nx, pge, pdpe1gb, pat, apic, invariant_tsc, rdrand;
	u32 max_leaf, max_ext_leaf;
	u8 phys_bits; /* MAXPHYADDR: CPUID 0x80000008 EAX[7:0] */
	char vendor[13];
	char model_name[49];
};
extern struct cpu_features boot_cpu;
void cpu_init(void);
/* Apply boot_cpu's PGE, PAT and NX to this CPU (cpu_init() on CPU 0; each AP at bring-up). */
void cpu_setup_this_cpu(void);
/*
 * cpu_phys_addr_limit - the highest physical address this CPU can address
 *  => (1 << MAXPHYADDR) - 1; before cpu_init() the 36-bit default.
 */
phys_addr_t cpu_phys_addr_limit(void);
/*
 * cpu_sane_ext_leaf - @max_ext_leaf (CPUID 0x80000000 EAX) if it lies in
 * 0x8000xxxx, else 0: a CPU without extended leaves may return anything.
 */
u32 cpu_sane_ext_leaf(u32 max_ext_leaf);
/*
 * cpu_phys_bits_from - MAXPHYADDR from CPUID 0x80000000 EAX and 0x80000008
 * EAX: EAX[7:0] capped at CPU_PHYS_BITS_MAX, or CPU_PHYS_BITS_DEFAULT when
 * the leaf is missing, the extended range is not sane, or the field is 0.
 */
unsigned int cpu_phys_bits_from(u32 max_ext_leaf, u32 eax_80000008);

#endif /* ASM_PROCESSOR_H */
