/*
 * A tiny test harness shared by the host test programs. Tests are grouped; every check counts
 * once towards the tally, and a failing check prints one line naming its group (only the first
 * few per group, so one bug cannot flood the terminal). A group can also fail as a whole: by
 * panicking (the shim's panic_at() jumps back here), by running too long (an alarm), or by
 * tripping a sanitizer. In every case the program ends with the line "N passed, M failed" and
 * exits non-zero if anything failed. This header holds definitions and is meant to be included
 * by exactly one source file per program.
 */
#ifndef HOST_HARNESS_H
#define HOST_HARNESS_H

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

#include "shim/panic_shim.h"

/* Failures printed per group before the rest are only counted. */
#define HARNESS_REPORT_LIMIT 10
/* Seconds a group may run before it is declared stuck. */
#define HARNESS_GROUP_SECONDS 30

static int harness_passed, harness_failed;
static const char *harness_group = "(none)";
static int harness_group_passed, harness_group_failed;
static int harness_panics;

static bool harness_tally_printed;

static void harness_print_tally(void)
{
	harness_tally_printed = true;
	printf("%d passed, %d failed\n", harness_passed, harness_failed);
	fflush(stdout);
}

/*
 * Sanitizer settings, read by the sanitizer runtimes at startup. Leak checking is off: a group
 * that panics leaves its buffers behind on purpose, and the code under test allocates nothing.
 * UBSan aborts rather than exits, because it keeps its own copy of the death callback
 * (harness_init() can only reach AddressSanitizer's), and SIGABRT reaches harness_on_abort().
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "abort_on_error=1:print_stacktrace=1";
}

/* Called when a sanitizer is about to end the program: count the crash and print the tally. */
static void harness_on_sanitizer_death(void)
{
	if (harness_tally_printed)
		return;
	harness_failed++;
	printf("FAIL %s: stopped by a sanitizer (its report is on stderr)\n", harness_group);
	harness_print_tally();
}

static void harness_on_abort(int sig)
{
	(void)sig;
	harness_on_sanitizer_death();
	_exit(1);
}

static void harness_on_alarm(int sig)
{
	(void)sig;
	harness_failed++;
	printf("FAIL %s: still running after %d seconds (an endless loop?)\n", harness_group,
	       HARNESS_GROUP_SECONDS);
	harness_print_tally();
	_exit(1);
}

/* Sets up the crash and timeout handlers. Call once at the start of main(). */
static void harness_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	__sanitizer_set_death_callback(harness_on_sanitizer_death);
	signal(SIGABRT, harness_on_abort);
	signal(SIGALRM, harness_on_alarm);
}

/*
 * Counts one check. If ok is false, prints "FAIL <group>: <message>" (up to the report limit).
 * Returns ok, so a caller can stop early after a failure.
 */
__attribute__((format(printf, 2, 3))) static bool harness_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		harness_passed++;
		harness_group_passed++;
		return true;
	}
	harness_failed++;
	if (++harness_group_failed <= HARNESS_REPORT_LIMIT) {
		printf("FAIL %s: ", harness_group);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	} else if (harness_group_failed == HARNESS_REPORT_LIMIT + 1) {
		printf("FAIL %s: (further failures in this group are counted, not shown)\n",
		       harness_group);
	}
	return false;
}

/*
 * Runs fn() as the group called name. A panic inside it (through the shim's panic_at()) ends the
 * group and counts as one failure; the panic message is printed. Prints a one-line group summary.
 */
static void harness_run(const char *name, void (*fn)(void))
{
	jmp_buf recover;

	harness_group = name;
	harness_group_passed = harness_group_failed = 0;
	alarm(HARNESS_GROUP_SECONDS);
	if (setjmp(recover) == 0) {
		shim_panic_recover = &recover;
		fn();
	} else {
		harness_panics++;
		harness_failed++;
		harness_group_failed++;
		printf("FAIL %s: panicked: %s\n", name, shim_panic_message);
	}
	shim_panic_recover = NULL;
	alarm(0);
	printf("%-8s %s: %d passed, %d failed\n", harness_group_failed ? "FAILED" : "ok", name,
	       harness_group_passed, harness_group_failed);
}

/* Prints the final tally. Returns the exit status for main(): 0 if nothing failed, else 1. */
static int harness_finish(void)
{
	harness_print_tally();
	return harness_failed == 0 ? 0 : 1;
}

#endif /* HOST_HARNESS_H */
