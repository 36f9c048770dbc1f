#!/usr/bin/python3
"""Produce the sessions shown in README.md and docs/*.md from real boots.

A session in a Markdown file sits between two comment lines:

    <!-- session NAME -->
    ```
    ...what the kernel, the console or gdb printed...
    ```
    <!-- /session -->

NAME picks a recipe below: a boot with its command line, the lines to show,
console commands typed through a pty, or gdb commands run through QEMU's
stub. `--update` boots each recipe and rewrites the blocks; `--check` (what
make test runs) boots them and fails when a block no longer matches what
the kernel prints.

The check compares after normalising what moves whenever any code changes
(kernel text addresses, symbol offsets, source line numbers, physical
addresses, timestamps): vmalloc addresses, sizes, kinds, flags and the text
of every line must match exactly. So a doc that shows the wrong vmalloc
address, a guard page that is mapped, or a message the kernel no longer
prints fails; a commit that only moves code does not.

Usage: doc-sessions.py [--check | --update] [--only NAME[,NAME]] [FILE...]
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU_SH = os.path.join(TOP, "scripts", "qemu.sh")
ELF = os.path.join(TOP, "build", "contig.elf")
DOCS = ["README.md", "docs/debugging.md"]
BEGIN = re.compile(r"^<!-- session ([a-z0-9-]+) -->$")
END = "<!-- /session -->"
TIMESTAMP = re.compile(r"^\[ *\d+\.\d{6}\] ")


def clean(text):
    """Serial output as lines: no CR, no ANSI escapes, no GRUB noise."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text.replace("\r", ""))
    return text.split("\n")


def strip_ts(line):
    return TIMESTAMP.sub("", line)


# --------------------------------------------------------------------------
# Recipes. Each returns the lines of its block.


def boot_lines(cmdline, mem="1G", timeout=60):
    out = subprocess.run(
        [QEMU_SH, "--mem", mem, "--timeout", str(timeout), "--cmdline", cmdline],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        cwd=TOP, check=False)
    return clean(out.stdout.decode("utf-8", "replace"))


def abridge(lines, patterns):
    """The lines matching one of @patterns (each at most its count), in log
    order, with "..." where lines were left out between them."""
    budget = [[re.compile(p), n] for p, n in patterns]
    shown, gap = [], False
    for line in lines:
        body = strip_ts(line)
        for slot in budget:
            if slot[1] and slot[0].search(body):
                slot[1] -= 1
                if gap and shown:
                    shown.append("...")
                shown.append(line)
                gap = False
                break
        else:
            gap = gap or bool(body.strip())
    missing = [p.pattern for p, n in budget if n]
    if missing:
        raise RuntimeError("boot output has no line for: " + ", ".join(missing))
    return shown


def recipe_boot_poweroff():
    lines = boot_lines("poweroff")
    return abridge(lines, [
        (r"^Contig: booting", 1),
        (r"^CPU: ", 1),
        (r"^boot: loaded by", 1),
        (r"^BIOS-e820: ", 2),
        (r"^paging: direct map", 1),
        (r"^Virtual kernel memory layout:$", 1),
        (r"^    (direct map|vmalloc|guard hole|vmemmap|kernel image|modules|fixmap|\.text) ", 8),
        (r"^VmallocTotal:", 1),
        (r"^vmallocinfo:$", 1),
        (r"^0xffffc2", 3),
        (r"^poweroff: ", 1),
    ])


def console_session(commands, modules=""):
    """Type @commands at the console; each is a string or a function of the
    outputs so far that returns one. @modules: the ISO's modules (make's
    MODULES=). Returns the transcript."""
    import pexpect  # python3-pexpect, installed by make deps

    env = dict(os.environ, CONTIG_MODULES=modules)
    child = pexpect.spawn(QEMU_SH, ["--mem", "1G", "--timeout", "90", "--cmdline", ""],
                          cwd=TOP, timeout=60, encoding="utf-8", codec_errors="replace",
                          env=env)
    prompt = "contig> "
    transcript, outputs = [], []
    try:
        child.expect_exact(prompt)
        for cmd in commands:
            if callable(cmd):
                cmd = cmd(outputs)
            child.sendline(cmd)
            if cmd == "poweroff":
                child.expect(pexpect.EOF)
                out = child.before
            else:
                child.expect_exact(prompt)
                out = child.before
            lines = clean(out)
            # The pty echoes the command line first.
            if lines and lines[0].strip().endswith(cmd):
                lines = lines[1:]
            lines = [strip_ts(l) for l in lines]
            while lines and not lines[-1].strip():
                lines.pop()
            outputs.append(lines)
            transcript.append(prompt + cmd)
            transcript.extend(lines)
    finally:
        child.close(force=True)
    return transcript


def find(outputs, regex, group=1):
    for lines in reversed(outputs):
        for line in lines:
            m = re.search(regex, line)
            if m:
                return m.group(group)
    raise RuntimeError("no console output matches /%s/" % regex)


def recipe_console_vmalloc():
    return console_session([
        "vmalloc 64k",
        lambda o: "peek " + find(o, r"guard page (0x[0-9a-f]+)-"),
        lambda o: "vfree " + find(o, r"^vmalloc: (0x[0-9a-f]+):"),
    ])


def recipe_console_modules():
    return console_session([
        "insmod mathuser",
        "insmod mathlib",
        "insmod mathuser",
        "lsmod",
        "rmmod mathlib",
        "rmmod mathuser",
        "insmod regdump",
        "vmallocinfo",
        lambda o: "ptdump %s %x" % (find(o, r"^mathlib \d+ \d+ \S+ Live (0x[0-9a-f]+)"),
                                    int(find(o, r"^module regdump: loaded, text at (0x[0-9a-f]+)"), 16)
                                    + 0x6000),
        "rmmod regdump",
        "rmmod mathlib",
        "lsmod",
    ], modules="mathlib,mathuser,regdump")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


GDB_DRIVER = r'''
import gdb, re
def run(cmd, show=True):
    if show:
        print("(gdb) " + cmd, flush=True)
    out = gdb.execute(cmd, to_string=True)
    if show and out:
        print(out, end="" if out.endswith("\n") else "\n", flush=True)
    return out
def section(name):
    print("@@session " + name)
gdb.execute("target remote 127.0.0.1:%(port)d")
section("gdb-vmallocinfo")
run("break ktest_gdb_checkpoint")
run("continue")
info = run("contig-vmallocinfo")
m = re.search(r"(\w+)\+(0x[0-9a-f]+)/0x[0-9a-f]+ pages=3 vmalloc", info)
section("gdb-info-line")
line = run("info line *(%%s+%%s-1)" %% (m.group(1), m.group(2)))
n = re.search(r"^Line (\d+)", line).group(1)
run("list %%s,%%s" %% (n, n))
area = re.search(r"^(0x[0-9a-f]+)-(0x[0-9a-f]+) +\d+ \S+ pages=3 vmalloc", info, re.M)
start, end = int(area.group(1), 16), int(area.group(2), 16)
section("gdb-pagewalk")
walk = run("contig-pagewalk %%#x" %% (start + 0x1123))
pfn = re.search(r"\(pfn (0x[0-9a-f]+),", walk).group(1)
section("gdb-guard")
run("contig-pagewalk %%#x" %% (end - 0x1000))
section("gdb-page")
run("contig-page " + pfn)
section("_skip")
run("break do_page_fault")
# Under load the stub has been seen to report a stop at the old breakpoint
# again (with the APIC tick running); continue until the fault is reached.
for _ in range(3):
    run("continue")
    if "do_page_fault" in gdb.execute("frame", to_string=True):
        break
section("gdb-bt")
print("(gdb) bt")
print(run("bt", False), end="")
gdb.execute("kill")
'''


def gdb_sessions():
    """One boot of ktest=_gdb under the stub, every gdb session from it."""
    port = free_port()
    work = tempfile.mkdtemp(prefix="contig-docs.", dir=os.path.join(TOP, "build"))
    driver = os.path.join(work, "driver.py")
    with open(driver, "w") as f:
        f.write(GDB_DRIVER % {"port": port})
    qemu = subprocess.Popen(
        [QEMU_SH, "--mem", "256M", "--timeout", "60", "--cmdline", "ktest=_gdb",
         "--gdb", str(port)], cwd=TOP, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        out = subprocess.run(
            ["timeout", "40", "gdb", "-batch", "-nx", "-iex",
             "add-auto-load-safe-path " + os.path.dirname(ELF), ELF, "-x", "scripts/gdb/gdbinit",
             "-x", driver], cwd=TOP, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            check=False).stdout.decode("utf-8", "replace")
    finally:
        # TERM first: qemu.sh's exit trap stops QEMU and removes its files.
        try:
            os.killpg(qemu.pid, 15)
            qemu.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(qemu.pid, 9)
            qemu.wait()
        for name in os.listdir(work):
            os.unlink(os.path.join(work, name))
        os.rmdir(work)
    sessions, cur = {}, None
    for line in out.split("\n"):
        if line.startswith("@@session "):
            cur = line.split()[1]
            sessions[cur] = []
        elif cur:
            sessions[cur].append(line)
    if not sessions:
        raise RuntimeError("gdb produced no session:\n" + out[-3000:])
    for name in sessions:
        while sessions[name] and not sessions[name][-1].strip():
            sessions[name].pop()
    # The bt of the guard-page fault: from the handler down to the test.
    bt = sessions.get("gdb-bt", [])
    keep = [l for l in bt if l.startswith("(gdb)") or re.match(r"^#[0-9] ", l)]
    sessions["gdb-bt"] = keep[:7] + (["..."] if len(keep) > 7 else [])
    return sessions


RECIPES = {
    "boot-poweroff": recipe_boot_poweroff,
    "console-vmalloc": recipe_console_vmalloc,
    "console-modules": recipe_console_modules,
}
GDB_NAMES = ["gdb-vmallocinfo", "gdb-info-line", "gdb-pagewalk", "gdb-guard", "gdb-page",
             "gdb-bt"]


# --------------------------------------------------------------------------
# Markdown blocks.


def blocks(path):
    """[(name, first line index, last line index)] of the sessions in @path:
    the indices of the lines between the fences."""
    lines = open(path).read().split("\n")
    found, i = [], 0
    while i < len(lines):
        m = BEGIN.match(lines[i])
        if m:
            j = lines.index(END, i)
            if not lines[i + 1].startswith("```") or lines[j - 1] != "```":
                raise RuntimeError("%s:%d: session %s is not one fenced block" %
                                   (path, i + 1, m.group(1)))
            found.append((m.group(1), i + 2, j - 1))
            i = j
        i += 1
    return lines, found


NORMALISE = [
    (re.compile(r"\[ *\d+\.\d{6}\]"), "[TIME]"),
    (re.compile(r"0xffffffff[89a-f][0-9a-f]{7}"), "0xKTEXT"),
    (re.compile(r"\+0x[0-9a-f]+/0x[0-9a-f]+"), "+OFF/LEN"),
    (re.compile(r"<[a-zA-Z_]\w*\+\d+>"), "<SYM+N>"),
    (re.compile(r"(\.[chS]|\.asm):\d+"), r"\1:N"),
    (re.compile(r"^Line \d+"), "Line N"),
    (re.compile(r", line \d+\."), ", line N."),
    (re.compile(r"^(\(gdb\) list )\d+,\d+$"), r"\1N,N"),
    (re.compile(r"^\d+(\t)"), r"N\1"),
    # Physical addresses, pfns and table entries move with the image size.
    (re.compile(r"0x(?!ffffc2)[0-9a-f]{1,16}\b"), "0xPHYS"),
    (re.compile(r"\b(pid|port|PID) \d+"), r"\1 N"),
]


def normalise(line):
    for regex, repl in NORMALISE:
        line = regex.sub(repl, line)
    return line.rstrip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="fail if a block is stale")
    mode.add_argument("--update", action="store_true", help="rewrite the blocks")
    ap.add_argument("--only", help="comma-separated session names")
    ap.add_argument("files", nargs="*", help="Markdown files (default: %s)" % " ".join(DOCS))
    args = ap.parse_args()
    files = [os.path.join(TOP, f) for f in (args.files or DOCS)]
    only = set(args.only.split(",")) if args.only else None

    wanted = set()
    for path in files:
        wanted |= {name for name, _, _ in blocks(path)[1]}
    if only:
        wanted &= only
    unknown = wanted - set(RECIPES) - set(GDB_NAMES)
    if unknown:
        sys.exit("doc-sessions: no recipe for session(s): " + ", ".join(sorted(unknown)))

    produced = {}
    for name in sorted(wanted & set(RECIPES)):
        produced[name] = RECIPES[name]()
    if wanted & set(GDB_NAMES):
        produced.update(gdb_sessions())

    stale = 0
    for path in files:
        lines, found = blocks(path)
        rel = os.path.relpath(path, TOP)
        for name, first, last in reversed(found):
            if name not in wanted:
                continue
            new = produced.get(name)
            if new is None:
                print("doc-sessions: %s: session %s produced nothing" % (rel, name))
                stale += 1
                continue
            old = lines[first:last]
            a, b = [normalise(l) for l in old], [normalise(l) for l in new]
            if args.update:
                # Only a real change rewrites a block: not new timestamps alone.
                if a != b:
                    lines[first:last] = new
                continue
            if a != b:
                stale += 1
                print("doc-sessions: %s: session %s no longer matches the kernel:" % (rel, name))
                for i in range(max(len(a), len(b))):
                    x = a[i] if i < len(a) else "<none>"
                    y = b[i] if i < len(b) else "<none>"
                    if x != y:
                        print("  line %d\n    doc:    %s\n    kernel: %s" % (i + 1, x, y))
                        break
            else:
                print("doc-sessions: %s: session %s ok" % (rel, name))
        if args.update:
            with open(path, "w") as f:
                f.write("\n".join(lines))
            print("doc-sessions: %s: %d session(s) checked, the changed ones rewritten" %
                  (rel, len(found)))
    if stale:
        print("doc-sessions: %d stale session(s); `make docs` rewrites them from a real boot" %
              stale)
        sys.exit(1)


if __name__ == "__main__":
    main()
