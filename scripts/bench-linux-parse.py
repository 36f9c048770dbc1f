#!/usr/bin/env python3
"""Helpers of scripts/bench-linux.sh (stdlib only).

  bench-linux-parse.py cpio DIR OUT
      pack DIR into OUT as a newc cpio archive (an initramfs), so that no
      cpio tool is needed
  bench-linux-parse.py log SERIAL_LOG OUT_JSON [key=value ...]
      gather the module's JSON lines ({"bench":"linux_...}) of a serial log
      into one document, the key=value pairs added to its "config"; exit 1
      if the log has no scenario result or the module did not finish

results.json: {"config": {...}, "date": "YYYY-MM-DDTHH:MM:SSZ",
"scenarios": [{"name", "loops", "reps", "threads", "ns_med", "ns_min",
"ns_max", "pages_per_op", "ns_page", "ref_per_page"}, ...],
"skipped": {name: reason}, "errors": {name: errno}, "done": bool,
"oops": [the log's Oops/BUG/RIP/panic lines]}; the config also holds what
/init echoed: "tsc_mhz" (the refined TSC calibration, else the detected
one), "clocksource", and "vulnerabilities" {name: state}. A status of 124 or
137 (timeout's) is reported as a run killed after "timeout" seconds.
"""
import json
import os
import re
import sys
import time


def cpio_entry(name, mode, data, ino):
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = head + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)


def write_cpio(top, path):
    blob, ino = b"", 1
    for d, dirs, files in os.walk(top):
        dirs.sort()
        rel = os.path.relpath(d, top)
        if rel != ".":
            blob += cpio_entry(rel, 0o040755, b"", ino)
            ino += 1
        for f in sorted(files):
            full = os.path.join(d, f)
            mode = 0o100755 if os.access(full, os.X_OK) else 0o100644
            name = os.path.normpath(os.path.join(rel, f))
            blob += cpio_entry(name, mode, open(full, "rb").read(), ino)
            ino += 1
    blob += cpio_entry("TRAILER!!!", 0, b"", 0)
    open(path, "wb").write(blob + b"\0" * (-len(blob) % 512))


OOPS = re.compile(r"Oops|BUG[: ]|RIP:|Kernel panic")
DMESG = "bench-linux: dmesg: "
VULN = re.compile(r"bench-linux: vulnerability ([^:]+): (.*)")


def parse_echo(line, config):
    """What /init echoed: the TSC calibration, the clocksource, the mitigations."""
    m = VULN.search(line)
    if m:
        config.setdefault("vulnerabilities", {})[m.group(1)] = m.group(2).strip()
    if DMESG not in line:
        return
    m = re.search(r"Refined TSC clocksource calibration: ([0-9.]+) MHz", line)
    if m:
        config["tsc_mhz"], config["tsc_refined"] = float(m.group(1)), True
    m = re.search(r"tsc: Detected ([0-9.]+) MHz processor", line)
    if m and not config.get("tsc_refined"):
        config["tsc_mhz"] = float(m.group(1))
    m = re.search(r"clocksource: Switched to clocksource (\S+)", line)
    if m:
        config["clocksource"] = m.group(1)


def parse_log(lines):
    """The document of a serial log's lines (printk prefixes allowed)."""
    doc = {"config": {}, "scenarios": [], "skipped": {}, "errors": {}, "done": False,
           "oops": []}
    for line in lines:
        at = line.find('{"bench":"linux_')
        if at < 0:
            if OOPS.search(line) and "bench-linux: vulnerability" not in line:
                doc["oops"].append(line.rstrip())
            parse_echo(line, doc["config"])
            continue
        try:
            r = json.loads(line[at:].strip())
        except ValueError:
            print("bench-linux: bad JSON line skipped: " + line.strip()[:80], file=sys.stderr)
            continue
        kind = r.pop("bench")
        if kind == "linux_config":
            doc["config"].update(r)
        elif kind == "linux_scenario" and "skipped" in r:
            doc["skipped"][r["name"]] = r["skipped"]
        elif kind == "linux_scenario" and "error" in r:
            doc["errors"][r["name"]] = r["error"]
        elif kind == "linux_scenario":
            doc["scenarios"].append(r)
        elif kind == "linux_done":
            doc["done"] = True
    return doc


def main(argv):
    if len(argv) == 4 and argv[1] == "cpio":
        write_cpio(argv[2], argv[3])
        return 0
    if len(argv) >= 4 and argv[1] == "log":
        doc = parse_log(open(argv[2], errors="replace"))
        for kv in argv[4:]:
            k, _, v = kv.partition("=")
            doc["config"][k] = v
        doc["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        json.dump(doc, open(argv[3], "w"), indent=1)
        if doc["config"].get("status") in ("124", "137"):
            print("bench-linux: QEMU killed after %s s (BENCH_TIMEOUT): the Linux run hung" %
                  doc["config"].get("timeout", "?"), file=sys.stderr)
        for line in doc["oops"][:20]:
            print("bench-linux: log: " + line, file=sys.stderr)
        for name, err in doc["errors"].items():
            print("bench-linux: %s failed on Linux (%d)" % (name, err), file=sys.stderr)
        for name, why in doc["skipped"].items():
            print("bench-linux: %s skipped on Linux: %s" % (name, why), file=sys.stderr)
        if not doc["scenarios"] or not doc["done"]:
            print("bench-linux: the module %s" % ("did not finish" if doc["scenarios"]
                                                   else "printed no result"), file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
