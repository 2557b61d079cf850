/* alloc_fixed.c: lab 8's fixed allocator (placeholder until the exercise is written). */
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "panic.h"

static void *fixed_alloc(size_t size, size_t align)
{
	/* LAB 8: your code here */
	panic("lab 8: fixed_alloc not implemented");
}

static size_t fixed_free(void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: fixed_free not implemented");
}

static size_t fixed_usable_size(const void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: fixed_usable_size not implemented");
}

const struct heap_ops heap_fixed = {
	.name = "fixed",
	.alloc = fixed_alloc,
	.free = fixed_free,
	.usable_size = fixed_usable_size,
};
