# Contig's GDB helpers.
#
# Every command here reads the kernel's memory through the GDB stub (QEMU's
# -gdb) and formats it in Python: no kernel function is ever called, so they
# work on a kernel that is hung, has crashed, or is stopped half-way through
# an update. Structure layouts come from the ELF's debug information
# (gdb.lookup_type), so the helpers follow the C code as it changes; only
# the flag values (VM_*, PG_*) are taken from the headers, read at load time.
#
#   contig-dmesg [N]          the printk ring buffer (the last N lines)
#   contig-layout             the region table and the image sections
#   contig-vmallocinfo        busy + lazily freed vmap areas, as vmallocinfo_dump()
#   contig-buddyinfo          free blocks per order and zone, as buddyinfo_dump()
#   contig-meminfo            MemTotal/MemFree/Vmalloc*, as meminfo_dump() and
#                             vmalloc_meminfo_dump()
#   contig-pagewalk ADDR [PGD]  the 4-level walk of a virtual address
#   contig-pa ADDR, contig-va PHYS, $contig_pa(x), $contig_va(x)
#   contig-page PFN|ADDR      the struct page of a frame, decoded
#
# Page tables are read by physical address. With QEMU's stub this uses its
# physical-memory mode (the packet Qqemu.PhyMemMode), so a walk does not
# depend on the kernel's direct map being intact; with another stub the
# direct map at page_offset_base is used instead.
#
# Load it with `source scripts/gdb/contig.py` (scripts/gdb/gdbinit does).

import os
import re
import struct

import gdb

# ---------------------------------------------------------------------------
# Constants: defaults, refreshed from the headers when the tree is at hand.

_TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

VM_FLAGS = {
    "VM_IOREMAP": 0x1, "VM_ALLOC": 0x2, "VM_MAP": 0x4, "VM_USERMAP": 0x8,
    "VM_UNINITIALIZED": 0x20, "VM_NO_GUARD": 0x40,
}
PG_FLAGS = {
    "PG_reserved": 1 << 0, "PG_buddy": 1 << 1, "PG_slab": 1 << 2, "PG_head": 1 << 3,
    "PG_vmalloc": 1 << 4, "PG_pgtable": 1 << 5, "PG_tail": 1 << 6,
}


def _read_defines(relpath, prefix, table):
    """Update @table from `#define PREFIXxxx value` lines of a header, if present."""
    path = os.path.join(_TOP, relpath)
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return
    for m in re.finditer(r"^#define\s+(%s\w+)\s+\(?([^/\n]*?)\)?\s*(?:/\*.*)?$" % prefix,
                         text, re.M):
        name, expr = m.group(1), m.group(2).strip()
        expr = re.sub(r"(?<=[0-9a-fA-F])[uUlL]+\b", "", expr)
        if not re.fullmatch(r"[0-9a-fA-FxX<>() ]+", expr):
            continue
        try:
            table[name] = int(eval(expr, {"__builtins__": {}}))
        except (SyntaxError, ValueError, TypeError, NameError):
            pass


_read_defines("include/mm/vmalloc.h", "VM_", VM_FLAGS)
_read_defines("include/mm/page.h", "PG_", PG_FLAGS)

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
PTE_PFN_MASK = 0x000FFFFFFFFFF000
VMINFO_LINE_MAX = 160           # mm/vmalloc.c: lines are cut at 159 characters

# Page-table entry bits, in the order they are printed.
PTE_BITS = [("P", 0), ("RW", 1), ("US", 2), ("PWT", 3), ("PCD", 4), ("A", 5), ("D", 6),
            ("PS", 7), ("G", 8), ("NX", 63)]

# name, shift of the level (its entries each map 1 << shift bytes)
LEVELS = [("PGD", 39), ("PUD", 30), ("PMD", 21), ("PTE", 12)]


# ---------------------------------------------------------------------------
# Reading the target.

def _err(cmd, msg):
    return gdb.GdbError("%s: %s" % (cmd, msg))


def inferior():
    return gdb.selected_inferior()


def read_bytes(addr, length, what="memory"):
    """@length bytes at virtual address @addr, or a clear gdb.GdbError."""
    try:
        return bytes(inferior().read_memory(addr, length))
    except gdb.MemoryError:
        raise gdb.GdbError("cannot read %d bytes of %s at 0x%016x (not mapped?)"
                           % (length, what, addr)) from None


def read_u64(addr, what="memory"):
    return struct.unpack("<Q", read_bytes(addr, 8, what))[0]


def read_cstring(addr, limit=256):
    """A NUL-terminated string at @addr, read in small pieces."""
    out = b""
    while len(out) < limit:
        at_addr = addr + len(out)
        chunk = read_bytes(at_addr, min(32, PAGE_SIZE - at_addr % PAGE_SIZE), "a string")
        nul = chunk.find(b"\0")
        if nul >= 0:
            return (out + chunk[:nul]).decode("latin-1")
        out += chunk
    return out[:limit].decode("latin-1")


def symbol_value(name):
    """The gdb.Value of a global or file-static variable of the kernel."""
    sym = gdb.lookup_global_symbol(name)
    if sym is None:
        sym = gdb.lookup_static_symbol(name)
    if sym is None:
        sym = gdb.lookup_symbol(name)[0]
    if sym is None:
        raise gdb.GdbError("no symbol '%s' in the loaded ELF (is build/contig.elf loaded,"
                           " and is it the image that runs?)" % name)
    try:
        return sym.value()
    except gdb.error as e:
        raise gdb.GdbError("cannot read '%s': %s" % (name, e)) from None


def symbol_value_or(name, default):
    try:
        return symbol_value(name)
    except gdb.GdbError:
        return default


def ulong(value):
    """A gdb.Value (integer, pointer, enum) as a Python int, without sign."""
    try:
        return int(value.cast(gdb.lookup_type("unsigned long")))
    except gdb.MemoryError:
        raise gdb.GdbError("cannot read memory at %s" % value.address) from None


def value_int(v):
    """Read an integer field; a read failure becomes a clear error."""
    try:
        return int(v)
    except gdb.MemoryError:
        raise gdb.GdbError("cannot read memory at 0x%016x" % ulong(v.address)) from None


def lookup_type(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error:
        raise gdb.GdbError("no type '%s' in the debug information" % name) from None


def field_offset(struct_name, field):
    t = lookup_type(struct_name)
    for f in t.fields():
        if f.name == field:
            return f.bitpos // 8
    # A field inside an anonymous union or struct.
    for f in t.fields():
        if f.name is None and f.type.strip_typedefs().code in (gdb.TYPE_CODE_UNION,
                                                               gdb.TYPE_CODE_STRUCT):
            for g in f.type.strip_typedefs().fields():
                if g.name == field:
                    return (f.bitpos + g.bitpos) // 8
    raise gdb.GdbError("struct %s has no field '%s'" % (struct_name, field))


def at(addr, type_name):
    """The object of @type_name at @addr, as a gdb.Value."""
    return gdb.Value(addr).cast(lookup_type(type_name).pointer()).dereference()


def parse_address(cmd, arg, what="ADDR"):
    """Evaluate a command argument (a number, $reg, &sym, expression) as an integer."""
    if not arg:
        raise _err(cmd, "missing %s (see `help %s`)" % (what, cmd))
    try:
        v = gdb.parse_and_eval(arg)
    except gdb.error as e:
        raise _err(cmd, "bad %s '%s': %s" % (what, arg, e)) from None
    code = v.type.strip_typedefs().code
    if code in (gdb.TYPE_CODE_ARRAY, gdb.TYPE_CODE_FUNC):
        v = v.address
    elif code not in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_ENUM,
                      gdb.TYPE_CODE_BOOL, gdb.TYPE_CODE_CHAR):
        raise _err(cmd, "%s '%s' is a %s, not a number or a pointer" % (what, arg, v.type))
    try:
        return int(v) & 0xFFFFFFFFFFFFFFFF
    except gdb.error as e:
        raise _err(cmd, "bad %s '%s': %s" % (what, arg, e)) from None


# ---- physical memory ----

def _stub_packet(packet):
    out = gdb.execute("maintenance packet " + packet, to_string=True)
    m = re.search(r'received: "(.*)"', out)
    return m.group(1) if m else ""


def _stub_has_phys_mode():
    try:
        return _stub_packet("qqemu.PhyMemMode") in ("0", "1")
    except gdb.error:
        return False


def read_phys(phys, length):
    """@length bytes at physical address @phys."""
    if _stub_has_phys_mode():
        _stub_packet("Qqemu.PhyMemMode:1")
        try:
            return bytes(inferior().read_memory(phys, length))
        except gdb.MemoryError:
            raise gdb.GdbError("cannot read %d bytes at physical 0x%x (no RAM there?)"
                               % (length, phys)) from None
        finally:
            _stub_packet("Qqemu.PhyMemMode:0")
            try:
                gdb.execute("maintenance flush dcache", to_string=True)
            except gdb.error:
                pass
    base = ulong(symbol_value("page_offset_base"))
    try:
        return bytes(inferior().read_memory(base + phys, length))
    except gdb.MemoryError:
        raise gdb.GdbError("cannot read physical 0x%x through the direct map at 0x%016x"
                           % (phys, base + phys)) from None


def read_phys_u64(phys):
    return struct.unpack("<Q", read_phys(phys, 8))[0]


# ---------------------------------------------------------------------------
# The kernel's own symbol table (kallsyms), read from memory, so that caller
# names come out exactly as the kernel's %pS prints them.

class Kallsyms:
    def __init__(self):
        self.num = ulong(symbol_value("kallsyms_num"))
        if self.num > 1 << 20:
            raise gdb.GdbError("kallsyms_num is %d: the symbol table looks corrupt" % self.num)
        addrs = ulong(symbol_value("kallsyms_addresses").address)
        sizes = ulong(symbol_value("kallsyms_sizes").address)
        offs = ulong(symbol_value("kallsyms_name_offsets").address)
        self.names = ulong(symbol_value("kallsyms_names").address)
        n = self.num
        self.addrs = struct.unpack("<%dQ" % n, read_bytes(addrs, 8 * n, "kallsyms_addresses"))
        self.sizes = struct.unpack("<%dI" % n, read_bytes(sizes, 4 * n, "kallsyms_sizes"))
        self.offs = struct.unpack("<%dI" % n, read_bytes(offs, 4 * n, "kallsyms_name_offsets"))

    def lookup(self, addr):
        """(name, offset, size) of the symbol holding @addr, as symbols_lookup(), or None."""
        lo, hi = 0, self.num
        while lo < hi:
            mid = (lo + hi) // 2
            if self.addrs[mid] <= addr:
                lo = mid + 1
            else:
                hi = mid
        if lo == 0:
            return None
        i = lo - 1
        while i > 0 and self.addrs[i - 1] == self.addrs[i] and \
                addr - self.addrs[i] >= self.sizes[i]:
            i -= 1
        if addr - self.addrs[i] >= self.sizes[i] and self.sizes[i]:
            return None
        return read_cstring(self.names + self.offs[i]), addr - self.addrs[i], self.sizes[i]

    def format_ps(self, addr):
        """%pS: "name+0xoff/0xsize", or the raw address."""
        hit = self.lookup(addr)
        if hit is None:
            return "0x%016x" % addr
        return "%s+0x%x/0x%x" % hit


# ---------------------------------------------------------------------------
# Trees and lists.

def rb_inorder(root_addr, limit=1 << 20):
    """Addresses of the rb_nodes of the tree at @root_addr, in key order."""
    left_off = field_offset("struct rb_node", "rb_left")
    right_off = field_offset("struct rb_node", "rb_right")
    out, stack, seen = [], [], set()
    node = read_u64(root_addr, "an rb_root")
    while stack or node:
        while node:
            if node in seen or len(seen) > limit:
                raise gdb.GdbError("rbtree at 0x%x: node 0x%x seen twice (corrupt tree)"
                                   % (root_addr, node))
            seen.add(node)
            stack.append(node)
            node = read_u64(node + left_off, "an rb_node")
        node = stack.pop()
        out.append(node)
        node = read_u64(node + right_off, "an rb_node")
    return out


def list_walk(head_addr, limit=1 << 22):
    """Addresses of the list_heads on the list at @head_addr (not the head itself)."""
    out = []
    pos = read_u64(head_addr, "a list_head")
    while pos != head_addr:
        if len(out) > limit:
            raise gdb.GdbError("list at 0x%x: more than %d entries (a loop?)" % (head_addr, limit))
        if pos == 0:
            raise gdb.GdbError("list at 0x%x: NULL next pointer after %d entries"
                               % (head_addr, len(out)))
        out.append(pos)
        pos = read_u64(pos, "a list_head")
    return out


# ---------------------------------------------------------------------------
# Page walk.

def pte_flags(entry, level):
    names = []
    for name, bit in PTE_BITS:
        if entry >> bit & 1:
            if name == "PS" and level == "PTE":
                name = "PAT"
            names.append(name)
    return " ".join(names)


def read_cr3():
    try:
        return int(gdb.parse_and_eval("$cr3")) & PTE_PFN_MASK
    except (gdb.error, ValueError):
        pass
    pgd = ulong(symbol_value("init_pgd"))
    return pgd - ulong(symbol_value("page_offset_base"))


def canonical(va):
    top = va >> 47
    return top == 0 or top == 0x1FFFF


def page_walk(va, pgd_phys=None):
    """Walk the 4 levels for @va.

    Returns (steps, phys, page_size, stop) where steps is a list of
    (level, index, entry_phys, entry) and phys is None when the walk stops;
    stop then says why.
    """
    if not canonical(va):
        raise gdb.GdbError("0x%016x is not a canonical address (bits 63..47 differ)" % va)
    table = read_cr3() if pgd_phys is None else pgd_phys & PTE_PFN_MASK
    steps = []
    for level, shift in LEVELS:
        index = (va >> shift) & 511
        entry_phys = table + index * 8
        entry = read_phys_u64(entry_phys)
        steps.append((level, index, entry_phys, entry))
        if not entry & 1:
            return steps, None, 0, "%s entry not present" % level
        if level == "PTE" or (level in ("PUD", "PMD") and entry >> 7 & 1):
            size = 1 << shift
            frame = entry & PTE_PFN_MASK & ~(size - 1)
            return steps, frame | (va & (size - 1)), size, None
        if level == "PGD" and entry >> 7 & 1:
            return steps, None, 0, "PS set in a PGD entry (reserved bit)"
        table = entry & PTE_PFN_MASK
    raise AssertionError("unreachable")


def translate(cmd, va):
    steps, phys, size, stop = page_walk(va)
    if phys is None:
        raise _err(cmd, "0x%016x is not mapped: the walk stops at %s" % (va, stop))
    return phys


def size_name(size):
    return {1 << 12: "4 KiB", 1 << 21: "2 MiB", 1 << 30: "1 GiB"}.get(size, hex(size))


# ---------------------------------------------------------------------------
# Commands.

class ContigCommand(gdb.Command):
    """Base: turns any read failure into a message naming the command."""

    name = None

    def __init__(self):
        super().__init__(self.name, gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        try:
            self.run(gdb.string_to_argv(arg))
        except gdb.GdbError as e:
            msg = str(e)
            if not msg.startswith(self.name + ":"):
                msg = "%s: %s" % (self.name, msg)
            raise gdb.GdbError(msg) from None
        except gdb.MemoryError as e:
            raise gdb.GdbError("%s: cannot read target memory: %s" % (self.name, e)) from None
        except gdb.error as e:
            raise gdb.GdbError("%s: %s" % (self.name, e)) from None

    def no_args(self, argv):
        if argv:
            raise _err(self.name, "takes no arguments (got '%s')" % " ".join(argv))


class ContigDmesg(ContigCommand):
    """Print the kernel's printk ring buffer (log_buf), oldest byte first.

Usage: contig-dmesg [N]
  N   print only the last N lines.
The ring is read from memory, so this works when the kernel is hung or has
crashed before its console printed anything."""

    name = "contig-dmesg"

    def run(self, argv):
        last = None
        if len(argv) > 1:
            raise _err(self.name, "too many arguments: usage: contig-dmesg [N]")
        if argv:
            if not re.fullmatch(r"\d+", argv[0]):
                raise _err(self.name, "N must be a line count, got '%s'" % argv[0])
            last = int(argv[0])
        buf = symbol_value("log_buf")
        size = buf.type.sizeof
        nxt = ulong(symbol_value("log_next"))
        start = max(0, nxt - size)
        base = ulong(buf.address)
        data = read_bytes(base, size, "log_buf")
        cut = start % size
        live = (data[cut:] + data[:cut])[:nxt - start]
        text = live.decode("latin-1")
        if last is not None:
            lines = text.splitlines(True)
            text = "".join(lines[-last:]) if last else ""
        gdb.write(text)
        if text and not text.endswith("\n"):
            gdb.write("\n")


def format_size(nbytes):
    """mm/layout.c format_size(): "%6lu %s" in kB/MB/GB/TB."""
    units = ["kB", "MB", "GB", "TB"]
    v, u = nbytes >> 10, 0
    while u < 3 and v >= 10240:
        v >>= 10
        u += 1
    return "%6d %s" % (v, units[u])


def range_line(name, start, end):
    return "    %-13s: 0x%016x - 0x%016x   (%s)" % (name, start, end,
                                                   format_size((end - start) & (2**64 - 1)))


class ContigLayout(ContigCommand):
    """Print the kernel's virtual memory layout from its region table.

Usage: contig-layout
Prints the lines of the boot's "Virtual kernel memory layout:" dump, read from
mem_regions[] and the section symbols, then the three bases and whether
randomize_memory moved them."""

    name = "contig-layout"

    def run(self, argv):
        self.no_args(argv)
        regions = symbol_value("mem_regions")
        n = regions.type.range()[1] + 1
        lines = ["Virtual kernel memory layout:"]
        filled = False
        for i in range(n):
            r = regions[i]
            start, end = ulong(r["start"]), ulong(r["end"])
            name = read_cstring(ulong(r["name"])) if ulong(r["name"]) else "(unnamed)"
            filled = filled or end != 0
            lines.append(range_line(name, start, end))
        if not filled:
            lines = ["mem_regions[] is empty: layout_init() has not run yet"]
        for sec, a, b in ((".text", "_text", "_etext"), (".rodata", "_rodata", "_erodata"),
                          (".data", "_data", "_edata"), (".bss", "__bss_start", "__bss_end")):
            lines.append(range_line(sec, self.sym_addr(a), self.sym_addr(b)))
        lines.append(self.memory_line())
        bases = [(b, ulong(symbol_value(b))) for b in
                 ("page_offset_base", "vmalloc_base", "vmemmap_base")]
        rnd = symbol_value_or("memory_randomized", None)
        how = "unknown" if rnd is None else ("randomised" if ulong(rnd) else "default")
        lines.append("bases (%s): %s" % (how, ", ".join("%s=0x%016x" % b for b in bases)))
        gdb.write("\n".join(lines) + "\n")

    @staticmethod
    def sym_addr(name):
        """The address of a linker symbol (no debug information)."""
        try:
            return ulong(gdb.parse_and_eval("(unsigned long)&%s" % name))
        except gdb.error:
            raise gdb.GdbError("no symbol '%s' in the loaded ELF" % name) from None

    def memory_line(self):
        mb = symbol_value("memblock")

        def total(t):
            return sum(ulong(mb[t]["regions"][i]["size"]) for i in range(ulong(mb[t]["cnt"])))

        image = self.sym_addr("_end") - self.sym_addr("_text")
        return "Memory: %s RAM, %d kB reserved, %d kB kernel image" % (
            format_size(total("memory")), total("reserved") >> 10, image >> 10)


# ---- vmalloc ----

def vmap_areas(root_name):
    """(va_start, va_end, vmap_area address) of the tree @root_name, in address order."""
    root = symbol_value(root_name)
    rb_off = field_offset("struct vmap_area", "rb_node")
    out = []
    for node in rb_inorder(ulong(root.address)):
        va = at(node - rb_off, "struct vmap_area")
        out.append((ulong(va["va_start"]), ulong(va["va_end"]), node - rb_off))
    return out


def busy_area_line(ks, start, end, va_addr, vstart, vend):
    va = at(va_addr, "struct vmap_area")
    vm_ptr = ulong(va["vm"])
    line = "0x%016x-0x%016x %7d" % (start, end, end - start)
    if not vm_ptr:
        return line + " (no vm_struct)"
    vm = at(vm_ptr, "struct vm_struct")
    caller = ulong(vm["caller"])
    flags = value_int(vm["flags"])
    if caller:
        line += " " + ks.format_ps(caller)
    if not flags & VM_FLAGS["VM_UNINITIALIZED"]:
        nr_pages = value_int(vm["nr_pages"])
        if nr_pages:
            line += " pages=%d" % nr_pages
        if flags & VM_FLAGS["VM_IOREMAP"]:
            line += " phys=0x%x" % ulong(vm["phys_addr"])
            line += " ioremap"
        if flags & VM_FLAGS["VM_ALLOC"]:
            line += " vmalloc"
        if flags & VM_FLAGS["VM_MAP"]:
            line += " vmap"
        if flags & VM_FLAGS["VM_USERMAP"]:
            line += " user"
        pages = ulong(vm["pages"])
        if pages and vstart <= pages <= vend:
            line += " vpages"
    return line[:VMINFO_LINE_MAX - 1]


def vmalloc_range():
    """[start, end) of the vmalloc range, from vmalloc.c's vmap_ranges[]."""
    ranges = symbol_value("vmap_ranges")
    for i in range(ranges.type.range()[1] + 1):
        r = ranges[i]
        if ulong(r["name"]) and read_cstring(ulong(r["name"])) == "vmalloc":
            return ulong(r["start"]), ulong(r["end"])
    raise gdb.GdbError("vmap_ranges[] has no \"vmalloc\" range: vmalloc_init() has not run yet")


class ContigVmallocinfo(ContigCommand):
    """Print every busy and lazily freed vmap area, as the kernel's vmallocinfo_dump().

Usage: contig-vmallocinfo
Walks the busy tree (vmap_area_root) and the lazy tree (purge_vmap_area_root)
in address order and prints /proc/vmallocinfo lines:
  0xSTART-0xEND    SIZE caller+0xoff/0xsize pages=N phys=0x... ioremap|vmalloc|vmap
  0xSTART-0xEND    SIZE unpurged vm_area
Caller names come from the kernel's own symbol table in memory (kallsyms), so
they are the ones the kernel prints. To find a leak, look for areas whose
caller should have freed them."""

    name = "contig-vmallocinfo"

    def run(self, argv):
        self.no_args(argv)
        ks = Kallsyms()
        vstart, vend = vmalloc_range()
        vend -= 1           # is_vmalloc_addr() takes VMALLOC_END, the last byte
        busy = vmap_areas("vmap_area_root")
        lazy = vmap_areas("purge_vmap_area_root")
        lines = []
        b = l = 0
        while b < len(busy) or l < len(lazy):
            if l == len(lazy) or (b < len(busy) and busy[b][0] < lazy[l][0]):
                lines.append(busy_area_line(ks, *busy[b], vstart, vend))
                b += 1
            else:
                s, e, _ = lazy[l]
                lines.append("0x%016x-0x%016x %7d unpurged vm_area" % (s, e, e - s))
                l += 1
        gdb.write("".join(line + "\n" for line in lines))


# ---- buddy ----

class ContigBuddyinfo(ContigCommand):
    """Print the free blocks per order of each zone, as the kernel's buddyinfo_dump().

Usage: contig-buddyinfo
One line per zone that has pages: "Node 0, zone NAME  n0 n1 ... n10", the
nr_free counters of free_area[0..MAX_ORDER]. Add -v to also walk each free
list and report any count that does not match its list."""

    name = "contig-buddyinfo"

    def run(self, argv):
        verbose = argv == ["-v"]
        if argv and not verbose:
            raise _err(self.name, "unknown argument '%s': usage: contig-buddyinfo [-v]"
                       % " ".join(argv))
        zones = symbol_value("zones")
        shown = 0
        for z in range(zones.type.range()[1] + 1):
            zone = zones[z]
            if not ulong(zone["managed_pages"]):
                continue
            shown += 1
            name = read_cstring(ulong(zone["name"]))
            areas = zone["free_area"]
            orders = areas.type.range()[1] + 1
            line = "Node 0, zone %8s " % name
            line += "".join("%6d " % ulong(areas[o]["nr_free"]) for o in range(orders))
            gdb.write(line + "\n")
            if verbose:
                for o in range(orders):
                    n = len(list_walk(ulong(areas[o]["free_list"].address)))
                    if n != ulong(areas[o]["nr_free"]):
                        gdb.write("  zone %s order %d: nr_free %d but %d blocks on the list\n"
                                  % (name, o, ulong(areas[o]["nr_free"]), n))
        if not shown:
            raise _err(self.name, "no zone has pages yet (memblock_free_all() has not run)")


class ContigMeminfo(ContigCommand):
    """Print MemTotal, MemFree and the Vmalloc lines of /proc/meminfo.

Usage: contig-meminfo
The same lines as the kernel's meminfo_dump() and vmalloc_meminfo_dump():
MemTotal (totalram_pages), MemFree (free pages of every zone), VmallocTotal,
VmallocUsed (pages vmalloc has mapped) and VmallocChunk (the largest free
block of the vmalloc range)."""

    name = "contig-meminfo"

    def run(self, argv):
        self.no_args(argv)
        kb = PAGE_SIZE >> 10
        total = ulong(symbol_value("totalram_pages"))
        zones = symbol_value("zones")
        free = sum(ulong(zones[z]["free_pages"]) for z in range(zones.type.range()[1] + 1))
        gdb.write("%-16s%8d kB\n" % ("MemTotal:", total * kb))
        gdb.write("%-16s%8d kB\n" % ("MemFree:", free * kb))
        start, end = vmalloc_range()
        used = ulong(symbol_value("vmalloc_nr_pages"))
        list_off = field_offset("struct vmap_area", "list")
        chunk = 0
        for pos in list_walk(ulong(symbol_value("free_vmap_area_list").address)):
            va = at(pos - list_off, "struct vmap_area")
            s, e = ulong(va["va_start"]), ulong(va["va_end"])
            if s >= start and e <= end:
                chunk = max(chunk, e - s)
        # VmallocTotal as Linux: (VMALLOC_END - VMALLOC_START) >> 10, END the last byte.
        for name, value in (("VmallocTotal:", (end - 1 - start) >> 10), ("VmallocUsed:", used * kb),
                            ("VmallocChunk:", chunk >> 10)):
            gdb.write("%-16s%8d kB\n" % (name, value))


# ---- page tables and addresses ----

class ContigPagewalk(ContigCommand):
    """Walk the page tables for a virtual address, level by level.

Usage: contig-pagewalk ADDR [PGD]
  ADDR  any expression: 0xffffc20000001000, $rsp, &log_buf, ptr->field
  PGD   physical address of the top-level table (default: CR3 from the stub)
Prints each level's entry (PGD, PUD, PMD, PTE), where it lies in physical
memory, its flags (P RW US PWT PCD A D PS G NX; PAT in place of PS at the PTE
level) and the next table, then the physical address, or the level at which
the walk stops because an entry is not present. Tables are read by physical
address through the stub, not through the kernel's page tables."""

    name = "contig-pagewalk"

    def run(self, argv):
        if not argv or len(argv) > 2:
            raise _err(self.name, "usage: contig-pagewalk ADDR [PGD]")
        va = parse_address(self.name, argv[0])
        pgd = parse_address(self.name, argv[1], "PGD") if len(argv) > 1 else None
        steps, phys, size, stop = page_walk(va, pgd)
        top = steps[0][2] & ~0xFFF
        gdb.write("virtual 0x%016x, top-level table at physical 0x%x%s\n"
                  % (va, top, " (CR3)" if pgd is None else ""))
        for i, (level, index, entry_phys, entry) in enumerate(steps):
            line = "%s[%3d] @ 0x%012x = 0x%016x %-22s" % (level, index, entry_phys, entry,
                                                           pte_flags(entry, level) or "-")
            if not entry & 1:
                line += " not present"
            elif i == len(steps) - 1:
                line += " -> %s page at 0x%x" % (size_name(size),
                                                 entry & PTE_PFN_MASK & ~(size - 1))
            else:
                line += " -> table at 0x%x" % (entry & PTE_PFN_MASK)
            gdb.write(line.rstrip() + "\n")
        if phys is None:
            gdb.write("not mapped: the walk stops at %s\n" % stop)
        else:
            gdb.write("physical 0x%x (pfn 0x%x, offset 0x%x in a %s page)\n"
                      % (phys, phys >> PAGE_SHIFT, phys & (size - 1), size_name(size)))


class ContigPa(ContigCommand):
    """Translate a kernel virtual address to a physical address.

Usage: contig-pa ADDR
Walks the page tables (as contig-pagewalk does), so it works for any mapped
address: direct map, kernel image, vmalloc, vmemmap. Also says what __pa()
or __pa_symbol() would give when ADDR lies in the direct map or the image.
See also the function $contig_pa(ADDR)."""

    name = "contig-pa"

    def run(self, argv):
        if len(argv) != 1:
            raise _err(self.name, "usage: contig-pa ADDR")
        va = parse_address(self.name, argv[0])
        phys = translate(self.name, va)
        gdb.write("0x%016x -> physical 0x%x (%s)\n" % (va, phys, region_of(va)))


class ContigVa(ContigCommand):
    """Translate a physical address to its kernel logical (direct-map) address.

Usage: contig-va PHYS
Prints page_offset_base + PHYS, and checks with a page walk that the direct
map really maps it there (a hole in RAM, or device memory, is not in the
direct map). See also the function $contig_va(PHYS)."""

    name = "contig-va"

    def run(self, argv):
        if len(argv) != 1:
            raise _err(self.name, "usage: contig-va PHYS")
        phys = parse_address(self.name, argv[0], "PHYS")
        va = phys_to_virt(self.name, phys)
        steps, back, size, stop = page_walk(va)
        if back == phys:
            note = "mapped"
        elif back is None:
            note = "NOT mapped: the walk stops at %s" % stop
        else:
            note = "maps to physical 0x%x instead!" % back
        gdb.write("physical 0x%x -> 0x%016x (direct map; %s)\n" % (phys, va, note))


def phys_to_virt(cmd, phys):
    base = ulong(symbol_value("page_offset_base"))
    reach = ulong(symbol_value_or("direct_map_size", gdb.Value(64 << 40)))
    if phys >= reach:
        raise _err(cmd, "physical 0x%x is beyond the direct map (0x%x bytes at 0x%016x)"
                   % (phys, reach, base))
    return base + phys


def region_of(va):
    regions = symbol_value_or("mem_regions", None)
    if regions is not None:
        for i in range(regions.type.range()[1] + 1):
            r = regions[i]
            if ulong(r["start"]) <= va < ulong(r["end"]) and ulong(r["name"]):
                name = read_cstring(ulong(r["name"]))
                if name == "direct map":
                    name += ", __pa() = 0x%x" % (va - ulong(r["start"]))
                elif name == "kernel image":
                    name += ", __pa_symbol() = 0x%x" % (va - 0xFFFFFFFF80000000)
                return name
    return "no region"


class ContigPaFunction(gdb.Function):
    """$contig_pa(ADDR): the physical address ADDR maps to, by a page walk."""

    def __init__(self):
        super().__init__("contig_pa")

    def invoke(self, addr):
        try:
            va = ulong(addr)
            return gdb.Value(translate("$contig_pa", va)).cast(gdb.lookup_type("unsigned long"))
        except gdb.GdbError as e:
            raise gdb.GdbError(str(e)) from None


class ContigVaFunction(gdb.Function):
    """$contig_va(PHYS): the direct-map address of PHYS (page_offset_base + PHYS)."""

    def __init__(self):
        super().__init__("contig_va")

    def invoke(self, phys):
        va = phys_to_virt("$contig_va", ulong(phys))
        return gdb.Value(va).cast(gdb.lookup_type("unsigned long"))


# ---- struct page ----

def page_flag_names(flags):
    names = [n[3:] for n, bit in sorted(PG_FLAGS.items(), key=lambda x: x[1]) if flags & bit]
    rest = flags & ~sum(PG_FLAGS.values())
    if rest:
        names.append("0x%x" % rest)
    return names


def page_state(page, flags):
    """One line saying what the flags mean for this frame."""
    fl = PG_FLAGS
    if flags & fl["PG_buddy"]:
        return "free: head of a free block of order %d" % ulong(page["private"])
    if flags & fl["PG_slab"]:
        cache = ulong(page["slab_cache"])
        name = "?"
        if cache:
            try:
                name = at(cache, "struct kmem_cache")["name"].string()
            except (gdb.error, gdb.MemoryError):
                pass
        return "slab page of cache %s (0x%x), %d objects in use" % (
            name, cache, ulong(page["inuse"]))
    if flags & fl["PG_tail"]:
        return "allocated: tail page of the block whose head is pfn 0x%x" % ulong(page["private"])
    if flags & fl["PG_head"]:
        what = "allocated: head of a block of order %d" % ulong(page["order"])
        if flags & fl["PG_vmalloc"]:
            what += ", mapped by vmalloc"
        if flags & fl["PG_pgtable"]:
            what += ", a page-table page"
        return what
    if flags & fl["PG_reserved"]:
        return "reserved: never given to the buddy (hole, image, boot data or memblock)"
    if flags == 0:
        return "no flags: a page inside a free block (not its head)"
    return "flags 0x%x" % flags


def print_fields(value, indent="  "):
    """Each field of a struct, flattening anonymous unions."""
    for f in value.type.strip_typedefs().fields():
        if f.name is None:
            print_fields(value[f], indent)
            continue
        v = value[f.name]
        code = v.type.strip_typedefs().code
        if code == gdb.TYPE_CODE_STRUCT:
            gdb.write("%s%-12s %s\n" % (indent, f.name, ", ".join(
                "%s=0x%x" % (g.name, ulong(v[g.name])) for g in v.type.strip_typedefs().fields()
                if g.name)))
        elif code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_ENUM,
                      gdb.TYPE_CODE_BOOL):
            gdb.write("%s%-12s 0x%x\n" % (indent, f.name, ulong(v)))
        else:
            gdb.write("%s%-12s %s\n" % (indent, f.name, v))


class ContigPage(ContigCommand):
    """Print the struct page of a physical frame, decoded.

Usage: contig-page PFN|ADDR
  PFN   a page frame number (any value below 0xffff800000000000)
  ADDR  a kernel virtual address: a struct page pointer (in vmemmap), or any
        mapped address, whose frame is found by a page walk
Prints where the struct page lies, its fields, its flags by name and what
they mean (free block, allocated block of order N, tail, slab, reserved)."""

    name = "contig-page"

    def run(self, argv):
        if len(argv) != 1:
            raise _err(self.name, "usage: contig-page PFN|ADDR")
        v = parse_address(self.name, argv[0], "PFN|ADDR")
        vmemmap = ulong(symbol_value("vmemmap_base"))
        psize = lookup_type("struct page").sizeof
        how = "pfn"
        if v >= 0xFFFF800000000000:
            if vmemmap <= v < vmemmap + (1 << 40):
                pfn, how = (v - vmemmap) // psize, "struct page pointer"
            else:
                pfn, how = translate(self.name, v) >> PAGE_SHIFT, "page walk of 0x%x" % v
        else:
            pfn = v
        max_pfn = ulong(symbol_value("max_pfn"))
        if pfn >= max_pfn:
            raise _err(self.name, "pfn 0x%x is beyond RAM (max_pfn 0x%x)" % (pfn, max_pfn))
        addr = vmemmap + pfn * psize
        try:
            raw = read_bytes(addr, psize, "struct page")
        except gdb.GdbError:
            raise _err(self.name, "no struct page for pfn 0x%x: vmemmap at 0x%016x is not "
                       "mapped (a hole in RAM)" % (pfn, addr)) from None
        del raw
        page = at(addr, "struct page")
        flags = ulong(page["flags"])
        gdb.write("pfn 0x%x (physical 0x%x, from %s): struct page at 0x%016x\n"
                  % (pfn, pfn << PAGE_SHIFT, how, addr))
        print_fields(page)
        gdb.write("  %-12s %s\n" % ("flag names", " ".join(page_flag_names(flags)) or "-"))
        gdb.write("  %-12s %s\n" % ("state", page_state(page, flags)))


# ---------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------

for _cls in (ContigDmesg, ContigLayout, ContigVmallocinfo, ContigBuddyinfo, ContigMeminfo,
             ContigPagewalk, ContigPa, ContigVa, ContigPage):
    _cls()
ContigPaFunction()
ContigVaFunction()
