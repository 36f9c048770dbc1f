/*
 * Leaving QEMU with a status: the isa-debug-exit device at port 0xf4 makes
 * QEMU exit with (value << 1) | 1. scripts/qemu.sh maps these back.
 */
#ifndef ASM_QEMU_H
#define ASM_QEMU_H

#include "asm/reboot.h" /* machine_restart() moved there */
#include "kernel/compiler.h"

enum qemu_exit_code {
	QEMU_EXIT_SUCCESS = 0, /* tests passed / clean poweroff: QEMU exits 1 */
	QEMU_EXIT_FAILURE = 1, /* tests failed: QEMU exits 3 */
	QEMU_EXIT_PANIC = 2,   /* kernel panic: QEMU exits 5 */
};

void qemu_exit(enum qemu_exit_code code) __noreturn;
/* Power off: debug-exit with success, else ACPI (QEMU PIIX4), else halt. */
void machine_power_off(void) __noreturn;
void machine_halt(void) __noreturn;

#endif /* ASM_QEMU_H */
