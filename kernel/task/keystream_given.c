/*
 * keystream_given.c: the keyboard stream's storage and its waker slot (lab 9, given).
 * The interesting halves, keystream_irq() and keystream_poll_next(), are in keystream.c.
 */
#include "keystream.h"

struct keystream keystream;
volatile bool keystream_claimed;
void (*keystream_test_hook)(void);

void keystream_set_waker(struct keystream *ks, struct waker w)
{
	if (keystream_test_hook)
		keystream_test_hook(); /* a test's byte arrives now, before the waker is stored */
	ks->waker = w;
	__atomic_store_n(&ks->has_waker, true, __ATOMIC_RELEASE);
}
