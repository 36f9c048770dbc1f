#!/usr/bin/env bash
# The floors of the tree (docs/architecture.md), checked on every #include:
#
#   4 tests/kernel      may include everything
#   3 debug/            the tools: lib, kernel, mm, asm, debug
#   2 init/             the boot order: floors 0-1 and debug/ (to start the tools)
#   1 arch/ kernel/ mm/ the kernel: lib, kernel, mm, asm (and arch/ internals)
#   0 lib/              lib and the kernel/ basics (types, errno, printk, panic)
#
# Headers belong to the floor of their source (include/mm/ is mm's). An
# include with no directory ("internal.h") is a sibling and always allowed.
# Fails, naming each line, when an include points up a floor. Run by make check.
set -uo pipefail
# --help (first argument only: a later one may be a value): the comment above.
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

# allowed DIR...: the include prefixes the files under DIR... may use.
check() {
	local allowed=$1 f line inc
	shift
	while IFS= read -r f; do
		while IFS= read -r line; do
			inc=${line#*:}
			inc=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]*)[>"].*/\1/' <<<"$inc")
			[[ $inc == */* ]] || continue
			[[ " $allowed " == *" ${inc%%/*} "* ]] && continue
			echo "check-layers: $f:${line%%:*}: includes $inc (this floor may use: $allowed)"
			bad=1
		done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f")
	done < <(find "$@" -name '*.[ch]' 2>/dev/null | sort)
}

bad=0
check "lib kernel" lib include/lib
check "lib kernel mm asm arch" arch kernel mm include/kernel include/mm
check "lib kernel mm asm debug" init debug include/debug
[ $bad = 0 ] || exit 1
echo "check-layers: every include points down a floor"
