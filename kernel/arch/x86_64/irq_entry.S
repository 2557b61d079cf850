/*
 * irq_entry.S: the entry stubs of the sixteen hardware interrupt vectors (lab 5).
 *
 * The IDT gate of vector 32 + n points at irq_entry_n. A hardware interrupt never comes with an
 * error code, so each stub pushes a 0 in its place and then its vector number, exactly as the
 * exception stubs of trap_entry.S do for vectors without one, and jumps to the same trap_common
 * (lab 3). The handler therefore gets a struct trap_frame like any exception's, and
 * trap_dispatch() sends every vector from 32 up to irq_dispatch(). irq_vectors is the table of
 * the stubs' addresses that irq_init() puts in the IDT.
 */
#include "trap.h"

.macro IRQ_STUB irq
	.globl irq_entry_\irq
	.type irq_entry_\irq, @function
	.balign 16
irq_entry_\irq:
	push $0			/* no error code: keep the frame's shape */
	push $(32 + \irq)	/* the vector, IRQ_BASE + irq */
	jmp trap_common
	.size irq_entry_\irq, . - irq_entry_\irq
.endm

	.text
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	IRQ_STUB \n
	.endr

	.section .rodata
	.balign 8
	.globl irq_vectors
	.type irq_vectors, @object
irq_vectors:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.quad irq_entry_\n
	.endr
	.size irq_vectors, . - irq_vectors

	.section .note.GNU-stack, "", @progbits
