# Load Contig's GDB helpers (the package scripts/gdb/contig/).
#
# gdb runs this through build/contig.elf-gdb.py, which the build writes
# beside the ELF and gdb auto-loads with it once the build directory is on
# its auto-load safe-path (see docs/debugging.md). That stub sets
# CONTIG_GDB_SRC (this directory) and CONTIG_GDB_GEN (build/gdb, where the
# build puts the generated contig/constants.py) before running this file.
# Sourcing it by hand from the top of the tree also works: the two then
# default to scripts/gdb and build/gdb.
#
# Loading twice is harmless: the modules are imported once.

import os
import sys

import gdb

_src = globals().get("CONTIG_GDB_SRC") or os.path.join(os.getcwd(), "scripts", "gdb")
_gen = globals().get("CONTIG_GDB_GEN") or os.path.join(os.getcwd(), "build", "gdb")


def _load():
    if not os.path.isfile(os.path.join(_gen, "contig", "constants.py")):
        raise gdb.GdbError("Contig's GDB helpers: no %s/contig/constants.py: run make"
                           % _gen)
    if _src not in sys.path:
        sys.path.insert(0, _src)
    import contig
    gen = os.path.join(_gen, "contig")
    if gen not in contig.__path__:
        contig.__path__.append(gen)
    import contig.constants
    for module in ("utils", "dmesg", "mm", "vmalloc", "buddy", "slab", "check", "unwind",
                   "panic", "cpus", "ps", "modules"):
        __import__("contig." + module)


_load()
