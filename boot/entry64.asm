; Into long mode: PAE + PGE, CR3, EFER.LME + NXE, paging + write protect;
; far jump to 64-bit code at its low address, then jump to the high image,
; drop the identity mapping, and call kmain(magic, mbi_phys).

KERNEL_VMA	equ 0xffffffff80000000
MSR_EFER	equ 0xc0000080
EFER_LME	equ 1 << 8
EFER_NXE	equ 1 << 11
CR0_PG		equ 1 << 31
CR0_WP		equ 1 << 16
CR4_PAE		equ 1 << 5
CR4_PGE		equ 1 << 7

global enter_long_mode
global boot_stack_top
global boot_stack
global boot_stack_guard
extern early_pml4
extern boot_mb_magic
extern boot_mb_info
extern kmain

section .boot.text progbits alloc exec nowrite align=16
bits 32

enter_long_mode:
	mov	eax, cr4
	or	eax, CR4_PAE | CR4_PGE
	mov	cr4, eax

	mov	eax, early_pml4 - KERNEL_VMA
	mov	cr3, eax

	mov	ecx, MSR_EFER
	rdmsr
	or	eax, EFER_LME | EFER_NXE
	wrmsr

	mov	eax, cr0
	or	eax, CR0_PG | CR0_WP
	mov	cr0, eax

	lgdt	[gdt64_ptr]
	jmp	0x08:long_mode_low

bits 64
long_mode_low:
	mov	ax, 0x10
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	xor	eax, eax
	mov	fs, ax
	mov	gs, ax
	mov	rax, long_mode_high
	jmp	rax

section .text
long_mode_high:
	mov	rsp, boot_stack_top
	xor	ebp, ebp			; end of the frame-pointer chain

	; The identity view was only for the switch: drop it.
	mov	rax, early_pml4
	mov	qword [rax], 0
	mov	rax, cr3
	mov	cr3, rax

	; The upper halves of the registers that held them are undefined: the
	; 32-bit loads below zero-extend.
	mov	edi, [boot_mb_magic + KERNEL_VMA]	; the low data, read via the image map
	mov	esi, [boot_mb_info + KERNEL_VMA]
	call	kmain
.halt:
	cli
	hlt
	jmp	.halt

section .boot.data progbits alloc noexec write align=16
gdt64:
	dq 0
	dq 0x00209a0000000000			; 0x08: 64-bit code, DPL 0
	dq 0x0000920000000000			; 0x10: data
gdt64_end:
gdt64_ptr:
	dw gdt64_end - gdt64 - 1
	dd gdt64

; The kernel stack. The page below it stays unmapped in the final page
; tables (arch/x86/mm/init.c): an overflow faults there, and the double-fault
; handler, on its own IST stack, reports it.
section .bss nobits alloc noexec write align=4096
boot_stack_guard:
	resb 4096
boot_stack:
	resb 32768
boot_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
