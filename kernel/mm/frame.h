/*
 * frame.h: the physical frame allocator (lab 6, exercise 1, frame_alloc.c).
 *
 * A frame is 4 KiB of physical memory at a 4 KiB-aligned address. frame_init() is given the
 * available ranges of the Multiboot2 memory map and the ranges that must never be handed out
 * (paging.c's frame_setup() builds both lists); afterwards frame_alloc() and frame_free() hand
 * frames out and take them back, each in constant time. The allocator identifies a frame by its
 * physical address; the kernel reaches its bytes through the direct map (phys_to_virt()).
 */
#ifndef FRAME_H
#define FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define FRAME_SIZE        4096
#define FRAME_MIN_PHYS    0x100000ull    /* 1 MiB: the BIOS area and legacy devices live below */
#define FRAME_MAX_PHYS    0x400000000ull /* 16 GiB: the ownership bitmap reaches this far */
#define FRAME_MAX_REGIONS 64             /* usable regions frame_init() may keep */

/* A range of physical addresses [start, end): end is the first byte after it. */
struct phys_range {
	paddr_t start;
	paddr_t end;
};

/*
 * Exercise 1 (frame_alloc.c). Compute the usable frames from the memory map, without touching
 * any allocator state (a pure function, tested on its own):
 *   avail[0..navail): the ranges the memory map marks available (type 1), byte-exact, in any
 *   order, possibly unaligned and overlapping; reserved[0..nreserved): ranges that must never be
 *   handed out (the kernel image, the boot page tables, the boot information), also byte-exact
 *   and possibly unaligned. The usable frames are exactly the frames F (F % 4096 == 0) with
 *     - [F, F + 4096) wholly inside one available range: a frame only partly inside one is not
 *       usable (round each available range's start up and its end down to 4 KiB);
 *     - F >= FRAME_MIN_PHYS (1 MiB) and F + 4096 <= FRAME_MAX_PHYS (16 GiB);
 *     - [F, F + 4096) overlapping no reserved range, not even by one byte (round each reserved
 *       range's start down and its end up to 4 KiB); a reserved range that ends exactly at a
 *       frame boundary does not reach into the next frame.
 * Writes them to out[] as non-empty, page-aligned, pairwise disjoint ranges (in any order) and
 * returns how many it wrote. Panics "frame_usable_regions: ..." if they need more than max.
 */
size_t frame_usable_regions(const struct phys_range *avail, size_t navail,
			    const struct phys_range *reserved, size_t nreserved,
			    struct phys_range *out, size_t max);

/*
 * Exercise 1. Set the allocator up; called once, before any other frame_* but
 * frame_usable_regions(), with the same arguments. The frames frame_usable_regions() returns
 * (at most FRAME_MAX_REGIONS ranges) are the allocator's usable frames, and all start free. It
 * should not write to the frames themselves (a 6 GiB machine has 1.5 million of them).
 */
void frame_init(const struct phys_range *avail, size_t navail, const struct phys_range *reserved,
		size_t nreserved);

/*
 * Exercise 1. Take a free usable frame and return its physical address, or 0 when none is left
 * (0 is never a usable frame). O(1): no search over frames or over the bitmap. A frame is
 * returned at most once until frame_free() gives it back; after frees, freed frames are handed
 * out again, so allocating until 0 always returns every free frame exactly once. The frame's
 * contents are undefined: callers that need zeroes must clear it.
 */
paddr_t frame_alloc(void);

/*
 * Exercise 1. Give back frame pa, which frame_alloc() returned. O(1). Panics, naming the
 * address, with a message starting
 *   "frame_free: not a frame the allocator manages" when pa is not 4 KiB-aligned or not a usable
 *      frame (below 1 MiB, in the kernel image, outside the available memory ...);
 *   "frame_free: double free" when pa is a usable frame that is free already.
 * Nothing changes when it panics.
 */
void frame_free(paddr_t pa);

/* Exercise 1. How many usable frames are free now; how many are allocated (handed out by
 * frame_alloc() and not freed since). Their sum is always the number of usable frames. */
uint64_t frame_free_count(void);
uint64_t frame_used_count(void);

#endif /* FRAME_H */
