; The start-up code of the application processors (arch/x86/kernel/smpboot.c).
;
; smp_init() copies trampoline_start..trampoline_end to a page below 1 MiB
; (memblock_trampoline_phys) and fills its data block (struct
; smp_trampoline_data in asm/smp.h, same order) for one AP at a time; the
; startup IPI starts the AP in real mode at CS:IP = page<<8 : 0. It goes
;
;   real mode -> protected mode (the GDT below, at its physical address)
;   -> long mode on a temporary CR3 (tr_cr3_tmp, below 4 GiB: the kernel's
;      upper half plus an identity map of the low 2 MiB for the switch)
;   -> smp_ap_start64 in the kernel image, which loads the kernel's CR3,
;      the AP's own stack and calls smp_ap_entry(cpu).
;
; The code is position-independent: ebx holds the page's physical address
; (cs << 4), and every absolute address is base + offset into the page.

MSR_EFER	equ 0xc0000080
EFER_LME	equ 1 << 8
EFER_NXE	equ 1 << 11
CR0_PE		equ 1 << 0
CR0_WP		equ 1 << 16
CR0_PG		equ 1 << 31

TR_CS64		equ 0x08	; KERNEL_CS in asm/desc.h
TR_DS		equ 0x10	; KERNEL_DS
TR_CS32		equ 0x18

%define OFF(label) (label - trampoline_start)

global trampoline_start
global trampoline_data
global trampoline_end
global smp_ap_start64
extern smp_ap_entry

section .rodata progbits alloc noexec nowrite align=16
bits 16
trampoline_start:
	cli
	cld
	mov	ax, cs
	mov	ds, ax
	mov	byte [OFF(tr_started)], 1	; seen by the boot CPU: we ran
	xor	ebx, ebx
	mov	bx, ax
	shl	ebx, 4				; our physical base
	lgdt	[OFF(tr_gdt_ptr)]		; its base was set to base + OFF(tr_gdt)
	mov	eax, cr0
	or	eax, CR0_PE
	mov	cr0, eax
	jmp	dword far [OFF(tr_pm_ptr)]

bits 32
tr_pm:
	mov	ax, TR_DS
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	eax, [ebx + OFF(tr_cr4)]	; PAE, PGE as on the boot CPU
	mov	cr4, eax
	mov	eax, [ebx + OFF(tr_cr3_tmp)]
	mov	cr3, eax
	mov	ecx, MSR_EFER
	rdmsr
	or	eax, EFER_LME | EFER_NXE	; NX before any NX page is walked
	wrmsr
	mov	eax, cr0
	or	eax, CR0_PG | CR0_WP
	mov	cr0, eax
	jmp	far [ebx + OFF(tr_lm_ptr)]

bits 64
tr_lm:
	mov	ebx, ebx			; the upper half is undefined after the switch
	mov	ax, TR_DS
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	rsp, [rbx + OFF(tr_stack_top)]
	mov	edi, [rbx + OFF(tr_cpu)]
	mov	rcx, [rbx + OFF(tr_kernel_cr3)]
	mov	rax, [rbx + OFF(tr_entry)]
	jmp	rax				; to smp_ap_start64, in the kernel image

	align	16
tr_gdt:
	dq	0
	dq	0x00209a0000000000		; 0x08: 64-bit code
	dq	0x00cf92000000ffff		; 0x10: flat data
	dq	0x00cf9a000000ffff		; 0x18: flat 32-bit code
tr_gdt_end:

; The data block: struct smp_trampoline_data, filled in by the boot CPU.
	align	16
trampoline_data:
tr_gdt_ptr:	dw	tr_gdt_end - tr_gdt - 1
		dd	0		; base + OFF(tr_gdt)
		dw	0
tr_pm_ptr:	dd	0		; base + OFF(tr_pm)
		dw	TR_CS32
		dw	0
tr_lm_ptr:	dd	0		; base + OFF(tr_lm)
		dw	TR_CS64
		dw	0
tr_cr4:		dd	0
tr_cr3_tmp:	dd	0
tr_cpu:		dd	0
tr_started:	dd	0
tr_kernel_cr3:	dq	0
tr_stack_top:	dq	0
tr_entry:	dq	0
trampoline_end:

global smp_trampoline_offsets
; Offsets of the three pointers to patch, for smpboot.c.
	align	8
smp_trampoline_offsets:
	dd	OFF(tr_gdt)
	dd	OFF(tr_pm)
	dd	OFF(tr_lm)
	dd	OFF(trampoline_data)

section .text
bits 64
; Running at the kernel's address on the temporary tables: the kernel's own
; CR3 (rcx) drops the identity map from this CPU's view; then C.
smp_ap_start64:
	mov	cr3, rcx
	xor	ebp, ebp			; end of the frame-pointer chain
	call	smp_ap_entry
.halt:
	cli
	hlt
	jmp	.halt

section .note.GNU-stack noalloc noexec nowrite progbits
