# The buddy allocator: contig-buddyinfo and contig-meminfo, read from
# mm/page_alloc.c's zones[] (free_area[order] lists and counters) and, for
# the Vmalloc lines, from mm/vmalloc.c's free list and per-CPU counts.

import gdb

from contig import constants as C
from contig.utils import (ContigCommand, at, err, field_offset, list_walk, read_cstring,
                          symbol_value, ulong)
from contig.cpus import per_cpu
from contig.slab import caches as slab_caches
from contig.vmalloc import vmalloc_nr_pages, vmalloc_range

PAGE_SIZE = 1 << C.PAGE_SHIFT


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
            raise err(self.name, "unknown argument '%s': usage: contig-buddyinfo [-v]"
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
            raise err(self.name, "no zone has pages yet (memblock_free_all() has not run)")


# The /proc/meminfo fields meminfo_dump() prints as 0, in its order.
MEMINFO_ZERO = ("Buffers:", "Cached:", "SwapCached:", "Active:", "Inactive:", "Active(anon):",
                "Inactive(anon):", "Active(file):", "Inactive(file):", "Unevictable:", "Mlocked:",
                "SwapTotal:", "SwapFree:", "Dirty:", "Writeback:", "AnonPages:", "Mapped:",
                "Shmem:", "KReclaimable:")


class ContigMeminfo(ContigCommand):
    """Print /proc/meminfo as the kernel's meminfo_dump() and vmalloc_meminfo_dump() do.

Usage: contig-meminfo
MemTotal (totalram_pages), MemFree and MemAvailable (free pages of every
zone and of every CPU's page cache), the fields Contig has no use for as 0 (page cache, swap, user
memory), Slab/SUnreclaim (the pages of every slab cache), PageTables
(pgtable_stats), VmallocTotal, VmallocUsed (pages vmalloc has mapped, summed
over the CPUs' vmap_counts[]) and VmallocChunk (the largest free block of the
vmalloc range)."""

    name = "contig-meminfo"

    def run(self, argv):
        self.no_args(argv)
        kb = PAGE_SIZE >> 10
        total = ulong(symbol_value("totalram_pages"))
        zones = symbol_value("zones")
        free = sum(ulong(zones[z]["free_pages"]) for z in range(zones.type.range()[1] + 1))
        possible = ulong(symbol_value("cpu_possible_mask_bits"))
        free += sum(ulong(per_cpu("pcp", cpu)["count"])  # pages in the CPUs' caches are free
                    for cpu in range(64) if possible >> cpu & 1)
        slab = sum(ulong(c["nr_slabs"]) << ulong(c["order"]) for _, c in slab_caches())
        lines = [("MemTotal:", total), ("MemFree:", free), ("MemAvailable:", free)]
        lines += [(name, 0) for name in MEMINFO_ZERO]
        lines += [("Slab:", slab), ("SReclaimable:", 0), ("SUnreclaim:", slab),
                  ("KernelStack:", 0), ("PageTables:", ulong(symbol_value("pgtable_stats")["pt_pages"]))]
        for name, pages in lines:
            gdb.write("%-16s%8d kB\n" % (name, pages * kb))
        start, end = vmalloc_range()
        used = vmalloc_nr_pages()
        list_off = field_offset("struct vmap_area", "list")
        chunk = 0
        for pos in list_walk(ulong(symbol_value("vmap_free")["head"].address)):
            va = at(pos - list_off, "struct vmap_area")
            s, e = ulong(va["va_start"]), ulong(va["va_end"])
            if s >= start and e <= end:
                chunk = max(chunk, e - s)
        # VmallocTotal as Linux: (VMALLOC_END - VMALLOC_START) >> 10, END the last byte.
        for name, value in (("VmallocTotal:", (end - 1 - start) >> 10), ("VmallocUsed:", used * kb),
                            ("VmallocChunk:", chunk >> 10)):
            gdb.write("%-16s%8d kB\n" % (name, value))


ContigBuddyinfo()
ContigMeminfo()
