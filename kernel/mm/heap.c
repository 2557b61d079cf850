/*
 * heap.c: the heap region (lab 7, given code). heap.h states the rules.
 *
 * The region is a run of virtual pages at HEAP_BASE, mapped from the bottom up: heap_grow() maps
 * fresh frames from lab 6's frame_alloc() at the current end, writable and no-execute, fills
 * them with HEAP_POISON, and moves the end. Nothing is ever unmapped. heap_init() only reads the
 * limit: the first pages are mapped by the first allocation, so a boot that never allocates
 * (lab 6's tests, which count frames and page tables) sees no trace of the heap.
 */
#include <stddef.h>
#include <stdint.h>

#include "cmdline.h"
#include "frame.h"
#include "heap.h"
#include "kmalloc.h"
#include "kprintf.h"
#include "panic.h"
#include "vm.h"

static uintptr_t heap_brk = HEAP_BASE; /* first byte past the mapped pages (the grader reads it) */
static size_t heap_max = HEAP_LIMIT_DEFAULT; /* heap= */

/* heap=<digits>[K|M|G]: the number of bytes, or 0 when absent or not understood. */
static uint64_t cmdline_bytes(const char *cmdline)
{
	size_t len;
	const char *v = cmdline_value(cmdline, "heap", &len);
	uint64_t n = 0;
	size_t i = 0;

	if (!v)
		return 0;
	for (; i < len && v[i] >= '0' && v[i] <= '9' && n < (1ull << 40); i++)
		n = n * 10 + (uint64_t)(v[i] - '0');
	if (i == len)
		return n;
	if (i + 1 != len)
		return 0;
	switch (v[i]) {
	case 'K':
	case 'k':
		return n << 10;
	case 'M':
	case 'm':
		return n << 20;
	case 'G':
	case 'g':
		return n << 30;
	default:
		return 0;
	}
}

void heap_init(const char *cmdline)
{
	uint64_t want = cmdline_bytes(cmdline);

	if (want == 0)
		want = HEAP_LIMIT_DEFAULT;
	if (want < HEAP_LIMIT_MIN)
		want = HEAP_LIMIT_MIN;
	if (want > HEAP_REGION_SIZE)
		want = HEAP_REGION_SIZE;
	heap_max = (size_t)((want + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1));
	heap_brk = HEAP_BASE;
	kmalloc_select(cmdline);
	kprintf("heap: %lu KiB at most, at %#lx (mapped as needed), allocator %s\n",
		(unsigned long)(heap_max >> 10), (unsigned long)HEAP_BASE, kmalloc_design());
}

void heap_poison(void *p, size_t n)
{
	volatile uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = HEAP_POISON;
}

void heap_check_poison(const void *p, size_t n, const void *block)
{
	const volatile uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != HEAP_POISON)
			panic("kmalloc: write after free at %p (block %p)", (const void *)&b[i],
			      block);
	}
}

void *heap_grow(size_t bytes)
{
	uintptr_t start = heap_brk, va;
	size_t pages;

	if (bytes > heap_max - (heap_brk - HEAP_BASE))
		return NULL;
	pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages > (heap_max - (heap_brk - HEAP_BASE)) / PAGE_SIZE)
		return NULL;
	for (va = start; va < start + pages * PAGE_SIZE; va += PAGE_SIZE) {
		paddr_t f = frame_alloc();

		if (f == 0 || vm_map(vm_current(), va, f, PTE_W | PTE_NX) != 0) {
			if (f)
				frame_free(f);
			goto out_unmap;
		}
	}
	heap_poison((void *)start, pages * PAGE_SIZE);
	heap_brk = start + pages * PAGE_SIZE;
	return (void *)start;

out_unmap:
	/* Give back what this call mapped: the heap ends where it did. */
	while (va > start) {
		paddr_t f;

		va -= PAGE_SIZE;
		f = vm_translate(vm_current(), va);
		vm_unmap(vm_current(), va);
		frame_free(f);
	}
	return NULL;
}

uintptr_t heap_end(void)
{
	return heap_brk;
}

size_t heap_mapped(void)
{
	return heap_brk - HEAP_BASE;
}

size_t heap_limit(void)
{
	return heap_max;
}
