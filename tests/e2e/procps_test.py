#!/usr/bin/env python3
"""The console's slabinfo and meminfo are read by the real procps tools.

Boots the kernel to its console (tests/e2e/console_test.py's Console),
captures `slabinfo` and `meminfo`, writes them into files and bind-mounts
them over /proc/slabinfo and /proc/meminfo in a private mount namespace
(unshare -m, as root), then runs slabtop --once, free -k and vmstat -s and
checks that each tool prints the numbers the kernel gave:

  - slabinfo: the first two lines are exactly those of /proc/slabinfo 2.1
    and every cache line has the SLUB shape (tunables 0 0 0, sharedavail 0);
  - slabtop: the object, slab and cache totals, and per cache OBJS, ACTIVE,
    SLABS and OBJ/SLAB;
  - free: total, free and available of the Mem: row;
  - vmstat -s: total memory, free memory, swap total.

Usage: procps_test.py [--elf FILE] [--mem SIZE] [--timeout SECS]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_test import Console, Failed  # noqa: E402

SLAB_HEAD = ("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
             " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs>"
             " <num_slabs> <sharedavail>")
SLAB_LINE = re.compile(r"^(\S+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) : tunables +0 +0 +0 : slabdata"
                       r" +(\d+) +(\d+) +0$")
# Linux's own format for a cache line (mm/slab_common.c), widths and all.
SLAB_FMT = "%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d"


def in_proc(files, cmd):
    """Run @cmd with each (path, /proc/name) of @files bind-mounted over /proc."""
    mounts = " && ".join("mount --bind %s /proc/%s" % (p, n) for p, n in files)
    # A new mount namespace whose /proc is private, so nothing propagates
    # back. Only /proc is made private, not /: in a chroot / is no mount
    # point and unshare's default (make / private) fails with EINVAL.
    script = "mount --make-rprivate /proc && %s && %s" % (mounts, cmd)
    r = subprocess.run(["unshare", "-m", "--propagation", "unchanged", "sh", "-c", script],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def parse_slabinfo(c, lines):
    c.check(lines[:1] == ["slabinfo - version: 2.1"], "slabinfo line 1: %r" % lines[:1])
    c.check(lines[1:2] == [SLAB_HEAD], "slabinfo line 2 is the 2.1 header: %r" % lines[1:2])
    caches = {}
    for l in lines[2:]:
        m = SLAB_LINE.match(l)
        f = [int(x) for x in m.groups()[1:]] if m else []
        if c.check(m is not None and l == SLAB_FMT % tuple([m.group(1)] + f[:5] + [0, 0, 0] +
                                                           f[5:] + [0]),
                   "slabinfo line is in the 2.1 format: %r" % l):
            caches[m.group(1).strip()] = dict(active=f[0], objs=f[1], size=f[2], perslab=f[3],
                                              pages=f[4], aslabs=f[5], slabs=f[6])
    c.check(len(caches) >= 3, "slabinfo lists the caches: %r" % sorted(caches))
    return caches


def check_slabtop(c, caches, slab_path):
    rc, out, err = in_proc([(slab_path, "slabinfo")], "slabtop --once --sort=n")
    if not c.check(rc == 0, "slabtop --once runs (status %d, %r)" % (rc, err.strip()[:200])):
        return
    objs = sum(x["objs"] for x in caches.values())
    active = sum(x["active"] for x in caches.values())
    slabs = sum(x["slabs"] for x in caches.values())
    aslabs = sum(x["aslabs"] for x in caches.values())
    m = re.search(r"Active / Total Objects \(% used\)\s*: (\d+) / (\d+)", out)
    c.check(m is not None and (int(m.group(1)), int(m.group(2))) == (active, objs),
            "slabtop objects %r = the kernel's %d / %d" % (m and m.groups(), active, objs))
    m = re.search(r"Active / Total Slabs \(% used\)\s*: (\d+) / (\d+)", out)
    c.check(m is not None and (int(m.group(1)), int(m.group(2))) == (aslabs, slabs),
            "slabtop slabs %r = the kernel's %d / %d" % (m and m.groups(), aslabs, slabs))
    m = re.search(r"Active / Total Caches \(% used\)\s*: \d+ / (\d+)", out)
    c.check(m is not None and int(m.group(1)) == len(caches),
            "slabtop counts %r caches, the kernel %d" % (m and m.group(1), len(caches)))
    rows = {}
    for l in out.splitlines():
        f = l.split()
        if len(f) == 8 and f[0].isdigit():
            rows[f[7]] = f
    for name, x in caches.items():
        f = rows.get(name)
        c.check(f is not None and [int(f[0]), int(f[1]), int(f[4]), int(f[5])] ==
                [x["objs"], x["active"], x["slabs"], x["perslab"]],
                "slabtop row for %s: %r, kernel objs %d active %d slabs %d per slab %d"
                % (name, f, x["objs"], x["active"], x["slabs"], x["perslab"]))


def parse_meminfo(c, lines):
    info = {}
    for l in lines:
        m = re.match(r"^([A-Za-z()_]+):\s+(\d+) kB$", l)
        if c.check(m is not None, "meminfo line has the /proc/meminfo shape: %r" % l):
            info[m.group(1)] = int(m.group(2))
    want = ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active",
            "Inactive", "SwapTotal", "SwapFree", "Dirty", "Writeback", "Slab", "SReclaimable",
            "SUnreclaim", "Shmem", "KernelStack", "PageTables", "VmallocTotal", "VmallocUsed",
            "VmallocChunk"]
    c.check(all(k in info for k in want),
            "meminfo has every field free and vmstat read (missing %r)"
            % [k for k in want if k not in info])
    return info


def check_free_vmstat(c, info, mem_path):
    rc, out, err = in_proc([(mem_path, "meminfo")], "free -k")
    row = next((l.split() for l in out.splitlines() if l.startswith("Mem:")), None)
    c.check(rc == 0 and row is not None, "free -k prints a Mem: row (status %d, %r)"
            % (rc, err.strip()[:200]))
    if row:
        got = dict(total=int(row[1]), free=int(row[3]), available=int(row[6]))
        want = dict(total=info["MemTotal"], free=info["MemFree"], available=info["MemAvailable"])
        c.check(got == want, "free shows the kernel's total/free/available: %r vs %r"
                % (got, want))
    rc, out, err = in_proc([(mem_path, "meminfo")], "vmstat -s")
    vm = {}
    for l in out.splitlines():
        m = re.match(r"^\s*(\d+) K (.+)$", l)
        if m:
            vm[m.group(2)] = int(m.group(1))
    c.check(rc == 0 and vm.get("total memory") == info["MemTotal"] and
            vm.get("free memory") == info["MemFree"] and
            vm.get("total swap") == info["SwapTotal"],
            "vmstat -s shows the kernel's total/free memory and swap: %r" %
            {k: vm.get(k) for k in ("total memory", "free memory", "total swap")})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--elf", default=None)
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: procps: needs root for unshare -m and the bind mounts over /proc")
        return 77

    c = Console(args)
    try:
        c.boot()
        c.run("vmalloc 64k")  # a few live objects in the vmalloc caches
        slab, mem = c.run("slabinfo"), c.run("meminfo")
        c.p.send("poweroff\r")
        c.p.expect("poweroff: powering off", timeout=30)
    except Failed as e:
        c.failures.append(str(e))
    finally:
        c.close()
    if not c.failures:
        with tempfile.TemporaryDirectory() as d:
            paths = os.path.join(d, "slabinfo"), os.path.join(d, "meminfo")
            for path, lines in zip(paths, (slab, mem)):
                with open(path, "w") as f:
                    f.write("\n".join(lines) + "\n")
            check_slabtop(c, parse_slabinfo(c, slab), paths[0])
            check_free_vmstat(c, parse_meminfo(c, mem), paths[1])
    if c.failures:
        print("procps: %d checks passed, %d FAILED:" % (c.passed, len(c.failures)))
        for f in c.failures:
            print("  - " + f)
        return 1
    print("procps: all %d checks passed" % c.passed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
