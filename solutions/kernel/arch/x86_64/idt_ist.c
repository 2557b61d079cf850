/*
 * idt_ist.c: sending one IDT gate to an IST stack (lab 4 reference solution).
 *
 * Only the IST byte changes: its low 3 bits become ist and its reserved bits zero. Rewriting the
 * whole gate with idt_set_gate() would also do for the double-fault gate, but only because we
 * know what the rest of that gate holds; this way the function works for any gate.
 */
#include "gdt.h"
#include "idt.h"
#include "panic.h"

void idt_set_ist(uint8_t vector, uint8_t ist)
{
	idt[vector].ist = ist & 0x7;
}
