# contig-cpus: every CPU the kernel brought up, as the console's `cpus`
# (smp_cpus_dump() in arch/x86/kernel/smpboot.c) prints it.
#
# What it reads: the CPU masks (cpu_possible_mask_bits, cpu_online_mask_bits),
# __per_cpu_offset[] and, at &var + __per_cpu_offset[cpu], each CPU's copy of
# the per-CPU variables cpu_boot_stack and cpu_desc (GDT, TSS, IST stacks);
# smpboot.c's cpu_apic_ids[] and smp_boot_report.failed for the CPUs that
# did not answer. The per-CPU offset of CPU 0 is 0: its copy is the section.

import gdb

from contig.utils import U64, ContigCommand, symbol_value, ulong

HEADER = ("CPU  APIC state   per-CPU area     stack                             tss              "
          "#DF IST stack                     NMI IST stack")


def per_cpu(name, cpu):
    """CPU @cpu's copy of the per-CPU variable @name, as a gdb.Value."""
    var = symbol_value(name)
    offset = ulong(symbol_value("__per_cpu_offset")[cpu])
    addr = (ulong(var.address) + offset) & U64  # offsets below the image wrap
    return gdb.Value(addr).cast(var.type.pointer()).dereference()


def cpu_line(cpu, apic, online):
    stack = per_cpu("cpu_boot_stack", cpu)
    desc = per_cpu("cpu_desc", cpu)
    ist_size = symbol_value("ist_stacks")[0].type.sizeof
    df, nmi = (ulong(desc["ist_stack"][i]) for i in (0, 1))
    area = (ulong(symbol_value("__per_cpu_start").address) +
            ulong(symbol_value("__per_cpu_offset")[cpu])) & U64
    return "%3u %5u %-7s %016x %016x-%016x %016x %016x-%016x %016x-%016x" % (
        cpu, apic, "online" if online else "offline", area, ulong(stack["base"]),
        ulong(stack["top"]), ulong(desc["tss"].address), df, df + ist_size, nmi,
        nmi + ist_size)


class ContigCpus(ContigCommand):
    """Print every CPU: number, APIC ID, state, per-CPU area, stack, TSS, IST stacks.

Usage: contig-cpus
The same lines as the console's `cpus`. A CPU that did not answer at boot is
listed as failed. To look at what a CPU is doing, `info threads` lists one
thread per vCPU (thread N is CPU N-1), `thread N` switches to it and `bt`
gives its backtrace."""

    name = "contig-cpus"

    def run(self, argv):
        self.no_args(argv)
        possible = ulong(symbol_value("cpu_possible_mask_bits"))
        online = ulong(symbol_value("cpu_online_mask_bits"))
        failed = ulong(symbol_value("smp_boot_report")["failed"])
        apic_ids = symbol_value("cpu_apic_ids")
        nr_cpus = apic_ids.type.range()[1] + 1
        gdb.write(HEADER + "\n")
        for cpu in range(nr_cpus):
            apic = ulong(apic_ids[cpu]) & 0xFFFFFFFF
            if possible >> cpu & 1:
                gdb.write(cpu_line(cpu, apic, online >> cpu & 1) + "\n")
            elif failed >> cpu & 1:
                gdb.write("%3u %5u failed  (did not answer at boot, skipped)\n" % (cpu, apic))


ContigCpus()
