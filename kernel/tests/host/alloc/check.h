/*
 * check.h: what the unit tests (test_alloc.c) and the fuzz targets (fuzz_alloc.c) check about a
 * design, kept in one place so both check the same rules.
 *
 * The live set is every block handed out and not yet freed, sorted by address. live_add() checks
 * a new block (alignment, usable_size >= size, inside the open heap, no overlap with any other
 * live block) and fills its usable bytes with a pattern of its own; live_del() checks the
 * pattern, frees the block and checks free's return value; live_verify() checks every pattern.
 * heap_whole() checks, once every block is free, that the design is whole again as its rules
 * promise (alloc.h). Each failed check calls check_fail() and the function returns false.
 */
#ifndef HOST_CHECK_H
#define HOST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"

/* Reports one failed check (a printf format). The test program counts it; fuzzing aborts. */
extern void (*check_fail)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct live_block {
	uintptr_t p;
	size_t size;   /* what was asked */
	size_t usable; /* usable_size when it was handed out */
	uint64_t seed; /* the fill pattern */
};

#define LIVE_MAX 8192

struct live_set {
	const struct heap_ops *ops;
	size_t n;
	size_t requested, usable; /* sums over the live blocks */
	struct live_block b[LIVE_MAX];
};

void live_init(struct live_set *s, const struct heap_ops *ops);
/* Check and record block p (not NULL) of size bytes aligned to align. */
bool live_add(struct live_set *s, void *p, size_t size, size_t align);
/* Check the pattern of live block i, free it through the design and forget it. */
bool live_del(struct live_set *s, size_t i);
/* Forget live block i without freeing it (the caller freed or reallocated it). */
void live_forget(struct live_set *s, size_t i);
/* Check the patterns of every live block (size bytes of them: limit the cost of big blocks). */
bool live_verify(struct live_set *s, size_t i);
bool live_verify_all(struct live_set *s);
/* Free every live block, in a random-looking order drawn from seed. */
bool live_del_all(struct live_set *s, uint64_t seed);

/* With every block free: is the design named name whole again (alloc.h)? */
bool heap_whole(const char *name, const struct heap_ops *ops);

/* The free blocks a buddy should hold when the pages whose descriptor says meta or slab are
 * taken and every other open page is free: the largest aligned blocks (counts[0..MAX_ORDER]). */
void buddy_expected_counts(size_t *counts);

/* splitmix64: a fixed-seed generator, so every run draws the same numbers. */
static inline uint64_t check_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif /* HOST_CHECK_H */
