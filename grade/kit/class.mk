# grade/kit/class.mk: grading a whole class, included by grade/kit/kit.mk.
#
#   make grade-class SUBMISSIONS=DIR LAB=N
#                          grade every entry of DIR (a handin tarball, any tar or zip, a folder
#                          holding a student tree or loose files, or a folder holding a handin
#                          tarball) in its own pristine copy of the tree, in parallel; write
#                          OUT/gradebook.csv, OUT/summary.html and OUT/<student>/ (results.json,
#                          junit.xml, grade.log). grade/kit/grade_class.py explains the rest.
#       OUT=dir            where the results go (default build/class-lab<N>/)
#       JOBS=n             submissions graded at once (default: the number of CPUs)
#       TIME_LIMIT=s       seconds one submission may take before its processes are killed
#                          (default 300 up to lab 3, 60 more per lab after; times TIMEOUT_SCALE)
#       KEEP=1             keep each placed tree in OUT/<student>/tree (default: deleted)
#   make check-grade-class prove make grade-class on a generated class (part of make check)

SUBMISSIONS ?=
OUT ?=
JOBS ?=
TIME_LIMIT ?=
KEEP ?= 0

.PHONY: grade-class check-grade-class
grade-class: export QEMUEXTRA := $(QEMUEXTRA)
grade-class:
	@test -n '$(SUBMISSIONS)' || \
	  { echo "grade-class: usage: make grade-class SUBMISSIONS=DIR LAB=N" >&2; exit 2; }
	@$(KIT_PYTHON) grade/kit/grade_class.py '$(SUBMISSIONS)' --lab $(LAB) \
	  --timeout-scale '$(TIMEOUT_SCALE)' $(if $(OUT),--out '$(OUT)') $(if $(JOBS),--jobs $(JOBS)) \
	  $(if $(TIME_LIMIT),--time-limit $(TIME_LIMIT)) $(if $(filter 1,$(KEEP)),--keep) \
	  $(if $(filter command line environment,$(origin CC)),--cc '$(CC)')

check-grade-class:
	@$(KIT_PYTHON) grade/kit/check-grade-class.py
