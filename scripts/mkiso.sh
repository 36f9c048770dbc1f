#!/usr/bin/env bash
# Make a GRUB rescue ISO that boots ELF with the given kernel command line.
# The ISO boots under BIOS (SeaBIOS) and UEFI (OVMF) alike.
# Usage: mkiso.sh ELF ISO [CMDLINE]
#
# The command line reaches the kernel byte for byte: it goes into grub.cfg as
# one single-quoted GRUB word (inside single quotes GRUB takes every
# character literally, so $, ;, #, &, |, \, " and tabs need nothing; a single
# quote is written as '\'' : close, an escaped quote, reopen). GRUB then
# quotes the word again for the kernel (a backslash before \ ' ", double
# quotes when it holds a space) and the kernel undoes that.
set -euo pipefail
# --help (first argument only: a later one may be a value): the comment above.
case ${1:-} in -h | --help) sed -n '2,/^set -/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
elf=${1:?usage: mkiso.sh ELF ISO [CMDLINE]}
iso=${2:?usage: mkiso.sh ELF ISO [CMDLINE]}
cmdline=${3:-}

if [[ $cmdline == *$'\n'* || $cmdline == *$'\r'* ]]; then
	echo "mkiso.sh: the command line holds a line break; GRUB would end the command there" >&2
	exit 1
fi

# grub_word STRING: STRING as one single-quoted GRUB word.
grub_word() {
	local q="'\\''"
	printf "'%s'" "${1//\'/$q}"
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/contig-iso.XXXXXX")
trap 'rm -rf "$dir" "$dir.log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/contig.elf"

template=$(cat "$(dirname "$0")/../boot/grub.cfg")
n=$(grep -o @CMDLINE@ <<<"$template" | wc -l)
[ "$n" = 1 ] || { echo "mkiso.sh: boot/grub.cfg must hold @CMDLINE@ once, not $n times" >&2; exit 1; }
word=""
[ -z "$cmdline" ] || word=$(grub_word "$cmdline")
printf '%s%s%s\n' "${template%%@CMDLINE@*}" "$word" "${template#*@CMDLINE@}" >"$dir/boot/grub/grub.cfg"

grub-mkrescue -o "$iso" "$dir" >"$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
