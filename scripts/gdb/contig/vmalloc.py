# vmalloc: contig-vmallocinfo, and the walkers of the vmap-area trees that
# contig-check uses. The trees and the ranges are read from mm/vmalloc.c's
# statics (vmap_shards[]: the busy areas sharded by address, a struct
# rb_list and nr_busy per shard; vmap_free: a struct rb_list; vmap_lazy[]:
# one struct vmap_lazy_list per CPU, its areas oldest first; vmap_pools[]:
# one pool of flushed ranges per CPU; vmap_counts[]: per-CPU counters;
# vmap_ranges[]); struct layouts and array lengths come from DWARF.

import heapq

import gdb

from contig import constants as C
from contig.utils import (U64, ContigCommand, Kallsyms, at, field_offset, list_walk,
                          rb_inorder, read_cstring, symbol_value, ulong, value_int)

VMINFO_LINE_MAX = 160           # mm/vmalloc.c: lines are cut at 159 characters
SHARD_HASH = 0x9E3779B97F4A7C15  # mm/vmalloc.c: the multiplier of a busy area's shard hash


def vmap_areas(rbl):
    """(va_start, va_end, vmap_area address) of the tree of the struct
    rb_list value @rbl, in address order."""
    root = rbl["root"]
    rb_off = field_offset("struct vmap_area", "rb_node")
    out = []
    for node in rb_inorder(ulong(root.address)):
        va = at(node - rb_off, "struct vmap_area")
        out.append((ulong(va["va_start"]), ulong(va["va_end"]), node - rb_off))
    return out


def nr_shards():
    """The length of vmap_shards[] (VMAP_NR_SHARDS), a power of two."""
    n = symbol_value("vmap_shards").type.range()[1] + 1
    if n & (n - 1):
        raise gdb.GdbError("vmap_shards[] has %d entries, not a power of two" % n)
    return n


def shard_of(va_start, nr):
    """The shard of @nr whose tree holds the busy area starting at @va_start:
    the top bits of (page number * SHARD_HASH) mod 2^64."""
    return ((va_start >> C.PAGE_SHIFT) * SHARD_HASH & U64) >> (64 - (nr.bit_length() - 1))


def shards():
    """[(index, struct vmap_shard value)] of every shard vmalloc_init() set up."""
    arr = symbol_value("vmap_shards")
    return [(i, arr[i]) for i in range(arr.type.range()[1] + 1)
            if ulong(arr[i]["busy"]["head"]["next"])]


def busy_areas():
    """(va_start, va_end, vmap_area address) of every shard's busy areas, merged by address."""
    return list(heapq.merge(*[vmap_areas(shard["busy"]) for _, shard in shards()]))


def vmalloc_nr_pages():
    """Pages vmalloc() has mapped: the sum of every CPU's net count
    (vmap_counts[cpu].nr_pages, signed: a page may be freed on another CPU)."""
    counts = symbol_value("vmap_counts")
    return sum(value_int(counts[cpu]["nr_pages"]) for cpu in range(counts.type.range()[1] + 1))


def pools():
    """[(cpu, struct vmap_pool value)] of every CPU's pool (vmap_pools[]) that
    vmalloc_init() set up."""
    arr = symbol_value("vmap_pools")
    return [(cpu, arr[cpu]) for cpu in range(arr.type.range()[1] + 1)
            if ulong(arr[cpu]["sizes"][0]["next"])]


def lazy_lists():
    """[(cpu, struct vmap_lazy_list value, [vmap_area addresses oldest first])] of every
    CPU's lazy list (vmap_lazy[])."""
    lists = symbol_value("vmap_lazy")
    list_off = field_offset("struct vmap_area", "list")
    out = []
    for cpu in range(lists.type.range()[1] + 1):
        head = ulong(lists[cpu]["head"].address)
        if ulong(lists[cpu]["head"]["next"]) == 0:   # before vmalloc_init()
            continue
        out.append((cpu, lists[cpu], [pos - list_off for pos in list_walk(head)]))
    return out


def lazy_areas():
    """(va_start, va_end, vmap_area address) of every lazily freed area, by address."""
    out = []
    for _, _, areas in lazy_lists():
        for addr in areas:
            va = at(addr, "struct vmap_area")
            out.append((ulong(va["va_start"]), ulong(va["va_end"]), addr))
    return sorted(out)


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
    if not flags & C.VM_UNINITIALIZED:
        nr_pages = value_int(vm["nr_pages"])
        if nr_pages:
            line += " pages=%d" % nr_pages
        if flags & C.VM_IOREMAP:
            line += " phys=0x%016x" % ulong(vm["phys_addr"])
            line += " ioremap"
        if flags & C.VM_ALLOC:
            line += " vmalloc"
        if flags & C.VM_MAP:
            line += " vmap"
        if flags & C.VM_MAP_RAM:
            line += " vm_map_ram"
        pages = ulong(vm["pages"])
        if pages and vstart <= pages <= vend:
            line += " vpages"
        if nr_pages:
            line += " N0=%d" % nr_pages
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
Walks the busy tree of every shard (vmap_shards[i].busy.root) and every CPU's
lazy list (vmap_lazy[cpu].head), merged in address order, and prints /proc/vmallocinfo lines:
  0xSTART-0xEND    SIZE caller+0xoff/0xsize pages=N phys=0x<16 digits> ioremap|vmalloc|vmap vpages N0=N
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
        busy = busy_areas()
        lazy = lazy_areas()
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


ContigVmallocinfo()
