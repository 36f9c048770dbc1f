# The GDB side of tests/e2e/gdb.sh, run inside `gdb -batch` once the helpers
# are auto-loaded with the ELF. Two modes (CONTIG_GDB_MODE):
#
#   helpers  the kernel boots with ktest=_gdb (tests/kernel/gdb_test.c) and
#            stops in ktest_gdb_checkpoint(); the contig-* helpers' output
#            is compared with what the kernel printed on serial just before,
#            contig-check runs on the healthy kernel and on one whose free
#            tree, buddy and slab counters, a guard page's PTE and busy shards
#            this script corrupts (then repairs); then backtraces
#   panic    the kernel runs a suite that oopses (_crash) or panics
#            (_panic): gdb must stop in die() / panic() by itself, with the
#            helpers' message and a backtrace, while QEMU still runs
#
# Environment: CONTIG_GDB_PORT (the stub's port), CONTIG_GDB_SERIAL (the
# serial log QEMU is writing), CONTIG_GDB_RANDOMISED (1 when the kernel was
# booted with randomize_memory), CONTIG_GDB_STOP (panic mode: die or panic),
# CONTIG_GDB_QEMU_PID. Ends with `quit N`, N = number of failures.

import os
import re

import gdb

PORT = os.environ["CONTIG_GDB_PORT"]
SERIAL = os.environ["CONTIG_GDB_SERIAL"]
# printk's "[    0.123456] " prefix, whether or not the kernel prints one.
TIMESTAMP = re.compile(r"^\[ *\d+\.\d+\] ")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def ok(msg):
    print("ok: " + msg)


def run(cmd):
    try:
        return gdb.execute(cmd, to_string=True)
    except gdb.error as e:
        fail("`%s` failed: %s" % (cmd, e))
        return ""


def expect_error(cmd, pattern):
    try:
        out = gdb.execute(cmd, to_string=True)
    except gdb.error as e:
        if re.search(pattern, str(e)):
            ok("`%s` refused: %s" % (cmd, e))
        else:
            fail("`%s` refused with '%s', expected /%s/" % (cmd, e, pattern))
        return
    fail("`%s` succeeded, expected an error /%s/; output: %s" % (cmd, pattern, out[:200]))


def serial_lines(raw=False):
    """The serial log's lines, without their timestamps unless @raw."""
    with open(SERIAL, "rb") as f:
        lines = f.read().decode("latin-1").replace("\r", "").split("\n")
    return lines if raw else [TIMESTAMP.sub("", line) for line in lines]


def between(lines, begin, end):
    try:
        i = lines.index(begin)
        j = lines.index(end, i)
    except ValueError:
        fail("the serial log has no '%s' ... '%s' block" % (begin, end))
        return []
    return lines[i + 1:j]


def same_lines(what, kernel, ours):
    if not kernel:
        fail("%s: the kernel printed no lines" % what)
        return
    if kernel == ours:
        ok("%s: %d lines equal the kernel's" % (what, len(kernel)))
        return
    fail("%s differs from the kernel's dump:" % what)
    for i in range(max(len(kernel), len(ours))):
        k = kernel[i] if i < len(kernel) else "<none>"
        g = ours[i] if i < len(ours) else "<none>"
        print("  %s kernel: %r\n    gdb:    %r" % ("  " if k == g else "!!", k, g))


def expect_frames(what, bt, names):
    """@names appear in @bt's frames in this order (innermost first)."""
    frames = [l for l in bt.splitlines() if l.startswith("#")]
    pos = 0
    for name in names:
        while pos < len(frames) and not re.search(r"\b%s\b" % re.escape(name), frames[pos]):
            pos += 1
        if pos == len(frames):
            fail("%s: no frame '%s' (in order %s) in:\n%s" % (what, name, names, bt))
            return
        pos += 1
    ok("%s: frames %s" % (what, " <- ".join(names)))


def stop_at(location):
    gdb.execute("delete")
    gdb.execute("break " + location, to_string=True)
    gdb.execute("continue", to_string=True)
    name = gdb.selected_frame().name()
    if name != location:
        raise gdb.GdbError("expected to stop in %s, stopped in %s" % (location, name))


def check_dmesg(boot):
    """The layout block is in dmesg as on serial, timestamps (if any) included."""
    dmesg = run("contig-dmesg -t").splitlines()
    missing = [l for l in boot if l not in dmesg]
    if missing or not boot:
        fail("contig-dmesg -t lacks the boot's layout lines: %s" % missing)
    else:
        ok("contig-dmesg -t holds the %d layout lines" % len(boot))
    if not dmesg or dmesg[-1] != "gdb-test: checkpoint":
        fail("contig-dmesg -t does not end with the line before the checkpoint: %s" % dmesg[-1:])
    raw = serial_lines(raw=True)
    first = next((l for l in raw if TIMESTAMP.sub("", l) == boot[0]), None) if boot else None
    whole = run("contig-dmesg").splitlines()
    if first is None or first not in whole:
        fail("contig-dmesg lacks the serial line %r as printed" % first)
    else:
        ok("contig-dmesg prints %r as the console did" % first)
    last = run("contig-dmesg 2").splitlines()
    if last != whole[-2:]:
        fail("contig-dmesg 2 = %s, want the last two lines %s" % (last, whole[-2:]))


def slab_columns(line):
    """name and the five numbers /proc/slabinfo 2.1 starts every line with."""
    return line.split()[:6]


def check_slabinfo(lines):
    """contig-slabinfo against the kernel's dump and the caches' counters."""
    kernel = between(lines, "gdb-test: slabinfo begin", "gdb-test: slabinfo end")
    ours = run("contig-slabinfo").splitlines()
    if kernel[:1] == ["slabinfo - version: 2.1"]:
        same_lines("contig-slabinfo", kernel, ours)
    elif [slab_columns(l) for l in kernel[2:]] == [slab_columns(l) for l in ours[2:]]:
        ok("contig-slabinfo: the 6 columns of %d caches equal the kernel's (older) dump"
           % len(kernel[2:]))
    else:
        same_lines("contig-slabinfo (first 6 columns)", [" ".join(slab_columns(l)) for l in kernel],
                   [" ".join(slab_columns(l)) for l in ours])
    if ours[:1] != ["slabinfo - version: 2.1"] or not ours[1].startswith("# name "):
        fail("contig-slabinfo header: %s" % ours[:2])
    fmt = re.compile(r"^(\S+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) : tunables +0 +0 +0 : "
                     r"slabdata +(\d+) +(\d+) +0$")
    active = total = 0
    for line in ours[2:]:
        m = fmt.match(line)
        g = m.groups() if m else ()
        if not m or line != SLABINFO_LINE % (g[:6] + ("0", "0", "0") + g[6:] + ("0",)):
            fail("contig-slabinfo line not in the 2.1 format: %r" % line)
            continue
        active += int(m.group(2))
        total += int(m.group(3))
    counters = slab_counters()
    if (active, total) != counters:
        fail("contig-slabinfo totals: %d active / %d objects, the caches count %d / %d"
             % ((active, total) + counters))
    else:
        ok("contig-slabinfo: %d caches, %d active of %d objects, as the caches count"
           % (len(ours) - 2, active, total))


SLABINFO_LINE = ("%-17s %6s %6s %6s %4s %4s : tunables %4s %4s %4s : slabdata %6s %6s %6s")


def slab_counters():
    """(active objects, objects) summed over slab_caches by gdb's own expressions."""
    head = gdb.parse_and_eval("&slab_caches")
    off = int(gdb.parse_and_eval("(unsigned long)&((struct kmem_cache *)0)->list"))
    cache_t = gdb.lookup_type("struct kmem_cache").pointer()
    active = total = 0
    pos = head["next"]
    while int(pos) != int(head):
        c = gdb.Value(int(pos) - off).cast(cache_t)
        active += int(c["active_objs"])  # minus the free objects in CPU arrays
        cpu = c["cpu"]
        lo, hi = cpu.type.range()
        active -= sum(int(cpu[i]["avail"]) for i in range(lo, hi + 1))
        total += int(c["nr_slabs"]) * int(c["objects"])
        pos = pos["next"]
    return active, total


# What contig-check must catch when gdb corrupts it: (what, the fields
# written, each as (a gdb expression, its wrong value from the right one),
# the violation expected). Each is put back at once.
FREE_ROOT = ("((struct vmap_area *)((char *)vmap_free.root.rb_node - "
             "(unsigned long)&((struct vmap_area *)0)->rb_node))")
CORRUPTIONS = [
    ("a free node's subtree_max_size", [(FREE_ROOT + "->subtree_max_size", lambda v: v + 4096)],
     r"vmalloc: free node \[0x[0-9a-f]+-0x[0-9a-f]+\) subtree_max_size 0x[0-9a-f]+, want "),
    ("the free tree root's colour", [("vmap_free.root.rb_node->__rb_parent_color",
                                      lambda v: v & ~1)],
     r"vmalloc: free tree: the root 0x[0-9a-f]+ is red"),
    ("a free list's nr_free", [("zones[0].free_area[0].nr_free", lambda v: v + 1)],
     r"buddy: zone DMA32 order 0: \d+ blocks listed, nr_free \d+"),
    ("a slab cache's active_objs", [("kmem_cache_boot.active_objs", lambda v: v + 1)],
     r"slab: cache kmem_cache: nr_slabs \d+ nr_free_slabs \d+ active_objs \d+, lists hold"),
]


def word(expr):
    """@expr (a pointer or unsigned long lvalue) as a 64-bit lvalue gdb can set to a number."""
    return "*(unsigned long *)&(%s)" % expr


def shard_swap():
    """Swap the busy trees, lists and counters of a shard that holds areas and
    another (an empty one if there is one): every tree and list stays sound,
    but their areas sit in a shard their va_start does not hash to."""
    nr = int(gdb.parse_and_eval("sizeof(vmap_shards) / sizeof(vmap_shards[0])"))
    busy = [int(gdb.parse_and_eval("vmap_shards[%d].nr_busy" % k)) for k in range(nr)]
    if nr < 2 or not any(busy):
        fail("no two shards to swap: nr_busy of the %d shards %s" % (nr, busy))
        return []
    i = next(k for k in range(nr) if busy[k])
    j = next((k for k in range(nr) if not busy[k]), (i + 1) % nr)
    shard = {k: "vmap_shards[%d]" % k for k in (i, j)}
    head = {k: int(gdb.parse_and_eval("(unsigned long)&%s.busy.head" % shard[k])) for k in (i, j)}
    ends = {k: (int(gdb.parse_and_eval("(unsigned long)%s.busy.head.next" % shard[k])),
                int(gdb.parse_and_eval("(unsigned long)%s.busy.head.prev" % shard[k])))
            for k in (i, j)}
    writes = []
    for k, other in ((i, j), (j, i)):
        first, last = ends[other] if busy[other] else (head[k], head[k])
        root = int(gdb.parse_and_eval("(unsigned long)%s.busy.root.rb_node" % shard[other]))
        writes += [(word("%s.busy.root.rb_node" % shard[k]), lambda v, r=root: r),
                   (word("%s.busy.head.next" % shard[k]), lambda v, f=first: f),
                   (word("%s.busy.head.prev" % shard[k]), lambda v, e=last: e),
                   ("%s.nr_busy" % shard[k], lambda v, n=busy[other]: n)]
        if busy[k]:     # its first and last areas link back to the other head
            writes += [(word("((struct list_head *)%d)->prev" % ends[k][0]),
                        lambda v, h=head[other]: h),
                       (word("((struct list_head *)%d)->next" % ends[k][1]),
                        lambda v, h=head[other]: h)]
    placed = r"is in shard (?:%d, its va_start hashes to shard %d|%d, its va_start hashes to shard %d)"
    return [("the busy trees and lists of shards %d and %d (swapped)" % (i, j), writes,
             r"vmalloc: busy area \[0x[0-9a-f]+-0x[0-9a-f]+\) " + placed % (i, j, j, i))]


def guard_corruption(lines):
    """Map the guard page after the 3-page area (its PTE := the last page's PTE)."""
    info = between(lines, "gdb-test: vmallocinfo begin", "gdb-test: vmallocinfo end")
    area = next((l for l in info if "pages=3 vmalloc" in l), None)
    if not area:
        fail("no 3-page vmalloc area in the kernel's vmallocinfo")
        return []
    guard = int(area.split("-")[1].split()[0], 16) - 4096
    pte = re.compile(r"^PTE\[ *\d+\] @ (0x[0-9a-f]+) = (0x[0-9a-f]+)", re.M)
    at_guard = pte.search(run("contig-pagewalk 0x%x" % guard))
    at_last = pte.search(run("contig-pagewalk 0x%x" % (guard - 4096)))
    if not at_guard or not at_last:
        fail("no PTE lines in the walks of 0x%x and the page before" % guard)
        return []
    last = int(at_last.group(2), 16)
    return [("the guard page's PTE",
             [("*(unsigned long *)(page_offset_base + %s)" % at_guard.group(1), lambda v: last)],
             r"vmalloc: the guard page 0x%x of busy area \[0x[0-9a-f]+-0x[0-9a-f]+\) is mapped"
             % guard)]


def check_contig_check(lines):
    """contig-check on the healthy kernel, then on each corruption in turn."""
    info = between(lines, "gdb-test: vmallocinfo begin", "gdb-test: vmallocinfo end")
    lazy = len([l for l in info if l.endswith("unpurged vm_area")])
    out = run("contig-check")
    m = re.match(r"contig-check: ok \((\d+) busy, (\d+) free, (\d+) lazy vmap areas; "
                 r"(\d+) free blocks \((\d+) pages\); (\d+) slabs in (\d+) caches\)$",
                 out.strip())
    if not m:
        fail("contig-check on a healthy kernel: %r" % out)
        return
    if (int(m.group(1)), int(m.group(3))) != (len(info) - lazy, lazy):
        fail("contig-check counts %s busy, %s lazy; vmallocinfo shows %d, %d"
             % (m.group(1), m.group(3), len(info) - lazy, lazy))
    else:
        ok(out.strip())
    for what, writes, pattern in CORRUPTIONS + guard_corruption(lines) + shard_swap():
        saved = []
        try:
            for field, wrong in writes:
                saved.append((field, int(gdb.parse_and_eval(field)) & 0xFFFFFFFFFFFFFFFF))
                gdb.execute("set var %s = %d" % (field, wrong(saved[-1][1])))
            print("corrupting %s:" % what)
            expect_error("contig-check", r"violation\(s\), the first: " + pattern)
        finally:
            for field, value in reversed(saved):
                gdb.execute("set var %s = %d" % (field, value))
    out = run("contig-check")
    if not out.startswith("contig-check: ok"):
        fail("contig-check after the repairs: %r" % out)
    else:
        ok("contig-check after the repairs: ok")


def check_checkpoint():
    lines = serial_lines()
    same_lines("contig-vmallocinfo",
               between(lines, "gdb-test: vmallocinfo begin", "gdb-test: vmallocinfo end"),
               run("contig-vmallocinfo").splitlines())
    same_lines("contig-buddyinfo",
               between(lines, "gdb-test: buddyinfo begin", "gdb-test: buddyinfo end"),
               run("contig-buddyinfo").splitlines())
    same_lines("contig-buddyinfo -v (every list as long as its count)",
               between(lines, "gdb-test: buddyinfo begin", "gdb-test: buddyinfo end"),
               run("contig-buddyinfo -v").splitlines())
    same_lines("contig-meminfo", between(lines, "gdb-test: meminfo begin", "gdb-test: meminfo end"),
               run("contig-meminfo").splitlines())
    check_slabinfo(lines)
    check_contig_check(lines)
    kinds = " ".join(between(lines, "gdb-test: vmallocinfo begin", "gdb-test: vmallocinfo end"))
    for kind in ("vmalloc", "vmap", "ioremap", "unpurged vm_area", "ktest__gdb_areas+0x"):
        if kind not in kinds:
            fail("the kernel's vmallocinfo has no '%s' area: %s" % (kind, kinds))

    # The boot's layout block: in dmesg, and what contig-layout prints.
    try:
        i = lines.index("Virtual kernel memory layout:")
        j = next(k for k in range(i, len(lines)) if lines[k].startswith("Memory:"))
        boot = lines[i:j + 1]
    except (ValueError, StopIteration):
        fail("no layout block on serial")
        boot = []
    check_dmesg(boot)
    layout = run("contig-layout").splitlines()
    same_lines("contig-layout", boot, layout[:len(boot)])
    how = "randomised" if os.environ.get("CONTIG_GDB_RANDOMISED") == "1" else "default"
    if not any(l.startswith("bases (%s): page_offset_base=0x" % how) for l in layout):
        fail("contig-layout does not say the bases are %s: %s" % (how, layout[-1:]))

    # The page walk of the probe address against vmalloc_to_pfn().
    m = next((re.match(r"gdb-test: vmalloc_to_pfn\((0x[0-9a-f]+)\) = (0x[0-9a-f]+)$", l)
              for l in lines if l.startswith("gdb-test: vmalloc_to_pfn")), None)
    if not m:
        fail("no vmalloc_to_pfn line on serial")
        return
    addr, pfn = int(m.group(1), 16), int(m.group(2), 16)
    want = pfn << 12 | addr & 0xFFF
    walk = run("contig-pagewalk 0x%x" % addr)
    print(walk, end="")
    got = re.search(r"^physical (0x[0-9a-f]+) ", walk, re.M)
    if not got or int(got.group(1), 16) != want:
        fail("contig-pagewalk 0x%x: physical %s, vmalloc_to_pfn says 0x%x"
             % (addr, got.group(1) if got else None, want))
    else:
        ok("contig-pagewalk 0x%x -> 0x%x = vmalloc_to_pfn 0x%x" % (addr, want, pfn))
    if not re.search(r"^PTE\[\s*\d+\] .* P RW A D G NX ", walk, re.M):
        fail("the PTE of a vmalloc page should read P RW A D G NX (PAGE_KERNEL)")
    pa = run("output/x $contig_pa(0x%x)" % addr).strip()
    if pa != "0x%x" % want:
        fail("$contig_pa(0x%x) = %s, want 0x%x" % (addr, pa, want))
    va = run("output/x $contig_va(0x%x)" % want).strip()
    back = run("output/x $contig_pa(%s)" % va).strip() if va else ""
    if back != "0x%x" % want:
        fail("$contig_pa($contig_va(0x%x)) = %s" % (want, back))
    probe = run("output (char *)0x%x" % addr)
    if "contig-gdb-probe" not in probe:
        fail("the probe string is not at 0x%x through the stub: %s" % (addr, probe))
    page = run("contig-page 0x%x" % pfn)
    if not re.search(r"flag names\s+head vmalloc", page):
        fail("contig-page 0x%x: a vmalloc page should be 'head vmalloc':\n%s" % (pfn, page))

    # The guard page after the first (3-page) area is not mapped.
    first = between(lines, "gdb-test: vmallocinfo begin", "gdb-test: vmallocinfo end")
    area = next((l for l in first if "pages=3 vmalloc" in l), None)
    if area:
        guard = int(area.split("-")[1].split()[0], 16) - 4096
        walk = run("contig-pagewalk 0x%x" % guard)
        if "not mapped: the walk stops at PTE" not in walk:
            fail("contig-pagewalk of the guard page 0x%x:\n%s" % (guard, walk))
        else:
            ok("guard page 0x%x: the walk stops at its PTE" % guard)
    expect_error("contig-pagewalk", r"usage")
    expect_error("contig-pagewalk nosuchsymbol", r"bad ADDR")
    expect_error("contig-pagewalk 0x1234567890abcdef", r"not a canonical address")
    expect_error("contig-pa 0x%x" % (guard if area else 0xffffc1ffffff0000), r"not mapped")
    expect_error("contig-page 0xfffffffff", r"beyond RAM")
    expect_error("contig-dmesg x", r"line count")
    expect_error("contig-vmallocinfo extra", r"takes no arguments")
    expect_error("contig-check now", r"takes no arguments")
    expect_error("contig-panic-break maybe", r"usage")
    for cmd in ("contig-dmesg", "contig-layout", "contig-vmallocinfo", "contig-buddyinfo",
                "contig-meminfo", "contig-pagewalk", "contig-pa", "contig-va", "contig-page",
                "contig-slabinfo", "contig-check", "contig-panic-break"):
        if "Usage: " + cmd not in run("help " + cmd):
            fail("help %s has no usage line" % cmd)


# panic mode: where gdb must stop by itself, and the frames below it.
PANIC_STOPS = {
    "panic": ["panic", "ktest__panic_panic", "ktest_run_one", "ktest_run", "kmain"],
    "die": ["die", "do_trap", "isr_common", "crash_write", "ktest__crash_null_deref",
            "ktest_run_one", "kmain"],
}


def check_panic_stop(where):
    """Continue from the reset vector: the helpers' breakpoint must stop us in @where."""
    out = gdb.execute("continue", to_string=True)
    print(out, end="")
    name = gdb.selected_frame().name()
    if name != where:
        fail("expected gdb to stop in %s by itself, it stopped in %s" % (where, name))
        return
    ok("gdb stopped in %s by itself" % where)
    if not re.search(r"^contig: %s\(\"[^\n]*\"\)[^\n]*; stopped before QEMU exits. Backtrace:$"
                     % where, out, re.M):
        fail("no 'contig: %s(...)' message at the stop" % where)
    expect_frames("the backtrace printed at the stop in %s" % where, out, PANIC_STOPS[where])
    try:
        os.kill(int(os.environ["CONTIG_GDB_QEMU_PID"]), 0)
        ok("QEMU still runs at the stop in %s" % where)
    except OSError as e:
        fail("QEMU is gone at the stop in %s: %s" % (where, e))


def main():
    gdb.execute("set pagination off")
    gdb.execute("set width 0")
    gdb.execute("target remote 127.0.0.1:%s" % PORT)
    if os.environ.get("CONTIG_GDB_MODE") == "panic":
        check_panic_stop(os.environ["CONTIG_GDB_STOP"])
        gdb.execute("delete")
        try:
            gdb.execute("continue", to_string=True)
        except gdb.error:
            pass    # the kernel left QEMU: "Remote connection closed"
        return
    stop_at("ktest_gdb_checkpoint")
    ok("stopped in ktest_gdb_checkpoint")
    check_checkpoint()

    stop_at("do_page_fault")
    bt = run("bt")
    print(bt, end="")
    expect_frames("bt from the #PF handler", bt,
                  ["do_page_fault", "do_trap", "isr_common", "gdb_touch", "ktest__gdb_areas",
                   "ktest_run", "kmain"])

    stop_at("vfree")
    bt = run("bt")
    print(bt, end="")
    expect_frames("bt from vfree", bt,
                  ["vfree", "gdb_free_areas", "ktest__gdb_areas", "ktest_run_one", "ktest_run",
                   "kmain"])

    gdb.execute("delete")
    try:
        gdb.execute("continue", to_string=True)
    except gdb.error:
        pass    # the kernel left QEMU: "Remote connection closed"


try:
    main()
except (gdb.error, gdb.GdbError) as e:
    fail("the session broke off: %s" % e)
print("gdb_check: %d failure(s)" % len(failures))
gdb.execute("quit %d" % min(len(failures), 100))
