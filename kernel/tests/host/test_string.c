/*
 * Host tests for the kernel's memset, memcpy, memmove, memcmp and strlen (lab 1). The kernel's
 * string.c is compiled natively with its functions renamed to k_memset and so on (see
 * shim/kernel_names.h), and each one is checked against the host C library on many sizes,
 * alignments and values, drawn from a fixed-seed random generator so every run is the same.
 * Buffers are allocated to end exactly where the function may stop touching memory, so
 * AddressSanitizer reports any access past the end; bytes before the start are filled with a
 * pattern and checked afterwards. A stub that panics fails its group with the panic message, and
 * the other groups still run.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"

/* The functions under test, under their host names. */
void *k_memset(void *dst, int c, size_t n);
void *k_memcpy(void *dst, const void *src, size_t n);
void *k_memmove(void *dst, const void *src, size_t n);
int k_memcmp(const void *a, const void *b, size_t n);
size_t k_strlen(const char *s);

/* Lengths to try: around powers of two (where word-at-a-time code changes path) and beyond. */
static const size_t sizes[] = { 0,   1,   2,   3,   4,   5,   6,    7,    8,    9,    15,
				16,  17,  23,  24,  31,  32,  33,   63,   64,   65,   100,
				127, 128, 129, 255, 256, 257, 1000, 4095, 4096, 4097, 65537 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
/* Misalignments to try, relative to a 16-byte aligned allocation. */
#define MAX_OFFSET 16
/* Byte that fills the space before a test region; it must still be there afterwards. */
#define GUARD 0xa5

/* splitmix64, fixed seed: the same "random" bytes on every run. */
static uint64_t rng_state = 0x1ab1ab1ab1ab1ab1;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
	return z ^ (z >> 31);
}

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rng_next();
}

/*
 * Allocates a region of n bytes, preceded by off guard bytes, and returns its start. The region
 * ends exactly where the allocation does, so ASan sees any access past it; the one exception is
 * n = 0, which ASan rounds up to one byte, so then GUARD_TAIL guard bytes follow instead.
 */
#define GUARD_TAIL 16

static unsigned char *alloc_region(size_t off, size_t n)
{
	size_t tail = n == 0 ? GUARD_TAIL : 0;
	unsigned char *base = malloc(off + n + tail);

	if (base == NULL) {
		perror("malloc");
		exit(2);
	}
	memset(base, GUARD, off);
	fill_random(base + off, n);
	memset(base + off + n, GUARD, tail);
	return base + off;
}

/* Whether the guard bytes around a region from alloc_region(off, n) are still intact. */
static bool guard_intact(const unsigned char *region, size_t off, size_t n)
{
	for (size_t i = 1; i <= off; i++) {
		if (region[-(ptrdiff_t)i] != GUARD)
			return false;
	}
	for (size_t i = 0; n == 0 && i < GUARD_TAIL; i++) {
		if (region[i] != GUARD)
			return false;
	}
	return true;
}

/* Index of the first difference between a and b, or n if there is none. */
static size_t first_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static void test_memset(void)
{
	static const int values[] = { 0, 1, 0x5a, 0x80, 0xff, -1, 0x1ff, 0x12345678 };

	for (size_t off = 0; off < MAX_OFFSET; off++) {
		for (size_t s = 0; s < NSIZES; s++) {
			size_t n = sizes[s];
			int c = values[(off + s) % (sizeof(values) / sizeof(values[0]))];
			unsigned char *dst = alloc_region(off, n);
			unsigned char *want = malloc(n + 1);
			void *ret;
			size_t bad;

			memset(want, c, n);
			ret = k_memset(dst, c, n);
			bad = first_diff(dst, want, n);
			harness_check(ret == dst && bad == n && guard_intact(dst, off, n),
				      "memset(dst+%zu, 0x%x, %zu): %s", off, (unsigned)c, n,
				      ret != dst ? "did not return dst" :
				      bad != n   ? "wrong byte value (must be (unsigned char)c)" :
						   "wrote outside dst");
			free(dst - off);
			free(want);
		}
	}
}

static void test_memcpy(void)
{
	for (size_t soff = 0; soff < MAX_OFFSET; soff++) {
		for (size_t doff = 0; doff < MAX_OFFSET; doff++) {
			for (size_t s = 0; s < NSIZES; s++) {
				size_t n = sizes[s];
				unsigned char *src = alloc_region(soff, n);
				unsigned char *dst = alloc_region(doff, n);
				unsigned char *orig = malloc(n + 1);
				void *ret;
				size_t bad;

				memcpy(orig, src, n);
				ret = k_memcpy(dst, src, n);
				bad = first_diff(dst, src, n);
				harness_check(ret == dst && bad == n &&
						      guard_intact(dst, doff, n) &&
						      memcmp(src, orig, n) == 0,
					      "memcpy(dst+%zu, src+%zu, %zu): %s", doff, soff, n,
					      ret != dst                ? "did not return dst" :
					      bad != n                  ? "dst differs from src" :
					      memcmp(src, orig, n) != 0 ? "changed src" :
									  "wrote outside dst");
				free(src - soff);
				free(dst - doff);
				free(orig);
			}
		}
	}
}

/*
 * Moves n bytes between two places dist bytes apart inside one buffer (dst after src when
 * forward, else before), and compares the whole buffer with what the C library's memmove makes
 * of an identical copy.
 */
static void check_memmove(size_t off, size_t n, size_t dist, bool forward)
{
	size_t total = off + dist + n;
	unsigned char *buf = alloc_region(0, total);
	unsigned char *want = malloc(total + 1);
	unsigned char *src = buf + off + (forward ? 0 : dist);
	unsigned char *dst = buf + off + (forward ? dist : 0);
	void *ret;
	size_t bad;

	memcpy(want, buf, total);
	memmove(want + (dst - buf), want + (src - buf), n);
	ret = k_memmove(dst, src, n);
	bad = first_diff(buf, want, total);
	harness_check(ret == dst, "memmove(buf+%zu, buf+%zu, %zu): did not return dst",
		      (size_t)(dst - buf), (size_t)(src - buf), n);
	harness_check(bad == total,
		      "memmove(buf+%zu, buf+%zu, %zu) (dst %s src, %zu apart): byte at buf+%zu is "
		      "0x%02x, want 0x%02x",
		      (size_t)(dst - buf), (size_t)(src - buf), n, forward ? "after" : "before",
		      dist, bad, bad < total ? buf[bad] : 0, bad < total ? want[bad] : 0);
	free(buf);
	free(want);
}

static void test_memmove(void)
{
	static const size_t dists[] = {
		0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100
	};

	for (size_t off = 0; off < MAX_OFFSET; off += 3) {
		for (size_t s = 0; s < NSIZES; s++) {
			for (size_t d = 0; d < sizeof(dists) / sizeof(dists[0]); d++) {
				check_memmove(off, sizes[s], dists[d], true);
				check_memmove(off, sizes[s], dists[d], false);
			}
			/* Just overlapping, just touching, and well apart. */
			if (sizes[s] > 0) {
				check_memmove(off, sizes[s], sizes[s] - 1, true);
				check_memmove(off, sizes[s], sizes[s] - 1, false);
			}
			check_memmove(off, sizes[s], sizes[s], true);
			check_memmove(off, sizes[s], sizes[s], false);
			check_memmove(off, sizes[s], sizes[s] + 13, true);
			check_memmove(off, sizes[s], sizes[s] + 13, false);
		}
	}
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* memcmp of a and b must have the sign the C library's has. */
static void check_memcmp(const unsigned char *a, const unsigned char *b, size_t n, const char *what)
{
	int got = k_memcmp(a, b, n), want = memcmp(a, b, n);

	harness_check(sign(got) == sign(want), "memcmp(%s, n=%zu) returned %d, want a %s value",
		      what, n, got,
		      want < 0 ? "negative" :
		      want > 0 ? "positive" :
				 "zero");
}

/* Byte pairs that only compare right as unsigned char: 0x80 > 0x7f, 0xff > 0x00. */
static const unsigned char memcmp_pairs[][2] = { { 1, 2 },       { 0x7f, 0x80 }, { 0x00, 0xff },
						 { 0x01, 0x81 }, { 0xfe, 0xff }, { 'a', 'b' } };

/*
 * Compares n-byte regions at a and b: equal, then differing at the first, a middle and the last
 * byte, each both ways round. Bytes after the difference lean the other way, so only an
 * implementation that stops at the first difference gets the sign right.
 */
static void check_memcmp_regions(unsigned char *a, unsigned char *b, size_t n, size_t seed)
{
	memcpy(b, a, n);
	check_memcmp(a, b, n, "equal buffers");
	for (size_t k = 0; k < 3 && n > 0; k++) {
		size_t at = k == 0 ? 0 : k == 1 ? n / 2 : n - 1;
		const unsigned char *pair = memcmp_pairs[(seed + k) % 6];

		memcpy(b, a, n);
		a[at] = pair[0];
		b[at] = pair[1];
		for (size_t i = at + 1; i < n; i++) {
			a[i] = 0xff;
			b[i] = 0x00;
		}
		check_memcmp(a, b, n, "a < b at one byte");
		check_memcmp(b, a, n, "a > b at one byte");
	}
}

static void test_memcmp(void)
{
	for (size_t aoff = 0; aoff < MAX_OFFSET; aoff += 5) {
		for (size_t boff = 0; boff < MAX_OFFSET; boff += 3) {
			for (size_t s = 0; s < NSIZES; s++) {
				unsigned char *a = alloc_region(aoff, sizes[s]);
				unsigned char *b = alloc_region(boff, sizes[s]);

				check_memcmp_regions(a, b, sizes[s], s);
				free(a - aoff);
				free(b - boff);
			}
		}
	}
	/* n = 0 compares nothing, whatever the bytes. */
	check_memcmp((const unsigned char *)"a", (const unsigned char *)"b", 0, "\"a\", \"b\"");
}

static void test_strlen(void)
{
	for (size_t off = 0; off < MAX_OFFSET; off++) {
		for (size_t s = 0; s < NSIZES; s++) {
			size_t n = sizes[s];
			/* Exactly n + 1 bytes: reading past the NUL is an ASan error. */
			unsigned char *str = alloc_region(off, n + 1);
			size_t got;

			for (size_t i = 0; i < n; i++) {
				if (str[i] == 0)
					str[i] = (unsigned char)(1 + i % 255); /* high bytes stay */
			}
			str[n] = '\0';
			got = k_strlen((const char *)str);
			harness_check(got == n, "strlen(str+%zu) of a %zu-byte string returned %zu",
				      off, n, got);
			free(str - off);
		}
	}
	harness_check(k_strlen("ab\0cd") == 2, "strlen must stop at the first NUL");
}

int main(int argc, char **argv)
{
	harness_init();
	printf("testing string functions from %s\n", argc > 1 ? argv[1] : "(the linked string.o)");
	harness_run("memset", test_memset);
	harness_run("memcpy", test_memcpy);
	harness_run("memmove", test_memmove);
	harness_run("memcmp", test_memcmp);
	harness_run("strlen", test_strlen);
	if (harness_panics > 0)
		printf("hint: the lab 1 stubs panic with \"not implemented\"; "
		       "write those functions in %s\n",
		       argc > 1 ? argv[1] : "kernel/lib/string.c");
	return harness_finish();
}
