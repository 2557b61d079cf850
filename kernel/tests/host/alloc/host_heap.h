/*
 * host_heap.h: the heap region of heap.h, on the host. host_heap_init() reserves the region
 * (HEAP_REGION_SIZE of address space, no access, aligned to its size) and sets the limit;
 * heap_grow() then opens it page by page from the bottom, as the kernel maps frames, and fills
 * new pages with HEAP_POISON (not in the HEAP_FAST build). Bytes past heap_end() stay
 * inaccessible, so an allocator that touches memory it never grew faults at once.
 */
#ifndef HOST_HEAP_H
#define HOST_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "heap.h"

/* Reserve the region (once per process; it is never given back) and empty the heap: limit
 * bytes may be grown, rounded up to pages and kept within HEAP_LIMIT_MIN .. HEAP_REGION_SIZE.
 * Returns 0, or -1 when the reservation failed (errno says why). Async-signal-safe enough to run
 * before main: it calls mmap and nothing that allocates. */
int host_heap_init(size_t limit);

/* How many times heap_grow() succeeded since host_heap_init(). */
extern unsigned long host_heap_grows;

#endif /* HOST_HEAP_H */
