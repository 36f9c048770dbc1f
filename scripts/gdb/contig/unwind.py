# Backtraces through the exception entry.
#
# arch/x86/kernel/isr.asm has no CFI: its common path pushes a struct
# pt_regs and calls do_trap(regs). When GDB unwinds do_trap() it lands on
# the instruction after that call with rsp == &pt_regs; the unwinder below
# recognises that spot (a `call do_trap` just before pc) and gives GDB the
# interrupted registers from pt_regs, so `bt` goes on into the code that
# took the exception or interrupt.
#
# GDB looks up the function of every frame but the innermost at pc - 1, as
# if pc were a return address; for the interrupted frame pc is the faulting
# instruction itself, so when that is a function's first instruction GDB
# would name the function before it. The frame filter after the unwinder
# names that frame (and its line) by its exact pc, labels the entry frame
# with the vector, and ends `bt` at kmain (below it is only entry64.asm).

import re
import struct

import gdb

from contig.utils import inferior

try:
    from gdb.unwinder import Unwinder, register_unwinder
    from gdb.FrameDecorator import FrameDecorator
except ImportError:
    Unwinder = None


class _FrameId:
    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


def _exact_function(pc):
    """(name, filename, line) for @pc itself, not pc - 1."""
    name = None
    try:
        block = gdb.block_for_pc(pc)
        while block is not None and block.function is None:
            block = block.superblock
        if block is not None:
            name = block.function.print_name
    except RuntimeError:
        pass
    if name is None:
        out = gdb.execute("info symbol 0x%x" % pc, to_string=True)
        m = re.match(r"(\S+)( \+ \d+)? in section", out)
        name = m.group(1) if m else None
    sal = gdb.find_pc_line(pc)
    filename = sal.symtab.filename if sal.symtab else None
    return name, filename, sal.line if sal.symtab else None


if Unwinder is not None:
    class ExceptionFrameUnwinder(Unwinder):
        REGS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11",
                "r12", "r13", "r14", "r15"]

        def __init__(self):
            super().__init__("contig-exception-frame")
            self.do_trap = None
            self.layout = None
            self.regs_size = 0

        def setup(self):
            if self.do_trap is None:
                sym = gdb.lookup_global_symbol("do_trap")
                if sym is None:
                    return False
                self.do_trap = int(sym.value().address)
                t = gdb.lookup_type("struct pt_regs")
                self.layout = {f.name: f.bitpos // 8 for f in t.fields()}
                self.regs_size = t.sizeof
            return True

        def is_entry_pc(self, pc):
            """Is @pc the return address of isr.asm's `call do_trap`?"""
            if pc < 0xFFFF800000000000 or not self.setup():
                return False
            try:
                code = bytes(inferior().read_memory(pc - 5, 5))
            except gdb.MemoryError:
                return False
            if code[0] != 0xE8:
                return False
            return (pc + struct.unpack("<i", code[1:])[0]) & 0xFFFFFFFFFFFFFFFF == self.do_trap

        def pt_regs(self, sp):
            raw = bytes(inferior().read_memory(sp, self.regs_size))
            return {n: struct.unpack_from("<Q", raw, off)[0] for n, off in self.layout.items()}

        def __call__(self, pending_frame):
            try:
                pc = int(pending_frame.read_register("rip")) & 0xFFFFFFFFFFFFFFFF
                if not self.is_entry_pc(pc):
                    return None
                sp = int(pending_frame.read_register("rsp")) & 0xFFFFFFFFFFFFFFFF
                regs = self.pt_regs(sp)
            except (gdb.error, gdb.MemoryError):
                return None
            ulong_t = gdb.lookup_type("unsigned long")
            info = pending_frame.create_unwind_info(_FrameId(gdb.Value(sp + self.regs_size),
                                                             gdb.Value(pc)))
            for r in self.REGS + ["rip", "rsp"]:
                info.add_saved_register(r, gdb.Value(regs[r]).cast(ulong_t))
            info.add_saved_register("eflags", gdb.Value(regs["rflags"] & 0xFFFFFFFF).cast(
                gdb.lookup_type("unsigned int")))
            return info

    class _EntryFrame(FrameDecorator):
        """isr_common's frame: say which vector it took."""

        def __init__(self, fobj, label):
            super().__init__(fobj)
            self.label = label

        def function(self):
            return self.label

    class _InterruptedFrame(FrameDecorator):
        """The frame an exception interrupted: named by its exact pc."""

        def __init__(self, fobj):
            super().__init__(fobj)
            self.exact = _exact_function(fobj.inferior_frame().pc())

        def function(self):
            return self.exact[0] or super().function()

        def filename(self):
            return self.exact[1] or super().filename()

        def line(self):
            return self.exact[2] if self.exact[2] is not None else super().line()

        def frame_args(self):
            return None

    class ExceptionFrameFilter:
        def __init__(self, unwinder):
            self.name = "contig-exception-frames"
            self.priority = 100
            self.enabled = True
            self.unwinder = unwinder

        def entry_label(self, frame):
            try:
                regs = self.unwinder.pt_regs(int(frame.read_register("rsp")) &
                                             0xFFFFFFFFFFFFFFFF)
            except (gdb.error, gdb.MemoryError):
                return "isr_common"
            v = regs["vector"]
            names = {0: "#DE", 1: "#DB", 2: "NMI", 3: "#BP", 6: "#UD", 8: "#DF", 13: "#GP",
                     14: "#PF"}
            what = names.get(v, "exception" if v < 32 else "interrupt")
            return "isr_common [%s vector %d, error code 0x%x]" % (what, v, regs["error_code"])

        def filter(self, frames):
            return self._filter(frames)

        def _filter(self, frames):
            after_entry = False
            for fd in frames:
                frame = fd.inferior_frame()
                pc = frame.pc()
                if after_entry:
                    fd = _InterruptedFrame(fd)
                after_entry = self.unwinder.is_entry_pc(pc)
                if after_entry:
                    fd = _EntryFrame(fd, self.entry_label(frame))
                yield fd
                if frame.name() == "kmain":
                    return

    def _reset_unwinder(_event):
        _exception_unwinder.do_trap = None

    _exception_unwinder = ExceptionFrameUnwinder()
    register_unwinder(None, _exception_unwinder, replace=True)
    gdb.frame_filters["contig-exception-frames"] = ExceptionFrameFilter(_exception_unwinder)
    gdb.events.new_objfile.connect(_reset_unwinder)


