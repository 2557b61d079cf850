/*
 * sleep.c: the timer future (lab 9, exercise 4): sleep_poll() for the task, sleep_tick() for
 * the timer interrupt. sleep.h has the contracts and the deadline rule. See
 * handouts/lab9-async.md, section 8.
 */
#include "panic.h"
#include "pit.h"
#include "sleep.h"
#include "spinlock.h"

enum poll_result sleep_poll(struct sleep *s, struct waker self)
{
	/* LAB 9: your code here */
	panic("lab 9: sleep_poll not implemented");
}

void sleep_tick(uint64_t now)
{
	/* LAB 9: your code here */
	panic("lab 9: sleep_tick not implemented");
}
