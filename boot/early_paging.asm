; Early page tables, good enough to enter long mode and reach C:
;
;   pml4[0]    -> pdpt_low:  [0, 4 GiB) identity, for the jump into long mode only
;   pml4[258]  -> pdpt_low:  [0, 4 GiB) at PAGE_OFFSET (0xffff810000000000), NX
;   pml4[511]  -> pdpt_high: [510] maps [0, 1 GiB) at 0xffffffff80000000 (the image)
;
; All leaves are 2 MiB pages in four page directories shared by the three
; views: the direct-map view gets NX from its PDPT entries, which covers all
; below them. entry64.asm drops the identity view once running high, and
; arch/x86/mm/init.c replaces all of this with the real tables.

KERNEL_VMA	equ 0xffffffff80000000
PTE_P		equ 1 << 0
PTE_RW		equ 1 << 1
PTE_PS		equ 1 << 7
PDPTE_NX_HI	equ 1 << 31		; bit 63, in the high dword

global early_paging_setup
global early_pml4
extern early_pgtables_start

section .boot.text progbits alloc exec nowrite align=16
bits 32

early_paging_setup:
	; 2048 PD entries: 2 MiB pages over [0, 4 GiB)
	mov	edi, early_pd - KERNEL_VMA
	mov	eax, PTE_P | PTE_RW | PTE_PS
	xor	edx, edx			; high dword of the physical address
	mov	ecx, 2048
.pd:
	mov	[edi], eax
	mov	[edi + 4], edx
	add	eax, 0x200000
	adc	edx, 0
	add	edi, 8
	loop	.pd

	; pdpt_low[0..3] -> the four PDs
	mov	edi, early_pdpt_low - KERNEL_VMA
	mov	eax, early_pd - KERNEL_VMA + (PTE_P | PTE_RW)
	mov	ecx, 4
.pdpt:
	mov	[edi], eax
	add	eax, 0x1000
	add	edi, 8
	loop	.pdpt

	; pdpt_nx[0..3] -> the same PDs, no-execute
	mov	edi, early_pdpt_nx - KERNEL_VMA
	mov	eax, early_pd - KERNEL_VMA + (PTE_P | PTE_RW)
	mov	ecx, 4
.pdpt_nx:
	mov	[edi], eax
	mov	dword [edi + 4], PDPTE_NX_HI
	add	eax, 0x1000
	add	edi, 8
	loop	.pdpt_nx

	; pdpt_high[510] -> first PD (the first GiB: the image)
	mov	edi, early_pdpt_high - KERNEL_VMA
	mov	dword [edi + 510 * 8], early_pd - KERNEL_VMA + (PTE_P | PTE_RW)

	mov	edi, early_pml4 - KERNEL_VMA
	mov	dword [edi + 0 * 8], early_pdpt_low - KERNEL_VMA + (PTE_P | PTE_RW)
	mov	dword [edi + 258 * 8], early_pdpt_nx - KERNEL_VMA + (PTE_P | PTE_RW)
	mov	dword [edi + 511 * 8], early_pdpt_high - KERNEL_VMA + (PTE_P | PTE_RW)
	ret

section .bss nobits alloc noexec write align=4096
early_pml4:	resb 4096
early_pdpt_low:	resb 4096
early_pdpt_nx:	resb 4096
early_pdpt_high: resb 4096
early_pd:	resb 4 * 4096

section .note.GNU-stack noalloc noexec nowrite progbits
