#!/usr/bin/env bash
# The tools in debug/ (test runner, console, benchmarks) are a floor above
# the kernel: they may use everything, and nothing in arch/, mm/, lib/ or
# kernel/ may include their headers (DESIGN.md). Fails, naming each line,
# when one does. Run by make check.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
bad=$(grep -rnE --include='*.[ch]' '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]debug/' arch mm lib kernel)
if [ -n "$bad" ]; then
	echo "check-layers: arch/, mm/, lib/ and kernel/ must not include debug/ headers:"
	echo "$bad"
	exit 1
fi
echo "check-layers: no debug/ header included below debug/"
