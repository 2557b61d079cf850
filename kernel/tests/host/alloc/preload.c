/*
 * preload.c: an LD_PRELOAD shim that puts one of lab 8's allocator designs under a whole
 * program in place of the C library's malloc. It is built once per design
 * (libkalloc-<design>.so, -DPRELOAD_DESIGN="<design>") from alloc.mk's fast objects, and
 * defines the C allocation functions (malloc, free, calloc, realloc, reallocarray,
 * posix_memalign, aligned_alloc, memalign, valloc, pvalloc, malloc_usable_size) over front.c's
 * locked front end.
 *
 * The first call may come from the dynamic loader or a constructor before main, so the shim
 * sets itself up lazily on the first call (host_heap_init with a limit of 1 GiB, or
 * KALLOC_HEAP_LIMIT, then front_select), under a statically initialised mutex, and never
 * allocates while doing so. Where kmalloc's rules and C's differ the shim gives C's: malloc(0)
 * hands out a unique one-byte block (kmalloc(0) is NULL); realloc(p, 0) frees p and returns
 * NULL, as glibc does; every failure sets errno to ENOMEM (posix_memalign returns the code
 * instead). Alignments above HEAP_MAX_ALIGN (a page) are refused with ENOMEM: the designs cannot
 * give them, and an over-allocated block with an interior pointer could not be freed. A pointer
 * outside the heap region handed to free or realloc stops the program with a message written by
 * write(2).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "front.h"
#include "host_heap.h"

#ifndef PRELOAD_DESIGN
#error "build with -DPRELOAD_DESIGN='\"<design>\"' (preload.mk does)"
#endif

#define PRELOAD_EXPORT __attribute__((visibility("default")))

/* Which design this shim holds: preload_test looks it up to prove the shim is in use. */
PRELOAD_EXPORT const char kalloc_preload_design[] = PRELOAD_DESIGN;

static pthread_mutex_t preload_init_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int preload_ready;

static void preload_die(const char *what, const void *p)
{
	static const char hex[] = "0123456789abcdef";
	char buf[160];
	size_t n = 0;
	uintptr_t v = (uintptr_t)p;
	const char *head = "libkalloc-" PRELOAD_DESIGN ".so: ";

	for (; *head && n < 60; head++)
		buf[n++] = *head;
	for (; *what && n < 120; what++)
		buf[n++] = *what;
	buf[n++] = '0';
	buf[n++] = 'x';
	for (int s = 60; s >= 0; s -= 4)
		buf[n++] = hex[(v >> s) & 15];
	buf[n++] = '\n';
	if (write(2, buf, n) < 0) {
		/* nothing more can be said */
	}
	abort();
}

/*
 * The heap's limit: KALLOC_HEAP_LIMIT=<n>[K|M|G] from the environment, else PRELOAD_LIMIT.
 * Not the whole 4 GiB region by default: the page-table designs (fixed, buddy, slab) zero 32
 * bytes of descriptor per page of the limit when they start (heap_pages.c), 32 MiB for 4 GiB,
 * which costs every process about 20 ms; 1 GiB costs a quarter of that. getenv() allocates
 * nothing.
 */
#define PRELOAD_LIMIT (1ull << 30)

static size_t preload_limit(void)
{
	const char *s = getenv("KALLOC_HEAP_LIMIT");
	size_t n = 0;

	if (!s || !*s)
		return PRELOAD_LIMIT;
	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (size_t)(*s - '0');
	if (*s == 'K' || *s == 'k')
		n <<= 10;
	else if (*s == 'M' || *s == 'm')
		n <<= 20;
	else if (*s == 'G' || *s == 'g')
		n <<= 30;
	return n ? n : PRELOAD_LIMIT; /* host_heap_init keeps it within the region */
}

/* Set the heap up once, with the design compiled in. */
static void preload_init_slow(void)
{
	pthread_mutex_lock(&preload_init_lock);
	if (!preload_ready) {
		if (host_heap_init(preload_limit()) != 0)
			preload_die("cannot reserve the heap region at ", NULL);
		if (front_select(PRELOAD_DESIGN) != 0)
			preload_die("unknown design " PRELOAD_DESIGN " ", NULL);
		preload_ready = 1;
	}
	pthread_mutex_unlock(&preload_init_lock);
}

static inline void preload_init(void)
{
	if (__builtin_expect(!preload_ready, 0))
		preload_init_slow();
}

/* Stops the program unless p lies inside the part of the heap region grown so far. */
static inline void preload_check_ours(const void *p, const char *fn)
{
	uintptr_t a = (uintptr_t)p;

	if (!preload_ready || a < host_heap_base || a >= heap_end() || (a & (HEAP_MIN_ALIGN - 1)))
		preload_die(fn, p);
}

/* The one allocation path: C's size and alignment rules on top of front_alloc. */
static void *preload_alloc(size_t size, size_t align)
{
	void *p;

	preload_init();
	if (size == 0)
		size = 1; /* C wants a unique pointer; kmalloc(0) is NULL */
	if (size > KMALLOC_MAX || align > HEAP_MAX_ALIGN) {
		errno = ENOMEM;
		return NULL;
	}
	p = front_alloc(size, align < HEAP_MIN_ALIGN ? HEAP_MIN_ALIGN : align);
	if (!p)
		errno = ENOMEM;
	return p;
}

PRELOAD_EXPORT void *malloc(size_t size)
{
	return preload_alloc(size, HEAP_MIN_ALIGN);
}

PRELOAD_EXPORT void free(void *p)
{
	if (!p)
		return;
	preload_check_ours(p, "free() of a pointer not from this heap: ");
	front_free(p);
}

PRELOAD_EXPORT void *calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = preload_alloc(n * size, HEAP_MIN_ALIGN);
	if (p)
		memset(p, 0, n * size); /* freed blocks are reused dirty; fresh pages would do */
	return p;
}

PRELOAD_EXPORT void *realloc(void *p, size_t size)
{
	void *q;

	if (!p)
		return malloc(size);
	preload_check_ours(p, "realloc() of a pointer not from this heap: ");
	/* front_realloc's cases are glibc's: size 0 frees and gives NULL, a shrink stays in place,
	 * a failed move leaves p as it was. */
	q = front_realloc(p, size);
	if (!q && size)
		errno = ENOMEM;
	return q;
}

PRELOAD_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

PRELOAD_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	/* POSIX: a power of two and a multiple of sizeof(void *), else EINVAL; errno untouched. */
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = preload_alloc(size, align);
	errno = saved;
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

PRELOAD_EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (align == 0 || (align & (align - 1))) {
		errno = EINVAL; /* glibc 2.38's rule: a power of two */
		return NULL;
	}
	return preload_alloc(size, align);
}

PRELOAD_EXPORT void *memalign(size_t align, size_t size)
{
	/* glibc raises an alignment that is not a power of two to the next one. */
	if (align & (align - 1)) {
		if (align > HEAP_MAX_ALIGN) {
			errno = ENOMEM;
			return NULL;
		}
		while (align & (align - 1))
			align = (align | (align - 1)) + 1;
	}
	return preload_alloc(size, align ? align : HEAP_MIN_ALIGN);
}

PRELOAD_EXPORT void *valloc(size_t size)
{
	return preload_alloc(size, PAGE_SIZE);
}

PRELOAD_EXPORT void *pvalloc(size_t size)
{
	if (size > KMALLOC_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	size = size ? (size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1) : PAGE_SIZE;
	return preload_alloc(size, PAGE_SIZE);
}

PRELOAD_EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	preload_check_ours(p, "malloc_usable_size() of a pointer not from this heap: ");
	return front_usable_size(p);
}

/* After libc is up: set the heap up (if no call did yet) and hold the lock across fork(), so a
 * child never starts with it taken by a thread that does not exist there. pthread_atfork may
 * allocate, which is safe here: no lock is held. */
__attribute__((constructor)) static void preload_start(void)
{
	preload_init();
	pthread_atfork(front_fork_prepare, front_fork_parent, front_fork_child);
}
