# Reading the kernel through the stub: memory (virtual and physical), symbols,
# types, the kernel's own symbol table, lists and rbtrees, and the base of
# every contig-* command. Everything the helper modules share is here; no
# module reads the target any other way.
#
# Physical memory is read with QEMU's physical-memory mode (the packet
# Qqemu.PhyMemMode), so that a page walk does not depend on the kernel's
# direct map being intact; with another stub the direct map is used.

import re
import struct

import gdb

from contig import constants as C

PAGE_SIZE = 1 << C.PAGE_SHIFT
U64 = 0xFFFFFFFFFFFFFFFF


def err(cmd, msg):
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
        raise err(cmd, "missing %s (see `help %s`)" % (what, cmd))
    try:
        v = gdb.parse_and_eval(arg)
    except gdb.error as e:
        raise err(cmd, "bad %s '%s': %s" % (what, arg, e)) from None
    code = v.type.strip_typedefs().code
    if code in (gdb.TYPE_CODE_ARRAY, gdb.TYPE_CODE_FUNC):
        v = v.address
    elif code not in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_ENUM,
                      gdb.TYPE_CODE_BOOL, gdb.TYPE_CODE_CHAR):
        raise err(cmd, "%s '%s' is a %s, not a number or a pointer" % (what, arg, v.type))
    try:
        return int(v) & U64
    except gdb.error as e:
        raise err(cmd, "bad %s '%s': %s" % (what, arg, e)) from None


# ---- physical memory ----

def _stub_packet(packet):
    out = gdb.execute("maintenance packet " + packet, to_string=True)
    m = re.search(r'received: "(.*)"', out)
    return m.group(1) if m else ""


_phys_mode = None      # does the stub have Qqemu.PhyMemMode? Asked once per command.


def _stub_has_phys_mode():
    global _phys_mode
    if _phys_mode is None:
        try:
            _phys_mode = _stub_packet("qqemu.PhyMemMode") in ("0", "1")
        except gdb.error:
            _phys_mode = False
    return _phys_mode


def forget_stub():
    """The next physical read asks the stub again (it may be another one by now)."""
    global _phys_mode
    _phys_mode = None


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


# ---- the kernel's symbol table (kallsyms), read from memory, so that caller
# names come out exactly as the kernel's %pS prints them ----

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


# ---- trees and lists ----

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


# ---- commands ----

class ContigCommand(gdb.Command):
    """Base: turns any read failure into a message naming the command."""

    name = None

    def __init__(self):
        super().__init__(self.name, gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        forget_stub()
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
            raise err(self.name, "takes no arguments (got '%s')" % " ".join(argv))


