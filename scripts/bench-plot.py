#!/usr/bin/env python3
"""Scaling tables and plots of make bench-scaling (python3 standard library only).

  bench-plot.py [--host-cores N] DIR

DIR holds one subdirectory per vCPU count, smpT/, each with contig.json
(make bench's results.json) and linux.json (make bench-linux's), either
may be missing. For every scenario it prints a table

  threads | Contig per-thread ns | Contig total | Linux per-thread ns |
  Linux total | Linux/Contig | Contig T/1

where per-thread ns is the team's wall time over one thread's loops (per
page for big_alloc* and vzalloc, per operation otherwise: the figure make
bench compares), the total is T threads' throughput in millions of
operations (or pages) per second, and "Contig T/1" is the per-thread cost
at T threads over the 1-thread cost (1.00 is perfect scaling; the goal of
docs/performance.md is at most 1.2 at T=2). A thread count above the host's
cores (default: this machine's) is labelled as measuring correctness only.
It then prints a plain-text bar plot of the totals, and writes the tables
to DIR/scaling.txt and the plot, one panel per scenario, to
DIR/scaling.svg. Exit 1 when DIR has no run at all.
"""
import json
import os
import re
import sys
from xml.sax.saxutils import escape

GOAL_SCENARIOS = ("fix_size_alloc", "fix_size_1page", "long_busy_list_alloc", "full_fit_alloc",
                  "vmap_1page")
GOAL_T2 = 1.2
COLOURS = {"Contig": "#3465a4", "Linux": "#ce5c00"}


def load(path):
    """The scenarios of a results.json by name, with their thread count; {} if unreadable."""
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        return {}
    out = {}
    for s in doc.get("scenarios", []):
        per_page = bool(s.get("ref_per_page"))
        ns = s.get("ns_page") if per_page else s.get("ns_med")
        if ns:
            out[s["name"]] = {"ns": ns, "per_page": per_page}
    return out


def collect(top):
    """{threads: {"Contig": {...}, "Linux": {...}}} from top/smpT/*.json."""
    runs = {}
    for d in os.listdir(top):
        m = re.fullmatch(r"smp([0-9]+)", d)
        if m and os.path.isdir(os.path.join(top, d)):
            runs[int(m.group(1))] = {
                "Contig": load(os.path.join(top, d, "contig.json")),
                "Linux": load(os.path.join(top, d, "linux.json")),
            }
    return runs


def total(threads, ns):
    """Millions of operations (or pages) per second of the whole team."""
    return threads * 1000.0 / ns


def fmt(v, spec):
    return "-" if v is None else spec % v


def scenario_names(runs):
    names = []
    for t in sorted(runs):
        for kernel in ("Contig", "Linux"):
            names += [n for n in runs[t][kernel] if n not in names]
    return names


def rows_of(runs, name):
    """One dict per thread count: the two kernels' per-thread ns and totals."""
    rows, base = [], None
    for t in sorted(runs):
        c = runs[t]["Contig"].get(name)
        lx = runs[t]["Linux"].get(name)
        r = {"threads": t, "cg_ns": c and c["ns"], "lx_ns": lx and lx["ns"]}
        r["cg_total"] = total(t, r["cg_ns"]) if c else None
        r["lx_total"] = total(t, r["lx_ns"]) if lx else None
        r["ratio"] = r["lx_ns"] / r["cg_ns"] if c and lx else None
        if t == 1 and c:
            base = r["cg_ns"]
        r["scale"] = r["cg_ns"] / base if c and base else None
        rows.append(r)
    return rows


def per_page(runs, name):
    return any(runs[t][k].get(name, {}).get("per_page") for t in runs for k in runs[t])


def table(runs, name, host_cores):
    unit = "Mpages/s" if per_page(runs, name) else "Mops/s"
    what = "ns/page" if per_page(runs, name) else "ns/op"
    lines = ["%s (per-thread %s = team wall time / one thread's work; total in %s)" % (
        name, what, unit)]
    lines.append("%-8s %12s %12s %12s %12s %12s %10s" % (
        "threads", "Contig ns", "Contig tot", "Linux ns", "Linux tot", "Linux/Cg", "Cg T/1"))
    for r in rows_of(runs, name):
        note = ""
        if r["threads"] > host_cores:
            note = "  (correctness only: %d vCPUs on %d host cores)" % (r["threads"], host_cores)
        elif r["threads"] == 2 and name in GOAL_SCENARIOS and r["scale"] is not None:
            note = "  goal T/1 <= %.1f: %s" % (GOAL_T2, "met" if r["scale"] <= GOAL_T2 else
                                                "missed by %.2fx" % (r["scale"] / GOAL_T2))
        lines.append("%-8d %12s %12s %12s %12s %12s %10s%s" % (
            r["threads"], fmt(r["cg_ns"], "%d"), fmt(r["cg_total"], "%.3f"),
            fmt(r["lx_ns"], "%d"), fmt(r["lx_total"], "%.3f"), fmt(r["ratio"], "%.2f"),
            fmt(r["scale"], "%.2f"), note))
    return lines


def text_plot(runs, name, width=40):
    """Horizontal bars of the total throughput, one per kernel and thread count."""
    rows = rows_of(runs, name)
    top = max([r[k] for r in rows for k in ("cg_total", "lx_total") if r[k]] or [0])
    lines = ["%s: total throughput against threads" % name]
    for r in rows:
        for label, key in (("Contig", "cg_total"), ("Linux", "lx_total")):
            v = r[key]
            bar = "#" * int(round(v / top * width)) if v and top else ""
            lines.append("  T=%-2d %-6s |%-*s %s" % (r["threads"], label, width, bar,
                                                      fmt(v, "%.3f")))
    return lines


def svg_panel(runs, name, x0, y0, w, h):
    """One panel: total throughput against threads, a polyline per kernel."""
    rows = rows_of(runs, name)
    ts = [r["threads"] for r in rows]
    top = max([r[k] for r in rows for k in ("cg_total", "lx_total") if r[k]] or [1]) * 1.1
    left, bottom = 50, 30
    pw, ph = w - left - 10, h - bottom - 25

    def px(t):
        return x0 + left + (pw * (ts.index(t) + 0.5) / len(ts))

    def py(v):
        return y0 + 25 + ph - ph * v / top

    unit = "Mpages/s" if per_page(runs, name) else "Mops/s"
    out = ['<g class="panel" data-scenario="%s">' % escape(name),
           '<text x="%d" y="%d" font-size="13">%s (%s)</text>' % (x0 + left, y0 + 16,
                                                                 escape(name), unit),
           '<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>' % (
               x0 + left, y0 + 25, pw, ph)]
    for i in range(5):
        v = top * i / 4
        out.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%.2f</text>' % (
            x0 + left - 4, py(v) + 3, v))
    for t in ts:
        out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">T=%d</text>' % (
            px(t), y0 + 25 + ph + 14, t))
    for kernel, key in (("Contig", "cg_total"), ("Linux", "lx_total")):
        pts = [(px(r["threads"]), py(r[key])) for r in rows if r[key]]
        if not pts:
            continue
        out.append('<polyline class="series" data-series="%s" fill="none" stroke="%s" '
                   'stroke-width="2" points="%s"/>' % (
                       kernel, COLOURS[kernel], " ".join("%.1f,%.1f" % p for p in pts)))
        out += ['<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (x, y, COLOURS[kernel])
                for x, y in pts]
    out.append("</g>")
    return out


def svg(runs, names, cols=3, w=300, h=220):
    nrows = (len(names) + cols - 1) // cols
    width, height = cols * w, nrows * h + 40
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="sans-serif">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14">Total throughput against threads '
           '(one per vCPU); legend:</text>']
    for i, kernel in enumerate(("Contig", "Linux 6.12")):
        out.append('<text x="%d" y="20" font-size="14" fill="%s">%s</text>' % (
            380 + 110 * i, COLOURS[kernel.split()[0]], kernel))
    for i, name in enumerate(names):
        out += svg_panel(runs, name, (i % cols) * w, 40 + (i // cols) * h, w, h)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    host_cores = os.cpu_count() or 1
    args = argv[1:]
    if len(args) == 3 and args[0] == "--host-cores" and args[1].isdigit():
        host_cores, args = int(args[1]), args[2:]
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    top = args[0]
    runs = collect(top) if os.path.isdir(top) else {}
    names = scenario_names(runs)
    if not names:
        print("bench-plot: no results under %s (smpT/contig.json, smpT/linux.json)" % top,
              file=sys.stderr)
        return 1
    text = []
    for name in names:
        text += table(runs, name, host_cores) + [""]
    for name in names:
        text += text_plot(runs, name) + [""]
    print("\n".join(text), end="")
    with open(os.path.join(top, "scaling.txt"), "w") as f:
        f.write("\n".join(text))
    with open(os.path.join(top, "scaling.svg"), "w") as f:
        f.write(svg(runs, names))
    print("bench-plot: %s, %s" % (os.path.join(top, "scaling.txt"),
                                  os.path.join(top, "scaling.svg")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
