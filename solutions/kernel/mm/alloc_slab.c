/*
 * alloc_slab.c: lab 8's slab allocator (exercise 4). heap.h states the rules every allocator
 * keeps; alloc.h's slab paragraph is this design.
 *
 * Small requests go to one of SLAB_CACHES caches of objects of one size each (16, 32, ...
 * 2048 bytes). A cache's memory comes in slabs: single pages from the buddy allocator
 * (buddy_alloc_pages(0)), each cut into PAGE_SIZE / size objects. A slab needs no header: its
 * page descriptor says HP_SLAB, which cache it belongs to (cls), how many of its objects are out
 * (inuse) and where its first free object is (freelist); each free object holds the link to the
 * next free one of the same slab and a tag. Finding an object's slab on free is one division
 * ((p - HEAP_BASE) / PAGE_SIZE), and allocating is a pop from the free list of the cache's first
 * partial slab (one with a free object), so both are O(1). The partial slabs of a cache are a
 * doubly linked list of descriptors, most recently used first: allocations keep coming from the
 * same few slabs, and a slab whose objects all come back can be given back to the buddy, which
 * a design with one free list per size (fixed) can never do. One empty slab per cache is kept
 * (SLAB_KEEP_EMPTY), so that a cache whose last object is freed and allocated again and again
 * does not take a page from the buddy and give it back each time. Requests above 2048 bytes (or
 * aligned to more) take a buddy block of their own.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "panic.h"

/* What the first 16 bytes of a free object hold; every other byte of it is HEAP_POISON. */
struct slab_obj {
	struct slab_obj *next; /* the slab's next free object, NULL for the last */
	uint64_t tag;          /* SLAB_FREE_TAG ^ the object's address: "I am free" */
};

struct slab_cache {
	struct heap_page *partial; /* slabs with a free object, most recently used first */
	size_t slabs;              /* slabs the cache holds, partial, full or empty */
	size_t empty;              /* slabs with every object free, at most SLAB_KEEP_EMPTY */
	size_t inuse;              /* objects handed out */
};

_Static_assert(sizeof(struct slab_obj) == 2 * sizeof(uint64_t), "a free object's link is 16 bytes");
_Static_assert(SLAB_MIN >= sizeof(struct slab_obj), "every object holds a link");

/* Eight bytes of HEAP_POISON: what alloc stores over a block's link and tag. By hand, not with
 * heap_poison(), which the host's benchmark build compiles out: a tag left in a live block
 * would make its kfree look like a double free. */
#define POISON_WORD 0x6b6b6b6b6b6b6b6bull

static struct slab_cache caches[SLAB_CACHES];

/*
 * The descriptor of the page holding a, or NULL outside the table. The table covers every page
 * up to the heap's limit, mapped or not, and an unmapped page's descriptor is HP_NONE, so this
 * may be read before knowing a is mapped: only an HP_SLAB page's bytes are ever read after it.
 */
static inline struct heap_page *page_desc(uintptr_t a)
{
	uintptr_t off = a - HEAP_BASE;

	return off < heap_pages_count * PAGE_SIZE ? &heap_pages_table[off / PAGE_SIZE] : NULL;
}

/* The cache for a request of m = max(size, align) <= SLAB_MAX bytes: the smallest size >= m. */
static inline unsigned cache_of(size_t m)
{
	return (unsigned)(64 - __builtin_clzll((unsigned long long)(m - 1) | (SLAB_MIN - 1))) - 4;
}

/* The smallest buddy order whose blocks hold size bytes. */
static unsigned order_of(size_t size)
{
	size_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;

	return pages <= 1 ? 0 : 64 - (unsigned)__builtin_clzll((unsigned long long)pages - 1);
}

/* Put slab s at the head of its cache's partial list. */
static void partial_push(struct slab_cache *sc, struct heap_page *s)
{
	s->prev = NULL;
	s->next = sc->partial;
	if (s->next)
		s->next->prev = s;
	sc->partial = s;
}

/* Take slab s off its cache's partial list. */
static void partial_remove(struct slab_cache *sc, struct heap_page *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		sc->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/*
 * Could x be the link held by the free object o of the slab at page (objects of size bytes)?
 * NULL ends the list; anything else must be another object's first byte in the same page. When
 * strict, the object at x must also carry its free tag (it is read: it is in the slab's page).
 */
static bool link_ok(uintptr_t x, const struct slab_obj *o, uintptr_t page, size_t size, bool strict)
{
	if (!x)
		return true;
	if (x - page >= PAGE_SIZE || ((x - page) & (size - 1)) || x == (uintptr_t)o)
		return false;
	return !strict || ((const struct slab_obj *)x)->tag == (SLAB_FREE_TAG ^ x);
}

/* Panic naming the first byte of the free object o's tag that differs from SLAB_FREE_TAG ^ o, if one
 * does; return if none does. */
static void tag_check(const struct slab_obj *o)
{
	const uint8_t *b = (const uint8_t *)&o->tag;
	uint64_t tag = SLAB_FREE_TAG ^ (uintptr_t)o;

	for (unsigned i = 0; i < sizeof(tag); i++) {
		if (b[i] != (uint8_t)(tag >> 8 * i))
			panic("kmalloc: write after free at %p (block %p)", (const void *)(b + i),
			      (const void *)o);
	}
}

/* How many of the 8 bytes of the tag of the object at x are those of a free object's tag. */
static unsigned tag_bytes_ok(uintptr_t x)
{
	uint64_t d = ((const struct slab_obj *)x)->tag ^ (SLAB_FREE_TAG ^ x);
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(d); i++)
		n += (uint8_t)(d >> 8 * i) == 0;
	return n;
}

/*
 * The free object o has a wrong tag, or a link that does not name another free object: something
 * wrote to a free object. Panic naming the first changed byte that can be told, for a write of one
 * byte at least, never following the link:
 *   - the link names a object where one may be, but that object's tag is wrong in a few bytes only:
 *     the change is in that tag (a wholly different tag means the link was changed instead);
 *   - the link is wrong: the byte of it that, given some other value, makes it name a free
 *     object again (each byte's 256 values are tried), or the link's first byte when none does;
 *   - else the first byte of o's tag that differs.
 */
static __attribute__((noreturn)) void slab_corrupt(const struct slab_obj *o, uintptr_t page,
						   size_t size)
{
	const uint8_t *b = (const uint8_t *)o;
	uintptr_t link = (uintptr_t)o->next;

	if (!link_ok(link, o, page, size, true)) {
		if (link_ok(link, o, page, size, false) && tag_bytes_ok(link) >= 4)
			tag_check((const struct slab_obj *)link);
		for (unsigned i = 0; i < sizeof(link); i++) {
			for (uintptr_t v = 0; v < 256; v++) {
				uintptr_t x = (link & ~((uintptr_t)0xff << 8 * i)) | v << 8 * i;

				if (x != link && link_ok(x, o, page, size, true))
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
 * A new slab for cache c from the buddy, cut into objects whose free list runs in address order
 * (so the first allocation gets the page's first byte), at the head of the partial list; NULL
 * when the buddy has no page. The buddy checked that the page is all poison. Out of line, as
 * slab_release() is.
 */
static __attribute__((noinline)) struct heap_page *slab_new(struct slab_cache *sc, unsigned c)
{
	size_t size = (size_t)SLAB_MIN << c;
	uintptr_t page = (uintptr_t)buddy_alloc_pages(0);
	struct slab_obj *next = NULL;
	struct heap_page *s;

	if (!page)
		return NULL;
	for (uintptr_t a = page + PAGE_SIZE - size;; a -= size) {
		struct slab_obj *o = (struct slab_obj *)a;

		o->next = next;
		o->tag = SLAB_FREE_TAG ^ a;
		next = o;
		if (a == page)
			break;
	}
	s = page_desc(page);
	s->kind = HP_SLAB;
	s->cls = (uint16_t)c;
	s->inuse = 0;
	s->freelist = next;
	partial_push(sc, s);
	sc->slabs++;
	sc->empty++;
	return s;
}

/*
 * heap_ops.alloc (heap.h): an object of the smallest cache that holds max(size, align) bytes,
 * popped from the free list of the cache's first partial slab (a new slab when there is none);
 * a slab whose last free object goes out leaves the partial list. The object's tag and link are
 * checked, its 16 link bytes poisoned again and all its bytes checked. Larger requests get a
 * buddy block of their own.
 */
static void *slab_alloc(size_t size, size_t align)
{
	size_t m = size > align ? size : align, osize;
	struct slab_cache *sc;
	struct heap_page *s;
	struct slab_obj *o;
	uintptr_t page;
	unsigned c;

	if (m > SLAB_MAX)
		return buddy_alloc_pages(
			order_of(size)); /* page aligned: align <= PAGE_SIZE holds */
	c = cache_of(m);
	sc = &caches[c];
	s = sc->partial;
	if (!s && !(s = slab_new(sc, c)))
		return NULL;
	osize = (size_t)SLAB_MIN << c;
	page = HEAP_BASE + (uintptr_t)(s - heap_pages_table) * PAGE_SIZE;
	o = s->freelist;
	if (o->tag != (SLAB_FREE_TAG ^ (uintptr_t)o) ||
	    !link_ok((uintptr_t)o->next, o, page, osize, true))
		slab_corrupt(o, page, osize);
	s->freelist = o->next;
	if (s->inuse++ == 0)
		sc->empty--;
	sc->inuse++;
	if (!s->freelist)
		partial_remove(sc, s); /* full: nothing to allocate from it until a free */
	o->next = (void *)POISON_WORD;
	o->tag = POISON_WORD;
	heap_check_poison(o, osize, o);
	return o;
}

/*
 * Cache sc has an empty slab s beyond the SLAB_KEEP_EMPTY it keeps: give its page back to the
 * buddy. Every object is checked first, as alloc would check it: buddy_free_pages() poisons the
 * page, which would erase the trace of a write after free. Kept out of line (noinline), so that
 * the fast paths that call it need no registers saved.
 */
static __attribute__((noinline)) void slab_release(struct slab_cache *sc, struct heap_page *s)
{
	size_t size = (size_t)SLAB_MIN << s->cls;
	uintptr_t page = HEAP_BASE + (uintptr_t)(s - heap_pages_table) * PAGE_SIZE;

	/* Tags first, then links: a link is checked against the tag of the object it names. */
	for (uintptr_t a = page; a < page + PAGE_SIZE; a += size)
		tag_check((const struct slab_obj *)a);
	for (uintptr_t a = page; a < page + PAGE_SIZE; a += size) {
		const struct slab_obj *o = (const struct slab_obj *)a;

		if (!link_ok((uintptr_t)o->next, o, page, size, true))
			slab_corrupt(o, page, size);
	}
	for (uintptr_t a = page; a < page + PAGE_SIZE; a += size) {
		heap_poison((void *)a, sizeof(struct slab_obj));
		heap_check_poison((void *)a, size, (void *)a);
	}
	partial_remove(sc, s);
	sc->slabs--;
	s->kind = HP_BUDDY_USED; /* an order-0 buddy block again, as buddy_alloc_pages() gave it */
	s->cls = 0;
	s->freelist = NULL;
	buddy_free_pages((void *)page);
}

/*
 * heap_ops.free (heap.h): an object in a slab page is checked (an offset that is not a multiple
 * of the object size is a bad pointer, a set tag a double free), poisoned, tagged and pushed on
 * its slab's free list, and the slab moves to the head of the partial list. A slab left with
 * no object out is kept as the cache's empty slab, or, when the cache has SLAB_KEEP_EMPTY
 * already, its objects are checked as alloc checks them (buddy_free_pages() will poison them)
 * and its page goes back to the buddy. Anything that is not in a slab is the buddy's to check
 * and free. Returns the usable size.
 */
static size_t slab_free(void *p)
{
	uintptr_t a = (uintptr_t)p;
	struct heap_page *s = page_desc(a);
	struct slab_obj *o = p;
	struct slab_cache *sc;
	size_t size;

	if (!s || s->kind != HP_SLAB)
		return buddy_free_pages(p); /* a large block, or a bad pointer buddy will name */
	size = (size_t)SLAB_MIN << s->cls;
	if ((a - HEAP_BASE) & (size - 1))
		panic("kfree: bad pointer %p", p);
	if (o->tag == (SLAB_FREE_TAG ^ a))
		panic("kfree: double free of %p", p);
	sc = &caches[s->cls];
	heap_poison(p, size);
	o->next = s->freelist;
	o->tag = SLAB_FREE_TAG ^ a;
	if (!o->next)
		partial_push(sc, s); /* it was full */
	else if (sc->partial != s) {
		partial_remove(sc, s);
		partial_push(sc, s);
	}
	s->freelist = o;
	sc->inuse--;
	if (--s->inuse == 0) {
		/* Empty: keep it if the cache has room for one more empty slab, else give it back. */
		if (sc->empty < SLAB_KEEP_EMPTY)
			sc->empty++;
		else
			slab_release(sc, s);
	}
	return size;
}

/* heap_ops.usable_size (heap.h): the object size, or the whole buddy block. */
static size_t slab_usable_size(const void *p)
{
	const struct heap_page *s = page_desc((uintptr_t)p);

	return s->kind == HP_SLAB ? (size_t)SLAB_MIN << s->cls : (size_t)PAGE_SIZE << s->order;
}

const struct heap_ops heap_slab = {
	.name = "slab",
	.alloc = slab_alloc,
	.free = slab_free,
	.usable_size = slab_usable_size,
};

/* alloc.h: what cache holds now. */
void slab_cache_info(unsigned cache, struct slab_cache_info *out)
{
	out->size = (size_t)SLAB_MIN << cache;
	out->slabs = caches[cache].slabs;
	out->empty = caches[cache].empty;
	out->inuse = caches[cache].inuse;
}
