/*
 * kmalloc.c: the heap's front end (lab 7, given code). kmalloc.h states the rules.
 *
 * Every call into the allocator happens here, between spin_lock_irqsave() and
 * spin_unlock_irqrestore() on one lock: interrupts stay off while it is held, so an interrupt
 * handler that allocates can never find the lock taken by the code it interrupted (it would
 * spin forever). Nothing is printed with the lock held; a panic of the debug checks is the one
 * exception, and it never returns. The statistics are updated under the same lock.
 *
 * The allocator is one struct heap_ops (heap.h): lab 7's first fit, or from lab 8 on the design
 * alloc=<name> names on the command line (alloc.h), chosen once by heap_init() before any
 * allocation.
 */
#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"
#include "string.h"
#include "kmalloc.h"
#include "kprintf.h"
#include "panic.h"
#include "spinlock.h"
#if CONFIG_ALLOCATORS
#include "alloc.h"
#endif

static const struct heap_ops *ops = &heap_firstfit;
static struct spinlock heap_lock = SPINLOCK_INIT("heap");
static struct heap_stats stats;

#if CONFIG_ALLOCATORS
static const struct {
	const char *name;
	const struct heap_ops *ops;
} designs[] = {
	{ "bump", &heap_bump },   { "list", &heap_firstfit }, { "fixed", &heap_fixed },
	{ "buddy", &heap_buddy }, { "slab", &heap_slab },
};
#define DESIGN_DEFAULT 4 /* slab */
#endif

static const char *design = "list";

void kmalloc_select(const char *cmdline)
{
	size_t len;
	const char *v = cmdline_value(cmdline, "alloc", &len);

#if CONFIG_ALLOCATORS
	size_t i, n = sizeof(designs) / sizeof(designs[0]);

	for (i = 0; v && i < n; i++) {
		if (strlen(designs[i].name) == len && memcmp(designs[i].name, v, len) == 0)
			break;
	}
	if (!v || i == n) {
		if (v)
			kprintf("heap: alloc=%.*s is not a design (bump, list, fixed, buddy or slab): "
				"using %s\n", (int)len, v, designs[DESIGN_DEFAULT].name);
		i = DESIGN_DEFAULT;
	}
	ops = designs[i].ops;
	design = designs[i].name;
#else
	if (v && !(len == 4 && memcmp(v, "list", 4) == 0))
		kprintf("heap: alloc=%.*s ignored: lab 7 has the first-fit list only (lab 8 brings "
			"the other designs)\n", (int)len, v);
	ops = &heap_firstfit;
#endif
}

const char *kmalloc_design(void)
{
	return design;
}

void *heap_alloc(size_t size, size_t align)
{
	uint64_t flags;
	void *p;

	if (size == 0 || size > KMALLOC_MAX || align < HEAP_MIN_ALIGN || align > HEAP_MAX_ALIGN ||
	    (align & (align - 1)))
		panic("heap_alloc: size %#lx align %#lx are not what heap_ops.alloc takes",
		      (unsigned long)size, (unsigned long)align);
	flags = spin_lock_irqsave(&heap_lock);
	p = ops->alloc(size, align);
	if (p) {
		stats.allocs++;
		stats.in_use += ops->usable_size(p);
	} else {
		stats.failures++;
	}
	stats.mapped = heap_mapped();
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void heap_free(void *ptr)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	size_t n = ops->free(ptr); /* panics on a double free or a bad pointer */

	stats.frees++;
	stats.in_use -= n;
	spin_unlock_irqrestore(&heap_lock, flags);
}

size_t heap_usable_size(const void *ptr)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	size_t n = ops->usable_size(ptr);

	spin_unlock_irqrestore(&heap_lock, flags);
	return n;
}

void *kmalloc(size_t size)
{
	return kmalloc_aligned(size, HEAP_MIN_ALIGN);
}

void kfree(void *ptr)
{
	if (ptr)
		heap_free(ptr);
}

void heap_get_stats(struct heap_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	stats.mapped = heap_mapped();
	stats.limit = heap_limit();
	*out = stats;
	spin_unlock_irqrestore(&heap_lock, flags);
}
