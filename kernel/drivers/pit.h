/*
 * pit.h: the 8254 programmable interval timer and the kernel's tick counter (lab 5).
 *
 * The PIT counts down from a divisor at 1193182 Hz (a third of the NTSC colour burst frequency:
 * 14.31818 MHz / 12, a leftover of the first IBM PC) and, on channel 0, raises IRQ 0 each time
 * the count runs out. Dividing that clock by hz gives hz interrupts a second. The timer handler
 * counts them in timer_ticks, the kernel's sense of time since boot. See
 * handouts/lab5-interrupts.md, section 6. When the chapter is off pit_init() is an empty stub.
 */
#ifndef PIT_H
#define PIT_H

#include <stdint.h>

#define PIT_HZ 1193182 /* the PIT's input clock in Hz */

/* I/O ports (Intel 82C54 datasheet). */
#define PIT_CHANNEL0 0x40 /* channel 0's counter: wired to IRQ 0 */
#define PIT_COMMAND  0x43 /* mode/command register (write only) */

/* Mode/command byte: bits 7..6 channel, 5..4 access mode, 3..1 operating mode, 0 BCD. */
#define PIT_SELECT_CHANNEL0 0x00
#define PIT_ACCESS_LOHI     0x30 /* the divisor follows as two bytes: low, then high */
#define PIT_MODE_RATE       0x04 /* mode 2, rate generator: one short pulse per period */
#define PIT_MODE_SQUARE     0x06 /* mode 3, square wave (not for this lab's timer) */
#define PIT_BINARY          0x00 /* count in binary, not BCD */

#define TIMER_HZ_DEFAULT 100  /* without hz= on the command line */
#define TIMER_HZ_MIN     19   /* 1193182 / 19 still fits the 16-bit divisor */
#define TIMER_HZ_MAX     1000 /* more would keep an emulated CPU busy with ticks alone */

#if CONFIG_PIC
/*
 * Set channel 0 to hz= from the command line (TIMER_HZ_DEFAULT without it, or if it is out of
 * range) and install the timer's IRQ 0 handler. On a normal boot the handler also keeps a tick
 * counter up to date on the top row of the screen.
 */
void pit_init(const char *cmdline);

extern volatile uint64_t timer_ticks; /* timer interrupts since pit_init() */
extern unsigned timer_hz;             /* the rate asked for, in Hz */
extern uint32_t pit_divisor;          /* the divisor programmed into channel 0 */

/*
 * Exercise 2 (timer.c). Program channel 0 to interrupt hz times a second (TIMER_HZ_MIN <= hz <=
 * TIMER_HZ_MAX): the divisor is PIT_HZ / hz rounded to the nearest integer, sent after a command
 * byte that selects channel 0, low-then-high byte access, mode 2 and binary counting (0x34; the
 * grader checks the bytes written, and mode 3 is not accepted). Record hz in timer_hz and the
 * divisor in pit_divisor.
 */
void pit_set_frequency(unsigned hz);

/* Exercise 2 (timer.c). The work of one timer interrupt: count it in timer_ticks. */
void timer_handle(void);

/* Exercise 2 (timer.c). Milliseconds since pit_init(), from timer_ticks and timer_hz: ticks *
 * 1000 / hz, rounded down, exact for any 64-bit tick count the product does not overflow. */
uint64_t timer_uptime_ms(void);
#else
static inline void pit_init(const char *cmdline)
{
}
#endif /* CONFIG_PIC */

#endif /* PIT_H */
