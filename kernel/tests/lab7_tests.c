/*
 * lab7_tests.c: in-kernel tests for lab 7 (the heap).
 *
 * The kernel checks what it can itself (contents read back, alignment, the NULL cases, the
 * statistics) and reports facts with ktest_value() for the grader to check against the machine
 * (grade/test_lab7.py): lab7.readback leaves blocks of drawn sizes filled with a drawn pattern
 * allocated, and the grader reads them through QEMU at the physical addresses gva2gpa gives and
 * walks the heap's page tables; lab7.array's sum, lab7.reuse's total and the panics' pointers
 * are recomputed from the token. Random inputs come from ktest_rng(), so the order of the draws
 * is part of the contract with the grader.
 *
 * Groups: most tests share one boot that holds (the default heap); lab7.reuse and lab7.exhaust
 * share a boot with a small heap (heap=); lab7.irq has a boot at hz=1000; each debug-mode panic
 * test is alone.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "irq.h"
#include "kmalloc.h"
#include "kprintf.h"
#include "ktest.h"
#include "pit.h"
#include "spinlock.h"
#include "string.h"

/* Fill n bytes at p with the byte stream of splitmix64 seeded with seed (little-endian words):
 * the grader computes the same stream. */
static void fill_stream(void *p, size_t n, uint64_t seed)
{
	struct rng f = { seed };
	uint8_t *b = p;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = rng_next(&f);

		for (size_t k = 0; k < 8 && i + k < n; k++)
			b[i + k] = (uint8_t)(w >> (8 * k));
	}
}

/* The offset of the first byte of p[0..n) that differs from the stream, or n. */
static size_t check_stream(const void *p, size_t n, uint64_t seed)
{
	struct rng f = { seed };
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = rng_next(&f);

		for (size_t k = 0; k < 8 && i + k < n; k++)
			if (b[i + k] != (uint8_t)(w >> (8 * k)))
				return i + k;
	}
	return n;
}

static bool in_heap(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;

	return a >= HEAP_BASE && a < heap_end() && n <= heap_end() - a;
}

static bool overlap(const void *a, size_t na, const void *b, size_t nb)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y + nb && y < x + na;
}

/* ---- Blocks read back: several allocations hold what was written, side by side. ---- */

#define VALUES_N 24
static const size_t edge_sizes[] = { 1, 15, 16, 17, 31, 32, 33, 4095, 4096, 4097, 12289 };
#define EDGES (sizeof(edge_sizes) / sizeof(edge_sizes[0]))

/*
 * Draws: VALUES_N - EDGES random sizes in 1..3000, then the seed, then the order of the frees.
 * Every block is allocated before any is checked, so a block that overlaps another (or a
 * header) shows up as a changed byte.
 */
KTEST(lab7, values)
{
	struct rng r = ktest_rng();
	static void *p[VALUES_N];
	static size_t size[VALUES_N], again[VALUES_N];
	struct heap_stats s0, s1;
	uint64_t seed, usable = 0;

	heap_get_stats(&s0);
	for (size_t i = 0; i < VALUES_N; i++)
		size[i] = i < EDGES ? edge_sizes[i] : 1 + rng_below(&r, 3000);
	seed = rng_next(&r);
	for (size_t i = 0; i < VALUES_N; i++) {
		p[i] = kmalloc(size[i]);
		KT_ASSERT(p[i], "kmalloc(%lu) returned NULL with a 16 MiB heap",
			  (unsigned long)size[i]);
		KT_ASSERT((uintptr_t)p[i] % HEAP_MIN_ALIGN == 0,
			  "kmalloc(%lu) returned %p: not 16-aligned", (unsigned long)size[i], p[i]);
		KT_ASSERT(in_heap(p[i], size[i]),
			  "kmalloc(%lu) returned %p, outside the mapped heap",
			  (unsigned long)size[i], p[i]);
		KT_ASSERT(heap_usable_size(p[i]) >= size[i],
			  "kmalloc(%lu) returned a block of %lu usable bytes",
			  (unsigned long)size[i], (unsigned long)heap_usable_size(p[i]));
		usable += heap_usable_size(p[i]);
		fill_stream(p[i], size[i], seed + i);
	}
	for (size_t i = 0; i < VALUES_N; i++) {
		size_t bad = check_stream(p[i], size[i], seed + i);

		KT_ASSERT(
			bad == size[i],
			"block %lu (%p, %lu bytes) changed at byte %lu after the other blocks were "
			"allocated and filled: blocks overlap",
			(unsigned long)i, p[i], (unsigned long)size[i], (unsigned long)bad);
		for (size_t j = 0; j < i; j++)
			KT_ASSERT(!overlap(p[i], size[i], p[j], size[j]),
				  "blocks %p and %p overlap", p[i], p[j]);
	}
	heap_get_stats(&s1);
	KT_ASSERT(
		s1.allocs == s0.allocs + VALUES_N && s1.in_use == s0.in_use + usable,
		"after %d allocations the statistics moved by %lu allocations and %lu bytes in use "
		"(expected %lu)",
		VALUES_N, (unsigned long)(s1.allocs - s0.allocs),
		(unsigned long)(s1.in_use - s0.in_use), (unsigned long)usable);
	memcpy(again, size, sizeof(size)); /* the frees below reorder size[] */
	for (size_t left = VALUES_N; left > 0; left--) {
		size_t k = rng_below(&r, left);
		void *q = p[k];

		p[k] = p[left - 1];
		size[k] = size[left - 1];
		kfree(q);
	}
	heap_get_stats(&s1);
	KT_ASSERT(
		s1.frees == s0.frees + VALUES_N && s1.in_use == s0.in_use,
		"after freeing every block, %lu frees were counted and %ld bytes are still in use",
		(unsigned long)(s1.frees - s0.frees), (long)(s1.in_use - s0.in_use));
	KT_ASSERT(s1.mapped <= s1.limit && s1.mapped % PAGE_SIZE == 0,
		  "%lu bytes mapped, limit %lu", (unsigned long)s1.mapped, (unsigned long)s1.limit);
	/* The same sizes again fit in the memory just freed: the heap must not grow. */
	for (size_t i = 0; i < VALUES_N; i++) {
		p[i] = kmalloc(again[i]);
		KT_ASSERT(p[i], "kmalloc(%lu) returned NULL", (unsigned long)again[i]);
	}
	heap_get_stats(&s0);
	for (size_t i = 0; i < VALUES_N; i++)
		kfree(p[i]);
	KT_ASSERT(s0.mapped == s1.mapped,
		  "allocating blocks that fit in freed memory grew the heap from %lu to %lu bytes: "
		  "heap_grow() is only for when nothing free fits",
		  (unsigned long)s1.mapped, (unsigned long)s0.mapped);
}

/* ---- A growable array: krealloc keeps every element. ---- */

#define ARRAY_N 1000

/* Draws: ARRAY_N values below 2^32, in order. The grader recomputes their sum. */
KTEST(lab7, array)
{
	struct rng r = ktest_rng();
	uint64_t *a = NULL, sum = 0, want = 0;
	size_t cap = 0;
	void *spacer = NULL;

	for (size_t i = 0; i < ARRAY_N; i++) {
		uint64_t v = rng_below(&r, 1ull << 32);

		if (i == cap) {
			uint64_t *b;

			cap = cap ? cap + cap / 2 + 1 : 1;
			b = krealloc(a, cap * sizeof(*a));
			KT_ASSERT(b, "krealloc to %lu elements returned NULL", (unsigned long)cap);
			a = b;
			/* Something right behind the array, so that the next growth must move it. */
			kfree(spacer);
			spacer = kmalloc(1 + i % 200);
			KT_ASSERT(spacer, "kmalloc returned NULL");
		}
		a[i] = v;
		want += v;
		for (size_t k = 0; k <= i; k += 97)
			KT_ASSERT(a[k] != 0x6b6b6b6b6b6b6b6bull,
				  "element %lu is poison after growing", (unsigned long)k);
	}
	for (size_t i = 0; i < ARRAY_N; i++)
		sum += a[i];
	ktest_value("sum", "%lu", (unsigned long)sum);
	KT_ASSERT(sum == want, "the %d elements sum to %lu, not %lu: krealloc lost some", ARRAY_N,
		  (unsigned long)sum, (unsigned long)want);
	kfree(spacer);
	kfree(a);
}

/* ---- Alignment: every power of two from 8 to 4096. ---- */

#define ALIGN_SIZES 3

/* Draws: for each alignment 8, 16, ..., 4096, one size in 1..5000 (the others are 1 and the
 * alignment itself). Every block stays allocated until all are filled and checked. */
KTEST(lab7, align)
{
	struct rng r = ktest_rng();
	static void *p[10 * ALIGN_SIZES];
	static size_t size[10 * ALIGN_SIZES];
	char line[160];
	int n = 0;

	for (size_t align = 8; align <= 4096; align *= 2) {
		size_t sizes[ALIGN_SIZES] = { 1, align, 1 + rng_below(&r, 5000) };
		int at = 0;

		for (int k = 0; k < ALIGN_SIZES; k++, n++) {
			size[n] = sizes[k];
			p[n] = kmalloc_aligned(sizes[k], align);
			KT_ASSERT(p[n], "kmalloc_aligned(%lu, %lu) returned NULL",
				  (unsigned long)sizes[k], (unsigned long)align);
			at += ksnprintf(line + at, sizeof(line) - (size_t)at, "%s%016lx",
					k ? " " : "", (unsigned long)p[n]);
			KT_ASSERT((uintptr_t)p[n] % align == 0 &&
					  (uintptr_t)p[n] % HEAP_MIN_ALIGN == 0,
				  "kmalloc_aligned(%lu, %lu) returned %p", (unsigned long)sizes[k],
				  (unsigned long)align, p[n]);
			KT_ASSERT(
				in_heap(p[n], sizes[k]) && heap_usable_size(p[n]) >= sizes[k],
				"kmalloc_aligned(%lu, %lu) returned %p: outside the heap or too small",
				(unsigned long)sizes[k], (unsigned long)align, p[n]);
			fill_stream(p[n], sizes[k], (uint64_t)n);
		}
		{
			char key[16];

			ksnprintf(key, sizeof(key), "a%lu", (unsigned long)align);
			ktest_value(key, "%s", line);
		}
	}
	for (int i = 0; i < n; i++)
		KT_ASSERT(check_stream(p[i], size[i], (uint64_t)i) == size[i],
			  "aligned block %p (%lu bytes) was overwritten: blocks overlap", p[i],
			  (unsigned long)size[i]);
	for (size_t align = 1; align < HEAP_MIN_ALIGN; align *= 2) {
		void *q = kmalloc_aligned(24, align);

		KT_ASSERT(q && (uintptr_t)q % HEAP_MIN_ALIGN == 0,
			  "kmalloc_aligned(24, %lu) returned %p: a small alignment gives 16",
			  (unsigned long)align, q);
		kfree(q);
	}
	for (int i = 0; i < n; i++)
		kfree(p[i]);
}

/* ---- Coalescing: three freed neighbours become one block again. ---- */

#define FIRSTFIT_HDR 32 /* the header heap_firstfit.c puts in front of every block */

static const char *const coalesce_orders[6] = { "abc", "acb", "bac", "bca", "cab", "cba" };

/*
 * Draws: the order of the six rounds (a shuffle of the six free orders), then for each round
 * three sizes in 1..3000. A round allocates neighbours a, b, c and a guard block behind them,
 * frees a, b and c in its order, and asks for exactly their usable sizes plus the two headers
 * between them: only the merged block fits that, and it starts at a. It runs after lab7.align,
 * lab7.array and lab7.calloc, which free everything, so the blocks come from one free block.
 * Reported as "round<i>": the order, the three sizes, then a and the merged block's address.
 */
KTEST(lab7, coalesce)
{
	struct rng r = ktest_rng();
	int order[6] = { 0, 1, 2, 3, 4, 5 };

	for (int i = 5; i > 0; i--) {
		int j = (int)rng_below(&r, (uint64_t)i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int round = 0; round < 6; round++) {
		const char *how = coalesce_orders[order[round]];
		size_t size[3], usable[3], total = 2 * FIRSTFIT_HDR;
		uint8_t *blk[3], *guard, *big;
		char key[16];

		for (int i = 0; i < 3; i++)
			size[i] = 1 + rng_below(&r, 3000);
		for (int i = 0; i < 3; i++) {
			blk[i] = kmalloc(size[i]);
			KT_ASSERT(blk[i], "kmalloc(%lu) returned NULL", (unsigned long)size[i]);
			usable[i] = heap_usable_size(blk[i]);
			total += usable[i];
		}
		guard = kmalloc(16);
		KT_ASSERT(guard, "kmalloc(16) returned NULL");
		for (int i = 1; i < 3; i++)
			KT_ASSERT(
				blk[i] == blk[i - 1] + usable[i - 1] + FIRSTFIT_HDR,
				"kmalloc(%lu) returned %p, kmalloc(%lu) then %p: with every block "
				"free, first fit puts the second right after the first's %lu usable "
				"bytes and the next 32-byte header (%p)",
				(unsigned long)size[i - 1], (void *)blk[i - 1],
				(unsigned long)size[i], (void *)blk[i],
				(unsigned long)usable[i - 1],
				(void *)(blk[i - 1] + usable[i - 1] + FIRSTFIT_HDR));
		for (int i = 0; i < 3; i++)
			kfree(blk[how[i] - 'a']);
		big = kmalloc(total);
		ksnprintf(key, sizeof(key), "round%d", round);
		ktest_value(key, "%s %lu %lu %lu %016lx %016lx", how, (unsigned long)size[0],
			    (unsigned long)size[1], (unsigned long)size[2],
			    (unsigned long)(uintptr_t)blk[0], (unsigned long)(uintptr_t)big);
		KT_ASSERT(
			big == blk[0],
			"blocks a=%p (%lu usable bytes), b=%p (%lu), c=%p (%lu) freed in the order "
			"%c, %c, %c; then kmalloc(%lu), their bytes and the two headers between "
			"them, returned %p, not a: the three were not merged into one free block",
			(void *)blk[0], (unsigned long)usable[0], (void *)blk[1],
			(unsigned long)usable[1], (void *)blk[2], (unsigned long)usable[2], how[0],
			how[1], how[2], (unsigned long)total, (void *)big);
		KT_ASSERT(
			heap_usable_size(big) == total,
			"the merged block of a, b and c (freed in the order %s) has %lu usable "
			"bytes, not %lu: the guard block behind c is live, so nothing else can be "
			"part of it",
			how, (unsigned long)heap_usable_size(big), (unsigned long)total);
		kfree(big);
		kfree(guard);
	}
}

/* ---- The documented NULL cases: nothing reaches the heap. ---- */

static bool same_counts(const struct heap_stats *a, const struct heap_stats *b)
{
	return a->allocs == b->allocs && a->frees == b->frees && a->failures == b->failures &&
	       a->mapped == b->mapped && a->in_use == b->in_use;
}

KTEST(lab7, edges)
{
	struct heap_stats s0, s1;
	static const struct {
		size_t size, align;
	} refused[] = {
		{ 0, 16 },
		{ KMALLOC_MAX + 1, 16 },
		{ SIZE_MAX, 16 },
		{ SIZE_MAX - 15, 16 },
		{ SIZE_MAX - 4000, 4096 },
		{ (size_t)1 << 63, 16 },
		{ 64, 0 },
		{ 64, 3 },
		{ 64, 48 },
		{ 64, 8192 },
		{ 64, (size_t)1 << 63 },
		{ 0, 4096 },
	};
	void *p;

	heap_get_stats(&s0);
	p = kmalloc(0);
	KT_ASSERT(p == NULL, "kmalloc(0) returned %p, not NULL", p);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		p = kmalloc_aligned(refused[i].size, refused[i].align);
		KT_ASSERT(p == NULL, "kmalloc_aligned(%#lx, %#lx) returned %p, not NULL",
			  (unsigned long)refused[i].size, (unsigned long)refused[i].align, p);
	}
	p = kmalloc(SIZE_MAX);
	KT_ASSERT(p == NULL, "kmalloc(SIZE_MAX) returned %p", p);
	p = krealloc(NULL, 0);
	KT_ASSERT(p == NULL, "krealloc(NULL, 0) returned %p: it is kmalloc(0)", p);
	kfree(NULL);
	heap_get_stats(&s1);
	KT_ASSERT(same_counts(&s0, &s1),
		  "refused requests reached the heap: allocations %lu -> %lu, failures %lu -> %lu, "
		  "mapped %lu -> %lu (they must return NULL before calling heap_alloc)",
		  (unsigned long)s0.allocs, (unsigned long)s1.allocs, (unsigned long)s0.failures,
		  (unsigned long)s1.failures, (unsigned long)s0.mapped, (unsigned long)s1.mapped);
	p = kmalloc(KMALLOC_MAX);
	KT_ASSERT(p == NULL, "kmalloc(KMALLOC_MAX) with a 16 MiB heap returned %p", p);
	heap_get_stats(&s1);
	KT_ASSERT(s1.failures == s0.failures + 1 && s1.mapped <= s1.limit,
		  "kmalloc(KMALLOC_MAX) should reach the heap and fail there once");
}

/* ---- kcalloc: zeroed, and NULL on overflow. ---- */

KTEST(lab7, calloc)
{
	struct rng r = ktest_rng();
	static const struct {
		size_t n, size;
	} overflow[] = {
		{ SIZE_MAX, 2 },
		{ 2, SIZE_MAX },
		{ ((size_t)1 << 62) + 1, 4 },               /* wraps to 4 */
		{ ((size_t)1 << 63) + 1, 2 },               /* wraps to 2 */
		{ 16, (SIZE_MAX / 16) + 2 },                /* wraps to 16 */
		{ ((size_t)1 << 32) + 1, (size_t)1 << 32 }, /* wraps to 2^32: oversized anyway */
		{ SIZE_MAX, SIZE_MAX },                     /* wraps to 1 */
	};
	struct heap_stats s0, s1;

	for (int round = 0; round < 6; round++) {
		size_t n = 1 + rng_below(&r, 300), size = 1 + rng_below(&r, 40);
		uint8_t *p;

		if (round == 0)
			n = 1, size = 1;
		p = kcalloc(n, size);
		KT_ASSERT(p, "kcalloc(%lu, %lu) returned NULL", (unsigned long)n,
			  (unsigned long)size);
		for (size_t i = 0; i < n * size; i++)
			KT_ASSERT(p[i] == 0, "kcalloc(%lu, %lu): byte %lu is %#x, not 0",
				  (unsigned long)n, (unsigned long)size, (unsigned long)i, p[i]);
		memset(p, 0x5a, n * size);
		kfree(p);
	}
	heap_get_stats(&s0);
	for (size_t i = 0; i < sizeof(overflow) / sizeof(overflow[0]); i++) {
		void *p = kcalloc(overflow[i].n, overflow[i].size);

		KT_ASSERT(p == NULL, "kcalloc(%#lx, %#lx) returned %p: the product overflows",
			  (unsigned long)overflow[i].n, (unsigned long)overflow[i].size, p);
	}
	KT_ASSERT(kcalloc(0, 8) == NULL && kcalloc(8, 0) == NULL,
		  "kcalloc with a zero count or size should be kmalloc(0), NULL");
	heap_get_stats(&s1);
	KT_ASSERT(same_counts(&s0, &s1), "kcalloc's refused requests reached the heap");
}

/* ---- krealloc: NULL, grow, shrink, 0, and failure. ---- */

/* Draws: the first size (65..1086, never a multiple of 16), the growth (1..4000), the shrunk
 * size, the seed. */
KTEST(lab7, realloc)
{
	struct rng r = ktest_rng();
	size_t n1 = 64 + 16 * rng_below(&r, 64) + 1 + rng_below(&r, 15);
	size_t n2 = n1 + 1 + rng_below(&r, 4000);
	size_t n3 = 1 + rng_below(&r, n1);
	uint64_t seed = rng_next(&r);
	struct heap_stats s0, s1;
	uint8_t *p, *q, *t;
	size_t u1;
	struct heap_stats start;

	heap_get_stats(&start);
	p = krealloc(NULL, n1);
	KT_ASSERT(p && (uintptr_t)p % HEAP_MIN_ALIGN == 0, "krealloc(NULL, %lu) returned %p",
		  (unsigned long)n1, (void *)p);
	u1 = heap_usable_size(p);
	fill_stream(p, u1, seed); /* every usable byte, not just the n1 asked for */
	t = kmalloc(16);          /* behind p: growing must move the block */
	KT_ASSERT(t, "kmalloc(16) returned NULL");
	q = krealloc(p, n2);
	KT_ASSERT(q, "krealloc(%p, %lu) returned NULL", (void *)p, (unsigned long)n2);
	KT_ASSERT(heap_usable_size(q) >= n2, "krealloc's block holds %lu bytes, not %lu",
		  (unsigned long)heap_usable_size(q), (unsigned long)n2);
	{
		size_t bad = check_stream(q, u1, seed);

		KT_ASSERT(
			bad == u1,
			"growing a block of %lu usable bytes to %lu changed byte %lu: all the old "
			"usable bytes must be copied",
			(unsigned long)u1, (unsigned long)n2, (unsigned long)bad);
	}
	fill_stream(q, n2, seed ^ 1);
	p = krealloc(q, n3);
	KT_ASSERT(p == q, "shrinking %p to %lu bytes returned %p, not the block itself", (void *)q,
		  (unsigned long)n3, (void *)p);
	KT_ASSERT(check_stream(p, n3, seed ^ 1) == n3, "shrinking lost the contents");
	KT_ASSERT(krealloc(p, heap_usable_size(p)) == p,
		  "krealloc to the block's own usable size did not return the block");

	/* A failed krealloc leaves the block as it was. */
	heap_get_stats(&s0);
	q = krealloc(p, SIZE_MAX - 8);
	KT_ASSERT(q == NULL, "krealloc(p, SIZE_MAX - 8) returned %p", (void *)q);
	q = krealloc(p, KMALLOC_MAX);
	KT_ASSERT(q == NULL, "krealloc(p, KMALLOC_MAX) with a 16 MiB heap returned %p", (void *)q);
	heap_get_stats(&s1);
	KT_ASSERT(s1.in_use == s0.in_use && s1.frees == s0.frees,
		  "a failed krealloc freed the block (frees %lu -> %lu)", (unsigned long)s0.frees,
		  (unsigned long)s1.frees);
	KT_ASSERT(check_stream(p, n2, seed ^ 1) == n2, "a failed krealloc changed the block");

	/* krealloc(p, 0) frees p. */
	heap_get_stats(&s0);
	q = krealloc(p, 0);
	heap_get_stats(&s1);
	KT_ASSERT(q == NULL, "krealloc(p, 0) returned %p, not NULL", (void *)q);
	KT_ASSERT(s1.frees == s0.frees + 1 && s1.in_use < s0.in_use,
		  "krealloc(p, 0) did not free the block");
	kfree(t);
	heap_get_stats(&s1);
	KT_ASSERT(s1.in_use == start.in_use && s1.allocs - start.allocs == s1.frees - start.frees,
		  "after the test every block is freed, yet %ld bytes more are in use (%lu "
		  "allocations, %lu frees): does krealloc free the old block when it moves?",
		  (long)(s1.in_use - start.in_use), (unsigned long)(s1.allocs - start.allocs),
		  (unsigned long)(s1.frees - start.frees));
}

/* ---- Read back by the grader: blocks left allocated at the hold. ---- */

#define READBACK_N 10
static const size_t readback_edges[] = { 1, 16, 17, 4095, 4096, 4097 };

/*
 * Draws: three sizes in 1..3000, one in 8192..20479, then the pattern. Block i holds the
 * splitmix64 byte stream seeded with pattern + i. Reported as "block<i>": address and size.
 */
KTEST(lab7, readback)
{
	struct rng r = ktest_rng();
	size_t size[READBACK_N];
	uint64_t pattern;
	int i;

	for (i = 0; i < 6; i++)
		size[i] = readback_edges[i];
	for (; i < 9; i++)
		size[i] = 1 + rng_below(&r, 3000);
	size[9] = 8192 + rng_below(&r, 12288);
	pattern = rng_next(&r);
	ktest_value("pattern", "%016lx", (unsigned long)pattern);
	for (i = 0; i < READBACK_N; i++) {
		char key[16];
		void *p = kmalloc(size[i]);

		KT_ASSERT(p, "kmalloc(%lu) returned NULL", (unsigned long)size[i]);
		fill_stream(p, size[i], pattern + (uint64_t)i);
		ksnprintf(key, sizeof(key), "block%d", i);
		ktest_value(key, "%016lx %lu", (unsigned long)(uintptr_t)p, (unsigned long)size[i]);
	}
	/* The blocks stay allocated: the grader reads them at the hold. */
}

/* ---- A small heap (heap= from the grader): reuse and exhaustion. ---- */

#define REUSE_LIVE 4

/*
 * The small heap's first allocations, with every block free (run first by lab7.reuse and by
 * lab7.exhaust, whichever the boot runs first; no draws). An alignment gap split off in front
 * of an aligned block must stay free memory: once everything is freed, one block of mapped -
 * HEAP_SLACK fits without growing. Then two large blocks leave the heap's end off the 64 KiB an
 * allocator may grow by, closer to the limit than that: the second must still be allocated
 * (the heap grows up to its limit before alloc returns NULL). False after a ktest_fail().
 */
static bool small_heap_first(void)
{
	struct heap_stats s0, s1;
	size_t limit;
	void *a, *b;

	a = kmalloc(4096);
	b = kmalloc_aligned(1, 4096);
	if (!a || !b) {
		ktest_fail("kmalloc(4096) = %p, kmalloc_aligned(1, 4096) = %p in a fresh heap", a, b);
		return false;
	}
	kfree(b);
	kfree(a);
	heap_get_stats(&s0);
	limit = s0.limit;
	a = kmalloc(s0.mapped - HEAP_SLACK);
	heap_get_stats(&s1);
	if (!a || s1.mapped != s0.mapped) {
		ktest_fail("after kmalloc_aligned(1, 4096) and freeing everything, kmalloc(%lu) (the "
			   "%lu bytes mapped less HEAP_SLACK) returned %p, mapped %lu: is the gap "
			   "in front of an aligned block kept free?",
			   (unsigned long)(s0.mapped - HEAP_SLACK), (unsigned long)s0.mapped, a,
			   (unsigned long)s1.mapped);
		return false;
	}
	kfree(a);
	a = kmalloc(limit - (40u << 10));
	if (!a) {
		ktest_fail("with every block free, kmalloc(%lu) in a heap of %lu returned NULL",
			   (unsigned long)(limit - (40u << 10)), (unsigned long)limit);
		return false;
	}
	kfree(a);
	heap_get_stats(&s0);
	a = kmalloc(limit - 2 * HEAP_SLACK);
	if (!a) {
		ktest_fail("with every block free and %lu bytes mapped, kmalloc(%lu) in a heap of %lu "
			   "returned NULL: the heap must grow up to its limit",
			   (unsigned long)s0.mapped, (unsigned long)(limit - 2 * HEAP_SLACK),
			   (unsigned long)limit);
		return false;
	}
	kfree(a);
	return true;
}

/*
 * Draws: the long-lived block's seed, then for each short-lived allocation its size
 * (2..limit/16 + 1) and which of the REUSE_LIVE slots it takes. Stops once the bytes allocated pass
 * ten times the limit; reports that total.
 */
KTEST(lab7, reuse)
{
	struct rng r = ktest_rng();
	struct heap_stats s;
	size_t limit, long_size;
	uint64_t seed = rng_next(&r), total = 0, count = 0;
	void *slot[REUSE_LIVE] = { 0 };
	size_t slot_size[REUSE_LIVE] = { 0 };
	uint8_t *keep;

	if (!small_heap_first())
		return;
	heap_get_stats(&s);
	limit = s.limit;
	long_size = limit / 8;
	keep = kmalloc(long_size);
	KT_ASSERT(keep, "kmalloc(%lu) for the long-lived block returned NULL",
		  (unsigned long)long_size);
	fill_stream(keep, long_size, seed);
	while (total <= 10 * (uint64_t)limit) {
		size_t n = 2 + rng_below(&r, limit / 16);
		size_t k = rng_below(&r, REUSE_LIVE);
		uint8_t *p;

		if (slot[k]) {
			uint8_t *old = slot[k];

			KT_ASSERT(old[0] == (uint8_t)count &&
					  old[slot_size[k] - 1] == (uint8_t)~count,
				  "a short-lived block changed before it was freed");
			kfree(old);
			slot[k] = NULL;
		}
		p = kmalloc(n);
		KT_ASSERT(p,
			  "kmalloc(%lu) returned NULL after %lu bytes in %lu allocations, with "
			  "at most %lu bytes live in a heap of %lu: is freed memory reused?",
			  (unsigned long)n, (unsigned long)total, (unsigned long)count,
			  (unsigned long)(long_size + REUSE_LIVE * (limit / 16)),
			  (unsigned long)limit);
		count++;
		memset(p, (uint8_t)count, n);
		p[n - 1] = (uint8_t)~count;
		/* Re-tag every live block with the new count, so the check above is exact. */
		for (int j = 0; j < REUSE_LIVE; j++) {
			if (slot[j]) {
				((uint8_t *)slot[j])[0] = (uint8_t)count;
				((uint8_t *)slot[j])[slot_size[j] - 1] = (uint8_t)~count;
			}
		}
		p[0] = (uint8_t)count;
		slot[k] = p;
		slot_size[k] = n;
		total += n;
		heap_get_stats(&s);
		KT_ASSERT(s.mapped <= limit, "the heap maps %lu bytes, over its limit of %lu",
			  (unsigned long)s.mapped, (unsigned long)limit);
	}
	{
		size_t bad = check_stream(keep, long_size, seed);

		KT_ASSERT(
			bad == long_size,
			"the long-lived block (%p, %lu bytes) changed at byte %lu while short-lived "
			"blocks came and went",
			(void *)keep, (unsigned long)long_size, (unsigned long)bad);
	}
	ktest_value("total", "%lu %lu %lu", (unsigned long)total, (unsigned long)count,
		    (unsigned long)limit);
	for (int j = 0; j < REUSE_LIVE; j++)
		kfree(slot[j]);
	kfree(keep);
}

#define EXHAUST_MAX 4096
static void *exhaust_p[EXHAUST_MAX];

/* Allocate sizes drawn from seed (1..2048) until NULL; the number of blocks, or -1. */
static int exhaust(uint64_t seed, uint64_t *bytes)
{
	struct rng r = { seed };
	int n = 0;

	*bytes = 0;
	for (;;) {
		size_t size = 1 + rng_below(&r, 2048);
		void *p;

		if (n == EXHAUST_MAX) {
			ktest_fail("more than %d blocks fit in the small heap", EXHAUST_MAX);
			return -1;
		}
		p = kmalloc(size);
		if (!p)
			return n;
		memset(p, (uint8_t)n, size);
		exhaust_p[n++] = p;
		*bytes += size;
	}
}

/* Free exhaust_p[0..n) in an order drawn from r, checking each block's tag byte first. */
static bool free_all(struct rng *r, int n)
{
	static int order[EXHAUST_MAX];

	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j = (int)rng_below(r, (uint64_t)i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < n; i++) {
		uint8_t *p = exhaust_p[order[i]];

		if (p[0] != (uint8_t)order[i]) {
			ktest_fail("block %d (%p) changed while the heap was full", order[i],
				   (void *)p);
			return false;
		}
		kfree(p);
	}
	return true;
}

/*
 * Draws: the size stream's seed, the free order of pass 1, the krealloc target, the free order
 * of pass 2. Pass 1 allocates until NULL, pass 2 allocates the same sizes again after
 * everything was freed, and in between one block of (mapped - HEAP_SLACK) bytes must fit.
 */
KTEST(lab7, exhaust)
{
	struct rng r = ktest_rng();
	uint64_t seed = rng_next(&r), bytes1, bytes2;
	struct heap_stats s0, s1;
	int n1, n2;
	void *big;

	if (!small_heap_first())
		return;
	heap_get_stats(&s0);
	n1 = exhaust(seed, &bytes1);
	if (n1 < 0)
		return;
	heap_get_stats(&s1);
	KT_ASSERT(n1 > 0, "no allocation succeeded in a heap of %lu bytes",
		  (unsigned long)s1.limit);
	KT_ASSERT(s1.failures > s0.failures && s1.mapped <= s1.limit,
		  "exhausted: %lu failures counted, %lu bytes mapped of %lu",
		  (unsigned long)(s1.failures - s0.failures), (unsigned long)s1.mapped,
		  (unsigned long)s1.limit);
	KT_ASSERT(s1.allocs - s1.frees == s0.allocs - s0.frees + (uint64_t)n1,
		  "the statistics count %lu live blocks more, not %d",
		  (unsigned long)((s1.allocs - s1.frees) - (s0.allocs - s0.frees)), n1);
	{
		/* krealloc with the heap full: NULL, and the block unchanged. */
		uint8_t *p = exhaust_p[0];
		size_t want = heap_usable_size(p) + s1.limit / 2;
		void *q = krealloc(p, want + rng_below(&r, 64));

		KT_ASSERT(q == NULL, "krealloc(%p, %lu) in a full heap returned %p", (void *)p,
			  (unsigned long)want, q);
		KT_ASSERT(p[0] == 0, "a failed krealloc changed or freed the block");
	}
	ktest_value("pass1", "%d %lu", n1, (unsigned long)bytes1);
	if (!free_all(&r, n1))
		return;
	heap_get_stats(&s1);
	KT_ASSERT(s1.in_use == s0.in_use, "everything freed, yet %ld bytes more are in use",
		  (long)(s1.in_use - s0.in_use));
	big = kmalloc(s1.mapped - HEAP_SLACK);
	KT_ASSERT(big,
		  "with every block free, kmalloc(%lu) (the %lu bytes mapped less "
		  "HEAP_SLACK) returned NULL: are free neighbours merged?",
		  (unsigned long)(s1.mapped - HEAP_SLACK), (unsigned long)s1.mapped);
	heap_get_stats(&s0);
	KT_ASSERT(s0.mapped == s1.mapped, "kmalloc(mapped - HEAP_SLACK) grew the heap");
	kfree(big);
	n2 = exhaust(seed, &bytes2);
	if (n2 < 0)
		return;
	ktest_value("pass2", "%d %lu", n2, (unsigned long)bytes2);
	KT_ASSERT(n2 >= n1, "after freeing everything only %d of the same %d blocks fit again", n2,
		  n1);
	if (!free_all(&r, n2))
		return;
	heap_get_stats(&s0);
	KT_ASSERT(s0.in_use == s1.in_use, "pass 2 freed, yet the bytes in use differ");
}

/* ---- Interrupt safety: the timer handler allocates too. ---- */

#define IRQ_TICKS 2000
#define IRQ_RING  8
#define MAIN_RING 16

struct tagged {
	uint64_t tag;
	size_t size;
};

static void *irq_ring[IRQ_RING];
static uint64_t irq_tag, irq_allocs, irq_nulls;
static volatile const char *irq_error;
static struct rng irq_rng;

static void *tagged_alloc(struct rng *r, size_t max, uint64_t tag)
{
	size_t size = sizeof(struct tagged) + rng_below(r, max);
	struct tagged *t = kmalloc(size);

	if (t) {
		t->tag = tag;
		t->size = size;
		memset(t + 1, (uint8_t)tag, size - sizeof(*t));
	}
	return t;
}

static bool tagged_ok(const struct tagged *t, uint64_t tag)
{
	const uint8_t *b = (const uint8_t *)(t + 1);

	if (t->tag != tag)
		return false;
	for (size_t i = 0; i < t->size - sizeof(*t); i++)
		if (b[i] != (uint8_t)tag)
			return false;
	return true;
}

/* The timer handler while lab7.irq runs: count the tick, then allocate and free. */
static void irq_heap_handler(struct trap_frame *tf)
{
	size_t k;

	timer_handle();
	k = irq_tag % IRQ_RING;
	if (irq_ring[k]) {
		if (!tagged_ok(irq_ring[k], irq_tag - IRQ_RING))
			irq_error = "a block the interrupt handler allocated was changed";
		kfree(irq_ring[k]);
	}
	irq_ring[k] = tagged_alloc(&irq_rng, 200, irq_tag);
	if (irq_ring[k])
		irq_allocs++;
	else
		irq_nulls++;
	irq_tag++;
}

static void plain_timer_handler(struct trap_frame *tf)
{
	timer_handle();
}

/*
 * Run with hz=1000: for IRQ_TICKS ticks the timer handler allocates and frees (a ring of
 * IRQ_RING live blocks) while this loop does the same (MAIN_RING blocks); every block is
 * checked before it is freed. The handler's stream is seeded with the token.
 */
KTEST(lab7, irq)
{
	struct rng r = ktest_rng();
	void *ring[MAIN_RING] = { 0 };
	uint64_t tag = 0, start, flags, next_report;
	struct heap_stats s0, s1;
	const char *error = NULL;

	heap_get_stats(&s0);
	irq_rng = (struct rng){ ktest_token() ^ 0x1e7 };
	flags = irq_save();
	irq_set_handler(IRQ_TIMER, irq_heap_handler);
	start = timer_ticks;
	irq_restore(flags);
	next_report = start + 500;
	while (timer_ticks - start < IRQ_TICKS && !irq_error) {
		size_t k = tag % MAIN_RING;

		if (ring[k]) {
			if (!tagged_ok(ring[k], tag - MAIN_RING)) {
				error = "a block the main loop allocated was changed";
				break;
			}
			kfree(ring[k]);
		}
		ring[k] = tagged_alloc(&r, 1000, tag);
		if (!ring[k]) {
			error = "kmalloc returned NULL in the main loop";
			break;
		}
		tag++;
		if (timer_ticks >= next_report) {
			ktest_printf("lab7.irq: %lu ticks, %lu allocations in the handler\n",
				     (unsigned long)(timer_ticks - start),
				     (unsigned long)irq_allocs);
			next_report += 500;
		}
	}
	flags = irq_save();
	irq_set_handler(IRQ_TIMER, plain_timer_handler);
	irq_restore(flags);
	for (int k = 0; k < IRQ_RING; k++) {
		kfree(irq_ring[k]);
		irq_ring[k] = NULL;
	}
	for (int k = 0; k < MAIN_RING; k++)
		kfree(ring[k]);
	ktest_value("counts", "%lu %lu %lu", (unsigned long)(timer_ticks - start),
		    (unsigned long)irq_allocs, (unsigned long)tag);
	KT_ASSERT(!irq_error, "%s", irq_error);
	KT_ASSERT(!error, "%s", error);
	KT_ASSERT(irq_nulls == 0, "kmalloc returned NULL %lu times in the handler",
		  (unsigned long)irq_nulls);
	heap_get_stats(&s1);
	KT_ASSERT(s1.in_use == s0.in_use && s1.allocs - s0.allocs == s1.frees - s0.frees,
		  "after freeing everything: %ld bytes more in use, %lu allocations and %lu frees",
		  (long)(s1.in_use - s0.in_use), (unsigned long)(s1.allocs - s0.allocs),
		  (unsigned long)(s1.frees - s0.frees));
}

/* ---- Debug mode: each a boot of its own. ---- */

/* Draws: the size (16..2063). Three blocks a, p, c; p is freed, then freed again. */
KTEST_SHOULD_PANIC(lab7, double_free)
{
	struct rng r = ktest_rng();
	size_t n = 16 + rng_below(&r, 2048);
	void *a = kmalloc(n), *p = kmalloc(n), *c = kmalloc(n);

	KT_ASSERT(a && p && c, "kmalloc returned NULL");
	ktest_value("ptr", "%016lx", (unsigned long)(uintptr_t)p);
	kfree(p);
	ktest_expect_panic("kfree: double free of ");
	kfree(p);
	ktest_fail("freeing %p twice did not panic", p);
}

/* The same, but a is freed first, so p's header is merged into a's block before the second
 * free. */
KTEST_SHOULD_PANIC(lab7, double_free_merged)
{
	struct rng r = ktest_rng();
	size_t n = 16 + rng_below(&r, 2048);
	void *a = kmalloc(n), *p = kmalloc(n), *c = kmalloc(n);

	KT_ASSERT(a && p && c, "kmalloc returned NULL");
	ktest_value("ptr", "%016lx", (unsigned long)(uintptr_t)p);
	kfree(a);
	kfree(p);
	ktest_expect_panic("kfree: double free of ");
	kfree(p);
	ktest_fail("freeing %p twice (merged with its free neighbour) did not panic", p);
}

/* Draws: the size (64..4159), the offset written (1..size-2). kmalloc of the same size after
 * the free takes the same block again (first fit) and must find the changed byte. */
KTEST_SHOULD_PANIC(lab7, use_after_free)
{
	struct rng r = ktest_rng();
	size_t n = 64 + rng_below(&r, 4096);
	size_t k = 1 + rng_below(&r, n - 2);
	uint8_t *p = kmalloc(n), *q;

	KT_ASSERT(p, "kmalloc returned NULL");
	ktest_value("ptr", "%016lx %lu", (unsigned long)(uintptr_t)p, (unsigned long)k);
	kfree(p);
	p[k] = (uint8_t)~HEAP_POISON;
	ktest_expect_panic("kmalloc: write after free at ");
	q = kmalloc(n);
	ktest_fail("a write after free at %p was not noticed (the next kmalloc returned %p%s)",
		   (void *)(p + k), (void *)q, q == p ? ", the same block" : "");
}

/* Draws: the size (49..4095, never a multiple of 16). The last usable byte of the freed block
 * (past the size asked) is written. */
KTEST_SHOULD_PANIC(lab7, use_after_free_last)
{
	struct rng r = ktest_rng();
	size_t n = 16 * (4 + rng_below(&r, 256)) - 1 - rng_below(&r, 15);
	uint8_t *p = kmalloc(n), *q;
	size_t k;

	KT_ASSERT(p, "kmalloc returned NULL");
	k = heap_usable_size(p) - 1;
	ktest_value("ptr", "%016lx %lu", (unsigned long)(uintptr_t)p, (unsigned long)k);
	kfree(p);
	p[k] = 0;
	ktest_expect_panic("kmalloc: write after free at ");
	q = kmalloc(n);
	ktest_fail("a write after free at %p was not noticed (the next kmalloc returned %p)",
		   (void *)(p + k), (void *)q);
}

/* Draws: the size (64..2111), the offset inside the live block that is freed (16..). */
KTEST_SHOULD_PANIC(lab7, bad_free)
{
	struct rng r = ktest_rng();
	size_t n = 64 + rng_below(&r, 2048);
	uint8_t *p = kmalloc(n);
	size_t k = 16 * (1 + rng_below(&r, n / 16 - 1));

	KT_ASSERT(p, "kmalloc returned NULL");
	memset(p, 0, n);
	ktest_value("ptr", "%016lx", (unsigned long)(uintptr_t)(p + k));
	ktest_expect_panic("kfree: bad pointer ");
	kfree(p + k);
	ktest_fail("kfree(%p), inside the live block %p, did not panic", (void *)(p + k),
		   (void *)p);
}

/* Draws: the distance (32..4128 bytes) past the heap's mapped end of the pointer freed: an
 * address no block can have, whose header is not even mapped. */
KTEST_SHOULD_PANIC(lab7, bad_free_outside)
{
	struct rng r = ktest_rng();
	void *p = kmalloc(64);
	uint8_t *q;

	KT_ASSERT(p, "kmalloc returned NULL");
	q = (uint8_t *)heap_end() + 16 * (2 + rng_below(&r, 257));
	ktest_value("ptr", "%016lx", (unsigned long)(uintptr_t)q);
	ktest_expect_panic("kfree: bad pointer ");
	kfree(q);
	ktest_fail("kfree(%p), past the end of the heap, did not panic", (void *)q);
}

/* ---- make lab-7's demo. ---- */

static void show_stats(const char *when)
{
	struct heap_stats s;

	heap_get_stats(&s);
	kprintf("heap %-24s in use %7lu B, mapped %7lu B of %lu, %lu allocations, %lu frees\n",
		when, (unsigned long)s.in_use, (unsigned long)s.mapped, (unsigned long)s.limit,
		(unsigned long)s.allocs, (unsigned long)s.frees);
}

KTEST_ALONE(lab7, demo)
{
	static void *p[64];

	show_stats("at boot:");
	for (int i = 0; i < 64; i++)
		p[i] = kmalloc(16u << (i % 8));
	show_stats("after 64 kmallocs:");
	for (int i = 0; i < 64; i += 2)
		kfree(p[i]);
	show_stats("after freeing half:");
	p[0] = kmalloc_aligned(3000, 4096);
	kprintf("kmalloc_aligned(3000, 4096) = %p\n", p[0]);
	kfree(p[0]);
	for (int i = 1; i < 64; i += 2)
		kfree(p[i]);
	show_stats("after freeing all:");
	kprintf("kmalloc(0) = %p, kcalloc(SIZE_MAX, 2) = %p\n", kmalloc(0), kcalloc(SIZE_MAX, 2));
}
