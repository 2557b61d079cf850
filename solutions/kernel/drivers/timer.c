/*
 * timer.c: programming the PIT and counting its ticks (lab 5 reference solution).
 *
 * Mode 2 (rate generator) gives one rising edge on the IRQ 0 line per period, which is all the
 * edge-triggered PIC needs. The divisor is rounded to the nearest integer, so the real rate,
 * PIT_HZ / divisor, is as close to hz as the hardware allows.
 */
#include <stdint.h>

#include "panic.h"
#include "pit.h"
#include "x86.h"

void pit_set_frequency(unsigned hz)
{
	uint32_t divisor = (PIT_HZ + hz / 2) / hz;

	outb(PIT_COMMAND, PIT_SELECT_CHANNEL0 | PIT_ACCESS_LOHI | PIT_MODE_RATE | PIT_BINARY);
	outb(PIT_CHANNEL0, (uint8_t)(divisor & 0xff));
	outb(PIT_CHANNEL0, (uint8_t)(divisor >> 8));
	timer_hz = hz;
	pit_divisor = divisor;
}

void timer_handle(void)
{
	timer_ticks++;
}

uint64_t timer_uptime_ms(void)
{
	return timer_ticks * 1000 / timer_hz;
}
