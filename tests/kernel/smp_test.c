/*
 * Self-tests of the AP bring-up (arch/x86/kernel/smpboot.c): the number of
 * CPUs online against the MADT and the command line, per-CPU data that is
 * each CPU's own, stacks and IST stacks with guard pages, a TSS and GDT per
 * CPU, the same CPU features everywhere, and a CPU made not to answer
 * (smp_fail_cpu=N) reported, skipped and given back.
 *
 * Each AP records what it sees of itself at check-in (struct smp_callin,
 * written through its own %gs); these tests read every CPU's copy with
 * per_cpu() from CPU 0. They hold with any number of CPUs: with one CPU
 * most of them check CPU 0 alone.
 */
#include "debug/ktest.h"

#include "asm/desc.h"
#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/smp.h"
#include "kernel/acpi.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/vsprintf.h"
#include "mm/vmalloc.h"

extern char __per_cpu_start[], __per_cpu_end[];

/* The CPUs the command line lets run, from the MADT's count (an independent reckoning). */
static unsigned int smp_test_cpus_allowed(void)
{
	unsigned int n = acpi_madt.nr_cpus ? acpi_madt.nr_cpus : 1;

	if (n > NR_CPUS)
		n = NR_CPUS;
	if (cmdline_opts.nosmp || cmdline_opts.maxcpus == 0)
		return 1;
	if (cmdline_opts.maxcpus > 0 && (unsigned int)cmdline_opts.maxcpus < n)
		n = cmdline_opts.maxcpus;
	return n;
}

static bool smp_test_fail_injected(void)
{
	return cmdline_opts.smp_fail_cpu &&
	       (unsigned int)cmdline_opts.smp_fail_cpu < smp_test_cpus_allowed();
}

/* The APIC ID of CPU @cpu by the numbering rule: the MADT's order, the boot CPU taken out. */
static u32 smp_test_madt_apic_id(unsigned int cpu)
{
	u32 boot = per_cpu(smp_callin, 0).apic_id;
	unsigned int n = 1;

	for (unsigned int i = 0; i < acpi_madt.nr_cpus; i++) {
		if (acpi_madt.cpus[i].apic_id == boot)
			continue;
		if (n++ == cpu)
			return acpi_madt.cpus[i].apic_id;
	}
	return BAD_APICID;
}

static bool page_mapped(unsigned long addr)
{
	enum pg_level level;

	return lookup_address(addr, &level) != NULL;
}

KTEST(smp, online_cpus_match_madt_and_cmdline)
{
	unsigned int want = smp_test_cpus_allowed();
	unsigned int cpu, online = 0;

	for_each_online_cpu(cpu) online++;
	KTEST_EXPECT_EQ(t, smp_boot_report.nr_listed, acpi_madt.nr_cpus);
	KTEST_EXPECT_EQ(t, smp_boot_report.nr_wanted, want);
	if (smp_test_fail_injected()) {
		KTEST_EXPECT_EQ(t, smp_boot_report.failed, 1UL << cmdline_opts.smp_fail_cpu);
		KTEST_EXPECT_EQ(t, online, want - 1);
	} else {
		KTEST_EXPECT_EQ(t, smp_boot_report.failed, 0UL);
		KTEST_EXPECT_EQ(t, online, want);
	}
	KTEST_EXPECT_EQ(t, smp_count_online(), online);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_online(cpu))
			KTEST_EXPECT_TRUE(t, cpu_possible(cpu));
}

KTEST(smp, apic_ids_map_both_ways)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
	{
		u32 id = cpu_to_apicid(cpu);

		KTEST_EXPECT_NE(t, id, BAD_APICID);
		KTEST_EXPECT_EQ(t, apicid_to_cpu(id), cpu);
		KTEST_EXPECT_EQ(t, per_cpu(smp_callin, cpu).apic_id,
				id); /* its own LAPIC said so */
		if (cpu)
			KTEST_EXPECT_EQ(t, id,
					smp_test_madt_apic_id(cpu)); /* numbered in MADT order */
	}
	KTEST_EXPECT_EQ(t, cpu_to_apicid(NR_CPUS), BAD_APICID);
	KTEST_EXPECT_EQ(t, apicid_to_cpu(BAD_APICID - 1), (unsigned int)NR_CPUS);
}

/* Every CPU's cpu_number, this_cpu_off and check-in tag are its own, in its own area. */
KTEST(smp, per_cpu_data_is_each_cpus_own)
{
	unsigned long size = __per_cpu_end - __per_cpu_start;
	unsigned int a, b, me = smp_processor_id();

	KTEST_EXPECT_EQ(t, me, 0U);
	for_each_online_cpu(a)
	{
		KTEST_EXPECT_EQ(t, per_cpu(cpu_number, a), a);
		KTEST_EXPECT_EQ(t, per_cpu(this_cpu_off, a), __per_cpu_offset[a]);
		KTEST_EXPECT_EQ(t, per_cpu(smp_callin, a).tag, SMP_CALLIN_TAG(a));
		for_each_online_cpu(b)
		{
			unsigned long sa = (unsigned long)__per_cpu_start + __per_cpu_offset[a];
			unsigned long sb = (unsigned long)__per_cpu_start + __per_cpu_offset[b];

			if (a < b)
				KTEST_EXPECT_TRUE(t, sa + size <= sb || sb + size <= sa);
		}
	}
}

/* A store through %gs on CPU 0 reaches CPU 0's copy and no other. */
static DEFINE_PER_CPU(unsigned long, smp_test_var);

KTEST(smp, this_cpu_write_lands_in_this_cpus_copy)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) per_cpu(smp_test_var, cpu) = 1000 + cpu;
	this_cpu_write(smp_test_var, 77);
	this_cpu_add(smp_test_var, 1);
	KTEST_EXPECT_EQ(t, per_cpu(smp_test_var, 0), 78UL);
	for_each_online_cpu(cpu) if (cpu)
		KTEST_EXPECT_EQ(t, per_cpu(smp_test_var, cpu), 1000UL + cpu);
}

static void smp_test_expect_guarded(struct ktest *t, unsigned int cpu, const char *what,
				    unsigned long base, unsigned long top)
{
	KTEST_EXPECT_TRUE(t, page_mapped(base));
	KTEST_EXPECT_TRUE(t, page_mapped(top - 1));
	if (page_mapped(base - PAGE_SIZE) || page_mapped(top))
		ktest_fail(t, __FILE__, __LINE__, "CPU %u %s [%#lx-%#lx): no guard page around it",
			   cpu, what, base, top);
}

KTEST(smp, ap_stacks_and_ist_stacks_have_guard_pages)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
	{
		const struct cpu_stack *s = &per_cpu(cpu_boot_stack, cpu);
		const struct cpu_desc *d = &per_cpu(cpu_desc, cpu);

		for (int i = 0; i < IST_STACKS; i++) {
			unsigned long ist = (unsigned long)d->ist_stack[i];

			smp_test_expect_guarded(t, cpu, "IST stack", ist, ist + IST_STACK_SIZE);
			KTEST_EXPECT_EQ(t, d->tss.ist[i], ist + IST_STACK_SIZE);
		}
		if (!cpu)
			continue; /* the boot stack is in the image: its guard is the paging tests' */
		KTEST_EXPECT_EQ(t, s->top - s->base, (unsigned long)SMP_STACK_SIZE);
		KTEST_EXPECT_TRUE(t, is_vmalloc_addr((void *)s->base));
		smp_test_expect_guarded(t, cpu, "stack", s->base, s->top);
	}
}

/* The TSS base written in a CPU's GDT descriptor (gdt[3..4]). */
static unsigned long smp_test_tss_base(const u64 *gdt)
{
	return ((gdt[3] >> 16) & 0xffffff) | ((gdt[3] >> 56) << 24) | (gdt[4] << 32);
}

KTEST(smp, every_cpu_runs_on_its_own_gdt_and_tss)
{
	unsigned int a, b;

	for_each_online_cpu(a)
	{
		const struct cpu_desc *d = &per_cpu(cpu_desc, a);
		const struct smp_callin *c = &per_cpu(smp_callin, a);

		KTEST_EXPECT_EQ(t, c->gdt, (unsigned long)d->gdt);
		KTEST_EXPECT_EQ(t, smp_test_tss_base(d->gdt), (unsigned long)&d->tss);
		KTEST_EXPECT_EQ(t, c->tr, (u16)TSS_SEL);
		KTEST_EXPECT_EQ(t, c->idt, per_cpu(smp_callin, 0).idt); /* one shared IDT */
		KTEST_EXPECT_EQ(t, (d->gdt[3] >> 40) & 0xf, 0xbULL); /* loaded: busy 64-bit TSS */
		for_each_online_cpu(b)
		{
			const struct cpu_desc *e = &per_cpu(cpu_desc, b);

			if (a >= b)
				continue;
			KTEST_EXPECT_NE(t, (unsigned long)&d->tss, (unsigned long)&e->tss);
			for (int i = 0; i < IST_STACKS; i++)
				KTEST_EXPECT_NE(t, d->tss.ist[i], e->tss.ist[i]);
		}
	}
}

KTEST(smp, aps_run_with_cpu0s_features)
{
	const struct smp_callin *c0 = &per_cpu(smp_callin, 0);
	unsigned int cpu;

	KTEST_EXPECT_TRUE(t, c0->efer & EFER_NXE);
	for_each_online_cpu(cpu)
	{
		const struct smp_callin *c = &per_cpu(smp_callin, cpu);

		KTEST_EXPECT_EQ(t, c->cr4 & (X86_CR4_PAE | X86_CR4_PGE),
				c0->cr4 & (X86_CR4_PAE | X86_CR4_PGE));
		KTEST_EXPECT_EQ(t, c->efer & EFER_NXE, c0->efer & EFER_NXE);
		KTEST_EXPECT_EQ(t, c->pat, c0->pat);
	}
}

/* smp_fail_cpu=N: CPU N got no SIPI; it must be reported, skipped and given back. */
KTEST(smp, cpu_that_does_not_answer_is_reported_and_skipped)
{
	unsigned int cpu = cmdline_opts.smp_fail_cpu;
	char msg[KTEST_NEEDLE_MAX];

	if (!smp_test_fail_injected())
		KTEST_SKIP(t, "boot with smp_fail_cpu=N (N a CPU the MADT lists) to run it");
	snprintf(msg, sizeof(msg), "smp: CPU %u (APIC ID %u) did not answer, skipped", cpu,
		 smp_test_madt_apic_id(cpu));
	KTEST_EXPECT_TRUE(t, ktest_log_has(dmesg_start(0), msg));
	KTEST_EXPECT_FALSE(t, cpu_online(cpu));
	KTEST_EXPECT_FALSE(t, cpu_possible(cpu));
	KTEST_EXPECT_EQ(t, __per_cpu_offset[cpu], 0UL); /* its area was freed */
	KTEST_EXPECT_EQ(t, cpu_to_apicid(cpu), BAD_APICID);
	KTEST_EXPECT_TRUE(t, test_bit(cpu, &smp_boot_report.failed));
	if (cpu + 1 < smp_test_cpus_allowed())
		KTEST_EXPECT_TRUE(t, cpu_online(cpu + 1)); /* bring-up went on after it */
}
