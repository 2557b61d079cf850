/*
 * kmalloc_api.c: the edges of the kmalloc contract (lab 7, exercise 2). kmalloc.h states the
 * rules: which requests kmalloc_aligned refuses before the heap sees them, kcalloc's overflow
 * check and zeroing, and krealloc's cases. The heap itself is heap_alloc(), heap_free() and
 * heap_usable_size() (kmalloc.c); nothing here takes the heap lock.
 */
#include <stddef.h>
#include <stdint.h>

#include "kmalloc.h"
#include "panic.h"
#include "string.h"

void *kmalloc_aligned(size_t size, size_t align)
{
	if (size == 0 || size > KMALLOC_MAX)
		return NULL;
	if (align == 0 || (align & (align - 1)) || align > HEAP_MAX_ALIGN)
		return NULL;
	return heap_alloc(size, align < HEAP_MIN_ALIGN ? HEAP_MIN_ALIGN : align);
}

void *kcalloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL; /* n * size does not fit in size_t */
	p = kmalloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *krealloc(void *ptr, size_t size)
{
	size_t old;
	void *q;

	if (!ptr)
		return kmalloc(size);
	if (size == 0) {
		kfree(ptr);
		return NULL;
	}
	old = heap_usable_size(ptr);
	if (size <= old)
		return ptr;
	q = kmalloc(size);
	if (!q)
		return NULL;
	memcpy(q, ptr, old);
	kfree(ptr);
	return q;
}
