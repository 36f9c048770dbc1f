/*
 * Leaving QEMU with a status: the isa-debug-exit device at port 0xf4 makes
 * QEMU exit with (value << 1) | 1. scripts/qemu.sh maps these back. The
 * values start at 0x10 so that none of the statuses can be QEMU's own: it
 * exits 1 when it cannot start at all (a missing firmware, a port in use).
 */
#ifndef ASM_QEMU_H
#define ASM_QEMU_H

#include "asm/reboot.h" /* machine_restart() moved there */
#include "kernel/compiler.h"

enum qemu_exit_code {
	QEMU_EXIT_SUCCESS = 0x10, /* tests passed / clean poweroff: QEMU exits 33 */
	QEMU_EXIT_FAILURE = 0x11, /* tests failed: QEMU exits 35 */
	QEMU_EXIT_PANIC = 0x12,	  /* kernel panic: QEMU exits 37 */
};

void qemu_exit(enum qemu_exit_code code) __noreturn;
/* Power off: debug-exit with success, else ACPI (QEMU PIIX4), else halt. */
void machine_power_off(void) __noreturn;
void machine_halt(void) __noreturn;

#endif /* ASM_QEMU_H */
