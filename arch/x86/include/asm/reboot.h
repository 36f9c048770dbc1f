/* Restarting the machine (arch/x86/kernel/reboot.c). */
#ifndef ASM_REBOOT_H
#define ASM_REBOOT_H

#include "kernel/compiler.h"

/*
 * machine_restart - reset the machine.
 * => Interrupts off; tries the chipset reset register (0xcf9), then the
 *    keyboard controller, then a triple fault, printing a line at each
 *    fallback. Never returns.
 */
void machine_restart(void) __noreturn;

/* machine_triple_fault - load an empty IDT and trap: the CPU shuts down and resets. */
void machine_triple_fault(void) __noreturn;

#endif /* ASM_REBOOT_H */
