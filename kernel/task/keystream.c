/*
 * keystream.c: the keyboard stream's two sides (lab 9, exercise 3): what the interrupt handler
 * does with a byte, and the future a task polls for the next one. keystream.h has the
 * contracts. See handouts/lab9-async.md, section 6.
 */
#include "keystream.h"
#include "panic.h"

void keystream_irq(struct keystream *ks, uint8_t code)
{
	/* LAB 9: your code here */
	panic("lab 9: keystream_irq not implemented");
}

enum poll_result keystream_poll_next(struct keystream *ks, struct waker self, uint8_t *code)
{
	/* LAB 9: your code here */
	panic("lab 9: keystream_poll_next not implemented");
}
