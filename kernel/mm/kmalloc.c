/*
 * kmalloc.c: the heap's front end (lab 7, given code). kmalloc.h states the rules.
 *
 * Every call into the allocator happens here, between spin_lock_irqsave() and
 * spin_unlock_irqrestore() on one lock: interrupts stay off while it is held, so an interrupt
 * handler that allocates can never find the lock taken by the code it interrupted (it would
 * spin forever). Nothing is printed with the lock held; a panic of the debug checks is the one
 * exception, and it never returns. The statistics are updated under the same lock.
 *
 * The allocator is one struct heap_ops (heap.h); lab 8 chooses others by the build.
 */
#include <stddef.h>
#include <stdint.h>

#include "kmalloc.h"
#include "panic.h"
#include "spinlock.h"

static const struct heap_ops *const ops = &heap_firstfit;
static struct spinlock heap_lock = SPINLOCK_INIT("heap");
static struct heap_stats stats;

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
