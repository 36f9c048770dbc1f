/*
 * The interactive console on COM1 (debug/console/): a "contig> " prompt
 * with line editing, history and Tab completion, and commands that show the
 * memory dumps and drive vmalloc, vmap and ioremap by hand. `help` lists
 * the commands, sorted by name.
 *
 * A command registers itself where it is written (littlekernel's
 * STATIC_COMMAND), into the .console_cmds section:
 *
 *	static int cmd_peek(int argc, char **argv) { ... }
 *	CONSOLE_CMD(peek, "ADDR [LEN]", "hex dump of LEN bytes", cmd_peek,
 *		    .min_args = 1, .max_args = 2, .details = "more for `help peek`");
 *
 * argv[0] is the name; the console checks the word count against
 * min_args..max_args (both 0 unless given) before calling @fn. @fn returns
 * 0, -EINVAL (bad arguments or a refusal, after a one-line message) or
 * -ENOMEM.
 */
#ifndef DEBUG_CONSOLE_H
#define DEBUG_CONSOLE_H

#include "kernel/compiler.h"

struct console_cmd {
	const char *name;
	const char *usage;	/* what follows the name, "" for nothing */
	const char *help;	/* one line for `help` */
	const char *details;	/* more for `help NAME`, or NULL */
	int min_args, max_args; /* words after the name */
	int (*fn)(int argc, char **argv);
};

#define CONSOLE_CMD(cname, cusage, chelp, cfn, ...)                                            \
	static const struct console_cmd __console_cmd_##cname __section(".console_cmds")       \
		__used __aligned(8) = {                                                        \
			.name = #cname, .usage = cusage, .help = chelp, .fn = cfn, __VA_ARGS__ \
		}

/*
 * console_run - serve the prompt forever
 * => Turns on the UART receive interrupt (IRQ 4) and enables interrupts;
 *    between keys the CPU halts.
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

/*
 * console_interrupted - has the person pressed ^C during this command?
 * => For long loops (ktest, bench) to poll between steps and stop cleanly.
 *    Works with interrupts off (it polls the UART). Cheap: false at once
 *    when no console command is running (e.g. ktest= at boot).
 */
bool console_interrupted(void);

#endif /* DEBUG_CONSOLE_H */
