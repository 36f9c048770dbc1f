#!/usr/bin/env python3
"""Write the multiboot2 fuzz target's seeds: boot information blobs shaped
like what GRUB 2.06 hands Contig under QEMU (SeaBIOS at 512M and 4G, OVMF
at 1G), one with modules and a frame buffer, and the smallest valid one.

Usage: gen-multiboot2-seeds.py [DIR]   (default: corpus/multiboot2 next to it)
The files are in the tree; rerun this only to change them."""
import os
import struct
import sys

END, CMDLINE, LOADER, MODULE, MEMINFO, BOOTDEV, MMAP = 0, 1, 2, 3, 4, 5, 6
FRAMEBUFFER, APM, EFI64, ACPI_OLD, ACPI_NEW, EFI_MMAP, EFI64_IH, LOAD_BASE = 8, 10, 12, 14, 15, 17, 20, 21


def tag(ttype, payload=b""):
    t = struct.pack("<II", ttype, 8 + len(payload)) + payload
    return t + b"\0" * (-len(t) % 8)


def string(ttype, s):
    return tag(ttype, s.encode() + b"\0")


def mmap(entries):
    body = struct.pack("<II", 24, 0)
    for addr, length, etype in entries:
        body += struct.pack("<QQII", addr, length, etype, 0)
    return tag(MMAP, body)


def rsdp(ttype, revision):
    r = bytearray(b"RSD PTR " + b"\0" + b"BOCHS " + bytes([revision]) + struct.pack("<I", 0x7fe1a2c))
    r[8] = -sum(r) & 0xFF
    if ttype == ACPI_NEW:
        r += struct.pack("<IQ", 36, 0x7fe1b00) + b"\0\0\0\0"
    return tag(ttype, bytes(r))


def efi_mmap(descs):
    body = struct.pack("<II", 48, 1)
    for etype, start, pages, attr in descs:
        body += struct.pack("<IIQQQQ", etype, 0, start, 0, pages, attr) + b"\0" * 8
    return tag(EFI_MMAP, body)


def blob(tags):
    body = b"".join(tags) + tag(END)
    return struct.pack("<II", 8 + len(body), 0) + body


def bios_map(ram):
    """SeaBIOS's e820 map for -m RAM bytes (the PCI hole above 3G)."""
    low = min(ram, 3 << 30)
    m = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
         (0x100000, low - 0x100000 - 0x20000, 1), (low - 0x20000, 0x20000, 2),
         (0xFEFFC000, 0x4000, 2), (0xFFFC0000, 0x40000, 2)]
    if ram > low:
        m.append((1 << 32, ram - low, 1))
    m.append((0xFD00000000, 0x300000000, 2))
    return m


def bios_common(ram, cmdline):
    return [tag(LOAD_BASE, struct.pack("<I", 0x100000)), string(CMDLINE, cmdline),
            string(LOADER, "GRUB 2.06-13+deb12u1"),
            tag(MEMINFO, struct.pack("<II", 639, min(ram, 3 << 30) // 1024 - 1024 - 128)),
            tag(BOOTDEV, struct.pack("<III", 0xE0, 0xFFFFFFFF, 0xFFFFFFFF)),
            mmap(bios_map(ram)),
            tag(FRAMEBUFFER, struct.pack("<QIIIBBH", 0xB8000, 160, 80, 25, 16, 2, 0)),
            tag(APM, struct.pack("<HHIHHHHH", 0x102, 0xF000, 0x9B7E, 0xF000, 0x40, 0xF000, 0xFFFF, 0xFFFF)),
            rsdp(ACPI_OLD, 0)]


EFI_WB = 0xF
EFI_RT = EFI_WB | (1 << 63)
OVMF_EFI = [(3, 0x0, 1, EFI_WB), (7, 0x1000, 0x9F, EFI_WB), (2, 0x100000, 0x100, EFI_WB),
            (4, 0x200000, 0x10, EFI_WB), (3, 0x210000, 0x10, EFI_WB), (4, 0x220000, 0x5E0, EFI_WB),
            (10, 0x800000, 0x8, EFI_WB), (7, 0x808000, 0x7F8, EFI_WB), (6, 0x1000000, 0x10, EFI_RT),
            (5, 0x1010000, 0x10, EFI_RT), (9, 0x1020000, 0x10, EFI_WB), (7, 0x1030000, 0x3EFD0, EFI_WB),
            (0, 0xFFC00000, 0x400, 1 | (1 << 63))]
OVMF_MB2 = [(0, 0xA0000, 1), (0x100000, 0x700000, 1), (0x800000, 0x8000, 4),
            (0x808000, 0x7F8000, 1), (0x1000000, 0x10000, 2), (0x1010000, 0x10000, 2),
            (0x1020000, 0x10000, 3), (0x1030000, 0x3EFD0000, 1), (0xFFC00000, 0x400000, 2)]


def seeds():
    yield "seabios-512M", blob(bios_common(512 << 20, "/boot/contig.elf ktest=all poweroff"))
    yield "seabios-4G", blob(bios_common(4 << 30, "/boot/contig.elf randomize_memory ktest=\"vmalloc,layout\""))
    yield "ovmf-1G", blob([
        tag(LOAD_BASE, struct.pack("<I", 0x100000)), string(CMDLINE, "/boot/contig.elf loglevel=7"),
        string(LOADER, "GRUB 2.06-13+deb12u1"), tag(MEMINFO, struct.pack("<II", 640, 7168)),
        mmap(OVMF_MB2),
        tag(FRAMEBUFFER, struct.pack("<QIIIBBH", 0x80000000, 5120, 1280, 800, 32, 1, 0) +
            bytes([16, 8, 8, 8, 0, 8, 0, 0])),
        tag(EFI64, struct.pack("<Q", 0x3F9EE018)), rsdp(ACPI_NEW, 2), efi_mmap(OVMF_EFI),
        tag(EFI64_IH, struct.pack("<Q", 0x3E59A598))])
    yield "modules-fb", blob([
        string(CMDLINE, "vmalloc=64M mem=256M"), string(LOADER, "GRUB 2.06"),
        tag(MODULE, struct.pack("<II", 0x200000, 0x203000) + b"/boot/initrd\0"),
        tag(MODULE, struct.pack("<II", 0x204000, 0x204000) + b"empty\0"),
        mmap(bios_map(256 << 20)),
        tag(FRAMEBUFFER, struct.pack("<QIIIBBH", 0xFD000000, 4096, 1024, 768, 32, 1, 0) +
            bytes([16, 8, 8, 8, 0, 8, 0, 0])),
        rsdp(ACPI_OLD, 0), rsdp(ACPI_NEW, 2)])
    yield "minimal", blob([mmap([(0x100000, 0x1000000, 1)])])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                               "corpus", "multiboot2")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
