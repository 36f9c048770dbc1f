; The context switch: the callee-saved registers of the System V ABI (rbx,
; rbp, r12-r15) go on the old task's stack, its rsp into task_struct.rsp
; (offset 0, checked by a BUILD_BUG_ON in kernel/sched/core.c), and the new
; task's are taken back the same way. Everything else the C caller has
; saved already. Runs with interrupts off.
;
; A switched-out task's stack, from its saved rsp up (scripts/gdb/contig/ps.py
; reads it for contig-bt):  r15 r14 r13 r12 rbx rbp | return address.
;
; A new thread's stack is built the same way by kthread_create() with the
; return address kthread_start_asm, which calls kthread_entry(prev) with a
; zero rbp so that backtraces end there.

global __switch_to_asm
global kthread_start_asm
extern kthread_entry

section .text
bits 64

; struct task_struct *__switch_to_asm(struct task_struct *prev, struct task_struct *next)
__switch_to_asm:
	push	rbp
	push	rbx
	push	r12
	push	r13
	push	r14
	push	r15
	mov	[rdi], rsp
	mov	rsp, [rsi]
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	rbx
	pop	rbp
	mov	rax, rdi			; prev, for the task we switched to
	ret

kthread_start_asm:
	xor	ebp, ebp
	mov	rdi, rax
	and	rsp, -16
	call	kthread_entry
	ud2

section .note.GNU-stack noalloc noexec nowrite progbits
