#!/usr/bin/env bash
# Install the Debian 12 packages Contig needs, if any are missing.
# Uses sudo when not root. Quiet when everything is there already.
set -euo pipefail

# command or file -> package
declare -A need=(
	[gcc]=gcc [make]=make [nasm]=nasm [ld]=binutils [gdb]=gdb
	[grub-mkrescue]=grub-common [xorriso]=xorriso [mformat]=mtools
	[qemu-system-x86_64]=qemu-system-x86 [/usr/bin/python3]=python3
	[/usr/lib/grub/i386-pc/modinfo.sh]=grub-pc-bin
	[/usr/include/cmocka.h]=libcmocka-dev
	[gnuplot]=gnuplot-nox [bc]=bc
)

missing=()
for what in "${!need[@]}"; do
	if [[ $what == /* ]]; then
		[ -e "$what" ] || missing+=("${need[$what]}")
	else
		command -v "$what" >/dev/null 2>&1 || missing+=("${need[$what]}")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
