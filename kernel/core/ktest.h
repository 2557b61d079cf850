/*
 * ktest.h: in-kernel tests. A test is a function registered with
 *
 *     KTEST(lab1, memmove) { ... KT_ASSERT(x == y, "x is %d", x); ... }
 *
 * which places a struct ktest named "lab1.memmove" in the .ktests linker section. When the
 * command line says run=<patterns>, the runner runs every matching test and reports each on the
 * serial port in the format the grader reads (grade/README.md):
 *
 *     ktest <token> start lab1.memmove
 *     ktest <token> pass lab1.memmove          or   ktest <token> fail lab1.memmove <why>
 *
 * A KTEST_SHOULD_PANIC test passes only if it panics. Tests that end the machine (should-panic,
 * crash tests) are flagged "alone": a wildcard never selects them, only their exact name.
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "random.h"

#define KTEST_F_ALONE 0x1        /* run only when named exactly */
#define KTEST_F_SHOULD_PANIC 0x2 /* passes if and only if it panics */

struct ktest {
	const char *name;
	void (*fn)(void);
	unsigned flags;
};

#define KTEST_DEFINE(group, name, flags)                                                     \
	static void ktest_fn_##group##_##name(void);                                         \
	static const struct ktest ktest_rec_##group##_##name                                 \
		__attribute__((used, section(".ktests"), aligned(8))) = {                    \
			#group "." #name, ktest_fn_##group##_##name, (flags)};               \
	static void ktest_fn_##group##_##name(void)

#define KTEST(group, name) KTEST_DEFINE(group, name, 0)
#define KTEST_ALONE(group, name) KTEST_DEFINE(group, name, KTEST_F_ALONE)
#define KTEST_SHOULD_PANIC(group, name) \
	KTEST_DEFINE(group, name, KTEST_F_ALONE | KTEST_F_SHOULD_PANIC)

/* Mark the running test failed with a reason; the test goes on unless the caller returns. */
__attribute__((format(printf, 1, 2))) void ktest_fail(const char *fmt, ...);

/* Fail the running test and return from it when cond is false. */
#define KT_ASSERT(cond, ...)                                                                 \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			ktest_fail(__VA_ARGS__);                                             \
			return;                                                              \
		}                                                                            \
	} while (0)

/* Report a fact for the grader to check: "ktest <token> value <test> <key> <value>". */
__attribute__((format(printf, 2, 3))) void ktest_value(const char *key, const char *fmt, ...);

/* A generator seeded with the boot's token and the running test's name (see random.h). */
struct rng ktest_rng(void);

/* The boot's token as a number (0 when the command line has none). */
uint64_t ktest_token(void);

/* Print a line on the serial port only, never on the screen (tests may be checking it). */
__attribute__((format(printf, 1, 2))) void ktest_printf(const char *fmt, ...);

/*
 * Testing happens in steps, so that a lab's tests run as soon as the chapters they need are set
 * up, and before later chapters (perhaps still stubs) can break the boot:
 *   ktest_setup(cmdline)  reads token= run= hold; returns true if this boot runs tests;
 *   ktest_run_lab(n)      runs the selected tests of lab n (kmain calls it after lab n's setup);
 *   ktest_finish()        runs the remaining selected tests, reports, and leaves QEMU (or holds).
 * On a boot without run= all three do nothing.
 */
bool ktest_setup(const char *cmdline);
void ktest_run_lab(int lab);
void ktest_finish(void);

/* True on a boot that runs tests. */
bool ktest_active(void);

/*
 * In a KTEST_SHOULD_PANIC test: the panic only counts if its message starts with prefix (for
 * example "unhandled exception #PF"), so a panic for another reason (a stub, say) fails.
 */
void ktest_expect_panic(const char *prefix);

/* Called by panic() with its formatted message: finish the report of the run. May not return. */
void ktest_panic_hook(const char *message);

#endif /* KTEST_H */
