#!/usr/bin/env bash
# make bench-linux's host side without the download or a boot: the parser
# turns a saved serial log of the Linux module into results.json, refuses a
# log whose module did not finish, packs an initramfs; and make bench's
# report prints the Linux column and Linux/Contig ratio from it, or says
# that there is no Linux run and prints no Linux number; it gives the align
# goal its verdict, names a scenario without a Linux figure, and warns when
# the Linux column is from another sitting or its TSC calibration disagrees.
# The parser names a timeout and shows an oops; the package cache throws a
# truncated .deb away.
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
[    9.25] {"bench":"linux_scenario","name":"big_alloc","error":-12}
[    9.3] {"bench":"linux_done"}
bench-linux: dmesg: [    0.000000] tsc: Fast TSC calibration using PIT
bench-linux: dmesg: [    0.000000] tsc: Detected 2090.000 MHz processor
bench-linux: dmesg: [    2.100000] tsc: Refined TSC clocksource calibration: 2095.999 MHz
bench-linux: dmesg: [    2.200000] clocksource: Switched to clocksource tsc
bench-linux: vulnerability spectre_v2: Mitigation: Retpolines; STIBP: disabled
bench-linux: vulnerability meltdown: Not affected
load: /contig_bench.ko: Operation canceled
EOF
python3 "$parse" log "$work/linux.log" "$work/linux.json" version=6.12.117+deb12-amd64 load_before=0.5 \
	load_after=0.7 host_cores=2 cpu=1 hostname=benchhost "qemu=QEMU emulator version 7.2.0" \
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
assert d["errors"] == {"big_alloc": -12}
assert d["config"]["tsc_mhz"] == 2095.999 and d["config"]["clocksource"] == "tsc"
assert d["config"]["vulnerabilities"]["meltdown"] == "Not affected"
assert d["config"]["vulnerabilities"]["spectre_v2"].startswith("Mitigation: Retpolines")
assert d["oops"] == []
PY
# A Linux that oopsed, and one that hung until timeout killed QEMU.
cat >"$work/oops.log" <<'EOF'
[    5.1] BUG: kernel NULL pointer dereference, address: 0000000000000008
[    5.2] Oops: Oops: 0002 [#1] PREEMPT SMP NOPTI
[    5.3] RIP: 0010:vfree+0x12/0x40
[    5.4] Kernel panic - not syncing: Fatal exception
EOF
python3 "$parse" log "$work/oops.log" "$work/oops.json" status=124 timeout=900 2>"$work/oops.err" &&
	fail "an oopsed run was accepted"
E2E_LOG=$work/oops.err
expect_line '^bench-linux: QEMU killed after 900 s \(BENCH_TIMEOUT\)'
expect_line '^bench-linux: log: .*BUG: kernel NULL pointer dereference'
expect_line '^bench-linux: log: .*Oops: 0002'
expect_line '^bench-linux: log: .*RIP: 0010:vfree'
E2E_LOG=$work/report.txt
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
[    1.310000] {"bench":"scenario","name":"fix_align_alloc","loops":1000,"reps":5,"ns_med":5000,"ns_min":4900,"ns_max":5100,"cyc_med":10500,"pages_per_op":1.000,"ns_page":5000,"frees":5000,"flush_single":0,"flush_ranges":0,"flush_all":1,"purges":1,"pt_pages":0,"ref_per_page":false,"floor_ns":160.000,"floor_ratio":31.250}
[    1.320000] {"bench":"scenario","name":"big_alloc","loops":10,"reps":5,"ns_med":5000,"ns_min":4900,"ns_max":5100,"cyc_med":10500,"pages_per_op":1.000,"ns_page":5000,"frees":50,"flush_single":0,"flush_ranges":0,"flush_all":1,"purges":1,"pt_pages":0,"ref_per_page":true,"floor_ns":4000.000,"floor_ratio":1.250}
[    1.330000] {"bench":"scenario","name":"long_busy_list_alloc","loops":10,"reps":5,"ns_med":5000,"ns_min":4900,"ns_max":5100,"cyc_med":10500,"pages_per_op":1.000,"ns_page":5000,"frees":50,"flush_single":0,"flush_ranges":0,"flush_all":1,"purges":1,"pt_pages":0,"ref_per_page":false,"floor_ns":160.000,"floor_ratio":31.250}
[    1.350000] {"bench":"align","holes":100000,"plain_ns":1000,"aligned_ns":3000,"plain_visits":20,"aligned_visits":40,"ratio":3.000}
[    1.400000] {"bench":"done","failed":0,"ms":900}
EOF
# This sitting: the same host, CPU and QEMU as the Linux run, now.
printf 'date=%s\ncpu=1\nhostname=benchhost\nqemu=QEMU emulator version 7.2.0\n' "$(date +%s)" \
	>"$work/bench/run/run.env"
BENCH_OUT=$work/bench BENCH_LINUX=$work/linux.json BENCH_REPLOT=1 "$E2E_TOP/scripts/run-bench.sh" \
	>"$E2E_LOG" 2>&1 || fail "the report failed"
expect_line '^Linux column: make bench-linux of 20[0-9-]+T[0-9:]+Z \(Linux 6\.12\.117\+deb12-amd64'
expect_line '^fix_size_1page +100000 +4000 .* 12000 +3\.00$'
expect_line '^vzalloc +20 .* 2000 +2\.00$'
expect_line 'fix_size_1page: target Linux/Contig >= 3\.0: met \(3\.00\)'
expect_line 'vzalloc: target Linux/Contig >= 1\.5: met \(2\.00\)'
expect_line 'vzalloc: target <= 1\.1 x its floor: met \(1\.05 x\)'
expect_line '^  align: target aligned <= 2 x unaligned among 100000 holes: missed by 1\.50x \(3\.00: 3000 against 1000 ns\)$'
expect_line '^  fix_align_alloc: no Linux figure \(skipped\)$'
expect_line '^  big_alloc: no Linux figure \(error\)$'
expect_line '^  long_busy_list_alloc: no Linux figure \(not run\)$'
expect_line '^Linux run: big_alloc failed \(-12\)$'
expect_line '^Linux run: fix_align_alloc skipped: __vmalloc_node_range not found$'
expect_no_line 'WARNING'
# Another sitting: 2 h older, another CPU, host and QEMU, a loaded host, a TSC 5% off.
python3 - "$work/linux.json" "$work/other.json" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
d["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 7200))
d["config"].update(cpu="0", hostname="otherhost", qemu="QEMU emulator version 8.0.0",
                   load_after="3.5", tsc_mhz=2205.0)
json.dump(d, open(sys.argv[2], "w"))
PY
BENCH_OUT=$work/bench BENCH_LINUX=$work/other.json BENCH_REPLOT=1 "$E2E_TOP/scripts/run-bench.sh" \
	>"$E2E_LOG" 2>&1 || fail "the report against another sitting failed"
expect_line '^WARNING: the Linux column is 2\.0 h older than this run: another sitting$'
expect_line '^WARNING: Linux was pinned to host CPU 0, this run 1$'
expect_line '^WARNING: Linux was host otherhost, this run benchhost$'
expect_line '^WARNING: Linux was QEMU QEMU emulator version 8\.0\.0, this run QEMU emulator version 7\.2\.0$'
expect_line '^WARNING: Linux ran with host load 3\.5 \(load_after\) above its 2 cores'
expect_line '^WARNING: Linux calibrated the TSC at 2205\.000 MHz, Contig at 2100\.000 MHz'
expect_no_line 'load 0\.5 .*above'
BENCH_OUT=$work/bench BENCH_LINUX=$work/none.json BENCH_REPLOT=1 "$E2E_TOP/scripts/run-bench.sh" \
	>"$E2E_LOG" 2>&1 || fail "the report without Linux failed"
expect_line '^no Linux run on this host: make bench-linux$'
expect_no_line 'Linux column|12000|Linux/Contig'
expect_line '^fix_size_1page +100000 +4000 .* - +-$'
expect_no_line 'no Linux figure'

# The package cache: a truncated .deb is replaced, a bad download is refused by name.
mkdir -p "$work/fake/bin" "$work/pkg/DEBIAN" "$work/debs"
printf 'Package: tiny\nVersion: 1\nArchitecture: all\nMaintainer: x <x@x>\nDescription: t\n' \
	>"$work/pkg/DEBIAN/control"
dpkg-deb -b "$work/pkg" "$work/good.deb" >/dev/null 2>&1 || fail "dpkg-deb -b failed"
# apt-get download, faked: copies FAKE_DEB as PACKAGE_1_all.deb into the current directory.
cat >"$work/fake/bin/apt-get" <<'SH'
#!/bin/sh
cp "$FAKE_DEB" "./${3}_1_all.deb"
SH
chmod +x "$work/fake/bin/apt-get"
head -c 100 "$work/good.deb" >"$work/debs/tiny_1_all.deb"
(
	debs=$work/debs
	die() { echo "die: $*"; exit 1; }
	. "$E2E_TOP/scripts/linux-bench/debs.sh"
	PATH=$work/fake/bin:$PATH FAKE_DEB=$work/good.deb fetch tiny
	deb_ok "$debs/tiny_1_all.deb" && echo "ok: the truncated .deb was downloaded again"
	head -c 100 "$work/good.deb" >"$work/bad.deb"
	PATH=$work/fake/bin:$PATH FAKE_DEB=$work/bad.deb fetch other
) >"$work/debs.txt" 2>&1
E2E_LOG=$work/debs.txt
expect_line "tiny_1_all\.deb is not a valid \.deb \(truncated\?\): removed, downloading again"
expect_line '^ok: the truncated .deb was downloaded again$'
expect_line "^die: apt-get download other gave an invalid \.deb: .*/debs/other_1_all\.deb \(removed"
[ ! -e "$work/debs/other_1_all.deb" ] && echo "ok: the bad download is gone" ||
	fail "the bad download was kept"
finish
