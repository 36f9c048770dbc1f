#!/usr/bin/env python3
"""End-to-end test of the interactive console (debug/console/console.c).

Boots the kernel through scripts/qemu.sh with no ktest= and no poweroff, so
that it ends at the "contig> " prompt on the serial line, then drives it:

  - vmalloc 64k returns an address in the vmalloc region; vmallocinfo lists
    it with pages=16; ptdump shows it as one 64K RW NX run and its guard page
    as unmapped; peek inside works, peek at the guard page is refused; poke
    then peek reads the value back; vfree removes it from vmallocinfo; and
    meminfo's MemFree is back to its value before;
  - vzalloc, vmap and ioremap round trips;
  - poke at the direct-map alias of a .text byte is refused (read-only)
    and `check` finds no W+X page;
  - bad input for every command gets a one-line error, changes nothing
    (vmallocinfo, MemFree and `check` are the same afterwards) and the
    kernel keeps answering;
  - line editing: backspace, ^U, ^C, history; cursor left/right, Home/End,
    insert and Delete in the middle, ^W; Tab completion (unique and
    ambiguous); ^C interrupting `ktest all`;
  - dmesg N and dmesg -c; number forms (0x, decimal, k/M suffixes, bare hex
    for addresses only); help sorted by name; the banner names Ctrl-A X;
  - input is interrupt driven (IRQ 4 counts, wake-ups from hlt) and the CPU
    idles: QEMU uses little CPU while nobody types;
  - poweroff ends QEMU with status 0.

Usage: console_test.py [--elf FILE] [--mem SIZE] [--timeout SECS]
Exit status 0 when every check passed, 1 otherwise (failed checks listed,
then the end of the serial transcript).
"""

import argparse
import os
import re
import signal
import sys
import time

import pexpect

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROMPT = "contig> "
ERROR_WORDS = re.compile(r"Oops|BUG:|panic|WARNING|Kernel panic|triple fault")


class Failed(Exception):
    """A check that makes going on pointless (e.g. the prompt never came)."""


class Console:
    def __init__(self, args):
        self.transcript = []
        self.failures = []
        self.passed = 0
        cmd = [os.path.join(TOP, "scripts", "qemu.sh"), "--mem", args.mem,
               "--timeout", str(args.timeout), "--cmdline", getattr(args, "cmdline", "")]
        if args.elf:
            cmd += ["--elf", args.elf]
        self.p = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace",
                               timeout=30, echo=False, cwd=TOP)
        self.p.logfile_read = self  # write() below keeps the transcript

    # pexpect logfile protocol
    def write(self, s):
        self.transcript.append(s)

    def flush(self):
        pass

    def check(self, cond, what):
        if cond:
            self.passed += 1
            print("ok: " + what)
        else:
            self.failures.append(what)
            print("FAIL: " + what)
        return cond

    def boot(self):
        why = ["", "the kernel finished booting without starting the console",
               "the kernel panicked during boot", "QEMU exited during boot",
               "no console within 120 s of boot (hang?)"]
        i = self.p.expect(["Contig console on COM1", "Boot complete; nothing more to do",
                           "Kernel panic - not syncing", pexpect.EOF, pexpect.TIMEOUT],
                          timeout=120)
        if i:
            raise Failed("no console prompt: " + why[i])
        try:
            self.p.expect_exact(PROMPT, timeout=30)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            raise Failed("the console banner came but no prompt (%s)" % type(e).__name__)
        self.banner = self.p.before

    def send_raw(self, data, timeout=30):
        """Send bytes and wait for the next prompt; return what came before it."""
        self.p.send(data)
        try:
            self.p.expect_exact(PROMPT, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            raise Failed("no prompt after sending %r (%s)" % (data, type(e).__name__))
        return self.p.before.replace("\r", "")

    def run(self, line, timeout=30):
        """Type @line and Enter; return the command's output lines (echo removed)."""
        out = self.send_raw(line + "\r", timeout)
        lines = out.split("\n")
        if lines and lines[0].strip() == line.strip():
            lines = lines[1:]
        return [l for l in lines if l.strip()]

    def qemu_pid(self):
        """The qemu-system process under the spawned qemu.sh, or None."""
        children = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % pid) as f:
                    stat = f.read()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(ppid, []).append((int(pid), comm))
        todo = [self.p.pid]
        while todo:
            for pid, comm in children.get(todo.pop(), []):
                if comm.startswith("qemu-system"):
                    return pid
                todo.append(pid)
        return None

    def close(self):
        """Always leave no QEMU behind."""
        qpid = self.qemu_pid() if self.p.isalive() else None
        if self.p.isalive():
            self.p.close(force=True)
        if qpid:
            try:
                os.kill(qpid, signal.SIGKILL)
            except OSError:
                pass


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parse_kv(lines, key):
    for l in lines:
        m = re.match(r"^%s:\s+(\d+) kB$" % key, l)
        if m:
            return int(m.group(1))
    return None


def vmalloc_region(c):
    for l in c.run("layout"):
        m = re.match(r"^\s*vmalloc\s*:\s*0x([0-9a-f]+) - 0x([0-9a-f]+)", l)
        if m:
            return int(m.group(1), 16), int(m.group(2), 16)
    raise Failed("layout shows no vmalloc line")


def area_lines(c, addr):
    return [l for l in c.run("vmallocinfo") if l.startswith("0x%016x-" % addr)]


def alloc(c, cmd):
    """Run an allocating command; return the address it reports, or None."""
    out = c.run(cmd)
    m = re.match(r"^\w+: 0x([0-9a-f]{16}): \d+ pages? at ", out[0]) if out else None
    c.check(m is not None, "%s answers with an address: %r" % (cmd, out[:1]))
    return int(m.group(1), 16) if m else None


def test_vmalloc_round_trip(c, vstart, vend):
    a = alloc(c, "vmalloc 64k")     # warm-up: page tables, slab objects
    if a is not None:
        c.run("vfree %x" % a)
    free_before = parse_kv(c.run("meminfo"), "MemFree")
    c.check(free_before is not None, "meminfo shows MemFree (%r)" % free_before)

    a = alloc(c, "vmalloc 64k")
    if a is None:
        raise Failed("vmalloc 64k failed")
    c.check(vstart <= a and a + 0x10000 < vend,
            "vmalloc 64k address %#x lies in the vmalloc region %#x-%#x" % (a, vstart, vend))
    lines = area_lines(c, a)
    c.check(len(lines) == 1 and re.search(r"\b69632 .* pages=16 vmalloc N0=16$", lines[0]) is not None,
            "vmallocinfo lists %#x with 69632 bytes and pages=16: %r" % (a, lines))

    dump = c.run("ptdump %x %x" % (a, a + 0x11000))
    want = "0x%016x-0x%016x          64K     RW                 GLB NX pte" % (a, a + 0x10000)
    guard = "0x%016x-0x%016x           4K                               pte" % (
        a + 0x10000, a + 0x11000)
    c.check(dump == ["---[ vmalloc ]---", want, guard],
            "ptdump shows the area as one 64K RW NX run then the unmapped guard: %r" % dump)

    out = c.run("peek %x 32" % a)
    c.check(len(out) == 2 and out[0].startswith("%016x: " % a),
            "peek inside the area dumps 2 lines: %r" % out)
    out = c.run("poke %x 0x1122334455667788" % (a + 0x8000))
    c.check(len(out) == 1 and out[0].endswith("-> 0x1122334455667788 (8 bytes)"),
            "poke inside the area writes: %r" % out)
    out = c.run("peek %x 8" % (a + 0x8000))
    c.check(len(out) == 1 and " 88 77 66 55 44 33 22 11 " in out[0],
            "peek reads the poked value back: %r" % out)

    g = a + 0x10000
    for cmd in ("peek %x" % g, "peek %x 16" % (g - 8), "poke %x 1" % g, "poke %x 1 8" % (g - 4)):
        out = c.run(cmd)
        c.check(len(out) == 1 and "guard page" in out[0] and "refusing" in out[0],
                "%s is refused naming the guard page: %r" % (cmd, out))

    out = c.run("vfree %x" % a)
    c.check(len(out) == 1 and out[0].startswith("vfree: freed 0x%016x-" % a), "vfree: %r" % out)
    lines = [l for l in area_lines(c, a) if "pages=" in l]
    c.check(not lines, "vmallocinfo no longer lists %#x as a live area: %r" % (a, lines))
    free_after = parse_kv(c.run("meminfo"), "MemFree")
    c.check(free_after == free_before,
            "MemFree is back to its value: before %r kB, after %r kB" % (free_before, free_after))
    out = c.run("vfree %x" % a)
    c.check(len(out) == 1 and "no vm area" in out[0], "a second vfree is refused: %r" % out)


def test_other_allocators(c):
    a = alloc(c, "vzalloc 8k")
    if a is not None:
        out = c.run("peek %x 32" % (a + 0x1000))
        c.check(len(out) == 2 and all(" 00" * 16 in l for l in out),
                "vzalloc memory reads as zeros: %r" % out)
        c.run("vfree %x" % a)
        c.check(not [l for l in area_lines(c, a) if "pages=" in l], "vzalloc area freed")
    a = alloc(c, "vmap 3")
    if a is not None:
        lines = area_lines(c, a)
        c.check(len(lines) == 1 and lines[0].endswith(" vmap"), "vmallocinfo shows the vmap: %r"
                % lines)
        out = c.run("vfree %x" % a)
        c.check(len(out) == 1 and "freed its 3 pages" in out[0], "vfree of the vmap: %r" % out)
    a = alloc(c, "ioremap fed00000 4k")
    if a is not None:
        lines = area_lines(c, a)
        c.check(len(lines) == 1 and "phys=0x00000000fed00000 ioremap" in lines[0],
                "vmallocinfo shows the ioremap: %r" % lines)
        out = c.run("vfree %x" % a)
        c.check(len(out) == 1 and "use iounmap" in out[0], "vfree of an ioremap is refused")
        out = c.run("iounmap %x" % a)
        c.check(len(out) == 1 and out[0].startswith("iounmap: unmapped"), "iounmap: %r" % out)


# Each is wrong in its own way; each must get exactly one line that says so.
BAD_INPUT = [
    "frobnicate", "vmalloc", "vmalloc xyz", "vmalloc 0", "vmalloc 64k 3", "vmalloc 64k 2G",
    "vmalloc 99999999999999999999999", "vmalloc 512G", "vmalloc 1 2 3", "vzalloc",
    "vzalloc -5", "vfree", "vfree nothex", "vfree 0", "vfree ffff810000000000",
    "vfree ffffc1ffffff0000", "vfree ffffffffffffffff1", "vmap", "vmap 0", "vmap -1",
    "vmap 99999999999", "vmap lots", "ioremap", "ioremap 1000", "ioremap 1000 4k",
    "ioremap fed00000 0", "ioremap fed00000 2G", "ioremap ffffffffffff0000 1M", "ioremap zz 4k",
    "iounmap", "iounmap 12345", "iounmap ffffc20000000000", "peek", "peek 0", "peek 1000",
    "peek 800000000000", "peek ffffc20000000000 0", "peek ffffc20000000000 5000",
    "peek fffffffffffffff0 64", "peek ffffffff80000000", "poke", "poke ffffffff80101000",
    "poke ffffffff80101000 1", "poke 0 1", "poke ffff810000000000 1 3",
    "poke ffff810000000000 0x1ff 1", "poke ffff810000000000 x", "walk", "walk g",
    "walk 800000000000", "ptdump g", "ptdump 800000000000", "ptdump ffffc20000001000 ffffc20000000000",
    "help nosuchcommand", "help a b", "layout x", "meminfo now", "ktest _crash", "ktest 'x'",
    "bench a b", "dmesg -x", "dmesg 0", "dmesg 1 2", "reboot now", "poweroff now", "a b c d e f g h i j",
]


def layout_start(c, name):
    for l in c.run("layout"):
        m = re.match(r"^\s*%s\s*:\s*0x([0-9a-f]+) - " % re.escape(name), l)
        if m:
            return int(m.group(1), 16)
    raise Failed("layout shows no %s line" % name)


def test_poke_text_alias(c):
    """The direct-map alias of the kernel's code is read-only (W^X for aliases)."""
    text = layout_start(c, ".text")
    alias = layout_start(c, "direct map") + text - 0xffffffff80000000
    out = c.run("peek %x 1" % alias)
    m = re.match(r"^%016x: ([0-9a-f]{2}) " % alias, out[0]) if out else None
    if not c.check(m is not None, "peek reads the alias %#x of .text %#x: %r" % (alias, text, out)):
        return
    # The byte that is there already: even where the poke lands, nothing changes.
    out = c.run("poke %x 0x%s 1" % (alias, m.group(1)))
    c.check(len(out) == 1 and "read-only" in out[0] and "refusing" in out[0],
            "poke at the direct-map alias of .text is refused as read-only: %r" % out)
    c.check(c.run("check") == ["check: vmalloc ok, buddy ok, wx ok"],
            "check finds no W+X page and no writable alias of code")
    out = c.run("help walk")
    c.check(out[:1] == ["usage: walk ADDR"], "the console answers after the poke")


def test_bad_input(c):
    before_info = c.run("vmallocinfo")
    before_free = parse_kv(c.run("meminfo"), "MemFree")
    for line in BAD_INPUT:
        out = c.run(line)
        c.check(len(out) == 1 and not ERROR_WORDS.search(out[0]),
                "bad input %r gets one line: %r" % (line, out))
    out = c.run("help")
    c.check(len(out) > 20 and any(l.lstrip().startswith("vmalloc ") for l in out),
            "help still answers after the bad input")
    c.check(c.run("vmallocinfo") == before_info, "vmallocinfo is unchanged by the bad input")
    after_free = parse_kv(c.run("meminfo"), "MemFree")
    c.check(after_free == before_free,
            "MemFree is unchanged by the bad input (%r vs %r kB)" % (before_free, after_free))
    c.check(c.run("check") == ["check: vmalloc ok, buddy ok, wx ok"],
            "vmalloc, buddy and W+X checks pass")


def test_help(c):
    out = c.run("help")
    order = [l.split()[0] for l in out if re.match(r"^  [a-z0-9]+ ", l)]
    names = set(order)
    c.check(order == sorted(order), "help lists the commands sorted by name: %r" % order)
    c.check("Ctrl-A X quits QEMU" in c.banner and "'help'" in c.banner,
            "the banner says how to leave QEMU and that help lists the commands: %r"
            % c.banner.strip()[-120:])
    want = {"help", "layout", "e820", "memmap", "memblock", "meminfo", "buddyinfo", "slabinfo",
            "vmallocinfo", "ptdump", "vmalloc", "vzalloc", "vfree", "vmap", "ioremap", "iounmap",
            "peek", "poke", "walk", "ktest", "bench", "dmesg", "reboot", "poweroff"}
    c.check(want <= names, "help lists every command (missing: %s)" % sorted(want - names))
    out = c.run("help vmalloc")
    c.check(out[:1] == ["usage: vmalloc SIZE [ALIGN]"], "help vmalloc gives the usage: %r" % out)
    c.check(any(l.startswith("BIOS-e820: [mem 0x0000000000000000-") for l in c.run("e820")),
            "e820 prints the BIOS-e820 lines")
    c.check(c.run("memmap") == c.run("e820"), "memmap is e820")
    c.check(any(l.startswith("Node 0, zone") for l in c.run("buddyinfo")),
            "buddyinfo prints the Node 0 line")
    c.check(c.run("memblock")[:1] == ["MEMBLOCK configuration:"], "memblock dump")
    out = c.run("ktest ptdump", timeout=120)
    c.check(out[-1:] == ["ktest: all passed"], "ktest ptdump from the console passes: %r"
            % out[-3:])
    # The console takes the selection ktest= takes: globs on suite.case.
    out = c.run("ktest printk.every*,ptdump.format_?ize", timeout=120)
    c.check(out[-1:] == ["ktest: all passed"] and any("ok 1 printk" in l for l in out),
            "ktest with globs on suite.case from the console: %r" % out[-3:])


def test_line_editing(c):
    out = c.run("helx\x7fp vfree")
    c.check("usage: vfree ADDR" in out, "backspace edits the line: %r" % out)
    out = c.send_raw("garbage in\x15help vmap\r").replace("\x08 \x08", "")
    c.check("usage: vmap N" in out and "garbage" not in out.split("\n", 1)[-1],
            "^U erases the line: %r" % out)
    before = c.run("vmallocinfo")
    out = c.send_raw("vmalloc 4k\x03")
    c.check("^C" in out, "^C cancels the line: %r" % out)
    c.check(c.run("vmallocinfo") == before, "the cancelled vmalloc did not run")
    c.run("help peek")
    c.run("help poke")
    out = c.send_raw("\x1b[A\x1b[A\r")
    c.check("usage: peek ADDR [LEN]" in out, "up twice recalls 'help peek': %r" % out)
    # newest first: help peek, help poke, help peek
    out = c.send_raw("\x1b[A\x1b[A\x1b[A\x1b[B\r")
    c.check("usage: poke ADDR VALUE [WIDTH]" in out,
            "up three times, down once recalls 'help poke': %r" % out)


LEFT, RIGHT, HOME, END, DELETE = "\x1b[D", "\x1b[C", "\x1b[H", "\x1b[F", "\x1b[3~"


def test_cursor_editing(c):
    cases = [
        ("help vmp" + LEFT + "a", "usage: vmap N", "left, then insert in the middle"),
        ("elp vmap" + HOME + "h", "usage: vmap N", "Home, then insert at the start"),
        ("hlp vmap" + HOME + RIGHT + "e", "usage: vmap N", "Home, right, insert"),
        ("help vma" + HOME + "\x1b[4~p", "usage: vmap N", "ESC [ 4 ~ is End"),
        ("helpp vmap" + HOME + RIGHT * 4 + DELETE, "usage: vmap N", "Delete under the cursor"),
        ("hexlp vmap" + HOME + RIGHT * 3 + "\x7f", "usage: vmap N", "Backspace in the middle"),
        ("help vmalloc\x17vmap", "usage: vmap N", "^W erases the word before the cursor"),
        ("help poke   \x17peek", "usage: peek ADDR [LEN]", "^W erases the blanks and the word"),
        ("help vmap" + LEFT * 4 + "\x17" + END + "\x15help walk", "usage: walk ADDR",
         "^W in the middle, End, ^U"),
    ]
    for keys, want, what in cases:
        out = c.send_raw(keys + "\r")
        c.check(want in out, "%s: %r gives %r: %r" % (what, keys, want, out[-80:]))


def test_tab_completion(c):
    out = c.send_raw("hel\tvmap\r")
    c.check("usage: vmap N" in out, "Tab completes 'hel' to 'help ': %r" % out[-80:])
    out = c.send_raw("vmallocin\t\r")
    c.check("phys=0x00000000000b8000 ioremap" in out, "Tab completes 'vmallocin' to vmallocinfo: %r"
            % out[-80:])
    out = c.send_raw("vm\t")
    c.check(re.search(r"\bvmalloc  vmallocinfo  vmap  vmstat\b", out) is not None,
            "Tab on the ambiguous 'vm' lists the candidates: %r" % out)
    out = c.send_raw("stat\r")
    c.check("vmalloc: busy areas" in out, "the line is kept after the list: %r" % out[-80:])
    out = c.send_raw("vmalloc\t")
    c.check("vmalloc  vmallocinfo" in out, "Tab on 'vmalloc' offers vmallocinfo: %r" % out)
    out = c.send_raw("\x15zzz\t\r")
    c.check("zzz: unknown command" in out, "Tab with no candidate changes nothing: %r"
            % out[-80:])


def test_interrupt(c):
    c.p.send("ktest all\r")
    try:
        c.p.expect(r"\nok 1 \w+", timeout=180)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        raise Failed("ktest all printed no first suite result (%s)" % type(e).__name__)
    c.p.send("\x03")
    try:
        c.p.expect_exact(PROMPT, timeout=180)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        raise Failed("no prompt after ^C during ktest all (%s)" % type(e).__name__)
    out = c.p.before.replace("\r", "")
    total = re.search(r"^1\.\.(\d+)$", c.p.before.replace("\r", ""), re.M)
    last = re.findall(r"^(?:not )?ok (\d+) ", out, re.M)
    c.check("ktest: interrupted by ^C" in out, "^C interrupts ktest all: %r" % out[-160:])
    c.check(total is None or (last and int(last[-1]) < int(total.group(1))),
            "ktest all stopped before its last suite (%r of %r)"
            % (last[-1:], total and total.group(1)))
    c.check(c.run("check") == ["check: vmalloc ok, buddy ok, wx ok"],
            "the kernel is sound after ^C")
    out = c.run("help walk")
    c.check(out[:1] == ["usage: walk ADDR"], "the console answers after the ^C")


STAMP = re.compile(r"^\[ *\d+\.\d{6}\] ")


def test_dmesg(c):
    out = c.run("dmesg 3")
    c.check(len(out) == 3 and all(STAMP.match(l) for l in out),
            "dmesg 3 prints 3 stamped lines: %r" % out)
    out = c.run("dmesg")
    c.check(len(out) > 50 and sum(1 for l in out if STAMP.match(l)) == len(out),
            "dmesg stamps every line (%d lines)" % len(out))
    c.check(any(STAMP.sub("", l) == "Virtual kernel memory layout:" for l in out),
            "dmesg holds the boot's layout dump")
    c.check(len(c.run("dmesg -c")) == len(out), "dmesg -c prints the log first")
    c.check(c.run("dmesg") == [], "dmesg after dmesg -c is empty")
    info = c.run("vmallocinfo")
    out = c.run("dmesg")
    c.check([STAMP.sub("", l) for l in out] == info,
            "dmesg then shows only what came after, stamped: %r" % out[:2])
    c.check(c.run("dmesg 2") == out[-2:], "dmesg 2 is the last two lines of dmesg")


def test_number_forms(c):
    for cmd in ("vmalloc 0x10000", "vmalloc 65536", "vmalloc 64K", "vmalloc 0x40k"):
        a = alloc(c, cmd)
        lines = area_lines(c, a) if a is not None else []
        c.check(len(lines) == 1 and " pages=16 " in lines[0], "%s is 16 pages: %r" % (cmd, lines))
        if a is None:
            continue
        if cmd == "vmalloc 0x10000":
            c.run("poke %x 4660 2" % a)
            out = c.run("peek 0x%x 0x2" % a)
            c.check(len(out) == 1 and " 34 12 " in out[0], "poke VALUE 4660 is 0x1234: %r" % out)
            c.run("poke 0x%x 0x1234 2" % (a + 2))
            c.check(c.run("peek %x 4" % a) == c.run("peek 0x%x 4" % a) and
                    " 34 12 34 12 " in c.run("peek %x 4" % a)[0],
                    "bare hex and 0x hex name the same ADDR; poke 0x1234 == 4660")
        c.run("vfree 0x%x" % a)
    for line, word in (("vmalloc 64q", "not a size"), ("vmalloc 1T", "not a size"),
                       ("vmap 0x", "not a number"), ("vmap 3k", "not a number"),
                       ("peek xyz", "not a hex address"), ("poke ffff810000000000 ff", "not a number"),
                       ("poke ffff810000000000 12z", "not a number"), ("walk 0xg", "not a hex")):
        out = c.run(line)
        c.check(len(out) == 1 and word in out[0], "%r is refused as %r: %r" % (line, word, out))


def test_idle_and_irq(c):
    out = c.run("interrupts")
    irq4 = [l for l in out if re.match(r"^\s*4:\s+\d+\s.*(IO-APIC|XT-PIC)\s+4-edge\s+ttyS0", l)]
    count = int(irq4[0].split()[1]) if irq4 else 0
    c.check(count > 0, "IRQ 4 (COM1) has interrupts counted: %r" % irq4)
    m = [re.search(r"(\d+) wake-ups from hlt", l) for l in out]
    wakeups = [int(x.group(1)) for x in m if x]
    c.check(wakeups and wakeups[0] > 0, "the console halts between keys: %r" % out[-1:])
    pid = c.qemu_pid()
    if not c.check(pid is not None, "found the QEMU process"):
        return
    t0, cpu0 = time.time(), cpu_seconds(pid)
    time.sleep(3)
    t1, cpu1 = time.time(), cpu_seconds(pid)
    share = (cpu1 - cpu0) / (t1 - t0)
    c.check(share < 0.5, "QEMU is idle at the prompt: %.0f%% of a CPU over %.1f s"
            % (share * 100, t1 - t0))
    out = c.run("help walk")
    c.check(out[:1] == ["usage: walk ADDR"], "the console answers after idling")


def test_ps(c, vstart, vend):
    out = c.run("ps")
    c.check(out[:1] and out[0].split() == ["PID", "NAME", "S", "CPU", "STACK", "SWITCHES"],
            "ps prints its header: %r" % out[:1])
    rows = {}
    for l in out[1:]:
        m = re.match(r"^\s*(\d+) (\S+)\s+([RrISDNX])\s+(\d+) ([0-9a-f]{16})-([0-9a-f]{16})\s+(\d+)$",
                     l)
        if m:
            rows[m.group(2)] = (int(m.group(1)), m.group(3), int(m.group(5), 16),
                                int(m.group(6), 16))
    c.check(rows.get("init", (0, ""))[:2] == (1, "R"), "ps: init is pid 1, running: %r" % out)
    for name in ("idle/0", "kworker/0"):
        row = rows.get(name)
        if not c.check(row is not None, "ps lists %s" % name):
            continue
        c.check(vstart <= row[2] < row[3] <= vend and row[3] - row[2] == 16384,
                "ps: %s has a 16 KiB stack in vmalloc space: %#x-%#x" % (name, row[2], row[3]))
    c.check(rows.get("kworker/0", (0, ""))[1] == "S", "ps: kworker/0 sleeps, waiting for work")
    c.check(any(re.match(r"^CPU 0: \d+ context switches", l) for l in out),
            "ps ends with CPU 0's switch count: %r" % out[-1:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--elf", default=None)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()

    c = Console(args)
    status = None
    try:
        c.boot()
        vstart, vend = vmalloc_region(c)
        test_help(c)
        test_vmalloc_round_trip(c, vstart, vend)
        test_other_allocators(c)
        test_poke_text_alias(c)
        test_bad_input(c)
        test_line_editing(c)
        test_cursor_editing(c)
        test_tab_completion(c)
        test_number_forms(c)
        test_dmesg(c)
        test_interrupt(c)
        test_idle_and_irq(c)
        test_ps(c, vstart, vend)
        c.p.send("poweroff\r")
        c.p.expect(pexpect.EOF, timeout=30)
        c.p.close()
        status = c.p.exitstatus
        c.check(status == 0, "poweroff ends QEMU with status 0 (got %r)" % status)
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
        print("console: %d checks passed, %d FAILED:" % (c.passed, len(c.failures)))
        for f in c.failures:
            print("  - " + f)
        return 1
    print("console: all %d checks passed" % c.passed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
