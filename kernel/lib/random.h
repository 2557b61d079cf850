/*
 * random.h: a small deterministic random number generator (splitmix64) and the FNV-1a hash.
 * Tests draw their inputs from a generator seeded with the boot's token, and the grader runs the
 * same generator in Python (grade/), so it knows what every test was asked to do.
 */
#ifndef RANDOM_H
#define RANDOM_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t state;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number in [0, n). The slight bias of the modulo does not matter for tests. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

#define FNV1A64_OFFSET 0xcbf29ce484222325ull
#define FNV1A64_PRIME 0x100000001b3ull

/* Fold n bytes into the running FNV-1a 64-bit hash h (start with FNV1A64_OFFSET). */
static inline uint64_t fnv1a64_update(uint64_t h, const void *data, size_t n)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV1A64_PRIME;
	return h;
}

#endif /* RANDOM_H */
