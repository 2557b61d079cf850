/*
 * alloc_bump.c: lab 8's bump allocator (exercise 1). heap.h states the rules every allocator
 * keeps; alloc.h's bump paragraph is this design.
 *
 * The heap is one run of blocks laid out in the order they were allocated, from bump_start (the
 * first byte bump's first heap_grow() gave) up to bump_top (the end of the last block). Each
 * block is a 16-byte header (struct bump_hdr: BUMP_LIVE or BUMP_FREE, then the usable size)
 * right before its usable bytes. Allocating only moves bump_top up: the new block goes at the
 * first address past bump_top + BUMP_HDR aligned as asked, and heap_grow() maps whatever part of
 * it lies past heap_end(). Freeing poisons the block and marks its header BUMP_FREE but gives
 * nothing back, because nothing is reused while any block is live: bump_live counts the live
 * blocks, and only when it drops to zero is the whole run poisoned (headers too) and bump_top
 * moved back to bump_start. Allocation is a handful of instructions and needs no free list; the
 * price is that one long-lived block keeps every byte allocated after it out of reach.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "panic.h"

struct bump_hdr {
	uint64_t magic; /* BUMP_LIVE or BUMP_FREE; all HEAP_POISON once a reset poisoned it */
	size_t size;    /* usable bytes after the header, a multiple of 16 */
};

_Static_assert(sizeof(struct bump_hdr) == BUMP_HDR, "a bump header is BUMP_HDR bytes");

#define BUMP_POISONED 0x6b6b6b6b6b6b6b6bull /* a header word a reset poisoned */

/* bump_start: the run's first byte (0 until the first heap_grow()); bump_top: the first byte
 * past the last block (bump_start when there is none); bump_live: blocks not yet freed. */
static uintptr_t bump_start, bump_top;
static size_t bump_live;

static uintptr_t align_up(uintptr_t x, size_t a)
{
	return (x + a - 1) & ~(uintptr_t)(a - 1);
}

/* Map at least the bytes the next block lacks: BUMP_GROW at once when the limit allows (fewer,
 * larger calls), else exactly what is missing, so that the heap still fills up to its limit. */
static bool bump_grow(size_t missing)
{
	return (missing < BUMP_GROW && heap_grow(BUMP_GROW)) || heap_grow(missing);
}

/*
 * heap_ops.alloc (heap.h): place the block right after the last one, with its header in front
 * and p aligned to align; grow the heap by the part that lies past heap_end(); write the header
 * and check the usable bytes with heap_check_poison(). NULL, changing nothing, when the heap
 * cannot grow that far.
 */
static void *bump_alloc(size_t size, size_t align)
{
	/* Before the first block the run starts wherever the heap ends (bump alone grows it). */
	uintptr_t base = bump_start ? bump_top : heap_end();
	size_t usable = align_up(size, HEAP_MIN_ALIGN);
	uintptr_t p = align_up(base + BUMP_HDR, align);
	struct bump_hdr *h = (struct bump_hdr *)p - 1;

	if (p + usable > heap_end() && !bump_grow(p + usable - heap_end()))
		return NULL;
	if (!bump_start)
		bump_start = base;
	h->magic = BUMP_LIVE;
	h->size = usable;
	heap_check_poison((void *)p, usable, (void *)p);
	bump_top = p + usable;
	bump_live++;
	return (void *)p;
}

/*
 * heap_ops.free (heap.h): check p (bad pointer, double free) before touching anything else,
 * poison its usable bytes and mark the header BUMP_FREE; when that was the last live block,
 * poison the whole run and start again at bump_start. Returns the block's usable size.
 */
static size_t bump_free(void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct bump_hdr *h = (struct bump_hdr *)p - 1;
	size_t n;

	/* Every block ever handed out lies inside bump_start .. heap_end(), which is mapped: only
	 * then is the header read. A pointer anywhere else may not even be mapped. A block freed
	 * before a reset lies past bump_top now, its header poisoned: still a double free. */
	if (!bump_start || a % HEAP_MIN_ALIGN || a < bump_start + BUMP_HDR || a >= heap_end())
		panic("kfree: bad pointer %p", p);
	if (h->magic == BUMP_FREE || (h->magic == BUMP_POISONED && h->size == BUMP_POISONED))
		panic("kfree: double free of %p", p);
	if (a > bump_top - HEAP_MIN_ALIGN)
		panic("kfree: bad pointer %p", p);
	if (h->magic != BUMP_LIVE || h->size > bump_top - a)
		panic("kfree: bad pointer %p", p);
	n = h->size;
	heap_poison(p, n);
	h->magic = BUMP_FREE;
	if (--bump_live == 0) {
		/* Nothing is live: the whole run is free memory again, as fresh as heap_grow()'s. */
		heap_poison((void *)bump_start, bump_top - bump_start);
		bump_top = bump_start;
	}
	return n;
}

/* heap_ops.usable_size (heap.h): what the header says. */
static size_t bump_usable_size(const void *p)
{
	return ((const struct bump_hdr *)p - 1)->size;
}

const struct heap_ops heap_bump = {
	.name = "bump",
	.alloc = bump_alloc,
	.free = bump_free,
	.usable_size = bump_usable_size,
};
