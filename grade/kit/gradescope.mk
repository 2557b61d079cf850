# grade/kit/gradescope.mk: the Gradescope autograder bundle, included by grade/kit/kit.mk.
#
#   make gradescope LAB=N   build/gradescope-lab<N>.zip: setup.sh (installs the packages with
#                           tools/doctor.sh --install), run_autograder (places the upload into a
#                           pristine tree with grade/kit/submission.py, grades labs 1..N with
#                           STRICT=1, writes /autograder/results/results.json) and the committed
#                           tree without solutions/. GRADESCOPE_TIMEOUT=s: the time limit for
#                           building and grading one submission (default 600)
#   make check-gradescope   build the lab 2 bundle and run its run_autograder against a mock
#                           /autograder for full-marks, zero, handin-tarball, modified-given,
#                           empty, broken-build and timed-out submissions (for make check)

GRADESCOPE_TIMEOUT ?= 600

.PHONY: gradescope check-gradescope
gradescope:
	@$(KIT_PYTHON) grade/kit/gradescope/bundle.py --lab $(LAB) --timeout $(GRADESCOPE_TIMEOUT) \
	  --out build/gradescope-lab$(LAB).zip

check-gradescope:
	@grade/kit/check-gradescope.sh
