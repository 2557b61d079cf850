/*
 * timer.c: programming the PIT and counting its ticks (lab 5, exercise 2).
 *
 * pit_set_frequency() writes channel 0's mode/command byte and then its 16-bit divisor, low byte
 * first, to the ports pit.h names. timer_handle() is the work of one IRQ 0: irq_dispatch() calls
 * it (through pit.c) with interrupts disabled and sends the EOI afterwards, so it only has to
 * count. timer_uptime_ms() turns the count into time. The variables live in pit.c; the contracts
 * are in pit.h. See handouts/lab5-interrupts.md, section 6.
 */
#include <stdint.h>

#include "panic.h"
#include "pit.h"
#include "x86.h"

void pit_set_frequency(unsigned hz)
{
	/* LAB 5: your code here */
	panic("lab 5: pit_set_frequency not implemented");
}

void timer_handle(void)
{
	/* LAB 5: your code here */
	panic("lab 5: timer_handle not implemented");
}

uint64_t timer_uptime_ms(void)
{
	/* LAB 5: your code here */
	panic("lab 5: timer_uptime_ms not implemented");
}
