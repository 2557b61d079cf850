/*
 * panic_at() for kernel code compiled into host tests. The kernel's version prints to the serial
 * port and stops the machine; this one formats the same message with the host's C library,
 * prints it to stderr, and then either jumps back to the harness (so the remaining tests still
 * run and the panic counts as one failure) or, if no harness is listening, aborts.
 */
#include "panic.h"
#include "panic_shim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

jmp_buf *shim_panic_recover;
char shim_panic_message[512];

void panic_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(shim_panic_message, sizeof(shim_panic_message), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(shim_panic_message))
		snprintf(shim_panic_message + n, sizeof(shim_panic_message) - (size_t)n,
			 " (at %s:%d in %s)", file, line, func);
	fprintf(stderr, "PANIC: %s\n", shim_panic_message);
	fflush(stderr);
	if (shim_panic_recover != NULL)
		longjmp(*shim_panic_recover, 1);
	abort();
}
