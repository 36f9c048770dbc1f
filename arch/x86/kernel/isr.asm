; Interrupt and exception entry: 256 small stubs, one per vector, that make
; the stack uniform (an error code of 0 where the CPU pushes none, then the
; vector number) and jump to one common path, which saves the general
; registers as struct pt_regs (asm/traps.h) and calls do_trap(regs).
;
; Stack at the call, growing down:  ss rsp rflags cs rip | error vector |
; rax rbx rcx rdx rsi rdi rbp r8..r15 <- rsp = &pt_regs. The CPU aligns rsp
; to 16 before pushing its frame and we push 22 more words: still aligned.

global isr_stub_table
extern do_trap

section .text
bits 64

%macro ISR_STUB 1
	align 16
isr_stub_%1:
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
	; the CPU pushed an error code
%else
	push	0
%endif
	push	%1
	jmp	isr_common
%endmacro

%assign i 0
%rep 256
	ISR_STUB i
%assign i i + 1
%endrep

isr_common:
	cld
	push	rax
	push	rbx
	push	rcx
	push	rdx
	push	rsi
	push	rdi
	push	rbp
	push	r8
	push	r9
	push	r10
	push	r11
	push	r12
	push	r13
	push	r14
	push	r15
	mov	rdi, rsp
	call	do_trap
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	r11
	pop	r10
	pop	r9
	pop	r8
	pop	rbp
	pop	rdi
	pop	rsi
	pop	rdx
	pop	rcx
	pop	rbx
	pop	rax
	add	rsp, 16				; vector and error code
	iretq

section .rodata
align 8
isr_stub_table:
%assign i 0
%rep 256
	dq isr_stub_ %+ i
%assign i i + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
