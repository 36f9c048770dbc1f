#!/usr/bin/env bash
# make bench-scaling's host side without a boot: recorded serial lines of
# Contig (1, 2 and 4 threads) and Linux (1 and 2 threads) go through the
# parsers of make bench and make bench-linux, make bench's summary states the
# per-thread statistic and the team's total, and scripts/bench-plot.py prints
# the per-scenario tables (per-thread ns, totals, Linux/Contig, T/1, the 1.2x
# goal at T=2, the label of a thread count above the host's cores) and a text
# plot, and writes a well-formed SVG with one panel per scenario and one
# series per kernel with a point per thread count measured.
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d "$TMPDIR/bench-scaling-plot.XXXXXX")
trap 'rm -rf "$work"' EXIT
E2E_LOG=$work/report.txt

# contig_log T FIX_NS VZ_NS_PAGE: a Contig serial log (VZ_NS_PAGE empty: no vzalloc line).
contig_log() {
	printf '[    0.500000] bench: TSC 2100.000 MHz (pit)\n'
	printf '[    0.600000] {"bench":"config","tsc_khz":2100000,"tsc_source":"pit","reps":5,"threads":%d,"ram_pages":258999,"lazy_max_pages":8192}\n' "$1"
	printf '[    1.000000] {"bench":"scenario","name":"fix_size_1page","loops":100000,"reps":5,"threads":%d,"ns_med":%d,"ns_min":%d,"ns_max":%d,"cyc_med":1,"pages_per_op":1.000,"ns_page":%d,"frees":500000,"flush_single":0,"flush_ranges":0,"flush_all":0,"purges":0,"pt_pages":0,"ref_per_page":false,"floor_ns":300.000,"floor_ratio":1.000}\n' \
		"$1" "$2" "$2" "$2" "$2"
	[ -z "$3" ] || printf '[    2.000000] {"bench":"scenario","name":"vzalloc","loops":20,"reps":5,"threads":%d,"ns_med":%d,"ns_min":1,"ns_max":1,"cyc_med":1,"pages_per_op":4096.000,"ns_page":%d,"frees":100,"flush_single":0,"flush_ranges":0,"flush_all":0,"purges":0,"pt_pages":0,"ref_per_page":true,"floor_ns":null,"floor_ratio":null}\n' \
		"$1" $(($3 * 4096)) "$3"
	printf '[    3.000000] {"bench":"done","failed":0,"ms":100}\n'
}

# linux_log T FIX_NS [VZ_NS_PAGE]: the module's lines.
linux_log() {
	printf '[    3.5] {"bench":"linux_config","release":"6.12.117+deb12-amd64","threads":%d,"reps":5,"cpus":%d,"ram_pages":245000,"init_on_alloc":false}\n' "$1" "$1"
	printf '[    4.0] {"bench":"linux_scenario","name":"fix_size_1page","loops":100000,"reps":5,"threads":%d,"ns_med":%d,"ns_min":%d,"ns_max":%d,"pages_per_op":1.000,"ns_page":%d,"ref_per_page":false}\n' \
		"$1" "$2" "$2" "$2" "$2"
	if [ -n "${3:-}" ]; then
		printf '[    5.0] {"bench":"linux_scenario","name":"vzalloc","loops":20,"reps":5,"threads":%d,"ns_med":%d,"ns_min":1,"ns_max":1,"pages_per_op":4096.000,"ns_page":%d,"ref_per_page":true}\n' \
			"$1" $(($3 * 4096)) "$3"
	else
		printf '[    5.0] {"bench":"linux_scenario","name":"vzalloc","skipped":"not asked"}\n'
	fi
	printf '[    6.0] {"bench":"linux_done"}\n'
}

# run T FIX VZ LINUX_FIX LINUX_VZ: both parsers for T threads into $work/scaling/smpT/.
run() {
	local d=$work/scaling/smp$1
	mkdir -p "$d/contig/rec"
	ln -sfn rec "$d/contig/latest"
	contig_log "$1" "$2" "$3" >"$d/contig/rec/serial.log"
	if [ -n "$4" ]; then
		linux_log "$1" "$4" "$5" >"$d/linux.log"
		python3 "$E2E_TOP/scripts/bench-linux-parse.py" log "$d/linux.log" "$d/linux.json" smp="$1" \
			2>/dev/null || fail "bench-linux-parse refused the T=$1 log"
	fi
	BENCH_SMP=$1 BENCH_OUT=$d/contig BENCH_LINUX=$d/linux.json BENCH_REPLOT=1 \
		"$E2E_TOP/scripts/run-bench.sh" >"$d/summary.txt" 2>&1 || fail "make bench's report failed at T=$1"
	cp "$d/contig/rec/results.json" "$d/contig.json" || fail "no results.json at T=$1"
}
run 1 2000 1000 6000 2000
run 2 2500 1600 12000 ""
run 4 8000 "" "" ""

norm() { tr -s ' ' <"$1"; }
summary=$work/scaling/smp2/summary.txt
grep -q "Summary: 2 threads, one per vCPU, released together; ns/op = per-thread cost" "$summary" &&
	echo "ok: make bench's summary states the per-thread statistic" ||
	fail "the summary at 2 threads does not state its statistic: $(grep Summary "$summary")"
norm "$summary" | grep -qE '^fix_size_1page 100000 2500 2500 2500 0\.800 ' &&
	echo "ok: make bench's summary gives the team's total (0.800 Mops/s)" ||
	fail "the summary row is wrong: $(grep '^fix_size_1page' "$summary")"

python3 "$E2E_TOP/scripts/bench-plot.py" --host-cores 2 "$work/scaling" >"$work/plot.txt" 2>&1 ||
	fail "bench-plot.py failed: $(tail -3 "$work/plot.txt")"
cat "$work/plot.txt"
# expect_row REGEX WHAT: a line of the (blank-squeezed) tables matches.
expect_row() {
	norm "$work/plot.txt" | grep -qE -- "$1" && echo "ok: $2" || fail "$2: no line matches /$1/"
}
expect_row '^fix_size_1page \(per-thread ns/op = team wall time / one thread.s work; total in Mops/s\)$' \
	"the per-operation table's title"
expect_row '^1 2000 0\.500 6000 0\.167 3\.00 1\.00$' "T=1: ns, totals, Linux/Contig, T/1"
expect_row '^2 2500 0\.800 12000 0\.167 4\.80 1\.25 goal T/1 <= 1\.2: missed by 1\.04x$' \
	"T=2: the goal verdict"
expect_row '^4 8000 0\.500 - - - 4\.00 \(correctness only: 4 vCPUs on 2 host cores\)$' \
	"T=4: no Linux run, labelled correctness only"
expect_row '^vzalloc \(per-thread ns/page .* total in Mpages/s\)$' "the per-page table's title"
expect_row '^1 1000 1\.000 2000 0\.500 2\.00 1\.00$' "vzalloc per page at T=1"
expect_row '^2 1600 1\.250 - - - 1\.60$' "vzalloc skipped on Linux at T=2"
expect_row '^ T=2 Contig \|#{40} 0\.800$' "the text plot's longest bar"
expect_row '^ T=1 Linux \|#{8} 0\.167$' "a shorter bar in proportion"

python3 - "$work/scaling/scaling.svg" <<'PY' && echo "ok: the SVG is well formed with the expected series" ||
import sys
import xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
panels = {g.get("data-scenario"): g for g in root.findall("s:g[@class='panel']", ns)}
assert sorted(panels) == ["fix_size_1page", "vzalloc"], sorted(panels)
want = {"fix_size_1page": {"Contig": 3, "Linux": 2}, "vzalloc": {"Contig": 2, "Linux": 1}}
for name, series in want.items():
    got = {p.get("data-series"): len(p.get("points").split())
           for p in panels[name].findall("s:polyline", ns)}
    assert got == series, (name, got)
# Higher throughput is drawn higher: Contig's T=2 point above its T=1 point.
pts = [tuple(map(float, p.split(","))) for p in
       panels["fix_size_1page"].find("s:polyline[@data-series='Contig']", ns).get("points").split()]
assert pts[1][1] < pts[0][1] and pts[0][0] < pts[1][0] < pts[2][0], pts
PY
	fail "the SVG is wrong"
[ -s "$work/scaling/scaling.txt" ] && echo "ok: scaling.txt written" || fail "no scaling.txt"

python3 "$E2E_TOP/scripts/bench-plot.py" "$work/empty" >/dev/null 2>&1
[ $? = 1 ] && echo "ok: a directory without runs is refused" || fail "an empty directory was accepted"
finish
