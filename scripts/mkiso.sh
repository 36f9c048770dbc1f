#!/usr/bin/env bash
# Make a GRUB rescue ISO that boots ELF with the given kernel command line.
# Usage: mkiso.sh ELF ISO [CMDLINE]
set -euo pipefail
elf=${1:?usage: mkiso.sh ELF ISO [CMDLINE]}
iso=${2:?usage: mkiso.sh ELF ISO [CMDLINE]}
cmdline=${3:-}

dir=$(mktemp -d "${TMPDIR:-/tmp}/contig-iso.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/contig.elf"
sed "s|@CMDLINE@|$cmdline|" "$(dirname "$0")/../boot/grub.cfg" > "$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$iso" "$dir" >"$dir.log" 2>&1 || { cat "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
