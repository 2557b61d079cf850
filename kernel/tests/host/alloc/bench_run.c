/*
 * bench_run.c: the measurements inside one child of the benchmark (bench.h), on a fresh heap.
 *
 * PH_PAIRS times alloc+free pairs: 64-byte pairs (alloc, then free at once), and mixed pairs
 * (16..256 bytes, a ring of BENCH_RING live blocks: each step frees the oldest block and
 * allocates a new one in its slot). Each timed run is BENCH_PAIRS pairs between two readings of
 * the fenced TSC, so the timer's cost is spread over ten thousand pairs; two untimed runs warm
 * the caches and the design's free lists first. Runs alternate between the design alone
 * (front_ops->alloc/free, no lock) and the locked front end (front_alloc/front_free, the pthread
 * mutex every real caller pays); glibc's row runs malloc/free in both.
 *
 * PH_FILL and PH_LAT replay the driver's script (bench_script_make()): each step frees a random
 * live block (BENCH_FREE_PCT steps in 100) or allocates the script's size, through the locked
 * front end, until the first NULL on a BENCH_ARENA heap (glibc: until the live requested bytes
 * reach BENCH_ARENA). PH_FILL times the whole fill; PH_LAT times every alloc alone, keeps the
 * fill fraction (live requested bytes / arena) it happened at, and draws the heap map at the end.
 * Both runs make the same calls, since the script decides everything up to the first NULL.
 */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "alloc.h"
#include "bench.h"
#include "check.h"
#include "front.h"
#include "host_heap.h"
#include "panic_shim.h"

#define BENCH_RING    16         /* live blocks of the mixed pair loop */
#define BENCH_MAXLIVE (1u << 17) /* live blocks a fill may hold */

/* Keep the compiler from dropping a malloc/free pair whose pointer is never used. */
#define ESCAPE(p) __asm__ volatile("" : : "r"(p) : "memory")

static unsigned mix_sizes[1024]; /* the mixed pair loop's sizes, 16..256 bytes */

static inline __attribute__((always_inline)) void *m_alloc(enum bench_mode m, size_t n)
{
	if (m == MODE_ALONE)
		return front_ops->alloc(n, HEAP_MIN_ALIGN);
	if (m == MODE_LOCKED)
		return front_alloc(n, HEAP_MIN_ALIGN);
	return malloc(n);
}

static inline __attribute__((always_inline)) void m_free(enum bench_mode m, void *p)
{
	if (m == MODE_ALONE)
		front_ops->free(p);
	else if (m == MODE_LOCKED)
		front_free(p);
	else
		free(p);
}

/* Ticks per 64-byte pair over one timed run, or -1 on a NULL. */
static inline __attribute__((always_inline)) double pairs_64(enum bench_mode m)
{
	uint64_t t0 = bench_tsc(), t1;

	for (unsigned i = 0; i < BENCH_PAIRS; i++) {
		void *p = m_alloc(m, 64);

		if (__builtin_expect(!p, 0))
			return -1;
		ESCAPE(p);
		m_free(m, p);
	}
	t1 = bench_tsc();
	return (double)(t1 - t0) / BENCH_PAIRS;
}

/* Ticks per mixed pair over one timed run (the ring is filled and emptied untimed), or -1. */
static inline __attribute__((always_inline)) double pairs_mix(enum bench_mode m)
{
	void *ring[BENCH_RING];
	uint64_t t0, t1;
	int bad = 0;

	for (unsigned i = 0; i < BENCH_RING; i++)
		if (!(ring[i] = m_alloc(m, mix_sizes[i])))
			return -1;
	t0 = bench_tsc();
	for (unsigned i = 0; i < BENCH_PAIRS; i++) {
		unsigned k = i % BENCH_RING;

		m_free(m, ring[k]);
		ring[k] = m_alloc(m, mix_sizes[i % 1024]);
		if (__builtin_expect(!ring[k], 0)) {
			bad = 1;
			break;
		}
		ESCAPE(ring[k]);
	}
	t1 = bench_tsc();
	for (unsigned i = 0; i < BENCH_RING; i++)
		if (ring[i])
			m_free(m, ring[i]);
	return bad ? -1 : (double)(t1 - t0) / BENCH_PAIRS;
}

/* One loop body per (loop, mode), each with the mode a constant. */
static __attribute__((noinline)) double p64_alone(void)
{
	return pairs_64(MODE_ALONE);
}
static __attribute__((noinline)) double p64_locked(void)
{
	return pairs_64(MODE_LOCKED);
}
static __attribute__((noinline)) double p64_glibc(void)
{
	return pairs_64(MODE_GLIBC);
}
static __attribute__((noinline)) double mix_alone(void)
{
	return pairs_mix(MODE_ALONE);
}
static __attribute__((noinline)) double mix_locked(void)
{
	return pairs_mix(MODE_LOCKED);
}
static __attribute__((noinline)) double mix_glibc(void)
{
	return pairs_mix(MODE_GLIBC);
}

static int run_pairs(int glibc, struct bench_result *out)
{
	double (*const fn[2][BENCH_LOOPS][2])(void) = {
		{ { p64_alone, p64_locked }, { mix_alone, mix_locked } },
		{ { p64_glibc, p64_glibc }, { mix_glibc, mix_glibc } },
	};
	uint64_t st = 7;

	for (unsigned i = 0; i < 1024; i++)
		mix_sizes[i] = 16 + (unsigned)(check_rand(&st) % 241);
	for (unsigned l = 0; l < BENCH_LOOPS; l++) {
		for (int w = 0; w < 2; w++) /* warm up: caches, branch predictors, free lists */
			if (fn[glibc][l][0]() < 0 || fn[glibc][l][1]() < 0)
				goto out_null;
		for (unsigned r = 0; r < BENCH_RUNS; r++) {
			for (int c = 0; c < 2; c++) {
				/* Alternate which column goes first, so drift hits both alike. */
				int col = (r & 1) ? 1 - c : c;
				double t = fn[glibc][l][col]();

				if (t < 0)
					goto out_null;
				out->pair[l][col][r] = t;
			}
		}
	}
	return 0;
out_null:
	snprintf(out->why, sizeof(out->why), "alloc returned NULL in a pair loop");
	return -1;
}

/* ---- the fill -------------------------------------------------------------------------- */

static void *live_p[BENCH_MAXLIVE];
static uint32_t live_size[BENCH_MAXLIVE];

/*
 * Replay script s until the first NULL (glibc: until BENCH_ARENA bytes are live) and return
 * the number of live blocks left. With lat, each alloc is timed on its own into lat->ticks
 * (timer cost taken off, floored at 0) and lat->bucket (the fill before it), out->allocs of
 * them: the failing call is not counted. Inlined with lat a constant NULL or not, this is two
 * bodies, so PH_FILL pays nothing for PH_LAT.
 */
static inline __attribute__((always_inline)) size_t fill(enum bench_mode m,
							 const struct bench_script *s,
							 const struct bench_lat *lat, uint64_t cost,
							 struct bench_result *out)
{
	uint64_t req = 0, allocs = 0, frees = 0;
	size_t n = 0;
	uint32_t k;

	for (k = 0; k < BENCH_STEPS; k++) {
		uint32_t draw = s->draw[k], size = s->size[k];
		void *p;

		if (n && draw % 100 < BENCH_FREE_PCT) {
			size_t i = (draw >> 8) % n;

			m_free(m, live_p[i]);
			req -= live_size[i];
			live_p[i] = live_p[--n];
			live_size[i] = live_size[n];
			frees++;
			continue;
		}
		if (m == MODE_GLIBC && req + size > BENCH_ARENA)
			break;
		if (n == BENCH_MAXLIVE)
			break;
		if (lat) {
			uint64_t t0 = bench_tsc(), t;

			p = m_alloc(m, size);
			t = bench_tsc() - t0;
			t = t > cost ? t - cost : 0;
			lat->ticks[allocs] = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
			lat->bucket[allocs] =
				(uint8_t)(req >= BENCH_ARENA ? BENCH_BUCKETS - 1 :
							       req * BENCH_BUCKETS / BENCH_ARENA);
		} else {
			p = m_alloc(m, size);
		}
		if (!p)
			break;
		allocs++;
		live_p[n] = p;
		live_size[n++] = size;
		req += size;
	}
	out->allocs = allocs;
	out->frees = frees;
	out->requested = req;
	out->cut_short = k == BENCH_STEPS || n == BENCH_MAXLIVE;
	return n;
}

static __attribute__((noinline)) size_t fill_locked(const struct bench_script *s,
						    struct bench_result *out)
{
	return fill(MODE_LOCKED, s, NULL, 0, out);
}

static __attribute__((noinline)) size_t fill_glibc(const struct bench_script *s,
						   struct bench_result *out)
{
	return fill(MODE_GLIBC, s, NULL, 0, out);
}

static __attribute__((noinline)) size_t fill_locked_timed(const struct bench_script *s,
							  const struct bench_lat *lat,
							  uint64_t cost, struct bench_result *out)
{
	return fill(MODE_LOCKED, s, lat, cost, out);
}

static __attribute__((noinline)) size_t fill_glibc_timed(const struct bench_script *s,
							 const struct bench_lat *lat, uint64_t cost,
							 struct bench_result *out)
{
	return fill(MODE_GLIBC, s, lat, cost, out);
}

/* Which part of each BENCH_CELL-byte cell of the arena the live blocks' requested bytes cover:
 * what a block's usable size adds beyond the request (rounding to a class or an order) counts as
 * empty, so internal waste shows in the map as well as the holes between blocks. */
static void heap_map(size_t n, uint16_t *map)
{
	memset(map, 0, BENCH_NCELLS * sizeof(*map));
	for (size_t i = 0; i < n; i++) {
		uintptr_t a = (uintptr_t)live_p[i] - host_heap_base, end = a + live_size[i];

		while (a < end && a < BENCH_ARENA) {
			uintptr_t cell_end = (a / BENCH_CELL + 1) * BENCH_CELL;
			uintptr_t stop = end < cell_end ? end : cell_end;

			map[a / BENCH_CELL] += (uint16_t)(stop - a);
			a = stop;
		}
	}
}

static int run_fill(int glibc, enum bench_phase ph, const struct bench_script *s,
		    struct bench_result *out, uint16_t *map, const struct bench_lat *lat)
{
	struct timespec t0, t1;
	uint64_t c0, c1, usable = 0;
	size_t n, *us;

	/* One call first, untimed: the design's one-time setup (the first heap_grow(), slab's and
	 * fixed's page table) and the front end's first lock are paid before the fill, as a kernel
	 * pays them at boot. Both fill phases start from this same state. */
	{
		void *p = glibc ? malloc(64) : front_alloc(64, HEAP_MIN_ALIGN);

		if (!p) {
			snprintf(out->why, sizeof(out->why), "the first alloc returned NULL");
			return -1;
		}
		if (glibc)
			free(p);
		else
			front_free(p);
	}
	if (ph == PH_FILL) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		c0 = bench_tsc();
		n = glibc ? fill_glibc(s, out) : fill_locked(s, out);
		c1 = bench_tsc();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		out->ticks = c1 - c0;
		out->seconds =
			(double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	} else {
		uint64_t cost = bench_timer_cost();

		n = glibc ? fill_glibc_timed(s, lat, cost, out) :
			    fill_locked_timed(s, lat, cost, out);
	}
	if (out->cut_short && !glibc) {
		snprintf(out->why, sizeof(out->why),
			 "the fill stopped before its first NULL (%u steps or %u live blocks)",
			 BENCH_STEPS, BENCH_MAXLIVE);
		return -1;
	}
	us = malloc((n + 1) * sizeof(*us));
	if (!us) {
		snprintf(out->why, sizeof(out->why), "out of host memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		us[i] = glibc ? malloc_usable_size(live_p[i]) : front_usable_size(live_p[i]);
		usable += us[i];
	}
	out->usable = usable;
	out->mapped = glibc ? 0 : heap_mapped();
	if (ph == PH_LAT && !glibc && map)
		heap_map(n, map);
	free(us);
	return 0;
}

/* ---- shared with the driver -------------------------------------------------------------- */

/* A size of the fill: most requests small, a long tail up to 16 KiB, as allocation traces show.
 * Four bands (55% 16..128 B, 25% 129..512, 15% 513..2048, 5% 2049..16384), log-uniform inside
 * each, rounded up to 8 bytes. */
static uint32_t fill_size(uint64_t *st)
{
	static const struct {
		unsigned pct, lo, hi;
	} band[] = {
		{ 55, 16, 128 },
		{ 80, 129, 512 },
		{ 95, 513, 2048 },
		{ 100, 2049, 16384 },
	};
	unsigned b = 0, r = (unsigned)(check_rand(st) % 100);
	double u = (double)(check_rand(st) >> 11) / (double)(1ull << 53), x;

	while (r >= band[b].pct)
		b++;
	x = exp(log(band[b].lo) + u * (log(band[b].hi) - log(band[b].lo)));
	return ((uint32_t)x + 7) & ~7u;
}

void bench_script_make(struct bench_script *s)
{
	uint64_t st = 0x6c616238; /* "lab8" */

	for (uint32_t k = 0; k < BENCH_STEPS; k++) {
		s->size[k] = fill_size(&st);
		s->draw[k] = (uint32_t)check_rand(&st);
	}
}

uint64_t bench_timer_cost(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 1000; i++) {
		uint64_t t0 = bench_tsc(), t = bench_tsc() - t0;

		if (t < best)
			best = t;
	}
	return best;
}

/*
 * Touch every page of the arena once, so that the fill times the designs and not the host's
 * first-touch page faults: the kernel's heap_grow() maps frames at once, and nothing faults
 * there later. The pages are closed again (mprotect keeps them resident), so heap_grow() still
 * opens them one by one and a design that touches memory it never grew still faults. glibc gets
 * the same: a top chunk it keeps (no trimming) and has touched.
 */
static void prefault(int glibc)
{
	if (glibc) {
		void *p;

		mallopt(M_MMAP_THRESHOLD, 32 << 20);
		mallopt(M_TRIM_THRESHOLD, 256 << 20);
		p = malloc(BENCH_ARENA + (4u << 20));
		if (p)
			memset(p, 0, BENCH_ARENA + (4u << 20));
		free(p);
		return;
	}
	if (mprotect((void *)host_heap_base, BENCH_ARENA, PROT_READ | PROT_WRITE) != 0)
		return;
	for (uintptr_t a = 0; a < BENCH_ARENA; a += PAGE_SIZE)
		*(volatile uint8_t *)(host_heap_base + a) = 0;
	mprotect((void *)host_heap_base, BENCH_ARENA, PROT_NONE);
}

int bench_run(unsigned d, enum bench_phase ph, const struct bench_script *s,
	      struct bench_result *out, uint16_t *map, const struct bench_lat *lat)
{
	int glibc = d >= host_ndesigns;
	jmp_buf here;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!glibc) {
		if (host_heap_init(BENCH_ARENA) != 0 || front_select(host_designs[d].name) != 0) {
			snprintf(out->why, sizeof(out->why), "cannot reserve the heap region");
			return -1;
		}
		/* A panic (a stub's "not implemented", a broken check) ends the phase, not the run. */
		shim_panic_recover = &here;
		if (setjmp(here) != 0) {
			snprintf(out->why, sizeof(out->why), "panic: %s", shim_panic_message);
			return -1;
		}
	}
	prefault(glibc);
	rc = ph == PH_PAIRS ? run_pairs(glibc, out) : run_fill(glibc, ph, s, out, map, lat);
	shim_panic_recover = NULL;
	out->ok = rc == 0;
	return rc;
}
