/*
 * string.h: the memory and string functions of the C library that the kernel needs. The
 * compiler itself emits calls to memset, memcpy, memmove and memcmp (to zero or copy a large
 * struct, for example) even in freestanding code, so these must exist. Lab 1 exercise.
 */
#ifndef STRING_H
#define STRING_H

#include <stddef.h>

/* Fill n bytes at dst with the byte value c. Returns dst. */
void *memset(void *dst, int c, size_t n);

/* Copy n bytes from src to dst; the regions must not overlap. Returns dst. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

/* Copy n bytes from src to dst; the regions may overlap. Returns dst. */
void *memmove(void *dst, const void *src, size_t n);

/* Compare n bytes as unsigned char: <0, 0 or >0 as a is below, equal to or above b. */
int memcmp(const void *a, const void *b, size_t n);

/* The number of bytes before the terminating NUL of s. */
size_t strlen(const char *s);

#endif /* STRING_H */
