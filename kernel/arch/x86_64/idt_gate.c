/*
 * idt_gate.c: writing one IDT gate (lab 3, exercise 1).
 *
 * A 64-bit gate is 16 bytes (struct idt_gate in idt.h). The handler's 64-bit address does not sit
 * in one field: bits 0..15 go in offset_low, bits 16..31 in offset_mid and bits 32..63 in
 * offset_high. The gate also names the code segment to run the handler in (KERNEL_CS), the
 * Interrupt Stack Table slot (only the low 3 bits of ist exist), and the type/DPL/present byte,
 * which the caller gives whole in type_attr. The reserved word must be zero. See
 * handouts/lab3-exceptions.md, section 4.
 */
#include "idt.h"
#include "panic.h"

void idt_set_gate(uint8_t vector, void (*handler)(void), uint8_t ist, uint8_t type_attr)
{
	/* LAB 3: your code here */
	panic("lab 3: idt_set_gate not implemented");
}
