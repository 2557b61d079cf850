/*
 * sleep.h: a timer future, "sleep n ticks", woken from lab 5's timer interrupt (lab 9).
 *
 * A sleeping task's future sits on a list of sleepers with its deadline, a tick count. Each
 * timer interrupt calls sleep_tick() with the new count, which wakes every sleeper whose
 * deadline has come and takes it off the list. A sleep is never shorter than asked: it may
 * start anywhere between two ticks, so the next tick is only part of a period away and does
 * not count. The deadline is therefore now + n + 1 ticks, which makes the sleep last more
 * than n periods and at most n + 1.
 */
#ifndef SLEEP_H
#define SLEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "task.h"

struct sleep {
	uint64_t ticks;     /* how long, set by sleep_init() */
	uint64_t deadline;  /* timer_ticks value to wake at; set on the first poll */
	bool started;       /* the first poll happened (deadline is set) */
	bool linked;        /* on the sleepers list */
	struct waker waker; /* who to wake at the deadline */
	struct sleep *next; /* the sleepers list */
};

/* The list of sleepers (given, sleep_given.c); touch it with interrupts off only. The timer
 * calls sleep_tick() only while the list is not empty. */
extern struct sleep *sleepers;

#if CONFIG_ASYNC

/* Given. Prepare s to sleep n ticks (n >= 0); the clock starts at its first poll. */
void sleep_init(struct sleep *s, uint64_t n);

/*
 * Exercise 4 (sleep.c). The future. First poll: set the deadline to timer_ticks + ticks + 1,
 * remember self, and put s on the sleepers list. Any poll: ready (and off the list) once
 * timer_ticks has reached the deadline, else pending. List changes with interrupts off.
 */
enum poll_result sleep_poll(struct sleep *s, struct waker self);

/*
 * Exercise 4 (sleep.c). Called by the timer interrupt with the new tick count: wake every
 * sleeper whose deadline is <= now and unlink it.
 */
void sleep_tick(uint64_t now);
#else
static inline void sleep_tick(uint64_t now)
{
}
#endif /* CONFIG_ASYNC */

#endif /* SLEEP_H */
