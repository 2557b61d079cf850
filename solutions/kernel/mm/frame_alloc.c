/*
 * frame_alloc.c: the physical frame allocator (lab 6, exercise 1). frame.h states the rules.
 *
 * One design that meets them: frame_usable_regions() clips the available ranges to whole frames
 * and cuts the reserved ranges, the parts outside [FRAME_MIN_PHYS, FRAME_MAX_PHYS) and what an
 * earlier range already covers out of them; frame_init() keeps the result as a short array of
 * regions. frame_alloc() first pops a frame off a stack of freed frames, linked through the
 * frames themselves (each freed frame's first 8 bytes, reached through the direct map, hold the
 * next one's address); when the stack is empty it takes the next never-used frame from a bump
 * pointer that walks the regions in order. A bitmap with one bit per frame below FRAME_MAX_PHYS
 * says which frames are allocated, so frame_free() can tell a double free from a good one in
 * O(1).
 */
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "panic.h"

#define FRAMES   (FRAME_MAX_PHYS / FRAME_SIZE)
#define NO_FRAME 0 /* the end of the free stack: 0 is never a usable frame */

static struct phys_range regions[FRAME_MAX_REGIONS]; /* usable frames, whole, disjoint */
static size_t nregions;
static size_t bump_region; /* the region the bump pointer is in */
static paddr_t bump_next;  /* the next never-allocated frame there */
static paddr_t free_top;   /* the most recently freed frame, or NO_FRAME */
static uint64_t nfree, nused;
static uint64_t allocated[FRAMES / 64]; /* bit set: the frame is handed out */

static paddr_t round_down(paddr_t a)
{
	return a & ~(paddr_t)(FRAME_SIZE - 1);
}

static paddr_t round_up(paddr_t a)
{
	return round_down(a + FRAME_SIZE - 1);
}

struct region_list {
	struct phys_range *out;
	size_t n, max;
};

/* Add [start, end) (whole frames) minus what the list already holds. */
static void add_new(struct region_list *l, paddr_t start, paddr_t end)
{
	for (size_t i = 0; i < l->n && start < end; i++) {
		struct phys_range r = l->out[i];

		if (r.end <= start || r.start >= end)
			continue;
		if (r.start > start)
			add_new(l, start, r.start);
		start = r.end;
	}
	if (start >= end)
		return;
	if (l->n == l->max)
		panic("frame_usable_regions: the usable memory is in more than %lu pieces",
		      (unsigned long)l->max);
	l->out[l->n++] = (struct phys_range){ start, end };
}

/* Add [start, end) (whole frames) minus reserved[0..nreserved), one reserved range at a time. */
static void add_region(struct region_list *l, paddr_t start, paddr_t end,
		       const struct phys_range *reserved, size_t nreserved)
{
	for (size_t i = 0; i < nreserved && start < end; i++) {
		paddr_t rs = round_down(reserved[i].start), re = round_up(reserved[i].end);

		if (re <= start || rs >= end)
			continue;
		if (rs > start)
			add_region(l, start, rs, reserved + i + 1, nreserved - i - 1);
		start = re;
	}
	if (start < end)
		add_new(l, start, end);
}

size_t frame_usable_regions(const struct phys_range *avail, size_t navail,
			    const struct phys_range *reserved, size_t nreserved,
			    struct phys_range *out, size_t max)
{
	struct region_list l = { out, 0, max };

	for (size_t i = 0; i < navail; i++) {
		paddr_t start = round_up(avail[i].start), end = round_down(avail[i].end);

		if (avail[i].end <= avail[i].start)
			continue;
		if (start < FRAME_MIN_PHYS)
			start = FRAME_MIN_PHYS;
		if (end > FRAME_MAX_PHYS)
			end = FRAME_MAX_PHYS;
		if (start < end)
			add_region(&l, start, end, reserved, nreserved);
	}
	return l.n;
}

/* Is pa a usable frame? At most FRAME_MAX_REGIONS comparisons: O(1). */
static int usable(paddr_t pa)
{
	if (pa % FRAME_SIZE != 0)
		return 0;
	for (size_t i = 0; i < nregions; i++) {
		if (pa >= regions[i].start && pa < regions[i].end)
			return 1;
	}
	return 0;
}

void frame_init(const struct phys_range *avail, size_t navail, const struct phys_range *reserved,
		size_t nreserved)
{
	nregions = frame_usable_regions(avail, navail, reserved, nreserved, regions,
					FRAME_MAX_REGIONS);
	nfree = nused = 0;
	for (size_t i = 0; i < nregions; i++)
		nfree += (regions[i].end - regions[i].start) / FRAME_SIZE;
	bump_region = 0;
	bump_next = nregions > 0 ? regions[0].start : 0;
	free_top = NO_FRAME;
}

static int is_allocated(paddr_t pa)
{
	uint64_t n = pa / FRAME_SIZE;

	return (allocated[n / 64] >> (n % 64)) & 1;
}

static void set_allocated(paddr_t pa, int on)
{
	uint64_t n = pa / FRAME_SIZE;

	if (on)
		allocated[n / 64] |= 1ull << (n % 64);
	else
		allocated[n / 64] &= ~(1ull << (n % 64));
}

paddr_t frame_alloc(void)
{
	paddr_t pa;

	if (free_top != NO_FRAME) {
		pa = free_top;
		free_top = *(const paddr_t *)phys_to_virt(pa);
	} else {
		while (bump_region < nregions && bump_next >= regions[bump_region].end) {
			if (++bump_region < nregions)
				bump_next = regions[bump_region].start;
		}
		if (bump_region >= nregions)
			return 0;
		pa = bump_next;
		bump_next += FRAME_SIZE;
	}
	if (is_allocated(pa))
		panic("frame_alloc: frame %#lx is on the free stack but allocated",
		      (unsigned long)pa);
	set_allocated(pa, 1);
	nfree--;
	nused++;
	return pa;
}

void frame_free(paddr_t pa)
{
	if (!usable(pa))
		panic("frame_free: not a frame the allocator manages: %#lx", (unsigned long)pa);
	if (!is_allocated(pa))
		panic("frame_free: double free of frame %#lx", (unsigned long)pa);
	set_allocated(pa, 0);
	*(paddr_t *)phys_to_virt(pa) = free_top;
	free_top = pa;
	nfree++;
	nused--;
}

uint64_t frame_free_count(void)
{
	return nfree;
}

uint64_t frame_used_count(void)
{
	return nused;
}
