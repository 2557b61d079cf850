/* alloc_bump.c: lab 8's bump allocator (placeholder until the exercise is written). */
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "panic.h"

static void *bump_alloc(size_t size, size_t align)
{
	/* LAB 8: your code here */
	panic("lab 8: bump_alloc not implemented");
}

static size_t bump_free(void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: bump_free not implemented");
}

static size_t bump_usable_size(const void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: bump_usable_size not implemented");
}

const struct heap_ops heap_bump = {
	.name = "bump",
	.alloc = bump_alloc,
	.free = bump_free,
	.usable_size = bump_usable_size,
};
