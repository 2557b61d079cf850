# grade/kit/kit.mk: the student and instructor kit, included by the top-level Makefile.
#
#   make handin            pack the exercise files and handouts of labs 1..LAB into
#                          handin-lab<N>-<time>.tar.gz; refuses when a given file was modified
#                          (STRICT=0 hands in anyway and records the warning)
#   make check-handin      prove make handin in a throwaway copy (part of make check)

KIT_PYTHON := /usr/bin/python3

.PHONY: handin check-handin
# STRICT=0 given on the command line (or in the environment) overrides the refusal; grade.mk's
# own default STRICT ?= 0 does not count, so a plain `make handin` refuses a modified tree.
handin:
	@$(KIT_PYTHON) grade/kit/handin.py --lab $(LAB) \
	  $(if $(and $(filter command line environment,$(origin STRICT)),$(filter 0,$(STRICT))),--allow-modified)

check-handin:
	@grade/kit/check-handin.sh

# make grade-class (grade/kit/class.mk) and make gradescope (grade/kit/gradescope.mk).
-include grade/kit/class.mk grade/kit/gradescope.mk
