# Stop at a panic instead of losing the machine: breakpoints on panic() and
# on die() (the oops path of arch/x86/kernel/traps.c, which panics unless a
# self-test catches the fault), so that under `make debug` a panic leaves you
# in gdb at the panic, with a message and the backtrace, before QEMU exits.
#
# The breakpoints are set when the helpers load (QEMU checks breakpoints by
# address when it translates code, so they work from the first instruction).
# `contig-panic-break off` removes them, `on` sets them again.

import gdb

from contig.utils import ContigCommand, Kallsyms, at, err, read_cstring, ulong

STOPS = ("panic", "die")


def describe(function):
    """One line about the call that just stopped at @function's entry."""
    try:
        arg0 = ulong(gdb.parse_and_eval("$rdi"))
        text = read_cstring(arg0, 200) if arg0 else "(null)"
        if function == "panic":
            return 'panic("%s"): the kernel panicked' % text
        regs = at(ulong(gdb.parse_and_eval("$rsi")), "struct pt_regs")
        return "die(\"%s\"): oops at %s" % (text, Kallsyms().format_ps(ulong(regs["rip"])))
    except (gdb.error, gdb.GdbError, gdb.MemoryError) as e:
        return "%s() called (its arguments are unreadable: %s)" % (function, e)


class PanicBreakpoint(gdb.Breakpoint):
    """A breakpoint at @function that always stops and remembers why."""

    def __init__(self, function):
        super().__init__(function, gdb.BP_BREAKPOINT, internal=False)
        self.function = function
        self.why = None

    def stop(self):
        self.why = describe(self.function)
        return True


_breakpoints = []


def set_breakpoints():
    """Breakpoints on STOPS, once (those a `delete` removed are set again)."""
    _breakpoints[:] = [bp for bp in _breakpoints if bp.is_valid()]
    have = {bp.function for bp in _breakpoints}
    for function in STOPS:
        if function not in have and gdb.lookup_global_symbol(function) is not None:
            _breakpoints.append(PanicBreakpoint(function))


def delete_breakpoints():
    while _breakpoints:
        bp = _breakpoints.pop()
        if bp.is_valid():
            bp.delete()


def on_stop(event):
    """After a stop at one of ours: say why, and show the backtrace."""
    hits = [bp for bp in getattr(event, "breakpoints", []) if bp in _breakpoints]
    if not hits:
        return
    gdb.write("contig: %s; stopped before QEMU exits. Backtrace:\n" % hits[0].why)
    try:
        gdb.execute("bt")
    except gdb.error as e:
        gdb.write("contig: bt failed: %s\n" % e)
    gdb.write("contig: `continue` lets the kernel go on (a panic then leaves QEMU)\n")


class ContigPanicBreak(ContigCommand):
    """Stop in gdb when the kernel panics or oopses (on by default).

Usage: contig-panic-break [on|off]
  on   breakpoints on panic() and die(); at a stop gdb prints why and `bt`
  off  delete those breakpoints
Without an argument, says whether they are set."""

    name = "contig-panic-break"

    def run(self, argv):
        if argv == ["on"]:
            set_breakpoints()
        elif argv == ["off"]:
            delete_breakpoints()
        elif argv:
            raise err(self.name, "usage: contig-panic-break [on|off], got '%s'" % " ".join(argv))
        live = [bp.location for bp in _breakpoints if bp.is_valid()]
        gdb.write("contig-panic-break: %s\n" % (("on: " + ", ".join(live)) if live else "off"))


ContigPanicBreak()
set_breakpoints()
gdb.events.stop.connect(on_stop)
