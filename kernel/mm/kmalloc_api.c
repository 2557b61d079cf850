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
	/* LAB 7: your code here */
	panic("lab 7: kmalloc_aligned not implemented");
}

void *kcalloc(size_t n, size_t size)
{
	/* LAB 7: your code here */
	panic("lab 7: kcalloc not implemented");
}

void *krealloc(void *ptr, size_t size)
{
	/* LAB 7: your code here */
	panic("lab 7: krealloc not implemented");
}
