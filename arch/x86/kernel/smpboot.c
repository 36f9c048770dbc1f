/*
 * Bringing up the application processors (APs), one at a time, the way the
 * SDM's MP initialisation describes it:
 *
 *   boot CPU                                 AP n
 *   percpu_area_setup(n), vmalloc stack,
 *   cpu_desc_setup(n) (GDT, TSS, IST stacks)
 *   fill the trampoline's data block
 *   INIT, 10 ms, SIPI, 200 us, SIPI   ---->  real mode at the trampoline page
 *                                            protected mode, long mode on the
 *                                            temporary CR3, kernel CR3, stack
 *   wait for cpu_online(n), at most          smp_ap_entry(n): per-CPU base,
 *   SMP_ANSWER_TIMEOUT_MS                    GDT/TSS, IDT, features, LAPIC,
 *                                            set_cpu_online(n), idle
 *
 * The trampoline (trampoline.asm) lives in MEMBLOCK_TRAMPOLINE_PAGES pages
 * below 1 MiB that memblock set aside from usable RAM:
 *
 *   page 0  the code, its GDT and data block (a SIPI starts at a page)
 *   page 1  a temporary PML4: entry 0 -> page 2, entries 1..511 copied from
 *           init_pgd before each start (the kernel's upper half)
 *   page 2  its PDPT: entry 0 -> page 3
 *   page 3  its PD: entry 0 maps [0, 2 MiB) 1:1, executable
 *
 * The temporary tables exist because enabling paging needs the next
 * instruction mapped at its physical address, and CR3 must lie below 4 GiB
 * in 32-bit mode. The AP loads the kernel's own CR3 as soon as it runs at
 * the kernel's address, which drops the identity map (not global) from its
 * TLB; init_pgd itself never gets an identity map, so no other CPU has
 * anything to flush. The temporary tables are not used after smp_init().
 *
 * Locking: [B] boot CPU, during smp_init(), one AP in flight at a time;
 * [I] read-only afterwards.
 */
#define pr_fmt(fmt) "smp: " fmt

#include "asm/smp.h"
#include "asm/apic.h"
#include "asm/apic_timer.h"
#include "asm/desc.h"
#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "asm/qemu.h"
#include "asm/tlbflush.h"
#include "asm/traps.h"
#include "asm/tsc.h"
#include "kernel/acpi.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "lib/string.h"
#include "mm/memblock.h"
#include "mm/vmalloc.h"

#define SMP_INIT_DELAY_US 10000 /* INIT to the first SIPI */
#define SMP_SIPI_DELAY_US 200	/* between the two SIPIs */

/* The trampoline's data block, as laid out at trampoline_data in trampoline.asm. */
struct smp_trampoline_data {
	u16 gdt_limit;
	u32 gdt_base; /* page + offset of the GDT */
	u16 pad0;
	u32 pm_offset; /* far pointer to the 32-bit code: page + offset, selector */
	u16 pm_cs;
	u16 pad1;
	u32 lm_offset; /* far pointer to the 64-bit code */
	u16 lm_cs;
	u16 pad2;
	u32 cr4;	/* PAE, and PGE when CPU 0 has it */
	u32 cr3_tmp;	/* the temporary PML4 (page 1) */
	u32 cpu;	/* the CPU number smp_ap_entry() gets */
	u32 started;	/* set by the AP in real mode */
	u64 kernel_cr3; /* init_pgd */
	u64 stack_top;	/* the AP's stack */
	u64 entry;	/* smp_ap_start64 */
} __packed;

/* Offsets in the trampoline: its GDT, 32-bit code, 64-bit code, data block. */
struct smp_trampoline_offsets {
	u32 gdt, pm, lm, data;
};

extern const char trampoline_start[], trampoline_data[], trampoline_end[];
extern const struct smp_trampoline_offsets smp_trampoline_offsets;
extern char smp_ap_start64[];
extern char boot_stack[], boot_stack_top[];
extern char __per_cpu_start[];

DEFINE_PER_CPU(struct cpu_stack, cpu_boot_stack) = {
	(unsigned long)boot_stack,
	(unsigned long)boot_stack_top,
};
DEFINE_PER_CPU(struct smp_callin, smp_callin);

struct smp_boot_report smp_boot_report;	      /* [B] then [I] */
static u32 cpu_apic_ids[NR_CPUS];	      /* [B] then [I] */
static struct smp_trampoline_data *smp_tramp; /* [B] the data block, via the direct map */

u32 cpu_to_apicid(unsigned int cpu)
{
	return cpu_possible(cpu) ? cpu_apic_ids[cpu] : BAD_APICID;
}

unsigned int apicid_to_cpu(u32 apic_id)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
	{
		if (cpu_apic_ids[cpu] == apic_id)
			return cpu;
	}
	return NR_CPUS;
}

static u64 smp_us_since(u64 tsc_start)
{
	return tsc_cycles_to_ns(rdtsc_ordered() - tsc_start) / 1000;
}

/* Copy the code and build the temporary page tables in the low pages. */
static int smp_trampoline_setup(phys_addr_t base)
{
	const struct smp_trampoline_offsets *off = &smp_trampoline_offsets;
	u64 *pgd = __va(base + PAGE_SIZE), *pud = __va(base + 2 * PAGE_SIZE);
	u64 *pmd = __va(base + 3 * PAGE_SIZE);
	struct smp_trampoline_data *td;

	if (trampoline_end - trampoline_data != sizeof(*td) ||
	    off->data != (u32)(trampoline_data - trampoline_start)) {
		pr_err("the trampoline's data block (%ld bytes at %u) does not match struct "
		       "smp_trampoline_data (%zu bytes): one CPU only\n",
		       (long)(trampoline_end - trampoline_data), off->data, sizeof(*td));
		return -EINVAL;
	}
	memset(__va(base), 0, MEMBLOCK_TRAMPOLINE_PAGES * PAGE_SIZE);
	memcpy(__va(base), trampoline_start, trampoline_end - trampoline_start);
	td = __va(base + off->data);
	td->gdt_base = base + off->gdt;
	td->pm_offset = base + off->pm;
	td->lm_offset = base + off->lm;
	td->cr4 = read_cr4() & (X86_CR4_PAE | X86_CR4_PGE);
	td->cr3_tmp = base + PAGE_SIZE;
	td->kernel_cr3 = read_cr3();
	td->entry = (u64)smp_ap_start64;
	pgd[0] = (base + 2 * PAGE_SIZE) | _KERNPG_TABLE;
	pud[0] = (base + 3 * PAGE_SIZE) | _KERNPG_TABLE;
	pmd[0] = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PSE; /* at 0 */
	smp_tramp = td;
	pr_info("trampoline at %#lx, temporary page tables at %#lx (identity map of [0, 2 MiB))\n",
		(unsigned long)base, (unsigned long)base + PAGE_SIZE);
	return 0;
}

/* Point the trampoline at CPU @cpu: its number, its stack, the current kernel upper half. */
static void smp_trampoline_arm(unsigned int cpu, unsigned long stack_top)
{
	u64 *pgd = __va((phys_addr_t)smp_tramp->cr3_tmp);

	memcpy(&pgd[1], &init_pgd[1], 511 * sizeof(u64));
	smp_tramp->cpu = cpu;
	smp_tramp->stack_top = stack_top;
	smp_tramp->started = 0;
	smp_mb(); /* all of it visible before the IPIs */
}

static void smp_send_init_sipi(unsigned int cpu, u32 apic_id)
{
	u8 page = smp_boot_report.trampoline >> PAGE_SHIFT; /* below 1 MiB */

	lapic_send_init(apic_id);
	udelay(SMP_INIT_DELAY_US);
	if (cpu == smp_boot_report.fail_cpu)
		return; /* fault injection: the CPU never gets a start address */
	lapic_send_startup(apic_id, page);
	udelay(SMP_SIPI_DELAY_US);
	if (!READ_ONCE(smp_tramp->started)) /* the SDM's second SIPI, unless the first worked */
		lapic_send_startup(apic_id, page);
}

static bool smp_wait_online(unsigned int cpu, u64 tsc_start)
{
	while (!cpu_online(cpu)) {
		if (smp_us_since(tsc_start) > SMP_ANSWER_TIMEOUT_MS * 1000)
			return false;
		cpu_relax();
	}
	return true;
}

/* The stack and descriptors of CPU @cpu; 0 or -ENOMEM with nothing kept. */
static int smp_alloc_cpu(unsigned int cpu)
{
	char *stack;
	int err;

	err = percpu_area_setup(cpu);
	if (err)
		return err;
	set_cpu_possible(cpu, true);
	stack = vmalloc(SMP_STACK_SIZE);
	if (!stack) {
		err = -ENOMEM;
		goto out_free_percpu;
	}
	err = cpu_desc_setup(cpu);
	if (err)
		goto out_free_stack;
	per_cpu(cpu_boot_stack, cpu).base = (unsigned long)stack;
	per_cpu(cpu_boot_stack, cpu).top = (unsigned long)stack + SMP_STACK_SIZE;
	return 0;

out_free_stack:
	vfree(stack);
out_free_percpu:
	percpu_area_free(cpu);
	return err;
}

/* Give back everything smp_alloc_cpu() gave CPU @cpu (which is not online). */
static void smp_free_cpu(unsigned int cpu)
{
	cpu_desc_free(cpu);
	vfree((void *)per_cpu(cpu_boot_stack, cpu).base);
	per_cpu(cpu_boot_stack, cpu).base = per_cpu(cpu_boot_stack, cpu).top = 0;
	percpu_area_free(cpu);
}

static void smp_report_cpu(unsigned int cpu)
{
	const struct cpu_stack *s = &per_cpu(cpu_boot_stack, cpu);

	pr_info("CPU %u (APIC ID %u) online in %llu.%03llu ms: per-CPU area %#lx, stack "
		"[%#lx-%#lx)\n",
		cpu, cpu_apic_ids[cpu], (unsigned long long)(smp_boot_report.cpu_us[cpu] / 1000),
		(unsigned long long)(smp_boot_report.cpu_us[cpu] % 1000),
		(unsigned long)__per_cpu_start + __per_cpu_offset[cpu], s->base, s->top);
}

/*
 * Who owns an AP at its timeout: the AP, once its C entry claimed it
 * (WAITING -> ARRIVED: it then comes online, touching no lock before), or
 * the boot CPU, once it gave up (WAITING -> ABANDONED: it parks the AP
 * with INIT and frees what it was given; a late AP that finds it
 * abandoned halts at once). One cmpxchg each side, so exactly one wins.
 */
enum {
	SMP_AP_WAITING = 1,
	SMP_AP_ARRIVED,
	SMP_AP_ABANDONED
};
static u32 smp_ap_state[NR_CPUS];

/* The timeout passed: true if @cpu arrived meanwhile (then it is online now). */
static bool smp_ap_arrived_late(unsigned int cpu)
{
	if (cmpxchg(&smp_ap_state[cpu], SMP_AP_WAITING, SMP_AP_ABANDONED) == SMP_AP_WAITING)
		return false;
	while (!cpu_online(cpu)) /* past its point of no return: a few steps away */
		cpu_relax();
	pr_warn("CPU %u answered after the timeout; kept\n", cpu);
	return true;
}

/* Start CPU @cpu at @apic_id; 0 when it came online, else -errno with nothing kept. */
static int smp_boot_cpu(unsigned int cpu, u32 apic_id)
{
	u64 t0 = rdtsc_ordered();
	int err = smp_alloc_cpu(cpu);

	if (err) {
		pr_err("CPU %u (APIC ID %u): no memory for its per-CPU area, stack or IST "
		       "stacks (%d), skipped\n",
		       cpu, apic_id, err);
		return err;
	}
	cpu_apic_ids[cpu] = apic_id;
	WRITE_ONCE(smp_ap_state[cpu], SMP_AP_WAITING);
	smp_trampoline_arm(cpu, per_cpu(cpu_boot_stack, cpu).top);
	smp_send_init_sipi(cpu, apic_id);
	if (!smp_wait_online(cpu, t0) && !smp_ap_arrived_late(cpu)) {
		pr_err("CPU %u (APIC ID %u) did not answer, skipped%s\n", cpu, apic_id,
		       READ_ONCE(smp_tramp->started) ? " (it ran the trampoline, not the C entry)"
						     : "");
		lapic_send_init(apic_id); /* park it: it must not run on freed memory later */
		set_bit(cpu, &smp_boot_report.failed);
		smp_free_cpu(cpu);
		return -ETIMEDOUT; /* cpu_apic_ids[] keeps its ID for the dump */
	}
	smp_boot_report.cpu_us[cpu] = smp_us_since(t0);
	smp_report_cpu(cpu);
	return 0;
}

/* How many CPUs to run, the boot CPU included, after nosmp and maxcpus=. */
static unsigned int smp_cpus_wanted(unsigned int listed)
{
	unsigned int want = listed ? listed : 1;

	if (cmdline_opts.nosmp)
		return 1;
	if (cmdline_opts.maxcpus >= 0 && (unsigned int)cmdline_opts.maxcpus < want)
		want = cmdline_opts.maxcpus ? cmdline_opts.maxcpus : 1;
	return want;
}

static bool smp_can_start_aps(void)
{
	struct smp_boot_report *r = &smp_boot_report;

	if (!acpi_madt.nr_cpus) {
		pr_info("no MADT: CPU 0 only\n");
		return false;
	}
	if (!lapic_present()) {
		pr_info("no local APIC: CPU 0 only\n");
		return false;
	}
	if (r->nr_wanted < r->nr_listed)
		pr_info("%s: starting %u of the %u CPUs the MADT lists\n",
			cmdline_opts.nosmp ? "nosmp" : "maxcpus=", r->nr_wanted, r->nr_listed);
	if (r->nr_wanted <= 1)
		return false;
	if (!r->trampoline || smp_trampoline_setup(r->trampoline))
		return false;
	return true;
}

/* Record what this CPU runs on, through %gs, in its own struct smp_callin. */
static void smp_callin_record(void)
{
	struct smp_callin *c = this_cpu_ptr(&smp_callin);
	struct desc_ptr gdtr, idtr;
	u16 tr;

	__asm__ __volatile__("sgdt %0; sidt %1; str %2" : "=m"(gdtr), "=m"(idtr), "=r"(tr));
	c->apic_id = lapic_present() ? lapic_id() : BAD_APICID;
	c->gdt = gdtr.address;
	c->idt = idtr.address;
	c->tr = tr;
	c->cr4 = read_cr4();
	c->efer = rdmsr(MSR_EFER);
	c->pat = rdmsr(MSR_IA32_PAT);
	this_cpu_write(smp_callin.tag, SMP_CALLIN_TAG(smp_processor_id()));
}

void smp_init(void)
{
	struct smp_boot_report *r = &smp_boot_report;
	u64 t0 = rdtsc_ordered();
	unsigned int cpu = 1;

	for (unsigned int i = 1; i < NR_CPUS; i++)
		cpu_apic_ids[i] = BAD_APICID;
	cpu_apic_ids[0] = lapic_present() ? lapic_id() : BAD_APICID;
	smp_callin_record();
	r->nr_listed = acpi_madt.nr_cpus;
	r->nr_wanted = smp_cpus_wanted(r->nr_listed);
	r->fail_cpu = cmdline_opts.smp_fail_cpu;
	r->trampoline = memblock_trampoline_phys;
	if (smp_can_start_aps()) {
		for (unsigned int i = 0; i < acpi_madt.nr_cpus && cpu < r->nr_wanted; i++) {
			u32 id = acpi_madt.cpus[i].apic_id;

			if (id == cpu_apic_ids[0])
				continue; /* the boot CPU, wherever the MADT lists it */
			smp_boot_cpu(cpu++, id);
		}
		memset(smp_tramp, 0, sizeof(*smp_tramp)); /* no stale stack pointer stays */
	}
	r->total_us = smp_us_since(t0);
	pr_info("brought up %u CPU%s in %llu ms\n", num_online_cpus(),
		num_online_cpus() == 1 ? "" : "s", (unsigned long long)(r->total_us / 1000));
}

static void smp_cpu_dump(unsigned int cpu)
{
	const struct cpu_desc *d = &per_cpu(cpu_desc, cpu);
	const struct cpu_stack *s = &per_cpu(cpu_boot_stack, cpu);
	unsigned long df = (unsigned long)d->ist_stack[IST_DOUBLE_FAULT - 1];
	unsigned long nmi = (unsigned long)d->ist_stack[IST_NMI - 1];

	printk("%3u %5u %-7s %016lx %016lx-%016lx %016lx %016lx-%016lx %016lx-%016lx\n", cpu,
	       cpu_apic_ids[cpu], cpu_online(cpu) ? "online" : "offline",
	       (unsigned long)__per_cpu_start + __per_cpu_offset[cpu], s->base, s->top,
	       (unsigned long)&d->tss, df, df + IST_STACK_SIZE, nmi, nmi + IST_STACK_SIZE);
}

void smp_cpus_dump(void)
{
	unsigned int cpu;

	printk("CPU  APIC state   per-CPU area     stack                             tss              "
	       "#DF IST stack                     NMI IST stack\n");
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		if (cpu_possible(cpu))
			smp_cpu_dump(cpu);
		else if (test_bit(cpu, &smp_boot_report.failed))
			printk("%3u %5u failed  (did not answer at boot, skipped)\n", cpu,
			       cpu_apic_ids[cpu]);
	}
}

void __noreturn smp_ap_entry(unsigned int cpu)
{
	if (cmpxchg(&smp_ap_state[cpu], SMP_AP_WAITING, SMP_AP_ARRIVED) != SMP_AP_WAITING)
		machine_halt(); /* too late: the boot CPU gave up on us and frees our stack */
	percpu_enter(cpu);
	cpu_desc_load_this_cpu();
	idt_load();
	cpu_setup_this_cpu();
	lapic_setup_this_cpu();
	apic_timer_setup_this_cpu(); /* this CPU's tick */
	smp_callin_record();
	set_cpu_online(cpu, true);
	local_flush_tlb_all(); /* what was unmapped before shootdowns reached us */
	sched_init_this_cpu(); /* this stack becomes idle/N; kworker/N starts */
	cpu_idle_loop();
}
