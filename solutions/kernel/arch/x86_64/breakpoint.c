/*
 * breakpoint.c: the #BP handler (lab 3 reference solution).
 *
 * Report the breakpoint, count it, remember where it was, and return: #BP is a trap, so the saved
 * RIP already points past the int3 and trap_common's iretq continues with the next instruction.
 */
#include "kprintf.h"
#include "panic.h"
#include "trap.h"

uint64_t breakpoint_count;
uint64_t breakpoint_last_rip;

void breakpoint_handle(struct trap_frame *tf)
{
	kprintf("trap: breakpoint at rip 0x%016lx\n", (unsigned long)tf->rip);
	breakpoint_count++;
	breakpoint_last_rip = tf->rip;
}
