/*
 * panic.h: stopping the kernel when an invariant is broken. panic("fmt", ...) prints the
 * message, where it was called from and a backtrace, then exits QEMU with the failure status.
 */
#ifndef PANIC_H
#define PANIC_H

#define panic(...) panic_at(__FILE__, __LINE__, __func__, __VA_ARGS__)

/* Called through panic(); never returns. */
__attribute__((noreturn, format(printf, 4, 5))) void panic_at(const char *file, int line,
							      const char *func, const char *fmt, ...);

/* Print the return addresses on the frame-pointer chain that starts at rbp. */
void backtrace_from(unsigned long rbp);

#define assert(cond)                                                                   \
	do {                                                                           \
		if (!(cond))                                                           \
			panic("assertion failed: %s", #cond);                          \
	} while (0)

#endif /* PANIC_H */
