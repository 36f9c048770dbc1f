# Addresses and page tables: contig-layout (the region table), contig-pagewalk
# (the 4-level walk of a virtual address), contig-pa/contig-va and
# $contig_pa()/$contig_va() (translations), contig-page (a struct page,
# decoded). Tables are read by physical address (utils.read_phys).

import gdb

from contig import constants as C
from contig.utils import (ContigCommand, at, err, forget_stub, lookup_type, parse_address,
                          read_bytes, read_cstring, read_phys_u64, symbol_value,
                          symbol_value_or, ulong)

# Page-table entry bits, in the order they are printed.
PTE_BITS = [("P", C._PAGE_PRESENT), ("RW", C._PAGE_RW), ("US", C._PAGE_USER),
            ("PWT", C._PAGE_PWT), ("PCD", C._PAGE_PCD), ("A", C._PAGE_ACCESSED),
            ("D", C._PAGE_DIRTY), ("PS", C._PAGE_PSE), ("G", C._PAGE_GLOBAL), ("NX", C._PAGE_NX)]

# name, shift of the level (its entries each map 1 << shift bytes)
LEVELS = [("PGD", C.PGDIR_SHIFT), ("PUD", C.PUD_SHIFT), ("PMD", C.PMD_SHIFT),
          ("PTE", C.PAGE_SHIFT)]

PG_FLAGS = {"PG_reserved": C.PG_reserved, "PG_buddy": C.PG_buddy, "PG_slab": C.PG_slab,
            "PG_head": C.PG_head, "PG_vmalloc": C.PG_vmalloc, "PG_pgtable": C.PG_pgtable,
            "PG_tail": C.PG_tail}


# ---- the layout ----

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


# ---- page walk ----

def pte_flags(entry, level):
    names = []
    for name, mask in PTE_BITS:
        if entry & mask:
            if name == "PS" and level == "PTE":
                name = "PAT"
            names.append(name)
    return " ".join(names)


def read_cr3():
    try:
        return int(gdb.parse_and_eval("$cr3")) & C.PTE_PFN_MASK
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
    table = read_cr3() if pgd_phys is None else pgd_phys & C.PTE_PFN_MASK
    steps = []
    for level, shift in LEVELS:
        index = (va >> shift) & (C.PTRS_PER_TABLE - 1)
        entry_phys = table + index * 8
        entry = read_phys_u64(entry_phys)
        steps.append((level, index, entry_phys, entry))
        if not entry & C._PAGE_PRESENT:
            return steps, None, 0, "%s entry not present" % level
        if level == "PTE" or (level in ("PUD", "PMD") and entry & C._PAGE_PSE):
            size = 1 << shift
            frame = entry & C.PTE_PFN_MASK & ~(size - 1)
            return steps, frame | (va & (size - 1)), size, None
        if level == "PGD" and entry & C._PAGE_PSE:
            return steps, None, 0, "PS set in a PGD entry (reserved bit)"
        table = entry & C.PTE_PFN_MASK
    raise AssertionError("unreachable")


def translate(cmd, va):
    steps, phys, size, stop = page_walk(va)
    if phys is None:
        raise err(cmd, "0x%016x is not mapped: the walk stops at %s" % (va, stop))
    return phys


def size_name(size):
    return {1 << 12: "4 KiB", 1 << 21: "2 MiB", 1 << 30: "1 GiB"}.get(size, hex(size))


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
            raise err(self.name, "usage: contig-pagewalk ADDR [PGD]")
        va = parse_address(self.name, argv[0])
        pgd = parse_address(self.name, argv[1], "PGD") if len(argv) > 1 else None
        steps, phys, size, stop = page_walk(va, pgd)
        top = steps[0][2] & ~0xFFF
        gdb.write("virtual 0x%016x, top-level table at physical 0x%x%s\n"
                  % (va, top, " (CR3)" if pgd is None else ""))
        for i, (level, index, entry_phys, entry) in enumerate(steps):
            line = "%s[%3d] @ 0x%012x = 0x%016x %-22s" % (level, index, entry_phys, entry,
                                                           pte_flags(entry, level) or "-")
            if not entry & C._PAGE_PRESENT:
                line += " not present"
            elif i == len(steps) - 1:
                line += " -> %s page at 0x%x" % (size_name(size),
                                                 entry & C.PTE_PFN_MASK & ~(size - 1))
            else:
                line += " -> table at 0x%x" % (entry & C.PTE_PFN_MASK)
            gdb.write(line.rstrip() + "\n")
        if phys is None:
            gdb.write("not mapped: the walk stops at %s\n" % stop)
        else:
            gdb.write("physical 0x%x (pfn 0x%x, offset 0x%x in a %s page)\n"
                      % (phys, phys >> C.PAGE_SHIFT, phys & (size - 1), size_name(size)))


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
            raise err(self.name, "usage: contig-pa ADDR")
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
            raise err(self.name, "usage: contig-va PHYS")
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
    reach = ulong(symbol_value_or("direct_map_size", gdb.Value(C.DIRECT_MAP_SIZE)))
    if phys >= reach:
        raise err(cmd, "physical 0x%x is beyond the direct map (0x%x bytes at 0x%016x)"
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
                    name += ", __pa_symbol() = 0x%x" % (va - C.__START_KERNEL_map)
                return name
    return "no region"


class ContigPaFunction(gdb.Function):
    """$contig_pa(ADDR): the physical address ADDR maps to, by a page walk."""

    def __init__(self):
        super().__init__("contig_pa")

    def invoke(self, addr):
        forget_stub()
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
            raise err(self.name, "usage: contig-page PFN|ADDR")
        v = parse_address(self.name, argv[0], "PFN|ADDR")
        vmemmap = ulong(symbol_value("vmemmap_base"))
        psize = lookup_type("struct page").sizeof
        how = "pfn"
        if v >= 0xFFFF800000000000:
            if vmemmap <= v < vmemmap + C.VMEMMAP_SIZE:
                pfn, how = (v - vmemmap) // psize, "struct page pointer"
            else:
                pfn, how = translate(self.name, v) >> C.PAGE_SHIFT, "page walk of 0x%x" % v
        else:
            pfn = v
        max_pfn = ulong(symbol_value("max_pfn"))
        if pfn >= max_pfn:
            raise err(self.name, "pfn 0x%x is beyond RAM (max_pfn 0x%x)" % (pfn, max_pfn))
        addr = vmemmap + pfn * psize
        try:
            raw = read_bytes(addr, psize, "struct page")
        except gdb.GdbError:
            raise err(self.name, "no struct page for pfn 0x%x: vmemmap at 0x%016x is not "
                       "mapped (a hole in RAM)" % (pfn, addr)) from None
        del raw
        page = at(addr, "struct page")
        flags = ulong(page["flags"])
        gdb.write("pfn 0x%x (physical 0x%x, from %s): struct page at 0x%016x\n"
                  % (pfn, pfn << C.PAGE_SHIFT, how, addr))
        print_fields(page)
        gdb.write("  %-12s %s\n" % ("flag names", " ".join(page_flag_names(flags)) or "-"))
        gdb.write("  %-12s %s\n" % ("state", page_state(page, flags)))


ContigLayout()
ContigPagewalk()
ContigPa()
ContigVa()
ContigPage()
ContigPaFunction()
ContigVaFunction()
