; 32-bit entry from the boot loader (protected mode, paging off, eax = the
; multiboot2 magic, ebx = physical address of the boot information).
;
; It checks what the kernel cannot live without -- the multiboot2 magic, CPUID,
; long mode, PAE and NX -- and otherwise prints a clear message on the VGA
; text screen and COM1 and halts. Then it clears .bss, builds the early page
; tables (early_paging.asm) and enters long mode (entry64.asm).
;
; Everything here runs at physical addresses: symbols of the high image are
; used as (symbol - KERNEL_VMA).

KERNEL_VMA	equ 0xffffffff80000000
MB2_BOOT_MAGIC	equ 0x36d76289
COM1		equ 0x3f8

global _start
global boot_mb_magic
global boot_mb_info
extern __bss_start
extern __bss_end
extern boot_stack_top
extern early_paging_setup
extern enter_long_mode

section .boot.text progbits alloc exec nowrite align=16
bits 32

_start:
	cli
	cld
	mov	esi, eax			; keep the magic while .bss is cleared
	mov	edx, ebx

	; Clear .bss (the boot stack and the page tables live there).
	mov	edi, __bss_start - KERNEL_VMA
	mov	ecx, __bss_end - KERNEL_VMA
	sub	ecx, edi
	shr	ecx, 2
	xor	eax, eax
	rep stosd

	mov	esp, boot_stack_top - KERNEL_VMA
	mov	[boot_mb_magic_lo], esi
	mov	[boot_mb_info_lo], edx

	call	serial_init32

	cmp	esi, MB2_BOOT_MAGIC
	jne	.bad_magic
	call	check_cpu

	call	early_paging_setup
	jmp	enter_long_mode

.bad_magic:
	mov	esi, msg_magic
	jmp	boot_fail

; check_cpu: CPUID present, extended leaf 0x80000001, long mode, NX, PAE.
check_cpu:
	pushfd					; CPUID exists if EFLAGS.ID can be toggled
	pop	eax
	mov	ecx, eax
	xor	eax, 1 << 21
	push	eax
	popfd
	pushfd
	pop	eax
	push	ecx
	popfd
	xor	eax, ecx
	jz	.no_cpuid

	mov	eax, 1
	cpuid
	test	edx, 1 << 6			; PAE
	jz	.no_pae

	mov	eax, 0x80000000
	cpuid
	cmp	eax, 0x80000001
	jb	.no_long_mode
	mov	eax, 0x80000001
	cpuid
	test	edx, 1 << 29			; LM
	jz	.no_long_mode
	test	edx, 1 << 20			; NX
	jz	.no_nx
	ret
.no_cpuid:
	mov	esi, msg_cpuid
	jmp	boot_fail
.no_pae:
	mov	esi, msg_pae
	jmp	boot_fail
.no_long_mode:
	mov	esi, msg_long_mode
	jmp	boot_fail
.no_nx:
	mov	esi, msg_nx
	jmp	boot_fail

; serial_init32: COM1 at 115200 8N1, FIFO on.
serial_init32:
	mov	dx, COM1 + 1
	xor	al, al
	out	dx, al				; no interrupts
	mov	dx, COM1 + 3
	mov	al, 0x80
	out	dx, al				; DLAB on
	mov	dx, COM1 + 0
	mov	al, 1
	out	dx, al				; divisor 1 = 115200 baud
	mov	dx, COM1 + 1
	xor	al, al
	out	dx, al
	mov	dx, COM1 + 3
	mov	al, 0x03
	out	dx, al				; 8N1, DLAB off
	mov	dx, COM1 + 2
	mov	al, 0xc7
	out	dx, al				; FIFO on, cleared
	mov	dx, COM1 + 4
	mov	al, 0x03
	out	dx, al				; DTR, RTS
	ret

; boot_fail: print the NUL-terminated message at esi on COM1 and on the first
; VGA line (white on red), then halt for good.
boot_fail:
	mov	edi, 0xb8000
	mov	ebx, esi
.next:
	mov	al, [ebx]
	test	al, al
	jz	.halt
	mov	ah, 0x4f
	mov	[edi], ax
	add	edi, 2
	mov	cl, al
	call	serial_putc32
	inc	ebx
	jmp	.next
.halt:
	mov	cl, 13
	call	serial_putc32
	mov	cl, 10
	call	serial_putc32
.forever:
	cli
	hlt
	jmp	.forever

; serial_putc32: write cl to COM1 once the transmitter is empty.
serial_putc32:
	mov	dx, COM1 + 5
.wait:
	in	al, dx
	test	al, 0x20
	jz	.wait
	mov	dx, COM1
	mov	al, cl
	out	dx, al
	ret

section .boot.data progbits alloc noexec write align=8
boot_mb_magic:
boot_mb_magic_lo:	dd 0
			dd 0
boot_mb_info:
boot_mb_info_lo:	dd 0
			dd 0

msg_magic:	db "Contig: not loaded by a multiboot2 boot loader (bad magic in eax); halting.", 0
msg_cpuid:	db "Contig: this CPU has no CPUID instruction; halting.", 0
msg_pae:	db "Contig: this CPU has no PAE; an x86-64 CPU is required; halting.", 0
msg_long_mode:	db "Contig: this CPU has no long mode (not x86-64); halting.", 0
msg_nx:		db "Contig: this CPU has no NX (execute-disable) bit; halting.", 0

section .note.GNU-stack noalloc noexec nowrite progbits
