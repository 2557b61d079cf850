/*
 * host_heap.c: heap_grow(), heap_end(), heap_mapped(), heap_limit(), heap_poison() and
 * heap_check_poison() as heap.h states them, over a region of this process's address space.
 *
 * host_heap_init() reserves twice HEAP_REGION_SIZE with PROT_NONE and MAP_NORESERVE (address
 * space only: no memory, no swap), keeps the one HEAP_REGION_SIZE-aligned region inside and
 * gives the rest back. heap_grow() makes the next pages readable and writable (mprotect, the
 * host's stand-in for mapping frames), poisons them and moves the end. Nothing is ever closed
 * again, as the kernel never unmaps heap pages. No locking: callers hold the front end's lock
 * (front.c) or run single-threaded, as heap.h requires.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "host_heap.h"
#include "panic.h"

uintptr_t host_heap_base;
unsigned long host_heap_grows;
static uintptr_t heap_brk; /* first byte past the open pages */
static size_t heap_max;    /* the limit */

int host_heap_init(size_t limit)
{
	if (!host_heap_base) {
		size_t span = 2 * (size_t)HEAP_REGION_SIZE;
		void *m = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);
		uintptr_t lo, base;

		if (m == MAP_FAILED)
			return -1;
		lo = (uintptr_t)m;
		base = (lo + HEAP_REGION_SIZE - 1) & ~(uintptr_t)(HEAP_REGION_SIZE - 1);
		if (base > lo)
			munmap(m, base - lo);
		if (base + HEAP_REGION_SIZE < lo + span)
			munmap((void *)(base + HEAP_REGION_SIZE), lo + span - base - HEAP_REGION_SIZE);
		host_heap_base = base;
	} else if (heap_brk > host_heap_base) {
		/* A second init (a test's fresh heap): close what was open and start again. */
		mprotect((void *)host_heap_base, heap_brk - host_heap_base, PROT_NONE);
		madvise((void *)host_heap_base, heap_brk - host_heap_base, MADV_DONTNEED);
	}
	if (limit < HEAP_LIMIT_MIN)
		limit = HEAP_LIMIT_MIN;
	if (limit > HEAP_REGION_SIZE)
		limit = HEAP_REGION_SIZE;
	heap_max = (limit + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
	heap_brk = host_heap_base;
	host_heap_grows = 0;
	return 0;
}

void *heap_grow(size_t bytes)
{
	uintptr_t start = heap_brk;
	size_t pages, left = heap_max - (heap_brk - host_heap_base);

	if (!host_heap_base || bytes > left)
		return NULL;
	pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > left / PAGE_SIZE)
		return NULL;
	if (mprotect((void *)start, pages * PAGE_SIZE, PROT_READ | PROT_WRITE) != 0)
		return NULL;
	if (!HEAP_FAST)
		memset((void *)start, HEAP_POISON, pages * PAGE_SIZE);
	heap_brk = start + pages * PAGE_SIZE;
	host_heap_grows++;
	return (void *)start;
}

uintptr_t heap_end(void)
{
	return heap_brk;
}

size_t heap_mapped(void)
{
	return heap_brk - host_heap_base;
}

size_t heap_limit(void)
{
	return heap_max;
}

#if !HEAP_FAST
void heap_poison(void *p, size_t n)
{
	memset(p, HEAP_POISON, n);
}

void heap_check_poison(const void *p, size_t n, const void *block)
{
	const uint8_t *b = p;
	size_t i = 0;

	/* Eight bytes at a time where aligned, then the byte that differs. */
	for (; i < n && ((uintptr_t)(b + i) & 7); i++)
		if (b[i] != HEAP_POISON)
			goto out_changed;
	for (; i + 8 <= n; i += 8)
		if (*(const uint64_t *)(b + i) != 0x6b6b6b6b6b6b6b6bull)
			break;
	for (; i < n; i++)
		if (b[i] != HEAP_POISON)
			goto out_changed;
	return;
out_changed:
	panic("kmalloc: write after free at %p (block %p)", (const void *)&b[i], block);
}
#endif /* !HEAP_FAST */
