/*
 * idt_ist.c: sending one IDT gate to an IST stack (lab 4, exercise 3).
 *
 * Lab 3's idt_init() filled every exception gate with IST 0: "handle the exception on the stack
 * that was in use". For a double fault that stack may be the one that just overflowed. A gate
 * whose IST field holds n (1..7) makes the CPU load RSP from the TSS's ISTn before it pushes the
 * frame (SDM Vol. 3A §6.14.5). The field is the low 3 bits of byte 4 of the gate (struct idt_gate
 * in idt.h); the other 5 bits of that byte are reserved and stay zero. Nothing else in the gate
 * may change. See handouts/lab4-double-fault.md, section 5.
 */
#include "gdt.h"
#include "idt.h"
#include "panic.h"

void idt_set_ist(uint8_t vector, uint8_t ist)
{
	/* LAB 4: your code here */
	panic("lab 4: idt_set_ist not implemented");
}
