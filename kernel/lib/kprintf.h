/*
 * Formatted output for the kernel. kvformat() is the one engine: it walks a printf-style format
 * string and hands each output character to a sink function, so the same code can write to the
 * serial port, the screen or a memory buffer. ksnprintf() is the buffer sink; kprintf() and
 * kvprintf() (defined with the console code, not here) are the console sink. Supported:
 * %c %s %d %i %u %x %X %p %%, flags - 0 + space #, a width and a precision (digits or *), and the
 * length modifiers hh h l ll z t j. There is no floating point.
 */
#ifndef KPRINTF_H
#define KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Receives one output character; arg is whatever the caller passed to kvformat(). */
typedef void (*kprintf_sink)(char c, void *arg);

/*
 * Formats fmt with the arguments in ap, calling sink(c, arg) once per output character in order.
 * Returns the number of characters emitted. An unknown conversion such as %q is copied to the
 * output literally and consumes no argument.
 */
int kvformat(kprintf_sink sink, void *arg, const char *fmt, va_list ap);

/*
 * Like C's vsnprintf(): writes at most size - 1 characters into buf and always NUL-terminates it
 * when size > 0 (buf may be NULL when size is 0). Returns the length the whole output would have
 * had, so a return value >= size means the output was truncated.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Like C's snprintf(); see kvsnprintf() for the truncation rules and the return value. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prints to the kernel console. Returns the number of characters printed. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like kprintf(), with the arguments already collected in ap. */
int kvprintf(const char *fmt, va_list ap);

#endif /* KPRINTF_H */
