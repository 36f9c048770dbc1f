/*
 * Power off, restart and the test-status exit. Under QEMU the isa-debug-exit
 * device ends the emulator with a status; on anything else we fall back to
 * ACPI soft-off on the PIIX4 PM block QEMU's firmware sets up, then halt.
 */
#include "asm/io.h"
#include "asm/irqflags.h"
#include "asm/processor.h"
#include "asm/qemu.h"

#define DEBUG_EXIT_PORT 0xf4
#define PIIX4_PM1A_CNT	0x604
#define ACPI_SLP_EN_S5	0x2000

void machine_halt(void)
{
	local_irq_disable();
	for (;;)
		halt();
}

void qemu_exit(enum qemu_exit_code code)
{
	outl(DEBUG_EXIT_PORT, code);
	machine_halt(); /* no debug-exit device: nothing else to do */
}

void machine_power_off(void)
{
	outl(DEBUG_EXIT_PORT, QEMU_EXIT_SUCCESS);
	outw(PIIX4_PM1A_CNT, ACPI_SLP_EN_S5);
	machine_halt();
}
