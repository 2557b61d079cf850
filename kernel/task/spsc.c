/*
 * spsc.c: the lock-free single-producer single-consumer queue (lab 9, exercise 2). spsc.h has
 * the layout and the rules: who writes which index, and in which order. See
 * handouts/lab9-async.md, section 6.
 */
#include "panic.h"
#include "spsc.h"

bool spsc_push(struct spsc *q, uint8_t b)
{
	/* LAB 9: your code here */
	panic("lab 9: spsc_push not implemented");
}

bool spsc_pop(struct spsc *q, uint8_t *b)
{
	/* LAB 9: your code here */
	panic("lab 9: spsc_pop not implemented");
}
