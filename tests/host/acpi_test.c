/*
 * Host tests for kernel/acpi_tables.c, the pure ACPI parsers. Each test
 * builds a table (MADT, RSDT, XSDT) or an RSDP in a buffer with the helpers
 * below, fixes its length and checksum unless the test breaks them on
 * purpose, copies it into a malloc() of exactly the readable size (so ASan
 * catches any read past the end) and checks the parsed result, the return
 * value and the message. A fuzz loop feeds mutated MADTs to the parser and
 * checks the invariants of struct acpi_madt_info.
 */
#include "host_shim.h"

#undef pr_fmt
#include "../../kernel/acpi_tables.c"
#include "lib/random.h"

#define BSP 0u

/* A table under construction. */
struct tbl {
	u8 buf[4096];
	size_t len;
};

static struct tbl tb;
static struct acpi_madt_info info;

static void put16(u8 *p, u16 v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, sizeof(v));
}

/* Start a table with signature @sig and a QEMU-like header. */
static void tbl_init(struct tbl *t, const char *sig)
{
	memset(t->buf, 0, sizeof(t->buf));
	memcpy(t->buf, sig, 4);
	t->buf[8] = 1;
	memcpy(t->buf + 10, "BOCHS ", 6);
	memcpy(t->buf + 16, "BXPC    ", 8);
	t->len = sizeof(struct acpi_table_header);
}

static void tbl_add(struct tbl *t, const void *p, size_t n)
{
	assert_true(t->len + n <= sizeof(t->buf));
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

/* Write the length field and the checksum. */
static void tbl_seal(struct tbl *t)
{
	put32(t->buf + 4, (u32)t->len);
	t->buf[9] = 0;
	t->buf[9] = (u8)-acpi_checksum(t->buf, t->len);
}

/* A MADT head: local APIC at 0xfee00000, PC-AT compatible. */
static void madt_init(struct tbl *t)
{
	u8 head[8];

	tbl_init(t, "APIC");
	put32(head, 0xfee00000u);
	put32(head + 4, 1);
	tbl_add(t, head, sizeof(head));
}

static void madt_lapic(struct tbl *t, u8 uid, u8 apic_id, u32 flags)
{
	u8 e[8] = { 0, 8, uid, apic_id };

	put32(e + 4, flags);
	tbl_add(t, e, sizeof(e));
}

static void madt_x2apic(struct tbl *t, u32 apic_id, u32 uid, u32 flags)
{
	u8 e[16] = { 9, 16 };

	put32(e + 4, apic_id);
	put32(e + 8, flags);
	put32(e + 12, uid);
	tbl_add(t, e, sizeof(e));
}

static void madt_ioapic(struct tbl *t, u8 id, u32 phys, u32 gsi_base)
{
	u8 e[12] = { 1, 12, id };

	put32(e + 4, phys);
	put32(e + 8, gsi_base);
	tbl_add(t, e, sizeof(e));
}

static void madt_override(struct tbl *t, u8 bus, u8 irq, u32 gsi, u16 flags)
{
	u8 e[10] = { 2, 10, bus, irq };

	put32(e + 4, gsi);
	put16(e + 8, flags);
	tbl_add(t, e, sizeof(e));
}

static void madt_nmi(struct tbl *t, u8 uid, u16 flags, u8 lint)
{
	u8 e[6] = { 4, 6, uid };

	put16(e + 3, flags);
	e[5] = lint;
	tbl_add(t, e, sizeof(e));
}

/* What QEMU's SeaBIOS builds for -smp @n: CPUs 0..n-1, one I/O APIC, 5 overrides, an NMI. */
static void madt_qemu(struct tbl *t, unsigned int n)
{
	madt_init(t);
	for (unsigned int i = 0; i < n; i++)
		madt_lapic(t, i, i, 1);
	madt_ioapic(t, 0, 0xfec00000u, 0);
	madt_override(t, 0, 0, 2, 0);
	madt_override(t, 0, 5, 5, 0xd);
	madt_override(t, 0, 9, 9, 0xd);
	madt_override(t, 0, 10, 10, 0xd);
	madt_override(t, 0, 11, 11, 0xd);
	madt_nmi(t, 0xff, 0, 1);
}

/* Parse the first @avail bytes of @t from an exact-size heap copy. */
static int madt_parse_avail(const struct tbl *t, size_t avail, u32 bsp)
{
	u8 *p = malloc(avail ? avail : 1);
	int ret;

	memcpy(p, t->buf, avail);
	shim_log_clear();
	ret = acpi_madt_parse(p, avail, &info, bsp);
	free(p);
	return ret;
}

static int madt_parse(const struct tbl *t, u32 bsp)
{
	return madt_parse_avail(t, t->len, bsp);
}

static void expect_log(const char *needle)
{
	if (!shim_log_has(needle))
		fail_msg("expected \"%s\" in: %s", needle, shim_log);
}

static void expect_refused(int ret, const char *needle)
{
	static const struct acpi_madt_info zero;

	assert_int_equal(ret, -EINVAL);
	assert_int_equal(info.nr_cpus, 0);
	assert_memory_equal(&info, &zero, sizeof(info));
	expect_log(needle);
}

static void test_good_madt(void **state)
{
	(void)state;
	madt_qemu(&tb, 4);
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, BSP), 0);
	assert_int_equal(info.nr_cpus, 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(info.cpus[i].apic_id, i);
		assert_int_equal(info.cpus[i].uid, i);
	}
	assert_int_equal(info.nr_cpus_skipped, 0);
	assert_int_equal(info.lapic_phys, 0xfee00000u);
	assert_true(info.pcat_compat);
	assert_int_equal(info.nr_ioapics, 1);
	assert_int_equal(info.ioapics[0].phys, 0xfec00000u);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.nr_overrides, 5);
	assert_int_equal(info.overrides[0].irq, 0);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.overrides[1].flags, 0xd);
	assert_int_equal(info.nr_nmis, 1);
	assert_int_equal(info.nmis[0].uid, ACPI_UID_NONE);
	assert_int_equal(info.nmis[0].lint, 1);
	assert_int_equal(info.nr_unknown, 0);
	assert_int_equal(shim_log_len, 0); /* a good table is parsed silently */
}

static void test_bad_checksum(void **state)
{
	(void)state;
	madt_qemu(&tb, 2);
	tbl_seal(&tb);
	tb.buf[9] += 0x3c;
	expect_refused(madt_parse(&tb, BSP),
		       "MADT at 0 has checksum 0x3c (sum must be 0), refused");
}

static void test_bad_signature(void **state)
{
	(void)state;
	madt_qemu(&tb, 2);
	memcpy(tb.buf, "APIX", 4);
	tbl_seal(&tb);
	expect_refused(madt_parse(&tb, BSP), "has signature \"APIX\", expected \"APIC\"");
}

/* The length field says more than can be read, or less than the header. */
static void test_truncated_length(void **state)
{
	(void)state;
	madt_qemu(&tb, 2);
	tbl_seal(&tb);
	expect_refused(madt_parse_avail(&tb, tb.len - 1, BSP), "has length");
	expect_refused(madt_parse_avail(&tb, 20, BSP), "less than a table header");

	put32(tb.buf + 4, 30);
	expect_refused(madt_parse(&tb, BSP), "has length 30");

	/* A valid header but shorter than the MADT's 44-byte head. */
	tbl_init(&tb, "APIC");
	tbl_add(&tb, "\0\0\0\0", 4);
	tbl_seal(&tb);
	expect_refused(madt_parse(&tb, BSP), "less than its 44-byte head");
}

static void test_entry_length_zero(void **state)
{
	static const u8 zero_len[2] = { 0, 0 };

	(void)state;
	madt_qemu(&tb, 2);
	tbl_add(&tb, zero_len, sizeof(zero_len));
	tbl_seal(&tb);
	expect_refused(madt_parse(&tb, BSP), "has length 0 (must be 2..");
}

static void test_entry_length_one(void **state)
{
	static const u8 one_len[2] = { 0x7f, 1 };

	(void)state;
	madt_qemu(&tb, 2);
	tbl_add(&tb, one_len, sizeof(one_len));
	tbl_seal(&tb);
	expect_refused(madt_parse(&tb, BSP), "has length 1 (must be 2..");
}

/* The last entry claims 8 bytes but the table ends 4 bytes later. */
static void test_entry_past_end(void **state)
{
	static const u8 e[4] = { 0, 8, 5, 5 };

	(void)state;
	madt_qemu(&tb, 2);
	tbl_add(&tb, e, sizeof(e));
	tbl_seal(&tb);
	expect_refused(madt_parse(&tb, BSP), "has length 8 (must be 2..4)");
}

/* A single trailing byte: there is no room for the length byte itself. */
static void test_entry_one_trailing_byte(void **state)
{
	(void)state;
	madt_qemu(&tb, 2);
	tbl_add(&tb, "\0", 1);
	tbl_seal(&tb);
	expect_refused(madt_parse(&tb, BSP), "has length 0");
}

/* A local APIC entry of 6 bytes is within the table but shorter than its layout. */
static void test_entry_shorter_than_type(void **state)
{
	static const u8 e[6] = { 0, 6, 1, 1, 1, 0 };

	(void)state;
	madt_qemu(&tb, 1);
	tbl_add(&tb, e, sizeof(e));
	tbl_seal(&tb);
	expect_refused(madt_parse(&tb, BSP), "its type needs 8");
}

static void test_unknown_types_skipped(void **state)
{
	static const u8 gicc[8] = { 0xb, 8 }, oem[3] = { 0x80, 3, 0xaa };

	(void)state;
	madt_qemu(&tb, 2);
	tbl_add(&tb, gicc, sizeof(gicc));
	tbl_add(&tb, oem, sizeof(oem));
	madt_lapic(&tb, 2, 2, 1); /* entries after the unknown ones are still read */
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, BSP), 0);
	assert_int_equal(info.nr_unknown, 2);
	assert_int_equal(info.nr_cpus, 3);
	assert_int_equal(info.cpus[2].apic_id, 2);
}

static void test_duplicate_apic_ids(void **state)
{
	(void)state;
	madt_init(&tb);
	madt_lapic(&tb, 0, 0, 1);
	madt_lapic(&tb, 1, 1, 1);
	madt_lapic(&tb, 2, 1, 1);  /* APIC ID 1 again */
	madt_x2apic(&tb, 0, 3, 1); /* the BSP again, as an x2APIC */
	madt_lapic(&tb, 4, 2, 1);
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, BSP), 0);
	assert_int_equal(info.nr_cpus, 3);
	assert_int_equal(info.cpus[0].apic_id, 0);
	assert_int_equal(info.cpus[0].uid, 0); /* the first entry wins */
	assert_int_equal(info.cpus[1].apic_id, 1);
	assert_int_equal(info.cpus[1].uid, 1);
	assert_int_equal(info.cpus[2].apic_id, 2);
	assert_int_equal(info.nr_duplicates, 2);
	expect_log("entry 2 lists APIC ID 1 again, ignored");
	expect_log("entry 3 lists APIC ID 0 again, ignored");
}

static void test_more_cpus_than_nr_cpus(void **state)
{
	(void)state;
	madt_init(&tb);
	for (unsigned int i = 0; i < NR_CPUS + 4; i++)
		madt_lapic(&tb, i, i, 1);
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, BSP), 0);
	assert_int_equal(info.nr_cpus, NR_CPUS);
	assert_int_equal(info.nr_cpus_over_limit, 4);
	assert_int_equal(info.nr_cpus_skipped, 4);
	for (unsigned int i = 0; i < NR_CPUS; i++)
		assert_int_equal(info.cpus[i].apic_id, i);
	expect_log("4 enabled CPUs beyond NR_CPUS (16) skipped");
}

/* The BSP listed last of 20: it is kept (first), one more of the others is dropped. */
static void test_bsp_beyond_nr_cpus(void **state)
{
	const u32 bsp = NR_CPUS + 3;

	(void)state;
	madt_init(&tb);
	for (unsigned int i = 0; i <= bsp; i++)
		madt_lapic(&tb, i, i, 1);
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, bsp), 0);
	assert_int_equal(info.nr_cpus, NR_CPUS);
	assert_int_equal(info.cpus[0].apic_id, bsp);
	for (unsigned int i = 1; i < NR_CPUS; i++)
		assert_int_equal(info.cpus[i].apic_id, i - 1);
	assert_int_equal(info.nr_cpus_over_limit, 4);
}

static void test_bsp_not_first(void **state)
{
	(void)state;
	madt_init(&tb);
	madt_lapic(&tb, 0, 4, 1);
	madt_lapic(&tb, 1, 6, 1);
	madt_lapic(&tb, 2, 2, 1); /* the boot CPU */
	madt_lapic(&tb, 3, 0, 1);
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, 2), 0);
	assert_int_equal(info.nr_cpus, 4);
	assert_int_equal(info.cpus[0].apic_id, 2);
	assert_int_equal(info.cpus[0].uid, 2);
	assert_int_equal(info.cpus[1].apic_id, 4); /* the others keep the firmware's order */
	assert_int_equal(info.cpus[2].apic_id, 6);
	assert_int_equal(info.cpus[3].apic_id, 0);
}

static void test_bsp_missing_refused(void **state)
{
	(void)state;
	madt_init(&tb);
	madt_lapic(&tb, 0, 1, 1);
	madt_lapic(&tb, 1, 2, 1);
	madt_lapic(&tb, 2, 0, 0); /* the boot CPU, but disabled */
	tbl_seal(&tb);
	expect_refused(madt_parse(&tb, 0), "does not list the boot CPU (APIC ID 0) as enabled");
}

static void test_disabled_and_online_capable(void **state)
{
	(void)state;
	madt_init(&tb);
	madt_lapic(&tb, 0, 0, 1);
	madt_lapic(&tb, 1, 1, 0);	     /* disabled */
	madt_lapic(&tb, 2, 2, 2);	     /* online-capable, not enabled */
	madt_lapic(&tb, 3, 0xff, 1);	     /* the broadcast ID: unusable */
	madt_x2apic(&tb, 0xffffffffu, 4, 1); /* likewise */
	madt_lapic(&tb, 5, 3, 3);	     /* enabled and online-capable: enabled */
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, BSP), 0);
	assert_int_equal(info.nr_cpus, 2);
	assert_int_equal(info.cpus[1].apic_id, 3);
	assert_int_equal(info.nr_cpus_disabled, 3);
	assert_int_equal(info.nr_cpus_online_capable, 1);
	assert_int_equal(info.nr_cpus_skipped, 4);
}

static void test_x2apic_and_lapic_override(void **state)
{
	u8 ovr[12] = { 5, 12 };
	u8 nmi[12] = { 0xa, 12 };

	(void)state;
	madt_init(&tb);
	madt_x2apic(&tb, 0x100, 7, 1);
	madt_x2apic(&tb, 0x101, 8, 1);
	put64(ovr + 4, 0x1fee00000ULL);
	tbl_add(&tb, ovr, sizeof(ovr));
	put16(nmi + 2, 0x5);
	put32(nmi + 4, 8);
	nmi[8] = 1;
	tbl_add(&tb, nmi, sizeof(nmi));
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, 0x100), 0);
	assert_int_equal(info.nr_cpus, 2);
	assert_int_equal(info.cpus[0].apic_id, 0x100);
	assert_int_equal(info.cpus[0].uid, 7);
	assert_int_equal(info.cpus[1].apic_id, 0x101);
	assert_int_equal(info.lapic_phys, 0x1fee00000ULL);
	assert_int_equal(info.nr_nmis, 1);
	assert_int_equal(info.nmis[0].uid, 8);
	assert_int_equal(info.nmis[0].flags, 5);
	assert_int_equal(info.nmis[0].lint, 1);
}

static void test_ioapics_and_overrides_limits(void **state)
{
	(void)state;
	madt_init(&tb);
	madt_lapic(&tb, 0, 0, 1);
	for (unsigned int i = 0; i < ACPI_MADT_MAX_IOAPICS + 2; i++)
		madt_ioapic(&tb, i, 0xfec00000u + i * 0x1000, i * 24);
	for (unsigned int i = 0; i < ACPI_MADT_MAX_OVERRIDES + 1; i++)
		madt_override(&tb, 0, i, i + 1, 0);
	madt_override(&tb, 1, 3, 30, 0); /* not ISA */
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, BSP), 0);
	assert_int_equal(info.nr_ioapics, ACPI_MADT_MAX_IOAPICS);
	assert_int_equal(info.ioapics[3].gsi_base, 72);
	assert_int_equal(info.nr_ioapics_skipped, 2);
	assert_int_equal(info.nr_overrides, ACPI_MADT_MAX_OVERRIDES);
	assert_int_equal(info.nr_overrides_skipped, 2);
	expect_log("2 I/O APICs beyond the first 4 ignored");
	expect_log("overrides IRQ 3 of bus 1, not ISA (0), ignored");
}

static void test_override_lookup(void **state)
{
	u16 flags = 0xffff;

	(void)state;
	madt_qemu(&tb, 1);
	tbl_seal(&tb);
	assert_int_equal(madt_parse(&tb, BSP), 0);
	assert_int_equal(acpi_madt_irq_to_gsi(&info, 0, &flags), 2);
	assert_int_equal(flags, 0);
	assert_int_equal(acpi_madt_irq_to_gsi(&info, 9, &flags), 9);
	assert_int_equal(flags, ACPI_MPS_POLARITY_HIGH | ACPI_MPS_TRIGGER_LEVEL);
	flags = 0xffff;
	assert_int_equal(acpi_madt_irq_to_gsi(&info, 4, &flags), 4); /* identity */
	assert_int_equal(flags, 0);
	assert_int_equal(acpi_madt_irq_to_gsi(&info, 0, NULL), 2);

	memset(&info, 0, sizeof(info)); /* no MADT: identity everywhere */
	assert_int_equal(acpi_madt_irq_to_gsi(&info, 0, &flags), 0);
}

/* ---- RSDP ---- */

static u8 rsdp[64];

/* An RSDP of @revision naming @rsdt and (revision 2) @xsdt, both checksums right. */
static void rsdp_build(u8 revision, u32 rsdt, u64 xsdt)
{
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "BOCHS ", 6);
	rsdp[15] = revision;
	put32(rsdp + 16, rsdt);
	rsdp[8] = (u8)-acpi_checksum(rsdp, ACPI_RSDP_V1_LEN);
	if (revision >= 2) { /* the extended checksum covers the first one */
		put32(rsdp + 20, ACPI_RSDP_V2_LEN);
		put64(rsdp + 24, xsdt);
		rsdp[32] = (u8)-acpi_checksum(rsdp, ACPI_RSDP_V2_LEN);
	}
}

static int rsdp_parse(size_t avail, struct acpi_rsdp_info *out)
{
	u8 *p = malloc(avail);
	int ret;

	memcpy(p, rsdp, avail);
	shim_log_clear();
	ret = acpi_rsdp_parse(p, avail, 0xf52a0, out);
	free(p);
	return ret;
}

static void test_rsdp_xsdt_vs_rsdt(void **state)
{
	struct acpi_rsdp_info r;

	(void)state;
	rsdp_build(0, 0x7ffe1bef, 0);
	assert_int_equal(rsdp_parse(ACPI_RSDP_V1_LEN, &r), 0);
	assert_false(r.root_is_xsdt);
	assert_int_equal(r.root, 0x7ffe1bef);
	assert_int_equal(r.length, ACPI_RSDP_V1_LEN);
	assert_string_equal(r.oem_id, "BOCHS ");

	rsdp_build(2, 0x3f77d000, 0x3f77d0e8);
	assert_int_equal(rsdp_parse(ACPI_RSDP_V2_LEN, &r), 0);
	assert_true(r.root_is_xsdt);
	assert_int_equal(r.root, 0x3f77d0e8);
	assert_int_equal(r.rsdt, 0x3f77d000);

	/* Revision 2 with no XSDT address: the RSDT. */
	rsdp_build(2, 0x3f77d000, 0);
	assert_int_equal(rsdp_parse(ACPI_RSDP_V2_LEN, &r), 0);
	assert_false(r.root_is_xsdt);
	assert_int_equal(r.root, 0x3f77d000);

	/* Revision 0 ignores whatever lies past byte 20. */
	rsdp_build(0, 0x1000, 0);
	put64(rsdp + 24, 0x2000);
	assert_int_equal(rsdp_parse(ACPI_RSDP_V2_LEN, &r), 0);
	assert_false(r.root_is_xsdt);

	rsdp_build(0, 0, 0);
	assert_int_equal(rsdp_parse(ACPI_RSDP_V1_LEN, &r), -EINVAL);
	expect_log("names neither an RSDT nor an XSDT");
}

static void test_rsdp_bad(void **state)
{
	struct acpi_rsdp_info r;

	(void)state;
	rsdp_build(0, 0x1000, 0);
	rsdp[8]++;
	assert_int_equal(rsdp_parse(ACPI_RSDP_V1_LEN, &r), -EINVAL);
	expect_log("RSDP at 0xf52a0 has checksum 0x1 (sum must be 0), refused");

	rsdp_build(2, 0x1000, 0x2000);
	rsdp[33] = 1; /* a reserved byte: the first 20 still sum to 0 */
	assert_int_equal(rsdp_parse(ACPI_RSDP_V2_LEN, &r), -EINVAL);
	expect_log("extended checksum 0x1 over 36 bytes");

	rsdp_build(2, 0x1000, 0x2000);
	assert_int_equal(rsdp_parse(ACPI_RSDP_V1_LEN, &r), -EINVAL); /* v2 but only 20 readable */
	expect_log("RSDP at 0xf52a0 (revision 2): only 20 bytes readable, 36 needed, refused");

	rsdp_build(2, 0x1000, 0x2000);
	put32(rsdp + 20, 20);
	rsdp[8] = 0;
	rsdp[8] = (u8)-acpi_checksum(rsdp, ACPI_RSDP_V1_LEN);
	assert_int_equal(rsdp_parse(ACPI_RSDP_V2_LEN, &r), -EINVAL);
	expect_log("has length 20 (must be 36..36)");

	rsdp_build(0, 0x1000, 0);
	rsdp[0] = 'r';
	assert_int_equal(rsdp_parse(ACPI_RSDP_V1_LEN, &r), -EINVAL);
	expect_log("no \"RSD PTR \" signature");
}

/* The scan finds only a valid RSDP on a 16-byte boundary. */
static void test_rsdp_scan(void **state)
{
	size_t len = 4096;
	u8 *area = calloc(1, len);

	(void)state;
	rsdp_build(0, 0x1000, 0);
	memcpy(area + 0x108, rsdp, ACPI_RSDP_V1_LEN); /* not on a boundary */
	memcpy(area + 0x200, rsdp, ACPI_RSDP_V1_LEN);
	area[0x208] ^= 1; /* bad checksum */
	memcpy(area + 0x300, rsdp, ACPI_RSDP_V1_LEN);
	shim_log_clear();
	assert_int_equal(acpi_rsdp_scan(area, len), 0x300);
	assert_int_equal(shim_log_len, 0); /* the bad candidate is not reported */
	assert_int_equal(acpi_rsdp_scan(area, 0x300 + ACPI_RSDP_V1_LEN - 1), -ENOENT);

	/* One at the very end of the area. */
	memset(area, 0, len);
	memcpy(area + len - 32, rsdp, ACPI_RSDP_V1_LEN);
	assert_int_equal(acpi_rsdp_scan(area, len - 12), (long)(len - 32));
	free(area);
}

/* ---- RSDT / XSDT ---- */

static void test_root_entries(void **state)
{
	struct acpi_table_header *h;
	u8 e[8];
	u8 *p;

	(void)state;
	tbl_init(&tb, "RSDT");
	put32(e, 0x7ffe1a8b);
	tbl_add(&tb, e, 4);
	put32(e, 0x7ffe1aff);
	tbl_add(&tb, e, 4);
	tbl_add(&tb, e, 2); /* a stray half entry is not counted */
	tbl_seal(&tb);
	p = malloc(tb.len);
	memcpy(p, tb.buf, tb.len);
	h = (struct acpi_table_header *)p;
	assert_int_equal(acpi_table_check(p, tb.len, "RSDT", 0x7ffe1bef), 0);
	assert_int_equal(acpi_root_nr_entries(h, false), 2);
	assert_int_equal(acpi_root_entry(h, false, 0), 0x7ffe1a8b);
	assert_int_equal(acpi_root_entry(h, false, 1), 0x7ffe1aff);
	free(p);

	tbl_init(&tb, "XSDT");
	put64(e, 0x13f77a000ULL);
	tbl_add(&tb, e, 8);
	put64(e, 0x3f779000ULL);
	tbl_add(&tb, e, 8);
	tbl_seal(&tb);
	p = malloc(tb.len);
	memcpy(p, tb.buf, tb.len);
	h = (struct acpi_table_header *)p;
	assert_int_equal(acpi_table_check(p, tb.len, "XSDT", 0x3f77d0e8), 0);
	assert_int_equal(acpi_root_nr_entries(h, true), 2);
	assert_int_equal(acpi_root_entry(h, true, 0), 0x13f77a000ULL);
	assert_int_equal(acpi_root_entry(h, true, 1), 0x3f779000ULL);
	shim_log_clear();
	assert_int_equal(acpi_table_check(p, tb.len, "RSDT", 0x3f77d0e8), -EINVAL);
	expect_log("table at 0x3f77d0e8 has signature \"XSDT\", expected \"RSDT\", refused");
	free(p);
}

static void test_table_check(void **state)
{
	(void)state;
	tbl_init(&tb, "FACP");
	tbl_add(&tb, "\x01\x02\x03", 3);
	tbl_seal(&tb);
	shim_log_clear();
	assert_int_equal(acpi_table_check(tb.buf, tb.len, NULL, 0x1000), 0);
	tb.buf[tb.len - 1]++;
	assert_int_equal(acpi_table_check(tb.buf, tb.len, NULL, 0x1000), -EINVAL);
	expect_log("FADT at 0x1000 has checksum 0x1 (sum must be 0), refused");
	put32(tb.buf + 4, ACPI_TABLE_MAX_LEN + 1);
	assert_int_equal(acpi_table_check(tb.buf, sizeof(tb.buf), NULL, 0x1000), -EINVAL);
	expect_log("has length 1048577");
	memcpy(tb.buf, "\x01xy\x7f", 4);
	assert_int_equal(acpi_table_check(tb.buf, tb.len, "FACP", 0x1000), -EINVAL);
	expect_log("has signature \"?xy?\""); /* unprintable bytes are not sent to the console */
}

/* ---- Fuzz ---- */

/* What must hold of any parse, good or refused. */
static void check_invariants(int ret, u32 bsp)
{
	assert_true(ret == 0 || ret == -EINVAL);
	assert_true(info.nr_cpus <= NR_CPUS);
	assert_true(info.nr_ioapics <= ACPI_MADT_MAX_IOAPICS);
	assert_true(info.nr_overrides <= ACPI_MADT_MAX_OVERRIDES);
	if (ret) {
		assert_int_equal(info.nr_cpus, 0);
		return;
	}
	assert_true(info.nr_cpus >= 1);
	assert_int_equal(info.cpus[0].apic_id, bsp);
	for (unsigned int i = 0; i < info.nr_cpus; i++)
		for (unsigned int j = i + 1; j < info.nr_cpus; j++)
			assert_int_not_equal(info.cpus[i].apic_id, info.cpus[j].apic_id);
}

static void test_fuzz(void **state)
{
	struct rnd_state rnd;
	struct tbl base;
	unsigned int ok = 0;

	(void)state;
	rnd_seed(&rnd, 14);
	madt_qemu(&base, 6);
	madt_x2apic(&base, 9, 9, 1);
	tbl_seal(&base);
	for (unsigned int round = 0; round < 20000; round++) {
		size_t avail = base.len;

		tb = base;
		for (unsigned int n = 1 + rnd_below(&rnd, 4); n; n--)
			tb.buf[rnd_below(&rnd, base.len)] = (u8)rnd_next(&rnd);
		if (rnd_below(&rnd, 2))
			tbl_seal(&tb); /* most mutations then reach the entry walk */
		if (rnd_below(&rnd, 8) == 0)
			avail = rnd_below(&rnd, base.len + 1);
		u32 bsp = rnd_below(&rnd, 4) ? 0 : 9;
		int ret = madt_parse_avail(&tb, avail, bsp);

		check_invariants(ret, bsp);
		ok += ret == 0;
	}
	assert_true(ok > 1000); /* the loop does reach the parser's inside */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_madt),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_truncated_length),
		cmocka_unit_test(test_entry_length_zero),
		cmocka_unit_test(test_entry_length_one),
		cmocka_unit_test(test_entry_past_end),
		cmocka_unit_test(test_entry_one_trailing_byte),
		cmocka_unit_test(test_entry_shorter_than_type),
		cmocka_unit_test(test_unknown_types_skipped),
		cmocka_unit_test(test_duplicate_apic_ids),
		cmocka_unit_test(test_more_cpus_than_nr_cpus),
		cmocka_unit_test(test_bsp_beyond_nr_cpus),
		cmocka_unit_test(test_bsp_not_first),
		cmocka_unit_test(test_bsp_missing_refused),
		cmocka_unit_test(test_disabled_and_online_capable),
		cmocka_unit_test(test_x2apic_and_lapic_override),
		cmocka_unit_test(test_ioapics_and_overrides_limits),
		cmocka_unit_test(test_override_lookup),
		cmocka_unit_test(test_rsdp_xsdt_vs_rsdt),
		cmocka_unit_test(test_rsdp_bad),
		cmocka_unit_test(test_rsdp_scan),
		cmocka_unit_test(test_root_entries),
		cmocka_unit_test(test_table_check),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
