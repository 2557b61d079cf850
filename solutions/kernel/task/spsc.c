/*
 * spsc.c: the lock-free single-producer single-consumer queue (lab 9 reference solution).
 * The acquire and release orderings pair up: a consumer that sees the new head also sees the
 * byte written before it, and a producer that sees the new tail knows the slot was read.
 */
#include "spsc.h"

bool spsc_push(struct spsc *q, uint8_t b)
{
	uint32_t head = q->head;
	uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);

	if (head - tail == SPSC_SIZE)
		return false;
	q->buf[head % SPSC_SIZE] = b;
	__atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

bool spsc_pop(struct spsc *q, uint8_t *b)
{
	uint32_t tail = q->tail;
	uint32_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*b = q->buf[tail % SPSC_SIZE];
	__atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}
