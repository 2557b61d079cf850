/*
 * console.h: where kprintf's characters go. In lab 1 that is the serial port only; from lab 2
 * on, the VGA text console too.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdint.h>

/* Send one character to every console device. */
void console_putc(char c);

/* From now on print on the serial port only, without locking (panic() calls this). */
void console_panic(void);

/*
 * From now on hold the console lock with interrupts disabled (spin_lock_irqsave), so that an
 * interrupt handler may print (lab 5: irq_enable() calls this just before enabling interrupts).
 */
void console_irq_safe(void);

/*
 * Hold the console lock across several prints that must stay together (the in-kernel test
 * runner's protocol lines, which an interrupt handler's output must not split). Returns what
 * console_lock_give() needs; both do nothing once the kernel panics. Do not call kprintf while
 * holding it: kprintf takes the same lock.
 */
#define CONSOLE_LOCK_MASKED (1ull << 63) /* taken with interrupts masked (not an RFLAGS bit) */
uint64_t console_lock_take(void);
void console_lock_give(uint64_t flags);

#endif /* CONSOLE_H */
