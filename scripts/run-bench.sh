#!/usr/bin/env bash
# make bench: boot the kernel with bench=SPEC on the one fixed configuration,
# show the kernel's tables, collect its JSON lines into results.json, print a
# summary (with the Linux column of the latest make bench-linux on this host,
# if any) and one verdict line per goal, and draw the pictures. Each run
# gets its own directory, build/bench/<timestamp>/, and build/bench/latest
# points at the newest.
usage() {
	cat <<'USAGE'
Usage: run-bench.sh [--help] [SPEC]
  SPEC        all (default), or names and globs separated by commas
              (fix_*,scaling); the kernel lists the valid names
Environment:
  BENCH_TIMEOUT  hang detector in seconds (default 900)
  BENCH_CPU      host CPU to pin QEMU to (default: the last one); BENCH_CPU=none
                 leaves it unpinned. Pinning keeps the guest TSC steady: under
                 TCG it is the host TSC, and a thread moving between host CPUs
                 whose TSCs disagree makes it jump.
  BENCH_OUT      where the run directories go (default build/bench)
  BENCH_SMP      vCPUs (default 1; make bench SMP=N sets it). With N > 1 each
                 scenario runs on N threads, one bound to each vCPU, released
                 together, and ns/op is per thread (the team's wall time over one
                 thread's loops), as make bench-linux reports it at SMP=N. QEMU
                 is then not pinned unless BENCH_CPU names a CPU list: vCPUs
                 sharing one host CPU would time the host's scheduler, not IPIs.
  BENCH_ELF      kernel to boot (default build/contig.elf)
  BENCH_LINUX    the Linux column's results.json (default build/bench-linux/latest/,
                 from make bench-linux on this host; none there: no Linux column)
  BENCH_REPLOT=1 do not boot: redo results.json, summary, verdicts and pictures
                 from the serial log in BENCH_OUT/latest
The configuration (docs/performance.md): QEMU under TCG (no KVM), -cpu qemu64,
-smp 1, -m 1G, booted through GRUB by scripts/qemu.sh.
USAGE
}
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
spec=all
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	-*) echo "run-bench.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) spec=$1; shift ;;
	esac
done
[ -n "$spec" ] || spec=all
spec=${spec,,}	# the kernel command line takes lower case, as the names are
# The command line refuses other characters and would keep no bench= at all.
if [[ ! $spec =~ ^[a-z0-9_,*?]+$ ]]; then
	echo "run-bench.sh: bad SPEC '$spec': use a-z, 0-9, '_', ',', '*' and '?'" >&2
	exit 2
fi
base=${BENCH_OUT:-$top/build/bench}
linux_json=${BENCH_LINUX:-$top/build/bench-linux/latest/results.json}
timeout=${BENCH_TIMEOUT:-900}
# The last CPU this process may run on (a cgroup or taskset may allow fewer than nproc).
last_allowed_cpu() {
	sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | tr ',' '\n' | tail -1 | sed 's/.*-//'
}
smp=${BENCH_SMP:-1}
if [[ ! $smp =~ ^[0-9]+$ ]] || [ "$smp" -lt 1 ] || [ "$smp" -gt 16 ]; then
	echo "run-bench.sh: bad BENCH_SMP '$smp': 1..16" >&2
	exit 2
fi
if [ "$smp" -gt 1 ]; then
	cpu=${BENCH_CPU:-none}
else
	cpu=${BENCH_CPU:-$(last_allowed_cpu)}
fi
elf=${BENCH_ELF:-$top/build/contig.elf}

status=0
if [ "${BENCH_REPLOT:-0}" = 1 ]; then
	out=$(cd "$base/latest" 2>/dev/null && pwd -P) ||
		{ echo "run-bench.sh: no $base/latest to replot" >&2; exit 1; }
	# Only what this replot makes is listed: drop the old results and pictures.
	(cd "$out" && rm -f results.json results.jsonl ./*.dat ./*.gp ./*.png ./*.svg)
else
	out=$base/$(date +%Y%m%d-%H%M%S)
	[ ! -e "$out" ] || out=$out-$$
	mkdir -p "$out" && ln -sfn "$(basename "$out")" "$base/latest" || exit 1
fi
log=$out/serial.log

# A loaded host makes the vCPU lose whole time slices: say so beside the numbers.
check_load() {
	local load cores
	read -r load _ </proc/loadavg
	cores=$(nproc)
	if awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l > c) }'; then
		echo "bench: WARNING: host load average $load is above its $cores cores:" \
			"expect slow, noisy numbers"
	fi
}

if [ "${BENCH_REPLOT:-0}" != 1 ]; then
	pin=()
	if [ "$cpu" != none ] && command -v taskset >/dev/null; then
		pin=(taskset -c "$cpu")
	fi
	echo "bench: QEMU TCG, -cpu qemu64 -smp $smp -m 1G, bench=$spec${pin:+, pinned to host CPU $cpu}; output in $out"
	check_load
	start=$(date +%s)
	# This sitting, to compare with the Linux column's (run.env: key=value lines).
	printf 'date=%s\ncpu=%s\nhostname=%s\nqemu=%s\n' "$start" "$cpu" "$(hostname)" \
		"$(qemu-system-x86_64 --version 2>/dev/null | head -1)" >"$out/run.env"
	# Show the kernel's own lines from the TSC calibration on, without the JSON,
	# and the refusal of a bad name (printed before anything is measured).
	"${pin[@]}" "$here/qemu.sh" --elf "$elf" --mem 1G --smp "$smp" --cmdline "bench=$spec poweroff" \
		--timeout "$timeout" --log "$log" </dev/null 2>&1 |
		tr -d '\r' | sed -E 's/^\[ *[0-9]+\.[0-9]{6}\] //' |
		awk '/^tsc: |^bench: no benchmark/{on=1} on && !/^\{"bench"/{print; fflush()}'
	status=${PIPESTATUS[0]}
	echo "bench: QEMU ran $(($(date +%s) - start)) s, exit status $status"
	check_load
fi
# printk's "[    0.123456] " timestamps off, then the JSON lines.
tr -d '\r' <"$log" | sed -E 's/^\[ *[0-9]+\.[0-9]{6}\] //' | grep '^{"bench"' >"$out/results.jsonl"
if grep -qE '^(\[ *[0-9]+\.[0-9]{6}\] )?bench: no benchmark' "$log"; then
	exit 1 # the kernel said which names are valid (above)
fi
if ! grep -q '"bench":"done"' "$out/results.jsonl"; then
	echo "bench: the run did not finish (status $status); serial log: $log" >&2
	grep -E '^cmdline:|panic|BUG|Oops|WARNING|failed' "$log" | head -20 >&2
	exit 1
fi

if ! grep -q '"bench":"done","failed":0' "$out/results.jsonl"; then
	echo "bench: some benchmarks failed (see above)" >&2
	[ "$status" != 0 ] || status=1
fi

# results.json, the summary table and the plot data: one Python pass (stdlib only).
python3 - "$out" "$smp" "$linux_json" <<'PY' || exit 1
import calendar, json, os, sys, time

out = sys.argv[1]
rows = []
for line in open(os.path.join(out, "results.jsonl")):
    try:
        rows.append(json.loads(line))
    except ValueError:
        print("bench: bad JSON line skipped: " + line.strip()[:80], file=sys.stderr)

doc = {"config": {}, "floors": {}, "scenarios": [], "scaling": [],
       "scaling_ratio": None, "size_curve": [], "map": {"base": None, "span_pages": 0, "areas": []},
       "memory": {}, "profile": [], "done": {}}
for r in rows:
    kind = r.pop("bench")
    if kind == "config":
        doc["config"] = r
    elif kind == "floor":
        doc["floors"][r["name"]] = {"cyc": r["cyc"], "ns": r["ns"]}
    elif kind == "scenario":
        doc["scenarios"].append(r)
    elif kind == "scaling":
        doc["scaling"].append(r)
    elif kind == "scaling_ratio":
        doc["scaling_ratio"] = r["ratio"]
    elif kind == "size_curve":
        doc["size_curve"].append(r)
    elif kind == "map_begin":
        doc["map"]["base"], doc["map"]["span_pages"] = r["base"], r["span_pages"]
    elif kind == "map":
        doc["map"]["areas"] += r["areas"]
    elif kind == "memory":
        doc["memory"] = r
    elif kind == "profile":
        doc["profile"].append(r)
    elif kind == "align":
        doc["align"] = r
    elif kind == "ipi":
        doc.setdefault("ipi", {})[r["name"]] = r["ns"]
    elif kind == "done":
        doc["done"] = r
doc["config"]["qemu"] = "TCG, -machine pc -cpu qemu64 -smp %s -m 1G" % sys.argv[2]
# This sitting (run.env, written at boot; a replot of an older run may lack it).
host = {}
try:
    for line in open(os.path.join(out, "run.env")):
        k, _, v = line.rstrip("\n").partition("=")
        host[k] = v
except OSError:
    pass
doc["config"]["host"] = host

# The Linux column: the latest `make bench-linux` on this host, never numbers from elsewhere.
linux, linux_path = None, sys.argv[3]
try:
    linux = json.load(open(linux_path))
except (OSError, ValueError):
    pass
linux_by_name = {r["name"]: r for r in linux["scenarios"]} if linux else {}
if linux:
    doc["linux"] = {"path": os.path.realpath(linux_path), "date": linux.get("date"),
                    "tsc_mhz": linux["config"].get("tsc_mhz"),
                    "errors": linux.get("errors", {}), "skipped": linux.get("skipped", {}),
                    "smp": linux["config"].get("smp"),
                    "version": linux["config"].get("version"),
                    "load_before": linux["config"].get("load_before"),
                    "load_after": linux["config"].get("load_after")}
json.dump(doc, open(os.path.join(out, "results.json"), "w"), indent=1)

def sitting_warnings(lc, ldate):
    """Why the Linux column may not be comparable with this run: another sitting."""
    warn = []
    try:
        then = calendar.timegm(time.strptime(ldate, "%Y-%m-%dT%H:%M:%SZ"))
        now = int(host["date"]) if "date" in host else \
            int(os.path.getmtime(os.path.join(out, "serial.log")))
        if abs(now - then) > 3600:
            warn.append("the Linux column is %.1f h %s than this run: another sitting" %
                        (abs(now - then) / 3600.0, "older" if now > then else "newer"))
    except (TypeError, ValueError, OSError):
        warn.append("the Linux column has no readable date (%s)" % ldate)
    for key, what in (("cpu", "pinned to host CPU"), ("hostname", "host"), ("qemu", "QEMU")):
        if key in host and key in lc and host[key] != lc[key]:
            warn.append("Linux was %s %s, this run %s" % (what, lc[key], host[key]))
    for key in ("load_before", "load_after"):
        try:
            if float(lc[key]) > float(lc["host_cores"]):
                warn.append("Linux ran with host load %s (%s) above its %s cores: slow, noisy" %
                            (lc[key], key, lc["host_cores"]))
        except (KeyError, ValueError):
            pass
    mhz, khz = lc.get("tsc_mhz"), doc["config"].get("tsc_khz")
    if mhz and khz and abs(mhz * 1000 - khz) > khz / 100:
        warn.append("Linux calibrated the TSC at %.3f MHz, Contig at %.3f MHz: they differ by "
                    "more than 1%%, one clock is wrong" % (mhz, khz / 1000.0))
    return warn

def linux_missing(name):
    """Why the Linux run has no figure for @name."""
    if name in linux.get("skipped", {}):
        return "skipped"
    if name in linux.get("errors", {}):
        return "error"
    return "not run"

def fmt(v, nd=0):
    return "-" if v is None else ("%.*f" % (nd, v))

def compared(r):
    """The figure compared with Linux: ns per page for the big areas, else ns per operation."""
    return r["ns_page"] if r["ref_per_page"] else r["ns_med"]

def linux_ratio(s):
    l = linux_by_name.get(s["name"])
    got = compared(s)
    return (compared(l) / got if got else None) if l else None

if doc["scenarios"]:
    print()
    if linux:
        print("Linux column: make bench-linux of %s (Linux %s, host load %s -> %s), this host" % (
            doc["linux"]["date"], doc["linux"]["version"], doc["linux"]["load_before"],
            doc["linux"]["load_after"]))
        if str(linux["config"].get("smp", "1")) != sys.argv[2]:
            print("WARNING: that Linux run had %s vCPUs and threads, this one %s: "
                  "not the same work" % (linux["config"].get("smp"), sys.argv[2]))
        for w in sitting_warnings(linux["config"], linux.get("date")):
            print("WARNING: " + w)
    else:
        print("no Linux run on this host: make bench-linux")
    threads = doc["config"].get("threads", 1)
    if threads > 1:
        print("Summary: %d threads, one per vCPU, released together; ns/op = per-thread cost "
              "(the team's wall time / one thread's loops), median of %d repetitions, as "
              "bench-linux's; Mops/s = the team's total" % (threads, doc["config"]["reps"]))
    else:
        print("Summary (median ns of %d repetitions; floor = the physical floor per "
              "operation, from this run's primitives)" % doc["config"].get("reps", 5))
    print("%-24s %7s %9s %9s %9s %8s %8s %10s %7s %9s %7s" % (
        "scenario", "loops", "ns/op", "min", "max", "Mops/s", "ns/page", "floor", "x floor",
        "Linux", "Lx/Cg"))
    for s in doc["scenarios"]:
        l = linux_by_name.get(s["name"])
        print("%-24s %7d %9d %9d %9d %8s %8s %10s %7s %9s %7s" % (
            s["name"], s["loops"], s["ns_med"], s["ns_min"], s["ns_max"],
            fmt(threads * 1000.0 / s["ns_med"] if s["ns_med"] else None, 3),
            fmt(s["ns_page"] if s["pages_per_op"] else None), fmt(s["floor_ns"], 1),
            fmt(s["floor_ratio"], 2), fmt(compared(l) if l else None), fmt(linux_ratio(s), 2)))
    print("(Linux and Lx/Cg = Linux / Contig are per page for big_alloc* and vzalloc, "
          "per operation otherwise)")
    if linux:
        for name, err in sorted(linux.get("errors", {}).items()):
            print("Linux run: %s failed (%s)" % (name, err))
        for name, why in sorted(linux.get("skipped", {}).items()):
            print("Linux run: %s skipped: %s" % (name, why))
if doc["scaling"]:
    print("scaling: " + ", ".join("N=%d %d ns" % (r["n"], r["ns_med"]) for r in doc["scaling"]) +
          "; ratio N=100000/N=10 = %s (target <= 1.5)" % doc["scaling_ratio"])

# One verdict line per goal of issue 16: met, or missed by how much.
def verdict(label, got, target, shown, at_least=False):
    ratio = (target / got if got else float("inf")) if at_least else got / target
    if ratio <= 1:
        return "%s: met (%s)" % (label, shown)
    return "%s: missed by %.2fx (%s)" % (label, ratio, shown)

FLOOR_GOALS = {"vzalloc": 1.1, "big_alloc": 2.0, "random_size_alloc": 2.0}
LINUX_GOALS = {"vzalloc": 1.5, "big_alloc_huge": None}  # the rest: 3; huge is an extra
verdicts = []
for s in doc["scenarios"]:
    goal = LINUX_GOALS.get(s["name"], 3.0)
    r = linux_ratio(s)
    if goal and r is not None:
        verdicts.append(verdict("%s: target Linux/Contig >= %.1f" % (s["name"], goal), r, goal,
                                "%.2f" % r, at_least=True))
    elif linux and goal and s["name"] not in linux_by_name:
        verdicts.append("%s: no Linux figure (%s)" % (s["name"], linux_missing(s["name"])))
    if s["name"] in FLOOR_GOALS and s["floor_ratio"] is not None:
        goal = FLOOR_GOALS[s["name"]]
        verdicts.append(verdict("%s: target <= %.1f x its floor" % (s["name"], goal),
                                s["floor_ratio"], goal, "%.2f x" % s["floor_ratio"]))
if "align" in doc:
    a = doc["align"]
    verdicts.append(verdict("align: target aligned <= 2 x unaligned among %d holes" % a["holes"],
                            a["ratio"], 2.0, "%.2f: %d against %d ns" % (
                                a["ratio"], a["aligned_ns"], a["plain_ns"])))
if doc["scaling_ratio"] is not None:
    verdicts.append(verdict("scaling: target N=100000 / N=10 <= 1.5", doc["scaling_ratio"], 1.5,
                            "%.2f" % doc["scaling_ratio"]))
if verdicts:
    print()
    print("Verdicts (the goals of docs/performance.md):")
    for v in verdicts:
        print("  " + v)
    with open(os.path.join(out, "verdicts.txt"), "w") as f:
        f.write("\n".join(verdicts) + "\n")

with open(os.path.join(out, "scaling.dat"), "w") as f:
    for r in doc["scaling"]:
        f.write("%d %d %d %d\n" % (r["n"], r["ns_med"], r["ns_min"], r["ns_max"]))
with open(os.path.join(out, "size_curve.dat"), "w") as f:
    for r in doc["size_curve"]:
        f.write("%d %d %d\n" % (r["pages"], r["ns_page"], r["ns_med"]))
with open(os.path.join(out, "scenarios.dat"), "w") as f:
    for s in doc["scenarios"]:
        l = linux_by_name.get(s["name"])
        f.write('"%s" %d %d\n' % (s["name"], compared(s), compared(l) if l else 0))
# The map, wrapped into rows: each area is split at row ends. Colours: busy, guard.
areas = doc["map"]["areas"]
span = doc["map"]["span_pages"] or 1
row = 1
while span / row > 100:
    row *= 2
with open(os.path.join(out, "map.dat"), "w") as f:
    def box(start, length, colour):
        while length > 0:
            y, x = divmod(start, row)
            n = min(length, row - x)
            f.write("%d %d %d %d\n" % (x, x + n, y, colour))
            start, length = start + n, length - n
    for off, pages, guard in areas:
        box(off, pages - guard, 0x3465a4)
        if guard:
            box(off + pages - guard, guard, 0xcc0000)
# Numbers the plot scripts use.
with open(os.path.join(out, "params.gp"), "w") as f:
    fl = doc["floors"]
    f.write("row = %d\nrows = %d\nnareas = %d\n" % (row, (span + row - 1) // row, len(areas)))
    f.write("floor_big = %s\n" % (sum(fl[k]["ns"] for k in ("pop_push", "pte_write", "pte_clear"))
                                    if "pte_write" in fl else "NaN"))
    f.write("scaling_n10 = %s\n" % (doc["scaling"][0]["ns_med"] if doc["scaling"] else "NaN"))
PY

# Pictures: PNG through cairo when gnuplot has it, else libgd, else SVG.
if ! command -v gnuplot >/dev/null; then
	echo "bench: gnuplot not found: no pictures (apt-get install gnuplot-nox)"
	exit 0
fi
terms=$(echo 'set terminal' | gnuplot 2>&1)
if grep -q pngcairo <<<"$terms"; then
	term="pngcairo font 'Sans,10'" ext=png
elif grep -qw png <<<"$terms"; then
	term="png" ext=png
else
	term="svg" ext=svg
fi
cd "$out" || exit 1
# Each picture's script is kept beside it (NAME.gp), to re-plot or adjust by hand.
plot() {
	local name=$1
	local size=${2:-900,560}
	{ echo "set terminal $term size $size; set termoption noenhanced; set output '$name.$ext'"
	  cat; } \
		>"$name.gp"
	gnuplot "$name.gp" 2>&1 | head -5
}

[ -s scaling.dat ] && plot scaling <<'GP'
load 'params.gp'
set title '1-page vmalloc+vfree with N live areas and N free holes (median, min..max)'
set logscale x; set xrange [5:200000]; set xlabel 'live areas N (log)'
set ylabel 'ns per alloc+free'; set yrange [0:*]; set grid; set key bottom right
plot 'scaling.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'Contig', \
     1.5 * scaling_n10 with lines dt 2 lw 1 title 'target: 1.5 x (N=10)'
GP
[ -s size_curve.dat ] && plot size_curve <<'GP'
set title 'vmalloc+vfree: cost per page against allocation size'
set logscale x 2; set logscale y; set xlabel 'pages per allocation (1 page .. 64 MiB)'
set ylabel 'ns per page (log)'; set grid; set key top right
load 'params.gp'
plot 'size_curve.dat' using 1:2 with linespoints lw 2 pt 7 title 'vmalloc+vfree, ns per page', \
     floor_big with lines dt 2 title 'floor: page pop+push + PTE write + clear'
GP
[ -s scenarios.dat ] && plot scenarios <<'GP'
set title 'Contig against Linux 6.12 of make bench-linux (big_alloc* and vzalloc per page)'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8
set logscale y; set ylabel 'ns (log scale)'; set xtics rotate by -30 left; set grid ytics
set key top right; set bmargin 7
plot 'scenarios.dat' using 2:xtic(1) title 'Contig', \
     '' using ($3 > 0 ? $3 : 1/0) title 'Linux 6.12', \
     '' using ($3 > 0 ? $3 / 3 : 1/0) title 'goal: Linux / 3'
GP
[ -s map.dat ] && plot vmalloc_map 1000,900 <<'GP'
load 'params.gp'
set title sprintf('vmalloc range after the random workload: %d busy areas (blue), guard pages (red), free (grey)', nareas)
set xrange [0:row]; set yrange [rows-0.5:-0.5]
set xlabel sprintf('page within a row of %d pages (%d KiB)', row, row * 4)
set ylabel 'row, from VMALLOC_START'
set object 1 rect from 0,-0.5 to row,rows-0.5 fc rgb '#dddddd' fs solid 1.0 behind
unset key
plot 'map.dat' using (($1+$2)/2.0):3:(($2-$1)/2.0):(0.4):4 with boxxyerror fs solid 1.0 noborder lc rgb variable
GP
echo "bench: $out/results.json, pictures: $(cd "$out" && ls ./*."$ext" 2>/dev/null | tr '\n' ' ')"
[ "$status" = 0 ]
