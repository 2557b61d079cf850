/*
 * breakpoint.c: the #BP handler (lab 3, exercise 3).
 *
 * The one-byte instruction int3 raises exception 3, #BP. It is a trap, not a fault: the RIP the
 * CPU saves points at the instruction after the int3, so returning from the handler simply
 * carries on there. Debuggers use exactly this: they overwrite the first byte of an instruction
 * with int3 (0xcc) to stop a program there. breakpoint_handle() is called by trap_dispatch()
 * (trap.c) with the saved state in tf; returning from it resumes the interrupted code.
 */
#include "kprintf.h"
#include "panic.h"
#include "trap.h"

uint64_t breakpoint_count;
uint64_t breakpoint_last_rip;

void breakpoint_handle(struct trap_frame *tf)
{
	/* LAB 3: your code here */
	panic("lab 3: breakpoint_handle not implemented");
}
