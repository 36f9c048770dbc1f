#!/usr/bin/env bash
# Install every Debian 12 package that any make target needs, if missing.
# This is the project's only list of packages: CI runs `make deps` and then
# `make test` and installs nothing of its own, so a package missing here
# fails CI instead of failing the next new user.
# Uses sudo when not root. Quiet when everything is there already.
#
# Usage: install-deps.sh [--list] [--help]
set -euo pipefail

# package          what needs it
packages=(
	gcc              # the kernel and the host tests
	libc6-dev        # the host tests' libc headers (gcc only recommends it); libc.a for bench-linux's loader
	make
	git              # make check (git ls-files), soak-test.sh
	xz-utils         # kunit-parse.sh unpacks the kunit parser from a .tar.xz
	nasm             # boot/*.asm, arch/x86/kernel/isr.asm
	binutils         # ld, nm, objdump (kallsyms, contig.asm)
	bc               # test and bench scripts' arithmetic
	gdb              # make debug, tests/e2e/gdb.sh
	grub-common      # grub-mkrescue, grub-file (multiboot2 check at link time)
	grub-pc-bin      # the ISO boots under BIOS
	grub-efi-amd64-bin # the same ISO boots under UEFI
	xorriso          # grub-mkrescue writes the ISO with it
	mtools           # grub-mkrescue builds the EFI system partition with it
	qemu-system-x86  # make run/test/bench/debug
	ovmf             # UEFI firmware for make run FIRMWARE=uefi and the UEFI tests
	libcmocka-dev    # tests/host
	clang            # tests/fuzz: the libFuzzer targets (make fuzz, make test)
	libclang-rt-14-dev # libFuzzer and the ASan/UBSan runtimes for Debian 12's clang 14 (clang does not pull it in)
	python3          # e2e drivers, gdb helpers checks
	python3-pexpect  # tests/e2e/console_test.py drives the console through a pty
	procps           # slabtop/free/vmstat read our /proc formats in the e2e test
	clang-format     # make check
	gnuplot-nox      # make bench pictures
	gcc-12           # make bench-linux: Debian's kbuild calls x86_64-linux-gnu-gcc-12 by that name
	# make bench-linux also uses busybox-static (the initramfs's shell) when installed, and
	# otherwise fetches its .deb with the kernel's (apt-get download, nothing installed); it
	# writes the cpio archive itself (scripts/bench-linux-parse.py), so no cpio either.
)

case ${1:-} in
--list) printf '%s\n' "${packages[@]}"; exit 0 ;;
--help|-h)
	sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
	exit 0 ;;
"") ;;
*) echo "install-deps.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null; then
	echo "install-deps: not a Debian system; install these yourself: ${packages[*]}" >&2
	exit 0
fi
missing=()
for p in "${packages[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2; exit 1; }
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp "${TMPDIR:-/tmp}/contig-deps.XXXXXX.log")
if $sudo apt-get update -qq >"$log" 2>&1 &&
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
	echo "install-deps: done (${#missing[@]} packages)"
	rm -f "$log"
else
	cat "$log" >&2
	echo "install-deps: apt-get failed; the packages above are still missing" >&2
	rm -f "$log"
	exit 1
fi
