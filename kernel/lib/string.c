/*
 * string.c: memset, memcpy, memmove, memcmp and strlen, written by you (lab 1).
 *
 * There is no C library under the kernel, so these must be written here: the kernel calls them,
 * and so does code the compiler generates. Write them as plain byte loops first; they must be
 * correct for every size (including 0) and alignment. memmove must also be correct when the two
 * regions overlap, in either direction. See handouts/lab1-freestanding.md, exercise 1.
 */
#include "panic.h"
#include "string.h"

void *memset(void *dst, int c, size_t n)
{
	/* LAB 1: your code here */
	panic("lab 1: memset not implemented");
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	/* LAB 1: your code here */
	panic("lab 1: memcpy not implemented");
}

void *memmove(void *dst, const void *src, size_t n)
{
	/* LAB 1: your code here */
	panic("lab 1: memmove not implemented");
}

int memcmp(const void *a, const void *b, size_t n)
{
	/* LAB 1: your code here */
	panic("lab 1: memcmp not implemented");
}

size_t strlen(const char *s)
{
	/* LAB 1: your code here */
	panic("lab 1: strlen not implemented");
}
