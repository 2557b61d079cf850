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

#endif /* CONSOLE_H */
