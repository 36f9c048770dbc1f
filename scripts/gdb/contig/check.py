# contig-check: the invariants that vmalloc_check(), buddy_check() and the
# slab's counters promise, checked from gdb by walking the structures in
# memory. It calls no kernel function, so it works on a kernel stopped
# anywhere (a hung one, one in a panic, one half-way through an update:
# there a violation may just be the update in progress).
#
#   vmalloc  every busy shard's tree (vmap_shards[i].busy) and the free
#            tree: red-black rules, tree order == list order, areas
#            page-aligned, sorted, not overlapping, free blocks never
#            adjacent, every free node's subtree_max_size == max(its size,
#            its children's); busy areas agree with their vm_struct, sit in
#            the shard their va_start hashes to and overlap no other
#            shard's; every CPU's lazy list (vmap_lazy[cpu]) against its
#            counters; each pooled area of every CPU's pool
#            (vmap_pools[cpu].sizes[n - 1]) has n pages; busy + lazy + free +
#            pooled tile vmap_ranges[]; the counters (each shard's nr_busy,
#            vmalloc_stats, each pool's); every guard page is unmapped and
#            the first and last page of a vmalloc()/vmap() area map its pages
#   buddy    each free block: links, RAM, zone, PG_buddy alone, private ==
#            order, aligned, its other pages flag-free, its buddy not free
#            with the same order; nr_free, free_pages, managed, totalram_pages
#   slab     each cache's lists against nr_slabs, nr_free_slabs, active_objs,
#            and each slab page: PG_slab, slab_cache, inuse fits its list
#
# Prints "contig-check: ok (...)" or one line per violation, then fails.

import struct

import gdb

from contig import constants as C
from contig.mm import page_walk
from contig.slab import cache_name, caches, slab_pages
from contig.vmalloc import lazy_lists, nr_shards, pools, shard_of, shards
from contig.utils import (ContigCommand, at, field_offset, list_walk, lookup_type, read_bytes,
                          read_cstring, read_u64, symbol_value, ulong)

PAGE_SIZE = 1 << C.PAGE_SHIFT


class Problems:
    """The violations found so far, each printed as it is found."""

    def __init__(self):
        self.count = 0
        self.first = None

    def __call__(self, area, msg):
        self.count += 1
        self.first = self.first or "%s: %s" % (area, msg)
        gdb.write("contig-check: %s: %s\n" % (area, msg))


# ---- vmalloc ----

class RbTree:
    """An rbtree in memory: its nodes in order, and its red-black rules checked."""

    def __init__(self, root_addr):
        self.left = field_offset("struct rb_node", "rb_left")
        self.right = field_offset("struct rb_node", "rb_right")
        self.root = read_u64(root_addr, "an rb_root")
        self.nodes = []
        self.errors = []
        self.seen = set()
        if self.root and not read_u64(self.root) & C.RB_BLACK:
            self.errors.append("the root 0x%x is red" % self.root)
        self.black_height(self.root, 0)

    def black_height(self, node, parent):
        """Walk the subtree at @node in order; its black height (-1: broken)."""
        if not node:
            return 1
        if node in self.seen:
            self.errors.append("node 0x%x is reached twice (a loop)" % node)
            return -1
        self.seen.add(node)
        pc = read_u64(node, "an rb_node")
        if pc & ~3 != parent:
            self.errors.append("node 0x%x: parent 0x%x, linked from 0x%x" % (node, pc & ~3, parent))
        kids = (read_u64(node + self.left), read_u64(node + self.right))
        if not pc & C.RB_BLACK:
            for kid in kids:
                if kid and not read_u64(kid) & C.RB_BLACK:
                    self.errors.append("red node 0x%x has a red child 0x%x" % (node, kid))
        left = self.black_height(kids[0], node)
        self.nodes.append(node)
        right = self.black_height(kids[1], node)
        if left != right and left >= 0 and right >= 0:
            self.errors.append("node 0x%x: black heights %d left, %d right" % (node, left, right))
            return -1
        return -1 if left < 0 or right < 0 else left + (pc & C.RB_BLACK)


class Area:
    """One struct vmap_area, its fields read once."""

    def __init__(self, addr):
        self.addr = addr
        self.value = at(addr, "struct vmap_area")
        self.start = ulong(self.value["va_start"])
        self.end = ulong(self.value["va_end"])

    def size(self):
        return self.end - self.start

    def __str__(self):
        return "[0x%x-0x%x)" % (self.start, self.end)


def check_tree(bad, name, rbl, free_tree):
    """One struct rb_list value @rbl (tree, list, lock): the tree against its
    list; returns its areas in address order."""
    tree = RbTree(ulong(rbl["root"].address))
    for e in tree.errors:
        bad("vmalloc", "%s tree: %s" % (name, e))
    rb_off = field_offset("struct vmap_area", "rb_node")
    list_off = field_offset("struct vmap_area", "list")
    areas = [Area(n - rb_off) for n in tree.nodes]
    listed = [pos - list_off for pos in list_walk(ulong(rbl["head"].address))]
    if listed != [a.addr for a in areas]:
        bad("vmalloc", "%s list (%d areas) and tree (%d) differ" % (name, len(listed), len(areas)))
    prev = None
    for a in areas:
        if a.start >= a.end or a.start % PAGE_SIZE or a.end % PAGE_SIZE:
            bad("vmalloc", "%s node %s is malformed" % (name, a))
        if prev and prev.end > a.start:
            bad("vmalloc", "%s node %s overlaps %s" % (name, a, prev))
        elif prev and free_tree and prev.end == a.start:
            bad("vmalloc", "%s node %s is not merged with %s" % (name, a, prev))
        if free_tree:
            check_subtree_max(bad, a, rb_off, tree)
        prev = a
    return areas


def check_shard(bad, index, shard, nr):
    """One busy shard: its tree and list, each area's vm_struct and shard, its
    nr_busy; returns its areas in address order."""
    areas = check_tree(bad, "busy shard %d" % index, shard["busy"], False)
    for a in areas:
        check_vm(bad, a)
        home = shard_of(a.start, nr)
        if home != index:
            bad("vmalloc", "busy area %s is in shard %d, its va_start hashes to shard %d"
                % (a, index, home))
    if ulong(shard["nr_busy"]) != len(areas):
        bad("vmalloc", "busy shard %d holds %d areas, its nr_busy says %d"
            % (index, len(areas), ulong(shard["nr_busy"])))
    return areas


def check_busy(bad):
    """Every shard (vmap_shards[]); all busy areas by address, none overlapping
    another shard's (a shard's own are checked by check_tree)."""
    nr = nr_shards()
    found = shards()
    if 0 < len(found) < nr:
        missing = sorted(set(range(nr)) - {i for i, _ in found})
        bad("vmalloc", "shards %s have a NULL list head (not set up?)" % missing)
    every = sorted(((a, i) for i, shard in found for a in check_shard(bad, i, shard, nr)),
                   key=lambda x: x[0].start)
    for (prev, p), (a, i) in zip(every, every[1:]):
        if prev.end > a.start and p != i:
            bad("vmalloc", "busy area %s of shard %d overlaps %s of shard %d" % (a, i, prev, p))
    return [a for a, _ in every]


def check_subtree_max(bad, a, rb_off, tree):
    want = a.size()
    node = a.addr + rb_off
    for kid in (read_u64(node + tree.left), read_u64(node + tree.right)):
        if kid:
            want = max(want, ulong(at(kid - rb_off, "struct vmap_area")["subtree_max_size"]))
    stored = ulong(a.value["subtree_max_size"])
    if stored != want:
        bad("vmalloc", "free node %s subtree_max_size 0x%x, want 0x%x" % (a, stored, want))


def check_vm(bad, a):
    vm_ptr = ulong(a.value["vm"])
    vm = at(vm_ptr, "struct vm_struct") if vm_ptr else None
    if not vm or ulong(vm["addr"]) != a.start or ulong(vm["size"]) != a.size():
        bad("vmalloc", "busy node %s disagrees with its vm_struct 0x%x" % (a, vm_ptr))
        return
    flags = ulong(vm["flags"])
    if not flags & C.VM_NO_GUARD:
        guard = a.end - PAGE_SIZE
        if page_walk(guard)[1] is not None:
            bad("vmalloc", "the guard page 0x%x of busy area %s is mapped" % (guard, a))
    if flags & C.VM_UNINITIALIZED or not flags & (C.VM_ALLOC | C.VM_MAP):
        return
    nr = ulong(vm["nr_pages"])
    pages = ulong(vm["pages"])
    for i in sorted({0, nr - 1}) if nr and pages else []:
        check_page_mapped(bad, a, a.start + i * PAGE_SIZE, read_u64(pages + 8 * i))


def check_page_mapped(bad, a, va, page):
    vmemmap = ulong(symbol_value("vmemmap_base"))
    want = (page - vmemmap) // lookup_type("struct page").sizeof << C.PAGE_SHIFT
    got = page_walk(va)[1]
    if got != want:
        bad("vmalloc", "busy area %s: 0x%x maps %s, its page is at physical 0x%x"
            % (a, va, "nothing" if got is None else "physical 0x%x" % got, want))


def check_lazy(bad):
    """Every CPU's lazy list (vmap_lazy[cpu]) against its counters; its areas by address."""
    areas = []
    for cpu, lst, addrs in lazy_lists():
        mine = [Area(a) for a in addrs]
        for a in mine:
            if a.start >= a.end or a.start % PAGE_SIZE or a.end % PAGE_SIZE:
                bad("vmalloc", "lazy area %s on CPU %d's list is malformed" % (a, cpu))
        pages = sum(a.size() for a in mine) >> C.PAGE_SHIFT
        nr = ulong(lst["nr_added"]) - ulong(lst["nr_taken"])
        if (len(mine), pages) != (nr, ulong(lst["nr_pages"])):
            bad("vmalloc", "CPU %d lazy list: %d areas, %d pages; counters say %d, %d"
                % (cpu, len(mine), pages, nr, ulong(lst["nr_pages"])))
        areas += mine
    areas.sort(key=lambda a: a.start)
    for prev, a in zip(areas, areas[1:]):
        if prev.end > a.start:
            bad("vmalloc", "lazy area %s overlaps %s" % (a, prev))
    return areas


def check_pool(bad, cpu, pool):
    """One CPU's pooled areas (sizes[n - 1]: areas of n pages) and its counters."""
    sizes = pool["sizes"]
    list_off = field_offset("struct vmap_area", "list")
    areas = []
    for i in range(sizes.type.range()[1] + 1):
        for pos in list_walk(ulong(sizes[i].address)):
            a = Area(pos - list_off)
            if a.start >= a.end or a.start % PAGE_SIZE or a.size() != (i + 1) * PAGE_SIZE:
                bad("vmalloc", "CPU %d pool entry %s is on the list of %d pages"
                    % (cpu, a, i + 1))
            areas.append(a)
    pages = sum(a.size() for a in areas) >> C.PAGE_SHIFT
    if (len(areas), pages) != (ulong(pool["nr_areas"]), ulong(pool["nr_pages"])):
        bad("vmalloc", "CPU %d pool counters areas %d/%d pages %d/%d (kept/counted)"
            % (cpu, ulong(pool["nr_areas"]), len(areas), ulong(pool["nr_pages"]), pages))
    return areas


def check_pools(bad):
    """Every CPU's pool (vmap_pools[cpu]); the pooled areas of all of them."""
    return [a for cpu, pool in pools() for a in check_pool(bad, cpu, pool)]


def check_coverage(bad, busy, lazy, free, pooled):
    """busy + lazy + free + pooled tile every managed range, in order."""
    every = sorted([(a.start, "busy", a) for a in busy] + [(a.start, "lazy", a) for a in lazy] +
                   [(a.start, "free", a) for a in free] +
                   [(a.start, "pooled", a) for a in pooled], key=lambda x: x[0])
    ranges = symbol_value("vmap_ranges")
    i = 0
    for r in range(ranges.type.range()[1] + 1):
        name = read_cstring(ulong(ranges[r]["name"])) if ulong(ranges[r]["name"]) else "?"
        at_addr, end = ulong(ranges[r]["start"]), ulong(ranges[r]["end"])
        while at_addr < end:
            if i == len(every) or every[i][0] != at_addr or every[i][2].end > end:
                found = "%s %s" % every[i][1:] if i < len(every) else "none"
                bad("vmalloc", "%s range: at 0x%x expected an area, found %s"
                    % (name, at_addr, found))
                return
            at_addr = every[i][2].end
            i += 1
    if i < len(every):
        bad("vmalloc", "%s area %s lies outside the managed ranges" % every[i][1:])


def check_vmalloc(bad):
    busy = check_busy(bad)
    free = check_tree(bad, "free", symbol_value("vmap_free"), True)
    lazy = check_lazy(bad)
    check_coverage(bad, busy, lazy, free, check_pools(bad))
    stats = symbol_value("vmalloc_stats")
    lazy_pages = sum(a.size() for a in lazy) >> C.PAGE_SHIFT
    counted = (len(free), lazy_pages)
    kept = (ulong(stats["nr_free_blocks"]), ulong(stats["lazy_pages"]))
    if counted != kept:
        bad("vmalloc", "counters free %d/%d lazy pages %d/%d (kept/counted)"
            % (kept[0], counted[0], kept[1], counted[1]))
    return "%d busy, %d free, %d lazy vmap areas" % (len(busy), len(free), len(lazy))


# ---- buddy ----

class PageArray:
    """struct page fields by pfn, read from vmemmap in bulk."""

    def __init__(self):
        self.base = ulong(symbol_value("vmemmap_base"))
        self.size = lookup_type("struct page").sizeof
        self.flags = field_offset("struct page", "flags")
        self.private = field_offset("struct page", "private")
        self.lru = field_offset("struct page", "lru")
        mb = symbol_value("memblock")["memory"]
        self.ram = [(ulong(mb["regions"][i]["base"]), ulong(mb["regions"][i]["size"]))
                    for i in range(ulong(mb["cnt"]))]
        self.max_pfn = ulong(symbol_value("max_pfn"))

    def region(self, pfn):
        """The index of the memblock.memory region holding @pfn, or None."""
        phys = pfn << C.PAGE_SHIFT
        if pfn < self.max_pfn:
            for i, (base, size) in enumerate(self.ram):
                if base <= phys < base + size:
                    return i
        return None

    def valid(self, pfn):
        """pfn_valid(): RAM with a struct page."""
        return self.region(pfn) is not None

    def pfn(self, page):
        return (page - self.base) // self.size

    def flags_of(self, pfn, n=1):
        raw = read_bytes(self.base + pfn * self.size, n * self.size, "struct pages")
        return [struct.unpack_from("<Q", raw, i * self.size + self.flags)[0] for i in range(n)]

    def private_of(self, pfn):
        return read_u64(self.base + pfn * self.size + self.private, "a struct page")


def check_block(pages, zone, page, order):
    """What is wrong with the free block whose struct page is at @page, or None."""
    lru = page + pages.lru
    if read_u64(read_u64(lru) + 8) != lru or read_u64(read_u64(lru + 8)) != lru:
        return "broken list links"
    pfn = pages.pfn(page)
    n = 1 << order
    if not pages.valid(pfn):
        return "not RAM"
    if not zone[0] <= pfn < zone[1]:
        return "in the wrong zone"
    flags = pages.flags_of(pfn, n)
    if flags[0] != C.PG_buddy:
        return "head flags are not PG_buddy alone"
    if pages.private_of(pfn) != order:
        return "private is not the list's order"
    if pfn % n:
        return "misaligned for its order"
    if pages.region(pfn + n - 1) != pages.region(pfn) or pfn + n > zone[1]:
        return "covers a hole or another zone"
    if any(flags[1:]):
        return "a page inside has flags (overlapping blocks?)"
    buddy = pfn ^ n
    if order < C.MAX_ORDER and pages.valid(buddy) and zone[0] <= buddy < zone[1] and \
            pages.flags_of(buddy)[0] & C.PG_buddy and pages.private_of(buddy) == order:
        return "its buddy is free with the same order (missed merge)"
    return None


def check_zone(bad, pages, zone):
    """One zone's lists and counters; returns (free blocks, free pages)."""
    name = read_cstring(ulong(zone["name"]))
    span = (ulong(zone["start_pfn"]), ulong(zone["end_pfn"]))
    managed = ulong(zone["managed_pages"])
    areas = zone["free_area"]
    blocks = npages = 0
    for o in range(areas.type.range()[1] + 1):
        listed = list_walk(ulong(areas[o]["free_list"].address), managed + 1)
        for lru in listed:
            why = check_block(pages, span, lru - pages.lru, o)
            if why:
                bad("buddy", "zone %s order %d pfn 0x%x: %s"
                    % (name, o, pages.pfn(lru - pages.lru), why))
        if len(listed) != ulong(areas[o]["nr_free"]):
            bad("buddy", "zone %s order %d: %d blocks listed, nr_free %d"
                % (name, o, len(listed), ulong(areas[o]["nr_free"])))
        blocks += len(listed)
        npages += len(listed) << o
    if npages != ulong(zone["free_pages"]) or npages > managed:
        bad("buddy", "zone %s: %d pages listed, free_pages %d, managed %d"
            % (name, npages, ulong(zone["free_pages"]), managed))
    return blocks, npages


def check_buddy(bad):
    pages = PageArray()
    zones = symbol_value("zones")
    blocks = npages = managed = 0
    for z in range(zones.type.range()[1] + 1):
        b, p = check_zone(bad, pages, zones[z])
        blocks, npages = blocks + b, npages + p
        managed += ulong(zones[z]["managed_pages"])
    if managed != ulong(symbol_value("totalram_pages")):
        bad("buddy", "zones manage %d pages, totalram_pages %d"
            % (managed, ulong(symbol_value("totalram_pages"))))
    return "%d free blocks (%d pages)" % (blocks, npages)


# ---- slab ----

def check_cache(bad, addr, cache):
    name = cache_name(cache)
    objects = ulong(cache["objects"])
    lists = {w: slab_pages(cache, w) for w in ("slabs_partial", "slabs_full", "slabs_free")}
    inuse = 0
    for which, slabs in lists.items():
        for page in slabs:
            p = at(page, "struct page")
            n = ulong(p["inuse"])
            inuse += n
            fits = {"slabs_partial": 0 < n < objects, "slabs_full": n == objects,
                    "slabs_free": n == 0}[which]
            if not ulong(p["flags"]) & C.PG_slab or ulong(p["slab_cache"]) != addr or not fits:
                bad("slab", "cache %s: slab page 0x%x on %s: flags 0x%x, cache 0x%x, inuse %d/%d"
                    % (name, page, which, ulong(p["flags"]), ulong(p["slab_cache"]), n, objects))
    nr = sum(len(s) for s in lists.values())
    kept = (ulong(cache["nr_slabs"]), ulong(cache["nr_free_slabs"]), ulong(cache["active_objs"]))
    if kept != (nr, len(lists["slabs_free"]), inuse):
        bad("slab", "cache %s: nr_slabs %d nr_free_slabs %d active_objs %d, lists hold %d %d %d"
            % ((name,) + kept + (nr, len(lists["slabs_free"]), inuse)))
    return nr


def check_slab(bad):
    all_caches = caches()
    slabs = sum(check_cache(bad, addr, c) for addr, c in all_caches)
    return "%d slabs in %d caches" % (slabs, len(all_caches))


class ContigCheck(ContigCommand):
    """Check the invariants of vmalloc, the buddy allocator and the slab caches.

Usage: contig-check
Walks the vmalloc busy trees (one per shard), free tree, lazy lists and pools,
the buddy free lists and the slab lists in memory and checks what
vmalloc_check() and buddy_check() check in C (see the top of
scripts/gdb/contig/check.py), plus unmapped guard pages.
Prints "contig-check: ok (N busy, M free, L lazy vmap areas; ...)", or each
violation on its own line and then fails. Read-only: nothing is repaired."""

    name = "contig-check"

    def run(self, argv):
        self.no_args(argv)
        bad = Problems()
        summary = [check_vmalloc(bad), check_buddy(bad), check_slab(bad)]
        if bad.count:
            raise gdb.GdbError("%d violation(s), the first: %s" % (bad.count, bad.first))
        gdb.write("contig-check: ok (%s)\n" % "; ".join(summary))


ContigCheck()
