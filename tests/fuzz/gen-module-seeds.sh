#!/usr/bin/env bash
# Write the module fuzz target's seeds: the test modules of the module_load
# self-tests (tests/kernel/modules/*.c, built by make with the kernel's
# flags), debug sections stripped so that the fuzzer spends its time on
# what the loader reads.
#
# Usage: gen-module-seeds.sh [DIR]   (default: corpus/module next to it)
# The files are in the tree; rerun this only to change them (from the top
# of the tree, after `make`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
dir=${1:-$here/corpus/module}
mkdir -p "$dir"
make -s -C "$top" $(cd "$top" && ls tests/kernel/modules/*.c | sed 's|^|build/|; s|\.c$|.ko|')
for ko in "$top"/build/tests/kernel/modules/*.ko; do
	objcopy --strip-debug "$ko" "$dir/$(basename "$ko" .ko)"
done
ls -l "$dir"
