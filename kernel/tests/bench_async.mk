# make bench-async: lab 9's executor benchmark, measured in the kernel under QEMU TCG. It boots
# the lab 9 kernel with run=lab9.bench (kernel/tests/lab9_bench.c) through the grader's boot
# machinery (tools/bench_async.py: a time limit, so it never hangs), prints polls per second,
# the wake-to-poll latency and a minimal thread switch for comparison, in TSC ticks and
# microseconds, and writes $(BUILD)/bench/async.csv. From lab 9 on, make bench runs it too.
# A few seconds. Try: make bench-async LAB=9 SOL=1
#
# Included by the top-level Makefile after host.mk; uses its BUILD, KERNEL, LABS_ON and PYTHON.

.PHONY: bench-async

ifneq ($(filter 9,$(LABS_ON)),)
bench: bench-async

bench-async: $(KERNEL)
	@$(PYTHON) tools/bench_async.py $(BUILD) $(BUILD)/bench/async.csv
else
bench-async:
	@echo "*** make bench-async measures lab 9's executor: it needs LAB=9 or later" \
		"(LAB=$(LAB) has no tasks)."
	@echo "*** Try: make bench-async LAB=9 SOL=1"
	@exit 1
endif
