/*
 * spsc.h: a fixed-size single-producer single-consumer byte queue without locks (lab 9).
 *
 * One side only pushes (the keyboard's interrupt handler), the other only pops (a task). head
 * and tail run freely and wrap around at 2^32; the slot of index i is buf[i % SPSC_SIZE]. The
 * queue holds head - tail bytes: it is empty when that is 0 and full when it is SPSC_SIZE. The
 * producer writes the slot and only then publishes the new head (a release store); the consumer
 * reads head (an acquire load) before it reads the slot, and publishes the new tail only after
 * it has read the slot. Each index has one writer, so no lock and no disabled interrupts are
 * needed on this single CPU, and the same code would be correct on two.
 */
#ifndef SPSC_H
#define SPSC_H

#include <stdbool.h>
#include <stdint.h>

#define SPSC_SIZE 64 /* bytes the queue holds; a power of two */

struct spsc {
	uint8_t buf[SPSC_SIZE];
	uint32_t head; /* next slot to write: written by the producer only */
	uint32_t tail; /* oldest byte: written by the consumer only */
};

/*
 * Exercise 2 (spsc.c). Producer side: append b and return true, or return false and change
 * nothing when the queue already holds SPSC_SIZE bytes (never overwrite, never wait).
 */
bool spsc_push(struct spsc *q, uint8_t b);

/* Exercise 2 (spsc.c). Consumer side: take the oldest byte into *b and return true, or return
 * false when the queue is empty. */
bool spsc_pop(struct spsc *q, uint8_t *b);

#endif /* SPSC_H */
