#!/usr/bin/env python3
"""End-to-end test of the module commands of the console (debug/console/module.c).

Boots with every module in the ISO (CONTIG_MODULES=all, set by modules.sh)
and modules=vmstress on the command line, then at the prompt:

  - lsmod lists vmstress, loaded at boot, in /proc/modules' format;
  - insmod vmstress again is refused with -EEXIST; insmod mathuser before
    mathlib with -ENOENT (the loader names the missing symbol); an unknown
    name is refused and the GRUB modules are listed;
  - insmod mathlib, insmod mathuser: lsmod shows "mathlib SIZE 1 mathuser,";
    rmmod mathlib is refused with -EBUSY; rmmod mathuser then mathlib work;
  - insmod ADDR loads regdump by its image's physical address (from the
    list insmod prints); vmallocinfo shows the module areas with the
    loader as caller and regdump's ioremap of the HPET with regdump's init;
  - rmmod of every module leaves lsmod empty; rmmod of an unknown name says
    -ENOENT; no oops or warning anywhere.

Usage: modules_test.py [--elf FILE] [--mem SIZE] [--timeout SECS]
Exit status 0 when every check passed, 1 otherwise.
"""

import argparse
import os
import re
import sys

import pexpect

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_test import ERROR_WORDS, Console, Failed  # noqa: E402

LSMOD = re.compile(r"^(\w+) (\d+) (\d+) (\S+) (Live|Loading|Unloading) 0x([0-9a-f]{16})$")


def lsmod(c):
    out = c.run("lsmod")
    return {m.group(1): m for m in (LSMOD.match(l) for l in out) if m}, out


def test_boot_loaded(c):
    mods, out = lsmod(c)
    m = mods.get("vmstress")
    c.check(m is not None and m.group(3) == "0" and m.group(4) == "-",
            "lsmod lists vmstress (modules= at boot) with no user: %r" % out)
    c.check(set(mods) == {"vmstress"}, "only vmstress is loaded: %r" % out)
    out = c.run("insmod vmstress")
    c.check(any("-EEXIST" in l for l in out), "insmod vmstress again: -EEXIST: %r" % out)


def test_user_and_exporter(c):
    out = c.run("insmod mathuser")
    c.check(any("mathlib_" in l for l in out) and any("-ENOENT" in l for l in out),
            "insmod mathuser before mathlib: the missing symbol and -ENOENT: %r" % out)
    out = c.run("insmod mathlib")
    c.check(any(l.startswith("mathlib: gcd and isqrt exported") for l in out),
            "insmod mathlib runs its init: %r" % out)
    out = c.run("insmod mathuser")
    c.check(any(l.startswith("mathuser: gcd(84, 36) = 12, isqrt(3024) = 54") for l in out),
            "insmod mathuser calls mathlib: %r" % out)
    mods, out = lsmod(c)
    lib, user = mods.get("mathlib"), mods.get("mathuser")
    c.check(lib is not None and lib.group(3) == "1" and lib.group(4) == "mathuser,",
            "lsmod: mathlib used once, by mathuser: %r" % out)
    c.check(user is not None and user.group(3) == "0" and user.group(4) == "-",
            "lsmod: mathuser unused: %r" % out)
    c.check(out and out[0].startswith("mathuser "), "lsmod: most recent first: %r" % out)
    out = c.run("rmmod mathlib")
    c.check(out == ["rmmod: mathlib is in use (-EBUSY): see its users in lsmod"] or
            any("-EBUSY" in l for l in out), "rmmod mathlib while mathuser uses it: -EBUSY: %r" % out)
    c.check("mathlib" in lsmod(c)[0], "mathlib is still loaded after the refusal")
    out = c.run("rmmod mathuser")
    c.check("rmmod: mathuser unloaded" in out, "rmmod mathuser: %r" % out)
    out = c.run("rmmod mathlib")
    c.check("rmmod: mathlib unloaded" in out and any("after 2 calls" in l for l in out),
            "rmmod mathlib once unused (its exit counts the calls): %r" % out)


def test_bad_names(c):
    out = c.run("insmod nosuch")
    c.check(out[:1] == ['insmod: no GRUB module called "nosuch"'] and
            any(l.startswith("  GRUB modules:") and "regdump@0x" in l for l in out),
            "insmod of an unknown name lists the GRUB modules: %r" % out)
    out = c.run("rmmod nosuch")
    c.check(out[-1:] == ['rmmod: no module "nosuch" is loaded (-ENOENT)'], "rmmod nosuch: %r" % out)
    out = c.run("insmod 0x1234")
    c.check(out[:1] == ["insmod: no GRUB module image starts at physical 0x1234"],
            "insmod at an address where no image starts: %r" % out)
    out = c.run("insmod")
    c.check(any("usage: insmod NAME|ADDR" in l for l in out) or any("insmod" in l for l in out),
            "insmod without an argument is refused: %r" % out)


def test_by_address_and_vmallocinfo(c):
    out = c.run("insmod nosuch")
    m = None
    for l in out:
        m = m or re.search(r"\bregdump@(0x[0-9a-f]+)", l)
    if not c.check(m is not None, "insmod lists regdump's physical address: %r" % out):
        return
    out = c.run("insmod %s" % m.group(1))
    c.check(any(re.match(r"^regdump: HPET at 0xfed00000 mapped at 0x[0-9a-f]+: vendor", l)
                for l in out), "insmod %s loads regdump, which reads the HPET: %r"
            % (m.group(1), out))
    mods, _ = lsmod(c)
    text = int(mods["regdump"].group(6), 16) if "regdump" in mods else 0
    info = c.run("vmallocinfo")
    mine = [l for l in info if l.startswith("0x%016x-" % text)]
    c.check(len(mine) == 1 and re.search(r" (load_module|module_\w+)\+0x[0-9a-f]+/0x[0-9a-f]+ ", mine[0]),
            "vmallocinfo: regdump's text area has the loader as caller: %r" % mine)
    hpet = [l for l in info if "phys=0x00000000fed00000" in l]
    c.check(len(hpet) == 1 and re.search(r"(regdump_init|init_module)\+0x", hpet[0]) and "[regdump]" in hpet[0],
            "vmallocinfo: the HPET mapping names regdump_init [regdump] as caller: %r" % hpet)
    c.transcript_vmallocinfo = info


def test_unload_all(c):
    for name in ("regdump", "vmstress"):
        out = c.run("rmmod %s" % name)
        c.check("rmmod: %s unloaded" % name in out, "rmmod %s: %r" % (name, out))
    out = c.run("lsmod")
    c.check(out[:1] == ["(no module loaded)"], "lsmod after unloading everything: %r" % out)
    info = c.run("vmallocinfo")
    c.check(not any("phys=0x00000000fed00000" in l for l in info),
            "regdump's exit unmapped the HPET: %r" % [l for l in info if "fed00000" in l])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--elf", default=None)
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--timeout", type=int, default=200)
    args = ap.parse_args()
    os.environ.setdefault("CONTIG_MODULES", "all")
    args.cmdline = "modules=vmstress"

    c = Console(args)
    try:
        c.boot()
        test_boot_loaded(c)
        test_user_and_exporter(c)
        test_bad_names(c)
        test_by_address_and_vmallocinfo(c)
        test_unload_all(c)
        c.p.send("poweroff\r")
        c.p.expect(pexpect.EOF, timeout=30)
        c.p.close()
        c.check(c.p.exitstatus == 0, "poweroff ends QEMU with status 0 (got %r)" % c.p.exitstatus)
    except Failed as e:
        c.failures.append(str(e))
        print("FAIL: " + str(e))
    finally:
        c.close()

    text = "".join(c.transcript).replace("\r", "")
    bad = [l for l in text.split("\n") if ERROR_WORDS.search(l)]
    c.check(not bad, "no oops, BUG, panic or WARNING on the console: %r" % bad[:3])
    if c.failures:
        print("---- serial transcript (last 60 lines) ----")
        print("\n".join(text.split("\n")[-60:]))
        print("modules: %d checks passed, %d FAILED:" % (c.passed, len(c.failures)))
        for f in c.failures:
            print("  - " + f)
        return 1
    print("modules: all %d checks passed" % c.passed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
