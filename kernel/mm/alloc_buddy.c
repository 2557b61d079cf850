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
__attribute__((unused)) static size_t page_index(const struct heap_page *pg)
{
	return (size_t)(pg - heap_pages_table);
}

/* Make the block at pg a free block of order k at the head of its list. */
__attribute__((unused)) static void list_push(struct heap_page *pg, unsigned k)
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
__attribute__((unused)) static void list_remove(struct heap_page *pg, unsigned k)
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
 * alloc.h: a block of 2^order pages, every byte checked to be HEAP_POISON, or NULL. Takes the
 * head of the first non-empty list of order >= order, growing the heap only when every list is
 * empty, and splits it down to the order asked.
 */
void *buddy_alloc_pages(unsigned order)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_alloc_pages not implemented");
}

/*
 * alloc.h: give back the block starting at p, poisoned and merged with its free buddies; its
 * size in bytes. Panics as a double free or a bad pointer, reading no descriptor of an address
 * outside the mapped heap.
 */
size_t buddy_free_pages(void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_free_pages not implemented");
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

/* heap_ops.alloc (heap.h): a block of the smallest order that holds size bytes; every block is
 * page aligned, so any align up to HEAP_MAX_ALIGN holds. */
static void *buddy_alloc(size_t size, size_t align)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_alloc not implemented");
}

/* heap_ops.free (heap.h): buddy_free_pages(). */
static size_t buddy_free(void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_free not implemented");
}

/* heap_ops.usable_size (heap.h): the whole block. */
static size_t buddy_usable_size(const void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_usable_size not implemented");
}

const struct heap_ops heap_buddy = {
	.name = "buddy",
	.alloc = buddy_alloc,
	.free = buddy_free,
	.usable_size = buddy_usable_size,
};
