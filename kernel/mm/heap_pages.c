/*
 * heap_pages.c: the page descriptor table of lab 8's designs (given code). alloc.h states what
 * a descriptor says.
 *
 * The table is heap memory like any other: the first heap_pages_init() asks heap_grow() for
 * heap_limit() / PAGE_SIZE descriptors (rounded up to whole pages), zeroes them, and marks the
 * descriptors of the table's own pages HP_META, so no design ever hands those pages out. Its
 * address is kept in heap_pages_table, which the grader reads to check the kernel's heap map.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

struct heap_page *heap_pages_table;
size_t heap_pages_count;

bool heap_pages_init(void)
{
	size_t count = heap_limit() / PAGE_SIZE;
	size_t bytes = (count * sizeof(struct heap_page) + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
	uint8_t *t;
	struct heap_page *pg;

	if (heap_pages_table)
		return true;
	t = heap_grow(bytes);
	if (!t)
		return false;
	for (size_t i = 0; i < bytes; i++)
		t[i] = 0;
	heap_pages_table = (struct heap_page *)t;
	heap_pages_count = count;
	for (uintptr_t a = (uintptr_t)t; a < (uintptr_t)t + bytes; a += PAGE_SIZE) {
		pg = heap_page_of(a);
		pg->kind = HP_META;
	}
	return true;
}
