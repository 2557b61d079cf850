/* alloc_buddy.c: lab 8's buddy allocator (placeholder until the exercise is written). */
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "panic.h"

static void *buddy_alloc(size_t size, size_t align)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_alloc not implemented");
}

static size_t buddy_free(void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_free not implemented");
}

static size_t buddy_usable_size(const void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_usable_size not implemented");
}

const struct heap_ops heap_buddy = {
	.name = "buddy",
	.alloc = buddy_alloc,
	.free = buddy_free,
	.usable_size = buddy_usable_size,
};

void *buddy_alloc_pages(unsigned order)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_alloc_pages not implemented");
}

size_t buddy_free_pages(void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: buddy_free_pages not implemented");
}

void buddy_free_counts(size_t *counts)
{
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
		counts[k] = 0;
}
