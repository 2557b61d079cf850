/* alloc_slab.c: lab 8's slab allocator (placeholder until the exercise is written). */
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "panic.h"

static void *slab_alloc(size_t size, size_t align)
{
	/* LAB 8: your code here */
	panic("lab 8: slab_alloc not implemented");
}

static size_t slab_free(void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: slab_free not implemented");
}

static size_t slab_usable_size(const void *p)
{
	/* LAB 8: your code here */
	panic("lab 8: slab_usable_size not implemented");
}

const struct heap_ops heap_slab = {
	.name = "slab",
	.alloc = slab_alloc,
	.free = slab_free,
	.usable_size = slab_usable_size,
};

void slab_cache_info(unsigned cache, struct slab_cache_info *out)
{
	out->size = (size_t)SLAB_MIN << cache;
	out->slabs = out->empty = out->inuse = 0;
}
