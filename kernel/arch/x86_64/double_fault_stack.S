/*
 * double_fault_stack.S: the stack double faults run on (lab 4).
 *
 * A stack overflow ends in a double fault (handouts/lab4-double-fault.md, section 3): the handler
 * cannot run on the stack that overflowed, so the TSS's IST slot 1 points at the top of this one
 * and the double-fault gate asks for that slot. Stacks grow down: the CPU starts at
 * double_fault_stack_top and pushes towards double_fault_stack_bottom. Both symbols appear in
 * kernel.sym, where the grader reads them to check that the handler really runs in between.
 *
 * The stack lives in .stack, the last part of .bss (kernel.ld), right after the boot stack; it is
 * zeroed by boot.S with the rest of .bss. 16 KiB is plenty for the report and the panic.
 */
#include "gdt.h"

	.section .stack, "aw", @nobits
	.balign 4096
	.globl double_fault_stack_bottom, double_fault_stack_top
	.type double_fault_stack_bottom, @object
double_fault_stack_bottom:
	.skip DOUBLE_FAULT_STACK_SIZE
	.size double_fault_stack_bottom, . - double_fault_stack_bottom
double_fault_stack_top:

	.section .note.GNU-stack, "", @progbits
