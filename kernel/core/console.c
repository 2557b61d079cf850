/*
 * console.c: kprintf and its output path. kprintf formats with kvformat (lib/kprintf.c) and
 * hands each character to console_putc, which copies it to every console device.
 */
#include <stdarg.h>

#include "console.h"
#include "kprintf.h"
#include "serial.h"

void console_putc(char c)
{
	serial_putc(c);
}

static void console_sink(char c, void *arg)
{
	(void)arg;
	console_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
	return kvformat(console_sink, 0, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
