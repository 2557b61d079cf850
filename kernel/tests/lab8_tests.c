/*
 * lab8_tests.c: in-kernel tests for lab 8 (the allocator designs).
 *
 * Lab 7's contract tests (lab7_tests.c) run under every design; the tests here check what each
 * design's paragraph in alloc.h promises on top of the contract: where bump puts a block and
 * when it starts again, fixed's classes and LIFO lists, buddy's orders, splits and merges, slab's
 * caches and slabs. Each test draws its sizes and orders from ktest_rng(), checks itself, and
 * reports with ktest_value() what the grader (grade/test_lab8.py) recomputes from the token:
 * bump's addresses exactly, the others' classes, orders and alignments. lab8.buddy_view and
 * lab8.slab_view end their boot with blocks held: they print the free blocks as the page
 * descriptors show them, and the grader reads heap_pages_table itself at the hold. Tests that
 * need a heap with nothing live (bump's, buddy's cascade) say so and fail when it is not.
 *
 * The order of the draws is part of the contract with the grader: each test's comment lists it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "kmalloc.h"
#include "kprintf.h"
#include "ktest.h"
#include "string.h"

#define ORDERS (BUDDY_MAX_ORDER + 1)

static uintptr_t align_up(uintptr_t x, size_t a)
{
	return (x + a - 1) & ~(uintptr_t)(a - 1);
}

/* A value line built in pieces: words_add() appends, ktest_value(key, "%s", w.text) prints. */
struct words {
	char text[2048];
	int at;
};

__attribute__((format(printf, 2, 3))) static void words_add(struct words *w, const char *fmt, ...)
{
	va_list ap;

	if (w->at >= (int)sizeof(w->text) - 1)
		return;
	if (w->at)
		w->text[w->at++] = ' ';
	va_start(ap, fmt);
	w->at += kvsnprintf(w->text + w->at, sizeof(w->text) - (size_t)w->at, fmt, ap);
	va_end(ap);
	if (w->at > (int)sizeof(w->text) - 1)
		w->at = (int)sizeof(w->text) - 1;
}

/* Shuffle a[0..n) with the draws of r (Fisher-Yates from the top, as the grader does). */
static void shuffle(struct rng *r, int *a, int n)
{
	for (int i = 0; i < n; i++)
		a[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j = (int)rng_below(r, (uint64_t)i + 1), t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

/* The first byte of [p, p + n) that is not HEAP_POISON, or NULL. */
static const uint8_t *not_poison(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != HEAP_POISON)
			return b + i;
	return NULL;
}

/* The smallest class (fixed) or cache (slab) of 16 << c bytes holding size bytes aligned to
 * align, or -1 when the request is larger than 2048 either way. */
static int class_of(size_t size, size_t align)
{
	size_t need = size > align ? size : align;

	for (int c = 0; c < FIXED_CLASSES; c++)
		if ((size_t)FIXED_MIN << c >= need)
			return c;
	return -1;
}

/* The smallest order k with PAGE_SIZE << k >= size. */
static unsigned order_of(size_t size)
{
	unsigned k = 0;

	while (((size_t)PAGE_SIZE << k) < size)
		k++;
	return k;
}

/* The offset of a from HEAP_BASE, which is what buddy alignment counts from. */
static uintptr_t off(const void *a)
{
	return (uintptr_t)a - HEAP_BASE;
}

static size_t free_pages(const size_t *c)
{
	size_t n = 0;

	for (unsigned k = 0; k < ORDERS; k++)
		n += c[k] << k;
	return n;
}

static bool same_counts(const size_t *a, const size_t *b)
{
	for (unsigned k = 0; k < ORDERS; k++)
		if (a[k] != b[k])
			return false;
	return true;
}

/* "counts": buddy_free_counts as "order:count" for the non-zero orders ("none" if all are). */
static void counts_words(struct words *w, const size_t *c)
{
	int any = 0;

	for (unsigned k = 0; k < ORDERS; k++) {
		if (c[k]) {
			words_add(w, "%u:%lu", k, (unsigned long)c[k]);
			any = 1;
		}
	}
	if (!any)
		words_add(w, "none");
}

/* counts_words() as a string; four buffers in turn, so one message may show several. */
static const char *counts_text(const size_t *c)
{
	static struct words w[4];
	static int next;
	struct words *at = &w[next++ % 4];

	at->at = 0;
	at->text[0] = '\0';
	counts_words(at, c);
	return at->text;
}

/* The descriptor of the page at a (NULL when a is outside the mapped heap or no table). */
static const struct heap_page *desc(const void *a)
{
	return heap_page_of((uintptr_t)a);
}

static bool heap_is_empty(const char *who)
{
	struct heap_stats s;

	heap_get_stats(&s);
	if (s.in_use || s.allocs != s.frees) {
		ktest_fail(
			"%s needs a heap with no live block, but %lu blocks (%lu bytes) are live: "
			"run it in a boot of its own",
			who, (unsigned long)(s.allocs - s.frees), (unsigned long)s.in_use);
		return false;
	}
	return true;
}

/* ---- bump: where each block goes, and when the run starts again. ---- */

#define BUMP_N 12

static uintptr_t bump_p[BUMP_N + 2];

/*
 * Allocate n blocks and check each lands where alloc.h's rule says: p = align_up(end of the
 * previous block + BUMP_HDR, align), the header right before it (BUMP_LIVE, usable size),
 * usable = align_up(size, 16). *end is the previous block's end on entry and the last one's on
 * return. False after a ktest_fail().
 */
static bool bump_place(int n, const size_t *size, const size_t *align, uintptr_t *end,
		       uintptr_t *out)
{
	for (int i = 0; i < n; i++) {
		uintptr_t want = align_up(*end + BUMP_HDR, align[i]);
		void *p = kmalloc_aligned(size[i], align[i]);
		const uint64_t *h = (const uint64_t *)p - 2;
		size_t usable = align_up(size[i], HEAP_MIN_ALIGN);

		if ((uintptr_t)p != want) {
			ktest_fail(
				"block %d: kmalloc_aligned(%lu, %lu) returned %p; bump puts it at "
				"%p, align_up(end of the previous block %p + %d-byte header, %lu)",
				i, (unsigned long)size[i], (unsigned long)align[i], p, (void *)want,
				(void *)*end, BUMP_HDR, (unsigned long)align[i]);
			return false;
		}
		if (heap_usable_size(p) != usable) {
			ktest_fail("kmalloc_aligned(%lu, %lu) = %p has %lu usable bytes, not "
				   "align_up(size, 16) = %lu",
				   (unsigned long)size[i], (unsigned long)align[i], p,
				   (unsigned long)heap_usable_size(p), (unsigned long)usable);
			return false;
		}
		if (h[0] != BUMP_LIVE || h[1] != usable) {
			ktest_fail(
				"the header of block %p is %#lx %#lx, not BUMP_LIVE (%#lx) and the "
				"usable size %lu",
				p, (unsigned long)h[0], (unsigned long)h[1],
				(unsigned long)BUMP_LIVE, (unsigned long)usable);
			return false;
		}
		memset(p, 0x40 + i, size[i]);
		out[i] = (uintptr_t)p;
		*end = want + usable;
	}
	for (int i = 0; i < n; i++) {
		const uint8_t *b = (const uint8_t *)out[i];

		if (b[0] != 0x40 + i || b[size[i] - 1] != 0x40 + i) {
			ktest_fail("block %d (%p) changed while the blocks after it were allocated",
				   i, (void *)b);
			return false;
		}
	}
	return true;
}

static void bump_report(const char *key, int n, const uintptr_t *p)
{
	static struct words w;

	w.at = 0;
	for (int i = 0; i < n; i++)
		words_add(&w, "%016lx", (unsigned long)p[i]);
	ktest_value(key, "%s", w.text);
}

/*
 * Needs a heap with no live block (its boot runs bump's tests alone). Draws: the count n (6..12),
 * then per block its size (1..6000) and alignment (16 << 0..8), then the free order. The run
 * starts at HEAP_BASE: bump is the only caller of heap_grow(). Freeing them all starts the run
 * again: one block of (mapped - HEAP_SLACK) then fits at the start without growing the heap.
 * Reports "blocks" (the addresses) and "big" (its address and the bytes mapped).
 */
KTEST(lab8, bump_layout)
{
	struct rng r = ktest_rng();
	int n = 6 + (int)rng_below(&r, 7), order[BUMP_N];
	size_t size[BUMP_N], align[BUMP_N];
	uintptr_t end = HEAP_BASE;
	struct heap_stats s0, s1;
	void *big;

	for (int i = 0; i < n; i++) {
		size[i] = 1 + rng_below(&r, 6000);
		align[i] = (size_t)16 << rng_below(&r, 9);
	}
	if (!heap_is_empty("lab8.bump_layout"))
		return;
	if (!bump_place(n, size, align, &end, bump_p))
		return;
	bump_report("blocks", n, bump_p);
	shuffle(&r, order, n);
	for (int i = 0; i < n; i++)
		kfree((void *)bump_p[order[i]]);
	heap_get_stats(&s0);
	big = kmalloc(s0.mapped - HEAP_SLACK);
	heap_get_stats(&s1);
	ktest_value("big", "%016lx %lu", (unsigned long)(uintptr_t)big, (unsigned long)s0.mapped);
	KT_ASSERT(
		big == (void *)(HEAP_BASE + BUMP_HDR) && s1.mapped == s0.mapped,
		"with every block free, kmalloc(%lu) (the %lu bytes mapped less HEAP_SLACK) "
		"returned %p and left %lu bytes mapped: the run starts again at %p without growing",
		(unsigned long)(s0.mapped - HEAP_SLACK), (unsigned long)s0.mapped, big,
		(unsigned long)s1.mapped, (void *)(HEAP_BASE + BUMP_HDR));
	kfree(big);
}

/*
 * Needs a heap with no live block. Draws: the count n (4..8), the sizes (1..3000, aligned to
 * 16), which block stays live, the order the others are freed in, the size of the next block,
 * whether the kept block or that one is freed last, then the size (1..3000) and alignment
 * (16 << 0..8) of the block after the reset. Reports "blocks", "next" (allocated while one block
 * is live: past everything, nothing reused) and "reset" (after the last free: at the start).
 */
KTEST(lab8, bump_reset)
{
	struct rng r = ktest_rng();
	int n = 4 + (int)rng_below(&r, 5), order[BUMP_N], keep, last;
	size_t size[BUMP_N], align[BUMP_N], nsize, rsize, ralign;
	uintptr_t end = HEAP_BASE, top, next, reset;
	struct heap_stats s0, s1;
	const uint8_t *bad;

	for (int i = 0; i < n; i++) {
		size[i] = 1 + rng_below(&r, 3000);
		align[i] = HEAP_MIN_ALIGN;
	}
	keep = (int)rng_below(&r, (uint64_t)n);
	shuffle(&r, order, n);
	nsize = 1 + rng_below(&r, 3000);
	last = (int)rng_below(&r, 2);
	rsize = 1 + rng_below(&r, 3000);
	ralign = (size_t)16 << rng_below(&r, 9);
	if (!heap_is_empty("lab8.bump_reset"))
		return;
	if (!bump_place(n, size, align, &end, bump_p))
		return;
	bump_report("blocks", n, bump_p);
	heap_get_stats(&s0);
	for (int i = 0; i < n; i++)
		if (order[i] != keep)
			kfree((void *)bump_p[order[i]]);
	heap_get_stats(&s1);
	KT_ASSERT(s1.in_use == heap_usable_size((void *)bump_p[keep]) && s1.mapped == s0.mapped,
		  "after freeing all but block %d, %lu bytes are in use (expected its %lu) and %lu "
		  "mapped (was %lu)",
		  keep, (unsigned long)s1.in_use,
		  (unsigned long)heap_usable_size((void *)bump_p[keep]), (unsigned long)s1.mapped,
		  (unsigned long)s0.mapped);
	top = end;
	if (!bump_place(1, &nsize, align, &end, &next))
		return;
	ktest_value("next", "%016lx", (unsigned long)next);
	KT_ASSERT(next > top,
		  "with block %d still live, the next block %p reused freed memory "
		  "below the end of the last block %p",
		  keep, (void *)next, (void *)top);
	if (last) {
		kfree((void *)bump_p[keep]);
		kfree((void *)next);
	} else {
		kfree((void *)next);
		kfree((void *)bump_p[keep]);
	}
	end = HEAP_BASE;
	if (!bump_place(1, &rsize, &ralign, &end, &reset))
		return;
	ktest_value("reset", "%016lx", (unsigned long)reset);
	/* The reset poisoned the whole run, headers too: only the new block and its header are
	 * not poison now. */
	bad = not_poison((void *)HEAP_BASE, reset - BUMP_HDR - HEAP_BASE);
	if (!bad)
		bad = not_poison((void *)(reset + align_up(rsize, 16)),
				 next + align_up(nsize, 16) - reset - align_up(rsize, 16));
	kfree((void *)reset);
	KT_ASSERT(!bad,
		  "after the last block was freed, byte %p of the old run (%p..%p) is %#x, "
		  "not HEAP_POISON: the reset poisons everything from the start to the end of the "
		  "last block, headers too",
		  (void *)bad, (void *)HEAP_BASE, (void *)(next + align_up(nsize, 16)), *bad);
}

/* ---- fixed and slab: size classes of 16 .. 2048 bytes. ---- */

#define CLASS_N 20
static const size_t class_edges[] = { 1, 16, 17, 1024, 1025, 2048 };

/*
 * The classes test of fixed (kind HP_FIXED) and slab (kind HP_SLAB): CLASS_N requests, the
 * first six of the sizes above with alignment 16, the others of drawn size (1..2048) and
 * alignment (16 << 0..7), all live at once. Each must get the smallest class that holds both,
 * as usable size and as alignment, in a page whose descriptor says kind and cls. Reports
 * "usable" and "blocks".
 */
static void classes_test(unsigned kind)
{
	struct rng r = ktest_rng();
	static uintptr_t p[CLASS_N];
	size_t size[CLASS_N], align[CLASS_N];
	static struct words wu, wb;

	wu.at = wb.at = 0;
	for (int i = 0; i < CLASS_N; i++) {
		bool edge = i < (int)(sizeof(class_edges) / sizeof(class_edges[0]));

		size[i] = edge ? class_edges[i] : 1 + rng_below(&r, 2048);
		align[i] = edge ? HEAP_MIN_ALIGN : (size_t)16 << rng_below(&r, 8);
	}
	for (int i = 0; i < CLASS_N; i++) {
		int c = class_of(size[i], align[i]);
		size_t cs = (size_t)FIXED_MIN << c;
		const struct heap_page *pg;

		p[i] = (uintptr_t)kmalloc_aligned(size[i], align[i]);
		KT_ASSERT(p[i], "kmalloc_aligned(%lu, %lu) returned NULL", (unsigned long)size[i],
			  (unsigned long)align[i]);
		words_add(&wu, "%lu", (unsigned long)heap_usable_size((void *)p[i]));
		words_add(&wb, "%016lx", (unsigned long)p[i]);
		KT_ASSERT(
			heap_usable_size((void *)p[i]) == cs,
			"kmalloc_aligned(%lu, %lu) returned %p with %lu usable bytes: the smallest "
			"class holding the size and the alignment is %lu",
			(unsigned long)size[i], (unsigned long)align[i], (void *)p[i],
			(unsigned long)heap_usable_size((void *)p[i]), (unsigned long)cs);
		KT_ASSERT(p[i] % cs == 0,
			  "kmalloc_aligned(%lu, %lu) returned %p: blocks of the %lu-byte class are "
			  "aligned to %lu",
			  (unsigned long)size[i], (unsigned long)align[i], (void *)p[i],
			  (unsigned long)cs, (unsigned long)cs);
		pg = desc((void *)p[i]);
		KT_ASSERT(pg && pg->kind == kind && pg->cls == c,
			  "the page of %p (a %lu-byte block) has descriptor kind %d cls %d, not %u "
			  "(%s) cls %d",
			  (void *)p[i], (unsigned long)cs, pg ? pg->kind : -1, pg ? pg->cls : -1,
			  kind, kind == HP_FIXED ? "HP_FIXED" : "HP_SLAB", c);
		memset((void *)p[i], 0x20 + i, size[i]);
	}
	ktest_value("usable", "%s", wu.text);
	ktest_value("blocks", "%s", wb.text);
	for (int i = 0; i < CLASS_N; i++) {
		const uint8_t *b = (const uint8_t *)p[i];

		KT_ASSERT(
			b[0] == 0x20 + i && b[size[i] - 1] == 0x20 + i,
			"block %p (%lu bytes) changed while the others were filled: blocks overlap",
			(void *)b, (unsigned long)size[i]);
	}
	for (int i = 0; i < CLASS_N; i++)
		kfree((void *)p[i]);
}

/*
 * LIFO: three blocks of one class go back in a drawn order and come out again newest first.
 * Draws: the class c (0..max_class), three sizes in it (above half the class size), the free
 * order (0..5: the permutations abc, acb, bac, bca, cab, cba). A free block holds tag ^ its
 * address in its second 8 bytes and poison after. For slab all three must share a slab (a
 * cache takes its most recently used slab first), so blocks are allocated until one has room
 * for the other two behind it; those extra blocks stay live until the end. Reports "lifo": c,
 * the order, the three addresses, then the three addresses the next allocations returned.
 */
static const char *const perms[6] = { "abc", "acb", "bac", "bca", "cab", "cba" };

static void lifo_test(uint64_t tag, int max_class, bool slab)
{
	struct rng r = ktest_rng();
	int c = (int)rng_below(&r, (uint64_t)max_class + 1);
	size_t cs = (size_t)FIXED_MIN << c, size[3];
	const char *how;
	void *x[3], *y[3];
	static void *extra[64];
	int n_extra = 0;

	for (int i = 0; i < 3; i++)
		size[i] = cs / 2 + 1 + rng_below(&r, cs - cs / 2);
	how = perms[rng_below(&r, 6)];
	for (;;) {
		x[0] = kmalloc(size[0]);
		KT_ASSERT(x[0], "kmalloc(%lu) returned NULL", (unsigned long)size[0]);
		if (!slab || PAGE_SIZE / cs - desc(x[0])->inuse >= 2)
			break;
		KT_ASSERT(n_extra < 64,
			  "64 objects of the %lu-byte cache, none with two free "
			  "objects behind it in its slab",
			  (unsigned long)cs);
		extra[n_extra++] = x[0];
	}
	for (int i = 1; i < 3; i++) {
		x[i] = kmalloc(size[i]);
		KT_ASSERT(x[i], "kmalloc(%lu) returned NULL", (unsigned long)size[i]);
		KT_ASSERT(
			!slab || ((uintptr_t)x[i] & ~(uintptr_t)(PAGE_SIZE - 1)) ==
					 ((uintptr_t)x[0] & ~(uintptr_t)(PAGE_SIZE - 1)),
			"the slab of %p had free objects, yet the next object of its cache is %p, "
			"in another slab: a cache takes its most recently used slab first",
			x[0], x[i]);
	}
	for (int i = 0; i < 3; i++) {
		const uint64_t *w;
		const uint8_t *bad;

		kfree(x[how[i] - 'a']);
		w = x[how[i] - 'a'];
		KT_ASSERT(
			w[1] == (tag ^ (uint64_t)(uintptr_t)w),
			"the freed %lu-byte block %p holds %#lx in its second 8 bytes, not the free "
			"tag ^ its address (%#lx)",
			(unsigned long)cs, (void *)w, (unsigned long)w[1],
			(unsigned long)(tag ^ (uint64_t)(uintptr_t)w));
		bad = not_poison(w + 2, cs - 16);
		KT_ASSERT(!bad,
			  "the freed %lu-byte block %p holds %#x at %p: past its link and tag "
			  "a free block is all HEAP_POISON",
			  (unsigned long)cs, (void *)w, *bad, (void *)bad);
	}
	for (int i = 0; i < 3; i++) {
		y[i] = kmalloc(size[2 - i]);
		KT_ASSERT(y[i], "kmalloc returned NULL");
	}
	ktest_value("lifo", "%d %s %016lx %016lx %016lx %016lx %016lx %016lx", c, how,
		    (unsigned long)(uintptr_t)x[0], (unsigned long)(uintptr_t)x[1],
		    (unsigned long)(uintptr_t)x[2], (unsigned long)(uintptr_t)y[0],
		    (unsigned long)(uintptr_t)y[1], (unsigned long)(uintptr_t)y[2]);
	for (int i = 0; i < 3; i++) {
		void *want = x[how[2 - i] - 'a'];

		KT_ASSERT(
			y[i] == want,
			"blocks a=%p b=%p c=%p of the %lu-byte class were freed in the order %c, %c, "
			"%c; allocation %d of that class then returned %p, not %p: the last freed "
			"goes out first",
			x[0], x[1], x[2], (unsigned long)cs, how[0], how[1], how[2], i + 1, y[i],
			want);
	}
	for (int i = 0; i < 3; i++)
		kfree(y[i]);
	while (n_extra)
		kfree(extra[--n_extra]);
}

KTEST(lab8, fixed_classes)
{
	classes_test(HP_FIXED);
}

KTEST(lab8, fixed_lifo)
{
	lifo_test(FIXED_FREE_TAG, FIXED_CLASSES - 1, false);
}

#define LARGE_N 8

/*
 * Requests no class takes: six of 2049..16048 bytes, two of 1..4096 bytes aligned to 4096.
 * Draws: the six sizes, then the two. fixed hands them to heap_firstfit (a page that is not
 * HP_FIXED, the list's usable size: less than 48 bytes over the size rounded to 16); slab to
 * the buddy (an HP_BUDDY_USED block of the smallest order, usable PAGE_SIZE << order). Reports
 * "large": address and usable size of each.
 */
static void large_test(bool slab)
{
	struct rng r = ktest_rng();
	size_t size[LARGE_N], align[LARGE_N];
	void *p[LARGE_N];
	static struct words w;

	w.at = 0;
	for (int i = 0; i < LARGE_N; i++) {
		size[i] = i < 6 ? 2049 + rng_below(&r, 14000) : 1 + rng_below(&r, 4096);
		align[i] = i < 6 ? HEAP_MIN_ALIGN : PAGE_SIZE;
	}
	for (int i = 0; i < LARGE_N; i++) {
		const struct heap_page *pg;
		size_t u;

		p[i] = kmalloc_aligned(size[i], align[i]);
		KT_ASSERT(p[i], "kmalloc_aligned(%lu, %lu) returned NULL", (unsigned long)size[i],
			  (unsigned long)align[i]);
		u = heap_usable_size(p[i]);
		pg = desc(p[i]);
		words_add(&w, "%016lx %lu", (unsigned long)(uintptr_t)p[i], (unsigned long)u);
		KT_ASSERT(off(p[i]) % align[i] == 0 && u >= size[i],
			  "kmalloc_aligned(%lu, %lu) returned %p with %lu usable bytes",
			  (unsigned long)size[i], (unsigned long)align[i], p[i], (unsigned long)u);
		if (slab) {
			unsigned k = order_of(size[i]);

			KT_ASSERT(
				u == (size_t)PAGE_SIZE << k && off(p[i]) % u == 0 && pg &&
					pg->kind == HP_BUDDY_USED && pg->order == k,
				"kmalloc_aligned(%lu, %lu) is too large for any cache: it should be "
				"a buddy block of order %u (%lu bytes, HP_BUDDY_USED), but %p has %lu "
				"usable bytes and descriptor kind %d order %d",
				(unsigned long)size[i], (unsigned long)align[i], k,
				(unsigned long)PAGE_SIZE << k, p[i], (unsigned long)u,
				pg ? pg->kind : -1, pg ? pg->order : -1);
		} else {
			/* No table yet (nothing went to a class): not HP_FIXED either. */
			KT_ASSERT(
				(!pg || pg->kind != HP_FIXED) &&
					u < align_up(size[i], HEAP_MIN_ALIGN) + 48,
				"kmalloc_aligned(%lu, %lu) is too large for any class: it should be "
				"heap_firstfit's block, but %p has %lu usable bytes in a page of kind "
				"%d",
				(unsigned long)size[i], (unsigned long)align[i], p[i],
				(unsigned long)u, pg ? pg->kind : -1);
		}
		memset(p[i], 0x30 + i, size[i]);
	}
	ktest_value("large", "%s", w.text);
	for (int i = 0; i < LARGE_N; i++) {
		const uint8_t *b = p[i];

		KT_ASSERT(b[0] == 0x30 + i && b[size[i] - 1] == 0x30 + i,
			  "block %p changed while the others were filled: blocks overlap", p[i]);
	}
	for (int i = 0; i < LARGE_N; i++)
		kfree(p[i]);
}

KTEST(lab8, fixed_large)
{
	large_test(false);
}

/* ---- buddy: orders, splits and merges. ---- */

/* The buddy blocks the page descriptors show: the number free of each order in fc (from the
 * table, not from buddy_free_counts). False after a ktest_fail() when a free block's buddy is a
 * free block of the same order (two blocks free() should have merged). */
static bool table_free_counts(size_t *fc)
{
	size_t pages = heap_mapped() / PAGE_SIZE;

	for (unsigned k = 0; k < ORDERS; k++)
		fc[k] = 0;
	for (size_t i = 0; heap_pages_table && i < pages; i++) {
		const struct heap_page *pg = &heap_pages_table[i];
		size_t b = i ^ ((size_t)1 << pg->order);

		if (pg->kind != HP_BUDDY_FREE)
			continue;
		fc[pg->order < ORDERS ? pg->order : 0]++;
		if (b < pages && heap_pages_table[b].kind == HP_BUDDY_FREE &&
		    heap_pages_table[b].order == pg->order) {
			ktest_fail("free blocks %p and %p of order %u are buddies, yet were not "
				   "merged",
				   (void *)heap_page_addr(pg),
				   (void *)heap_page_addr(&heap_pages_table[b]), pg->order);
			return false;
		}
	}
	return true;
}

/* Check that block p of order k looks like one in the descriptors: HP_BUDDY_USED and k at its
 * first page, HP_NONE on the others. False after a ktest_fail(). */
static bool used_block_ok(const void *p, unsigned k)
{
	const struct heap_page *pg = desc(p);

	if (!pg || pg->kind != HP_BUDDY_USED || pg->order != k) {
		ktest_fail(
			"block %p of order %u has descriptor kind %d order %d, not HP_BUDDY_USED "
			"(%d) and %u",
			p, k, pg ? pg->kind : -1, pg ? pg->order : -1, HP_BUDDY_USED, k);
		return false;
	}
	for (size_t i = 1; i < (size_t)1 << k; i++) {
		if (pg[i].kind != HP_NONE) {
			ktest_fail("page %lu of block %p (order %u) has descriptor kind %d: pages "
				   "inside a block are HP_NONE",
				   (unsigned long)i, p, k, pg[i].kind);
			return false;
		}
	}
	return true;
}

#define ORDERS_N 12

/*
 * Draws: per request an order bound b (0..6), the size (1..PAGE_SIZE << b) and the alignment
 * (16 << 0..8). All live at once: order = the smallest holding the size, usable PAGE_SIZE <<
 * order, aligned to that from HEAP_BASE. Reports "orders" (usable sizes) and "blocks".
 */
KTEST(lab8, buddy_orders)
{
	struct rng r = ktest_rng();
	static void *p[ORDERS_N];
	size_t size[ORDERS_N], align[ORDERS_N];
	static struct words wo, wb;

	wo.at = wb.at = 0;
	for (int i = 0; i < ORDERS_N; i++) {
		size[i] = 1 + rng_below(&r, (uint64_t)PAGE_SIZE << rng_below(&r, 7));
		align[i] = (size_t)16 << rng_below(&r, 9);
	}
	for (int i = 0; i < ORDERS_N; i++) {
		unsigned k = order_of(size[i]);
		size_t u;

		p[i] = kmalloc_aligned(size[i], align[i]);
		KT_ASSERT(p[i], "kmalloc_aligned(%lu, %lu) returned NULL", (unsigned long)size[i],
			  (unsigned long)align[i]);
		u = heap_usable_size(p[i]);
		words_add(&wo, "%lu", (unsigned long)u);
		words_add(&wb, "%016lx", (unsigned long)(uintptr_t)p[i]);
		KT_ASSERT(
			u == (size_t)PAGE_SIZE << k,
			"kmalloc_aligned(%lu, %lu) returned %p with %lu usable bytes: the smallest "
			"order holding it is %u, %lu bytes",
			(unsigned long)size[i], (unsigned long)align[i], p[i], (unsigned long)u, k,
			(unsigned long)PAGE_SIZE << k);
		KT_ASSERT(off(p[i]) % u == 0,
			  "block %p of order %u is not aligned to %lu bytes from HEAP_BASE", p[i],
			  k, (unsigned long)u);
		if (!used_block_ok(p[i], k))
			return;
		memset(p[i], 0x50 + i, size[i]);
	}
	ktest_value("orders", "%s", wo.text);
	ktest_value("blocks", "%s", wb.text);
	for (int i = 0; i < ORDERS_N; i++) {
		const uint8_t *b = p[i];

		KT_ASSERT(b[0] == 0x50 + i && b[size[i] - 1] == 0x50 + i,
			  "block %p changed while the others were filled: blocks overlap", p[i]);
	}
	for (int i = ORDERS_N - 1; i >= 0; i--)
		kfree(p[i]);
}

#define DRAIN_MAX 256

/*
 * Splitting keeps lower halves. Draws: the depth m (1..5), then the order in which the split's
 * upper halves are allocated (a shuffle of j, the order split), then the order of the frees (a
 * shuffle of j + 1), then the order the drained blocks are freed in. A block of order 6 is
 * allocated and freed first, so that a free block of order 6 or more exists and nothing below
 * grows the heap. Then every free block of order below m is taken (drained), so that an order-0
 * allocation must split the first free block A of the smallest order j >= m that has one: it
 * returns A itself, and the upper halves A + (PAGE_SIZE << i), i < j, are then the only free
 * blocks of order i, which the next allocations must return. Freeing all of it merges back to
 * A of order j, and freeing the drained blocks restores buddy_free_counts. Reports "split": m,
 * j, A, the drained count; "halves": the addresses in allocation order; "counts": before and
 * after.
 */
KTEST(lab8, buddy_split)
{
	struct rng r = ktest_rng();
	unsigned m = 1 + (unsigned)rng_below(&r, 5), j;
	size_t c0[ORDERS], c1[ORDERS], c2[ORDERS];
	static void *drained[DRAIN_MAX], *half[ORDERS];
	int nd = 0, order[ORDERS + 1], dorder[DRAIN_MAX];
	uint8_t *a;
	struct heap_stats s0, s1;
	static struct words w;

	a = kmalloc((size_t)PAGE_SIZE << 6);
	KT_ASSERT(a, "kmalloc(%lu) returned NULL", (unsigned long)PAGE_SIZE << 6);
	kfree(a);
	buddy_free_counts(c0);
	heap_get_stats(&s0);
	for (unsigned k = 0; k < m; k++) {
		buddy_free_counts(c1);
		while (c1[k]) {
			KT_ASSERT(nd < DRAIN_MAX, "more than %d free blocks below order %u",
				  DRAIN_MAX, m);
			drained[nd] = kmalloc((size_t)PAGE_SIZE << k);
			KT_ASSERT(drained[nd], "kmalloc(%lu) returned NULL",
				  (unsigned long)PAGE_SIZE << k);
			nd++;
			buddy_free_counts(c2);
			KT_ASSERT(
				c2[k] == c1[k] - 1,
				"with %lu free blocks of order %u, allocating one left %lu: it should "
				"take one of them",
				(unsigned long)c1[k], k, (unsigned long)c2[k]);
			c1[k] = c2[k];
		}
	}
	buddy_free_counts(c1);
	for (j = m; j < ORDERS && !c1[j]; j++)
		;
	KT_ASSERT(j < ORDERS,
		  "after kmalloc and kfree of %lu bytes no free block of order %u or "
		  "more is left: %s",
		  (unsigned long)PAGE_SIZE << 6, m, counts_text(c1));
	a = kmalloc(1);
	KT_ASSERT(a, "kmalloc(1) returned NULL");
	buddy_free_counts(c2);
	shuffle(&r, order, (int)j);
	ktest_value("split", "%u %u %016lx %d", m, j, (unsigned long)(uintptr_t)a, nd);
	/* The block of order j is gone and its upper halves are free: one of each order below. */
	for (unsigned i = 0; i < ORDERS; i++)
		KT_ASSERT(
			c2[i] == c1[i] + (i < j) - (i == j),
			"with free blocks %s (none below order %u), kmalloc(1) should split a "
			"block of order %u, leaving one free block of each order below it; the free "
			"blocks are %s",
			counts_text(c1), j, j, counts_text(c2));
	KT_ASSERT(off(a) % ((size_t)PAGE_SIZE << j) == 0,
		  "kmalloc(1) split a block of order %u and returned %p, not aligned to %lu: the "
		  "lower half is kept at every step, so the page is the block's first",
		  j, (void *)a, (unsigned long)PAGE_SIZE << j);
	w.at = 0;
	for (unsigned i = 0; i < j; i++) {
		unsigned k = (unsigned)order[i];
		uint8_t *want = a + ((size_t)PAGE_SIZE << k);

		half[k] = kmalloc((size_t)PAGE_SIZE << k);
		words_add(&w, "%016lx", (unsigned long)(uintptr_t)half[k]);
		KT_ASSERT(
			half[k] == want,
			"after kmalloc(1) split a block of order %u at %p, the only free block of "
			"order %u should be its upper half %p, but kmalloc(%lu) returned %p",
			j, (void *)a, k, (void *)want, (unsigned long)PAGE_SIZE << k, half[k]);
	}
	ktest_value("halves", "%s", w.text);
	shuffle(&r, order, (int)j + 1);
	for (unsigned i = 0; i <= j; i++)
		kfree(order[i] == (int)j ? (void *)a : half[order[i]]);
	{
		const struct heap_page *pg = desc(a);

		KT_ASSERT(
			pg && pg->kind == HP_BUDDY_FREE && pg->order >= j,
			"after freeing the %u pieces of the block of order %u at %p, its descriptor "
			"says kind %d order %d: they should have merged back into it",
			j + 1, j, (void *)a, pg ? pg->kind : -1, pg ? pg->order : -1);
	}
	shuffle(&r, dorder, nd);
	for (int i = 0; i < nd; i++)
		kfree(drained[dorder[i]]);
	buddy_free_counts(c2);
	heap_get_stats(&s1);
	ktest_value("counts", "%s / %s", counts_text(c0), counts_text(c2));
	if (s1.mapped == s0.mapped)
		KT_ASSERT(same_counts(c0, c2),
			  "after freeing every block the test took, the free counts are %s, not %s "
			  "as before",
			  counts_text(c2), counts_text(c0));
	else
		KT_ASSERT(free_pages(c2) == free_pages(c0) + (s1.mapped - s0.mapped) / PAGE_SIZE,
			  "the heap grew by %lu pages, and after freeing every block the test took "
			  "%lu pages are free, not %lu",
			  (unsigned long)((s1.mapped - s0.mapped) / PAGE_SIZE),
			  (unsigned long)free_pages(c2),
			  (unsigned long)(free_pages(c0) + (s1.mapped - s0.mapped) / PAGE_SIZE));
}

#define MERGE_N 16

/*
 * Draws: the orders of MERGE_N blocks (0..4), then the free order. After every free no two
 * free buddies of one order may be left unmerged (the descriptors are walked), and the
 * descriptors' free counts must be buddy_free_counts; after the last, the counts are what they
 * were before (or, if the heap grew, the free pages are more by exactly the pages it grew by).
 * Reports "orders", "blocks" and "counts" (before / after).
 */
KTEST(lab8, buddy_merge)
{
	struct rng r = ktest_rng();
	unsigned k[MERGE_N];
	int order[MERGE_N];
	static void *p[MERGE_N];
	size_t c0[ORDERS], c1[ORDERS], fc[ORDERS];
	struct heap_stats s0, s1;
	static struct words wo, wb;

	wo.at = wb.at = 0;
	for (int i = 0; i < MERGE_N; i++)
		k[i] = (unsigned)rng_below(&r, 5);
	shuffle(&r, order, MERGE_N);
	kfree(kmalloc(1)); /* the page table exists before the counts are taken (a fresh boot) */
	buddy_free_counts(c0);
	heap_get_stats(&s0);
	for (int i = 0; i < MERGE_N; i++) {
		p[i] = kmalloc((size_t)PAGE_SIZE << k[i]);
		KT_ASSERT(p[i], "kmalloc(%lu) returned NULL", (unsigned long)PAGE_SIZE << k[i]);
		words_add(&wo, "%u", k[i]);
		words_add(&wb, "%016lx", (unsigned long)(uintptr_t)p[i]);
		if (!used_block_ok(p[i], k[i]))
			return;
	}
	ktest_value("orders", "%s", wo.text);
	ktest_value("blocks", "%s", wb.text);
	for (int i = 0; i < MERGE_N; i++) {
		kfree(p[order[i]]);
		if (!table_free_counts(fc))
			return;
		buddy_free_counts(c1);
		KT_ASSERT(same_counts(fc, c1),
			  "after freeing %p (order %u), the descriptors show free blocks %s but "
			  "buddy_free_counts says %s",
			  p[order[i]], k[order[i]], counts_text(fc), counts_text(c1));
	}
	heap_get_stats(&s1);
	ktest_value("counts", "%s / %s", counts_text(c0), counts_text(c1));
	if (s1.mapped == s0.mapped)
		KT_ASSERT(same_counts(c0, c1),
			  "after freeing the %d blocks the free counts are %s, not %s as before: "
			  "every block must merge back with its buddy",
			  MERGE_N, counts_text(c1), counts_text(c0));
	else
		KT_ASSERT(free_pages(c1) == free_pages(c0) + (s1.mapped - s0.mapped) / PAGE_SIZE,
			  "the heap grew by %lu pages, and after freeing the blocks %lu pages are "
			  "free, not %lu",
			  (unsigned long)((s1.mapped - s0.mapped) / PAGE_SIZE),
			  (unsigned long)free_pages(c1),
			  (unsigned long)(free_pages(c0) + (s1.mapped - s0.mapped) / PAGE_SIZE));
}

/* The largest aligned blocks of the page range [from, to) (page indexes from HEAP_BASE), as
 * free counts per order: what the free blocks must be once every block is free. */
static void aligned_blocks(size_t from, size_t to, size_t *c)
{
	for (unsigned k = 0; k < ORDERS; k++)
		c[k] = 0;
	while (from < to) {
		unsigned k = from ? (unsigned)__builtin_ctzll(from) : BUDDY_MAX_ORDER;

		if (k > BUDDY_MAX_ORDER)
			k = BUDDY_MAX_ORDER;
		while (from + ((size_t)1 << k) > to)
			k--;
		c[k]++;
		from += (size_t)1 << k;
	}
}

/*
 * Needs a fresh heap (nothing mapped yet). Draws: the order k (0..6) of the second block. One
 * order-0 kmalloc and its kfree leave exactly the largest aligned blocks of the pages mapped
 * outside the table (with the default heap, one block of order 4); then a block of order k the
 * same. Reports "first" and "second": the block's address, the bytes mapped, the free counts.
 */
KTEST(lab8, buddy_cascade)
{
	struct rng r = ktest_rng();
	unsigned k = (unsigned)rng_below(&r, 7);
	size_t want[ORDERS], got[ORDERS], table;
	struct heap_stats s;
	void *p;

	heap_get_stats(&s);
	KT_ASSERT(s.mapped == 0,
		  "lab8.buddy_cascade needs a fresh heap, but %lu bytes are mapped: "
		  "run it first in a boot of its own",
		  (unsigned long)s.mapped);
	table = align_up(s.limit / PAGE_SIZE * sizeof(struct heap_page), PAGE_SIZE) / PAGE_SIZE;
	for (int step = 0; step < 2; step++) {
		unsigned order = step ? k : 0;

		p = kmalloc((size_t)PAGE_SIZE << order);
		KT_ASSERT(p, "kmalloc(%lu) returned NULL", (unsigned long)PAGE_SIZE << order);
		kfree(p);
		heap_get_stats(&s);
		buddy_free_counts(got);
		aligned_blocks(table, s.mapped / PAGE_SIZE, want);
		ktest_value(step ? "second" : "first", "%016lx %lu %s", (unsigned long)(uintptr_t)p,
			    (unsigned long)s.mapped, counts_text(got));
		KT_ASSERT(
			same_counts(got, want),
			"after kmalloc(%lu) and kfree with nothing else live, the free blocks are "
			"%s; the largest aligned blocks of the %lu mapped pages after the %lu-page "
			"table are %s",
			(unsigned long)PAGE_SIZE << order, counts_text(got),
			(unsigned long)(s.mapped / PAGE_SIZE - table), (unsigned long)table,
			counts_text(want));
	}
}

/*
 * Draws: the order k (0..3) of two blocks, which is freed first, which is freed again. With
 * every block free the two are buddies (the first is a split's lower half, the second its upper
 * half); freeing both merges them, so the second free finds its block inside a free block of
 * order k + 1 or more, and must still say double free. Reports "pair" (the two blocks) and
 * "ptr" (the one freed again).
 */
KTEST_SHOULD_PANIC(lab8, buddy_double_free_merged)
{
	struct rng r = ktest_rng();
	unsigned k = (unsigned)rng_below(&r, 4);
	int first = (int)rng_below(&r, 2), again;
	uint8_t *x[2];
	const struct heap_page *pg;

	for (int i = 0; i < 2; i++) {
		x[i] = kmalloc((size_t)PAGE_SIZE << k);
		KT_ASSERT(x[i], "kmalloc returned NULL");
	}
	ktest_value("pair", "%016lx %016lx", (unsigned long)(uintptr_t)x[0],
		    (unsigned long)(uintptr_t)x[1]);
	KT_ASSERT(
		(off(x[0]) ^ off(x[1])) == (size_t)PAGE_SIZE << k,
		"with every block free, two blocks of order %u came out at %p and %p, not buddies",
		k, (void *)x[0], (void *)x[1]);
	kfree(x[first]);
	kfree(x[!first]);
	pg = desc(x[0] < x[1] ? x[0] : x[1]);
	KT_ASSERT(pg && pg->kind == HP_BUDDY_FREE && pg->order > k,
		  "the buddies %p and %p of order %u were freed, yet the descriptor of the lower "
		  "one says kind %d order %d: not merged",
		  (void *)x[0], (void *)x[1], k, pg ? pg->kind : -1, pg ? pg->order : -1);
	/* Freed again: the upper buddy, whose first page is inside the merged block now (its own
	 * descriptor says HP_NONE): only a lookup of the block holding it finds it free. */
	again = x[1] > x[0];
	ktest_value("ptr", "%016lx", (unsigned long)(uintptr_t)x[again]);
	ktest_expect_panic("kfree: double free of ");
	kfree(x[again]);
	ktest_fail("freeing %p again, after it merged with its buddy %p, did not panic",
		   (void *)x[again], (void *)x[!again]);
}

/* ---- The heap map at the hold: buddy and slab. ---- */

#define VIEW_N 8

/*
 * Print the free blocks the descriptors show, as the grader will read them at the hold, and
 * the allocator's own counts: "free<i>" (order and address of each free block, 64 to a line),
 * "counts" (buddy_free_counts), "table" (heap_pages_table, heap_pages_count, heap_mapped()).
 */
static void view_report(void)
{
	size_t pages = heap_mapped() / PAGE_SIZE, c[ORDERS], fc[ORDERS];
	static struct words w;
	int lines = 0, in_line = 0;
	char key[16];

	w.at = 0;
	for (size_t i = 0; i < pages; i++) {
		const struct heap_page *pg = &heap_pages_table[i];

		if (pg->kind != HP_BUDDY_FREE)
			continue;
		words_add(&w, "%u:%016lx", pg->order, (unsigned long)heap_page_addr(pg));
		if (++in_line == 64) {
			ksnprintf(key, sizeof(key), "free%d", lines++);
			ktest_value(key, "%s", w.text);
			w.at = 0;
			in_line = 0;
		}
	}
	if (in_line || !lines) {
		ksnprintf(key, sizeof(key), "free%d", lines++);
		ktest_value(key, "%s", in_line ? w.text : "none");
	}
	buddy_free_counts(c);
	ktest_value("counts", "%s", counts_text(c));
	ktest_value("table", "%016lx %lu %lu", (unsigned long)(uintptr_t)heap_pages_table,
		    (unsigned long)heap_pages_count, (unsigned long)heap_mapped());
	if (!table_free_counts(fc))
		return;
	KT_ASSERT(same_counts(fc, c),
		  "the descriptors show free blocks %s, but buddy_free_counts says %s",
		  counts_text(fc), counts_text(c));
}

/*
 * Draws: VIEW_N sizes (1..PAGE_SIZE << 0..3), then which half of the blocks is freed (a
 * shuffle: the first VIEW_N / 2 go back). The other half stays live through the hold, reported
 * as "live" (order and address each), then view_report().
 */
KTEST(lab8, buddy_view)
{
	struct rng r = ktest_rng();
	size_t size[VIEW_N];
	int order[VIEW_N];
	static void *p[VIEW_N];
	static struct words w;

	for (int i = 0; i < VIEW_N; i++)
		size[i] = 1 + rng_below(&r, (uint64_t)PAGE_SIZE << rng_below(&r, 4));
	shuffle(&r, order, VIEW_N);
	for (int i = 0; i < VIEW_N; i++) {
		p[i] = kmalloc(size[i]);
		KT_ASSERT(p[i], "kmalloc(%lu) returned NULL", (unsigned long)size[i]);
	}
	for (int i = 0; i < VIEW_N / 2; i++)
		kfree(p[order[i]]);
	w.at = 0;
	for (int i = VIEW_N / 2; i < VIEW_N; i++)
		words_add(&w, "%u:%016lx", order_of(size[order[i]]),
			  (unsigned long)(uintptr_t)p[order[i]]);
	ktest_value("live", "%s", w.text);
	view_report();
}

/* ---- slab: caches, LIFO, slabs filling and going back to the buddy. ---- */

KTEST(lab8, slab_caches)
{
	classes_test(HP_SLAB);
}

#define MRU_MAX 600
#define PAGE_OF(p) ((uintptr_t)(p) & ~(uintptr_t)(PAGE_SIZE - 1))

/*
 * Most recently used first, on free too: a free into a slab that is already on the partial list
 * moves it to the head, so the next allocation of the cache reuses that very object. Draws (a
 * stream of its own): the cache c (0..6: four objects a slab at least). A slab A is filled (a1 is
 * its first object), then objects are allocated until two in a row, b1 and b2, share a slab B
 * that still has a free object; a1 is freed (A, full, goes to the head), then b1 (B, partial,
 * must go to the head): the next object must be b1. Reports "mru": c, a1, b1, the object got.
 */
static void slab_mru_test(void)
{
	struct rng r = ktest_rng();
	static void *held[MRU_MAX];
	int n = 0, c;
	size_t cs, per;
	void *a1, *b1 = NULL, *got;

	r.state ^= 0x6d7275; /* "mru": not lifo_test's draws */
	c = (int)rng_below(&r, 7);
	cs = (size_t)SLAB_MIN << c;
	per = PAGE_SIZE / cs;
	a1 = held[n++] = kmalloc(cs);
	KT_ASSERT(a1, "kmalloc(%lu) returned NULL", (unsigned long)cs);
	while (n < MRU_MAX) {
		void *o = held[n++] = kmalloc(cs);

		KT_ASSERT(o, "kmalloc(%lu) returned NULL", (unsigned long)cs);
		if (PAGE_OF(o) != PAGE_OF(a1) && n >= 3 && PAGE_OF(held[n - 2]) == PAGE_OF(o) &&
		    PAGE_OF(held[n - 2]) != PAGE_OF(a1) && desc(o)->inuse < per) {
			b1 = held[n - 2];
			break;
		}
	}
	KT_ASSERT(b1, "%d objects of the %lu-byte cache and never two in a row in one slab",
		  MRU_MAX, (unsigned long)cs);
	kfree(a1);
	kfree(b1);
	got = kmalloc(cs);
	ktest_value("mru", "%d %016lx %016lx %016lx", c, (unsigned long)(uintptr_t)a1,
		    (unsigned long)(uintptr_t)b1, (unsigned long)(uintptr_t)got);
	for (int i = 0; i < n; i++) {
		if (held[i] != a1 && held[i] != b1)
			kfree(held[i]);
	}
	kfree(got);
	KT_ASSERT(got == b1,
		  "in the %lu-byte cache, %p (a full slab) then %p (a slab already partial) were "
		  "freed; the next object was %p, not %p: a free moves its slab to the head of the "
		  "partial list even when the slab is on it already",
		  (unsigned long)cs, a1, b1, got, b1);
}

KTEST(lab8, slab_lifo)
{
	lifo_test(SLAB_FREE_TAG, SLAB_CACHES - 2, true);
	slab_mru_test();
}

KTEST(lab8, slab_large)
{
	large_test(true);
}

#define FILL_MAX 2048

/*
 * Draws: the cache c (0..7), then the free order. The cache's free objects (slabs * objects
 * per slab - inuse, from slab_cache_info) are taken first without a new slab; then the next
 * object takes a new slab from the buddy (HP_SLAB, cls c), the objects after it fill that slab,
 * and the one after those takes another. Freeing every object taken leaves the cache with
 * exactly SLAB_KEEP_EMPTY empty slab, the others back in the buddy: the buddy's free pages are
 * what they were, less the slabs the cache kept, plus any pages the heap grew by. Reports
 * "fill": c, the free objects taken first, the two new slabs' addresses; "info" before and
 * after (slabs empty inuse); "pages": free pages before and after, pages grown.
 */
KTEST(lab8, slab_fill)
{
	struct rng r = ktest_rng();
	unsigned c = (unsigned)rng_below(&r, SLAB_CACHES);
	size_t cs = (size_t)SLAB_MIN << c, per = PAGE_SIZE / cs, spare, n = 0;
	static void *obj[FILL_MAX];
	static int order[FILL_MAX];
	struct slab_cache_info i0, i1;
	size_t b0[ORDERS], b1[ORDERS];
	struct heap_stats s0, s1;
	uintptr_t slab[2];

	kfree(kmalloc(PAGE_SIZE)); /* a buddy block: the page table exists before the counts */
	slab_cache_info(c, &i0);
	buddy_free_counts(b0);
	heap_get_stats(&s0);
	KT_ASSERT(i0.size == cs && i0.slabs * per >= i0.inuse,
		  "slab_cache_info(%u) says size %lu, %lu slabs, %lu objects in use", c,
		  (unsigned long)i0.size, (unsigned long)i0.slabs, (unsigned long)i0.inuse);
	spare = i0.slabs * per - i0.inuse;
	KT_ASSERT(spare + 2 * per + 1 <= FILL_MAX, "the %lu-byte cache has %lu free objects",
		  (unsigned long)cs, (unsigned long)spare);
	for (int s = -1; s < 2; s++) {
		size_t want = s < 0 ? spare : s == 0 ? per : 1;

		for (size_t i = 0; i < want; i++, n++) {
			struct slab_cache_info now;
			const struct heap_page *pg;

			obj[n] = kmalloc(cs / 2 + 1);
			KT_ASSERT(obj[n], "kmalloc(%lu) returned NULL",
				  (unsigned long)(cs / 2 + 1));
			slab_cache_info(c, &now);
			pg = desc(obj[n]);
			KT_ASSERT(pg && pg->kind == HP_SLAB && pg->cls == c &&
					  (uintptr_t)obj[n] % cs == 0,
				  "object %p of the %lu-byte cache: descriptor kind %d cls %d",
				  obj[n], (unsigned long)cs, pg ? pg->kind : -1, pg ? pg->cls : -1);
			if (s < 0) {
				KT_ASSERT(
					now.slabs == i0.slabs,
					"with %lu free objects in its %lu slabs, the %lu-byte cache "
					"took a new slab after %lu allocations",
					(unsigned long)spare, (unsigned long)i0.slabs,
					(unsigned long)cs, (unsigned long)i);
				continue;
			}
			if (i == 0) {
				slab[s] = (uintptr_t)obj[n] & ~(uintptr_t)(PAGE_SIZE - 1);
				KT_ASSERT(
					now.slabs == i0.slabs + (size_t)s + 1 && pg->inuse == 1,
					"every object of the %lu-byte cache was taken, so the next "
					"one (%p) needs a new slab: the cache has %lu slabs (had %lu), "
					"and %p's slab has %u objects out",
					(unsigned long)cs, obj[n], (unsigned long)now.slabs,
					(unsigned long)i0.slabs + (size_t)s, obj[n], pg->inuse);
			} else {
				KT_ASSERT(
					((uintptr_t)obj[n] & ~(uintptr_t)(PAGE_SIZE - 1)) ==
							slab[s] &&
						now.slabs == i0.slabs + 1,
					"object %lu of the new slab %p came out at %p (the cache has "
					"%lu slabs): a slab is filled before another is taken",
					(unsigned long)i + 1, (void *)slab[s], obj[n],
					(unsigned long)now.slabs);
			}
		}
	}
	ktest_value("fill", "%u %lu %016lx %016lx", c, (unsigned long)spare, (unsigned long)slab[0],
		    (unsigned long)slab[1]);
	shuffle(&r, order, (int)n);
	for (size_t i = 0; i < n; i++)
		kfree(obj[order[i]]);
	slab_cache_info(c, &i1);
	buddy_free_counts(b1);
	heap_get_stats(&s1);
	ktest_value("info", "%lu %lu %lu / %lu %lu %lu", (unsigned long)i0.slabs,
		    (unsigned long)i0.empty, (unsigned long)i0.inuse, (unsigned long)i1.slabs,
		    (unsigned long)i1.empty, (unsigned long)i1.inuse);
	ktest_value("pages", "%lu %lu %lu", (unsigned long)free_pages(b0),
		    (unsigned long)free_pages(b1),
		    (unsigned long)((s1.mapped - s0.mapped) / PAGE_SIZE));
	KT_ASSERT(
		i1.inuse == i0.inuse && i1.empty == SLAB_KEEP_EMPTY &&
			i1.slabs == i0.slabs - i0.empty + SLAB_KEEP_EMPTY,
		"after freeing every object it took, the %lu-byte cache has %lu slabs, %lu empty, "
		"%lu objects out; it had %lu slabs, %lu empty, %lu out, and keeps %d empty slab",
		(unsigned long)cs, (unsigned long)i1.slabs, (unsigned long)i1.empty,
		(unsigned long)i1.inuse, (unsigned long)i0.slabs, (unsigned long)i0.empty,
		(unsigned long)i0.inuse, SLAB_KEEP_EMPTY);
	KT_ASSERT(free_pages(b1) + i1.slabs ==
			  free_pages(b0) + i0.slabs + (s1.mapped - s0.mapped) / PAGE_SIZE,
		  "the buddy had %lu free pages and the cache %lu slabs; now %lu and %lu, and the "
		  "heap grew by %lu pages: empty slabs beyond SLAB_KEEP_EMPTY go back to the buddy",
		  (unsigned long)free_pages(b0), (unsigned long)i0.slabs,
		  (unsigned long)free_pages(b1), (unsigned long)i1.slabs,
		  (unsigned long)((s1.mapped - s0.mapped) / PAGE_SIZE));
	KT_ASSERT((desc((void *)slab[0])->kind == HP_SLAB) +
				  (desc((void *)slab[1])->kind == HP_SLAB) <=
			  SLAB_KEEP_EMPTY,
		  "the new slabs %p and %p are both still HP_SLAB after their objects came back "
		  "(descriptor kinds %d and %d), though the cache keeps only %d empty slab",
		  (void *)slab[0], (void *)slab[1], desc((void *)slab[0])->kind,
		  desc((void *)slab[1])->kind, SLAB_KEEP_EMPTY);
}

/*
 * Draws: VIEW_N requests, each a cache (0..7) and a size in it, then which half is freed. The
 * other half stays live through the hold, reported as "live" (cache and address each), then
 * "caches" (slab_cache_info of every cache: slabs empty inuse) and view_report().
 */
KTEST(lab8, slab_view)
{
	struct rng r = ktest_rng();
	size_t size[VIEW_N];
	int order[VIEW_N], cache[VIEW_N];
	static void *p[VIEW_N];
	static struct words w;

	for (int i = 0; i < VIEW_N; i++) {
		size_t cs;

		cache[i] = (int)rng_below(&r, SLAB_CACHES);
		cs = (size_t)SLAB_MIN << cache[i];
		size[i] = cs / 2 + 1 + rng_below(&r, cs - cs / 2);
	}
	shuffle(&r, order, VIEW_N);
	for (int i = 0; i < VIEW_N; i++) {
		p[i] = kmalloc(size[i]);
		KT_ASSERT(p[i], "kmalloc(%lu) returned NULL", (unsigned long)size[i]);
	}
	for (int i = 0; i < VIEW_N / 2; i++)
		kfree(p[order[i]]);
	w.at = 0;
	for (int i = VIEW_N / 2; i < VIEW_N; i++)
		words_add(&w, "%d:%016lx", cache[order[i]], (unsigned long)(uintptr_t)p[order[i]]);
	ktest_value("live", "%s", w.text);
	w.at = 0;
	for (unsigned c = 0; c < SLAB_CACHES; c++) {
		struct slab_cache_info info;

		slab_cache_info(c, &info);
		words_add(&w, "%lu:%lu:%lu", (unsigned long)info.slabs, (unsigned long)info.empty,
			  (unsigned long)info.inuse);
	}
	ktest_value("caches", "%s", w.text);
	view_report();
}

/* ---- Reuse in a small heap (heap= from the grader): fixed, buddy, slab. ---- */

#define REUSE_SLOTS 4

/*
 * Draws: the long-lived block's fill byte, then per short-lived allocation its size (2 ..
 * limit / 32 + 1) and its slot. A long-lived block of limit / 16 bytes stays through it all;
 * short-lived blocks come and go until their bytes pass ten times the limit (so freed memory
 * must be reused), each checked before it is freed. First one block of each class size is
 * allocated and freed, so that fixed takes its class pages (which it never gives back) before
 * the churn rather than wherever the list has room for them late in it. Reports "total":
 * bytes, count, limit.
 */
KTEST(lab8, reuse)
{
	struct rng r = ktest_rng();
	uint8_t fill = (uint8_t)rng_next(&r);
	uint8_t *slot[REUSE_SLOTS] = { 0 }, *keep;
	size_t slot_size[REUSE_SLOTS] = { 0 }, limit, keep_size;
	uint64_t total = 0, count = 0;
	struct heap_stats s;

	for (int c = 0; c < FIXED_CLASSES; c++) {
		void *p = kmalloc((size_t)FIXED_MIN << c);

		KT_ASSERT(p, "kmalloc(%lu) returned NULL in a fresh heap",
			  (unsigned long)FIXED_MIN << c);
		kfree(p);
	}
	heap_get_stats(&s);
	limit = s.limit;
	keep_size = limit / 16;
	keep = kmalloc(keep_size);
	KT_ASSERT(keep, "kmalloc(%lu) for the long-lived block returned NULL",
		  (unsigned long)keep_size);
	memset(keep, fill, keep_size);
	while (total <= 10 * (uint64_t)limit) {
		size_t n = 2 + rng_below(&r, limit / 32);
		int k = (int)rng_below(&r, REUSE_SLOTS);

		if (slot[k]) {
			KT_ASSERT(slot[k][0] == (uint8_t)k &&
					  slot[k][slot_size[k] - 1] == (uint8_t)~k,
				  "a short-lived block (%p, %lu bytes) changed before it was freed",
				  (void *)slot[k], (unsigned long)slot_size[k]);
			kfree(slot[k]);
		}
		slot[k] = kmalloc(n);
		KT_ASSERT(slot[k],
			  "kmalloc(%lu) returned NULL after %lu bytes in %lu allocations, with at "
			  "most %lu bytes live in a heap of %lu: is freed memory reused?",
			  (unsigned long)n, (unsigned long)total, (unsigned long)count,
			  (unsigned long)(keep_size + REUSE_SLOTS * (limit / 32 + 1)),
			  (unsigned long)limit);
		slot_size[k] = n;
		memset(slot[k], k, n);
		slot[k][n - 1] = (uint8_t)~k;
		total += n;
		count++;
	}
	for (size_t i = 0; i < keep_size; i++)
		KT_ASSERT(
			keep[i] == fill,
			"the long-lived block (%p, %lu bytes) changed at byte %lu while short-lived "
			"blocks came and went",
			(void *)keep, (unsigned long)keep_size, (unsigned long)i);
	ktest_value("total", "%lu %lu %lu", (unsigned long)total, (unsigned long)count,
		    (unsigned long)limit);
	for (int k = 0; k < REUSE_SLOTS; k++)
		kfree(slot[k]);
	kfree(keep);
}

/* ---- make lab-8's demo. ---- */

static void demo_stats(const char *when)
{
	struct heap_stats s;

	heap_get_stats(&s);
	kprintf("  %-22s in use %8lu B, mapped %8lu B, %5lu allocations, %5lu frees, %lu failed\n",
		when, (unsigned long)s.in_use, (unsigned long)s.mapped, (unsigned long)s.allocs,
		(unsigned long)s.frees, (unsigned long)s.failures);
}

/* What the page descriptors say about the mapped heap: pages of each kind, free blocks per
 * order (buddy, slab), the caches (slab). Nothing for bump and list, which keep no table. */
static void demo_summary(void)
{
	static const char *const kinds[] = { "none",       "meta",  "buddy free",
					     "buddy used", "fixed", "slab" };
	size_t pages = heap_mapped() / PAGE_SIZE, n[6] = { 0 }, c[ORDERS];
	const char *d = kmalloc_design();

	if (!heap_pages_table) {
		kprintf("  %s keeps no page descriptors: %lu pages mapped\n", d,
			(unsigned long)pages);
		return;
	}
	for (size_t i = 0; i < pages; i++)
		n[heap_pages_table[i].kind < 6 ? heap_pages_table[i].kind : 0]++;
	kprintf("  pages:");
	for (int k = 0; k < 6; k++)
		kprintf(" %s %lu%s", kinds[k], (unsigned long)n[k], k < 5 ? "," : "\n");
	if (d[0] == 'b' || d[0] == 's') { /* buddy, slab */
		buddy_free_counts(c);
		kprintf("  free buddy blocks (order:count): %s\n", counts_text(c));
	}
	if (d[0] == 's') {
		for (unsigned k = 0; k < SLAB_CACHES; k++) {
			struct slab_cache_info info;

			slab_cache_info(k, &info);
			if (info.slabs)
				kprintf("  cache %4lu B: %lu slabs (%lu empty), %lu objects out of %lu\n",
					(unsigned long)info.size, (unsigned long)info.slabs,
					(unsigned long)info.empty, (unsigned long)info.inuse,
					(unsigned long)(info.slabs * (PAGE_SIZE / info.size)));
		}
	}
}

/* A mixed workload: many small objects, some page-sized buffers, a long-lived table growing by
 * krealloc, and frees in a scrambled order; the statistics and the heap after each phase. */
KTEST_ALONE(lab8, demo)
{
	static void *small[256], *big[16];
	struct rng r = { 0x1ab8 };
	void *table = NULL;
	size_t cap = 0;

	kprintf("lab 8 demo: allocator %s (pick another with make lab-8 ALLOC=name)\n",
		kmalloc_design());
	demo_stats("at boot:");
	for (int i = 0; i < 256; i++) {
		small[i] = kmalloc(8 + rng_below(&r, 500));
		if (i % 16 == 0) {
			void *t = krealloc(table, (cap += 256));

			if (t)
				table = t;
		}
	}
	for (int i = 0; i < 16; i++)
		big[i] = kmalloc(PAGE_SIZE / 2 + rng_below(&r, 3 * PAGE_SIZE));
	demo_stats("after 272 allocations:");
	demo_summary();
	for (int i = 0; i < 256; i++) {
		int k = (int)((i * 97u) % 256); /* a scrambled order */

		if (k % 3) {
			kfree(small[k]);
			small[k] = NULL;
		}
	}
	for (int i = 0; i < 16; i += 2) {
		kfree(big[i]);
		big[i] = NULL;
	}
	demo_stats("after freeing 2/3:");
	demo_summary();
	for (int i = 0; i < 256; i++)
		kfree(small[i]);
	for (int i = 0; i < 16; i++)
		kfree(big[i]);
	kfree(table);
	demo_stats("after freeing all:");
	demo_summary();
}
