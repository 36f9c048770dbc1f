/*
 * The pure half of ACPI: checkers and parsers of the RSDP, the root tables
 * (RSDT, XSDT) and the MADT. They read only the buffer they are given, never
 * past the length they are told is readable, and every multi-byte field is
 * read through memcpy (tables are byte-packed, entries unaligned), so the
 * host tests and the fuzzer can feed them anything. kernel/acpi.c finds and
 * maps the tables and calls them.
 *
 * The MADT after its 44-byte head is a list of entries, each starting with
 * a type and a length byte:
 *
 *	| header (36) | lapic addr (4) | flags (4) | t l ... | t l ...... | ... |
 *	                                           ^ offset 44   ^ + l
 *
 * A length below 2 (no progress) or running past the table's length refuses
 * the whole table; a known type shorter than its layout does too.
 */
#define pr_fmt(fmt) "ACPI: " fmt

#include "kernel/acpi.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "lib/string.h"

#define ACPI_MADT_HEAD_LEN    44 /* header + local APIC address + flags */
#define ACPI_MADT_PCAT_COMPAT 0x1

/* MADT entry types this parser reads; others are skipped. */
enum {
	MADT_LOCAL_APIC = 0,
	MADT_IO_APIC = 1,
	MADT_INT_OVERRIDE = 2,
	MADT_LOCAL_APIC_NMI = 4,
	MADT_LAPIC_OVERRIDE = 5,
	MADT_LOCAL_X2APIC = 9,
	MADT_LOCAL_X2APIC_NMI = 0xa,
};

/* Local APIC flags (types 0 and 9). */
#define MADT_CPU_ENABLED	0x1
#define MADT_CPU_ONLINE_CAPABLE 0x2

/* The shortest valid entry of each known type (ACPI 6.5, 5.2.12). */
static const u8 madt_entry_min_len[] = {
	[MADT_LOCAL_APIC] = 8,	      [MADT_IO_APIC] = 12,	  [MADT_INT_OVERRIDE] = 10,
	[MADT_LOCAL_APIC_NMI] = 6,    [MADT_LAPIC_OVERRIDE] = 12, [MADT_LOCAL_X2APIC] = 16,
	[MADT_LOCAL_X2APIC_NMI] = 12,
};

/* Parser state: the output and where the boot CPU was found. */
struct madt_state {
	struct acpi_madt_info *out;
	u32 bsp_apic_id;
	bool bsp_seen;
	unsigned int nr_others; /* CPUs in cpus[1..] */
};

static u16 get16(const void *p, size_t off)
{
	u16 v;

	memcpy(&v, (const u8 *)p + off, sizeof(v));
	return v;
}

static u32 get32(const void *p, size_t off)
{
	u32 v;

	memcpy(&v, (const u8 *)p + off, sizeof(v));
	return v;
}

static u64 get64(const void *p, size_t off)
{
	u64 v;

	memcpy(&v, (const u8 *)p + off, sizeof(v));
	return v;
}

/* acpi_checksum - see include/kernel/acpi.h. */
u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* A printable copy of a 4-byte signature (others shown as '?'). */
static void sig_copy(char dst[ACPI_SIG_LEN + 1], const void *src)
{
	const char *s = src;

	for (int i = 0; i < ACPI_SIG_LEN; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[ACPI_SIG_LEN] = '\0';
}

/* The name Linux and the specification use in prose: "APIC" is the MADT. */
static const char *table_name(const char *sig)
{
	if (!strcmp(sig, "APIC"))
		return "MADT";
	if (!strcmp(sig, "FACP"))
		return "FADT";
	return sig;
}

static int rsdp_check(const u8 *p, size_t avail, phys_addr_t phys, struct acpi_rsdp_info *out,
		      bool verbose)
{
	unsigned long long at = phys;
	u32 len = ACPI_RSDP_V1_LEN;

	if (avail < ACPI_RSDP_V1_LEN || memcmp(p, "RSD PTR ", 8)) {
		if (verbose)
			pr_err("RSDP at %#llx: no \"RSD PTR \" signature in %zu bytes, refused\n",
			       at, avail);
		return -EINVAL;
	}
	if (acpi_checksum(p, ACPI_RSDP_V1_LEN)) {
		if (verbose)
			pr_err("RSDP at %#llx has checksum %#x (sum must be 0), refused\n", at,
			       acpi_checksum(p, ACPI_RSDP_V1_LEN));
		return -EINVAL;
	}
	if (p[15] >= 2) {
		if (avail < ACPI_RSDP_V2_LEN) {
			if (verbose)
				pr_err("RSDP at %#llx (revision %u): only %zu bytes readable, %u "
				       "needed, refused\n",
				       at, p[15], avail, ACPI_RSDP_V2_LEN);
			return -EINVAL;
		}
		len = get32(p, 20);
		if (len < ACPI_RSDP_V2_LEN || len > avail) {
			if (verbose)
				pr_err("RSDP at %#llx (revision %u) has length %u (must be %u..%zu), "
				       "refused\n",
				       at, p[15], len, ACPI_RSDP_V2_LEN, avail);
			return -EINVAL;
		}
		if (acpi_checksum(p, len)) {
			if (verbose)
				pr_err("RSDP at %#llx has extended checksum %#x over %u bytes (sum "
				       "must be 0), refused\n",
				       at, acpi_checksum(p, len), len);
			return -EINVAL;
		}
	}
	memset(out, 0, sizeof(*out));
	out->revision = p[15];
	out->length = len;
	memcpy(out->oem_id, p + 9, ACPI_OEM_ID_LEN);
	out->rsdt = get32(p, 16);
	out->xsdt = out->revision >= 2 ? get64(p, 24) : 0;
	out->root_is_xsdt = out->xsdt != 0;
	out->root = out->root_is_xsdt ? out->xsdt : out->rsdt;
	if (!out->root) {
		if (verbose)
			pr_err("RSDP at %#llx names neither an RSDT nor an XSDT, refused\n", at);
		return -EINVAL;
	}
	return 0;
}

/* acpi_rsdp_parse - see include/kernel/acpi.h. */
int acpi_rsdp_parse(const void *p, size_t avail, phys_addr_t phys, struct acpi_rsdp_info *out)
{
	return rsdp_check(p, avail, phys, out, true);
}

/* acpi_rsdp_scan - see include/kernel/acpi.h. */
long acpi_rsdp_scan(const void *p, size_t len)
{
	struct acpi_rsdp_info info;

	for (size_t off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16)
		if (!rsdp_check((const u8 *)p + off, len - off, 0, &info, false))
			return (long)off;
	return -ENOENT;
}

/* acpi_table_check - see include/kernel/acpi.h. */
int acpi_table_check(const void *p, size_t avail, const char *sig, phys_addr_t phys)
{
	unsigned long long at = phys;
	char found[ACPI_SIG_LEN + 1];
	const char *name;
	u32 len;
	u8 sum;

	if (avail < sizeof(struct acpi_table_header)) {
		pr_err("%s at %#llx: only %zu bytes readable, less than a table header, refused\n",
		       sig ? table_name(sig) : "table", at, avail);
		return -EINVAL;
	}
	sig_copy(found, p);
	name = table_name(found);
	if (sig && memcmp(p, sig, ACPI_SIG_LEN)) {
		pr_err("table at %#llx has signature \"%s\", expected \"%s\", refused\n", at, found,
		       sig);
		return -EINVAL;
	}
	len = get32(p, 4);
	if (len < sizeof(struct acpi_table_header) || len > avail || len > ACPI_TABLE_MAX_LEN) {
		pr_err("%s at %#llx has length %u (must be %zu..%zu), refused\n", name, at, len,
		       sizeof(struct acpi_table_header), min(avail, (size_t)ACPI_TABLE_MAX_LEN));
		return -EINVAL;
	}
	sum = acpi_checksum(p, len);
	if (sum) {
		pr_err("%s at %#llx has checksum %#x (sum must be 0), refused\n", name, at, sum);
		return -EINVAL;
	}
	return 0;
}

/* acpi_root_nr_entries - see include/kernel/acpi.h. */
unsigned int acpi_root_nr_entries(const struct acpi_table_header *table, bool xsdt)
{
	return (table->length - sizeof(*table)) / (xsdt ? 8 : 4);
}

/* acpi_root_entry - see include/kernel/acpi.h. */
phys_addr_t acpi_root_entry(const struct acpi_table_header *table, bool xsdt, unsigned int i)
{
	size_t off = sizeof(*table) + (size_t)i * (xsdt ? 8 : 4);

	return xsdt ? get64(table, off) : get32(table, off);
}

/* Is @apic_id already among the CPUs kept (the boot CPU included)? */
static bool madt_cpu_listed(const struct madt_state *s, u32 apic_id)
{
	if (s->bsp_seen && apic_id == s->bsp_apic_id)
		return true;
	for (unsigned int i = 1; i <= s->nr_others; i++)
		if (s->out->cpus[i].apic_id == apic_id)
			return true;
	return false;
}

/* One local APIC or x2APIC entry: keep, count or report it. */
static void madt_add_cpu(struct madt_state *s, unsigned int n, u32 apic_id, u32 uid, u32 flags)
{
	struct acpi_madt_info *out = s->out;

	if (!(flags & MADT_CPU_ENABLED)) {
		if (flags & MADT_CPU_ONLINE_CAPABLE)
			out->nr_cpus_online_capable++;
		else
			out->nr_cpus_disabled++;
		return;
	}
	if (madt_cpu_listed(s, apic_id)) {
		pr_warn("MADT: entry %u lists APIC ID %u again, ignored\n", n, apic_id);
		out->nr_duplicates++;
		return;
	}
	if (apic_id == s->bsp_apic_id) {
		s->bsp_seen = true;
		out->cpus[0].apic_id = apic_id;
		out->cpus[0].uid = uid;
		return;
	}
	if (s->nr_others + 1 >= NR_CPUS) {
		out->nr_cpus_over_limit++;
		return;
	}
	s->nr_others++;
	out->cpus[s->nr_others].apic_id = apic_id;
	out->cpus[s->nr_others].uid = uid;
}

static void madt_add_ioapic(struct acpi_madt_info *out, const u8 *e)
{
	if (out->nr_ioapics >= ACPI_MADT_MAX_IOAPICS) {
		out->nr_ioapics_skipped++;
		return;
	}
	out->ioapics[out->nr_ioapics].id = e[2];
	out->ioapics[out->nr_ioapics].phys = get32(e, 4);
	out->ioapics[out->nr_ioapics].gsi_base = get32(e, 8);
	out->nr_ioapics++;
}

static void madt_add_override(struct acpi_madt_info *out, unsigned int n, const u8 *e)
{
	if (e[2] != 0) {
		pr_warn("MADT: entry %u overrides IRQ %u of bus %u, not ISA (0), ignored\n", n,
			e[3], e[2]);
		out->nr_overrides_skipped++;
		return;
	}
	if (out->nr_overrides >= ACPI_MADT_MAX_OVERRIDES) {
		out->nr_overrides_skipped++;
		return;
	}
	out->overrides[out->nr_overrides].irq = e[3];
	out->overrides[out->nr_overrides].gsi = get32(e, 4);
	out->overrides[out->nr_overrides].flags = get16(e, 8);
	out->nr_overrides++;
}

static void madt_add_nmi(struct acpi_madt_info *out, u32 uid, u16 flags, u8 lint)
{
	unsigned int i = out->nr_nmis++;

	if (i >= ACPI_MADT_MAX_NMIS)
		return;
	out->nmis[i].uid = uid;
	out->nmis[i].flags = flags;
	out->nmis[i].lint = lint;
}

/* Record entry @n at @e (type and length already checked). */
static void madt_entry(struct madt_state *s, unsigned int n, const u8 *e)
{
	struct acpi_madt_info *out = s->out;

	switch (e[0]) {
	case MADT_LOCAL_APIC:
		if (e[3] == 0xff) { /* the broadcast ID: no CPU has it */
			out->nr_cpus_disabled++;
			break;
		}
		madt_add_cpu(s, n, e[3], e[2], get32(e, 4));
		break;
	case MADT_LOCAL_X2APIC:
		if (get32(e, 4) == 0xffffffffu) {
			out->nr_cpus_disabled++;
			break;
		}
		madt_add_cpu(s, n, get32(e, 4), get32(e, 12), get32(e, 8));
		break;
	case MADT_IO_APIC:
		madt_add_ioapic(out, e);
		break;
	case MADT_INT_OVERRIDE:
		madt_add_override(out, n, e);
		break;
	case MADT_LOCAL_APIC_NMI:
		madt_add_nmi(out, e[2] == 0xff ? ACPI_UID_NONE : e[2], get16(e, 3), e[5]);
		break;
	case MADT_LOCAL_X2APIC_NMI:
		madt_add_nmi(out, get32(e, 4), get16(e, 2), e[8]);
		break;
	case MADT_LAPIC_OVERRIDE:
		out->lapic_phys = get64(e, 4);
		break;
	default:
		out->nr_unknown++;
	}
}

/* Walk the entries of a checked MADT of @len bytes; -EINVAL on a malformed one. */
static int madt_walk(struct madt_state *s, const u8 *table, u32 len)
{
	unsigned int n = 0;

	for (u32 off = ACPI_MADT_HEAD_LEN; off < len; n++) {
		const u8 *e = table + off;
		u8 elen = off + 2 <= len ? e[1] : 0;

		if (elen < 2 || elen > len - off) {
			pr_err("MADT: entry %u (type %u) at offset %#x has length %u (must be "
			       "2..%u), refused\n",
			       n, off + 1 <= len ? e[0] : 0, off, elen, min(len - off, 255u));
			return -EINVAL;
		}
		if (e[0] < ARRAY_SIZE(madt_entry_min_len) && elen < madt_entry_min_len[e[0]]) {
			pr_err("MADT: entry %u (type %u) at offset %#x has length %u, its type needs "
			       "%u, refused\n",
			       n, e[0], off, elen, madt_entry_min_len[e[0]]);
			return -EINVAL;
		}
		madt_entry(s, n, e);
		off += elen;
	}
	return 0;
}

/* acpi_madt_parse - see include/kernel/acpi.h. */
int acpi_madt_parse(const void *table, size_t len, struct acpi_madt_info *out, u32 bsp_apic_id)
{
	struct madt_state s = { .out = out, .bsp_apic_id = bsp_apic_id };
	u32 tlen;

	memset(out, 0, sizeof(*out));
	if (acpi_table_check(table, len, "APIC", 0))
		goto out_refused;
	tlen = get32(table, 4);
	if (tlen < ACPI_MADT_HEAD_LEN) {
		pr_err("MADT has length %u, less than its %u-byte head, refused\n", tlen,
		       ACPI_MADT_HEAD_LEN);
		goto out_refused;
	}
	out->lapic_phys = get32(table, 36);
	out->pcat_compat = get32(table, 40) & ACPI_MADT_PCAT_COMPAT;
	if (madt_walk(&s, table, tlen))
		goto out_refused;
	if (!s.bsp_seen) {
		pr_err("MADT does not list the boot CPU (APIC ID %u) as enabled, refused\n",
		       bsp_apic_id);
		goto out_refused;
	}
	out->nr_cpus = 1 + s.nr_others;
	out->nr_cpus_skipped =
		out->nr_cpus_over_limit + out->nr_cpus_disabled + out->nr_cpus_online_capable;
	if (out->nr_cpus_over_limit)
		pr_warn("MADT: %u enabled CPUs beyond NR_CPUS (%u) skipped\n",
			out->nr_cpus_over_limit, NR_CPUS);
	if (out->nr_ioapics_skipped)
		pr_warn("MADT: %u I/O APICs beyond the first %u ignored\n", out->nr_ioapics_skipped,
			ACPI_MADT_MAX_IOAPICS);
	return 0;

out_refused:
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

/* acpi_madt_irq_to_gsi - see include/kernel/acpi.h. */
u32 acpi_madt_irq_to_gsi(const struct acpi_madt_info *madt, unsigned int irq, u16 *flags)
{
	for (unsigned int i = 0; i < madt->nr_overrides; i++) {
		if (madt->overrides[i].irq != irq)
			continue;
		if (flags)
			*flags = madt->overrides[i].flags;
		return madt->overrides[i].gsi;
	}
	if (flags)
		*flags = 0;
	return irq;
}
