/*
 * The interactive console on COM1 (debug/console/console.c): a "contig> " prompt
 * with line editing and history, and commands that show the memory dumps and
 * drive vmalloc, vmap and ioremap by hand. `help` lists the commands.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/compiler.h"

/*
 * console_run - serve the prompt forever
 * => Sets up the PICs (pic_init() is idempotent), the UART receive
 *    interrupt on IRQ 4, and enables interrupts; between keys the CPU halts.
 * => Never returns: `reboot` and `poweroff` leave through the machine.
 */
void console_run(void) __noreturn;

/*
 * console_execute - run one command line, as if typed at the prompt
 * => @line is split in place into words. Output goes to the serial port.
 * Return: 0, or -EINVAL for an unknown command, bad arguments or a refused
 *    operation (a one-line message says why); -ENOMEM when an allocation
 *    failed. A refused command changes nothing.
 */
int console_execute(char *line);

#endif /* KERNEL_CONSOLE_H */
