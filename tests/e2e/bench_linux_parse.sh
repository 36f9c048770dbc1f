#!/usr/bin/env bash
# make bench-linux's host side without the download or a boot: the parser
# turns a saved serial log of the Linux module into results.json, refuses a
# log whose module did not finish, packs an initramfs; and make bench's
# report prints the Linux column and Linux/Contig ratio from it, or says
# that there is no Linux run and prints no Linux number.
. "$(dirname "$0")/lib.sh"
parse=$E2E_TOP/scripts/bench-linux-parse.py
work=$(mktemp -d "$TMPDIR/bench-linux-parse.XXXXXX")
trap 'rm -rf "$work"' EXIT
E2E_LOG=$work/report.txt

# A Linux serial log as the module prints it: printk times, other lines between.
cat >"$work/linux.log" <<'EOF'
[    3.497487] contig_bench: loading out-of-tree module taints kernel.
[    3.5] {"bench":"linux_config","release":"6.12.117+deb12-amd64","threads":1,"reps":5,"cpus":1,"ram_pages":245000,"init_on_alloc":false}
[    7.241124] {"bench":"linux_scenario","name":"fix_size_1page","loops":100000,"reps":5,"threads":1,"ns_med":12000,"ns_min":11000,"ns_max":13000,"pages_per_op":1.000,"ns_page":12000,"ref_per_page":false}
random noise {"bench":"linux_scenario","name":"broken
[    9.1] {"bench":"linux_scenario","name":"vzalloc","loops":20,"reps":5,"threads":1,"ns_med":8192000,"ns_min":8000000,"ns_max":9000000,"pages_per_op":4096.000,"ns_page":2000,"ref_per_page":true}
[    9.2] {"bench":"linux_scenario","name":"fix_align_alloc","skipped":"__vmalloc_node_range not found"}
[    9.3] {"bench":"linux_done"}
load: /contig_bench.ko: Operation canceled
EOF
python3 "$parse" log "$work/linux.log" "$work/linux.json" version=6.12.117+deb12-amd64 load_before=0.5 \
	2>"$work/parse.err" && echo "ok: the log parses" || fail "the parser refused a good log"
grep -q 'bad JSON line skipped' "$work/parse.err" && echo "ok: the broken line is reported" ||
	fail "the broken line was not reported"
python3 - "$work/linux.json" <<'PY' && echo "ok: results.json holds the scenarios" || fail "results.json is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert [s["name"] for s in d["scenarios"]] == ["fix_size_1page", "vzalloc"], d["scenarios"]
assert d["scenarios"][1]["ns_page"] == 2000 and d["scenarios"][0]["ns_med"] == 12000
assert d["skipped"] == {"fix_align_alloc": "__vmalloc_node_range not found"}
assert d["done"] and d["config"]["version"] == "6.12.117+deb12-amd64"
assert d["config"]["init_on_alloc"] is False and d["config"]["load_before"] == "0.5"
assert d["date"].endswith("Z")
PY
grep -v linux_done "$work/linux.log" >"$work/cut.log"
python3 "$parse" log "$work/cut.log" "$work/cut.json" 2>/dev/null &&
	fail "a log without linux_done was accepted" || echo "ok: an unfinished run is refused"

mkdir -p "$work/root/bin" && echo '#!/bin/sh' >"$work/root/init" && chmod +x "$work/root/init"
echo data >"$work/root/bin/x"
python3 "$parse" cpio "$work/root" "$work/initrd" || fail "cpio failed"
python3 - "$work/initrd" <<'PY' && echo "ok: the initramfs lists bin, bin/x, init" || fail "bad cpio"
import sys
b, names, off = open(sys.argv[1], "rb").read(), [], 0
while True:
    assert b[off:off + 6] == b"070701", off
    size, nlen = int(b[off + 54:off + 62], 16), int(b[off + 94:off + 102], 16)
    name = b[off + 110:off + 110 + nlen - 1].decode()
    if name == "TRAILER!!!":
        break
    names.append(name)
    off = (off + 110 + nlen + 3) & ~3
    off = (off + size + 3) & ~3
assert sorted(names) == ["bin", "bin/x", "init"], names
assert len(b) % 512 == 0
PY

# make bench's report from a saved Contig log: 4000 ns against Linux's 12000 is 3.00.
mkdir -p "$work/bench/run"
ln -s run "$work/bench/latest"
cat >"$work/bench/run/serial.log" <<'EOF'
[    1.000000] {"bench":"config","tsc_khz":2100000,"tsc_source":"pit","reps":5,"ram_pages":261000,"lazy_max_pages":8192}
[    1.100000] {"bench":"floor","name":"pop_push","cyc":10.000,"ns":5.000}
[    1.200000] {"bench":"scenario","name":"fix_size_1page","loops":100000,"reps":5,"ns_med":4000,"ns_min":3900,"ns_max":4100,"cyc_med":8400,"pages_per_op":1.000,"ns_page":4000,"frees":500000,"flush_single":0,"flush_ranges":0,"flush_all":30,"purges":30,"pt_pages":0,"ref_per_page":false,"floor_ns":160.000,"floor_ratio":25.000}
[    1.300000] {"bench":"scenario","name":"vzalloc","loops":20,"reps":5,"ns_med":4096000,"ns_min":4000000,"ns_max":4200000,"cyc_med":8601600,"pages_per_op":4096.000,"ns_page":1000,"frees":100,"flush_single":0,"flush_ranges":0,"flush_all":12,"purges":12,"pt_pages":0,"ref_per_page":true,"floor_ns":3900000.000,"floor_ratio":1.050}
[    1.400000] {"bench":"done","failed":0,"ms":900}
EOF
BENCH_OUT=$work/bench BENCH_LINUX=$work/linux.json BENCH_REPLOT=1 "$E2E_TOP/scripts/run-bench.sh" \
	>"$E2E_LOG" 2>&1 || fail "the report failed"
expect_line '^Linux column: make bench-linux of 20[0-9-]+T[0-9:]+Z \(Linux 6\.12\.117\+deb12-amd64'
expect_line '^fix_size_1page +100000 +4000 .* 12000 +3\.00$'
expect_line '^vzalloc +20 .* 2000 +2\.00$'
expect_line 'fix_size_1page: target Linux/Contig >= 3\.0: met \(3\.00\)'
expect_line 'vzalloc: target Linux/Contig >= 1\.5: met \(2\.00\)'
expect_line 'vzalloc: target <= 1\.1 x its floor: met \(1\.05 x\)'
BENCH_OUT=$work/bench BENCH_LINUX=$work/none.json BENCH_REPLOT=1 "$E2E_TOP/scripts/run-bench.sh" \
	>"$E2E_LOG" 2>&1 || fail "the report without Linux failed"
expect_line '^no Linux run on this host: make bench-linux$'
expect_no_line 'Linux column|12000|Linux/Contig'
expect_line '^fix_size_1page +100000 +4000 .* - +-$'
finish
