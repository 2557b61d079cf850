/*
 * executor_core.c: waking tasks and the executor's run loop (lab 9, exercise 1).
 *
 * task_wake() puts a task back on the ready queue (task.h states when it must not);
 * executor_run() takes tasks off it and polls them, and sleeps when there is nothing to do.
 * The given half (task table, ready queue, spawning and freeing) is in executor.c. See
 * handouts/lab9-async.md, sections 4 and 5, and the lost wake-up in section 7.
 */
#include "irq.h"
#include "panic.h"
#include "spinlock.h"
#include "task.h"
#include "x86.h"

void task_wake(struct waker w)
{
	/* LAB 9: your code here */
	panic("lab 9: task_wake not implemented");
}

void executor_run(void)
{
	/* LAB 9: your code here */
	panic("lab 9: executor_run not implemented");
}
