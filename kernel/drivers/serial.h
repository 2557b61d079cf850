/*
 * serial.h: the COM1 16550 UART, the kernel's first and most reliable output. QEMU connects it to
 * your terminal (make qemu) or to a log file (the grader).
 */
#ifndef SERIAL_H
#define SERIAL_H

#include <stdbool.h>

/* Program COM1 for 115200 baud, 8 data bits, no parity, 1 stop bit, FIFOs on. */
void serial_init(void);

/* Send one byte, waiting until the transmitter can take it. '\n' is sent as "\r\n". */
void serial_putc(char c);

/* True when the last byte sent ended a line (or nothing was sent yet). */
bool serial_at_line_start(void);

/* Send a NUL-terminated string. */
void serial_write(const char *s);

#endif /* SERIAL_H */
