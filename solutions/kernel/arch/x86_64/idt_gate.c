/*
 * idt_gate.c: writing one IDT gate (lab 3 reference solution).
 *
 * The handler's address is cut into its low, middle and high parts with shifts and masks, and
 * each field of the gate is assigned on its own (a struct assignment could turn into a memcpy
 * call, which this file has no need for).
 */
#include "idt.h"
#include "panic.h"

void idt_set_gate(uint8_t vector, void (*handler)(void), uint8_t ist, uint8_t type_attr)
{
	uint64_t addr = (uint64_t)handler;
	struct idt_gate *g = &idt[vector];

	g->offset_low = (uint16_t)(addr & 0xffff);
	g->selector = KERNEL_CS;
	g->ist = ist & 0x7; /* bits 3..7 of this byte are reserved */
	g->type_attr = type_attr;
	g->offset_mid = (uint16_t)((addr >> 16) & 0xffff);
	g->offset_high = (uint32_t)(addr >> 32);
	g->reserved = 0;
}
