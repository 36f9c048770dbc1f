#!/bin/bash
# Compare lib/rbtree.c with Linux's lib/rbtree.c on the host, in the loops of
# Linux's lib/rbtree_test.c (tests/host/rbtree_bench.c: 100 nodes inserted
# and erased, plain and augmented), both built with the same gcc -O2 and the
# library in its own translation unit. Prints the median time per loop and the
# instructions per loop (callgrind) of each, and Contig/Linux ratios.
#
# Linux's code is never committed: it comes at run time from Debian's
# linux-source package (apt-get download into the build directory; only
# lib/rbtree.c and include/linux/rbtree*.h are extracted), with the few kernel
# headers it includes shimmed here.
#
# Times: each binary reports the median of RUNS runs of LOOPS loops; the two
# binaries take turns ROUNDS times, so that a busy machine slows both alike,
# and the median of the rounds is printed. Instruction counts do not depend on
# the load and are the steadier comparison.
#
# Usage: scripts/rbtree-vs-linux.sh [LOOPS [RUNS [ROUNDS]]]   (default 5000 5 9)
# Environment: LINUX_SRC_PKG (default linux-source-6.12), CC (default gcc).
set -euo pipefail
# --help (first argument only: a later one may be a value): the comment above.
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac

cd "$(dirname "$0")/.."
LOOPS=${1:-5000}
RUNS=${2:-5}
ROUNDS=${3:-9}
PKG=${LINUX_SRC_PKG:-linux-source-6.12}
CC=${CC:-gcc}
B=build/rbtree-vs-linux
CFLAGS="-std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare"

die() {
	echo "rbtree-vs-linux: $*" >&2
	exit 1
}

fetch_linux() {
	local deb tarball
	mkdir -p "$B/linux"
	[ -f "$B/linux/lib/rbtree.c" ] && return
	deb=$(ls "$B"/"$PKG"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		echo "rbtree-vs-linux: apt-get download $PKG (about 150 MB, once)"
		(cd "$B" && apt-get download "$PKG" >/dev/null) || die "apt-get download $PKG failed"
		deb=$(ls "$B"/"$PKG"_*.deb | head -n 1)
	fi
	tarball=./usr/src/$PKG.tar.xz
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" |
		tar -xJ -C "$B/linux" --strip-components=1 "$PKG/lib/rbtree.c" \
			"$PKG/include/linux/rbtree.h" "$PKG/include/linux/rbtree_augmented.h" \
			"$PKG/include/linux/rbtree_types.h" || die "cannot extract rbtree from $deb"
}

# The kernel headers Linux's rbtree includes, reduced to what it uses.
write_shims() {
	local s=$B/shim/linux
	mkdir -p "$s"
	cat >"$s/compiler.h" <<'H'
#pragma once
#include <stdbool.h>
#include <stddef.h>
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
H
	cat >"$s/container_of.h" <<'H'
#pragma once
#include <stddef.h>
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
H
	cat >"$s/stddef.h" <<'H'
#pragma once
#include <stddef.h>
#include <stdbool.h>
H
	cat >"$s/rcupdate.h" <<'H'
#pragma once
#include <linux/compiler.h>
#define rcu_assign_pointer(p, v) WRITE_ONCE(p, v)
#define rcu_dereference_raw(p) READ_ONCE(p)
H
	cat >"$s/export.h" <<'H'
#pragma once
#define EXPORT_SYMBOL(s)
H
}

build() {
	local li="-I$B/shim -I$B/linux/include" ci="-Iinclude -Iarch/x86/include"
	$CC $CFLAGS $li -c "$B/linux/lib/rbtree.c" -o "$B/linux_rbtree.o"
	$CC $CFLAGS $li -DBENCH_LINUX -c tests/host/rbtree_bench.c -o "$B/linux_bench.o"
	$CC -o "$B/bench-linux" "$B/linux_bench.o" "$B/linux_rbtree.o"
	$CC $CFLAGS $ci -c lib/rbtree.c -o "$B/contig_rbtree.o"
	$CC $CFLAGS $ci -c tests/host/rbtree_bench.c -o "$B/contig_bench.o"
	$CC -o "$B/bench-contig" "$B/contig_bench.o" "$B/contig_rbtree.o"
}

# Instructions per loop inside bench_MODE(), from callgrind.
instructions() {
	local bin=$1 mode=$2 loops=1000 out
	out=$B/callgrind.$(basename "$bin").$mode
	valgrind --tool=callgrind --collect-atstart=no --toggle-collect="bench_$mode" \
		--callgrind-out-file="$out" "$bin" "$mode" "$loops" 1 >/dev/null 2>&1 ||
		die "valgrind failed on $bin $mode"
	awk -v loops=$loops '/^(summary|totals):/ { print int($2 / loops); exit }' "$out"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Median over ROUNDS turns of "contig linux" for @mode: prints "ct lt".
timed() {
	local mode=$1 r
	for r in $(seq "$ROUNDS"); do
		echo "$("$B/bench-contig" "$mode" "$LOOPS" "$RUNS") $("$B/bench-linux" "$mode" "$LOOPS" "$RUNS")"
	done >"$B/times.$mode"
	echo "$(cut -d' ' -f1 "$B/times.$mode" | median) $(cut -d' ' -f2 "$B/times.$mode" | median)"
}

command -v valgrind >/dev/null || die "valgrind is needed for instruction counts"
fetch_linux
write_shims
build

printf '%-10s %12s %12s %7s %14s %14s %7s\n' mode "contig ns" "linux ns" ratio \
	"contig instr" "linux instr" ratio
for mode in plain augmented; do
	read -r ct lt < <(timed $mode)
	ci=$(instructions "$B/bench-contig" $mode)
	lin=$(instructions "$B/bench-linux" $mode)
	printf '%-10s %12s %12s %6.2fx %14s %14s %6.2fx\n' $mode "$ct" "$lt" \
		"$(echo "$ct / $lt" | bc -l)" "$ci" "$lin" "$(echo "$ci / $lin" | bc -l)"
done
