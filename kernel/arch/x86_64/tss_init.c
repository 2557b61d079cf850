/*
 * tss_init.c: filling the task-state segment (lab 4, exercise 2).
 *
 * In 64-bit mode the TSS holds no task state at all, only stack pointers and one offset (struct
 * tss in gdt.h; SDM Vol. 3A §7.7):
 *   - RSP0..RSP2: the stack the CPU switches to when an interrupt raises the privilege level to
 *     0, 1 or 2. This kernel never runs user code, so no interrupt ever changes privilege and
 *     these stay zero.
 *   - IST1..IST7: up to seven stacks a gate can ask for by number, whatever the privilege level.
 *     IST1 (ist[0]) is the double-fault stack. The CPU loads the value into RSP and then pushes,
 *     and pushing moves RSP down, so the value is the stack's top: its highest address plus one.
 *   - the I/O map base: where, counted from the TSS's start, the I/O permission bitmap begins.
 *     A bitmap that starts at or beyond the TSS's limit does not exist, which denies user code
 *     every I/O port. That is what we want.
 * The struct may hold junk when tss_init() is called. See handouts/lab4-double-fault.md, section 6.
 */
#include "gdt.h"
#include "panic.h"

void tss_init(struct tss *t, uint64_t ist1_top)
{
	/* LAB 4: your code here */
	panic("lab 4: tss_init not implemented");
}
