# contig-dmesg: the printk ring (kernel/printk.c's log_buf), as the console's
# `dmesg` prints it.
#
# What it assumes: log_buf holds the text exactly as the console prints it,
# one byte per byte written, and log_next counts every byte ever written, so
# the live part is [max(0, log_next - sizeof(log_buf)), log_next). Whatever
# a line starts with (a "[    0.123456] " timestamp included) is part of
# that text and printed as it is; `-t` strips such a prefix, as dmesg -t.

import re

import gdb

from contig.utils import ContigCommand, err, read_bytes, symbol_value, ulong

TIMESTAMP = re.compile(r"^\[ *\d+\.\d+\] ", re.M)


class ContigDmesg(ContigCommand):
    """Print the kernel's printk ring buffer (log_buf), oldest byte first.

Usage: contig-dmesg [-t] [N]
  -t  leave out the "[    0.123456] " timestamp at the start of each line
  N   print only the last N lines
The same text as the console's `dmesg`, read from memory, so this works when
the kernel is hung or has crashed before its console printed anything."""

    name = "contig-dmesg"

    def run(self, argv):
        strip = "-t" in argv
        argv = [a for a in argv if a != "-t"]
        if len(argv) > 1:
            raise err(self.name, "too many arguments: usage: contig-dmesg [-t] [N]")
        if argv and not re.fullmatch(r"\d+", argv[0]):
            raise err(self.name, "N must be a line count, got '%s'" % argv[0])
        text = log_text()
        if strip:
            text = TIMESTAMP.sub("", text)
        if argv:
            lines = text.splitlines(True)
            text = "".join(lines[-int(argv[0]):]) if int(argv[0]) else ""
        gdb.write(text)
        if text and not text.endswith("\n"):
            gdb.write("\n")


def log_text():
    """The ring's live part, oldest byte first, as dmesg_dump() prints it."""
    buf = symbol_value("log_buf")
    size = buf.type.sizeof
    nxt = ulong(symbol_value("log_next"))
    start = max(0, nxt - size)
    data = read_bytes(ulong(buf.address), size, "log_buf")
    cut = start % size
    return (data[cut:] + data[:cut])[:nxt - start].decode("latin-1")


ContigDmesg()
