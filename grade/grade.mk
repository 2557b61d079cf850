# grade/grade.mk: the grading targets, included by the top-level Makefile.
#
# Each target builds the kernel variant it grades (make iso LAB=.. SOL=..), asks the Makefile for
# that variant's build directory, and runs pytest on grade/test_lab*.py with options naming the
# build, the labs to grade and the filters. The grader itself is plain Python 3 with Debian's
# pytest; with pytest-xdist installed the tests run in parallel. grade/README.md explains the
# output and the options.
#
#   make grade                 grade labs 1..LAB (the current lab)        LAB=N stops at lab N
#   make grade-lab-N           grade lab N alone (kernel built with LAB=N)
#   make grade T=memmove       only tests whose stable id contains memmove (a glob: T='lab1.mem*')
#   make grade SOL=1           grade the reference solutions; SOL=prev: solutions for labs < LAB
#   make grade STRICT=1        refuse to grade when given files differ from labs/pristine.sums
#   make grade TIMEOUT_SCALE=3 give every boot three times as long (slow machines)
#   make grade GRADE_JOBS=1    no parallel workers (default: auto when pytest-xdist is installed)
#   make grade-trust           every trust check below, for every lab (part of make check)
#   make grade-trust-sol       reference solutions score 100% on every lab up to LAB
#   make grade-trust-lab       LAB=N SOL=prev: lab N's point-bearing tests fail, labs < N pass
#   make grade-trust-pristine  the pristine check warns, and STRICT=1 refuses
#   make grade-selftest        the grader's own tests, with deliberately broken kernels
#
# Results go to <build dir>/grade/ (results.json, junit.xml, boots/<boot>/ logs), or GRADE_RESULTS.

GRADE_PYTHON := /usr/bin/python3
GRADE_JOBS ?= auto
TIMEOUT_SCALE ?= 1
STRICT ?= 0
T ?=
GRADE_RESULTS ?=
GRADE_PRISTINE ?=

GRADE_HAVE_XDIST := $(shell $(GRADE_PYTHON) -c 'import xdist' 2>/dev/null && echo 1)
ifeq ($(GRADE_HAVE_XDIST)$(filter-out 0 1,$(GRADE_JOBS)),1$(GRADE_JOBS))
GRADE_PARALLEL := -n $(GRADE_JOBS) --dist loadgroup
endif

# The environment every grader run sees: no .pyc files in the tree, the timeout scale, QEMUEXTRA.
GRADE_ENV = PYTHONDONTWRITEBYTECODE=1 GRADE_TIMEOUT_SCALE='$(TIMEOUT_SCALE)' \
	GRADE_PRISTINE='$(GRADE_PRISTINE)' GRADE_MAKE='$(MAKE)'
GRADE_PYTEST = $(GRADE_ENV) $(GRADE_PYTHON) -m pytest -c grade/pytest.ini -q -rN --tb=no

# $(call grade_run,LAB,SOL,more pytest options): build the variant, then grade it. pytest's exit
# status passes through: 0 only with full marks; 5 (nothing selected) is named, never hidden.
define grade_run
	@$(MAKE) -s --no-print-directory iso LAB=$(1) SOL=$(2)
	@dir=$$($(MAKE) -s --no-print-directory print-build-dir LAB=$(1) SOL=$(2)) || exit 1; \
	$(GRADE_PYTEST) $(GRADE_PARALLEL) $(sort $(wildcard grade/test_lab*.py)) \
	  --build-dir="$$dir" --lab=$(1) --sol=$(2) $(if $(T),--tests='$(T)') \
	  $(if $(filter 1,$(STRICT)),--strict-pristine) \
	  $(if $(GRADE_RESULTS),--results-dir='$(GRADE_RESULTS)') $(3); \
	st=$$?; \
	if [ $$st -eq 5 ]; then echo "grade: no test was selected (pytest exit status 5)" >&2; fi; \
	exit $$st
endef

.PHONY: grade grade-trust grade-trust-sol grade-trust-lab grade-trust-pristine grade-selftest

grade: export QEMUEXTRA := $(QEMUEXTRA)
grade:
	$(call grade_run,$(LAB),$(SOL))

grade-lab-%: export QEMUEXTRA := $(QEMUEXTRA)
grade-lab-%:
	$(call grade_run,$*,$(SOL),--only-lab=$*)

grade-trust-sol:
	@$(GRADE_ENV) $(GRADE_PYTHON) grade/trust.py sol --lab $(LAB)

grade-trust-lab:
	@$(GRADE_ENV) $(GRADE_PYTHON) grade/trust.py lab --lab $(LAB)

grade-trust-pristine:
	@$(GRADE_ENV) $(GRADE_PYTHON) grade/trust.py pristine

grade-trust:
	@$(GRADE_ENV) $(GRADE_PYTHON) grade/trust.py all

# The grader's own tests boot the selftest.* in-kernel tests, which every build contains, and
# exercise the QMP and GDB oracles on a working kernel: the current LAB with its solutions.
grade-selftest: export QEMUEXTRA := $(QEMUEXTRA)
grade-selftest:
	@$(MAKE) -s --no-print-directory iso LAB=$(LAB) SOL=1
	@dir=$$($(MAKE) -s --no-print-directory print-build-dir LAB=$(LAB) SOL=1) || exit 1; \
	$(GRADE_ENV) $(GRADE_PYTHON) -m pytest -c grade/pytest.ini -q -rfE $(GRADE_PARALLEL) \
	  grade/selftest --selftest --build-dir="$$dir" --lab=$(LAB) --results-dir="$$dir/grade-selftest"

# The mutant suite (grade/mutants.py): every plausible student bug in grade/selftest/mutants/
# must lose points when its lab is graded. MUTANTS= selects by name (a glob), MUTANT_REPEAT=K
# grades each K times.
MUTANTS ?=
MUTANT_REPEAT ?= 1
.PHONY: check-mutants
check-mutants:
	@$(GRADE_ENV) $(GRADE_PYTHON) grade/mutants.py --repeat $(MUTANT_REPEAT) $(MUTANTS)
