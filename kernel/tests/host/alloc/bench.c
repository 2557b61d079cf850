/*
 * bench.c: lab 8's allocator benchmark, `bench OUTDIR [design...]` (make bench-micro runs it).
 * It measures, for each design of front.h and for glibc's malloc as a reference:
 *   - TSC ticks per alloc+free pair of small objects (64 bytes; mixed 16..256 bytes), the design
 *     alone (front_ops, no lock) and through the locked front end (front_alloc, as callers pay);
 *   - the throughput of a fill: a deterministic mixed-size workload with interleaved frees on a
 *     16 MiB heap, allocs per second up to the first NULL;
 *   - the heap's efficiency at that first NULL: the live blocks' usable bytes, and the bytes their
 *     callers asked for, as percentages of the arena;
 *   - the latency of one alloc during the same fill: its 99.9th percentile and its maximum, and
 *     the median per 5% of fill for latency.png.
 * How: the driver pins itself to one CPU (sched_setaffinity; BENCH_CPU picks which) and runs a
 * child (itself, exec'd) for every (round, phase, design), so that each design starts on a fresh
 * heap in a fresh process (the designs keep static state and have no reset) at a fresh random
 * address layout. Rounds are interleaved across the
 * designs, so a burst of load from other programs spreads over all of them rather than landing on
 * one. The pair figures are medians of ROUNDS x RUNS timed runs, the fill's throughput a median
 * of the rounds. The fill makes the same calls in every round, so each alloc's latency is the
 * least of its rounds' times: a preemption hits a call in one round, a slow path of the design
 * in all of them. The loops themselves are in bench_run.c. Results go to stdout as a table, and
 * to OUTDIR: bench.csv (the table), latency.csv (median ticks per fill bucket) and heapmap.dat
 * (the arena at the first NULL, the requested bytes of each 256-byte cell), which bench_plot.py draws.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "front.h"

#define CHILD_SECONDS 60 /* a child still running after this is stopped (a stuck design) */
#define MAX_DESIGNS   8

struct shared {
	struct bench_result res[MAX_DESIGNS][BENCH_PHASES][BENCH_ROUNDS];
	uint16_t map[MAX_DESIGNS][BENCH_NCELLS];
};

/* Everything the driver and its children share lives in one memfd, mapped by each (a child is
 * exec'd, so it maps the file again): the results, the fill's script and the latency samples,
 * BENCH_STEPS calls' worth per (row, round), of which only the pages written take memory. */
#define LAT_PER_ROUND (BENCH_STEPS * (sizeof(uint32_t) + 1))
#define REGION_SIZE                                            \
	(sizeof(struct shared) + sizeof(struct bench_script) + \
	 (size_t)MAX_DESIGNS * BENCH_ROUNDS * LAT_PER_ROUND)

static struct shared *sh;
static struct bench_script *script;
static struct bench_lat lat[MAX_DESIGNS][BENCH_ROUNDS];
static int region_fd = -1;
static unsigned nrow;                    /* designs measured, glibc included */
static unsigned row_design[MAX_DESIGNS]; /* bench_run()'s index of each row */

static const char *row_name(unsigned r)
{
	return row_design[r] < host_ndesigns ? host_designs[row_design[r]].name : BENCH_GLIBC_NAME;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of n values (sorted in place); NAN-free callers only. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Pin to one CPU: BENCH_CPU if set, else the highest-numbered CPU this process may use (the
 * lowest ones take most of the machine's interrupts). Returns the CPU, or -1 when not pinned. */
static int pin_cpu(void)
{
	const char *env = getenv("BENCH_CPU");
	cpu_set_t set;
	int cpu = -1;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return -1;
	if (env) {
		cpu = atoi(env);
	} else {
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpu = c;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0 ? cpu : -1;
}

/* TSC ticks per microsecond, against CLOCK_MONOTONIC over 50 ms. */
static double tsc_mhz(void)
{
	struct timespec a, b;
	uint64_t t0, t1;
	double us;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = bench_tsc();
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 50000000L);
	t1 = bench_tsc();
	us = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
	return (double)(t1 - t0) / us;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* The TSC's resolution as this CPU reads it: the greatest common divisor of many short
 * intervals (some CPUs, AMD's among them, advance it in steps of several ticks). */
static unsigned tsc_step(void)
{
	uint64_t g = 0;

	for (int i = 0; i < 2000; i++) {
		uint64_t t0 = bench_tsc(), t1 = bench_tsc();

		g = gcd(g, t1 - t0);
	}
	return g ? (unsigned)g : 1;
}

/* Map the shared region of file fd and point sh, script and lat into it. Returns 0 or -1. */
static int region_map(int fd)
{
	uint8_t *m = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), *samples;

	if (m == MAP_FAILED)
		return -1;
	sh = (struct shared *)m;
	script = (struct bench_script *)(sh + 1);
	samples = (uint8_t *)(script + 1);
	for (unsigned r = 0; r < MAX_DESIGNS; r++) {
		for (unsigned k = 0; k < BENCH_ROUNDS; k++) {
			uint8_t *base = samples + (r * BENCH_ROUNDS + k) * LAT_PER_ROUND;

			lat[r][k].ticks = (uint32_t *)base;
			lat[r][k].bucket = base + BENCH_STEPS * sizeof(uint32_t);
		}
	}
	return 0;
}

/* `bench --child FD ROW DESIGN PHASE ROUND`: one phase of one design, in a process of its own. */
static int child_main(char **argv)
{
	unsigned r = (unsigned)atoi(argv[3]), d = (unsigned)atoi(argv[4]);
	unsigned ph = (unsigned)atoi(argv[5]), k = (unsigned)atoi(argv[6]);

	if (r >= MAX_DESIGNS || d > host_ndesigns || ph >= BENCH_PHASES || k >= BENCH_ROUNDS ||
	    region_map(atoi(argv[2])) != 0)
		return 2;
	bench_run(d, ph, script, &sh->res[r][ph][k], ph == PH_LAT && k == 0 ? sh->map[r] : NULL,
		  &lat[r][k]);
	return 0;
}

/*
 * Run one phase of row r in a child; its result lands in sh->res (ok = 0 when it died). The
 * child is this program exec'd again, not merely forked: each gets its own random address
 * layout (ASLR), and since where the stack, the code and the heap region fall can move a loop by
 * a few ticks (a store and a load 4 KiB apart stall each other, branches alias), the median over
 * rounds then covers several layouts instead of repeating one.
 */
static void run_child(const char *self, unsigned r, enum bench_phase ph, unsigned round)
{
	struct bench_result *out = &sh->res[r][ph][round];
	char arg[5][16];
	int status;
	pid_t pid;

	snprintf(arg[0], sizeof(arg[0]), "%d", region_fd);
	snprintf(arg[1], sizeof(arg[1]), "%u", r);
	snprintf(arg[2], sizeof(arg[2]), "%u", row_design[r]);
	snprintf(arg[3], sizeof(arg[3]), "%u", (unsigned)ph);
	snprintf(arg[4], sizeof(arg[4]), "%u", round);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(out->why, sizeof(out->why), "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		alarm(CHILD_SECONDS); /* kept across execve */
		execl(self, self, "--child", arg[0], arg[1], arg[2], arg[3], arg[4], (char *)NULL);
		snprintf(out->why, sizeof(out->why), "exec %.200s: %s", self, strerror(errno));
		_exit(1);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		out->ok = 0;
		snprintf(out->why, sizeof(out->why), "killed by signal %d (%s)", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? "still running after the time limit" :
						       strsignal(WTERMSIG(status)));
	} else if (!out->ok && !out->why[0]) {
		snprintf(out->why, sizeof(out->why), "the child exited with status %d",
			 WEXITSTATUS(status));
	}
}

/* ---- the figures ------------------------------------------------------------------------- */

struct row {
	int ok;                          /* every phase of every round finished */
	const char *why;                 /* else: the first failure */
	double pair[BENCH_LOOPS][2];     /* ticks per pair */
	double pair_min[BENCH_LOOPS][2]; /* the same, the fastest run (the least loaded machine) */
	double mallocs_per_s, ticks_per_alloc;
	double usable_pct, requested_pct;
	uint64_t allocs, frees, mapped;
	double p999, max;
	double bucket[BENCH_BUCKETS]; /* median ticks, or -1 for an empty bucket */
	uint32_t bucket_n[BENCH_BUCKETS];
	int consistent; /* every fill stopped at the same call */
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * The latency figures of row r. The fill makes the same calls in every round, so each call is
 * given the least of its rounds' times: a preemption or an interrupt lands on a given call in
 * one round, almost never in all of them, while a slow path of the design shows in every round.
 * From those: the 99.9th percentile, the maximum, and the median of each fill bucket.
 */
static void lat_summary(unsigned r, struct row *w)
{
	size_t n = sh->res[r][PH_LAT][0].allocs, start[BENCH_BUCKETS + 1] = { 0 },
	       pos[BENCH_BUCKETS];
	uint32_t *t = malloc((n + 1) * sizeof(*t)), *by = malloc((n + 1) * sizeof(*by));
	const uint8_t *bk = lat[r][0].bucket;

	if (!t || !by || !n)
		goto out_free;
	for (size_t i = 0; i < n; i++) {
		t[i] = lat[r][0].ticks[i];
		for (unsigned k = 1; k < BENCH_ROUNDS; k++)
			if (lat[r][k].ticks[i] < t[i])
				t[i] = lat[r][k].ticks[i];
	}
	/* Group the calls by bucket (a counting sort), then sort each group for its median. */
	for (size_t i = 0; i < n; i++)
		start[bk[i] + 1]++;
	for (unsigned b = 0; b < BENCH_BUCKETS; b++)
		start[b + 1] += start[b];
	memcpy(pos, start, sizeof(pos));
	for (size_t i = 0; i < n; i++)
		by[pos[bk[i]]++] = t[i];
	for (unsigned b = 0; b < BENCH_BUCKETS; b++) {
		size_t k = start[b + 1] - start[b];

		w->bucket_n[b] = (uint32_t)k;
		w->bucket[b] = -1;
		if (!k)
			continue;
		qsort(by + start[b], k, sizeof(*by), cmp_u32);
		w->bucket[b] = by[start[b] + k / 2];
	}
	qsort(t, n, sizeof(*t), cmp_u32);
	w->p999 = t[(size_t)((double)(n - 1) * 0.999)];
	w->max = t[n - 1];
out_free:
	free(t);
	free(by);
}

static void summarise(unsigned r, struct row *w)
{
	double v[BENCH_ROUNDS * BENCH_RUNS], a[BENCH_ROUNDS], b[BENCH_ROUNDS];
	const struct bench_result *f0 = &sh->res[r][PH_FILL][0];

	memset(w, 0, sizeof(*w));
	w->ok = 1;
	for (unsigned ph = 0; ph < BENCH_PHASES; ph++)
		for (unsigned k = 0; k < BENCH_ROUNDS; k++)
			if (w->ok && !sh->res[r][ph][k].ok) {
				w->ok = 0;
				w->why = sh->res[r][ph][k].why;
			}
	if (!w->ok)
		return;
	for (unsigned l = 0; l < BENCH_LOOPS; l++) {
		for (unsigned c = 0; c < 2; c++) {
			size_t n = 0;

			for (unsigned k = 0; k < BENCH_ROUNDS; k++)
				for (unsigned i = 0; i < BENCH_RUNS; i++)
					v[n++] = sh->res[r][PH_PAIRS][k].pair[l][c][i];
			w->pair[l][c] = median(v, n);
			w->pair_min[l][c] = v[0]; /* median() sorted v */
		}
	}
	w->consistent = 1;
	for (unsigned k = 0; k < BENCH_ROUNDS; k++) {
		const struct bench_result *f = &sh->res[r][PH_FILL][k];

		a[k] = (double)f->allocs / f->seconds;
		b[k] = (double)f->ticks / (double)f->allocs;
		for (unsigned ph = PH_FILL; ph <= PH_LAT; ph++) {
			const struct bench_result *g = &sh->res[r][ph][k];

			if (g->allocs != f0->allocs || g->frees != f0->frees ||
			    g->usable != f0->usable)
				w->consistent = 0;
		}
	}
	w->mallocs_per_s = median(a, BENCH_ROUNDS) / 1e6;
	w->ticks_per_alloc = median(b, BENCH_ROUNDS);
	w->allocs = f0->allocs;
	w->frees = f0->frees;
	w->mapped = f0->mapped;
	w->usable_pct = 100.0 * (double)f0->usable / BENCH_ARENA;
	w->requested_pct = 100.0 * (double)f0->requested / BENCH_ARENA;
	lat_summary(r, w);
}

/* The row of the design called name, or -1 (not measured, or failed). */
static int row_of(const struct row *w, const char *name)
{
	for (unsigned r = 0; r < nrow; r++)
		if (strcmp(row_name(r), name) == 0 && w[r].ok)
			return (int)r;
	return -1;
}

/* The targets for the best of fixed and slab: at most TARGET_PAIR ticks per small pair
 * (the design alone, as glibc's malloc/free is timed), and at least TARGET_EFF% of the arena
 * usable at the first NULL. Stated against this run's figures, whatever they are. */
#define TARGET_PAIR 25.0
#define TARGET_EFF  90.0
static void print_targets(const struct row *w)
{
	int f = row_of(w, "fixed"), s = row_of(w, "slab"), g = row_of(w, BENCH_GLIBC_NAME);
	int best = f < 0 ? s : s < 0 ? f : w[s].pair[LOOP_64][0] < w[f].pair[LOOP_64][0] ? s : f;
	int eff = -1;

	printf("\nTargets:\n");
	if (best >= 0)
		printf("  64 B pair, design alone <= %.0f ticks: %s %.1f (16-256 B: %.1f): %s",
		       TARGET_PAIR, row_name((unsigned)best), w[best].pair[LOOP_64][0],
		       w[best].pair[LOOP_MIX][0],
		       w[best].pair[LOOP_64][0] <= TARGET_PAIR ? "met" : "missed");
	else
		printf("  64 B pair: neither fixed nor slab ran");
	if (g >= 0)
		printf("; glibc %.1f in this run", w[g].pair[LOOP_64][0]);
	printf("\n");
	/* A shared machine runs the same loop at two speeds by turns (another guest on the core's
	 * other hyperthread, or its clock): the fastest run shows the quiet machine. */
	printf("  64 B pair alone, fastest of the %u runs:", BENCH_ROUNDS * BENCH_RUNS);
	for (unsigned r = 0, n = 0; r < nrow; r++)
		if (w[r].ok)
			printf("%s %s %.1f", n++ ? "," : "", row_name(r),
			       w[r].pair_min[LOOP_64][0]);
	printf("\n");
	if (f >= 0 || s >= 0)
		eff = f < 0 ? s : s < 0 ? f : w[s].usable_pct > w[f].usable_pct ? s : f;
	if (eff >= 0)
		printf("  efficiency at the first NULL >= %.0f%% usable: %s %.1f%% (requested "
		       "%.1f%%): %s\n",
		       TARGET_EFF, row_name((unsigned)eff), w[eff].usable_pct, w[eff].requested_pct,
		       w[eff].usable_pct >= TARGET_EFF ? "met" : "missed");
	printf("  usable / requested at the first NULL, every design:\n   ");
	for (unsigned r = 0, n = 0; r < nrow; r++)
		if (w[r].ok && row_design[r] < host_ndesigns)
			printf("%s %s %.1f%% / %.1f%%", n++ ? "," : "", row_name(r),
			       w[r].usable_pct, w[r].requested_pct);
	printf("\n");
}

/* The table's columns: five groups of two, each group under one title. */
#define NCOLS 10
static const char *const group_title[NCOLS / 2] = {
	"pair 64 B, ticks",    "pair 16-256 B, ticks", "fill, frees incl.",
	"first NULL, % arena", "one alloc, ticks",
};
static const char *const col_title[NCOLS] = {
	"alone",       "locked", "alone",     "locked", "Malloc/s",
	"ticks/alloc", "usable", "requested", "p99.9",  "max",
};
#define COL_W  10
#define NAME_W 10

/* One line of the table: a name and NCOLS cells, a bar between groups, and a note. */
static void table_line(const char *name, char cell[NCOLS][24], const char *note)
{
	printf("%-*s", NAME_W, name);
	for (unsigned c = 0; c < NCOLS; c++)
		printf("%s%*s", c % 2 ? " " : " |", COL_W, cell[c]);
	printf("%s\n", note);
}

static void print_table(const struct row *w, int cpu, double mhz, unsigned step)
{
	char cell[NCOLS][24];
	int fails = 0;

	printf("\nAllocator benchmark: CPU %d%s, TSC %.0f MHz (it reads in steps of %u ticks); "
	       "medians of %u rounds\n\n",
	       cpu, cpu < 0 ? " (not pinned)" : "", mhz, step, BENCH_ROUNDS);
	printf("%-*s", NAME_W, "");
	for (unsigned g = 0; g < NCOLS / 2; g++)
		printf(" |%*s", 2 * COL_W + 1, group_title[g]);
	printf("\n");
	for (unsigned c = 0; c < NCOLS; c++)
		snprintf(cell[c], sizeof(cell[c]), "%s", col_title[c]);
	table_line("design", cell, "");
	for (unsigned r = 0; r < nrow; r++) {
		int glibc = row_design[r] >= host_ndesigns;
		char name[16];

		snprintf(name, sizeof(name), "%s%s", row_name(r), glibc ? " (a)" : "");
		if (!w[r].ok) {
			for (unsigned c = 0; c < NCOLS; c++)
				snprintf(cell[c], sizeof(cell[c]), "-");
			table_line(name, cell, "  (c)");
			fails = 1;
			continue;
		}
		for (unsigned c = 0; c < 4; c++)
			snprintf(cell[c], sizeof(cell[c]), "%.1f", w[r].pair[c / 2][c % 2]);
		snprintf(cell[4], sizeof(cell[4]), "%.3g", w[r].mallocs_per_s);
		snprintf(cell[5], sizeof(cell[5]), "%.0f", w[r].ticks_per_alloc);
		if (glibc) {
			snprintf(cell[6], sizeof(cell[6]), "- (b)");
			snprintf(cell[7], sizeof(cell[7]), "- (b)");
		} else {
			snprintf(cell[6], sizeof(cell[6]), "%.1f%%", w[r].usable_pct);
			snprintf(cell[7], sizeof(cell[7]), "%.1f%%", w[r].requested_pct);
		}
		snprintf(cell[8], sizeof(cell[8]), "%.0f", w[r].p999);
		snprintf(cell[9], sizeof(cell[9]), "%.0f", w[r].max);
		table_line(name, cell, w[r].consistent ? "" : "  (d)");
	}
	printf("\nPairs: ticks per alloc+free pair, the median of %u timed runs of %u pairs; "
	       "16-256 B keeps 16 blocks\nlive. Alone: front_ops->alloc/free, no lock; locked: "
	       "front_alloc/front_free (a pthread mutex).\n"
	       "Fill: random sizes 16 B..16 KiB (most small), %d%% of steps free a random live "
	       "block, through the\nlocked front end on a %u MiB arena (pages pre-touched), "
	       "up to the first NULL.\n"
	       "One alloc: timed alone, less the timer's own %llu ticks; each call's least time "
	       "over the rounds\n(the fill repeats call for call); the failing call left out. "
	       "Multiples of the TSC step.\n",
	       BENCH_ROUNDS * BENCH_RUNS, BENCH_PAIRS, BENCH_FREE_PCT, BENCH_ARENA >> 20,
	       (unsigned long long)bench_timer_cost());
	printf("(a) glibc: malloc/free in both pair columns (it takes its own locks; its per-thread "
	       "cache takes none).\n"
	       "(b) glibc has no fixed arena (it grows with brk and mmap while the system has "
	       "memory), so it has\n    no first NULL to measure: its fill stops when %u MiB "
	       "are live.\n",
	       BENCH_ARENA >> 20);
	if (fails) {
		printf("(c) did not run to the end:\n");
		for (unsigned r = 0; r < nrow; r++)
			if (!w[r].ok)
				printf("    %s: %s\n", row_name(r), w[r].why);
	}
	for (unsigned r = 0; r < nrow; r++)
		if (w[r].ok && !w[r].consistent)
			printf("(d) %s: the fills of different rounds stopped at different calls\n",
			       row_name(r));
	print_targets(w);
}

/* ---- the files --------------------------------------------------------------------------- */

static FILE *open_out(const char *dir, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

static int write_files(const char *dir, const struct row *w, int cpu, double mhz)
{
	char path[4096];
	FILE *f;

	if (!(f = open_out(dir, "bench.csv", path, sizeof(path))))
		return -1;
	fprintf(f, "design,pair64_alone_ticks,pair64_locked_ticks,pair_mix_alone_ticks,"
		   "pair_mix_locked_ticks,fill_allocs,fill_frees,fill_mallocs_per_s,"
		   "fill_ticks_per_alloc,eff_usable_pct,eff_requested_pct,mapped_bytes,"
		   "alloc_p999_ticks,alloc_max_ticks,arena_bytes,tsc_mhz,cpu,pair64_alone_min,"
		   "pair64_locked_min,pair_mix_alone_min,pair_mix_locked_min\n");
	for (unsigned r = 0; r < nrow; r++) {
		int glibc = row_design[r] >= host_ndesigns;

		if (!w[r].ok) {
			fprintf(f, "%s,,,,,,,,,,,,,,%u,%.0f,%d,,,,\n", row_name(r), BENCH_ARENA,
				mhz, cpu);
			continue;
		}
		fprintf(f, "%s,%.2f,%.2f,%.2f,%.2f,%llu,%llu,%.4f,%.1f,", row_name(r),
			w[r].pair[0][0], w[r].pair[0][1], w[r].pair[1][0], w[r].pair[1][1],
			(unsigned long long)w[r].allocs, (unsigned long long)w[r].frees,
			w[r].mallocs_per_s, w[r].ticks_per_alloc);
		if (glibc)
			fprintf(f, ",,,");
		else
			fprintf(f, "%.2f,%.2f,%llu,", w[r].usable_pct, w[r].requested_pct,
				(unsigned long long)w[r].mapped);
		fprintf(f, "%.0f,%.0f,%u,%.0f,%d,%.2f,%.2f,%.2f,%.2f\n", w[r].p999, w[r].max,
			BENCH_ARENA, mhz, cpu, w[r].pair_min[0][0], w[r].pair_min[0][1],
			w[r].pair_min[1][0], w[r].pair_min[1][1]);
	}
	fclose(f);
	printf("\nwrote %s (latency.csv and heapmap.dat beside it)\n", path);

	if (!(f = open_out(dir, "latency.csv", path, sizeof(path))))
		return -1;
	fprintf(f, "design,bucket,fill_lo_pct,fill_hi_pct,allocs,median_ticks\n");
	for (unsigned r = 0; r < nrow; r++)
		for (unsigned i = 0; w[r].ok && i < BENCH_BUCKETS; i++)
			if (w[r].bucket[i] >= 0)
				fprintf(f, "%s,%u,%u,%u,%u,%.0f\n", row_name(r), i,
					100 * i / BENCH_BUCKETS, 100 * (i + 1) / BENCH_BUCKETS,
					w[r].bucket_n[i], w[r].bucket[i]);
	fclose(f);

	/* One line per design: name, mapped bytes, usable %, requested %, then each cell's
	 * requested bytes. */
	if (!(f = open_out(dir, "heapmap.dat", path, sizeof(path))))
		return -1;
	fprintf(f, "# bench heap map: cell_bytes %u cells %u arena %u\n", BENCH_CELL, BENCH_NCELLS,
		BENCH_ARENA);
	for (unsigned r = 0; r < nrow; r++) {
		if (row_design[r] >= host_ndesigns || !w[r].ok)
			continue;
		fprintf(f, "%s %llu %.2f %.2f", row_name(r), (unsigned long long)w[r].mapped,
			w[r].usable_pct, w[r].requested_pct);
		for (unsigned c = 0; c < BENCH_NCELLS; c++)
			fprintf(f, " %u", sh->map[r][c]);
		fputc('\n', f);
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct row w[MAX_DESIGNS];
	char self[4096];
	ssize_t len;
	struct timespec t0, t1;
	double mhz;
	int cpu;

	if (argc == 7 && strcmp(argv[1], "--child") == 0)
		return child_main(argv);
	if (argc < 2) {
		fprintf(stderr, "usage: bench OUTDIR [design...]   (designs: every one of front.h, "
				"and glibc)\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const struct host_design *d = host_design_find(argv[i]);

		if (!d && strcmp(argv[i], BENCH_GLIBC_NAME) != 0) {
			fprintf(stderr, "bench: %s is not a design\n", argv[i]);
			return 2;
		}
		row_design[nrow++] = d ? (unsigned)(d - host_designs) : host_ndesigns;
	}
	if (argc == 2)
		for (nrow = 0; nrow <= host_ndesigns && nrow < MAX_DESIGNS; nrow++)
			row_design[nrow] = nrow;
	if (mkdir(argv[1], 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "bench: cannot create %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* The children run this very file, whatever the current directory. */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	region_fd = memfd_create("bench", 0); /* no MFD_CLOEXEC: the children inherit it */
	if (len <= 0 || region_fd < 0 || ftruncate(region_fd, (off_t)REGION_SIZE) != 0 ||
	    region_map(region_fd) != 0) {
		perror("bench: memory shared with the children");
		return 1;
	}
	self[len] = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cpu = pin_cpu();
	mhz = tsc_mhz();
	bench_script_make(script);
	for (unsigned k = 0; k < BENCH_ROUNDS; k++) {
		fprintf(stderr, "bench: round %u of %u:", k + 1, BENCH_ROUNDS);
		for (unsigned ph = 0; ph < BENCH_PHASES; ph++) {
			fprintf(stderr, " %s", (const char *[]){ "pairs", "fill", "latency" }[ph]);
			for (unsigned r = 0; r < nrow; r++)
				run_child(self, r, ph, k);
		}
		fprintf(stderr, "\n");
	}
	for (unsigned r = 0; r < nrow; r++)
		summarise(r, &w[r]);
	print_table(w, cpu, mhz, tsc_step());
	if (write_files(argv[1], w, cpu, mhz) != 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("bench took %.1f s\n",
	       (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
	for (unsigned r = 0; r < nrow; r++)
		if (!w[r].ok)
			return 1;
	return 0;
}
