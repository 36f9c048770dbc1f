# The GDB side of tests/e2e/gdb.sh, run inside `gdb -batch` after
# scripts/gdb/gdbinit. The kernel boots with ktest=_gdb (tests/kernel/gdb_test.c)
# and stops in ktest_gdb_checkpoint(); the contig-* helpers' output is then
# compared with what the kernel printed on serial just before.
#
# Environment: CONTIG_GDB_PORT (the stub's port), CONTIG_GDB_SERIAL (the
# serial log QEMU is writing), CONTIG_GDB_RANDOMISED (1 when the kernel was
# booted with randomize_memory). Ends with `quit N`, N = number of failures.

import os
import re

import gdb

PORT = os.environ["CONTIG_GDB_PORT"]
SERIAL = os.environ["CONTIG_GDB_SERIAL"]
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


# printk starts every line with "[%5u.%06u] " (seconds.microseconds since boot).
STAMP = re.compile(r"^\[ *\d+\.\d{6}\] ")


def unstamped(lines):
    return [STAMP.sub("", l) for l in lines]


def serial_lines():
    with open(SERIAL, "rb") as f:
        return unstamped(f.read().decode("latin-1").replace("\r", "").split("\n"))


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


def check_checkpoint():
    lines = serial_lines()
    same_lines("contig-vmallocinfo",
               between(lines, "gdb-test: vmallocinfo begin", "gdb-test: vmallocinfo end"),
               run("contig-vmallocinfo").splitlines())
    same_lines("contig-buddyinfo",
               between(lines, "gdb-test: buddyinfo begin", "gdb-test: buddyinfo end"),
               run("contig-buddyinfo").splitlines())
    # contig-meminfo prints a subset of the kernel's fields: compare those.
    ours = run("contig-meminfo").splitlines()
    names = {l.split(":")[0] for l in ours}
    same_lines("contig-meminfo", [l for l in between(lines, "gdb-test: meminfo begin",
                                                     "gdb-test: meminfo end")
                                  if l.split(":")[0] in names], ours)
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
    dmesg = unstamped(run("contig-dmesg").splitlines())
    missing = [l for l in boot if l not in dmesg]
    if missing or not boot:
        fail("contig-dmesg lacks the boot's layout lines: %s" % missing)
    else:
        ok("contig-dmesg holds the %d layout lines" % len(boot))
    if "gdb-test: checkpoint" not in dmesg:
        fail("contig-dmesg lacks the last line before the checkpoint")
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
    for cmd in ("contig-dmesg", "contig-layout", "contig-vmallocinfo", "contig-buddyinfo",
                "contig-meminfo", "contig-pagewalk", "contig-pa", "contig-va", "contig-page"):
        if "Usage: " + cmd not in run("help " + cmd):
            fail("help %s has no usage line" % cmd)


def main():
    gdb.execute("set pagination off")
    gdb.execute("set width 0")
    gdb.execute("target remote 127.0.0.1:%s" % PORT)
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
