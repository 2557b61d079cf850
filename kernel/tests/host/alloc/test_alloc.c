/*
 * test_alloc.c: unit tests for one of lab 8's designs, run natively under AddressSanitizer and
 * UBSan: `test_alloc <design>` (bump, list, fixed, buddy or slab). make host-test runs it for
 * each design.
 *
 * Every group runs in a child process of its own (fork), on a fresh heap: a design keeps its
 * state in static variables and has no reset, and a group that panics or crashes must not
 * leave a broken heap to the next one. The child reports its counts through a pipe; a child
 * killed by a signal (a fault, a sanitizer's abort, the harness's alarm) counts as one failure
 * of its group. The contract groups check heap.h's rules, the others each design's paragraph of
 * alloc.h. Panics the rules ask for (double free, bad pointer, write after free) are caught
 * with the shim's longjmp and their messages compared with the exact text.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "alloc.h"
#include "check.h"
#include "front.h"
#include "harness.h"
#include "host_heap.h"

static const char *design;
static const struct heap_ops *ops;

static void fail_check(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	harness_check(false, "%s", msg);
}

#define CHECK(cond, ...) harness_check((cond), __VA_ARGS__)
#define PG(a)            heap_page_of((uintptr_t)(a))

static struct live_set live;

/* ---- expected panics ------------------------------------------------------------------- */

static char panic_seen[512];

/* Runs free(p) and reports whether it panicked with exactly want (plus the shim's " (at ...)"). */
static bool free_panics(void *p, const char *want)
{
	jmp_buf here, *outer = shim_panic_recover;
	size_t n = strlen(want);
	volatile bool ok;

	shim_panic_recover = &here;
	if (setjmp(here) == 0) {
		ops->free(p);
		shim_panic_recover = outer;
		return CHECK(false, "free(%p) returned; it must panic \"%s\"", p, want);
	}
	shim_panic_recover = outer;
	snprintf(panic_seen, sizeof(panic_seen), "%s", shim_panic_message);
	ok = strncmp(panic_seen, want, n) == 0 && (panic_seen[n] == ' ' || !panic_seen[n]);
	return CHECK(ok, "free(%p) panicked \"%s\"; expected \"%s\"", p, panic_seen, want);
}

/* The message of kfree's checks for p, formatted as the host's panic_at() formats it. */
static const char *msg_of(const char *what, const void *p)
{
	static char m[128];

	snprintf(m, sizeof(m), "kfree: %s %p", what, p);
	return m;
}

/* ---- contract (heap.h) ------------------------------------------------------------------ */

static const size_t sizes[] = { 1,   2,   15,  16,  17,   31,   32,   33,   48,   63,   64,
				65,  100, 127, 128, 129,  255,  256,  257,  500,  512,  1000,
				1024, 2000, 2048, 2049, 3000, 4095, 4096, 4097, 8192, 10000, 40000 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void *alloc_add(size_t size, size_t align)
{
	void *p = ops->alloc(size, align);

	if (!CHECK(p != NULL, "alloc(%zu, %zu) = NULL with the heap far from full", size, align))
		return NULL;
	live_add(&live, p, size, align);
	return p;
}

/* Every size, three times over, then freed in an order that leaves holes first. */
static void t_basic(void)
{
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < NSIZES; i++)
			if (!alloc_add(sizes[i], HEAP_MIN_ALIGN))
				return;
	live_verify_all(&live);
	for (size_t i = live.n; i-- > 0;)
		if (i % 2)
			live_del(&live, i);
	live_verify_all(&live);
	live_del_all(&live, 1);
}

/* Every alignment from 16 to 4096 with small and page-sized requests. */
static void t_align(void)
{
	static const size_t asz[] = { 1, 16, 100, 1000, 4096, 5000 };

	for (size_t a = HEAP_MIN_ALIGN; a <= HEAP_MAX_ALIGN; a *= 2)
		for (size_t i = 0; i < sizeof(asz) / sizeof(asz[0]); i++)
			if (!alloc_add(asz[i], a))
				return;
	live_verify_all(&live);
	live_del_all(&live, 2);
}

/* Random allocations and frees; contents checked throughout; then the heap is whole again. */
static void t_random(void)
{
	uint64_t r = 3;

	for (int step = 0; step < 6000; step++) {
		uint64_t x = check_rand(&r);

		if (live.n && (x % 100 < 45 || live.n > 400)) {
			if (!live_del(&live, (x >> 8) % live.n))
				return;
		} else {
			size_t size = 1 + ((x >> 8) % (16u << ((x >> 32) % 9)));
			size_t align = (size_t)HEAP_MIN_ALIGN << ((x >> 40) % 3 == 0 ? (x >> 44) % 9 : 0);

			if (!alloc_add(size, align))
				return;
		}
		if (step % 500 == 0 && !live_verify_all(&live))
			return;
	}
	if (live_del_all(&live, 4))
		CHECK(heap_whole(design, ops), "heap whole again after everything was freed");
}

/* A block freed and asked for again is found without growing the heap. */
static void t_reuse(void)
{
	void *p = ops->alloc(64, 16), *q;
	size_t mapped = heap_mapped();

	ops->free(p);
	q = ops->alloc(64, 16);
	CHECK(q != NULL && heap_mapped() == mapped,
	      "free then alloc of the same size grew the heap (%zu -> %zu bytes)", mapped,
	      heap_mapped());
	if (q)
		ops->free(q);
}

/* With a 1 MiB limit: NULL (not a panic) when full, never past the limit, whole after. */
static void t_exhaust(void)
{
	size_t limit = heap_limit(), n = 0;
	void *p;

	while ((p = ops->alloc(1000, 16)) != NULL && n < LIVE_MAX) {
		live_add(&live, p, 1000, 16);
		n++;
	}
	CHECK(p == NULL, "1000-byte blocks never ran out (%zu of them)", n);
	CHECK(n > 0, "not one 1000-byte block fitted a %zu-byte heap", limit);
	CHECK(heap_mapped() <= limit, "mapped %zu bytes, past the limit %zu", heap_mapped(), limit);
	CHECK(ops->alloc(limit, 16) == NULL, "alloc(limit) with the heap full is not NULL");
	CHECK(ops->alloc(KMALLOC_MAX, 16) == NULL, "alloc(KMALLOC_MAX) is not NULL");
	live_verify_all(&live);
	if (!live_del_all(&live, 5))
		return;
	CHECK(heap_whole(design, ops), "heap whole again after the heap ran out");
	p = ops->alloc(1000, 16);
	CHECK(p != NULL, "alloc(1000) after freeing a full heap is NULL");
	if (p)
		ops->free(p);
}

/* A request larger than the limit is NULL and maps nothing. */
static void t_too_big(void)
{
	size_t mapped;
	void *p = ops->alloc(64, 16);

	mapped = heap_mapped();
	CHECK(ops->alloc(heap_limit() + 1, 16) == NULL, "alloc(limit + 1) is not NULL");
	CHECK(heap_mapped() == mapped, "a refused alloc grew the heap (%zu -> %zu)", mapped,
	      heap_mapped());
	ops->free(p);
}

static void t_double_free(void)
{
	void *a = ops->alloc(64, 16), *b = ops->alloc(64, 16), *c = ops->alloc(64, 16);
	void *d = ops->alloc(64, 16);

	ops->free(b);
	free_panics(b, msg_of("double free of", b));
	/* b's neighbours freed too: a merge may have swallowed b's header. */
	ops->free(a);
	ops->free(c);
	free_panics(b, msg_of("double free of", b));
	free_panics(c, msg_of("double free of", c));
	ops->free(d); /* for bump: the last live block, so everything is reset */
	free_panics(d, msg_of("double free of", d));
}

static void t_bad_pointer(void)
{
	uint8_t *p = ops->alloc(64, 16);
	int local;

	memset(p, 0x11, 64);
	free_panics(p + 8, msg_of("bad pointer", p + 8));
	free_panics(p + 16, msg_of("bad pointer", p + 16));
	/* Outside the heap: past its end (no access there: the range must be checked first). */
	free_panics((void *)(heap_end() + 64), msg_of("bad pointer", (void *)(heap_end() + 64)));
	free_panics((void *)(HEAP_BASE - 4096), msg_of("bad pointer", (void *)(HEAP_BASE - 4096)));
	free_panics(&local, msg_of("bad pointer", (void *)&local));
	ops->free(p);
}

static void t_write_after_free(void)
{
	uint8_t *p = ops->alloc(64, 16), *q;
	jmp_buf here, *outer = shim_panic_recover;
	char want[128];

	ops->free(p);
	p[40] = 0;
	snprintf(want, sizeof(want), "kmalloc: write after free at %p (block %p)", (void *)(p + 40),
		 (void *)p);
	shim_panic_recover = &here;
	if (setjmp(here) == 0) {
		q = ops->alloc(64, 16);
		shim_panic_recover = outer;
		CHECK(false, "alloc(64) after a write into freed block %p returned %p, no panic",
		      (void *)p, (void *)q);
		return;
	}
	shim_panic_recover = outer;
	CHECK(strncmp(shim_panic_message, want, strlen(want)) == 0, "panicked \"%s\"; expected \"%s\"",
	      shim_panic_message, want);
}

/* ---- bump ----------------------------------------------------------------------------- */

static void t_bump_layout(void)
{
	uint8_t *a = ops->alloc(1, 16), *b = ops->alloc(1, 16), *c = ops->alloc(100, 64);
	uintptr_t want_c = ((uintptr_t)b + 16 + BUMP_HDR + 63) & ~(uintptr_t)63;

	CHECK(ops->usable_size(a) == 16, "usable_size(alloc(1)) = %zu, not 16", ops->usable_size(a));
	CHECK(b == a + 16 + BUMP_HDR, "second block %p, expected first + 32 = %p", (void *)b,
	      (void *)(a + 32));
	CHECK((uintptr_t)c == want_c, "alloc(100, 64) = %p, expected %#lx", (void *)c,
	      (unsigned long)want_c);
	CHECK(((uint64_t *)a)[-2] == BUMP_LIVE && ((uint64_t *)a)[-1] == 16,
	      "header of a live block: %#llx %llu, expected BUMP_LIVE 16",
	      (unsigned long long)((uint64_t *)a)[-2], (unsigned long long)((uint64_t *)a)[-1]);
	ops->free(b);
	CHECK(((uint64_t *)b)[-2] == BUMP_FREE, "a freed block's header is not BUMP_FREE");
	ops->free(a);
	ops->free(c);
}

static void t_bump_reset(void)
{
	uint8_t *a = ops->alloc(32, 16), *b = ops->alloc(32, 16), *c, *d;

	ops->free(a);
	c = ops->alloc(32, 16);
	CHECK(c > b, "with a block live, a freed block was reused (%p after %p)", (void *)c,
	      (void *)b);
	ops->free(b);
	CHECK((uint8_t *)ops->alloc(32, 16) > c, "reused before every block was free");
	/* That block is live: free it and c, then everything is free. */
	ops->free(c + 32 + BUMP_HDR);
	ops->free(c);
	d = ops->alloc(32, 16);
	CHECK(d == a, "with every block free the next block is %p, expected the start %p",
	      (void *)d, (void *)a);
	for (uint8_t *x = d + 32; x < c + 32 + BUMP_HDR + 32; x++)
		if (!CHECK(*x == HEAP_POISON, "after the reset byte %p is %#x, not poison", (void *)x,
			   *x))
			break;
	ops->free(d);
}

/* ---- fixed ------------------------------------------------------------------------------ */

static void t_fixed_classes(void)
{
	for (size_t i = 0; i < NSIZES; i++) {
		for (size_t align = 16; align <= 4096; align *= 4) {
			size_t s = sizes[i], cls = FIXED_MIN, u;
			uint8_t *p = ops->alloc(s, align);

			while (cls < s || cls < align)
				cls *= 2;
			u = ops->usable_size(p);
			if (cls <= FIXED_MAX) {
				CHECK(u == cls, "alloc(%zu, %zu): usable %zu, class %zu expected", s, align,
				      u, cls);
				CHECK((uintptr_t)p % cls == 0, "alloc(%zu, %zu) = %p not aligned to %zu", s,
				      align, (void *)p, cls);
				CHECK(PG(p) && PG(p)->kind == HP_FIXED &&
					      ((size_t)FIXED_MIN << PG(p)->cls) == cls,
				      "alloc(%zu): page %p is not an HP_FIXED page of class %zu", s,
				      (void *)p, cls);
			} else {
				CHECK(u >= s && (uintptr_t)p % align == 0,
				      "alloc(%zu, %zu) from the list: usable %zu at %p", s, align, u,
				      (void *)p);
			}
			live_add(&live, p, s, align);
		}
	}
	live_del_all(&live, 6);
}

static void t_fixed_lifo(void)
{
	uint8_t *a = ops->alloc(100, 16), *b = ops->alloc(100, 16);

	ops->free(a);
	CHECK(((uint64_t *)a)[1] == (FIXED_FREE_TAG ^ (uintptr_t)a),
	      "a free block's second word is not FIXED_FREE_TAG ^ its address");
	for (int i = 16; i < 128; i++)
		if (!CHECK(a[i] == HEAP_POISON, "free block byte %d is %#x, not poison", i, a[i]))
			break;
	ops->free(b);
	CHECK(ops->alloc(128, 16) == b, "the block freed last (%p) is not the first out",
	      (void *)b);
	CHECK(ops->alloc(65, 16) == a, "the block freed before it (%p) is not next", (void *)a);
}

/* More blocks than one refill chunk holds, every one distinct and in HP_FIXED pages. */
static void t_fixed_refill(void)
{
	for (int i = 0; i < 3 * FIXED_REFILL / 16; i++)
		if (!alloc_add(16, 16))
			return;
	live_del_all(&live, 7);
	CHECK(heap_whole(design, ops), "every class block free again");
}

/* ---- buddy ------------------------------------------------------------------------------ */

static void t_buddy_orders(void)
{
	for (size_t i = 0; i < NSIZES; i++) {
		size_t s = sizes[i], want = PAGE_SIZE;
		uint8_t *p = ops->alloc(s, 16);
		struct heap_page *pg = PG(p);

		while (want < s)
			want *= 2;
		CHECK(ops->usable_size(p) == want, "alloc(%zu): usable %zu, expected %zu", s,
		      ops->usable_size(p), want);
		CHECK(((uintptr_t)p - HEAP_BASE) % want == 0 && (uintptr_t)p % want == 0,
		      "alloc(%zu) = %p is not aligned to its size %zu", s, (void *)p, want);
		CHECK(pg && pg->kind == HP_BUDDY_USED && ((size_t)PAGE_SIZE << pg->order) == want,
		      "alloc(%zu): first page descriptor kind %d order %d", s, pg ? pg->kind : -1,
		      pg ? pg->order : -1);
		live_add(&live, p, s, 16);
	}
	live_del_all(&live, 8);
	CHECK(heap_whole(design, ops), "free blocks merged back into the largest aligned blocks");
}

static void t_buddy_merge(void)
{
	uint64_t r = 9;

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 200; i++) {
			uint64_t x = check_rand(&r);

			if (!alloc_add(1 + x % (PAGE_SIZE << (x >> 32) % 6), 16))
				return;
			if (x % 3 == 0)
				live_del(&live, (x >> 16) % live.n);
		}
		live_del_all(&live, r);
		if (!CHECK(heap_whole(design, ops), "round %d: not merged back", round))
			return;
	}
}

static void t_buddy_lifo(void)
{
	void *a = ops->alloc(PAGE_SIZE, 16), *b = ops->alloc(PAGE_SIZE, 16);
	void *c = ops->alloc(PAGE_SIZE, 16), *d = ops->alloc(PAGE_SIZE, 16);
	size_t counts[BUDDY_MAX_ORDER + 1];

	ops->free(a); /* its buddy b is live: no merge */
	ops->free(c); /* its buddy d is live: no merge */
	buddy_free_counts(counts);
	CHECK(counts[0] >= 2, "two unmerged free pages, but %zu free blocks of order 0", counts[0]);
	CHECK(ops->alloc(PAGE_SIZE, 16) == c, "the block freed last is not the first out");
	CHECK(ops->alloc(PAGE_SIZE, 16) == a, "the block freed before it is not next");
	(void)b;
	(void)d;
}

static void t_buddy_pages(void)
{
	for (unsigned k = 0; k <= 6; k++) {
		uint8_t *p = buddy_alloc_pages(k);
		size_t n = (size_t)PAGE_SIZE << k;

		if (!CHECK(p != NULL, "buddy_alloc_pages(%u) = NULL", k))
			return;
		CHECK((uintptr_t)p % n == 0, "buddy_alloc_pages(%u) = %p not aligned", k, (void *)p);
		CHECK(p[0] == HEAP_POISON && p[n - 1] == HEAP_POISON, "a fresh block is not poison");
		CHECK(buddy_free_pages(p) == n, "buddy_free_pages of order %u is not %zu", k, n);
	}
	CHECK(heap_whole(design, ops), "merged back after buddy_alloc_pages / free_pages");
}

static void t_buddy_double_free_inside(void)
{
	uint8_t *a = ops->alloc(4 * PAGE_SIZE, 16), *keep = ops->alloc(PAGE_SIZE, 16);

	ops->free(a);
	free_panics(a + PAGE_SIZE, msg_of("double free of", a + PAGE_SIZE));
	free_panics(keep + 16, msg_of("bad pointer", keep + 16));
	ops->free(keep);
}

/* ---- slab ------------------------------------------------------------------------------- */

static void t_slab_reuse(void)
{
	uint8_t *a = ops->alloc(64, 16), *b = ops->alloc(64, 16);
	struct heap_page *pg = PG(a);
	struct slab_cache_info ci;

	CHECK(pg && pg->kind == HP_SLAB && pg->cls == 2, "a 64-byte object's page: kind %d cls %d",
	      pg ? pg->kind : -1, pg ? pg->cls : -1);
	CHECK(pg && pg->inuse == 2, "slab inuse %u with two objects out", pg ? pg->inuse : 0);
	ops->free(a);
	CHECK(((uint64_t *)a)[1] == (SLAB_FREE_TAG ^ (uintptr_t)a),
	      "a free object's second word is not SLAB_FREE_TAG ^ its address");
	CHECK(ops->alloc(64, 16) == a, "the object freed last is not the first out");
	slab_cache_info(2, &ci);
	CHECK(ci.size == 64 && ci.inuse == 2 && ci.slabs == 1,
	      "cache 2: size %zu inuse %zu slabs %zu; expected 64, 2, 1", ci.size, ci.inuse,
	      ci.slabs);
	CHECK(ops->usable_size(b) == 64, "usable_size of a 64-byte object is %zu",
	      ops->usable_size(b));
}

static void t_slab_empty(void)
{
	struct slab_cache_info ci;
	size_t per = PAGE_SIZE / 64, mapped;

	for (size_t i = 0; i < 3 * per; i++)
		if (!alloc_add(64, 16))
			return;
	slab_cache_info(2, &ci);
	CHECK(ci.slabs == 3 && ci.inuse == 3 * per, "3 full slabs: info says %zu slabs, %zu out",
	      ci.slabs, ci.inuse);
	live_del_all(&live, 10);
	slab_cache_info(2, &ci);
	CHECK(ci.slabs == SLAB_KEEP_EMPTY && ci.empty == SLAB_KEEP_EMPTY && ci.inuse == 0,
	      "all freed: %zu slabs, %zu empty, %zu out; SLAB_KEEP_EMPTY = %d kept", ci.slabs,
	      ci.empty, ci.inuse, SLAB_KEEP_EMPTY);
	CHECK(heap_whole(design, ops), "empty slabs went back to the buddy and merged");
	/* The kept slab serves the next object: no new buddy block, no growth. */
	mapped = heap_mapped();
	if (alloc_add(64, 16)) {
		slab_cache_info(2, &ci);
		CHECK(ci.slabs == SLAB_KEEP_EMPTY && heap_mapped() == mapped,
		      "the kept empty slab was not used (%zu slabs)", ci.slabs);
	}
	live_del_all(&live, 11);
}

static void t_slab_large(void)
{
	void *a = ops->alloc(3000, 16), *b = ops->alloc(5000, 16), *c = ops->alloc(2048, 2048);

	CHECK(ops->usable_size(a) == PAGE_SIZE, "alloc(3000): usable %zu, not a page",
	      ops->usable_size(a));
	CHECK(ops->usable_size(b) == 2 * PAGE_SIZE, "alloc(5000): usable %zu, not two pages",
	      ops->usable_size(b));
	CHECK(PG(b) && PG(b)->kind == HP_BUDDY_USED, "alloc(5000) is not a buddy block");
	CHECK(ops->usable_size(c) == 2048 && (uintptr_t)c % 2048 == 0, "alloc(2048, 2048) wrong");
	ops->free(a);
	ops->free(b);
	ops->free(c);
}

/* ---- driver ----------------------------------------------------------------------------- */

struct group {
	const char *name;
	const char *only;  /* the design it belongs to, or NULL for all */
	size_t limit;      /* the heap's limit for this group */
	void (*fn)(void);
};

#define MIB (1u << 20)
static const struct group groups[] = {
	{ "contract.basic", NULL, 16 * MIB, t_basic },
	{ "contract.align", NULL, 16 * MIB, t_align },
	{ "contract.random", NULL, 64 * MIB, t_random },
	{ "contract.reuse", NULL, 16 * MIB, t_reuse },
	{ "contract.exhaust", NULL, 1 * MIB, t_exhaust },
	{ "contract.too_big", NULL, 16 * MIB, t_too_big },
	{ "contract.double_free", NULL, 16 * MIB, t_double_free },
	{ "contract.bad_pointer", NULL, 16 * MIB, t_bad_pointer },
	{ "contract.write_after_free", NULL, 16 * MIB, t_write_after_free },
	{ "bump.layout", "bump", 16 * MIB, t_bump_layout },
	{ "bump.reset", "bump", 16 * MIB, t_bump_reset },
	{ "fixed.classes", "fixed", 16 * MIB, t_fixed_classes },
	{ "fixed.lifo", "fixed", 16 * MIB, t_fixed_lifo },
	{ "fixed.refill", "fixed", 16 * MIB, t_fixed_refill },
	{ "buddy.orders", "buddy", 16 * MIB, t_buddy_orders },
	{ "buddy.merge", "buddy", 64 * MIB, t_buddy_merge },
	{ "buddy.lifo", "buddy", 16 * MIB, t_buddy_lifo },
	{ "buddy.pages", "buddy", 16 * MIB, t_buddy_pages },
	{ "buddy.double_free_inside", "buddy", 16 * MIB, t_buddy_double_free_inside },
	{ "slab.reuse", "slab", 16 * MIB, t_slab_reuse },
	{ "slab.empty", "slab", 16 * MIB, t_slab_empty },
	{ "slab.large", "slab", 16 * MIB, t_slab_large },
	{ "slab.buddy_pages", "slab", 16 * MIB, t_buddy_pages },
};

/* Runs group g in a child on a fresh heap; adds its counts to the harness's tally. */
static void run_group(const struct group *g)
{
	int fd[2], status, counts[2] = { 0, 0 };
	pid_t pid;

	fflush(stdout);
	if (pipe(fd) != 0 || (pid = fork()) < 0) {
		perror("test_alloc: pipe or fork");
		exit(2);
	}
	if (pid == 0) {
		close(fd[0]);
		/* A sanitizer's abort ends the child; the parent reports it. */
		signal(SIGABRT, SIG_DFL);
		__sanitizer_set_death_callback(NULL);
		if (host_heap_init(g->limit) != 0) {
			perror("test_alloc: reserving the heap region");
			_exit(2);
		}
		live_init(&live, ops);
		harness_passed = harness_failed = 0;
		harness_run(g->name, g->fn);
		counts[0] = harness_passed;
		counts[1] = harness_failed;
		if (write(fd[1], counts, sizeof(counts)) != sizeof(counts))
			_exit(2);
		fflush(stdout);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], counts, sizeof(counts)) != sizeof(counts))
		counts[0] = counts[1] = 0;
	close(fd[0]);
	waitpid(pid, &status, 0);
	harness_passed += counts[0];
	harness_failed += counts[1];
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		harness_failed++;
		if (WIFSIGNALED(status))
			printf("FAIL %s: killed by signal %d (%s)\n", g->name, WTERMSIG(status),
			       WTERMSIG(status) == SIGALRM ? "still running after the time limit"
							   : strsignal(WTERMSIG(status)));
		else
			printf("FAIL %s: exited with status %d\n", g->name, WEXITSTATUS(status));
	}
}

int main(int argc, char **argv)
{
	const struct host_design *d = argc == 2 ? host_design_find(argv[1]) : NULL;

	if (!d) {
		fprintf(stderr, "usage: test_alloc bump|list|fixed|buddy|slab\n");
		return 2;
	}
	harness_init();
	design = d->name;
	ops = d->ops;
	check_fail = fail_check;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!groups[i].only || strcmp(groups[i].only, design) == 0)
			run_group(&groups[i]);
	return harness_finish();
}
