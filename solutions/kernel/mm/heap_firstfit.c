/*
 * heap_firstfit.c: lab 7's allocator, a first-fit free list (exercise 1). heap.h states the
 * rules every allocator keeps; this paragraph is one design that keeps them.
 *
 * Every block, live or free, starts with a 32-byte header (struct ff_block) right before its
 * usable bytes, so a block's header is at p - 32 and its usable bytes end at p + size. The free
 * blocks form one singly linked list in address order (free_list). ff_alloc() walks the list and
 * takes the first block that can hold size bytes at an address aligned to align; what is left
 * in front of that address (when it is big enough to be a block) and behind the request (the
 * same) is split off and stays free. When nothing fits, ff_grow() asks heap_grow() for more
 * pages and frees them into the list as one block. ff_free() puts a block back in address order
 * and merges it with the free block just before it and just after it, when they touch, so
 * adjacent free blocks never stay apart: freeing everything leaves one block per contiguous
 * run of heap. Headers carry a magic number saying live or free; freed bytes and headers a merge
 * swallows hold HEAP_POISON (0x6b), which is how double frees and writes after free are caught.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "panic.h"

struct ff_block {
	uint64_t magic;        /* FF_USED or FF_FREE; all HEAP_POISON once a merge swallowed it */
	size_t size;           /* usable bytes after the header, a multiple of 16 */
	struct ff_block *next; /* free blocks: the next free block by address (NULL at the end) */
	uint64_t reserved;     /* keeps the header 32 bytes, so usable bytes stay 16-aligned */
};

_Static_assert(sizeof(struct ff_block) == 32, "a first-fit header is 32 bytes");

#define FF_HDR       sizeof(struct ff_block)
#define FF_USED      0x7573656475736564ull     /* "dedusesu": a live block */
#define FF_FREE      0x6565726665657266ull     /* "freefree": a free block */
#define FF_POISONED  0x6b6b6b6b6b6b6b6bull     /* a header a merge poisoned */
#define FF_MIN_SPLIT (FF_HDR + HEAP_MIN_ALIGN) /* the smallest free block worth splitting off */
#define FF_GROW      (64u << 10)               /* heap_grow() by at least this, when it fits */

static struct ff_block *free_list __attribute__((unused)); /* free blocks, lowest address first */

static size_t ff_usable_size(const void *p)
{
	return ((const struct ff_block *)p - 1)->size;
}

static uintptr_t align_up(uintptr_t x, size_t a)
{
	return (x + a - 1) & ~(uintptr_t)(a - 1);
}

/* The first byte past b's usable bytes. */
static uintptr_t block_end(const struct ff_block *b)
{
	return (uintptr_t)(b + 1) + b->size;
}

/*
 * Where free block b can hold size bytes aligned to align, or 0. A gap in front of the aligned
 * address must be 0 or big enough to stay a free block of its own (a header and 16 bytes).
 */
static uintptr_t ff_fit(const struct ff_block *b, size_t size, size_t align)
{
	uintptr_t start = (uintptr_t)(b + 1), end = block_end(b);
	uintptr_t u = align_up(start, align);

	while (u != start && u - start < FF_MIN_SPLIT)
		u += align;
	if (u > end || end - u < size)
		return 0;
	return u;
}

/* Put free block b into the list in address order, merging it with the neighbours it touches. */
static void ff_insert(struct ff_block *b)
{
	struct ff_block *prev = NULL, *next = free_list;

	while (next && next < b) {
		prev = next;
		next = next->next;
	}
	b->next = next;
	if (prev)
		prev->next = b;
	else
		free_list = b;
	if (next && block_end(b) == (uintptr_t)next) {
		b->size += FF_HDR + next->size;
		b->next = next->next;
		heap_poison(next, FF_HDR);
	}
	if (prev && block_end(prev) == (uintptr_t)b) {
		prev->size += FF_HDR + b->size;
		prev->next = b->next;
		heap_poison(b, FF_HDR);
	}
}

/* Grow the heap so that size bytes aligned to align fit: false when heap_grow() cannot. */
static bool ff_grow(size_t size, size_t align)
{
	size_t want = FF_HDR + size + align + FF_MIN_SPLIT;
	struct ff_block *tail = free_list, *b;
	uintptr_t start;

	while (tail && tail->next)
		tail = tail->next;
	/* The last free block touching the end of the heap will merge with the new pages. */
	if (tail && block_end(tail) == heap_end())
		want = want > FF_HDR + tail->size ? want - FF_HDR - tail->size : PAGE_SIZE;
	start = (uintptr_t)heap_grow(want > FF_GROW ? want : FF_GROW);
	if (!start)
		start = (uintptr_t)heap_grow(want);
	if (!start)
		return false;
	b = (struct ff_block *)start;
	b->magic = FF_FREE;
	b->size = heap_end() - start - FF_HDR;
	ff_insert(b);
	return true;
}

/*
 * heap_ops.alloc (heap.h): round size up to a multiple of 16; find the first free block with
 * room for size bytes at an aligned address, growing the heap (heap_grow()) only when none has;
 * split off the front and back remainders that can hold a header and 16 bytes; take the block
 * off the list, mark it FF_USED, and check its usable bytes with heap_check_poison().
 */
static void *ff_alloc(size_t size, size_t align)
{
	struct ff_block *b, *prev;
	uintptr_t u = 0;

	size = align_up(size, HEAP_MIN_ALIGN);
	for (;;) {
		prev = NULL;
		for (b = free_list; b; prev = b, b = b->next) {
			u = ff_fit(b, size, align);
			if (u)
				break;
		}
		if (b)
			break;
		if (!ff_grow(size, align))
			return NULL;
	}
	if (u != (uintptr_t)(b + 1)) {
		/* Split off the front: b keeps it, the block from u on is the new one. */
		struct ff_block *n = (struct ff_block *)(u - FF_HDR);

		n->magic = FF_FREE;
		n->size = block_end(b) - u;
		n->next = b->next;
		b->size = (uintptr_t)n - (uintptr_t)(b + 1);
		b->next = n;
		prev = b;
		b = n;
	}
	if (b->size - size >= FF_MIN_SPLIT) {
		/* Split off the back: it stays on the list after b. */
		struct ff_block *r = (struct ff_block *)(u + size);

		r->magic = FF_FREE;
		r->size = b->size - size - FF_HDR;
		r->next = b->next;
		b->size = size;
		b->next = r;
	}
	if (prev)
		prev->next = b->next;
	else
		free_list = b->next;
	b->next = NULL;
	b->magic = FF_USED;
	heap_check_poison((void *)u, b->size, (void *)u);
	return (void *)u;
}

/*
 * heap_ops.free (heap.h): check p (bad pointer, double free), poison its usable bytes, mark it
 * FF_FREE, insert it in address order and merge it with the neighbours it touches, poisoning
 * each header a merge swallows. Returns the block's usable size.
 */
static size_t ff_free(void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct ff_block *b = (struct ff_block *)p - 1;
	size_t n;

	if (a % HEAP_MIN_ALIGN || a < HEAP_BASE + FF_HDR || a >= heap_end())
		panic("kfree: bad pointer %p", p);
	if (b->magic == FF_FREE || b->magic == FF_POISONED)
		panic("kfree: double free of %p", p);
	if (b->magic != FF_USED || b->size > heap_end() - a)
		panic("kfree: bad pointer %p", p);
	n = b->size;
	heap_poison(p, n);
	b->magic = FF_FREE;
	ff_insert(b);
	return n;
}

const struct heap_ops heap_firstfit = {
	.name = "first-fit",
	.alloc = ff_alloc,
	.free = ff_free,
	.usable_size = ff_usable_size,
};
