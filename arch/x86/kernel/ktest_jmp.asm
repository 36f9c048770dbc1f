; ktest_setjmp / ktest_longjmp: save and restore the callee-saved registers,
; the stack pointer, the return address and RFLAGS (so that a jump out of an
; exception handler, which runs with interrupts off, restores IF as it was).
; struct ktest_jmp_buf: rbx rbp r12 r13 r14 r15 rsp rip rflags (8 bytes each).

global ktest_setjmp
global ktest_longjmp

section .text
bits 64

ktest_setjmp:
	mov	[rdi + 0], rbx
	mov	[rdi + 8], rbp
	mov	[rdi + 16], r12
	mov	[rdi + 24], r13
	mov	[rdi + 32], r14
	mov	[rdi + 40], r15
	lea	rax, [rsp + 8]			; rsp as it will be after our ret
	mov	[rdi + 48], rax
	mov	rax, [rsp]			; our return address
	mov	[rdi + 56], rax
	pushfq
	pop	rax
	mov	[rdi + 64], rax
	xor	eax, eax
	ret

ktest_longjmp:
	mov	eax, esi
	test	eax, eax
	jnz	.nonzero
	inc	eax				; setjmp must never seem to return 0 twice
.nonzero:
	mov	rbx, [rdi + 0]
	mov	rbp, [rdi + 8]
	mov	r12, [rdi + 16]
	mov	r13, [rdi + 24]
	mov	r14, [rdi + 32]
	mov	r15, [rdi + 40]
	mov	rsp, [rdi + 48]
	push	qword [rdi + 64]
	popfq
	jmp	[rdi + 56]

section .note.GNU-stack noalloc noexec nowrite progbits
