/*
 * Console commands that run something long or final: the self-tests, the
 * benchmarks, and leaving the machine. ktest and bench run with interrupts
 * off, as at boot; ^C still stops them between steps, since
 * console_interrupted() polls the UART itself.
 */
#include "asm/irqflags.h"
#include "asm/qemu.h"
#include "debug/bench.h"
#include "debug/console/internal.h"
#include "debug/ktest.h"
#include "kernel/errno.h"
#include "lib/string.h"

/*
 * What ktest= takes on the command line (names, globs, suite.case, commas),
 * but no pattern that starts with '_': only those select the suites that
 * crash on purpose ('*' does not match them).
 */
static bool ktest_spec_ok(const char *spec)
{
	for (const char *p = spec; *p; p++) {
		bool word_start = p == spec || p[-1] == ',';

		if (word_start && *p == '_') {
			con_printf("ktest: '%s': suites starting with '_' crash the kernel on "
				   "purpose; not from the console\n",
				   spec);
			return false;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_,.*?", *p))) {
			con_printf("ktest: SPEC '%s' may hold only letters, digits and _,.*?\n",
				   spec);
			return false;
		}
	}
	return true;
}

static int cmd_ktest(int argc, char **argv)
{
	const char *spec = argc > 1 ? argv[1] : "all";
	unsigned long flags;
	int failed;

	if (!ktest_spec_ok(spec))
		return -EINVAL;
	local_irq_save(flags); /* as at boot: the tests may expect it */
	failed = ktest_run(spec);
	local_irq_restore(flags);
	if (console_interrupted())
		return 0; /* asked for; console_call() says so */
	con_printf("ktest: %s\n", failed ? "FAILED or no such suite (see above)" : "all passed");
	return failed ? -EINVAL : 0;
}
CONSOLE_CMD(ktest, "[SPEC]", "run the self-tests (all, list, or globs on suite[.case]); ^C stops",
	    cmd_ktest, .max_args = 1);

static int cmd_bench(int argc, char **argv)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = bench_run(argc > 1 ? argv[1] : "all");
	local_irq_restore(flags);
	return ret ? -EINVAL : 0;
}
CONSOLE_CMD(bench, "[SCENARIO]", "run the benchmarks (all, or SCENARIO); ^C stops them", cmd_bench,
	    .max_args = 1);

static int cmd_reboot(int argc, char **argv)
{
	con_puts("reboot: restarting the machine\n");
	machine_restart();
}
CONSOLE_CMD(reboot, "", "restart the machine", cmd_reboot);

static int cmd_poweroff(int argc, char **argv)
{
	con_puts("poweroff: powering off\n");
	machine_power_off();
}
CONSOLE_CMD(poweroff, "", "power the machine off", cmd_poweroff);
