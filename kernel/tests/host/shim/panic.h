/*
 * Host stand-in for kernel/core/panic.h, found first on the include path when a kernel source
 * file is compiled into a host test. It keeps the kernel's interface (panic() is a macro that
 * records where it was called and calls panic_at()), but panic_at() here is the one in
 * panic_shim.c: it prints the message and returns control to the test harness, or aborts.
 * assert() is the kernel's too. Keep the two headers' interfaces in step.
 */
#ifndef PANIC_H
#define PANIC_H

/* Prints "PANIC: <message>" with the place it came from, then never returns. */
__attribute__((noreturn, format(printf, 4, 5))) void
panic_at(const char *file, int line, const char *func, const char *fmt, ...);

#define panic(...) panic_at(__FILE__, __LINE__, __func__, __VA_ARGS__)

#define assert(cond)                                          \
	do {                                                  \
		if (!(cond))                                  \
			panic("assertion failed: %s", #cond); \
	} while (0)

#endif /* PANIC_H */
