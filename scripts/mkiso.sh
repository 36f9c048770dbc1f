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
#
# Modules: $CONTIG_MODULES (make's MODULES=) is "all" or NAME,NAME...; each
# MODULES_DIR/NAME.ko (default: modules/ beside ELF) goes into the ISO as
# /boot/modules/NAME.ko and grub.cfg loads it with `module2 ... NAME`, the
# kernel keeping the image under that name. Empty: no module.
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

# module_names: the names $CONTIG_MODULES picks, one a line, checked.
module_names() {
	local list=${CONTIG_MODULES:-} name
	[ -n "$list" ] || return 0
	if [ "$list" = all ]; then
		for name in "$moddir"/*.ko; do
			[ -e "$name" ] || { echo "mkiso.sh: MODULES=all but no module in $moddir" >&2; return 1; }
			basename "$name" .ko
		done
		return 0
	fi
	tr ',' '\n' <<<"$list" | while IFS= read -r name; do
		[ -n "$name" ] || continue
		if ! [[ $name =~ ^[A-Za-z0-9_]+$ ]]; then
			echo "mkiso.sh: module name '$name' (in MODULES=$list): only letters, digits and _" >&2
			return 1
		fi
		[ -r "$moddir/$name.ko" ] || { echo "mkiso.sh: no module $moddir/$name.ko (MODULES=$list)" >&2; return 1; }
		echo "$name"
	done
}
moddir=${MODULES_DIR:-$(dirname "$elf")/modules}
names=$(module_names) || exit 1
lines=""
if [ -n "$names" ]; then
	mkdir -p "$dir/boot/modules"
	while IFS= read -r name; do
		cp "$moddir/$name.ko" "$dir/boot/modules/"
		lines+=$'\t'"module2 /boot/modules/$name.ko $name"$'\n'
	done <<<"$names"
fi
n=$(grep -o @MODULES@ <<<"$template" | wc -l)
[ "$n" = 1 ] || { echo "mkiso.sh: boot/grub.cfg must hold @MODULES@ once, not $n times" >&2; exit 1; }
before=${template%%@MODULES@*}
after=${template#*@MODULES@}
# The marker sits alone on its line: drop that line's indent and newline.
before=${before%$'\t'}
after=${after#$'\n'}
template=$before$lines$after
# The command line last: it may hold anything, a marker's text included.
word=""
[ -z "$cmdline" ] || word=$(grub_word "$cmdline")
printf '%s%s%s\n' "${template%%@CMDLINE@*}" "$word" "${template#*@CMDLINE@}" >"$dir/boot/grub/grub.cfg"

grub-mkrescue -o "$iso" "$dir" >"$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
