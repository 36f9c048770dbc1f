#!/usr/bin/env bash
# make bench-linux: the scenarios of `make bench` timed on Debian 12's Linux
# 6.12 in the same QEMU configuration, for the Linux column of `make bench`.
#
# It picks the newest 6.12.*+deb12 version for which apt knows all four
# packages (linux-image-V-amd64-unsigned, linux-headers-V-amd64,
# linux-headers-V-common, linux-kbuild-V), fetches them with `apt-get
# download` into build/bench-linux/debs/ (about 125 MB, once; nothing is
# installed), unpacks them with dpkg-deb -x, builds our module
# scripts/linux-bench/contig_bench.c against those headers, packs it with a
# static busybox into an initramfs whose /init loads the module (which runs
# the scenarios, prints one JSON line each and refuses to stay loaded) and
# powers off, boots that, and parses the lines into
# build/bench-linux/<timestamp>/results.json; build/bench-linux/latest points
# at the newest run.
#
# Usage: bench-linux.sh [--help] [SPEC]
#   SPEC   all (default) or scenario names separated by commas (no globs)
# Environment:
#   BENCH_CPU      host CPU to pin QEMU to (default: the last one, as make bench)
#   BENCH_SMP      vCPUs (default 1); with N > 1 each scenario runs on N kthreads
#                  (module parameter threads=N) and QEMU is not pinned unless
#                  BENCH_CPU names a CPU list
#   BENCH_TIMEOUT  hang detector in seconds (default 900)
#   BENCH_LINUX_VERSION  use this version (e.g. 6.12.117+deb12) instead of the newest
set -uo pipefail
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
spec=${1:-all}
[ -n "$spec" ] || spec=all
if [[ ! $spec =~ ^[a-z0-9_,]+$ ]]; then
	echo "bench-linux: bad SPEC '$spec': scenario names separated by commas" >&2
	exit 2
fi
base=$top/build/bench-linux
debs=$base/debs
timeout=${BENCH_TIMEOUT:-900}
smp=${BENCH_SMP:-1}
if [[ ! $smp =~ ^[0-9]+$ ]] || [ "$smp" -lt 1 ] || [ "$smp" -gt 16 ]; then
	echo "bench-linux: bad BENCH_SMP '$smp': 1..16" >&2
	exit 2
fi
last_allowed_cpu() {
	sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | tr ',' '\n' | tail -1 | sed 's/.*-//'
}
if [ "$smp" -gt 1 ]; then cpu=${BENCH_CPU:-none}; else cpu=${BENCH_CPU:-$(last_allowed_cpu)}; fi
die() { echo "bench-linux: $*" >&2; exit 1; }
for tool in apt-cache apt-get dpkg-deb qemu-system-x86_64 python3 make gcc-12; do
	command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh)"
done

# The four packages of version $1.
packages_of() {
	echo "linux-image-$1-amd64-unsigned linux-headers-$1-amd64 linux-headers-$1-common linux-kbuild-$1"
}

# Does apt have a candidate for every package named?
all_known() {
	local p
	for p in "$@"; do
		apt-cache show --no-all-versions "$p" >/dev/null 2>&1 || return 1
	done
}

pick_version() {
	local v
	for v in $(apt-cache pkgnames linux-image-6.12. |
		sed -nE 's/^linux-image-(6\.12\.[0-9]+\+deb12)-amd64-unsigned$/\1/p' | sort -rV); do
		# shellcheck disable=SC2046
		all_known $(packages_of "$v") && { echo "$v"; return 0; }
	done
	return 1
}

version=${BENCH_LINUX_VERSION:-}
if [ -z "$version" ]; then
	version=$(pick_version) ||
		die "apt knows no 6.12.*+deb12 version with all of $(packages_of 'V') (apt-get update?)"
fi
kver=$version-amd64
echo "bench-linux: Linux $kver (packages: $(packages_of "$version"))"

# Fetch what is missing or damaged (a sound .deb in debs/ is kept: the version names it).
mkdir -p "$debs" || exit 1
. "$here/linux-bench/debs.sh"
# shellcheck disable=SC2046
fetch $(packages_of "$version")

# Unpack once per version into build/bench-linux/linux-VERSION/.
root=$base/linux-$version
if [ ! -e "$root/.unpacked" ]; then
	rm -rf "$root" && mkdir -p "$root" || exit 1
	for p in $(packages_of "$version"); do
		dpkg-deb -x "$(ls "$debs/${p}_"*.deb | head -1)" "$root" || die "dpkg-deb -x $p failed"
	done
	# The headers' Makefile includes the common part by its installed path.
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$root/usr/src/linux-headers-$kver/Makefile" ||
		exit 1
	touch "$root/.unpacked"
fi
kernel=$root/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "no $kernel in linux-image-$version-amd64-unsigned"

# Our module, built in a copy of its sources (kbuild writes beside them).
# BTF for modules is off: it needs pahole, and nothing here reads BTF.
mod=$base/module-$version
mkdir -p "$mod" && cp "$here"/linux-bench/Kbuild "$here"/linux-bench/contig_bench.c "$mod"/ || exit 1
make -s -C "$root/usr/src/linux-headers-$kver" M="$mod" CONFIG_DEBUG_INFO_BTF_MODULES= modules \
	>"$mod/build.log" 2>&1 || { cat "$mod/build.log" >&2; die "the module did not build"; }

# A static busybox: the installed one (busybox-static), else its .deb unpacked.
busybox=/bin/busybox
if [ "$(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null)" != "install ok installed" ]; then
	fetch busybox-static
	mkdir -p "$base/busybox" && dpkg-deb -x "$(ls "$debs"/busybox-static_*.deb | head -1)" "$base/busybox" ||
		die "no static busybox"
	busybox=$base/busybox/bin/busybox
fi

out=$base/$(date +%Y%m%d-%H%M%S)
[ ! -e "$out" ] || out=$out-$$
mkdir -p "$out/initramfs/bin" "$out/initramfs/proc" "$out/initramfs/sys" "$out/initramfs/dev" || exit 1
cp "$busybox" "$out/initramfs/bin/busybox" && cp "$mod/contig_bench.ko" "$out/initramfs/" || exit 1
gcc -static -O2 -o "$out/initramfs/bin/load" "$here/linux-bench/load.c" || die "the loader did not build"
only=""
[ "$spec" = all ] || only="only=$spec"
# The scenario lines are KERN_INFO: raise the console level after the quiet boot.
# The CPU bug mitigations in force, and (after the run: the refined
# calibration comes a second after boot) the kernel's TSC calibration and
# clocksource, are echoed from /init: the quiet boot does not show them.
cat >"$out/initramfs/init" <<EOF
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo 8 >/proc/sys/kernel/printk
for f in /sys/devices/system/cpu/vulnerabilities/*; do
	echo "bench-linux: vulnerability \${f##*/}: \$(/bin/busybox cat \$f)"
done
echo "bench-linux: loading contig_bench.ko threads=$smp $only"
/bin/load /contig_bench.ko threads=$smp $only
/bin/busybox dmesg | /bin/busybox grep -E 'tsc: |clocksource' | /bin/busybox sed 's/^/bench-linux: dmesg: /'
/bin/busybox poweroff -f
EOF
chmod +x "$out/initramfs/init"
python3 "$here/bench-linux-parse.py" cpio "$out/initramfs" "$out/initramfs.cpio" || exit 1

pin=()
if [ "$cpu" != none ] && command -v taskset >/dev/null; then pin=(taskset -c "$cpu"); fi
# An oops panics and the panic exits QEMU at once (-no-reboot): no hang until the timeout.
cmdline="console=ttyS0 init_on_alloc=0 oops=panic panic=-1 quiet"
# A loaded host makes the vCPU lose whole time slices: say so beside the numbers.
check_load() {
	local load
	read -r load _ </proc/loadavg
	if awk -v l="$load" -v c="$(nproc)" 'BEGIN { exit !(l > c) }'; then
		echo "bench-linux: WARNING: host load average $load is above its $(nproc) cores:" \
			"expect slow, noisy numbers"
	fi
}
read -r load0 _ </proc/loadavg
qemu_version=$(qemu-system-x86_64 --version | head -1)
echo "bench-linux: QEMU TCG, -cpu qemu64 -smp $smp -m 1G${pin:+, pinned to host CPU $cpu}, load $load0; output in $out"
check_load
start=$(date +%s)
"${pin[@]}" timeout -k 5 "$timeout" qemu-system-x86_64 -machine pc -cpu qemu64 -m 1G -smp "$smp" \
	-display none -serial stdio -no-reboot -kernel "$kernel" -initrd "$out/initramfs.cpio" \
	-append "$cmdline" </dev/null 2>&1 | sed -u 's/\r$//' | tee "$out/serial.log" |
	grep --line-buffered -E 'bench-linux|contig_bench|^load: |"bench":"linux_scenario"|Oops|BUG|RIP:|Kernel panic'
status=${PIPESTATUS[0]}
secs=$(($(date +%s) - start))
read -r load1 _ </proc/loadavg
echo "bench-linux: QEMU ran $secs s, exit status $status, load $load0 -> $load1"
check_load
python3 "$here/bench-linux-parse.py" log "$out/serial.log" "$out/results.json" \
	version="$kver" cmdline="$cmdline" smp="$smp" cpu="$cpu" seconds="$secs" \
	load_before="$load0" load_after="$load1" host_cores="$(nproc)" hostname="$(hostname)" \
	qemu="$qemu_version" status="$status" timeout="$timeout" ||
	die "no results (serial log: $out/serial.log)"
ln -sfn "$(basename "$out")" "$base/latest"
echo "bench-linux: $out/results.json (build/bench-linux/latest); make bench now shows this Linux column"
