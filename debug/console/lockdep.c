/*
 * The `lockdep` console command: what the lock-order checker has learnt
 * (kernel/lockdep.c): its lock classes, the dependencies between them with
 * where each was first seen, and its findings.
 */
#include "debug/console/internal.h"
#include "kernel/lockdep.h"

static int cmd_lockdep(int argc, char **argv)
{
	lockdep_dump();
	return 0;
}
CONSOLE_CMD(lockdep, "", "lock classes, dependencies and findings of the lock-order checker",
	    cmd_lockdep,
	    .details = "The checker runs when the kernel is booted with `lockdep` on its command "
		       "line (make test does).");
