/*
 * keystream.c: the keyboard stream's two sides (lab 9 reference solution).
 */
#include "keystream.h"

void keystream_irq(struct keystream *ks, uint8_t code)
{
	if (!spsc_push(&ks->queue, code))
		ks->dropped++;
	else
		ks->pushed++;
	if (__atomic_load_n(&ks->has_waker, __ATOMIC_ACQUIRE)) {
		ks->has_waker = false;
		task_wake(ks->waker);
	}
}

enum poll_result keystream_poll_next(struct keystream *ks, struct waker self, uint8_t *code)
{
	if (spsc_pop(&ks->queue, code))
		return POLL_READY;
	keystream_set_waker(ks, self);
	/* A byte that came after the first look woke nobody: look again now the waker is set. */
	if (spsc_pop(&ks->queue, code))
		return POLL_READY;
	return POLL_PENDING;
}
