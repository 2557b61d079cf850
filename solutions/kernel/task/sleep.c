/*
 * sleep.c: the timer future (lab 9 reference solution). The list is unsorted: sleep_tick()
 * walks it all, which is fine for the handful of sleepers a teaching kernel has.
 */
#include "pit.h"
#include "sleep.h"
#include "spinlock.h"

static void unlink(struct sleep *s)
{
	for (struct sleep **p = &sleepers; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	s->linked = false;
}

enum poll_result sleep_poll(struct sleep *s, struct waker self)
{
	uint64_t flags = irq_save();
	enum poll_result r = POLL_PENDING;

	if (!s->started) {
		s->started = true;
		s->deadline = timer_ticks + s->ticks + 1;
		s->waker = self;
		s->next = sleepers;
		sleepers = s;
		s->linked = true;
	}
	if (timer_ticks >= s->deadline) {
		if (s->linked)
			unlink(s);
		r = POLL_READY;
	}
	irq_restore(flags);
	return r;
}

void sleep_tick(uint64_t now)
{
	struct sleep **p = &sleepers;

	while (*p) {
		struct sleep *s = *p;

		if (s->deadline <= now) {
			*p = s->next;
			s->linked = false;
			task_wake(s->waker);
		} else {
			p = &s->next;
		}
	}
}
