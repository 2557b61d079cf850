/*
 * alloc_fixed.c: lab 8's fixed-size block allocator (exercise 2). heap.h states the rules every
 * allocator keeps; alloc.h's fixed paragraph is this design.
 *
 * Requests of up to FIXED_MAX bytes are rounded up to one of FIXED_CLASSES size classes, the
 * powers of two from 16 to 2048, and every class keeps its own free list of blocks of exactly
 * that size. A free block is its own list node: its first 8 bytes link to the next free block
 * of the class and the next 8 hold FIXED_FREE_TAG ^ its address, which says "free" (double
 * frees) and lets alloc check the block before trusting its link. alloc pops the head of its
 * class's list and free pushes the block back, last in first out, so both are a few
 * instructions with no search and no splitting or merging. A class whose list is empty takes a
 * FIXED_REFILL-byte, page-aligned chunk from lab 7's first-fit allocator (heap_firstfit) and
 * cuts it into blocks. The chunk's page descriptors say HP_FIXED and which class, so free
 * finds a block's size from its address alone, without a header; blocks are aligned to their
 * size because the chunk is page aligned. Chunks stay with their class forever: memory freed in
 * one class is never used by another (the design's fragmentation). Larger requests, and
 * pointers outside class pages, go to heap_firstfit unchanged, which checks them itself.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "panic.h"

/* What the first 16 bytes of a free block hold; every other byte of it is HEAP_POISON. */
struct fixed_free {
	struct fixed_free *next; /* the class's next free block, NULL for the last */
	uint64_t tag;            /* FIXED_FREE_TAG ^ the block's address: "I am free" */
};

_Static_assert(sizeof(struct fixed_free) == 2 * sizeof(uint64_t),
	       "a free block's link is 16 bytes");
_Static_assert(FIXED_MIN >= sizeof(struct fixed_free), "every block holds a link");
_Static_assert(FIXED_REFILL % PAGE_SIZE == 0 && FIXED_MAX <= PAGE_SIZE, "a chunk is whole pages");

/* Eight bytes of HEAP_POISON: what alloc stores over a block's link and tag. By hand, not with
 * heap_poison(), which the host's benchmark build compiles out: a tag left in a live block
 * would make its kfree look like a double free. */
#define POISON_WORD 0x6b6b6b6b6b6b6b6bull

static struct fixed_free *free_lists[FIXED_CLASSES]; /* per class, the last freed first */

/*
 * The descriptor of the page holding a, or NULL outside the table. The table covers every page
 * up to the heap's limit, mapped or not, and an unmapped page's descriptor is HP_NONE, so this
 * may be read before knowing a is mapped: only an HP_FIXED page's bytes are ever read after it.
 */
static inline struct heap_page *page_desc(uintptr_t a)
{
	uintptr_t off = a - HEAP_BASE;

	return off < heap_pages_count * PAGE_SIZE ? &heap_pages_table[off / PAGE_SIZE] : NULL;
}

/* The class for a request of m = max(size, align) <= FIXED_MAX bytes: the smallest size >= m. */
static inline unsigned class_of(size_t m)
{
	return (unsigned)(64 - __builtin_clzll((unsigned long long)(m - 1) | (FIXED_MIN - 1))) - 4;
}

/*
 * Could x be the link held by the free block o of class c? NULL ends the list; anything else
 * must be another block's first byte in a page of class c. When strict, the block at x must
 * also carry its free tag (it is read: HP_FIXED pages are mapped).
 */
static bool link_ok(uintptr_t x, const struct fixed_free *o, unsigned c, bool strict)
{
	const struct heap_page *pg;

	if (!x)
		return true;
	pg = page_desc(x);
	if (!pg || pg->kind != HP_FIXED || pg->cls != c || x == (uintptr_t)o ||
	    ((x - HEAP_BASE) & (((size_t)FIXED_MIN << c) - 1)))
		return false;
	return !strict || ((const struct fixed_free *)x)->tag == (FIXED_FREE_TAG ^ x);
}

/* Panic naming the first byte of the free block o's tag that differs from FIXED_FREE_TAG ^ o, if one
 * does; return if none does. */
static void tag_check(const struct fixed_free *o)
{
	const uint8_t *b = (const uint8_t *)&o->tag;
	uint64_t tag = FIXED_FREE_TAG ^ (uintptr_t)o;

	for (unsigned i = 0; i < sizeof(tag); i++) {
		if (b[i] != (uint8_t)(tag >> 8 * i))
			panic("kmalloc: write after free at %p (block %p)", (const void *)(b + i),
			      (const void *)o);
	}
}

/* How many of the 8 bytes of the tag of the block at x are those of a free block's tag. */
static unsigned tag_bytes_ok(uintptr_t x)
{
	uint64_t d = ((const struct fixed_free *)x)->tag ^ (FIXED_FREE_TAG ^ x);
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(d); i++)
		n += (uint8_t)(d >> 8 * i) == 0;
	return n;
}

/*
 * The free block o has a wrong tag, or a link that does not name another free block: something
 * wrote to a free block. Panic naming the first changed byte that can be told, for a write of one
 * byte at least, never following the link:
 *   - the link names a block where one may be, but that block's tag is wrong in a few bytes only:
 *     the change is in that tag (a wholly different tag means the link was changed instead);
 *   - the link is wrong: the byte of it that, given some other value, makes it name a free
 *     block again (each byte's 256 values are tried), or the link's first byte when none does;
 *   - else the first byte of o's tag that differs.
 */
static __attribute__((noreturn)) void fixed_corrupt(const struct fixed_free *o, unsigned c)
{
	const uint8_t *b = (const uint8_t *)o;
	uintptr_t link = (uintptr_t)o->next;

	if (!link_ok(link, o, c, true)) {
		if (link_ok(link, o, c, false) && tag_bytes_ok(link) >= 4)
			tag_check((const struct fixed_free *)link);
		for (unsigned i = 0; i < sizeof(link); i++) {
			for (uintptr_t v = 0; v < 256; v++) {
				uintptr_t x = (link & ~((uintptr_t)0xff << 8 * i)) | v << 8 * i;

				if (x != link && link_ok(x, o, c, true))
					panic("kmalloc: write after free at %p (block %p)",
					      (const void *)(b + i), (const void *)b);
			}
		}
		panic("kmalloc: write after free at %p (block %p)", (const void *)b,
		      (const void *)b);
	}
	tag_check(o);
	panic("kmalloc: write after free at %p (block %p)", (const void *)b, (const void *)b);
}

/*
 * Refill the empty list of class c: a FIXED_REFILL-byte chunk from heap_firstfit aligned to a
 * page (first fit checked it is all poison), its pages marked HP_FIXED for class c, cut into
 * blocks listed in address order. False when the descriptor table or the chunk cannot be had.
 * Out of line (noinline), so that fixed_alloc()'s fast path needs no registers saved.
 */
static __attribute__((noinline)) bool fixed_refill(unsigned c)
{
	size_t size = (size_t)FIXED_MIN << c;
	uintptr_t chunk, a;
	struct fixed_free *next = NULL;

	if (!heap_pages_table && !heap_pages_init())
		return false;
	chunk = (uintptr_t)heap_firstfit.alloc(FIXED_REFILL, PAGE_SIZE);
	if (!chunk)
		return false;
	for (a = chunk; a < chunk + FIXED_REFILL; a += PAGE_SIZE) {
		struct heap_page *pg = page_desc(a);

		pg->kind = HP_FIXED;
		pg->cls = (uint16_t)c;
	}
	for (a = chunk + FIXED_REFILL - size;; a -= size) {
		struct fixed_free *o = (struct fixed_free *)a;

		o->next = next;
		o->tag = FIXED_FREE_TAG ^ a;
		next = o;
		if (a == chunk)
			break;
	}
	free_lists[c] = next;
	return true;
}

/*
 * heap_ops.alloc (heap.h): the head of the free list of the smallest class that holds
 * max(size, align) bytes, refilling the class when its list is empty; the block's tag and link
 * are checked, its 16 link bytes poisoned again and all its bytes checked. Larger requests go
 * to heap_firstfit.
 */
static void *fixed_alloc(size_t size, size_t align)
{
	size_t m = size > align ? size : align;
	struct fixed_free *o;
	unsigned c;

	if (m > FIXED_MAX)
		return heap_firstfit.alloc(size, align);
	c = class_of(m);
	o = free_lists[c];
	if (!o) {
		if (!fixed_refill(c))
			return NULL;
		o = free_lists[c];
	}
	if (o->tag != (FIXED_FREE_TAG ^ (uintptr_t)o) || !link_ok((uintptr_t)o->next, o, c, true))
		fixed_corrupt(o, c);
	free_lists[c] = o->next;
	o->next = (void *)POISON_WORD;
	o->tag = POISON_WORD;
	heap_check_poison(o, (size_t)FIXED_MIN << c, o);
	return o;
}

/*
 * heap_ops.free (heap.h): a block in an HP_FIXED page is checked (an offset that is not a
 * multiple of the class size is a bad pointer, a set tag a double free), poisoned, tagged and
 * pushed on its class's list; any other pointer is heap_firstfit's to check and free. Returns
 * the usable size.
 */
static size_t fixed_free(void *p)
{
	uintptr_t a = (uintptr_t)p;
	const struct heap_page *pg = page_desc(a);
	struct fixed_free *o = p;
	size_t size;

	if (!pg || pg->kind != HP_FIXED)
		return heap_firstfit.free(p);
	size = (size_t)FIXED_MIN << pg->cls;
	if ((a - HEAP_BASE) & (size - 1))
		panic("kfree: bad pointer %p", p);
	if (o->tag == (FIXED_FREE_TAG ^ a))
		panic("kfree: double free of %p", p);
	heap_poison(p, size);
	o->next = free_lists[pg->cls];
	o->tag = FIXED_FREE_TAG ^ a;
	free_lists[pg->cls] = o;
	return size;
}

/* heap_ops.usable_size (heap.h): the class size, or what heap_firstfit says. */
static size_t fixed_usable_size(const void *p)
{
	const struct heap_page *pg = page_desc((uintptr_t)p);

	if (pg && pg->kind == HP_FIXED)
		return (size_t)FIXED_MIN << pg->cls;
	return heap_firstfit.usable_size(p);
}

const struct heap_ops heap_fixed = {
	.name = "fixed",
	.alloc = fixed_alloc,
	.free = fixed_free,
	.usable_size = fixed_usable_size,
};
