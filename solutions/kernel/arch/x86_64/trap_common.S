/*
 * trap_common.S: the path every exception takes between its entry stub and C (lab 3 reference
 * solution).
 *
 * On entry RSP points at the vector number its stub pushed. The general registers go into the
 * fifteen slots below it, each at the offset trap.h gives it, so the stack holds a complete
 * struct trap_frame and RSP points at its start. The CPU aligned RSP to 16 bytes before pushing
 * its part of the frame (SDM Vol. 3A §6.14.2) and the frame's size is a multiple of 16, so RSP is
 * aligned for the call without further work. On the way back every register is reloaded from
 * the frame, the vector and error code are dropped, and iretq resumes the interrupted code.
 */
#include "trap.h"

.if TF_SIZE % 16
.error "trap.h: the trap frame must be a multiple of 16 bytes to keep the C call aligned"
.endif

	.text
	.globl trap_common
	.type trap_common, @function
trap_common:
	sub $TF_VECTOR, %rsp		/* room for the fifteen general registers */
	mov %rax, TF_RAX(%rsp)
	mov %rbx, TF_RBX(%rsp)
	mov %rcx, TF_RCX(%rsp)
	mov %rdx, TF_RDX(%rsp)
	mov %rsi, TF_RSI(%rsp)
	mov %rdi, TF_RDI(%rsp)
	mov %rbp, TF_RBP(%rsp)
	mov %r8, TF_R8(%rsp)
	mov %r9, TF_R9(%rsp)
	mov %r10, TF_R10(%rsp)
	mov %r11, TF_R11(%rsp)
	mov %r12, TF_R12(%rsp)
	mov %r13, TF_R13(%rsp)
	mov %r14, TF_R14(%rsp)
	mov %r15, TF_R15(%rsp)

	cld				/* the ABI promises C code a clear direction flag */
	mov %rsp, %rdi			/* trap_dispatch(struct trap_frame *tf) */
	call trap_dispatch

	mov TF_RAX(%rsp), %rax
	mov TF_RBX(%rsp), %rbx
	mov TF_RCX(%rsp), %rcx
	mov TF_RDX(%rsp), %rdx
	mov TF_RSI(%rsp), %rsi
	mov TF_RDI(%rsp), %rdi
	mov TF_RBP(%rsp), %rbp
	mov TF_R8(%rsp), %r8
	mov TF_R9(%rsp), %r9
	mov TF_R10(%rsp), %r10
	mov TF_R11(%rsp), %r11
	mov TF_R12(%rsp), %r12
	mov TF_R13(%rsp), %r13
	mov TF_R14(%rsp), %r14
	mov TF_R15(%rsp), %r15
	add $TF_RIP, %rsp		/* drop the registers, the vector and the error code */
	iretq				/* pop RIP, CS, RFLAGS, RSP and SS: back where we were */
	.size trap_common, . - trap_common

	.section .note.GNU-stack, "", @progbits
