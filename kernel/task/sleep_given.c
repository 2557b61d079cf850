/*
 * sleep_given.c: the sleepers list and sleep_init() (lab 9, given). The future's poll and the
 * timer's side are in sleep.c.
 */
#include "sleep.h"

struct sleep *sleepers;

void sleep_init(struct sleep *s, uint64_t n)
{
	s->ticks = n;
	s->deadline = 0;
	s->started = false;
	s->linked = false;
	s->waker.id = TASK_NO_ID;
	s->next = NULL;
}
