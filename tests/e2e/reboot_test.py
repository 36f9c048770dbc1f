#!/usr/bin/env python3
"""Quit and reboot, driven through scripts/qemu.sh --interactive on a pty.

  - quit: at the console prompt, Ctrl-A X ends qemu.sh with status 0 and
    the line "qemu.sh: QEMU quit" (QEMU exits 0 then, as on a reset);
  - reboot: `reboot` at the prompt; the boot banner comes a second time
    (the firmware and GRUB ran again), the prompt too; `poweroff` ends
    with status 0. Once under BIOS and once under UEFI.

Exit status 0 when every check passed, 1 otherwise (failed checks listed,
then the end of the transcript).
"""

import os
import sys

import pexpect

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROMPT = "contig> "
BANNER = "Contig: booting"


class Run:
    def __init__(self, firmware):
        self.transcript = []
        env = dict(os.environ, CONTIG_FIRMWARE=firmware)
        self.p = pexpect.spawn(os.path.join(TOP, "scripts", "qemu.sh"),
                               ["--interactive", "--mem", "256M", "--timeout", "240"],
                               encoding="utf-8", codec_errors="replace", timeout=120,
                               echo=False, cwd=TOP, env=env)
        self.p.logfile_read = self

    def write(self, s):
        self.transcript.append(s)

    def flush(self):
        pass

    def wait_for(self, what):
        """True once @what was printed; False on EOF or timeout."""
        return self.p.expect_exact([what, pexpect.EOF, pexpect.TIMEOUT]) == 0

    def end(self):
        """Wait for qemu.sh to exit; its status."""
        self.p.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=60)
        self.p.close(force=True)
        return self.p.exitstatus

    def text(self):
        return "".join(self.transcript)


failures = []
transcripts = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)
    return cond


def test_quit():
    r = Run("bios")
    transcripts.append(r)
    if not check(r.wait_for(PROMPT), "quit: the console prompt comes"):
        r.end()
        return
    r.p.send("\x01x")
    status = r.end()
    check(status == 0, "quit: Ctrl-A X ends qemu.sh with status 0 (got %s)" % status)
    check("qemu.sh: QEMU quit" in r.text(), "quit: qemu.sh says 'QEMU quit'")
    check("triple fault" not in r.text() and "qemu.sh: the guest reset" not in r.text(),
          "quit: no reset or triple fault reported")


def test_reboot(firmware):
    r = Run(firmware)
    transcripts.append(r)
    what = "reboot[%s]: " % firmware
    if not check(r.wait_for(PROMPT), what + "the console prompt comes"):
        r.end()
        return
    r.p.send("reboot\r")
    check(r.wait_for("reboot: restarting the machine"), what + "the console says it restarts")
    check(r.wait_for(BANNER), what + "the kernel boots a second time")
    if check(r.wait_for(PROMPT), what + "the prompt comes again"):
        r.p.send("poweroff\r")
    status = r.end()
    check(r.text().count(BANNER) == 2, what + "two boot banners (got %d)" % r.text().count(BANNER))
    check(status == 0, what + "poweroff after the reboot ends with status 0 (got %s)" % status)
    check("triple fault" not in r.text(), what + "no triple fault reported")


test_quit()
test_reboot("bios")
test_reboot("uefi")
if failures:
    print("%d check(s) failed:" % len(failures))
    for f in failures:
        print("  " + f)
    for r in transcripts:
        print("---- transcript (end) ----")
        print(r.text()[-3000:])
    sys.exit(1)
print("all reboot checks passed")
