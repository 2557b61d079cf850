/*
 * lab9_bench.c: lab 9's benchmark, lab9.bench, run by `make bench-async` (tools/bench_async.py).
 *
 * It runs only when named exactly (run=lab9.bench), never in a graded boot, and uses only the
 * executor's public API (task.h). It measures, with the TSC, calibrated against the ACPI PM
 * timer:
 *   polls   BENCH_TASKS tasks that each yield BENCH_YIELDS times (wake themselves, return
 *           pending): polls made and the time they took;
 *   wake    one task wakes another (task_wake of its id) and yields; the time from just before
 *           the task_wake call to the first instruction of the woken task's poll, over
 *           BENCH_ROUNDS rounds: median and max;
 *   switch  for comparison, a minimal thread switch: save the callee-saved registers and rsp,
 *           load another stack's (lab9_bench_switch below), BENCH_SWITCHES round trips;
 *   bytes   what a task costs in memory: its record, its state, and the heap bytes one spawn
 *           takes, against the stack a thread would need.
 * Each result is a ktest value line, "ktest <token> value lab9.bench <key> <numbers>", which
 * tools/bench_async.py turns into a table and a CSV. Under QEMU TCG every figure is emulated
 * time: compare them with each other, not with a real CPU.
 */
#include "acpi_pm.h"
#include "kmalloc.h"
#include "ktest.h"
#include "task.h"
#include "x86.h"

#define BENCH_TASKS    64
#define BENCH_YIELDS   2000
#define BENCH_ROUNDS   2000
#define BENCH_SWITCHES 100000
#define BENCH_STACK    16384 /* the thread stack of the switch benchmark */

static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* TSC ticks per second, measured over 100 ms of the PM timer. */
static uint64_t tsc_calibrate(uint64_t *pm_counts)
{
	struct acpi_pm_watch w;
	uint64_t t0, t1, n;

	acpi_pm_start(&w);
	t0 = bench_tsc();
	while ((n = acpi_pm_elapsed(&w)) < acpi_pm_counts(100))
		cpu_relax();
	t1 = bench_tsc();
	*pm_counts = n;
	return (t1 - t0) * ACPI_PM_TIMER_HZ / n;
}

/* ---- polls: tasks that only yield. ---- */

struct yielder {
	int co_line;
	int left;
};

static enum poll_result yielder_poll(void *state, struct waker w)
{
	struct yielder *y = state;

	CO_BEGIN(y);
	while (y->left > 0) {
		y->left--;
		CO_YIELD(y, w);
	}
	CO_END(y);
}

/* ---- wake: one task wakes another. ---- */

static uint64_t lat[BENCH_ROUNDS];
static int lat_n;
static uint64_t wake_t0;  /* the TSC just before the waker's task_wake */
static bool wake_armed;   /* a wake is on its way: the waiter's next poll measures it */
static bool wake_done;    /* the waker has finished: the waiter finishes too */
static uint32_t waiter_id;

static enum poll_result waiter_poll(void *state, struct waker w)
{
	uint64_t t1 = bench_tsc();

	if (wake_armed) {
		wake_armed = false;
		if (lat_n < BENCH_ROUNDS)
			lat[lat_n++] = t1 - wake_t0;
	}
	return wake_done ? POLL_READY : POLL_PENDING; /* pending: sleeps until the waker wakes it */
}

static enum poll_result waker_poll(void *state, struct waker w)
{
	int *round = state;

	if (*round >= BENCH_ROUNDS) {
		wake_done = true;
		task_wake((struct waker){ waiter_id });
		return POLL_READY;
	}
	(*round)++;
	wake_armed = true;
	wake_t0 = bench_tsc();
	task_wake((struct waker){ waiter_id });
	task_wake(w); /* queued after the waiter: the waiter is polled next */
	return POLL_PENDING;
}

static void sort_u64(uint64_t *a, int n)
{
	for (int gap = n / 2; gap > 0; gap /= 2)
		for (int i = gap; i < n; i++)
			for (int j = i; j >= gap && a[j - gap] > a[j]; j -= gap) {
				uint64_t t = a[j];

				a[j] = a[j - gap];
				a[j - gap] = t;
			}
}

/* ---- switch: a minimal stack switch between two threads. ---- */

/*
 * lab9_bench_switch(save, load): push the callee-saved registers (the caller's ABI already
 * assumes the others are lost across a call), store rsp in *save, load rsp from load, pop that
 * stack's callee-saved registers and return on it. This is the core of every thread switch;
 * a real one adds the choice of the next thread and, between processes, cr3.
 */
void lab9_bench_switch(uint64_t *save, uint64_t load);
__asm__(".text\n"
	".globl lab9_bench_switch\n"
	".type lab9_bench_switch, @function\n"
	"lab9_bench_switch:\n"
	"\tpush %rbp\n\tpush %rbx\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\tpush %r15\n"
	"\tmov %rsp, (%rdi)\n"
	"\tmov %rsi, %rsp\n"
	"\tpop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbx\n\tpop %rbp\n"
	"\tret\n"
	".size lab9_bench_switch, . - lab9_bench_switch\n");

static uint8_t thread_stack[BENCH_STACK] __attribute__((aligned(16)));
static uint64_t main_rsp, thread_rsp;
static volatile uint64_t thread_switches;

static __attribute__((noreturn)) void thread_entry(void)
{
	for (;;) {
		thread_switches++;
		lab9_bench_switch(&thread_rsp, main_rsp);
	}
}

/* A stack that lab9_bench_switch can load: six zero registers, then thread_entry as the
 * return address and a zero fake return address above it (rsp is 8 mod 16 at entry). */
static void thread_init(void)
{
	uint64_t *sp = (uint64_t *)(thread_stack + sizeof(thread_stack));

	*--sp = 0;
	*--sp = (uint64_t)thread_entry;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	thread_rsp = (uint64_t)sp;
}

KTEST_ALONE(lab9, bench)
{
	uint64_t pm, hz, t0, t1, polls0;
	struct acpi_pm_watch w;
	struct heap_stats before, after;

	KT_ASSERT(acpi_pm_init(), "no ACPI PM timer to calibrate the TSC with");
	hz = tsc_calibrate(&pm);
	ktest_value("tsc_hz", "%lu %lu", (unsigned long)hz, (unsigned long)pm);

	/* polls */
	heap_get_stats(&before);
	for (int i = 0; i < BENCH_TASKS; i++) {
		struct yielder *y = kcalloc(1, sizeof(*y));

		KT_ASSERT(y, "out of memory");
		y->left = BENCH_YIELDS;
		KT_ASSERT(task_spawn(yielder_poll, y) != TASK_NO_ID, "task_spawn failed");
	}
	heap_get_stats(&after);
	polls0 = executor_polls;
	acpi_pm_start(&w);
	t0 = bench_tsc();
	executor_run();
	t1 = bench_tsc();
	pm = acpi_pm_elapsed(&w);
	ktest_value("polls", "%d %d %lu %lu %lu", BENCH_TASKS, BENCH_YIELDS,
		    (unsigned long)(executor_polls - polls0), (unsigned long)(t1 - t0),
		    (unsigned long)pm);
	ktest_value("bytes", "%lu %lu %lu %d", (unsigned long)sizeof(struct task),
		    (unsigned long)sizeof(struct yielder),
		    (unsigned long)((after.in_use - before.in_use) / BENCH_TASKS), BENCH_STACK);

	/* wake */
	lat_n = 0;
	wake_armed = wake_done = false;
	waiter_id = task_spawn(waiter_poll, NULL);
	KT_ASSERT(waiter_id != TASK_NO_ID, "task_spawn failed");
	KT_ASSERT(task_spawn(waker_poll, kcalloc(1, sizeof(int))) != TASK_NO_ID,
		  "task_spawn failed");
	executor_run();
	KT_ASSERT(lat_n == BENCH_ROUNDS, "%d wake rounds measured of %d", lat_n, BENCH_ROUNDS);
	sort_u64(lat, lat_n);
	ktest_value("wake", "%d %lu %lu %lu", lat_n, (unsigned long)lat[0],
		    (unsigned long)lat[lat_n / 2], (unsigned long)lat[lat_n - 1]);

	/* switch */
	thread_init();
	thread_switches = 0;
	acpi_pm_start(&w);
	t0 = bench_tsc();
	for (int i = 0; i < BENCH_SWITCHES; i++)
		lab9_bench_switch(&main_rsp, thread_rsp);
	t1 = bench_tsc();
	pm = acpi_pm_elapsed(&w);
	KT_ASSERT(thread_switches == BENCH_SWITCHES, "the thread ran %lu times of %d",
		  (unsigned long)thread_switches, BENCH_SWITCHES);
	ktest_value("switch", "%d %lu %lu", 2 * BENCH_SWITCHES, (unsigned long)(t1 - t0),
		    (unsigned long)pm);
}
