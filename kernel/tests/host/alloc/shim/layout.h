/*
 * The heap's part of the kernel layout (kernel/mm/layout.h), for allocator code run on the host.
 * The heap region is an ordinary reservation of this process (host_heap.c), so HEAP_BASE is a
 * variable set at run time: allocator code may use it only at run time, never in a static
 * initialiser (alloc.h says so). The region is 4 GiB of address space, reserved without memory
 * behind it (MAP_NORESERVE) and aligned to its own size, so that a buddy block's address is
 * aligned to its size as it is in the kernel. Only what the allocators need is here.
 */
#ifndef LAYOUT_H
#define LAYOUT_H /* the kernel's layout.h uses the same guard: it is skipped from now on */

#include <stdint.h>

#define PAGE_SIZE        4096
#define HEAP_REGION_SIZE 0x100000000ull /* 4 GiB; BUDDY_MAX_ORDER follows from it (20) */
#define HEAP_BASE        host_heap_base

/* The first byte of the region: 0 until host_heap_init() reserved it. */
extern uintptr_t host_heap_base;

#endif /* LAYOUT_H */
