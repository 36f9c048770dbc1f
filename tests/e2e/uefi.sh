#!/usr/bin/env bash
# The same ISO under UEFI (OVMF): the kernel reads the EFI system table and
# memory map tags GRUB passes, prints them, finds them consistent with the
# multiboot2 map, skips the VGA text screen (GRUB left a graphics mode) and
# powers off. Prints the boot time (information, not a check).
. "$(dirname "$0")/lib.sh"
export CONTIG_FIRMWARE=uefi
start=$(date +%s.%N)
boot 512M "poweroff" 180
echo "UEFI boot to poweroff: $(echo "$(date +%s.%N) - $start" | bc) s (ISO build included)"
expect_status 0
expect_line '^boot: loaded by GRUB .*, command line "poweroff"$'
expect_line '^efi: EFI64 system table at 0x[0-9a-f]+ \(Runtime Services Data\)$'
expect_line '^efi: memory map: [0-9]+ descriptors of [0-9]+ bytes \(version 1\)$'
expect_line '^efi: \[mem 0x0{16}-0x[0-9a-f]{16}\] '
expect_line '^efi: \[mem 0x[0-9a-f]{16}-0x[0-9a-f]{16}\] Conventional Memory +[A-Z|]*WB'
expect_line '^efi: \[mem 0x[0-9a-f]{16}-0x[0-9a-f]{16}\] Runtime Services (Code|Data) +RUNTIME\|'
expect_line '^efi: \[mem 0x[0-9a-f]{16}-0x[0-9a-f]{16}\] ACPI (Reclaim Memory|Memory NVS) '
expect_line '^efi: cross-check with the multiboot2 map: 0 firmware ranges were usable there \(now reserved\), 0 KiB usable only in the EFI map$'
expect_no_line '^multiboot2: '
expect_line '^vga: the boot loader left a [0-9]+x[0-9]+x[0-9]+ RGB framebuffer at 0x[0-9a-f]+, no text screen'
expect_no_line 'phys=0x00000000000b8000 ioremap'
expect_line '^poweroff: powering off$'

# The EFI map's runs tile the address ranges they cover without overlap.
prev_end=0
bad=0
while read -r s e; do
	s=$((16#$s)) e=$((16#$e))
	[ "$s" -ge "$prev_end" ] || bad=1
	prev_end=$((e + 1))
done < <(sed -nE 's/^efi: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\].*/\1 \2/p' "$E2E_LOG")
[ $bad = 0 ] && echo "ok: the EFI ranges are sorted and disjoint" || fail "EFI ranges overlap or are unsorted"

# BIOS, for contrast: no EFI tags, the text screen is an early vm area.
export CONTIG_FIRMWARE=bios
boot 256M "poweroff"
expect_status 0
expect_no_line '^efi: '
expect_no_line '^vga: '
expect_line 'phys=0x00000000000b8000 ioremap'
finish
