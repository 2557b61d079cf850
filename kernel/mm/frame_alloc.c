/*
 * frame_alloc.c: the physical frame allocator (lab 6, exercise 1). frame.h states the rules.
 *
 * One design that meets them: frame_usable_regions() clips the available ranges to whole frames
 * and cuts the reserved ranges and everything outside [FRAME_MIN_PHYS, FRAME_MAX_PHYS) out of
 * them; frame_init() keeps the result as a short array of regions. frame_alloc() first pops a frame off a stack
 * of freed frames, linked through the frames themselves (each freed frame's first 8 bytes,
 * reached through the direct map, hold the next one's address); when the stack is empty it
 * takes the next never-used frame from a bump pointer that walks the regions in order. A bitmap
 * with one bit per frame below FRAME_MAX_PHYS says which frames are allocated, so frame_free()
 * can tell a double free from a good one in O(1).
 */
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "panic.h"

size_t frame_usable_regions(const struct phys_range *avail, size_t navail,
			    const struct phys_range *reserved, size_t nreserved,
			    struct phys_range *out, size_t max)
{
	/* LAB 6: your code here */
	panic("lab 6: frame_usable_regions not implemented");
}

void frame_init(const struct phys_range *avail, size_t navail, const struct phys_range *reserved,
		size_t nreserved)
{
	/* LAB 6: your code here */
	panic("lab 6: frame_init not implemented");
}

paddr_t frame_alloc(void)
{
	/* LAB 6: your code here */
	panic("lab 6: frame_alloc not implemented");
}

void frame_free(paddr_t pa)
{
	/* LAB 6: your code here */
	panic("lab 6: frame_free not implemented");
}

uint64_t frame_free_count(void)
{
	/* LAB 6: your code here */
	panic("lab 6: frame_free_count not implemented");
}

uint64_t frame_used_count(void)
{
	/* LAB 6: your code here */
	panic("lab 6: frame_used_count not implemented");
}
