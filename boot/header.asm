; Multiboot2 header (specification 1.6 facts: magic, i386 architecture,
; header length, checksum, then 8-byte aligned tags ending with the end tag).
; It lives in the low .multiboot2 section so that it sits in the first
; 32 KiB of the file, as the boot loader requires.

section .multiboot2 progbits alloc noexec nowrite align=8

MB2_MAGIC	equ 0xe85250d6
MB2_ARCH_I386	equ 0

mb2_header_start:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header_start
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header_start))
	; end tag: type 0, flags 0, size 8
	align 8
	dw 0
	dw 0
	dd 8
mb2_header_end:

section .note.GNU-stack noalloc noexec nowrite progbits
