/*
 * acpi_pm.h: the ACPI power-management timer, a clock that does not depend on the PIT (lab 5).
 *
 * The PM timer is a free-running 24-bit counter that advances at 3.579545 MHz, whatever the
 * kernel does. The lab 5 tests time the PIT's interrupts and their own timeouts with it, so that
 * a broken timer handler cannot also break the ruler it is measured with. The firmware chooses
 * its I/O port and publishes it in the ACPI tables (the FADT's PM_TMR_BLK); acpi_pm_init() looks
 * it up. In QEMU the PM timer follows the emulated machine's virtual clock, the same clock the
 * emulated PIT counts on.
 */
#ifndef ACPI_PM_H
#define ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "x86.h"

#define ACPI_PM_TIMER_HZ   3579545   /* ACPI spec §4.8.2.1: 3.579545 MHz */
#define ACPI_PM_TIMER_MASK 0xffffffu /* 24 bits: it wraps every 4.7 seconds */

/* The timer's port, 0 until acpi_pm_init() found it. */
extern uint16_t acpi_pm_port;

/*
 * Find the PM timer through the ACPI tables (RSDP, RSDT, FADT). Returns false if there is none;
 * then acpi_pm_read() returns 0. Calling it again does nothing.
 */
bool acpi_pm_init(void);

static inline uint32_t acpi_pm_read(void)
{
	if (!acpi_pm_port)
		return 0;
	return inl(acpi_pm_port) & ACPI_PM_TIMER_MASK;
}

/*
 * A stopwatch over the PM timer that does not wrap: call acpi_pm_elapsed() at least every four
 * seconds and it returns the PM timer counts since acpi_pm_start().
 */
struct acpi_pm_watch {
	uint32_t last;
	uint64_t total;
};

static inline void acpi_pm_start(struct acpi_pm_watch *w)
{
	w->last = acpi_pm_read();
	w->total = 0;
}

static inline uint64_t acpi_pm_elapsed(struct acpi_pm_watch *w)
{
	uint32_t now = acpi_pm_read();

	w->total += (now - w->last) & ACPI_PM_TIMER_MASK;
	w->last = now;
	return w->total;
}

/* Microseconds in n PM timer counts. */
static inline uint64_t acpi_pm_us(uint64_t n)
{
	return n * 1000000 / ACPI_PM_TIMER_HZ;
}

/* PM timer counts in ms milliseconds. */
static inline uint64_t acpi_pm_counts(uint64_t ms)
{
	return ms * ACPI_PM_TIMER_HZ / 1000;
}

#endif /* ACPI_PM_H */
