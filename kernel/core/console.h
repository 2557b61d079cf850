/*
 * console.h: where kprintf's characters go. In lab 1 that is the serial port only; from lab 2
 * on, the VGA text console too.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

/* Send one character to every console device. */
void console_putc(char c);

/* From now on print on the serial port only, without locking (panic() calls this). */
void console_panic(void);

/*
 * From now on hold the console lock with interrupts disabled (spin_lock_irqsave), so that an
 * interrupt handler may print (lab 5: irq_enable() calls this just before enabling interrupts).
 */
void console_irq_safe(void);

#endif /* CONSOLE_H */
