# Lab 8's host harness: the allocator designs (alloc.h) compiled for this machine, in two
# flavours that share one set of sources.
#   asan   gcc -O1, AddressSanitizer + UBSan, debug checks on: test_alloc (unit tests, make
#          host-test runs it for every design)
#   fuzz   clang -fsanitize=fuzzer,address,undefined: fuzz_<design>, one libFuzzer target each
#   fast   gcc -O2 -fPIC, HEAP_FAST=1 (no poisoning), no sanitizers: what bench.mk times and
#          preload.mk's LD_PRELOAD shims are built from
# Targets: host-test-alloc, fuzz (FUZZ_RUNS=N runs per design, default $(FUZZ_RUNS)), fuzz-long
# (FUZZ_SECONDS per design). SOL picks the design files the way the Makefile's src_of does
# (lab 7 for the list, lab 8 for the others).
#
# Included by host.mk; uses its HOST_DIR, HOST_OUT, HOST_Q, HOSTCC and HOST_SANITIZE.

ALLOC_DIR := $(HOST_DIR)/alloc
ALLOC_OUT = $(HOST_OUT)/alloc
ALLOC_DESIGNS := bump list fixed buddy slab
ALLOC_CLANG ?= clang
FUZZ_RUNS ?= 800
FUZZ_SECONDS ?= 60
PYTHON ?= /usr/bin/python3

# The design files of SOL's choice (standalone, without the Makefile's src_of: the given ones).
ifdef LABS_ON
alloc_src = $(call src_of,$(1),$(2))
else
alloc_src = $(1)
endif
ALLOC_SRC_bump := $(call alloc_src,kernel/mm/alloc_bump.c,8)
ALLOC_SRC_list := $(call alloc_src,kernel/mm/heap_firstfit.c,7)
ALLOC_SRC_fixed := $(call alloc_src,kernel/mm/alloc_fixed.c,8)
ALLOC_SRC_buddy := $(call alloc_src,kernel/mm/alloc_buddy.c,8)
ALLOC_SRC_slab := $(call alloc_src,kernel/mm/alloc_slab.c,8)
ALLOC_SRC_pages := kernel/mm/heap_pages.c
ALLOC_UNITS := bump list fixed buddy slab pages
# The harness's own files, linked into every program of a flavour.
ALLOC_LIB := host_heap front check panic_shim

# Kernel sources see the host's config.h and layout.h first (shim/config.h says why), the
# kernel's headers through -iquote, and are compiled as the kernel compiles them.
ALLOC_INC := -include $(ALLOC_DIR)/shim/config.h -iquote $(ALLOC_DIR) -iquote $(HOST_DIR) \
	-iquote $(HOST_DIR)/shim -iquote kernel/mm -iquote kernel/core -iquote kernel/lib
ALLOC_WARN := -Wall -Wextra -Werror -Wundef -Wno-unused-parameter
ALLOC_KERNEL := -ffreestanding -fno-builtin
ALLOC_CFLAGS_asan := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(HOST_SANITIZE) $(ALLOC_WARN) \
	-MMD -MP
ALLOC_CFLAGS_fuzz := -std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link \
	-fsanitize=address,undefined -fno-sanitize-recover=all $(ALLOC_WARN) -MMD -MP
ALLOC_CFLAGS_fast := -std=gnu11 -g -O2 -fPIC -DHEAP_FAST=1 $(ALLOC_WARN) -MMD -MP
ALLOC_CC_asan := $(HOSTCC)
ALLOC_CC_fuzz := $(ALLOC_CLANG)
ALLOC_CC_fast := $(HOSTCC)

.PHONY: host-test-alloc fuzz fuzz-long alloc-check-clang

# make host-test runs the allocator tests too (lab 8 on, or standalone).
ifeq ($(if $(LABS_ON),$(filter 8,$(LABS_ON)),8),8)
host-test: host-test-alloc
endif

host-test-alloc: host-check-tools $(ALLOC_OUT)/test_alloc
	@status=0; $(foreach d,$(ALLOC_DESIGNS), \
		echo "== host test: allocator $(d) from $(ALLOC_SRC_$(d))"; \
		$(ALLOC_OUT)/test_alloc $(d) || status=1;) exit $$status

# Which source each design came from, so a new solution (or SOL switched) rebuilds it.
$(ALLOC_OUT)/srcs.txt: host-always
	@mkdir -p $(@D)
	@echo '$(foreach u,$(ALLOC_UNITS),$(ALLOC_SRC_$(u)))' | cmp -s - $@ || \
		echo '$(foreach u,$(ALLOC_UNITS),$(ALLOC_SRC_$(u)))' > $@

# One object rule per (flavour, unit): the design sources, then the harness's files.
define alloc_unit_rule
$(ALLOC_OUT)/$(1)/$(2).o: $(ALLOC_SRC_$(2)) $(ALLOC_OUT)/srcs.txt
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$< ($(1))"
	$(HOST_Q)$(ALLOC_CC_$(1)) $(ALLOC_CFLAGS_$(1)) $(ALLOC_KERNEL) $(ALLOC_INC) -c -o $$@ $$<
endef
define alloc_lib_rule
$(ALLOC_OUT)/$(1)/%.o: $(ALLOC_DIR)/%.c
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$< ($(1))"
	$(HOST_Q)$(ALLOC_CC_$(1)) $(ALLOC_CFLAGS_$(1)) $$(ALLOC_DEFS) $(ALLOC_INC) -c -o $$@ $$<
$(ALLOC_OUT)/$(1)/panic_shim.o: $(HOST_DIR)/shim/panic_shim.c
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$< ($(1))"
	$(HOST_Q)$(ALLOC_CC_$(1)) $(ALLOC_CFLAGS_$(1)) -iquote kernel/core -c -o $$@ $$<
endef
ALLOC_FLAVOURS := asan fuzz fast
$(foreach f,$(ALLOC_FLAVOURS),$(foreach u,$(ALLOC_UNITS),$(eval $(call alloc_unit_rule,$(f),$(u)))))
$(foreach f,$(ALLOC_FLAVOURS),$(eval $(call alloc_lib_rule,$(f))))
alloc_objs = $(foreach u,$(ALLOC_UNITS) $(ALLOC_LIB),$(ALLOC_OUT)/$(1)/$(u).o)

$(ALLOC_OUT)/test_alloc: $(ALLOC_OUT)/asan/test_alloc.o $(call alloc_objs,asan)
	@echo "  HOSTLD  $@"
	$(HOST_Q)$(HOSTCC) $(ALLOC_CFLAGS_asan) -o $@ $^

# ---- fuzzing ------------------------------------------------------------------------------
alloc-check-clang:
	@echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
	$(ALLOC_CLANG) -fsanitize=fuzzer,address,undefined -x c - -o /dev/null 2>/dev/null || { \
		echo "*** fuzzing needs clang with libFuzzer: sudo apt-get install clang"; exit 1; }

$(ALLOC_OUT)/fuzz/fuzz_%.o: $(ALLOC_DIR)/fuzz_alloc.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $< ($*)"
	$(HOST_Q)$(ALLOC_CLANG) $(ALLOC_CFLAGS_fuzz) -DFUZZ_DESIGN='"$*"' $(ALLOC_INC) -c -o $@ $<

$(ALLOC_OUT)/fuzz_%: $(ALLOC_OUT)/fuzz/fuzz_%.o $(call alloc_objs,fuzz)
	@echo "  HOSTLD  $@"
	$(HOST_Q)$(ALLOC_CLANG) -fsanitize=fuzzer,address,undefined -o $@ $^

ALLOC_FUZZERS := $(foreach d,$(ALLOC_DESIGNS),$(ALLOC_OUT)/fuzz_$(d))

# Each target replays its committed seeds, then runs FUZZ_RUNS new inputs (one job, no
# corpus written back to the tree: new finds go to $(ALLOC_OUT)/corpus/<design>).
fuzz: alloc-check-clang $(ALLOC_FUZZERS)
	@status=0; for d in $(ALLOC_DESIGNS); do \
		mkdir -p $(ALLOC_OUT)/corpus/$$d; \
		echo "== fuzz: $$d, $(FUZZ_RUNS) runs"; \
		$(ALLOC_OUT)/fuzz_$$d -runs=$(FUZZ_RUNS) -seed=1 -max_len=4096 \
			-artifact_prefix=$(ALLOC_OUT)/crash-$$d- \
			$(ALLOC_OUT)/corpus/$$d $(ALLOC_DIR)/seeds/$$d \
			> $(ALLOC_OUT)/fuzz-$$d.log 2>&1 \
			&& tail -n 1 $(ALLOC_OUT)/fuzz-$$d.log \
			|| { status=1; tail -n 40 $(ALLOC_OUT)/fuzz-$$d.log; }; \
	done; exit $$status

fuzz-long: alloc-check-clang $(ALLOC_FUZZERS)
	@for d in $(ALLOC_DESIGNS); do mkdir -p $(ALLOC_OUT)/corpus/$$d; \
		$(ALLOC_OUT)/fuzz_$$d -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			-artifact_prefix=$(ALLOC_OUT)/crash-$$d- \
			$(ALLOC_OUT)/corpus/$$d $(ALLOC_DIR)/seeds/$$d || exit 1; done

# make bench (the timing table, CSV and plots) and the LD_PRELOAD shims, each in its own file:
# bench.mk gives bench-micro, preload.mk gives bench-programs and preload-smoke.
.PHONY: bench
bench: bench-micro bench-programs
-include $(ALLOC_DIR)/bench.mk $(ALLOC_DIR)/preload.mk

-include $(wildcard $(ALLOC_OUT)/*/*.d)
