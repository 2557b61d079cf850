/*
 * irq.h: hardware interrupts (lab 5). When the chapter is off, irq_dispatch() is a stub that
 * handles nothing, so trap_dispatch() carries no #if.
 */
#ifndef IRQ_H
#define IRQ_H

#include <stdbool.h>

struct trap_frame;

#if CONFIG_PIC
/* Handle an interrupt vector at or above 32. Returns false if the vector is not a known IRQ. */
bool irq_dispatch(struct trap_frame *tf);
#else
static inline bool irq_dispatch(struct trap_frame *tf)
{
	return false;
}
#endif /* CONFIG_PIC */

#endif /* IRQ_H */
