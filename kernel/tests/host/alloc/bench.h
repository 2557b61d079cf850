/*
 * bench.h: what the benchmark's two halves share. bench.c is the driver: it pins itself to one
 * CPU, runs one child (itself, exec'd) per (design, phase, round) so that every design starts
 * from a fresh process and a fresh heap, and turns the children's results into the table, the
 * CSV and the data files bench_plot.py draws. bench_run.c is what runs inside a child: the timed
 * loops and the fill workload. A child writes its struct bench_result into memory shared with
 * the driver (a memfd both map), so nothing has to be serialised.
 */
#ifndef HOST_BENCH_H
#define HOST_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_ARENA    (16u << 20)                /* the heap limit of the fill workload */
#define BENCH_CELL     256                        /* bytes per cell of the heap map */
#define BENCH_NCELLS   (BENCH_ARENA / BENCH_CELL) /* 65536 cells */
#define BENCH_BUCKETS  20                         /* fill buckets of 5% for the latency plot */
#define BENCH_ROUNDS   7                          /* children per (design, phase) */
#define BENCH_RUNS     11                         /* timed runs per child and loop */
#define BENCH_PAIRS    10000                      /* alloc+free pairs per timed run */
#define BENCH_STEPS    (1u << 20)                 /* most steps a fill may take */
#define BENCH_FREE_PCT 45                         /* steps of the fill that free a block */

/* What a child measures: the pair loops, one fill timed as a whole, or one fill timed per alloc. */
enum bench_phase { PH_PAIRS, PH_FILL, PH_LAT, BENCH_PHASES };

/* The pair loops: 64-byte pairs, and mixed 16..256-byte pairs with a ring of live blocks. */
enum bench_loop { LOOP_64, LOOP_MIX, BENCH_LOOPS };

/* How a loop reaches the design: front_ops directly, the locked front end, or glibc. */
enum bench_mode { MODE_ALONE, MODE_LOCKED, MODE_GLIBC };

struct bench_result {
	int ok;        /* 1 when the child finished its phase */
	char why[600]; /* otherwise: the panic, the NULL or the signal that stopped it */
	/* PH_PAIRS: TSC ticks per pair, [loop][0 alone, 1 locked][run] */
	double pair[BENCH_LOOPS][2][BENCH_RUNS];
	/* PH_FILL and PH_LAT: the fill up to the first NULL (glibc: up to BENCH_ARENA requested) */
	uint64_t allocs, frees; /* calls made before the first NULL */
	uint64_t ticks;         /* PH_FILL: TSC ticks of the whole fill, frees included */
	double seconds;         /* PH_FILL: the same in CLOCK_MONOTONIC seconds */
	uint64_t usable;        /* bytes live at the first NULL, as usable_size says */
	uint64_t requested;     /* bytes live at the first NULL, as the callers asked */
	uint64_t mapped;        /* heap_mapped() at the first NULL */
	int cut_short;          /* the fill ran out of script or of live slots before it */
};

/* The fill's sizes and random draws, made once by the driver in the shared memfd. */
struct bench_script {
	uint32_t size[BENCH_STEPS];
	uint32_t draw[BENCH_STEPS];
};

/* Where PH_LAT puts its samples (memory shared with the driver, BENCH_STEPS entries each): the
 * ticks of each successful alloc, the timer's cost taken off, and the fill bucket it ran in. */
struct bench_lat {
	uint32_t *ticks;
	uint8_t *bucket;
};

/* The designs of front.h and, after them, glibc (index host_ndesigns). */
#define BENCH_GLIBC_NAME "glibc"

/* Fill script s with the deterministic mixed-size workload (same seed every run). */
void bench_script_make(struct bench_script *s);

/* The TSC ticks of an empty timed region: the floor bench_run.c takes off each alloc's time. */
uint64_t bench_timer_cost(void);

/* In a child: run phase ph for design d (an index of host_designs[], or host_ndesigns for
 * glibc) on a fresh heap and fill *out. PH_LAT also fills lat, and map (BENCH_NCELLS entries,
 * when not NULL) with the heap map at the first NULL: the live bytes, by usable size, in each
 * cell. Returns 0, or -1 with out->why saying what went wrong. */
int bench_run(unsigned d, enum bench_phase ph, const struct bench_script *s,
	      struct bench_result *out, uint16_t *map, const struct bench_lat *lat);

/* The TSC, fenced so that the timed code neither starts before nor ends after the reading
 * (lfence waits for earlier instructions; on AMD Linux makes it dispatch-serialising). */
static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

#endif /* HOST_BENCH_H */
