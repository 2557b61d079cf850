#!/usr/bin/python3
"""Trust checks for the grader: proof that its verdicts mean what they say.

A grader that passes everything, or fails everything, is worse than none. `make check` runs these
checks (through the grade-trust* targets in grade/grade.mk), each by running `make grade` the way
an instructor would and reading the results.json it writes:

  sol       with the reference solutions (SOL=1) every lab up to LAB scores 100 out of 100, and
            every lab that has a manifest has graded tests;
  lab       with LAB=N SOL=prev (solutions for the labs before N, stubs for lab N) every
            point-bearing test of lab N fails and every test of the labs before N passes;
  pristine  a file that differs from the pristine list draws a warning, and STRICT=1 refuses to
            grade; a test filter that matches nothing fails loudly instead of passing;
  all       sol for the last lab, lab for every lab, pristine, and `make grade-selftest`.

Usage: grade/trust.py sol|lab|pristine|all [--lab N]. Exits non-zero if any check fails.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gradelib.manifest import lab_numbers  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKE = shlex.split(os.environ.get("GRADE_MAKE") or "make")


class Checks:
    """Runs make commands and collects check verdicts."""

    def __init__(self):
        self.failures = []

    def verdict(self, ok, what, details=()):
        print("trust: %-4s %s" % ("ok" if ok else "FAIL", what))
        for line in details:
            print("    " + line)
        if not ok:
            self.failures.append(what)
        return ok

    def make(self, *args, env=None):
        """Run make in the repo; return (status, combined output)."""
        command = MAKE + ["-s", "--no-print-directory"] + list(args)
        full_env = dict(os.environ)
        full_env.update(env or {})
        done = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=full_env)
        return done.returncode, done.stdout

    def grade(self, *args):
        """Run `make grade ...` into a fresh results directory; return (status, output, tests)."""
        with tempfile.TemporaryDirectory(prefix="grade-trust-") as out:
            status, output = self.make(*args, "GRADE_RESULTS=" + out)
            path = os.path.join(out, "results.json")
            tests = []
            if os.path.exists(path):
                with open(path) as f:
                    tests = json.load(f)["tests"]
        return status, output, tests


def tail(output, n=30):
    return output.rstrip().splitlines()[-n:]


def check_sol(checks, lab):
    """SOL=1 at LAB=lab: every lab 1..lab has tests, and every test passes."""
    status, output, tests = checks.grade("grade", "LAB=%d" % lab, "SOL=1")
    problems = []
    for n in [n for n in lab_numbers(REPO) if n <= lab]:
        mine = [t for t in tests if t["extra_data"]["lab"] == n]
        if not mine:
            problems.append("lab %d has no graded tests (is grade/test_lab%d.py missing?)" % (n, n))
            continue
        score = sum(t["score"] for t in mine)
        top = sum(t["max_score"] for t in mine)
        failed = [t["id"] for t in mine if t["status"] != "passed"]
        if score != top or top != 100 or failed:
            problems.append("lab %d scores %d/%d with the solutions; failed: %s" % (
                n, score, top, ", ".join(failed) or "none"))
    if status != 0:
        problems.append("make grade LAB=%d SOL=1 exited with status %d" % (lab, status))
    checks.verdict(not problems, "solutions score 100%% on labs 1-%d" % lab,
                   problems + (tail(output) if problems else []))


def check_lab(checks, lab):
    """SOL=prev at LAB=lab: lab's point tests all fail; earlier labs' tests all pass."""
    status, output, tests = checks.grade("grade", "LAB=%d" % lab, "SOL=prev")
    problems = []
    mine = [t for t in tests if t["extra_data"]["lab"] == lab and t["max_score"] > 0]
    if not mine:
        problems.append("lab %d has no point-bearing tests (is grade/test_lab%d.py missing?)"
                        % (lab, lab))
    passing = [t["id"] for t in mine if t["score"] > 0 or t["status"] == "passed"]
    if passing:
        problems.append("on lab %d's stubs these tests still earn points (a test that cannot "
                        "fail is a defect): %s" % (lab, ", ".join(passing)))
    earlier = [t for t in tests if t["extra_data"]["lab"] < lab]
    broken = [t["id"] for t in earlier if t["status"] != "passed"]
    if broken:
        problems.append("with solutions for the labs before %d these tests fail: %s" % (
            lab, ", ".join(broken)))
    for n in [n for n in lab_numbers(REPO) if n < lab]:
        if not any(t["extra_data"]["lab"] == n for t in earlier):
            problems.append("lab %d was not graded in the LAB=%d run" % (n, lab))
    if status == 0:
        problems.append("make grade LAB=%d SOL=prev exited 0 although lab %d is stubs" % (
            lab, lab))
    checks.verdict(not problems, "lab %d stubs fail all point tests, labs before it pass" % lab,
                   problems + (tail(output) if problems else []))


def check_pristine(checks):
    """A modified given file warns; STRICT=1 refuses; an empty selection fails loudly."""
    first = lab_numbers(REPO)[0]
    with tempfile.NamedTemporaryFile("w", prefix="pristine-", suffix=".sha256") as sums:
        sums.write("%s  Makefile\n" % ("0" * 64))
        sums.flush()
        args = ("grade-lab-%d" % first, "SOL=1", "T=lab%d.multiboot2" % first,
                "GRADE_PRISTINE=" + sums.name)
        status, output, _ = checks.grade(*args)
        checks.verdict(status == 0 and "warning:" in output and "modified: Makefile" in output,
                       "a file differing from the pristine list draws a warning",
                       [] if status == 0 and "modified: Makefile" in output else tail(output))
        status, output, _ = checks.grade(*args, "STRICT=1")
        checks.verdict(status != 0 and "STRICT=1" in output,
                       "STRICT=1 refuses to grade a modified tree",
                       [] if status != 0 and "STRICT=1" in output else tail(output))
    status, output, _ = checks.grade("grade-lab-%d" % first, "SOL=1", "T=no-such-test")
    checks.verdict(status != 0 and "no graded test matches" in output,
                   "a filter that matches no test fails with a message",
                   [] if status != 0 else tail(output))


def check_selftest(checks):
    status, output = checks.make("grade-selftest")
    checks.verdict(status == 0, "grader self-tests against broken kernels",
                   [] if status == 0 else tail(output, 40))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["sol", "lab", "pristine", "selftest", "all"])
    parser.add_argument("--lab", type=int, default=None)
    args = parser.parse_args()
    labs = lab_numbers(REPO)
    if not labs:
        print("trust: no labs/lab<N>.mk manifest found")
        return 1
    lab = args.lab or labs[-1]
    checks = Checks()
    if args.what in ("sol", "all"):
        check_sol(checks, lab)
    if args.what == "lab":
        check_lab(checks, lab)
    if args.what == "all":
        for n in labs:
            check_lab(checks, n)
    if args.what in ("pristine", "all"):
        check_pristine(checks)
    if args.what in ("selftest", "all"):
        check_selftest(checks)
    if checks.failures:
        print("trust: %d check%s failed" % (len(checks.failures),
                                           "" if len(checks.failures) == 1 else "s"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
