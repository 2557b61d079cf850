/*
 * heap.h: the heap region, and the interface every heap allocator implements (lab 7).
 *
 * The heap region is HEAP_BASE .. HEAP_BASE + HEAP_REGION_SIZE (layout.h). heap.c maps it from
 * the bottom up, one 4 KiB frame of lab 6's allocator at a time, writable and no-execute, never
 * beyond the limit heap= sets. An allocator gets its memory only from heap_grow(), like sbrk():
 * each call returns the bytes right after the previous ones.
 *
 * kmalloc.c (kmalloc.h) is the front end the rest of the kernel calls: it takes the heap lock,
 * keeps the statistics and calls one allocator through a struct heap_ops. Lab 7's allocator is
 * the first-fit list in heap_firstfit.c (exercise 1); lab 8 brings other designs behind the same
 * struct. See handouts/lab7-heap.md.
 */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* HEAP_FAST=1, for host builds that time the designs, compiles the poison fill and check out. */
#ifndef HEAP_FAST
#define HEAP_FAST 0
#endif

#define HEAP_MIN_ALIGN     16               /* every block kmalloc returns is 16-byte aligned */
#define HEAP_MAX_ALIGN     PAGE_SIZE        /* the largest alignment kmalloc_aligned accepts */
#define KMALLOC_MAX        HEAP_REGION_SIZE /* larger requests are refused outright (NULL) */
#define HEAP_LIMIT_DEFAULT (16u << 20)      /* the heap's limit without heap= */
#define HEAP_LIMIT_MIN     (16u << 10)      /* heap= below this is raised to it */
#define HEAP_SLACK         PAGE_SIZE        /* see the coalescing rule of heap_ops.free */
#define HEAP_POISON        0x6b             /* the byte freed and never-used heap memory holds */

/*
 * An allocator. The front end calls these with the heap lock held and interrupts disabled, so an
 * allocator needs no lock of its own; it must not print (panic excepted) and must not call
 * kmalloc. Rules every allocator keeps (each is graded):
 *
 * alloc(size, align): 1 <= size <= KMALLOC_MAX and align a power of two, HEAP_MIN_ALIGN <= align
 *   <= HEAP_MAX_ALIGN (the front end guarantees both). Returns a pointer p with p % align == 0
 *   and at least size usable bytes at p that overlap no other live block and no metadata, or
 *   NULL when neither the free memory nor heap_grow() can provide them (never a panic). Memory
 *   comes only from heap_grow(), and heap_grow() is called only when no free memory fits.
 *   Debug check (write after free): every usable byte of the block handed out must still hold
 *   HEAP_POISON; if one does not, panic with
 *     "kmalloc: write after free at <address of the first changed byte> (block <p>)"
 *   (heap_check_poison() does exactly this).
 *
 * free(p): p is not NULL. If p is a live block alloc returned, it becomes free and free returns
 *   how many usable bytes it had (what usable_size said while it was live); its usable bytes
 *   are filled with HEAP_POISON (heap_poison()), and it is merged with free neighbours, so that
 *   once every block is free again one alloc of (heap bytes mapped - HEAP_SLACK) succeeds
 *   without growing the heap. Metadata a merge leaves unused (a header inside the merged
 *   block) is filled with HEAP_POISON too, so that the write-after-free check never fires on
 *   it. Debug checks, each a panic naming p as the %p of kprintf:
 *     "kfree: double free of <p>"    when p is a block that is free already (whether its header
 *                                    says free or a merge has poisoned it);
 *     "kfree: bad pointer <p>"       when p is anything else inside or outside the heap.
 *
 * usable_size(p): p a live block; how many bytes are usable at p (at least the size asked).
 */
struct heap_ops {
	const char *name;
	void *(*alloc)(size_t size, size_t align);
	size_t (*free)(void *p);
	size_t (*usable_size)(const void *p);
};

/* Lab 7's allocator, in heap_firstfit.c. */
extern const struct heap_ops heap_firstfit;

#if CONFIG_HEAP
/*
 * Set the heap region up: the limit from heap=<bytes>[K|M|G] on the command line (default
 * HEAP_LIMIT_DEFAULT; rounded up to whole pages, and kept within HEAP_LIMIT_MIN ..
 * HEAP_REGION_SIZE). Maps nothing yet: the first heap_grow() maps the first pages.
 */
void heap_init(const char *cmdline);

/*
 * Extend the heap by at least bytes (rounded up to whole pages): map fresh frames right after
 * the heap's current end, fill them with HEAP_POISON, and return the address of the first new
 * byte (the previous end). Returns NULL, mapping nothing, if the limit would be passed or no
 * frame is left. Called with the heap lock held; never prints.
 */
void *heap_grow(size_t bytes);

/* The first byte past the mapped part of the heap; how many bytes are mapped; the limit. */
uintptr_t heap_end(void);
size_t heap_mapped(void);
size_t heap_limit(void);

#if HEAP_FAST
/* The host's benchmark build (kernel/tests/host/alloc/) compiles the poison fill and check out;
 * the kernel and every test build never define HEAP_FAST, so they keep the two below. */
static inline void heap_poison(void *p, size_t n)
{
}

static inline void heap_check_poison(const void *p, size_t n, const void *block)
{
}
#else
/* Fill n bytes at p with HEAP_POISON. */
void heap_poison(void *p, size_t n);

/* Panic "kmalloc: write after free at <a> (block <block>)" naming the first of the n bytes at p
 * that is not HEAP_POISON; return if they all are. */
void heap_check_poison(const void *p, size_t n, const void *block);
#endif /* HEAP_FAST */
#else
static inline void heap_init(const char *cmdline)
{
}
#endif /* CONFIG_HEAP */

#endif /* HEAP_H */
