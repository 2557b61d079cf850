# make bench-programs and make preload-smoke: lab 8's designs under real programs. preload.c is
# an LD_PRELOAD shim that replaces the C library's malloc with one design; it is built once per
# design, $(ALLOC_OUT)/libkalloc-<design>.so, from alloc.mk's fast objects (gcc -O2, HEAP_FAST=1).
#   bench-programs  preload_run.py runs python3 (programs/workload.py), gcc -c -O2 of kernel
#                   sources and sqlite3 (programs/workload.sql) under glibc and under every
#                   shim, checks each output against glibc's, times the median of PRELOAD_RUNS
#                   runs, prints the table and writes $(ALLOC_OUT)/bench/programs.csv. Fails if
#                   a design other than bump gives different output or crashes (bump may run out
#                   of memory: it reclaims only when everything is free). About a minute.
#   preload-smoke   tiny runs of the same three programs plus preload_test (the C semantics:
#                   malloc(0), realloc's edges, calloc overflow, alignment, threads, fork) under
#                   every shim. A few seconds; make check runs it.
#
# Included by alloc.mk; uses its ALLOC_DIR, ALLOC_OUT, ALLOC_DESIGNS, ALLOC_CFLAGS_fast,
# ALLOC_INC, alloc_objs, HOSTCC, HOST_Q and PYTHON.

PRELOAD_RUNS ?= 3
PRELOAD_SOS = $(foreach d,$(ALLOC_DESIGNS),$(ALLOC_OUT)/libkalloc-$(d).so)
PRELOAD_ARGS = --out $(ALLOC_OUT) --designs '$(ALLOC_DESIGNS)' --programs $(ALLOC_DIR)/programs

.PHONY: bench-programs preload-smoke preload-check

# From lab 8 on only (standalone, through host.mk, always); sqlite3 is one of the programs.
preload-check:
ifneq ($(if $(LABS_ON),$(filter 8,$(LABS_ON)),8),8)
	@echo "*** make bench-programs and preload-smoke run lab 8's allocators: they need LAB=8" \
		"or later (LAB=$(LAB) has no allocator designs)."
	@echo "*** Try: make bench-programs LAB=8 SOL=1"
	@exit 1
endif
	@command -v sqlite3 >/dev/null 2>&1 || { \
		echo "make bench needs sqlite3: apt-get install sqlite3"; exit 1; }

# Kept after the link, so a second make rebuilds nothing.
.SECONDARY: $(foreach d,$(ALLOC_DESIGNS),$(ALLOC_OUT)/fast/preload-$(d).o)
$(ALLOC_OUT)/fast/preload-%.o: $(ALLOC_DIR)/preload.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $< ($*)"
	$(HOST_Q)$(HOSTCC) $(ALLOC_CFLAGS_fast) -DPRELOAD_DESIGN='"$*"' $(ALLOC_INC) -c -o $@ $<

# -z now resolves every symbol at load time, so no lazy binding runs inside a locked call.
$(ALLOC_OUT)/libkalloc-%.so: $(ALLOC_OUT)/fast/preload-%.o $(call alloc_objs,fast)
	@echo "  HOSTLD  $@"
	$(HOST_Q)$(HOSTCC) -shared -pthread -Wl,-z,now -o $@ $^

# -Wno-use-after-free: the test keeps using a block after a realloc that failed, as C allows.
$(ALLOC_OUT)/preload_test: $(ALLOC_DIR)/preload_test.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(HOST_Q)$(HOSTCC) -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-use-after-free -pthread -o $@ $<

bench-programs: preload-check $(PRELOAD_SOS)
	$(PYTHON) $(ALLOC_DIR)/preload_run.py bench $(PRELOAD_ARGS) --runs $(PRELOAD_RUNS)

preload-smoke: preload-check $(PRELOAD_SOS) $(ALLOC_OUT)/preload_test
	$(PYTHON) $(ALLOC_DIR)/preload_run.py smoke $(PRELOAD_ARGS)
