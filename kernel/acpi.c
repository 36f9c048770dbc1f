/*
 * ACPI at boot: find the RSDP, map and check the root table and every table
 * it lists, parse the MADT into acpi_madt. The checks and parsers are the
 * pure functions of kernel/acpi_tables.c; this file owns the mappings.
 *
 * Mapping. The tables lie in firmware memory ("reserved" or "ACPI data" in
 * the memory map) that the direct map does not cover (paging_init() maps
 * usable RAM only), except the RSDP copy that GRUB puts in the multiboot2
 * information, which is RAM. acpi_map() therefore uses __va() when every
 * frame of a range is RAM and otherwise maps the frames with vmap_pfn(),
 * PAGE_KERNEL_RO: tables are normal memory, so write-back (not ioremap()'s
 * uncached), read-only and NX; a write-back memory-type reservation is held
 * while mapped so that no uncached mapping of the same frames can coexist.
 * A range that mixes RAM and firmware frames is refused. Every mapping is
 * undone before acpi_init() returns: only the parsed acpi_madt is kept.
 */
#define pr_fmt(fmt) "ACPI: " fmt

#include "asm/memtype.h"
#include "asm/page.h"
#include "asm/pgtable.h"
#include "asm/processor.h"
#include "kernel/acpi.h"
#include "kernel/errno.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"

/* The BIOS areas searched for the RSDP when the boot loader gave none. */
#define BDA_EBDA_SEGMENT 0x40e
#define EBDA_SEARCH_LEN	 1024
#define BIOS_ROM_START	 0xe0000
#define BIOS_ROM_END	 0x100000
#define LOW_MEM_END	 0xa0000

/* I/O APIC registers: an index at +0, the window at +0x10. */
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN    0x10
#define IOAPIC_VER    0x01

struct acpi_madt_info acpi_madt;

/* One mapping made by acpi_map(). */
struct acpi_mapping {
	const void *virt;  /* what the caller reads: the address of phys */
	void *area;	   /* the vmap_pfn() area, NULL for the direct map */
	phys_addr_t start; /* page-aligned range of the memory-type reservation */
	phys_addr_t end;
};

/* How many frames of [first, last] are RAM (direct-mapped). */
static unsigned long ram_frames(unsigned long first, unsigned long last)
{
	unsigned long n = 0;

	for (unsigned long pfn = first; pfn <= last; pfn++)
		n += pfn_valid(pfn);
	return n;
}

/* Map the @count firmware frames from @first with vmap_pfn(), a write-back type reserved. */
static int acpi_vmap(struct acpi_mapping *m, unsigned long first, unsigned long count,
		     phys_addr_t phys)
{
	unsigned long *pfns = kmalloc(count * sizeof(*pfns), GFP_KERNEL);
	int err = -ENOMEM;

	if (!pfns)
		return err;
	for (unsigned long i = 0; i < count; i++)
		pfns[i] = first + i;
	m->start = PFN_PHYS(first);
	m->end = PFN_PHYS(first + count);
	if (memtype_reserve(m->start, m->end, MEMTYPE_WB, "acpi_map", __builtin_return_address(0)))
		goto out_free;
	m->area = vmap_pfn(pfns, count, PAGE_KERNEL_RO);
	if (m->area) {
		m->virt = (const u8 *)m->area + (phys & ~PAGE_MASK);
		err = 0;
	} else {
		memtype_free(m->start, m->end);
	}
out_free:
	kfree(pfns);
	return err;
}

/*
 * Map [phys, phys + len) read-only. Returns the address of @phys, or NULL
 * with a message naming @what.
 */
static const void *acpi_map(struct acpi_mapping *m, phys_addr_t phys, size_t len, const char *what)
{
	phys_addr_t last = phys + len - 1;
	unsigned long first, count, ram;
	int err;

	memset(m, 0, sizeof(*m));
	if (!len || last < phys || last > cpu_phys_addr_limit()) {
		pr_err("%s at %#llx (%zu bytes) lies beyond the CPU's physical addresses, refused\n",
		       what, (unsigned long long)phys, len);
		return NULL;
	}
	first = PHYS_PFN(phys);
	count = PHYS_PFN(last) - first + 1;
	ram = ram_frames(first, first + count - 1);
	if (ram == count) {
		m->virt = __va(phys);
		return m->virt;
	}
	if (ram) {
		pr_err("%s at %#llx (%zu bytes) straddles RAM and firmware memory, refused\n", what,
		       (unsigned long long)phys, len);
		return NULL;
	}
	err = acpi_vmap(m, first, count, phys);
	if (err) {
		pr_err("%s at %#llx (%zu bytes): cannot map it (%d)\n", what,
		       (unsigned long long)phys, len, err);
		return NULL;
	}
	return m->virt;
}

/*
 * Undo acpi_map(). vunmap() defers the TLB flush to the lazy purge; flush
 * the range now, so that no write-back translation outlives the memory-type
 * reservation (a later uncached mapping of the frames could alias it).
 */
static void acpi_unmap(struct acpi_mapping *m)
{
	if (m->area) {
		unsigned long addr = (unsigned long)m->area;

		vunmap(m->area);
		flush_tlb_kernel_range(addr, addr + (unsigned long)(m->end - m->start));
		memtype_free(m->start, m->end);
	}
	memset(m, 0, sizeof(*m));
}

/* acpi_boot_cpu_apic_id - see include/kernel/acpi.h. */
u32 acpi_boot_cpu_apic_id(void)
{
	u32 a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 0xb) {
		cpuid(0xb, 0, &a, &b, &c, &d);
		if (b)
			return d;
	}
	cpuid(1, 0, &a, &b, &c, &d);
	return b >> 24;
}

/* Copy @n bytes of a table's text field, unprintable bytes as '?'. */
static void text_copy(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

/* "ACPI: APIC 0x000000007FFE2C89 000078 (v01 BOCHS  BXPC     00000001 BXPC 00000001)" */
static void acpi_print_table(const struct acpi_table_header *h, phys_addr_t phys)
{
	char sig[ACPI_SIG_LEN + 1], oem[ACPI_OEM_ID_LEN + 1], tid[ACPI_OEM_TABLE_ID_LEN + 1];
	char asl[ACPI_SIG_LEN + 1];

	text_copy(sig, h->signature, ACPI_SIG_LEN);
	text_copy(oem, h->oem_id, ACPI_OEM_ID_LEN);
	text_copy(tid, h->oem_table_id, ACPI_OEM_TABLE_ID_LEN);
	text_copy(asl, h->asl_compiler_id, ACPI_SIG_LEN);
	pr_info("%-4s 0x%016llX %06X (v%02u %-6s %-8s %08X %-4s %08X)\n", sig,
		(unsigned long long)phys, h->length, h->revision, oem, tid, h->oem_revision, asl,
		h->asl_compiler_revision);
}

/* Check the RSDP at @p (@avail bytes) found at @phys; print its line. */
static int acpi_rsdp_accept(const void *p, size_t avail, phys_addr_t phys,
			    struct acpi_rsdp_info *rsdp)
{
	char oem[ACPI_OEM_ID_LEN + 1];

	if (acpi_rsdp_parse(p, avail, phys, rsdp))
		return -EINVAL;
	text_copy(oem, rsdp->oem_id, ACPI_OEM_ID_LEN);
	pr_info("RSDP 0x%016llX %06X (v%02u %-6s)\n", (unsigned long long)phys, rsdp->length,
		rsdp->revision, oem);
	return 0;
}

/* Search [start, start + len) of low memory for the RSDP. */
static int acpi_rsdp_search(phys_addr_t start, size_t len, struct acpi_rsdp_info *rsdp)
{
	struct acpi_mapping m;
	const u8 *p = acpi_map(&m, start, len, "BIOS area");
	long off;
	int err = -ENOENT;

	if (!p)
		return err;
	off = acpi_rsdp_scan(p, len);
	if (off >= 0)
		err = acpi_rsdp_accept(p + off, len - off, start + off, rsdp);
	acpi_unmap(&m);
	return err;
}

/* The EBDA's base from the BIOS data area, 0 when it does not look like one. */
static phys_addr_t ebda_base(void)
{
	struct acpi_mapping m;
	const u8 *p = acpi_map(&m, BDA_EBDA_SEGMENT, 2, "BIOS data area");
	phys_addr_t base;
	u16 seg;

	if (!p)
		return 0;
	memcpy(&seg, p, sizeof(seg));
	acpi_unmap(&m);
	base = (phys_addr_t)seg << 4;
	return base >= 0x400 && base + EBDA_SEARCH_LEN <= LOW_MEM_END ? base : 0;
}

/* acpi_rsdp_search_bios - see include/kernel/acpi.h. */
int acpi_rsdp_search_bios(struct acpi_rsdp_info *rsdp)
{
	phys_addr_t ebda = ebda_base();

	if (ebda && !acpi_rsdp_search(ebda, EBDA_SEARCH_LEN, rsdp))
		return 0;
	if (!acpi_rsdp_search(BIOS_ROM_START, BIOS_ROM_END - BIOS_ROM_START, rsdp))
		return 0;
	return -ENOENT;
}

/* The RSDP: the boot loader's copy, else the BIOS areas (ACPI 6.5, 5.2.5.1). */
static int acpi_find_rsdp(struct acpi_rsdp_info *rsdp)
{
	if (boot_info.rsdp_phys) {
		size_t len = boot_info.rsdp_revision >= 2 ? ACPI_RSDP_V2_LEN : ACPI_RSDP_V1_LEN;
		struct acpi_mapping m;
		const void *p = acpi_map(&m, boot_info.rsdp_phys, len, "RSDP");
		int err;

		if (!p)
			return -EINVAL;
		err = acpi_rsdp_accept(p, len, boot_info.rsdp_phys, rsdp);
		acpi_unmap(&m);
		return err;
	}
	if (!acpi_rsdp_search_bios(rsdp))
		return 0;
	pr_info("no RSDP from the boot loader or in the BIOS areas\n");
	return -ENOENT;
}

/*
 * Map the table at @phys whole and check it (signature @sig unless NULL):
 * its header first, which is printed and gives the length, then all of it.
 * Returns the mapped table, or NULL with a message.
 */
static const struct acpi_table_header *acpi_map_table(struct acpi_mapping *m, phys_addr_t phys,
						      const char *sig)
{
	const char *what = sig ? sig : "table";
	const struct acpi_table_header *h;
	bool bad_sig;
	u32 len;

	h = acpi_map(m, phys, sizeof(*h), what);
	if (!h)
		return NULL;
	acpi_print_table(h, phys);
	len = h->length;
	bad_sig = sig && memcmp(h->signature, sig, ACPI_SIG_LEN);
	acpi_unmap(m);
	if (bad_sig) {
		pr_err("table at %#llx is not the %s expected there, refused\n",
		       (unsigned long long)phys, sig);
		return NULL;
	}
	if (len < sizeof(*h) || len > ACPI_TABLE_MAX_LEN) {
		pr_err("%s at %#llx has length %u (must be %zu..%u), refused\n", what,
		       (unsigned long long)phys, len, sizeof(*h), ACPI_TABLE_MAX_LEN);
		return NULL;
	}
	h = acpi_map(m, phys, len, what);
	if (h && acpi_table_check(h, len, sig, phys)) {
		acpi_unmap(m);
		return NULL;
	}
	return h;
}

/*
 * Walk the root table @root: map, check and print every table it lists and
 * parse the first MADT. Returns 0, -ENOENT without a MADT, or -EINVAL.
 */
static int acpi_walk_root(const struct acpi_table_header *root, bool xsdt, u32 bsp_apic_id,
			  struct acpi_madt_info *out)
{
	unsigned int n = acpi_root_nr_entries(root, xsdt);
	int err = -ENOENT;

	for (unsigned int i = 0; i < n; i++) {
		phys_addr_t phys = acpi_root_entry(root, xsdt, i);
		struct acpi_mapping m;
		const struct acpi_table_header *h;

		if (!phys) {
			pr_warn("%s entry %u is 0, skipped\n", xsdt ? "XSDT" : "RSDT", i);
			continue;
		}
		h = acpi_map_table(&m, phys, NULL);
		if (!h) {
			if (err == -ENOENT)
				err = -EINVAL; /* it may have been the MADT */
			continue;
		}
		if (err && !memcmp(h->signature, "APIC", ACPI_SIG_LEN))
			err = acpi_madt_parse(h, h->length, out, bsp_apic_id);
		acpi_unmap(&m);
	}
	if (err == -ENOENT)
		pr_info("no MADT in the %s\n", xsdt ? "XSDT" : "RSDT");
	return err;
}

/* The root table the RSDP names: the XSDT, or the RSDT when the XSDT is refused. */
static int acpi_parse_root(const struct acpi_rsdp_info *rsdp, u32 bsp_apic_id,
			   struct acpi_madt_info *out)
{
	struct acpi_mapping m;
	const struct acpi_table_header *root = NULL;
	bool xsdt = rsdp->root_is_xsdt;
	int err;

	if (xsdt) {
		root = acpi_map_table(&m, rsdp->xsdt, "XSDT");
		if (!root && rsdp->rsdt)
			pr_warn("XSDT refused, trying the RSDT at %#llx\n",
				(unsigned long long)rsdp->rsdt);
		xsdt = root != NULL;
	}
	if (!root && rsdp->rsdt)
		root = acpi_map_table(&m, rsdp->rsdt, "RSDT");
	if (!root)
		return -EINVAL;
	err = acpi_walk_root(root, xsdt, bsp_apic_id, out);
	acpi_unmap(&m);
	return err;
}

/*
 * How many GSIs each I/O APIC has, from its version register (uncached
 * MMIO). Only acpi_init() reads the registers: afterwards the I/O APIC
 * driver owns the select/window pair, and a rescan takes the counts from
 * acpi_madt instead.
 */
static void acpi_read_ioapic_sizes(struct acpi_madt_info *madt)
{
	for (unsigned int i = 0; i < madt->nr_ioapics; i++) {
		u32 phys = madt->ioapics[i].phys, ver;
		volatile u32 *regs;

		if (phys & 0xf) {
			pr_err("MADT: I/O APIC %u at %#x is not 16-byte aligned, not read\n", i,
			       phys);
			continue;
		}
		regs = ioremap(phys, IOAPIC_WIN + 4);
		if (!regs)
			continue; /* ioremap said why; nr_gsis stays 0 */
		regs[IOAPIC_REGSEL / 4] = IOAPIC_VER;
		ver = regs[IOAPIC_WIN / 4];
		iounmap(regs);
		if (ver == 0xffffffffu) {
			pr_err("MADT: I/O APIC %u at %#x reads all ones: no device there?\n", i,
			       phys);
			continue;
		}
		madt->ioapics[i].nr_gsis = ((ver >> 16) & 0xff) + 1;
	}
}

/* A rescan's I/O APIC sizes: those acpi_init() read from the same addresses. */
static void acpi_copy_ioapic_sizes(struct acpi_madt_info *out)
{
	for (unsigned int i = 0; i < out->nr_ioapics; i++)
		for (unsigned int j = 0; j < acpi_madt.nr_ioapics; j++)
			if (acpi_madt.ioapics[j].phys == out->ioapics[i].phys)
				out->ioapics[i].nr_gsis = acpi_madt.ioapics[j].nr_gsis;
}

/* The polarity and trigger of MPS INTI flags, in Linux's words ("dfl": the bus's, ISA: high edge). */
static const char *mps_polarity_name(u16 flags)
{
	static const char *const names[] = { "dfl", "high", "res", "low" };

	return names[flags & ACPI_MPS_POLARITY_MASK];
}

static const char *mps_trigger_name(u16 flags)
{
	static const char *const names[] = { "dfl", "edge", "res", "level" };

	return names[(flags & ACPI_MPS_TRIGGER_MASK) >> 2];
}

/* acpi_madt_print - see include/kernel/acpi.h. */
void acpi_madt_print(const struct acpi_madt_info *madt)
{
	pr_info("MADT: %u CPU%s (APIC IDs", madt->nr_cpus, madt->nr_cpus == 1 ? "" : "s");
	for (unsigned int i = 0; i < madt->nr_cpus; i++)
		pr_cont(" %u", madt->cpus[i].apic_id);
	pr_cont(")");
	if (madt->nr_cpus_skipped)
		pr_cont(" + %u skipped", madt->nr_cpus_skipped);
	pr_cont(", %u I/O APIC%s", madt->nr_ioapics, madt->nr_ioapics == 1 ? "" : "s");
	for (unsigned int i = 0; i < madt->nr_ioapics; i++) {
		u32 base = madt->ioapics[i].gsi_base, n = madt->ioapics[i].nr_gsis;

		pr_cont(" at %#x", madt->ioapics[i].phys);
		if (n)
			pr_cont(" (GSI %u-%u)", base, base + n - 1);
		else
			pr_cont(" (GSI %u-)", base);
	}
	pr_cont(", %u override%s, LAPIC at %#llx\n", madt->nr_overrides,
		madt->nr_overrides == 1 ? "" : "s", (unsigned long long)madt->lapic_phys);
	for (unsigned int i = 0; i < madt->nr_overrides; i++) {
		u16 f = madt->overrides[i].flags;

		pr_info("MADT: ISA IRQ %u -> GSI %u (%s %s)\n", madt->overrides[i].irq,
			madt->overrides[i].gsi, mps_polarity_name(f), mps_trigger_name(f));
	}
}

/* acpi_tables_scan - see include/kernel/acpi.h. */
int acpi_tables_scan(struct acpi_madt_info *out)
{
	struct acpi_rsdp_info rsdp;
	int err;

	memset(out, 0, sizeof(*out));
	err = acpi_find_rsdp(&rsdp);
	if (!err)
		err = acpi_parse_root(&rsdp, acpi_boot_cpu_apic_id(), out);
	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	acpi_copy_ioapic_sizes(out);
	return 0;
}

/* acpi_init - see include/kernel/acpi.h. */
int acpi_init(void)
{
	int err = acpi_tables_scan(&acpi_madt);

	if (err) {
		pr_warn("no usable MADT: running on the boot CPU only (APIC ID %u)\n",
			acpi_boot_cpu_apic_id());
		return err;
	}
	acpi_read_ioapic_sizes(&acpi_madt);
	acpi_madt_print(&acpi_madt);
	return 0;
}

/* acpi_isa_irq_to_gsi - see include/kernel/acpi.h. */
u32 acpi_isa_irq_to_gsi(unsigned int irq, u16 *flags)
{
	return acpi_madt_irq_to_gsi(&acpi_madt, irq, flags);
}
