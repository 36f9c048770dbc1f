/*
 * Self-tests of kernel/acpi.c on the machine we booted on: what acpi_init()
 * read from QEMU's tables must agree with the CPU (CPUID, the local APIC)
 * and with QEMU itself (its fw_cfg device says how many CPUs it started), a
 * second scan must give the same result and leave no mapping behind, even
 * when allocations fail under it, and the BIOS search must find the RSDP
 * the boot loader handed over.
 */
#include "debug/ktest.h"

#include "asm/apic.h"
#include "asm/io.h"
#include "asm/memtype.h"
#include "asm/page.h"
#include "kernel/acpi.h"
#include "kernel/multiboot2.h"
#include "lib/string.h"
#include "lib/vsprintf.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

/* QEMU's fw_cfg device (docs/specs/fw_cfg.rst): select a key, read its bytes. */
#define FW_CFG_PORT_SEL	 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_NB_CPUS	 0x05

static void fw_cfg_read(u16 key, void *buf, size_t len)
{
	u8 *p = buf;

	outw(FW_CFG_PORT_SEL, key);
	while (len--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

/* The number of CPUs QEMU started (-smp), or 0 without a fw_cfg device. */
static unsigned int qemu_nr_cpus(void)
{
	char sig[4];
	u16 n;

	fw_cfg_read(FW_CFG_SIGNATURE, sig, sizeof(sig));
	if (memcmp(sig, "QEMU", 4))
		return 0;
	fw_cfg_read(FW_CFG_NB_CPUS, &n, sizeof(n));
	return n;
}

static void acpi_fail_slab_off(void *unused __unused)
{
	fail_slab_set(0, 0);
}

KTEST(acpi, madt_lists_cpus)
{
	KTEST_ASSERT_GE(t, acpi_madt.nr_cpus, 1u);
	KTEST_EXPECT_LE(t, acpi_madt.nr_cpus, (unsigned int)NR_CPUS);
}

KTEST(acpi, boot_cpu_first)
{
	KTEST_ASSERT_GE(t, acpi_madt.nr_cpus, 1u);
	KTEST_EXPECT_EQ(t, acpi_madt.cpus[0].apic_id, acpi_boot_cpu_apic_id());
	if (lapic_present()) {
		KTEST_EXPECT_EQ(t, acpi_madt.cpus[0].apic_id, lapic_id());
		KTEST_EXPECT_EQ(t, acpi_madt.cpus[0].apic_id, lapic.boot_apic_id);
	}
}

KTEST(acpi, apic_ids_unique)
{
	for (unsigned int i = 0; i < acpi_madt.nr_cpus; i++)
		for (unsigned int j = i + 1; j < acpi_madt.nr_cpus; j++)
			KTEST_EXPECT_NE(t, acpi_madt.cpus[i].apic_id, acpi_madt.cpus[j].apic_id);
}

/* QEMU's -smp N: the MADT lists N CPUs (those beyond NR_CPUS counted as skipped). */
KTEST(acpi, cpu_count_matches_qemu)
{
	unsigned int n = qemu_nr_cpus();

	if (!n)
		KTEST_SKIP(t, "no QEMU fw_cfg device");
	KTEST_EXPECT_EQ(t, acpi_madt.nr_cpus + acpi_madt.nr_cpus_over_limit, n);
	KTEST_EXPECT_EQ(t, acpi_madt.nr_cpus, min(n, (unsigned int)NR_CPUS));
	KTEST_EXPECT_EQ(t, acpi_madt.nr_duplicates, 0u);
}

KTEST(acpi, lapic_address_matches_msr)
{
	if (!lapic_present())
		KTEST_SKIP(t, "no local APIC");
	KTEST_EXPECT_EQ(t, acpi_madt.lapic_phys, lapic.phys);
}

/* One I/O APIC at a device address (not RAM, 1 KiB-aligned, below 4 GiB), GSIs from 0. */
KTEST(acpi, ioapic_sane)
{
	KTEST_ASSERT_GE(t, acpi_madt.nr_ioapics, 1u);
	for (unsigned int i = 0; i < acpi_madt.nr_ioapics; i++) {
		u32 phys = acpi_madt.ioapics[i].phys;

		KTEST_EXPECT_GE(t, phys, 0x100000u);
		KTEST_EXPECT_EQ(t, phys & 0x3ff, 0u);
		KTEST_EXPECT_FALSE(t, pfn_valid(PHYS_PFN(phys)));
		KTEST_EXPECT_GE(t, acpi_madt.ioapics[i].nr_gsis, 1u);
		KTEST_EXPECT_LE(t, acpi_madt.ioapics[i].nr_gsis, 240u);
	}
	KTEST_EXPECT_EQ(t, acpi_madt.ioapics[0].gsi_base, 0u);
}

/* QEMU always wires the PIT (ISA IRQ 0) to GSI 2, edge, active high (flags 0). */
KTEST(acpi, isa_irq0_overridden_to_gsi2)
{
	u16 flags = 0xffff;

	KTEST_EXPECT_EQ(t, acpi_isa_irq_to_gsi(0, &flags), 2u);
	KTEST_EXPECT_EQ(t, flags & (ACPI_MPS_POLARITY_MASK | ACPI_MPS_TRIGGER_MASK), 0);
	KTEST_EXPECT_EQ(t, acpi_isa_irq_to_gsi(1, NULL), 1u);	/* the keyboard: identity */
	KTEST_EXPECT_EQ(t, acpi_isa_irq_to_gsi(4, &flags), 4u); /* COM1 */
	KTEST_EXPECT_EQ(t, flags, 0);
}

/* A second scan reads the same tables and gives back every mapping it made. */
KTEST(acpi, rescan_same_result_nothing_left_mapped)
{
	struct acpi_madt_info *again = ktest_kmalloc(t, sizeof(*again), GFP_KERNEL);
	unsigned long busy, entries;

	KTEST_ASSERT_NOT_NULL(t, again);
	vm_unmap_aliases();
	busy = vmalloc_nr_busy();
	entries = memtype_nr_entries();
	KTEST_EXPECT_EQ(t, acpi_tables_scan(again), 0);
	KTEST_EXPECT_EQ(t, memcmp(again, &acpi_madt, sizeof(*again)), 0);
	vm_unmap_aliases(); /* iounmap() drops its memory type at the purge */
	KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
	KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);
}

/*
 * Fail the nth slab allocation of a scan for every n until a scan runs
 * without hitting the failure: each failure refuses a table (an error, @out
 * zeroed) or skips one that is not the MADT, and never leaves a mapping or
 * a memory-type reservation behind.
 */
KTEST(acpi, scan_alloc_failure_leaves_nothing)
{
	struct acpi_madt_info *out = ktest_kmalloc(t, sizeof(*out), GFP_KERNEL);
	unsigned long busy, entries, nth, refused = 0, skipped = 0;
	bool clean = false;

	KTEST_ASSERT_NOT_NULL(t, out);
	ktest_defer(t, acpi_fail_slab_off, NULL);
	vm_unmap_aliases();
	busy = vmalloc_nr_busy();
	entries = memtype_nr_entries();
	for (nth = 1; nth <= 200 && !clean; nth++) {
		unsigned long mark = ktest_log_mark();
		int err;

		fail_slab_set(nth, 1);
		err = acpi_tables_scan(out);
		fail_slab_set(0, 0);
		vm_unmap_aliases();
		KTEST_EXPECT_EQ(t, vmalloc_nr_busy(), busy);
		KTEST_EXPECT_EQ(t, memtype_nr_entries(), entries);
		if (err) {
			KTEST_EXPECT_EQ(t, out->nr_cpus, 0u);
			refused++;
		} else if (ktest_log_has(mark, "cannot map")) {
			KTEST_EXPECT_EQ(t, out->nr_cpus, acpi_madt.nr_cpus);
			skipped++;
		} else {
			clean = !memcmp(out, &acpi_madt, sizeof(*out));
		}
	}
	KTEST_EXPECT_TRUE(t, clean);
	KTEST_EXPECT_GE(t, refused, 1UL);
	KTEST_EXPECT_GE(t, skipped, 1UL);
}

/* The BIOS areas hold the RSDP whose copy GRUB passed (not under UEFI: no legacy area). */
KTEST(acpi, bios_search_finds_the_boot_loaders_rsdp)
{
	struct acpi_rsdp_info found, tag;
	size_t len;

	if (!boot_info.rsdp_phys)
		KTEST_SKIP(t, "the boot loader passed no RSDP");
	len = boot_info.rsdp_revision >= 2 ? ACPI_RSDP_V2_LEN : ACPI_RSDP_V1_LEN;
	KTEST_ASSERT_EQ(
		t, acpi_rsdp_parse(__va(boot_info.rsdp_phys), len, boot_info.rsdp_phys, &tag), 0);
	if (acpi_rsdp_search_bios(&found)) {
		if (boot_info.efi.has_systab)
			KTEST_SKIP(t, "UEFI: no RSDP in the BIOS areas");
		ktest_fail(t, __FILE__, __LINE__, "BIOS: no RSDP in the EBDA or 0xe0000-0xfffff");
		return;
	}
	KTEST_EXPECT_EQ(t, found.rsdt, tag.rsdt);
	KTEST_EXPECT_EQ(t, found.root, tag.root);
	KTEST_EXPECT_EQ(t, memcmp(found.oem_id, tag.oem_id, sizeof(tag.oem_id)), 0);
}

/*
 * The summary line says what acpi_madt holds. (The console's `acpi` prints
 * it too; calling console_execute() from here would end the console's own
 * command state under `ktest` typed at the prompt, and ^C would be lost.)
 */
KTEST(acpi, summary_line_matches_madt)
{
	unsigned long mark = ktest_log_mark();
	char want[64];

	acpi_madt_print(&acpi_madt);
	snprintf(want, sizeof(want), "ACPI: MADT: %u CPU", acpi_madt.nr_cpus);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, want));
	snprintf(want, sizeof(want), "LAPIC at %#llx", (unsigned long long)acpi_madt.lapic_phys);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, want));
	snprintf(want, sizeof(want), "%u overrides", acpi_madt.nr_overrides);
	KTEST_EXPECT_TRUE(t, ktest_log_has(mark, want));
}
