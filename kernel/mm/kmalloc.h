/*
 * kmalloc.h: the kernel's heap, as the rest of the kernel sees it (lab 7).
 *
 * kmalloc.c is the given front end: it refuses nothing itself, takes the heap lock (lab 5's
 * spin_lock_irqsave, so interrupt handlers may allocate too), keeps the statistics and calls the
 * allocator (heap.h). kmalloc_api.c (exercise 2) holds the contract's edges: which requests are
 * refused, kcalloc's overflow check and zeroing, krealloc's cases and copy. Nothing here panics
 * when memory runs out: it returns NULL. See handouts/lab7-heap.md.
 */
#ifndef KMALLOC_H
#define KMALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "heap.h"

/* What heap_get_stats() reports. */
struct heap_stats {
	uint64_t in_use;   /* usable bytes of the live blocks (usable_size of each) */
	uint64_t mapped;   /* bytes of the heap region mapped so far */
	uint64_t limit;    /* how far the heap may grow (heap=) */
	uint64_t allocs;   /* blocks handed out since boot */
	uint64_t frees;    /* blocks given back since boot */
	uint64_t failures; /* allocator calls that returned NULL (memory exhausted) */
};

/*
 * Exercise 2 (kmalloc_api.c). Allocate size bytes aligned to align. Returns NULL, without
 * calling heap_alloc() (so the statistics do not move), when
 *   - size is 0 (kmalloc(0) is NULL, by this kernel's choice; C allows it);
 *   - size > KMALLOC_MAX (the comparison is done before any arithmetic on size, so sizes near
 *     SIZE_MAX never wrap around to a small request);
 *   - align is 0, not a power of two, or above HEAP_MAX_ALIGN (4096).
 * Otherwise it returns heap_alloc(size, max(align, HEAP_MIN_ALIGN)): alignments below 16 are
 * raised to 16. That is NULL when the heap is exhausted.
 */
void *kmalloc_aligned(size_t size, size_t align);

/* kmalloc_aligned(size, HEAP_MIN_ALIGN). */
void *kmalloc(size_t size);

/*
 * Exercise 2. An array of n elements of size bytes, every byte 0. Returns NULL when n * size
 * overflows size_t (checked without performing the overflowing multiplication's wrap: a
 * product that wraps to a small number must not be allocated), and otherwise whatever
 * kmalloc(n * size) returns (so NULL when n or size is 0). Freed memory holds HEAP_POISON, so
 * the zeroing is never free.
 */
void *kcalloc(size_t n, size_t size);

/*
 * Exercise 2. Resize the block at ptr to size bytes, keeping its contents:
 *   - krealloc(NULL, size) is kmalloc(size);
 *   - krealloc(ptr, 0) frees ptr and returns NULL;
 *   - when size fits in heap_usable_size(ptr), it returns ptr itself (shrinking in place);
 *   - otherwise it allocates a new block with kmalloc(size), copies all heap_usable_size(ptr)
 *     old bytes into it, frees ptr and returns the new block;
 *   - when that allocation fails (size > KMALLOC_MAX, or the heap is exhausted) it returns NULL
 *     and ptr is untouched: still allocated, contents unchanged.
 */
void *krealloc(void *ptr, size_t size);

/* Give back a block kmalloc, kmalloc_aligned, kcalloc or krealloc returned. kfree(NULL) does
 * nothing. The debug checks of heap.h (double free, bad pointer) panic naming ptr. */
void kfree(void *ptr);

/*
 * The front end's primitives (kmalloc.c, given), for kmalloc_api.c. heap_alloc: size and align
 * as heap_ops.alloc requires (1 <= size <= KMALLOC_MAX, align a power of two in HEAP_MIN_ALIGN
 * .. HEAP_MAX_ALIGN; anything else panics "heap_alloc: ..."); heap_free: ptr not NULL;
 * heap_usable_size: ptr a live block.
 */
void *heap_alloc(size_t size, size_t align);
void heap_free(void *ptr);
size_t heap_usable_size(const void *ptr);

/*
 * Choose the allocator from alloc=<name> on the command line (heap_init() calls it, before any
 * allocation): lab 7 has only the first-fit list ("list"); from lab 8 on, bump, list, fixed,
 * buddy or slab (alloc.h), slab when alloc= is absent. An unknown name is reported and the
 * default used. kmalloc_design() is the name of the one in use.
 */
void kmalloc_select(const char *cmdline);
const char *kmalloc_design(void);

/* A consistent copy of the statistics, taken under the heap lock. */
void heap_get_stats(struct heap_stats *out);

#endif /* KMALLOC_H */
