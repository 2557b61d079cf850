/*
 * check.c: the live set and the whole-heap checks of check.h.
 *
 * A block's pattern is one 64-bit word per 8 bytes, the word's address mixed with the block's
 * seed, so a block copied to the wrong place or overwritten by a neighbour is told apart from a
 * good one. Blocks are kept sorted by address: a new block can only overlap its neighbours in
 * that order, so each check is a binary search and two comparisons.
 */
#include <string.h>

#include "alloc.h"
#include "check.h"
#include "host_heap.h"

void (*check_fail)(const char *fmt, ...);

/* The pattern word at address a of a block with seed s. */
static inline uint64_t pat(uintptr_t a, uint64_t s)
{
	return (a * 0x9e3779b97f4a7c15ull) ^ s;
}

static void fill(const struct live_block *b)
{
	uint64_t *w = (uint64_t *)b->p;

	for (size_t i = 0; i < b->usable / 8; i++)
		w[i] = pat((uintptr_t)&w[i], b->seed);
}

static bool same(const struct live_block *b)
{
	const uint64_t *w = (const uint64_t *)b->p;

	for (size_t i = 0; i < b->usable / 8; i++) {
		if (w[i] != pat((uintptr_t)&w[i], b->seed)) {
			check_fail("block %#lx (size %zu, usable %zu): its contents changed at +%zu",
				   (unsigned long)b->p, b->size, b->usable, i * 8);
			return false;
		}
	}
	return true;
}

void live_init(struct live_set *s, const struct heap_ops *ops)
{
	s->ops = ops;
	s->n = 0;
	s->requested = s->usable = 0;
}

/* The index of the first live block at or above address p. */
static size_t find(const struct live_set *s, uintptr_t p)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->b[mid].p < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool live_add(struct live_set *s, void *ptr, size_t size, size_t align)
{
	uintptr_t p = (uintptr_t)ptr;
	size_t usable = s->ops->usable_size(ptr), i;
	struct live_block *b;

	if (p % align || p % HEAP_MIN_ALIGN) {
		check_fail("alloc(%zu, %zu) = %#lx is not aligned", size, align, (unsigned long)p);
		return false;
	}
	if (usable < size) {
		check_fail("alloc(%zu, %zu) = %#lx: usable_size %zu is below the size asked", size,
			   align, (unsigned long)p, usable);
		return false;
	}
	if (p < HEAP_BASE || p + usable > heap_end() || p + usable < p) {
		check_fail("alloc(%zu, %zu) = %#lx (+%zu) is not inside the heap %#lx .. %#lx", size,
			   align, (unsigned long)p, usable, (unsigned long)HEAP_BASE,
			   (unsigned long)heap_end());
		return false;
	}
	i = find(s, p);
	if ((i < s->n && s->b[i].p < p + usable) ||
	    (i > 0 && s->b[i - 1].p + s->b[i - 1].usable > p)) {
		const struct live_block *o = (i < s->n && s->b[i].p < p + usable) ? &s->b[i]
										  : &s->b[i - 1];

		check_fail("alloc(%zu, %zu) = %#lx (+%zu) overlaps live block %#lx (+%zu)", size,
			   align, (unsigned long)p, usable, (unsigned long)o->p, o->usable);
		return false;
	}
	if (s->n == LIVE_MAX) {
		check_fail("the live set is full (%d blocks)", LIVE_MAX);
		return false;
	}
	memmove(&s->b[i + 1], &s->b[i], (s->n - i) * sizeof(s->b[0]));
	b = &s->b[i];
	b->p = p;
	b->size = size;
	b->usable = usable;
	b->seed = p ^ (size << 20) ^ 0x5eedull;
	s->n++;
	s->requested += size;
	s->usable += usable;
	fill(b);
	return true;
}

void live_forget(struct live_set *s, size_t i)
{
	s->requested -= s->b[i].size;
	s->usable -= s->b[i].usable;
	memmove(&s->b[i], &s->b[i + 1], (s->n - i - 1) * sizeof(s->b[0]));
	s->n--;
}

bool live_del(struct live_set *s, size_t i)
{
	struct live_block b = s->b[i];
	size_t n;

	if (!same(&b))
		return false;
	live_forget(s, i);
	n = s->ops->free((void *)b.p);
	if (n != b.usable) {
		check_fail("free(%#lx) returned %zu, but usable_size said %zu", (unsigned long)b.p, n,
			   b.usable);
		return false;
	}
	return true;
}

bool live_verify(struct live_set *s, size_t i)
{
	return same(&s->b[i]);
}

bool live_verify_all(struct live_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!same(&s->b[i]))
			return false;
	return true;
}

bool live_del_all(struct live_set *s, uint64_t seed)
{
	while (s->n)
		if (!live_del(s, check_rand(&seed) % s->n))
			return false;
	return true;
}

/* Is open page number i (from HEAP_BASE) taken by metadata or a slab (never a free block)? */
static bool page_taken(size_t i)
{
	uint8_t k = heap_pages_table[i].kind;

	return k == HP_META || k == HP_SLAB;
}

/* Are pages first .. first + 2^k all open (below end) and free? */
static bool all_free(size_t first, unsigned k, size_t end)
{
	if (first + ((size_t)1 << k) > end)
		return false;
	for (size_t i = first; i < first + ((size_t)1 << k); i++)
		if (page_taken(i))
			return false;
	return true;
}

/* Count the largest aligned blocks of free open pages inside the block of order k at page
 * first: the block itself when it is all free, else whatever its two halves hold. */
static void decompose(size_t first, unsigned k, size_t end, size_t *counts)
{
	if (first >= end)
		return;
	if (all_free(first, k, end)) {
		counts[k]++;
		return;
	}
	if (k == 0)
		return;
	decompose(first, k - 1, end, counts);
	decompose(first + ((size_t)1 << (k - 1)), k - 1, end, counts);
}

void buddy_expected_counts(size_t *counts)
{
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
		counts[k] = 0;
	if (heap_pages_table)
		decompose(0, BUDDY_MAX_ORDER, heap_mapped() / PAGE_SIZE, counts);
}

static bool buddy_whole(void)
{
	size_t want[BUDDY_MAX_ORDER + 1], got[BUDDY_MAX_ORDER + 1];

	buddy_expected_counts(want);
	buddy_free_counts(got);
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		if (want[k] != got[k]) {
			check_fail("all free: buddy_free_counts()[%u] = %zu, but the largest aligned "
				   "blocks of the free pages are %zu of order %u (%zu KiB open)",
				   k, got[k], want[k], k, heap_mapped() >> 10);
			return false;
		}
	}
	return true;
}

static bool slab_whole(void)
{
	for (unsigned c = 0; c < SLAB_CACHES; c++) {
		struct slab_cache_info ci;

		slab_cache_info(c, &ci);
		if (ci.inuse || ci.slabs != ci.empty || ci.empty > SLAB_KEEP_EMPTY) {
			check_fail("all free: cache %u (%zu bytes) has %zu slabs, %zu empty, %zu objects "
				   "out; only up to %d empty slabs may stay",
				   c, ci.size, ci.slabs, ci.empty, ci.inuse, SLAB_KEEP_EMPTY);
			return false;
		}
	}
	return buddy_whole();
}

static bool fixed_whole(void)
{
	for (size_t i = 0; heap_pages_table && i < heap_mapped() / PAGE_SIZE; i++) {
		const struct heap_page *pg = &heap_pages_table[i];
		size_t sz = (size_t)FIXED_MIN << pg->cls;

		if (pg->kind != HP_FIXED)
			continue;
		for (uintptr_t a = HEAP_BASE + i * PAGE_SIZE; a < HEAP_BASE + (i + 1) * PAGE_SIZE;
		     a += sz) {
			if (((const uint64_t *)a)[1] != (FIXED_FREE_TAG ^ a)) {
				check_fail("all free: class %u block %#lx has no free tag", pg->cls,
					   (unsigned long)a);
				return false;
			}
		}
	}
	return true;
}

/* One alloc of (mapped - HEAP_SLACK) succeeds without growing the heap (heap.h). */
static bool one_block_fits(const struct heap_ops *ops)
{
	size_t mapped = heap_mapped(), want = mapped - HEAP_SLACK;
	void *p;

	if (mapped <= HEAP_SLACK)
		return true;
	p = ops->alloc(want, HEAP_MIN_ALIGN);
	if (!p || heap_mapped() != mapped) {
		check_fail("all free: alloc(%zu) = %p, heap %zu -> %zu bytes open; one block of "
			   "(mapped - HEAP_SLACK) must fit without growing",
			   want, p, mapped, heap_mapped());
		if (p)
			ops->free(p);
		return false;
	}
	ops->free(p);
	return true;
}

bool heap_whole(const char *name, const struct heap_ops *ops)
{
	if (strcmp(name, "bump") == 0 || strcmp(name, "list") == 0)
		return one_block_fits(ops);
	if (strcmp(name, "buddy") == 0)
		return buddy_whole();
	if (strcmp(name, "slab") == 0)
		return slab_whole();
	if (strcmp(name, "fixed") == 0)
		return fixed_whole();
	return true;
}
