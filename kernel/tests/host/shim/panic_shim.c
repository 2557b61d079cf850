/*
 * panic_at() for kernel code compiled into host tests. The kernel's version prints to the serial
 * port and stops the machine; this one formats the same message with the host's C library and
 * then either jumps back to the harness (which prints it, counts the panic as one failure and
 * runs the remaining tests) or, if no harness is listening, prints it to stderr and aborts.
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

	/* Report memset, not the k_memset that kernel_names.h renamed it to. */
	if (func[0] == 'k' && func[1] == '_')
		func += 2;
	va_start(ap, fmt);
	n = vsnprintf(shim_panic_message, sizeof(shim_panic_message), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(shim_panic_message))
		snprintf(shim_panic_message + n, sizeof(shim_panic_message) - (size_t)n,
			 " (at %s:%d in %s)", file, line, func);
	if (shim_panic_recover != NULL)
		longjmp(*shim_panic_recover, 1); /* the harness reports the message */
	fprintf(stderr, "PANIC: %s\n", shim_panic_message);
	abort();
}
