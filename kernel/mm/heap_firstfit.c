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

/*
 * heap_ops.alloc (heap.h): round size up to a multiple of 16; find the first free block with
 * room for size bytes at an aligned address, growing the heap (heap_grow()) only when none has;
 * split off the front and back remainders that can hold a header and 16 bytes; take the block
 * off the list, mark it FF_USED, and check its usable bytes with heap_check_poison().
 */
static void *ff_alloc(size_t size, size_t align)
{
	/* LAB 7: your code here */
	panic("lab 7: ff_alloc not implemented");
}

/*
 * heap_ops.free (heap.h): check p (bad pointer, double free), poison its usable bytes, mark it
 * FF_FREE, insert it in address order and merge it with the neighbours it touches, poisoning
 * each header a merge swallows. Returns the block's usable size.
 */
static size_t ff_free(void *p)
{
	/* LAB 7: your code here */
	panic("lab 7: ff_free not implemented");
}

const struct heap_ops heap_firstfit = {
	.name = "first-fit",
	.alloc = ff_alloc,
	.free = ff_free,
	.usable_size = ff_usable_size,
};
