/*
 * serial.c: a polled driver for the 16550 UART at COM1 (I/O ports 0x3f8..0x3ff).
 *
 * The UART turns bytes written to its transmit holding register (THR) into bits on the serial
 * line. Before sending, we wait until the line status register (LSR) says the THR is empty.
 * Register offsets and bits are from the National Semiconductor PC16550D datasheet.
 */
#include <stdbool.h>
#include <stdint.h>

#include "serial.h"
#include "x86.h"

#define COM1 0x3f8
#define UART_DATA 0 /* THR on write, RBR on read; with DLAB=1: divisor low byte */
#define UART_IER 1  /* interrupt enable; with DLAB=1: divisor high byte */
#define UART_FCR 2  /* FIFO control */
#define UART_LCR 3  /* line control */
#define UART_MCR 4  /* modem control */
#define UART_LSR 5  /* line status */

#define LCR_8N1 0x03  /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB 0x80 /* divisor latch access: DATA and IER become the baud divisor */
#define FCR_ENABLE_CLEAR 0x07 /* enable FIFOs, clear receive and transmit FIFOs */
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_THR_EMPTY 0x20

#define UART_CLOCK 115200 /* the divisor is this clock divided by the baud rate */
#define BAUD 115200

void serial_init(void)
{
	uint16_t divisor = UART_CLOCK / BAUD;

	outb(COM1 + UART_IER, 0x00); /* polled: no UART interrupts */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, divisor & 0xff);
	outb(COM1 + UART_IER, divisor >> 8);
	outb(COM1 + UART_LCR, LCR_8N1); /* also clears DLAB */
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

static void serial_send(uint8_t b)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		cpu_relax();
	outb(COM1 + UART_DATA, b);
}

static bool at_line_start = true;

void serial_putc(char c)
{
	if (c == '\n')
		serial_send('\r');
	serial_send((uint8_t)c);
	at_line_start = c == '\n';
}

bool serial_at_line_start(void)
{
	return at_line_start;
}

void serial_write(const char *s)
{
	while (*s)
		serial_putc(*s++);
}
