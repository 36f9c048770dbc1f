/*
 * CPU features (CPUID) and the control-register setup the kernel relies on:
 * NX (checked by entry32.asm already), global pages, a PAT that gives the
 * write-combining and uncached modes ioremap needs, and the physical
 * address width (CPUID 0x80000008) that bounds what ioremap may map.
 */
#include "asm/processor.h"
#include "kernel/printk.h"
#include "lib/string.h"

struct cpu_features boot_cpu;

/* PAT entries: 0 WB, 1 WC, 2 UC-, 3 UC, then the same again (asm/pgtable.h). */
#define PAT_WB	     0x06UL
#define PAT_WC	     0x01UL
#define PAT_UC_MINUS 0x07UL
#define PAT_UC	     0x00UL
#define PAT_VALUE                                                                                 \
	(PAT_WB | PAT_WC << 8 | PAT_UC_MINUS << 16 | PAT_UC << 24 | PAT_WB << 32 | PAT_WC << 40 | \
	 PAT_UC_MINUS << 48 | PAT_UC << 56)

/* The highest extended leaf, or 0 when leaf 0x80000000 returned no such range. */
u32 cpu_sane_ext_leaf(u32 max_ext_leaf)
{
	return (max_ext_leaf & 0xffff0000) == 0x80000000 ? max_ext_leaf : 0;
}

unsigned int cpu_phys_bits_from(u32 max_ext_leaf, u32 eax_80000008)
{
	unsigned int bits = eax_80000008 & 0xff;

	if (cpu_sane_ext_leaf(max_ext_leaf) < 0x80000008 || !bits)
		return CPU_PHYS_BITS_DEFAULT; /* what a CPU without the leaf has */
	return bits < CPU_PHYS_BITS_MAX ? bits : CPU_PHYS_BITS_MAX;
}

static void cpu_read_features(struct cpu_features *f)
{
	u32 a, b, c, d;
	u32 *name = (u32 *)f->model_name;

	cpuid(0, 0, &f->max_leaf, &b, &c, &d);
	memcpy(f->vendor, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	f->vendor[12] = '\0';
	cpuid(1, 0, &a, &b, &c, &d);
	f->pge = d & (1u << 13);
	f->pat = d & (1u << 16);
	f->apic = d & (1u << 9);
	f->rdrand = c & (1u << 30);
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	f->max_ext_leaf = cpu_sane_ext_leaf(a);
	if (f->max_ext_leaf >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		f->nx = d & (1u << 20);
		f->pdpe1gb = d & (1u << 26);
	}
	if (f->max_ext_leaf >= 0x80000004) {
		for (u32 leaf = 0; leaf < 3; leaf++)
			cpuid(0x80000002 + leaf, 0, &name[leaf * 4], &name[leaf * 4 + 1],
			      &name[leaf * 4 + 2], &name[leaf * 4 + 3]);
		f->model_name[48] = '\0';
	}
	if (f->max_ext_leaf >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		f->invariant_tsc = d & (1u << 8);
	}
	a = 0;
	if (f->max_ext_leaf >= 0x80000008)
		cpuid(0x80000008, 0, &a, &b, &c, &d);
	f->phys_bits = cpu_phys_bits_from(f->max_ext_leaf, a);
}

phys_addr_t cpu_phys_addr_limit(void)
{
	unsigned int bits = boot_cpu.phys_bits ? boot_cpu.phys_bits : CPU_PHYS_BITS_DEFAULT;

	return bits >= 64 ? ~(phys_addr_t)0 : ((phys_addr_t)1 << bits) - 1;
}

/* The same global pages, PAT and NX on every CPU, from what CPU 0 found. */
void cpu_setup_this_cpu(void)
{
	if (boot_cpu.pge)
		write_cr4(read_cr4() | X86_CR4_PGE);
	if (boot_cpu.pat)
		wrmsr(MSR_IA32_PAT, PAT_VALUE);
	if (boot_cpu.nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
}

void cpu_init(void)
{
	const char *model = boot_cpu.model_name;

	cpu_read_features(&boot_cpu);
	while (*model == ' ')
		model++;
	cpu_setup_this_cpu();
	pr_info("CPU: %s %s\n", boot_cpu.vendor, model);
	pr_info("CPU: features: nx%s%s%s%s%s, %u-bit physical addresses\n",
		boot_cpu.pge ? " pge" : "", boot_cpu.pdpe1gb ? " pdpe1gb" : "",
		boot_cpu.pat ? " pat" : "", boot_cpu.apic ? " apic" : "",
		boot_cpu.rdrand ? " rdrand" : "", boot_cpu.phys_bits);
}
