/*
 * fuzz_alloc.c: a libFuzzer target for one design (FUZZ_DESIGN, set by alloc.mk: fuzz_bump,
 * fuzz_list, ...). Each input is a program of 4-byte steps, replayed against the design on one
 * heap that lives as long as the process (FUZZ_LIMIT bytes, so running out happens too):
 *
 *   byte 0 % 8   0-2 alloc, 3 aligned alloc, 4-5 free, 6 realloc, 7 check every live block
 *   bytes 1-3    the size (see size_of()), the alignment's log, the index of the block to free
 *
 * After each step: a new block is aligned, inside the heap and overlaps no live block (check.c),
 * its neighbours' contents are intact, a freed block's contents were intact up to its free, and
 * realloc kept the old bytes. NULL is accepted only when the heap is close to its limit. At the
 * end of each input every block is freed and the heap must be whole again as the design's rules
 * promise (heap_whole()). Any failure aborts, so libFuzzer saves the input as a crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "check.h"
#include "front.h"
#include "host_heap.h"

#define FUZZ_LIMIT (4u << 20)

static struct live_set live;
static const struct heap_ops *ops;

static void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_%s: ", FUZZ_DESIGN);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (host_heap_init(FUZZ_LIMIT) != 0 || front_select(FUZZ_DESIGN) != 0) {
		perror("fuzz: heap region");
		exit(1);
	}
	ops = front_ops;
	check_fail = fuzz_fail;
	live_init(&live, ops);
	return 0;
}

/* Sizes from 1 byte to 1 MiB, small ones most often: b1 picks the scale, b2 the value. */
static size_t size_of(uint8_t b1, uint8_t b2)
{
	/* Three steps in four stay within 4 KiB: big blocks cost their fill and poison checks. */
	unsigned shift = b1 < 192 ? b1 % 13 : b1 % 21; /* up to 2^20 */

	return 1 + (((size_t)b2 << 12 | (size_t)b1 << 4) & (((size_t)2 << shift) - 1));
}

/* Was NULL for (size, align) fair: is the heap near its limit? */
static void null_ok(size_t size, size_t align)
{
	size_t need = PAGE_SIZE;

	while (need < size || need < align)
		need *= 2;
	if (heap_mapped() + 2 * need + (128u << 10) <= heap_limit())
		fuzz_fail("alloc(%zu, %zu) = NULL with %zu of %zu bytes mapped", size, align,
			  heap_mapped(), heap_limit());
}

/* The neighbours of live block i still hold their patterns. */
static void check_near(size_t i)
{
	if (i > 0)
		live_verify(&live, i - 1);
	if (i + 1 < live.n)
		live_verify(&live, i + 1);
}

static void do_alloc(size_t size, size_t align)
{
	void *p = ops->alloc(size, align);
	size_t i;

	if (!p) {
		null_ok(size, align);
		return;
	}
	live_add(&live, p, size, align);
	for (i = 0; live.b[i].p != (uintptr_t)p; i++)
		;
	check_near(i);
}

/* realloc through the locked front end: the old usable bytes (or size of them) must move. */
static void do_realloc(size_t i, size_t size)
{
	struct live_block old = live.b[i];
	uint64_t *w;
	size_t keep, j;

	if (!live_verify(&live, i))
		return;
	w = front_realloc((void *)old.p, size);
	if (!w) {
		null_ok(size, HEAP_MIN_ALIGN);
		return; /* the old block stays live, unchanged */
	}
	keep = (size < old.usable ? size : old.usable) / 8;
	for (j = 0; j < keep; j++)
		if (w[j] != ((old.p + j * 8) * 0x9e3779b97f4a7c15ull ^ old.seed))
			fuzz_fail("realloc(%#lx, %zu) = %p lost byte +%zu of the old contents",
				  (unsigned long)old.p, size, (void *)w, j * 8);
	live_forget(&live, i);
	live_add(&live, w, size, HEAP_MIN_ALIGN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	for (size_t at = 0; at + 4 <= n; at += 4) {
		const uint8_t *s = data + at;
		size_t size = size_of(s[1], s[2]);

		switch (s[0] % 8) {
		case 0:
		case 1:
		case 2:
			do_alloc(size, HEAP_MIN_ALIGN);
			break;
		case 3:
			do_alloc(size_of(s[1], s[2] & 0x0f), (size_t)HEAP_MIN_ALIGN << (s[3] % 9));
			break;
		case 4:
		case 5:
			if (live.n)
				live_del(&live, ((size_t)s[3] << 8 | s[1]) % live.n);
			break;
		case 6:
			if (live.n)
				do_realloc(s[3] % live.n, size);
			break;
		case 7:
			live_verify_all(&live);
			break;
		}
	}
	live_verify_all(&live);
	live_del_all(&live, n);
	heap_whole(FUZZ_DESIGN, ops);
	return 0;
}
