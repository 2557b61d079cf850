/*
 * alloc_buddy.c: lab 8's buddy allocator (exercise 3). heap.h states the rules every allocator
 * keeps; alloc.h's buddy paragraph is this design, and its page API is what slab builds on.
 *
 * The heap is cut into blocks of 2^k pages (k is the block's order), each aligned, counted from
 * HEAP_BASE, to its own size. Two blocks of order k that together make an aligned block of order
 * k + 1 are buddies: the page index of one is the other's with bit k flipped, so finding a
 * block's buddy is one XOR. Blocks carry no header: what a block is lives in the page
 * descriptor of its first page (heap_pages.c), HP_BUDDY_FREE or HP_BUDDY_USED with its order,
 * and the descriptors of free blocks are linked into one list per order, newest first. To
 * allocate 2^k pages, take the head of the first non-empty list of order >= k and split it in
 * halves down to order k, freeing each upper half. To free, merge the block with its buddy while
 * the buddy is a free block of the same order, then put the result at the head of its list.
 * Both walk at most BUDDY_MAX_ORDER orders. A request rounds up to a power of two of pages, so
 * up to half a block is wasted (internal fragmentation), and only whole aligned blocks merge.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "panic.h"

/* The free blocks of each order, by their first page's descriptor, most recently freed first. */
static struct heap_page *free_lists[BUDDY_MAX_ORDER + 1];

/* The index of the page pg describes, in heap_pages_table (and from HEAP_BASE). */
static size_t page_index(const struct heap_page *pg)
{
	return (size_t)(pg - heap_pages_table);
}

/* Make the block at pg a free block of order k at the head of its list. */
static void list_push(struct heap_page *pg, unsigned k)
{
	pg->kind = HP_BUDDY_FREE;
	pg->order = (uint8_t)k;
	pg->prev = NULL;
	pg->next = free_lists[k];
	if (pg->next)
		pg->next->prev = pg;
	free_lists[k] = pg;
}

/* Take the free block at pg off the list of order k. */
static void list_remove(struct heap_page *pg, unsigned k)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		free_lists[k] = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
}

/*
 * Free the block of order k whose first page is idx: merge it with its buddy for as long as the
 * buddy is a free block of the same order (the absorbed first page becomes HP_NONE, as every
 * page inside a block is), then list what it became. The block's bytes are already poison.
 */
static void buddy_insert(size_t idx, unsigned k)
{
	size_t mapped = heap_mapped() / PAGE_SIZE;

	while (k < BUDDY_MAX_ORDER) {
		size_t b = idx ^ ((size_t)1 << k);
		struct heap_page *bp;

		/* A buddy past the heap's end has no pages yet (and maybe no descriptor). */
		if (b >= mapped)
			break;
		bp = &heap_pages_table[b];
		if (bp->kind != HP_BUDDY_FREE || bp->order != k)
			break;
		list_remove(bp, k);
		bp->kind = heap_pages_table[idx].kind = HP_NONE;
		bp->order = heap_pages_table[idx].order = 0;
		idx &= b; /* the lower of the two starts the merged block */
		k++;
	}
	list_push(&heap_pages_table[idx], k);
}

/*
 * Grow the heap so that a block of order k fits (alloc.h): the bytes up to the next boundary of
 * PAGE_SIZE << k and one more block of that size (BUDDY_GROW if that is more, when the limit
 * allows), freed as the largest aligned blocks they hold, lowest first, each merging with free
 * buddies below. False when heap_grow() cannot provide even the bytes needed.
 */
static bool buddy_grow(unsigned k)
{
	size_t blk = (size_t)PAGE_SIZE << k, used = heap_mapped();
	size_t want = (used + blk - 1) / blk * blk - used + blk;
	uintptr_t start = want < BUDDY_GROW ? (uintptr_t)heap_grow(BUDDY_GROW) : 0;
	size_t idx, end;
	unsigned j;

	if (!start)
		start = (uintptr_t)heap_grow(want);
	if (!start)
		return false;
	end = heap_mapped() / PAGE_SIZE;
	for (idx = (start - HEAP_BASE) / PAGE_SIZE; idx < end; idx += (size_t)1 << j) {
		/* The largest order idx is aligned to, cut down to what ends by the heap's end. */
		j = idx ? (unsigned)__builtin_ctzll(idx) : BUDDY_MAX_ORDER;
		if (j > BUDDY_MAX_ORDER)
			j = BUDDY_MAX_ORDER;
		while (idx + ((size_t)1 << j) > end)
			j--;
		buddy_insert(idx, j);
	}
	return true;
}

/*
 * The block holding page idx: the descriptor of its first page, or NULL when no buddy block
 * holds it (the descriptor table's own pages). A block of order j holding idx starts at idx with
 * its low j bits cleared, and the pages between are HP_NONE, so the first block-starting
 * descriptor met while clearing bits one by one is the only candidate. HP_SLAB pages count as
 * the allocated order-0 blocks they are. O(BUDDY_MAX_ORDER).
 */
static const struct heap_page *block_holding(size_t idx)
{
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		const struct heap_page *pg = &heap_pages_table[idx & ~(((size_t)1 << k) - 1)];

		if (pg->kind == HP_BUDDY_FREE || pg->kind == HP_BUDDY_USED || pg->kind == HP_SLAB)
			return pg->order >= k ? pg : NULL;
	}
	return NULL;
}

/* p is not the first byte of an allocated block: say whether it lies in a free one. */
static __attribute__((noreturn)) void buddy_bad_free(const void *p)
{
	const struct heap_page *pg = heap_page_of((uintptr_t)p);

	if (pg && (pg = block_holding(page_index(pg))) && pg->kind == HP_BUDDY_FREE)
		panic("kfree: double free of %p", p);
	panic("kfree: bad pointer %p", p);
}

/*
 * alloc.h: a block of 2^order pages, every byte checked to be HEAP_POISON, or NULL. Takes the
 * head of the first non-empty list of order >= order, growing the heap only when every list is
 * empty, and splits it down to the order asked.
 */
void *buddy_alloc_pages(unsigned order)
{
	struct heap_page *pg;
	unsigned j = order;
	void *p;

	if (order > BUDDY_MAX_ORDER || (!heap_pages_table && !heap_pages_init()))
		return NULL;
	while (j <= BUDDY_MAX_ORDER && !free_lists[j])
		j++;
	if (j > BUDDY_MAX_ORDER) {
		/* Nothing free is big enough: only now may the heap grow. */
		if (!buddy_grow(order))
			return NULL;
		for (j = order; j <= BUDDY_MAX_ORDER && !free_lists[j]; j++)
			;
		if (j > BUDDY_MAX_ORDER)
			panic("buddy_alloc_pages: the heap grew, yet no block of order %u is free",
			      order);
	}
	pg = free_lists[j];
	list_remove(pg, j);
	/* Keep the lower half, free the upper one, until the block is of the order asked. */
	while (j > order) {
		j--;
		list_push(pg + ((size_t)1 << j), j);
	}
	pg->kind = HP_BUDDY_USED;
	pg->order = (uint8_t)order;
	p = (void *)(HEAP_BASE + page_index(pg) * PAGE_SIZE);
	heap_check_poison(p, (size_t)PAGE_SIZE << order, p);
	return p;
}

/*
 * alloc.h: give back the block starting at p, poisoned and merged with its free buddies; its
 * size in bytes. Panics as a double free or a bad pointer, reading no descriptor of an address
 * outside the mapped heap.
 */
size_t buddy_free_pages(void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct heap_page *pg = heap_page_of(a); /* NULL outside the mapped heap: nothing is read */
	size_t n;

	if (!pg || (a - HEAP_BASE) % PAGE_SIZE || pg->kind != HP_BUDDY_USED)
		buddy_bad_free(p);
	n = (size_t)PAGE_SIZE << pg->order;
	heap_poison(p, n);
	buddy_insert(page_index(pg), pg->order);
	return n;
}

/* alloc.h: how many blocks each order's free list holds (a walk of the lists: for tests). */
void buddy_free_counts(size_t *counts)
{
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		counts[k] = 0;
		for (const struct heap_page *pg = free_lists[k]; pg; pg = pg->next)
			counts[k]++;
	}
}

/* The smallest order whose blocks hold size bytes. */
static unsigned order_of(size_t size)
{
	size_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;

	return pages <= 1 ? 0 : 64 - (unsigned)__builtin_clzll((unsigned long long)pages - 1);
}

/* heap_ops.alloc (heap.h): a block of the smallest order that holds size bytes; every block is
 * page aligned, so any align up to HEAP_MAX_ALIGN holds. */
static void *buddy_alloc(size_t size, size_t align)
{
	return buddy_alloc_pages(order_of(size));
}

/* heap_ops.free (heap.h): buddy_free_pages(). */
static size_t buddy_free(void *p)
{
	return buddy_free_pages(p);
}

/* heap_ops.usable_size (heap.h): the whole block. */
static size_t buddy_usable_size(const void *p)
{
	return (size_t)PAGE_SIZE << heap_page_of((uintptr_t)p)->order;
}

const struct heap_ops heap_buddy = {
	.name = "buddy",
	.alloc = buddy_alloc,
	.free = buddy_free,
	.usable_size = buddy_usable_size,
};
