/*
 * trap_common.S: the path every exception takes between its entry stub and C (lab 3, exercise 2).
 *
 * An entry stub (trap_entry.S) jumps here with RSP pointing at the vector number it pushed;
 * above it lie the error code and the CPU's RIP, CS, RFLAGS, RSP and SS. trap_common must:
 *   1. save all fifteen general registers below the vector, each at its TF_* offset (trap.h),
 *      so that the stack now holds a complete struct trap_frame;
 *   2. call trap_dispatch(frame) as the System V ABI requires: the first argument in RDI, the
 *      direction flag clear, RSP a multiple of 16 at the call instruction;
 *   3. when trap_dispatch returns, reload every register from the frame (a handler may have
 *      changed some of them on purpose), drop the vector and the error code, and return to the
 *      interrupted code with iretq.
 * The interrupted code must not be able to tell that anything happened: every register it had
 * must hold the same value afterwards. See handouts/lab3-exceptions.md, sections 6 to 8.
 */
#include "trap.h"

	.text
	.globl trap_common
	.type trap_common, @function
trap_common:
	/* LAB 3: your code here */

	/* Until then: stop with a clear message rather than return into a half-saved state. */
	mov %rsp, %rdi
	and $-16, %rsp
	call trap_common_not_implemented
	ud2
	.size trap_common, . - trap_common

	.section .note.GNU-stack, "", @progbits
