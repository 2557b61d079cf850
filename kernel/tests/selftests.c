/*
 * selftests.c: deliberately broken tests that prove the grader itself works. Each is flagged
 * "alone", so only a run= naming it exactly selects it; the grader's own tests boot them and
 * check that each failure is reported for what it is (grade/selftest/test_broken_kernels.py).
 */
#include <stdint.h>

#include "ktest.h"
#include "panic.h"
#include "x86.h"

/* Hangs without a word: the grader must report a stall timeout. */
KTEST_ALONE(selftest, loop)
{
	for (;;)
		cpu_relax();
}

/* An exception with no usable IDT: #BP -> #GP -> double fault -> triple fault -> CPU reset. */
KTEST_ALONE(selftest, triple)
{
	static const struct descriptor_ptr empty = { 0, 0 };

	lidt(&empty);
	__asm__ volatile("int3");
}

/*
 * A write to an unmapped address (from lab 3 on, an exception report and a panic): the grader
 * must show the EXCEPTION line with its error code, and the faulting instruction's source line.
 * Before lab 3 there is no IDT, and the CPU resets.
 */
KTEST_ALONE(selftest, fault)
{
	*(volatile uint64_t *)0x7ffffff000ull = 0x5e1f;
}

/* Panics: the grader must show the message and a symbolised backtrace. */
KTEST_ALONE(selftest, panic)
{
	panic("selftest: deliberate panic");
}

/* Prints result lines with a token that is not the boot's: they must earn nothing. */
KTEST_ALONE(selftest, fake)
{
	uint64_t wrong = ktest_token() ^ 0x5a5a5a5a5a5a5a5aull;

	ktest_printf("ktest %016lx pass lab1.memset\n", (unsigned long)wrong);
	ktest_printf("ktest %016lx value lab1.memset digest 0000000000000000\n",
		     (unsigned long)wrong);
	ktest_printf("ktest pass lab1.memcpy\n");
}

/* A should-panic test that panics passes. */
KTEST_SHOULD_PANIC(selftest, should_panic)
{
	panic("selftest: the expected panic");
}

/* A should-panic test that returns fails. */
KTEST_SHOULD_PANIC(selftest, should_panic_returns)
{
}
