/*
 * double_fault.c: what the kernel says when a double fault reaches it (lab 4).
 *
 * A double fault means the CPU failed to deliver one exception because of another (#PF while
 * pushing the frame of a #PF, say). The CPU does not say what the first exception was, and the
 * saved RIP may not even point at the instruction that started it (SDM Vol. 3A §6.15, "Interrupt
 * 8"), so there is nothing to repair: the kernel reports and panics. trap_dispatch() does both,
 * through the same report as every other exception; before it, double_fault_note() prints one
 * extra line that shows which stack the handler runs on. With the IST set up, the address lies
 * between double_fault_stack_bottom and double_fault_stack_top, whatever stack overflowed.
 */
#include "console.h"
#include "gdt.h"
#include "kprintf.h"
#include "trap.h"

void double_fault_note(const struct trap_frame *tf)
{
	console_panic(); /* serial only, no lock: the stack overflowed who knows where */
	kprintf("DOUBLE FAULT: handler stack 0x%016lx (ist1 0x%016lx..0x%016lx)\n",
		(unsigned long)tf, (unsigned long)double_fault_stack_bottom,
		(unsigned long)double_fault_stack_top);
}
