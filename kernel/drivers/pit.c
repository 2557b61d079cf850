/*
 * pit.c: starting the timer and showing it tick (lab 5).
 *
 * pit_init() reads the rate from the command line (hz=N), programs channel 0 with your
 * pit_set_frequency() and claims IRQ 0. Each interrupt runs timer_irq(), which calls your
 * timer_handle() and, on a normal boot, redraws "<seconds> s, <ticks> ticks" on the top row
 * of the screen ten times a second. Drawing from a handler is safe here without taking
 * the console lock: on this one CPU the lock is only ever held with interrupts off, so the
 * handler never runs while the console is half way through scrolling the screen.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cmdline.h"
#include "irq.h"
#include "kprintf.h"
#include "ktest.h"
#include "pit.h"
#include "sleep.h"
#include "vga.h"
#include "vga_hello.h"

volatile uint64_t timer_ticks;
unsigned timer_hz;
uint32_t pit_divisor;

static bool show_status;

#define STATUS_ATTR 0x70 /* black on light grey */
#define STATUS_END  62   /* the last column: kmain greets in the 17 to the right of it */

static void draw_status(void)
{
	char text[40];
	uint64_t ms = timer_uptime_ms();
	int n = ksnprintf(text, sizeof(text), " %lu.%lu s, %lu ticks ", (unsigned long)(ms / 1000),
			  (unsigned long)(ms / 100 % 10), (unsigned long)timer_ticks);

	vga_write_at(0, STATUS_END + 1 - n, text, STATUS_ATTR);
}

static void timer_irq(struct trap_frame *tf)
{
	timer_handle();
	if (CONFIG_ASYNC && sleepers)
		sleep_tick(timer_ticks); /* lab 9: wake the sleepers whose time has come */
	if (show_status && timer_ticks % (timer_hz / 10 ? timer_hz / 10 : 1) == 0)
		draw_status();
}

/* hz=N from the command line, or 0 if absent or not a number. */
static unsigned cmdline_hz(const char *cmdline)
{
	size_t len;
	const char *v = cmdline_value(cmdline, "hz", &len);
	unsigned hz = 0;

	if (!v || len == 0 || len > 6)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		hz = hz * 10 + (unsigned)(v[i] - '0');
	}
	return hz;
}

void pit_init(const char *cmdline)
{
	unsigned hz = cmdline_hz(cmdline);

	if (hz == 0) {
		hz = TIMER_HZ_DEFAULT;
	} else if (hz < TIMER_HZ_MIN || hz > TIMER_HZ_MAX) {
		kprintf("timer: hz=%u is outside %u..%u, using %u\n", hz, TIMER_HZ_MIN,
			TIMER_HZ_MAX, TIMER_HZ_DEFAULT);
		hz = TIMER_HZ_DEFAULT;
	}
	pit_set_frequency(hz);
	show_status = vga_console_mirrors(); /* a normal boot: tests own the screen */
	irq_set_handler(IRQ_TIMER, timer_irq);
	kprintf("timer: %u Hz (divisor %u) on IRQ %d\n", timer_hz, (unsigned)pit_divisor,
		IRQ_TIMER);
}
