/*
 * Restarting the machine. A PC offers several reset paths and none is sure
 * everywhere, so they are tried in turn, each given time to act: the reset
 * control register of the PCI chipset at port 0xcf9 (PIIX3 and later, what
 * QEMU's pc machine has), the reset line of the 8042 keyboard controller,
 * and last a triple fault, which every x86 CPU answers with a shutdown cycle
 * that the board turns into a reset. (The ACPI FADT reset register, which
 * Linux tries first, needs the ACPI tables walked: not done yet.)
 */
#include "asm/io.h"
#include "asm/irqflags.h"
#include "asm/reboot.h"
#include "kernel/printk.h"

#define RST_CNT		0xcf9
#define RST_CNT_SYS_RST 0x02 /* with RST_CPU: reset the whole system, not just the CPU */
#define RST_CNT_RST_CPU 0x04 /* a 0 -> 1 edge starts the reset */
#define RST_CNT_FULL	0x08 /* full reset: power cycled */

#define KBC_STATUS	  0x64
#define KBC_CMD		  0x64
#define KBC_INPUT_FULL	  0x02
#define KBC_PULSE_RESET	  0xfe /* pulse output line 0: the CPU reset */
#define KBC_WAIT_ROUNDS	  100000
#define RESET_WAIT_ROUNDS 200000 /* port 0x80 writes: ~0.2 s on hardware, ms under QEMU */

/* Let a reset that was just requested happen before trying the next way. */
static void reboot_wait(void)
{
	for (int i = 0; i < RESET_WAIT_ROUNDS; i++)
		outb(0x80, 0);
}

static void reboot_pci_cf9(void)
{
	u8 keep = inb(RST_CNT) & ~(RST_CNT_SYS_RST | RST_CNT_RST_CPU | RST_CNT_FULL);

	outb(RST_CNT, keep | RST_CNT_SYS_RST);
	outb(RST_CNT, keep | RST_CNT_SYS_RST | RST_CNT_RST_CPU);
	reboot_wait();
}

static void reboot_kbc(void)
{
	for (int i = 0; i < KBC_WAIT_ROUNDS && (inb(KBC_STATUS) & KBC_INPUT_FULL); i++)
		outb(0x80, 0);
	outb(KBC_CMD, KBC_PULSE_RESET);
	reboot_wait();
}

/*
 * machine_triple_fault - see include/asm/reboot.h. An empty IDT makes the
 * breakpoint below unserviceable, then the double fault too: shutdown.
 */
void machine_triple_fault(void)
{
	static const struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	local_irq_disable();
	asm volatile("lidt %0; int3" : : "m"(no_idt));
	for (;;)
		asm volatile("hlt");
}

/* machine_restart - see include/asm/reboot.h. */
void machine_restart(void)
{
	local_irq_disable();
	reboot_pci_cf9();
	pr_warn("reboot: the reset register at %#x did nothing, trying the keyboard controller\n",
		RST_CNT);
	reboot_kbc();
	pr_warn("reboot: the keyboard controller did not reset the machine, triple faulting\n");
	machine_triple_fault();
}
