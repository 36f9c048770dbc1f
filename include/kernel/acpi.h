/*
 * ACPI tables: the RSDP, the root table (XSDT or RSDT) and the MADT, which
 * lists the CPUs (local APICs), the I/O APICs and how the ISA interrupts are
 * wired to them. Only reading: no AML, no power management.
 *
 * kernel/acpi.c finds the tables at boot, maps them and hands them to the
 * pure parsers of kernel/acpi_tables.c, which read nothing but the buffer
 * they are given (the host tests and the fuzzer feed them buffers). Every
 * checksum and length is checked; a bad table is refused with a message and
 * acpi_madt stays empty (nr_cpus 0: the kernel runs on the boot CPU only).
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include "kernel/compiler.h"
#include "kernel/percpu.h"
#include "kernel/types.h"

#define ACPI_MADT_MAX_IOAPICS	4
#define ACPI_MADT_MAX_OVERRIDES 16
#define ACPI_MADT_MAX_NMIS	8
#define ACPI_UID_NONE		0xffffffffu /* a CPU without a processor UID */

/*
 * What the MADT says, filled by acpi_init() (or acpi_madt_parse()).
 * cpus[] holds the enabled CPUs, at most NR_CPUS, the boot CPU first and
 * the others in the firmware's order; every APIC ID in it is unique.
 */
struct acpi_madt_info {
	phys_addr_t lapic_phys; /* the local APICs' MMIO base (type 5 overrides) */
	unsigned int nr_cpus;	/* 0: no usable MADT, stay on one CPU */
	struct {
		u32 apic_id;
		u32 uid; /* the ACPI processor UID, ACPI_UID_NONE if none */
	} cpus[NR_CPUS];
	unsigned int nr_cpus_skipped; /* enabled CPUs beyond NR_CPUS, or disabled */
	unsigned int nr_ioapics;
	struct {
		u32 id, phys, gsi_base;
		u32 nr_gsis; /* from the I/O APIC's version register (acpi_init()); 0: unknown */
	} ioapics[ACPI_MADT_MAX_IOAPICS];
	unsigned int nr_overrides;
	struct {
		u8 irq;	   /* the ISA IRQ (bus 0) */
		u32 gsi;   /* where it arrives */
		u16 flags; /* ACPI_MPS_* polarity and trigger mode */
	} overrides[ACPI_MADT_MAX_OVERRIDES];
	bool pcat_compat; /* the board also has the two 8259A PICs */

	/* The finer counts behind nr_cpus_skipped, and what was ignored. */
	unsigned int nr_cpus_disabled;	     /* neither enabled nor (only) online-capable */
	unsigned int nr_cpus_online_capable; /* not enabled, may be hot-added: not used */
	unsigned int nr_cpus_over_limit;     /* enabled, beyond NR_CPUS */
	unsigned int nr_duplicates;	     /* entries whose APIC ID was already listed */
	unsigned int nr_ioapics_skipped;     /* beyond ACPI_MADT_MAX_IOAPICS */
	unsigned int nr_overrides_skipped;   /* beyond the table, or not bus 0 */
	unsigned int nr_nmis;		     /* local APIC NMI entries (types 4 and 0xa) */
	struct {
		u32 uid; /* ACPI_UID_NONE: all CPUs (0xff or 0xffffffff in the table) */
		u16 flags;
		u8 lint; /* LINT0 or LINT1 */
	} nmis[ACPI_MADT_MAX_NMIS];
	unsigned int nr_unknown; /* entries of types this parser skips */
};

/* Polarity and trigger mode of an override or NMI entry (MPS INTI flags). */
#define ACPI_MPS_POLARITY_MASK 0x3
#define ACPI_MPS_POLARITY_HIGH 0x1
#define ACPI_MPS_POLARITY_LOW  0x3
#define ACPI_MPS_TRIGGER_MASK  0xc
#define ACPI_MPS_TRIGGER_EDGE  0x4
#define ACPI_MPS_TRIGGER_LEVEL 0xc

extern struct acpi_madt_info acpi_madt;

/*
 * acpi_init - find the RSDP, check the root table and the MADT, fill acpi_madt
 *  => After vmalloc_init() (tables outside RAM are mapped through vmap_pfn(),
 *     write-back, read-only; each mapping is undone before returning).
 *  => RSDP from the multiboot2 ACPI tag, else the BIOS areas (EBDA, then
 *     0xe0000-0xfffff).
 *  => Prints one line per table (Linux's format) and a MADT summary.
 *  => Return: 0; -ENOENT when there is no RSDP or no MADT; -EINVAL when a
 *     table was refused (the message names it, its address and the fault).
 *     On any error acpi_madt.nr_cpus is 0 and the kernel stays on one CPU.
 */
int acpi_init(void);

/*
 * acpi_isa_irq_to_gsi - the GSI on which ISA IRQ @irq arrives
 *  => Applies the MADT's interrupt source overrides; without one the GSI is
 *     the IRQ (identity) and *@flags is 0 (bus-conforming: edge, high).
 *  => @flags may be NULL.
 */
u32 acpi_isa_irq_to_gsi(unsigned int irq, u16 *flags);

/*
 * acpi_tables_scan - what acpi_init() does, into @out instead of acpi_madt:
 * find the RSDP, map, check and print every table, parse the MADT.
 *  => For the console and the self-tests; after vmalloc_init(). Leaves no
 *     mapping behind. Returns as acpi_init(); on error @out is all zero.
 *  => Does not touch the I/O APICs (their driver owns the registers): each
 *     nr_gsis is the one acpi_init() read at the same address, else 0.
 */
int acpi_tables_scan(struct acpi_madt_info *out);

/* acpi_madt_print - the summary line ("ACPI: MADT: 4 CPUs (APIC IDs 0 1 2 3), ...") and overrides. */
void acpi_madt_print(const struct acpi_madt_info *madt);

/*
 * acpi_rsdp_search_bios - look for the RSDP where a BIOS puts it: the first
 * KiB of the EBDA (segment at 0x40e), then 0xe0000-0xfffff, on 16-byte
 * boundaries. Returns 0 (and prints its line) or -ENOENT.
 */
struct acpi_rsdp_info;
int acpi_rsdp_search_bios(struct acpi_rsdp_info *rsdp);

/* acpi_boot_cpu_apic_id - this CPU's APIC ID from CPUID (leaf 0xb if present, else leaf 1). */
u32 acpi_boot_cpu_apic_id(void);

/* ---- Pure parsers (kernel/acpi_tables.c): they read only their buffer. ---- */

#define ACPI_SIG_LEN	      4
#define ACPI_OEM_ID_LEN	      6
#define ACPI_OEM_TABLE_ID_LEN 8
#define ACPI_RSDP_V1_LEN      20
#define ACPI_RSDP_V2_LEN      36
#define ACPI_TABLE_MAX_LEN    (1u << 20) /* larger than any table we read: refused */

/* The header every system description table starts with (36 bytes). */
struct acpi_table_header {
	char signature[ACPI_SIG_LEN];
	u32 length; /* of the whole table, header included */
	u8 revision;
	u8 checksum; /* all bytes of the table sum to 0 */
	char oem_id[ACPI_OEM_ID_LEN];
	char oem_table_id[ACPI_OEM_TABLE_ID_LEN];
	u32 oem_revision;
	char asl_compiler_id[ACPI_SIG_LEN];
	u32 asl_compiler_revision;
} __packed;

/* What a checked RSDP points to. */
struct acpi_rsdp_info {
	u8 revision; /* 0: ACPI 1.0 (20 bytes), 2+: 36 bytes */
	u32 length;  /* 20, or the RSDP's own length field */
	char oem_id[ACPI_OEM_ID_LEN + 1];
	phys_addr_t root; /* the table to read: the XSDT when usable, else the RSDT */
	bool root_is_xsdt;
	phys_addr_t rsdt, xsdt; /* both, as found (0: absent) */
};

/* The sum of @len bytes at @p (0 for a valid table). */
u8 acpi_checksum(const void *p, size_t len);

/*
 * acpi_rsdp_parse - check the RSDP at @p (@avail readable bytes)
 *  => Signature "RSD PTR ", checksum of the first 20 bytes, and for revision
 *     2 and later the length (36..@avail) and the extended checksum.
 *  => Chooses the XSDT when the revision is 2+ and its address is non-zero.
 *  => Return: 0 with @out filled, or -EINVAL with a message naming the fault
 *     (@phys names the RSDP in it).
 */
int acpi_rsdp_parse(const void *p, size_t avail, phys_addr_t phys, struct acpi_rsdp_info *out);

/*
 * acpi_rsdp_scan - the offset of the first valid RSDP in [@p, @p + @len),
 * on 16-byte boundaries, or -ENOENT. Silent (candidates that fail are not
 * reported: a BIOS area holds many "RSD PTR " look-alikes only by accident).
 */
long acpi_rsdp_scan(const void *p, size_t len);

/*
 * acpi_table_check - check the table at @p with @avail readable bytes
 *  => Signature @sig (NULL: any), length >= the header and <= @avail and
 *     ACPI_TABLE_MAX_LEN, checksum 0 over the length.
 *  => Return: 0, or -EINVAL with one message: "ACPI: MADT at 0x... has
 *     checksum 0x3c (sum must be 0), refused" (@phys names the table).
 */
int acpi_table_check(const void *p, size_t avail, const char *sig, phys_addr_t phys);

/*
 * acpi_root_nr_entries / acpi_root_entry - the table addresses an RSDT
 * (32-bit entries) or XSDT (64-bit) at @table lists; the table must have
 * passed acpi_table_check(). Entries are read unaligned.
 */
unsigned int acpi_root_nr_entries(const struct acpi_table_header *table, bool xsdt);
phys_addr_t acpi_root_entry(const struct acpi_table_header *table, bool xsdt, unsigned int i);

/*
 * acpi_madt_parse - parse the MADT at @table (@len readable bytes) into @out
 *  => Checks the header first (signature "APIC", length, checksum), then
 *     every entry: length >= 2 and within the table; unknown types skipped.
 *  => Local APIC (0) and x2APIC (9) entries: enabled CPUs in cpus[], the one
 *     with @bsp_apic_id first; duplicates, disabled and beyond-NR_CPUS
 *     entries counted and reported; a MADT without the boot CPU is refused.
 *  => I/O APICs (1), overrides (2), NMIs (4, 0xa), LAPIC address (5) recorded.
 *  => Return: 0, or -EINVAL with a message; on error @out is all zero
 *     (nr_cpus 0). Safe on any input (the fuzz entry point).
 */
int acpi_madt_parse(const void *table, size_t len, struct acpi_madt_info *out, u32 bsp_apic_id);

/* acpi_madt_irq_to_gsi - acpi_isa_irq_to_gsi() against the given @madt. */
u32 acpi_madt_irq_to_gsi(const struct acpi_madt_info *madt, unsigned int irq, u16 *flags);

#endif /* KERNEL_ACPI_H */
