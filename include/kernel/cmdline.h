/*
 * The kernel command line: words separated by spaces, each a flag ("poweroff")
 * or name=value ("loglevel=7", ktest="buddy,vmalloc"). Parsed once at boot
 * into struct cmdline_opts; anything unknown or invalid is reported with a
 * message naming the option, and the default is kept.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "kernel/types.h"

#define CMDLINE_STR_MAX 256 /* ktest=, bench= values, NUL included */

struct cmdline_opts {
	int loglevel;		       /* loglevel=0..8, quiet = 4; -1 = not given */
	bool quiet;		       /* quiet: console loglevel 4 unless loglevel= is given */
	char ktest[CMDLINE_STR_MAX];   /* ktest=all|suite[,suite]; "" = none */
	char bench[CMDLINE_STR_MAX];   /* bench=all|name[,name]; "" = none */
	char modules[CMDLINE_STR_MAX]; /* modules=all|name[,name]: GRUB modules loaded at boot */
	bool poweroff;		       /* poweroff: power off when done */
	unsigned long fail_page_alloc; /* fail_page_alloc=N: fail the Nth page allocation; 0 = off */
	unsigned long fail_slab;       /* fail_slab=N: fail the Nth slab allocation; 0 = off */
	unsigned long lazy_max_pages; /* vmalloc_lazy=N: lazy purge threshold in pages; 0 = default */
	bool randomize_memory;	      /* randomize_memory sets, nokaslr clears; default off */
	bool console;		      /* noconsole clears; default on */
	unsigned long mem_limit;      /* mem=SIZE (k/M/G suffix): ignore RAM above; 0 = no limit */
	bool vmalloc_debug_flush;     /* vmalloc_debug_flush: TLB flush at every vfree/vunmap */
	bool lockdep;		      /* lockdep: check the lock order (kernel/lockdep.c) */
	bool lock_stat; /* lock_stat: count acquisitions and holds (kernel/lock_stat.c) */
	unsigned long
		vmalloc_range_size; /* vmalloc=SIZE, page-aligned: the vmalloc area; 0 = default */
	bool nosmp;		    /* nosmp: start no other CPU */
	int maxcpus;	  /* maxcpus=0..NR_CPUS: CPUs to run, the boot CPU included; -1 = all */
	int smp_fail_cpu; /* smp_fail_cpu=N: CPU N gets no SIPI (fault injection); 0 = off */
	unsigned long stress_seed; /* vmalloc_stress.seed=N: replay a stress run; 0 = from rdtsc */
	unsigned long stress_ms; /* vmalloc_stress.ms=N: stress run length; 0 = the test's default */
};

extern struct cmdline_opts cmdline_opts;

/*
 * cmdline_parse - parse @cmdline into @opts.
 *
 * => @opts is set to the defaults first; @cmdline may be NULL or empty.
 * => A first word starting with '/' (the kernel image path) is skipped.
 * => Values may be quoted: name="a b".
 * => An unknown option, a bad or out-of-range value, a missing value or a
 *    value given to a flag is reported (one line, naming the option) and
 *    leaves that field at its default.
 * Return: the number of problems found (0 = all good).
 */
int cmdline_parse(const char *cmdline, struct cmdline_opts *opts);

/* Print every option with its value syntax and help text. */
void cmdline_dump_help(void);

#endif /* KERNEL_CMDLINE_H */
