# ps: contig-ps (the console's `ps`, same format) and contig-bt PID (the
# backtrace of a thread that is switched out, from its saved stack).
#
# Threads are read from kernel/sched/kthread.c's task_list (struct
# task_struct.tasks); per-CPU data (runqueues) through __per_cpu_offset[]
# (CPU 0's copy is the section itself). A switched-out thread's stack, from
# task_struct.rsp up, is what arch/x86/kernel/switch.asm pushed:
# r15 r14 r13 r12 rbx rbp, then the return address into __schedule().

import gdb

from contig.utils import (ContigCommand, Kallsyms, at, err, field_offset, list_walk, read_u64,
                          symbol_value, ulong, value_int)

STATES = {0: "r", 1: "S", 2: "D", 3: "N", 4: "X"}
PF_IDLE = 0x1
SWITCH_RBP_SLOT = 5             # switch.asm: words above the saved rsp
SWITCH_RET_SLOT = 6
NR_CPUS = 16


def per_cpu_addr(sym, cpu):
    """Address of CPU @cpu's copy of the per-CPU variable @sym."""
    off = ulong(symbol_value("__per_cpu_offset")[cpu])
    return ulong(symbol_value(sym).address) + off


def online_cpus():
    bits = ulong(symbol_value("cpu_online_mask_bits"))
    return [c for c in range(NR_CPUS) if bits >> c & 1]


def rq_of(cpu):
    return at(per_cpu_addr("runqueues", cpu), "struct rq")


def tasks():
    """(address, task value) of every task, in creation order."""
    off = field_offset("struct task_struct", "tasks")
    head = ulong(symbol_value("task_list").address)
    return [(node - off, at(node - off, "struct task_struct")) for node in list_walk(head)]


def task_state(addr, t):
    state = value_int(t["state"])
    if state == 0:
        if ulong(rq_of(value_int(t["cpu"]))["curr"]) == addr:
            return "R"
        return "I" if value_int(t["flags"]) & PF_IDLE else "r"
    return STATES.get(state, "?")


class ContigPs(ContigCommand):
    """Every thread: pid, name, state, CPU, stack area, context switches (as the console's ps).
Usage: contig-ps
S: R running, r runnable, I idle (not running), S/D asleep, N not started, X dead."""

    name = "contig-ps"

    def run(self, argv):
        self.no_args(argv)
        gdb.write("  PID NAME             S CPU STACK                                 SWITCHES\n")
        for addr, t in tasks():
            gdb.write("%5d %-16s %s %3d %016x-%016x %8d\n"
                      % (value_int(t["pid"]), t["comm"].string(), task_state(addr, t),
                         value_int(t["cpu"]), ulong(t["stack"]), ulong(t["stack_end"]),
                         value_int(t["nr_switches"])))
        for cpu in online_cpus():
            rq = rq_of(cpu)
            gdb.write("CPU %d: %d context switches, %d preemptions, %d ticks\n"
                      % (cpu, value_int(rq["nr_switches"]), value_int(rq["nr_preemptions"]),
                         value_int(rq["nr_ticks"])))


class ContigBt(ContigCommand):
    """Backtrace of a switched-out thread, from the registers its switch saved.
Usage: contig-bt PID|NAME
A running thread has no saved frame: select its vCPU (info threads) and use bt."""

    name = "contig-bt"
    MAX_FRAMES = 64

    def run(self, argv):
        if len(argv) != 1:
            raise err(self.name, "usage: contig-bt PID|NAME")
        key = argv[0]
        found = [(a, t) for a, t in tasks()
                 if (key.isdigit() and value_int(t["pid"]) == int(key)) or t["comm"].string() == key]
        if not found:
            raise err(self.name, "no thread '%s' (see contig-ps)" % key)
        addr, t = found[0]
        pid = value_int(t["pid"])
        state = task_state(addr, t)
        if state == "R":
            raise err(self.name, "pid %d is running on CPU %d: select that vCPU and use bt"
                      % (pid, value_int(t["cpu"])))
        if state in ("N", "X"):
            raise err(self.name, "pid %d has no frames (state %s)" % (pid, state))
        self.walk(t)

    @staticmethod
    def ret_symbol(ks, rip):
        """A return address by the call before it (%pB): a call that never returns
        may be a function's last instruction, and rip then lies past its end."""
        hit = ks.lookup(rip - 1)
        if hit is None:
            return "0x%016x" % rip
        return "%s+0x%x/0x%x" % (hit[0], hit[1] + 1, hit[2])

    def walk(self, t):
        ks = Kallsyms()
        lo, hi = ulong(t["stack"]), ulong(t["stack_end"])
        rsp = ulong(t["rsp"])
        rip = read_u64(rsp + 8 * SWITCH_RET_SLOT, "a saved return address")
        rbp = read_u64(rsp + 8 * SWITCH_RBP_SLOT, "a saved rbp")
        gdb.write("thread %d '%s', saved rsp 0x%016x:\n"
                  % (value_int(t["pid"]), t["comm"].string(), rsp))
        for depth in range(self.MAX_FRAMES):
            gdb.write("#%-2d 0x%016x %s\n" % (depth, rip, self.ret_symbol(ks, rip)))
            if not rbp or rbp & 7 or (lo and not lo <= rbp < hi - 8):
                return
            rip = read_u64(rbp + 8, "a return address")
            nxt = read_u64(rbp, "a saved rbp")
            if not rip or nxt <= rbp:
                if rip:
                    gdb.write("#%-2d 0x%016x %s\n" % (depth + 1, rip, self.ret_symbol(ks, rip)))
                return
            rbp = nxt


ContigPs()
ContigBt()
