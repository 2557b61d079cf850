# make bench-micro: lab 8's allocator benchmark (bench.c, bench_run.c), built from alloc.mk's
# fast objects (gcc -O2, HEAP_FAST=1: no poisoning, no sanitizers) and run on every design and
# glibc. It prints the table and writes, under $(ALLOC_OUT)/bench/: bench.csv, latency.csv and
# heapmap.dat, then bench_plot.py draws latency.png and heapmap.png (python3-matplotlib).
# BENCH_CPU=N pins the run to CPU N (default: the highest-numbered CPU allowed). About 10 to 20 seconds.
#
# Included by alloc.mk; uses its ALLOC_DIR, ALLOC_OUT, ALLOC_CFLAGS_fast, alloc_objs and PYTHON.

BENCH_OUT = $(ALLOC_OUT)/bench
BENCH_OBJS = $(ALLOC_OUT)/fast/bench.o $(ALLOC_OUT)/fast/bench_run.o $(call alloc_objs,fast)

.PHONY: bench-micro bench-check-lab bench-check-plot

# From lab 8 on only (standalone, through host.mk, always).
bench-check-lab:
ifneq ($(if $(LABS_ON),$(filter 8,$(LABS_ON)),8),8)
	@echo "*** make bench-micro measures lab 8's allocators: it needs LAB=8 or later" \
		"(LAB=$(LAB) has no allocator designs)."
	@echo "*** Try: make bench-micro LAB=8 SOL=1"
	@exit 1
endif

# Checked before the minute of measuring, not after it. On a machine that can install packages
# (root, or sudo without a password) the doctor installs matplotlib first.
bench-check-plot:
	@$(PYTHON) -c 'import matplotlib' >/dev/null 2>&1 || \
		bash tools/doctor.sh --bench --install-if-missing >/dev/null 2>&1 || true
	@$(PYTHON) -c 'import matplotlib' >/dev/null 2>&1 || { \
		echo "make bench needs python3-matplotlib: apt-get install python3-matplotlib"; \
		exit 1; }

# sched_setaffinity() is a GNU extension; config.h is included before bench.c's first line, so
# _GNU_SOURCE has to come from the command line.
$(ALLOC_OUT)/fast/bench.o: ALLOC_DEFS += -D_GNU_SOURCE

# -z now binds every library call at start, so no timed call pays for the dynamic linker.
$(BENCH_OUT)/bench: $(BENCH_OBJS)
	@mkdir -p $(@D)
	@echo "  HOSTLD  $@"
	$(HOST_Q)$(HOSTCC) $(ALLOC_CFLAGS_fast) -pthread -Wl,-z,now -o $@ $^ -lm

# The plots are drawn even when a design failed (the others' curves still help); the failure
# is reported afterwards through make's status.
bench-micro: bench-check-lab bench-check-plot $(BENCH_OUT)/bench
	@rm -f $(addprefix $(BENCH_OUT)/,bench.csv latency.csv heapmap.dat latency.png heapmap.png)
	@status=0; $(BENCH_OUT)/bench $(BENCH_OUT) || status=$$?; \
	if [ -s $(BENCH_OUT)/latency.csv ]; then \
		$(PYTHON) $(ALLOC_DIR)/bench_plot.py $(BENCH_OUT) || exit 1; fi; \
	exit $$status
