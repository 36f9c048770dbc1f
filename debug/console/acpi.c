/*
 * The `acpi` console command: re-read the firmware's ACPI tables (one line
 * each, as at boot, every checksum checked again), then show what the boot
 * parse of the MADT keeps in acpi_madt: the summary, each CPU, each I/O
 * APIC, the overrides, the NMI wiring and what was skipped. It only looks.
 */
#include "debug/console/internal.h"
#include "kernel/acpi.h"
#include "kernel/errno.h"
#include "lib/string.h"
#include "mm/slab.h"

static void acpi_dump_cpus(const struct acpi_madt_info *m)
{
	for (unsigned int i = 0; i < m->nr_cpus; i++) {
		con_printf("  CPU %2u: APIC ID %u", i, m->cpus[i].apic_id);
		if (m->cpus[i].uid == ACPI_UID_NONE)
			con_printf(", no ACPI UID");
		else
			con_printf(", ACPI UID %u", m->cpus[i].uid);
		con_printf("%s\n", i == 0 ? " (boot CPU)" : "");
	}
	con_printf("  skipped: %u beyond NR_CPUS, %u disabled, %u online-capable, %u duplicates\n",
		   m->nr_cpus_over_limit, m->nr_cpus_disabled, m->nr_cpus_online_capable,
		   m->nr_duplicates);
}

static void acpi_dump_ioapics(const struct acpi_madt_info *m)
{
	for (unsigned int i = 0; i < m->nr_ioapics; i++)
		con_printf("  I/O APIC %u: ID %u at %#x, GSI base %u, %u inputs\n", i,
			   m->ioapics[i].id, m->ioapics[i].phys, m->ioapics[i].gsi_base,
			   m->ioapics[i].nr_gsis);
	for (unsigned int i = 0; i < m->nr_nmis && i < ACPI_MADT_MAX_NMIS; i++) {
		con_printf("  LAPIC NMI: ");
		if (m->nmis[i].uid == ACPI_UID_NONE)
			con_printf("all CPUs");
		else
			con_printf("ACPI UID %u", m->nmis[i].uid);
		con_printf(", LINT%u, flags %#x\n", m->nmis[i].lint, m->nmis[i].flags);
	}
	con_printf("  ignored: %u I/O APICs, %u overrides, %u entries of unknown types\n",
		   m->nr_ioapics_skipped, m->nr_overrides_skipped, m->nr_unknown);
}

static int cmd_acpi(int argc, char **argv)
{
	struct acpi_madt_info *now = kmalloc(sizeof(*now), GFP_KERNEL);
	int err;

	if (!now) {
		con_printf("acpi: no memory for a scan\n");
		return -ENOMEM;
	}
	err = acpi_tables_scan(now);
	if (err)
		con_printf("acpi: the tables are unusable now (%d), see above\n", err);
	else if (memcmp(now, &acpi_madt, sizeof(*now)))
		con_printf("acpi: the MADT differs from what the boot parse kept\n");
	kfree(now);
	if (!acpi_madt.nr_cpus) {
		con_printf("acpi: no MADT was accepted at boot: running on the boot CPU only\n");
		return 0;
	}
	acpi_madt_print(&acpi_madt);
	acpi_dump_cpus(&acpi_madt);
	acpi_dump_ioapics(&acpi_madt);
	con_printf("  PC-AT compatible (8259 PICs present): %s\n",
		   acpi_madt.pcat_compat ? "yes" : "no");
	return 0;
}
CONSOLE_CMD(acpi, "", "the ACPI tables (re-read and checked) and the MADT: CPUs, I/O APICs",
	    cmd_acpi,
	    .details = "Re-reads the RSDP, the XSDT or RSDT and every table it lists (one line\n"
		       "each, Linux's format), then shows the MADT kept at boot: the CPUs\n"
		       "(boot CPU first), the I/O APICs, the ISA interrupt overrides, the\n"
		       "NMI wiring and the entries skipped.");
