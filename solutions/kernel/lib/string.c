/*
 * string.c: memset, memcpy, memmove, memcmp and strlen (lab 1 reference solution).
 *
 * Plain byte loops: simple, correct for every size and alignment, and fast enough for a
 * teaching kernel. memmove copies backwards when the destination starts inside the source, so
 * that no byte is overwritten before it has been read.
 */
#include <stdint.h>

#include "panic.h"
#include "string.h"

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d - (uintptr_t)s >= n) {
		/* dst is below src, or past its end: a forward copy reads each byte first */
		while (n--)
			*d++ = *s++;
	} else {
		/* dst starts inside src: copy from the end so the overlap is read before written */
		d += n;
		s += n;
		while (n--)
			*--d = *--s;
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p < *q ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}
