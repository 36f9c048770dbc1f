/*
 * I/O APIC driver: two registers in MMIO, IOREGSEL (+0x00) selects an
 * internal register and IOWIN (+0x10) reads or writes it. Register 0x01 is
 * the version, with the number of pins - 1 in bits 16-23; from 0x10 on, two
 * registers per pin form its 64-bit redirection entry (RTE):
 *
 *   bits 0-7 vector, 8-10 delivery mode (0 fixed), 11 destination mode
 *   (0 physical), 12 delivery status, 13 polarity (1 active low), 14 remote
 *   IRR, 15 trigger (1 level), 16 mask, 56-63 destination APIC ID.
 *
 * Each ISA line gets its GSI and flags from acpi_isa_irq_to_gsi() (the MADT
 * overrides, whose MPS flags say polarity and trigger; "conforms" means ISA's
 * own: active high, edge). The end of interrupt goes to the local APIC; for
 * a level-triggered pin the local APIC broadcasts it to the I/O APICs, which
 * clears remote IRR.
 *
 * Locking: the RTEs are written under irq.c's irq_lock (mask/unmask) or at
 * boot; IOREGSEL/IOWIN pairs need that lock too, since they are two accesses.
 */
#include "asm/ioapic.h"

#include "asm/apic.h"
#include "asm/io.h"
#include "asm/irq.h"
#include "asm/pic.h"
#include "kernel/acpi.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "lib/vsprintf.h"
#include "mm/vmalloc.h"

#define IOREGSEL	0x00
#define IOWIN		0x10
#define IOAPIC_REG_ID	0x00
#define IOAPIC_REG_VER	0x01
#define IOAPIC_REG_RTE0 0x10

#define RTE_POLARITY_LOW  (1ULL << 13)
#define RTE_TRIGGER_LEVEL (1ULL << 15)
#define RTE_MASKED	  (1ULL << 16)
#define RTE_DEST_SHIFT	  56

struct ioapic {
	void *base;	      /* ioremap()ed registers */
	u32 id, gsi_base;     /* from the MADT */
	unsigned int nr_pins; /* from the version register */
	phys_addr_t phys;
};

struct isa_route {
	struct ioapic *ioapic; /* NULL: not routed */
	unsigned int pin;
	u32 gsi;
	u64 rte; /* as written, mask bit included */
};

static struct ioapic ioapics[MAX_IOAPICS];
static unsigned int nr_ioapics;
static struct isa_route isa_routes[NR_IRQS];

static u32 ioapic_read(struct ioapic *io, u32 reg)
{
	writel(reg, io->base + IOREGSEL);
	return readl(io->base + IOWIN);
}

static void ioapic_write(struct ioapic *io, u32 reg, u32 v)
{
	writel(reg, io->base + IOREGSEL);
	writel(v, io->base + IOWIN);
}

static void ioapic_write_rte(struct ioapic *io, unsigned int pin, u64 rte)
{
	/* Mask first and unmask last, so the pin never fires half-written. */
	ioapic_write(io, IOAPIC_REG_RTE0 + 2 * pin, (u32)rte | RTE_MASKED);
	ioapic_write(io, IOAPIC_REG_RTE0 + 2 * pin + 1, rte >> 32);
	ioapic_write(io, IOAPIC_REG_RTE0 + 2 * pin, (u32)rte);
}

static void ioapic_set_masked(unsigned int irq, bool masked)
{
	struct isa_route *r = &isa_routes[irq];

	if (!r->ioapic)
		return;
	r->rte = masked ? r->rte | RTE_MASKED : r->rte & ~RTE_MASKED;
	ioapic_write(r->ioapic, IOAPIC_REG_RTE0 + 2 * r->pin, (u32)r->rte);
}

static void ioapic_mask_irq(unsigned int irq)
{
	ioapic_set_masked(irq, true);
}

static void ioapic_unmask_irq(unsigned int irq)
{
	if (!isa_routes[irq].ioapic) {
		pr_err("irq_enable: IRQ %u has no I/O APIC pin\n", irq);
		return;
	}
	ioapic_set_masked(irq, false);
}

static void ioapic_eoi(unsigned int irq)
{
	lapic_eoi();
}

static void ioapic_describe(unsigned int irq, char *buf, size_t len)
{
	const struct isa_route *r = &isa_routes[irq];

	if (!r->ioapic)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%u-%s", r->gsi,
			 (r->rte & RTE_TRIGGER_LEVEL) ? "fasteoi" : "edge");
}

static const struct irq_chip ioapic_chip = {
	.name = "IO-APIC",
	.mask = ioapic_mask_irq,
	.unmask = ioapic_unmask_irq,
	.eoi = ioapic_eoi,
	.describe = ioapic_describe,
};

static void ioapic_vector_entry(struct pt_regs *regs)
{
	irq_handle(regs->vector - IRQ_VECTOR_BASE, regs);
}

/* Map one I/O APIC, read its size and mask all its pins. */
static int ioapic_add(u32 id, phys_addr_t phys, u32 gsi_base)
{
	struct ioapic *io = &ioapics[nr_ioapics];
	u32 ver;

	if (nr_ioapics == MAX_IOAPICS) {
		pr_err("ioapic: more than %u I/O APICs, %#llx ignored\n", MAX_IOAPICS,
		       (unsigned long long)phys);
		return -ENOSPC;
	}
	io->base = ioremap(phys, PAGE_SIZE);
	if (!io->base) {
		pr_err("ioapic: cannot map the I/O APIC at %#llx\n", (unsigned long long)phys);
		return -ENOMEM;
	}
	ver = ioapic_read(io, IOAPIC_REG_VER);
	if (ver == 0xffffffff) { /* nothing decodes the address */
		pr_err("ioapic: no I/O APIC answers at %#llx\n", (unsigned long long)phys);
		iounmap(io->base);
		return -ENODEV;
	}
	io->id = id;
	io->phys = phys;
	io->gsi_base = gsi_base;
	io->nr_pins = ((ver >> 16) & 0xff) + 1;
	for (unsigned int pin = 0; pin < io->nr_pins; pin++)
		ioapic_write_rte(io, pin, RTE_MASKED);
	pr_info("IOAPIC[%u]: apic_id %u, version %u, address %#llx, GSI %u-%u\n", nr_ioapics, id,
		ver & 0xff, (unsigned long long)phys, gsi_base, gsi_base + io->nr_pins - 1);
	nr_ioapics++;
	return 0;
}

static struct ioapic *ioapic_of_gsi(u32 gsi, unsigned int *pin)
{
	for (unsigned int i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->nr_pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

/* The RTE of an ISA line at GSI @gsi with MPS @flags, masked, to the boot CPU. */
static u64 isa_rte(unsigned int irq, u16 flags)
{
	u64 rte = IRQ_VECTOR(irq) | RTE_MASKED | ((u64)lapic_id() << RTE_DEST_SHIFT);

	if ((flags & ACPI_MPS_POLARITY_MASK) == ACPI_MPS_POLARITY_LOW)
		rte |= RTE_POLARITY_LOW;
	if ((flags & ACPI_MPS_TRIGGER_MASK) == ACPI_MPS_TRIGGER_LEVEL)
		rte |= RTE_TRIGGER_LEVEL;
	return rte;
}

static void ioapic_route_isa(unsigned int irq, u32 gsi, u16 flags)
{
	struct isa_route *r = &isa_routes[irq];
	unsigned int pin;

	r->ioapic = ioapic_of_gsi(gsi, &pin);
	if (!r->ioapic) {
		pr_err("ioapic: IRQ %u is GSI %u, which no I/O APIC has\n", irq, gsi);
		return;
	}
	r->pin = pin;
	r->gsi = gsi;
	r->rte = isa_rte(irq, flags);
	ioapic_write_rte(r->ioapic, pin, r->rte);
	set_irq_handler(IRQ_VECTOR(irq), ioapic_vector_entry);
}

/* The I/O APICs the MADT lists, or the default one; the number that answer. */
static unsigned int ioapic_probe(void)
{
	for (unsigned int i = 0; i < acpi_madt.nr_ioapics && i < MAX_IOAPICS; i++)
		ioapic_add(acpi_madt.ioapics[i].id, acpi_madt.ioapics[i].phys,
			   acpi_madt.ioapics[i].gsi_base);
	if (acpi_madt.nr_ioapics)
		return nr_ioapics;
	pr_info("ioapic: the MADT lists no I/O APIC; trying the default at %#lx with the MP "
		"specification's wiring (IRQ 0 on pin 2, the others identity)\n",
		IOAPIC_DEFAULT_PHYS);
	ioapic_add(0, IOAPIC_DEFAULT_PHYS, 0);
	return nr_ioapics;
}

/* ISA line @irq's GSI and flags: the MADT's overrides, or the default wiring. */
static u32 isa_gsi(unsigned int irq, u16 *flags)
{
	if (acpi_madt.nr_ioapics)
		return acpi_isa_irq_to_gsi(irq, flags);
	*flags = 0;
	return irq ? irq : 2;
}

int ioapic_init(void)
{
	if (nr_ioapics)
		return 0;
	if (!lapic_present()) {
		pr_err("ioapic: no local APIC to deliver to; the 8259A PICs deliver the ISA lines\n");
		return -ENODEV;
	}
	if (!ioapic_probe()) {
		pr_err("ioapic: no I/O APIC; the 8259A PICs deliver the ISA lines\n");
		return -ENODEV;
	}
	pic_init(); /* its spurious vectors stay recognised */
	for (unsigned int irq = 0; irq < NR_IRQS; irq++) {
		u16 flags;
		u32 gsi;

		if (irq == PIC_CASCADE_IRQ)
			continue; /* no ISA device: the PICs' own cascade */
		gsi = isa_gsi(irq, &flags);
		ioapic_route_isa(irq, gsi, flags);
	}
	irq_set_chip(&ioapic_chip);
	pr_info("ioapic: ISA IRQs routed to APIC ID %u at vectors %#x-%#x, masked\n", lapic_id(),
		IRQ_VECTOR(0), IRQ_VECTOR(NR_IRQS - 1));
	return 0;
}

bool ioapic_irq_route(unsigned int irq, u32 *gsi, u64 *rte)
{
	if (irq >= NR_IRQS || !isa_routes[irq].ioapic)
		return false;
	*gsi = isa_routes[irq].gsi;
	*rte = isa_routes[irq].rte;
	return true;
}
