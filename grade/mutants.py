#!/usr/bin/python3
"""The mutant suite: plausible student bugs that the grader must catch, every one, every run.

Each file grade/selftest/mutants/lab<N>-<what>.patch is a small unified diff against the reference
solutions (paths a/solutions/... b/solutions/...), preceded by a few header lines:

    Rule: the rule of the handout or header that the bug breaks
    Catch: the graded test(s) expected to catch it (for the reader; any lost point counts)
    Scope: optional, a T= glob (lab8.*buddy*): grade only the tests it selects. A point lost
           there is lost in the full grade too, so this only saves boots (lab 8 boots every
           design; a bug in one design need not wait for the others' boots)

For each mutant this script copies the tree (a snapshot taken when the run starts, of the files
git knows of, tracked or not ignored: no build/) into a temporary directory, applies the patch, puts lab N's (now mutated) solutions in
place of lab N's exercise files, and grades lab N there with `make grade-lab-N SOL=prev`, the
way an instructor would grade a student who wrote that bug. A mutant is killed when lab N scores
less than 100; one that keeps full marks is a hole in the grader, and this script fails naming
it. A patch that does not apply or a kernel that does not build is reported as a broken mutant,
which fails too. Mutants run in parallel, one grader worker each.

Usage: grade/mutants.py [--jobs N] [--repeat K] [--lab N] [--list] [PATTERN ...]
PATTERN selects mutants by name (a glob, lab5-* say); --repeat grades each K times, since a test
that catches a bug only on some runs is a defect too. Exits non-zero if any mutant survives or
is broken.
"""

import argparse
import concurrent.futures
import fnmatch
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gradelib.manifest import lab_info  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MUTANT_DIR = os.path.join(REPO, "grade", "selftest", "mutants")
MAKE = shlex.split(os.environ.get("GRADE_MAKE") or "make")
GRADE_LIMIT = 600       # seconds one mutant's build and grading may take before it is stopped


class Mutant:
    """One patch file and what its header says."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)[:-len(".patch")]
        lab = self.name.split("-", 1)[0]
        if not (lab.startswith("lab") and lab[3:].isdigit()):
            raise ValueError("%s: a mutant's name starts with lab<N>-" % path)
        self.lab = int(lab[3:])
        self.rule = ""
        self.scope = ""
        with open(path) as f:
            for line in f:
                if line.startswith("--- "):
                    break
                if line.lower().startswith("rule:"):
                    self.rule = line.split(":", 1)[1].strip()
                if line.lower().startswith("scope:"):
                    self.scope = line.split(":", 1)[1].strip()


def find_mutants(patterns=(), lab=None):
    mutants = [Mutant(p) for p in sorted(glob.glob(os.path.join(MUTANT_DIR, "*.patch")))]
    if lab is not None:
        mutants = [m for m in mutants if m.lab == lab]
    if patterns:
        mutants = [m for m in mutants if any(fnmatch.fnmatchcase(m.name, p) for p in patterns)]
    return mutants


def tree_files():
    """The files of the tree as git sees them: tracked, plus untracked ones not ignored."""
    out = subprocess.run(["git", "ls-files", "-z", "-c", "-o", "--exclude-standard"], cwd=REPO,
                         stdout=subprocess.PIPE, check=True).stdout
    return [f for f in out.decode().split("\0") if f and os.path.isfile(os.path.join(REPO, f))]


def copy_tree(files, dest, source=REPO):
    for f in files:
        target = os.path.join(dest, f)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(source, f), target)


def grade_mutant(mutant, files, run, snapshot):
    """Copy, patch and grade one mutant; return a dict with its verdict."""
    verdict = {"name": mutant.name, "lab": mutant.lab, "run": run, "rule": mutant.rule}
    started = time.monotonic()
    work = tempfile.mkdtemp(prefix="mutant-%s-" % mutant.name)
    try:
        tree = os.path.join(work, "tree")
        copy_tree(files, tree, snapshot)
        applied = subprocess.run(["patch", "-p1", "--batch", "--forward", "--quiet",
                                  "--no-backup-if-mismatch", "-i", mutant.path], cwd=tree,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if applied.returncode != 0:
            verdict.update(status="broken", why="the patch does not apply: " +
                           applied.stdout.strip().replace("\n", "; "))
            return verdict
        for f in lab_info(tree, mutant.lab)["exercises"]:
            solution = os.path.join(tree, "solutions", f)
            if os.path.exists(solution):
                shutil.copy2(solution, os.path.join(tree, f))
        results = os.path.join(work, "results")
        env = dict(os.environ, GRADE_JOBS="1")
        env.pop("MAKEFLAGS", None)
        try:
            done = subprocess.run(MAKE + ["-s", "--no-print-directory", "grade-lab-%d" % mutant.lab,
                                          "SOL=prev", "GRADE_JOBS=1", "GRADE_RESULTS=" + results]
                                  + (["T=" + mutant.scope] if mutant.scope else []),
                                  cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, env=env, timeout=GRADE_LIMIT)
            output = done.stdout
        except subprocess.TimeoutExpired as e:
            verdict.update(status="broken", why="grading took more than %d s" % GRADE_LIMIT,
                           output=(e.stdout or b"").decode(errors="replace")[-3000:])
            return verdict
        path = os.path.join(results, "results.json")
        if not os.path.exists(path):
            verdict.update(status="broken", why="no results.json (did the kernel build?)",
                           output=output[-3000:])
            return verdict
        with open(path) as f:
            tests = [t for t in json.load(f)["tests"] if t["extra_data"]["lab"] == mutant.lab]
        score = sum(t["score"] for t in tests)
        top = sum(t["max_score"] for t in tests)
        lost = [t["id"] for t in tests if t["status"] != "passed"]
        verdict.update(score=score, max=top, caught_by=lost,
                       status="killed" if top and (score < top or lost) else "survived",
                       output=output[-3000:])
        if not top:
            verdict.update(status="broken", why="lab %d has no graded tests" % mutant.lab)
        return verdict
    finally:
        verdict["seconds"] = time.monotonic() - started
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", help="mutant names or globs (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--lab", type=int, default=None)
    parser.add_argument("--list", action="store_true", help="list the mutants and their rules")
    parser.add_argument("--verbose", action="store_true", help="show the grader's output too")
    args = parser.parse_args()
    mutants = find_mutants(args.patterns, args.lab)
    if args.list:
        for m in mutants:
            print("%-40s %s" % (m.name, m.rule))
        return 0
    if not mutants:
        print("mutants: none selected")
        return 1
    files = tree_files()
    start = time.monotonic()
    # One snapshot of the tree for every mutant: edits made while the suite runs do not change
    # the grader under the later mutants.
    snapshot = tempfile.mkdtemp(prefix="mutants-tree-")
    copy_tree(files, snapshot)
    jobs = [(m, r) for r in range(args.repeat) for m in mutants]
    bad = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(grade_mutant, m, files, r, snapshot) for m, r in jobs]
        for future in concurrent.futures.as_completed(futures):
            v = future.result()
            tag = "" if args.repeat == 1 else " (run %d)" % (v["run"] + 1)
            if v["status"] == "killed":
                print("mutant: killed    %-38s %3d/%-3d %5.1f s  by %s%s" % (
                    v["name"], v["score"], v["max"], v["seconds"], ", ".join(v["caught_by"]),
                    tag), flush=True)
                if args.verbose:
                    print(v["output"])
                continue
            bad.append(v)
            if v["status"] == "survived":
                print("mutant: SURVIVED  %-38s %3d/%-3d %5.1f s  rule: %s%s" % (
                    v["name"], v["score"], v["max"], v["seconds"], v["rule"], tag), flush=True)
            else:
                print("mutant: BROKEN    %-38s %s%s" % (v["name"], v["why"], tag), flush=True)
                for line in v.get("output", "").strip().splitlines()[-15:]:
                    print("    | " + line)
    shutil.rmtree(snapshot, ignore_errors=True)
    print("mutants: %d graded, %d killed, %d survived or broken, in %.0f s" % (
        len(jobs), len(jobs) - len(bad), len(bad), time.monotonic() - start))
    for v in sorted(bad, key=lambda v: v["name"]):
        print("mutants: not killed: %s (%s)" % (v["name"], v["status"]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
