# Slab caches: contig-slabinfo, and the walker of the caches and their slabs
# that contig-check uses. Read from mm/slab.c: the list slab_caches of
# struct kmem_cache (linked through ->list), each with three lists of slab
# head pages (struct page, linked through ->slab_list) and its counters.

import gdb

from contig.utils import (ContigCommand, at, field_offset, list_walk, read_cstring,
                          symbol_value, ulong)

SLABINFO_HEADER = [
    "slabinfo - version: 2.1",
    "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
    " : tunables <limit> <batchcount> <sharedfactor>"
    " : slabdata <active_slabs> <num_slabs> <sharedavail>",
]


def caches():
    """(address, gdb.Value) of every struct kmem_cache, in slab_caches order."""
    off = field_offset("struct kmem_cache", "list")
    head = ulong(symbol_value("slab_caches").address)
    return [(pos - off, at(pos - off, "struct kmem_cache")) for pos in list_walk(head, 1 << 16)]


def cache_name(cache):
    return read_cstring(ulong(cache["name"].address), cache["name"].type.sizeof)


def slab_pages(cache, which):
    """Addresses of the struct pages on the cache's list @which (slabs_partial...)."""
    off = field_offset("struct page", "slab_list")
    return [pos - off for pos in list_walk(ulong(cache[which].address), 1 << 22)]


def cpu_cached(cache):
    """Free objects of the cache sitting in the CPU arrays (cpu[].avail summed)."""
    cpu = cache["cpu"]
    lo, hi = cpu.type.range()
    return sum(ulong(cpu[i]["avail"]) for i in range(lo, hi + 1))


def slabinfo_line(cache):
    """One /proc/slabinfo 2.1 line from the cache's counters, as slabinfo_dump().

    active_slabs counts the slabs with an object in use (all but the free
    ones); Contig has no tunables and no shared caches: those are 0. Objects
    in the CPU arrays are free: subtracted, never below 0 (as the kernel).
    """
    objects = ulong(cache["objects"])
    nr_slabs = ulong(cache["nr_slabs"])
    active_slabs = nr_slabs - ulong(cache["nr_free_slabs"])
    return ("%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d"
            % (cache_name(cache), max(0, ulong(cache["active_objs"]) - cpu_cached(cache)),
               nr_slabs * objects,
               ulong(cache["size"]), objects, 1 << ulong(cache["order"]), 0, 0, 0,
               active_slabs, nr_slabs, 0))


class ContigSlabinfo(ContigCommand):
    """Print every slab cache, as the kernel's slabinfo_dump() (/proc/slabinfo 2.1).

Usage: contig-slabinfo
The two header lines, then one line per cache on slab_caches:
  name active_objs num_objs objsize objperslab pagesperslab
       : tunables 0 0 0 : slabdata active_slabs num_slabs 0
objsize is the stride (object size rounded up to the alignment); num_objs is
nr_slabs * objperslab; active_slabs are the slabs not on slabs_free. The
counters are the caches' own; contig-check counts the lists against them."""

    name = "contig-slabinfo"

    def run(self, argv):
        self.no_args(argv)
        lines = SLABINFO_HEADER + [slabinfo_line(c) for _, c in caches()]
        gdb.write("".join(line + "\n" for line in lines))


ContigSlabinfo()
