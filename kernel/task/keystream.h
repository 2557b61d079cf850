/*
 * keystream.h: the keyboard as a stream of scancodes for tasks (lab 9).
 *
 * From lab 9 on the keyboard's interrupt handler (drivers/keyboard.c) hands every byte it reads
 * to keystream_irq() and does nothing else: push the byte into a lock-free queue (spsc.h), count
 * it as dropped if the queue is full, and wake the waker a task left there. A task takes bytes
 * out with keystream_poll_next(). The stored waker is taken (cleared) by the wake, the way a
 * one-shot notification works, so a task that finds the queue empty must store its waker again
 * each time, and then look at the queue once more: a byte that arrived after its first look but
 * before its waker was stored woke nobody. See handouts/lab9-async.md, section 6.
 */
#ifndef KEYSTREAM_H
#define KEYSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "spsc.h"
#include "task.h"

struct keystream {
	struct spsc queue;  /* scancodes from the interrupt handler */
	struct waker waker; /* who to wake (valid when has_waker) */
	volatile bool has_waker;
	volatile uint64_t pushed;  /* bytes queued */
	volatile uint64_t dropped; /* bytes lost because the queue was full */
};

extern struct keystream keystream; /* the keyboard's stream (keystream_given.c) */

#if CONFIG_ASYNC

/* True once a task has claimed the keyboard: keyboard.c then routes its bytes here. */
extern volatile bool keystream_claimed;

/*
 * Given (keystream_given.c). Store w as the waker to wake on the next byte (has_waker set after
 * the waker itself is written). Tests may install keystream_test_hook, called first, with
 * interrupts on: it makes a byte arrive right then.
 */
void keystream_set_waker(struct keystream *ks, struct waker w);
extern void (*keystream_test_hook)(void);

/*
 * Exercise 3 (keystream.c). The interrupt side: push code into ks->queue; if the queue is full
 * count it in ks->dropped instead (and never wait); otherwise count it in ks->pushed. Then, if
 * a waker is stored, clear has_waker and wake it. Runs in the keyboard's interrupt handler.
 */
void keystream_irq(struct keystream *ks, uint8_t code);

/*
 * Exercise 3 (keystream.c). The task side, a future: if a byte is queued, take it into *code
 * and return POLL_READY. Otherwise store self with keystream_set_waker(), then look at the
 * queue again: ready with the byte if one came meanwhile, else POLL_PENDING.
 */
enum poll_result keystream_poll_next(struct keystream *ks, struct waker self, uint8_t *code);
#else
static inline void keystream_irq(struct keystream *ks, uint8_t code)
{
}
#define keystream_claimed 0
#endif /* CONFIG_ASYNC */

#endif /* KEYSTREAM_H */
