/*
 * alloc.h: lab 8's allocator designs, the page descriptors they share, and the buddy page API
 * the slab allocator is built on. Every design is a struct heap_ops (heap.h) and keeps every
 * rule heap.h states, except where a design's paragraph below says otherwise. The kernel uses
 * one design per boot: alloc=<name> on the command line (make ALLOC=<name> puts it there),
 * default slab. See handouts/lab8-allocators.md.
 *
 *   name   file                    exercise
 *   bump   kernel/mm/alloc_bump.c  1   a pointer that only moves up, reset when all is free
 *   list   kernel/mm/heap_firstfit.c   (lab 7's first-fit list, unchanged)
 *   fixed  kernel/mm/alloc_fixed.c 2   power-of-two size classes, the list as fallback
 *   buddy  kernel/mm/alloc_buddy.c 3   blocks of 2^k pages, split and merged with their buddy
 *   slab   kernel/mm/alloc_slab.c  4   caches of one object size in pages from the buddy
 *
 * The same files compile on the host (kernel/tests/host/alloc/), where HEAP_BASE and
 * HEAP_REGION_SIZE come from the host's layout.h: HEAP_BASE is a variable there, so use it only
 * at run time (never in a static initialiser), and derive every bound from HEAP_REGION_SIZE.
 */
#ifndef ALLOC_H
#define ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"

extern const struct heap_ops heap_bump, heap_fixed, heap_buddy, heap_slab;

/* ---- Page descriptors (heap_pages.c, given) ----------------------------------------------
 *
 * One struct heap_page for every 4 KiB page the heap may ever map (heap_limit() / PAGE_SIZE of
 * them), like the struct page Linux keeps for every frame. The table itself is heap memory: the
 * first heap_pages_init() takes it with heap_grow(), zeroes it, and marks its own pages
 * HP_META. Only designs that need per-page facts (fixed, buddy, slab) call it; bump and list
 * never do. The layout is fixed (32 bytes, the grader reads it through heap_pages_table).
 */
enum heap_page_kind {
	HP_NONE = 0,   /* not mapped yet, or inside a block whose first page says what it is */
	HP_META,       /* a page of this table */
	HP_BUDDY_FREE, /* the first page of a free buddy block of 2^order pages */
	HP_BUDDY_USED, /* the first page of an allocated buddy block of 2^order pages */
	HP_FIXED,      /* a page carved into blocks of size class cls (fixed) */
	HP_SLAB,       /* a slab: an order-0 buddy block holding objects of cache cls (slab) */
};

struct heap_page {
	uint8_t kind;                  /* enum heap_page_kind */
	uint8_t order;                 /* buddy blocks: the block is 2^order pages */
	uint16_t cls;                  /* fixed: the size class; slab: the cache's index */
	uint32_t inuse;                /* slab: objects of this slab handed out */
	void *freelist;                /* slab: this slab's first free object, NULL when full */
	struct heap_page *next, *prev; /* buddy: the free list of order; slab: the cache's list */
};

_Static_assert(sizeof(struct heap_page) == 32, "the grader reads 32-byte page descriptors");

/* The table (NULL until heap_pages_init() succeeded) and how many descriptors it holds. */
extern struct heap_page *heap_pages_table;
extern size_t heap_pages_count;

/* Take the table from heap_grow() if that has not been done yet. False when heap_grow() could
 * not provide it (the caller's alloc then returns NULL). Called with the heap lock held. */
bool heap_pages_init(void);

/* The descriptor of the page holding address a, or NULL when a is outside HEAP_BASE ..
 * heap_end() (or the table does not exist yet). */
static inline struct heap_page *heap_page_of(uintptr_t a)
{
	uintptr_t off = a - HEAP_BASE;

	if (a < HEAP_BASE || a >= heap_end() || !heap_pages_table)
		return NULL;
	return &heap_pages_table[off / PAGE_SIZE];
}

/* The address of the first byte of the page pg describes. */
static inline uintptr_t heap_page_addr(const struct heap_page *pg)
{
	return HEAP_BASE + (uintptr_t)(pg - heap_pages_table) * PAGE_SIZE;
}

/* ---- Exercise 1: bump (alloc_bump.c) ------------------------------------------------------
 *
 * Blocks are laid out one after the other, from the first byte bump's first heap_grow() gave
 * (bump is the only caller of heap_grow() in its boots, so the heap stays one run). A block is a
 * 16-byte header (BUMP_HDR: BUMP_LIVE or BUMP_FREE, then the usable size) right before its
 * usable bytes: p = align_up(end of the previous block + BUMP_HDR, align), usable size
 * align_up(size, 16), and the block ends at p + usable size (the first block's "previous end" is
 * the start). When the block does not fit before heap_end(), heap_grow() provides the rest:
 * BUMP_GROW bytes when that is enough and the limit allows, else exactly the bytes missing.
 * Nothing is reused while any block is live: free poisons the usable bytes, marks the header
 * BUMP_FREE and counts the live blocks down; when the count reaches zero, everything from the
 * start to the end of the last block is poisoned (headers too) and the next block starts at the
 * start again. Free panics as a double free when the header says BUMP_FREE or is all
 * HEAP_POISON, and as a bad pointer for any other address (outside start .. end of the last
 * block, not 16-aligned, or no BUMP_LIVE header). With every block free, one alloc of
 * (mapped - HEAP_SLACK) succeeds without growing the heap.
 */
#define BUMP_HDR  16
#define BUMP_GROW (64u << 10)
#define BUMP_LIVE 0x6576696c706d7562ull
#define BUMP_FREE 0x65657266706d7562ull

/* ---- Exercise 2: fixed-size blocks (alloc_fixed.c) ------------------------------------------
 *
 * Eight classes of FIXED_MIN << c bytes (16, 32, ... 2048; 16 is the smallest since every block
 * is 16-aligned). A request of size bytes aligned to align goes to the smallest class c with
 * class size >= size and >= align; usable_size is then the class size and p is aligned to it.
 * Larger requests go to heap_firstfit (lab 7) unchanged. Each class has one free list, last
 * freed first out (LIFO): kfree then kmalloc of the same class returns the same block. An empty
 * class is refilled with a FIXED_REFILL-byte chunk that heap_firstfit allocates aligned to
 * PAGE_SIZE: its pages become HP_FIXED with cls = c and are carved into blocks. Class pages are
 * never given back (the design's known cost). A free block holds its list link in its first 8
 * bytes and FIXED_FREE_TAG ^ its address in the next 8; every other byte holds HEAP_POISON.
 * kfree of a block whose tag is set panics as a double free; of an address in an HP_FIXED page
 * that is not a multiple of the class size from the page's start, as a bad pointer.
 */
#define FIXED_MIN       16
#define FIXED_CLASSES   8
#define FIXED_MAX       (FIXED_MIN << (FIXED_CLASSES - 1)) /* 2048 */
#define FIXED_REFILL    (4 * PAGE_SIZE)
#define FIXED_FREE_TAG  0x646565726678696full

/* ---- Exercise 3: buddy (alloc_buddy.c) ------------------------------------------------------
 *
 * The heap is managed in blocks of 2^k pages, 0 <= k <= BUDDY_MAX_ORDER (all of the region);
 * a block of order k starts at an address aligned to PAGE_SIZE << k, counted from HEAP_BASE,
 * and its buddy is the block at that address XOR (PAGE_SIZE << k). Each block's first page's
 * descriptor says HP_BUDDY_FREE or HP_BUDDY_USED and its order; every other page of the block
 * is HP_NONE. Free blocks of order k form a doubly linked list of descriptors (next, prev)
 * headed by the order's list; alloc takes the first block of the list (the most recently freed
 * one), free puts a block at its head.
 *
 * buddy_alloc_pages(k) takes a free block of the smallest order j >= k, splitting it in halves
 * down to order k: each split keeps the lower half and frees the upper one. When no free block
 * of order >= k exists it grows the heap: heap_grow() of the bytes from heap_end() up to the
 * next multiple of PAGE_SIZE << k plus PAGE_SIZE << k (at least BUDDY_GROW bytes when the limit
 * allows), and frees those pages as the largest aligned blocks they hold, lowest first. Free
 * merges a block with its buddy while the buddy is a free block of the same order, so that with
 * every block free the free blocks are exactly the largest aligned blocks of the mapped pages
 * outside the page table. O(BUDDY_MAX_ORDER) per call.
 *
 * As a heap_ops (heap_buddy): order = the smallest k with PAGE_SIZE << k >= size (align never
 * matters: every block is page aligned), usable_size = PAGE_SIZE << order. Free panics as a
 * double free when p is a free block's first byte or lies in a free block; as a bad pointer
 * when it is not the first byte of an allocated block.
 */
#define BUDDY_MAX_ORDER ((unsigned)__builtin_ctzll(HEAP_REGION_SIZE / PAGE_SIZE))
#define BUDDY_GROW      (64u << 10)

/* A block of 2^order pages, its bytes all HEAP_POISON (checked), or NULL. Used by slab. */
void *buddy_alloc_pages(unsigned order);
/* Give back a block buddy_alloc_pages() returned (double free and bad pointer panic as above).
 * Returns its size in bytes. */
size_t buddy_free_pages(void *p);
/* How many free blocks of each order there are (counts[0..BUDDY_MAX_ORDER]). */
void buddy_free_counts(size_t *counts);

/* ---- Exercise 4: slab (alloc_slab.c) --------------------------------------------------------
 *
 * SLAB_CACHES caches of SLAB_MIN << c bytes (16 .. 2048): a request goes to the smallest cache
 * whose object size is >= size and >= align, as in fixed; larger requests take a buddy block
 * directly (usable_size PAGE_SIZE << order). A slab is one page from buddy_alloc_pages(0),
 * marked HP_SLAB with cls = the cache and cut into PAGE_SIZE / object-size objects; its
 * descriptor holds the slab's own free list (freelist) and how many objects are out (inuse).
 * A cache allocates from its partial slabs (some object free) first, most recently used first,
 * and takes a new slab from the buddy only when none has a free object; in a slab, the most
 * recently freed object goes out first. When a slab's last object comes back the slab is
 * empty: the cache keeps at most SLAB_KEEP_EMPTY empty slabs and gives any other back to the
 * buddy at once (kind HP_BUDDY_USED again, then buddy_free_pages()). Free objects hold their
 * link and SLAB_FREE_TAG ^ address in their first 16 bytes, as in fixed; double free and bad
 * pointer are caught as in fixed.
 */
#define SLAB_MIN        16
#define SLAB_CACHES     8
#define SLAB_MAX        (SLAB_MIN << (SLAB_CACHES - 1)) /* 2048 */
#define SLAB_KEEP_EMPTY 1
#define SLAB_FREE_TAG   0x656572666261736cull

/* What a cache holds: slabs in all, slabs with every object free, objects handed out. */
struct slab_cache_info {
	size_t size, slabs, empty, inuse;
};
void slab_cache_info(unsigned cache, struct slab_cache_info *out);

#endif /* ALLOC_H */
