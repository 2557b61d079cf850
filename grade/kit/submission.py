#!/usr/bin/python3
"""Submissions: what a student hands in, and how it is placed into a pristine tree for grading.

A submission is a handin tarball (`make handin`), a zip or tar archive, or a directory. It may hold
a whole student tree (under any top-level folder), or just the student's files, even loose ones
with no folders at all. Whatever its shape, only the student's files are taken from it: the
exercise files of labs 1..LAB (as the manifests labs/lab<N>.mk list them) and the lab handouts,
which double as the answers file for each lab's questions. Every other file is ignored; a given
file (the grader, a test, a kernel file) that differs from the handed-out one is reported by name,
because it means the student graded themselves against something else.

The grading tree is a pristine copy of the instructor's tree (its committed HEAD when it is a git
checkout, otherwise the directory as it is) without solutions/ and the mutants (patches of the
solutions), so a submission's `#include` or `.incbin` of a reference solution finds nothing.
The student's files are then written over the stubs.

Matching a member of the submission to a student file: a member whose path ends with the file's
path (`alice/kernel/lib/string.c` for `kernel/lib/string.c`), the one nearest the top when several
do (`kernel/lib/string.c`, not `solutions/kernel/lib/string.c`); failing that, a member whose base
name is the file's base name (every exercise file's base name is unique across the labs).

Used by `make grade-class`, the Gradescope bundle's run_autograder and `make handin`. As a command:

  grade/kit/submission.py place SUBMISSION DEST --lab N [--repo REPO] [--report FILE.json]
      make DEST a pristine copy of REPO with SUBMISSION's files in place; print what was taken,
      ignored and missing; exit 2 when nothing at all could be taken (with the reason).
  grade/kit/submission.py copy REPO DEST
      make DEST a pristine copy of REPO (no solutions/, no mutants).
"""

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gradelib.manifest import lab_info, lab_numbers  # noqa: E402
from gradelib.pristine import NOT_HANDED_OUT  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MAX_FILE = 1 << 20          # bytes in one member: a student's C file is a few KiB
MAX_TOTAL = 64 << 20        # bytes in the whole submission, uncompressed (a tree with its build/)
MAX_MEMBERS = 20000         # members in the whole submission
SKIP_DIRS = {".git", "build", "__pycache__", ".pytest_cache"}   # never looked at
METADATA = "handin.json"    # written by make handin: lab, time, warnings
# Left out of every grading tree, so that a student's file cannot .incbin them.
SOLUTION_DIRS = tuple(d.rstrip("/") for d in NOT_HANDED_OUT)


class SubmissionError(Exception):
    """The submission cannot be read at all (not an archive, too large, unsafe paths only)."""


def student_files(repo, lab):
    """Return {path: kind} of the files a student hands in for labs 1..lab.

    kind is "exercise" for an exercise file and "answers" for a handout.
    """
    files = {}
    for n in lab_numbers(repo):
        if n > lab:
            continue
        info = lab_info(repo, n)
        for path in info["exercises"]:
            files[path] = "exercise"
        if info["handout"]:
            files[info["handout"]] = "answers"
    return files


def _clean(name):
    """Return a member name as a safe relative path, or None (absolute, `..`, empty)."""
    name = name.replace("\\", "/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or name.startswith("/") or ".." in parts:
        return None
    if any(p in SKIP_DIRS for p in parts[:-1]):
        return None
    return "/".join(parts)


def read_submission(path):
    """Return ({relative path: bytes}, [notes]) for a directory, tar or zip submission.

    Symbolic links, devices, unsafe paths and members inside .git or build/ are skipped (unsafe
    ones with a note). Raises SubmissionError when the submission cannot be read.
    """
    files, notes = {}, []
    total = 0

    def add(name, size, read):
        nonlocal total
        clean = _clean(name)
        if clean is None:
            if not any(p in SKIP_DIRS for p in name.replace("\\", "/").split("/")):
                notes.append("unsafe path skipped: %s" % name)
            return
        if size > MAX_FILE:
            notes.append("file too large, skipped: %s (%d bytes)" % (clean, size))
            return
        total += size
        if total > MAX_TOTAL:
            raise SubmissionError("the submission is larger than %d MiB" % (MAX_TOTAL >> 20))
        if len(files) >= MAX_MEMBERS:
            raise SubmissionError("the submission has more than %d files" % MAX_MEMBERS)
        files[clean] = read()

    if not os.path.exists(path):
        raise SubmissionError("no such file or directory: %s" % path)
    if os.path.isdir(path):
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                             and not os.path.islink(os.path.join(root, d)))
            for name in sorted(names):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, path)
                if os.path.islink(full) or not os.path.isfile(full):
                    notes.append("not a regular file, skipped: %s" % rel)
                    continue
                add(rel, os.path.getsize(full), lambda full=full: _read(full))
    elif zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    if info.is_dir():
                        continue
                    if (info.external_attr >> 16) & 0o170000 not in (0, 0o100000):
                        notes.append("not a regular file, skipped: %s" % info.filename)
                        continue
                    add(info.filename, info.file_size, lambda info=info: z.read(info))
        except zipfile.BadZipFile as e:
            raise SubmissionError("a damaged zip file: %s" % e)
    else:
        try:
            with tarfile.open(path) as t:
                for member in t:
                    if member.isdir():
                        continue
                    if not member.isreg():
                        notes.append("not a regular file, skipped: %s" % member.name)
                        continue
                    add(member.name, member.size,
                        lambda member=member: t.extractfile(member).read())
        except (tarfile.TarError, EOFError, OSError):
            raise SubmissionError("%s is not a directory, a tar archive or a zip file"
                                  % os.path.basename(path))
    return files, notes


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def tree_files(tree):
    """Return the set of relative paths of the regular files of a tree (skipping build/, .git)."""
    found = set()
    for root, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in names:
            found.add(os.path.relpath(os.path.join(root, name), tree))
    return found


def match(files, wanted, given):
    """Sort a submission's members.

    files: {member path: bytes}; wanted: {student file: kind}; given: {given path: bytes or None}
    (the pristine tree's other files, content for comparison). Returns a dict with
    taken {student file: member path}, modified_given [given path (member path)],
    ignored [member path], missing [student file], in stable order.
    """
    members = sorted(files, key=lambda m: (m.count("/"), m))
    taken, claimed = {}, set()
    for path in sorted(wanted):
        for m in members:
            if m not in claimed and (m == path or m.endswith("/" + path)) \
                and "solutions" not in m.split("/")[:-1]:
                taken[path] = m
                claimed.add(m)
                break
    base_of = {os.path.basename(p): p for p in wanted}
    for m in members:
        path = base_of.get(os.path.basename(m))
        if path and path not in taken and m not in claimed and not _is_given_suffix(m, given) \
                and "solutions" not in m.split("/")[:-1]:
            taken[path] = m
            claimed.add(m)
    modified, ignored = [], []
    for m in members:
        if m in claimed:
            continue
        g = _is_given_suffix(m, given)
        if g and given[g] is not None and given[g] != files[m]:
            modified.append("%s (%s)" % (g, m) if g != m else g)
        elif not g and os.path.basename(m) != METADATA:
            ignored.append(m)
    missing = [p for p in sorted(wanted) if p not in taken]
    return {"taken": taken, "modified_given": modified, "ignored": ignored, "missing": missing}


def _is_given_suffix(member, given):
    """Return the given file that member is (a path suffix of it), or None.

    Nothing under a solutions/ folder is a given file: it is the reference solutions' copy.
    """
    parts = member.split("/")
    if "solutions" in parts[:-1]:
        return None
    for i in range(len(parts)):
        suffix = "/".join(parts[i:])
        if suffix in given:
            return suffix
    return None


def pristine_copy(repo, dest):
    """Make dest (which must not exist or be empty) a copy of repo's tree without solutions/.

    A git checkout is copied from its committed HEAD, so neither an instructor's uncommitted edits
    nor their own solved exercise files leak into a student's grading tree.
    """
    os.makedirs(dest, exist_ok=True)
    if os.path.isdir(os.path.join(repo, ".git")):
        archive = subprocess.run(["git", "-C", repo, "archive", "--format=tar", "HEAD"],
                                 stdout=subprocess.PIPE, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as t:
            t.extractall(dest, filter="data") if hasattr(tarfile, "data_filter") \
                else t.extractall(dest)
    else:
        for name in sorted(os.listdir(repo)):
            if name in SKIP_DIRS:
                continue
            src, dst = os.path.join(repo, name), os.path.join(dest, name)
            if os.path.isdir(src):
                shutil.copytree(src, dst, symlinks=True,
                                ignore=shutil.ignore_patterns(*SKIP_DIRS))
            else:
                shutil.copy2(src, dst)
    for part in SOLUTION_DIRS:
        shutil.rmtree(os.path.join(dest, part), ignore_errors=True)
    lab_mk = os.path.join(dest, "conf", "lab.mk")
    if os.path.exists(lab_mk):
        os.remove(lab_mk)


def committed_tree_problems(repo):
    """Return how the tree students are graded in differs from its own labs/pristine.sums.

    That tree is pristine_copy(repo), so with STRICT=1 any difference would fail every student
    alike (say, given files committed without `make pristine`). Empty when all is well.
    """
    import tempfile
    from gradelib import pristine
    with tempfile.TemporaryDirectory(prefix="pristine-tree-") as tmp:
        pristine_copy(repo, tmp)
        try:
            return pristine.check(tmp, os.path.join(tmp, "labs", "pristine.sums"))
        except FileNotFoundError:
            return ["missing: labs/pristine.sums"]


def place(submission, repo, dest, lab):
    """Copy repo to dest pristinely and put the submission's student files in place.

    Returns the report dict: lab, taken, modified_given, ignored, missing, notes, warnings
    (the handin's own warnings, from its handin.json), error (None, or why nothing was taken).
    """
    report = {"lab": lab, "submission": os.path.abspath(submission), "taken": {},
              "modified_given": [], "ignored": [], "missing": [], "notes": [], "warnings": [],
              "error": None}
    pristine_copy(repo, dest)
    try:
        files, notes = read_submission(submission)
    except SubmissionError as e:
        report["error"] = str(e)
        report["missing"] = sorted(student_files(dest, lab))
        return report
    report["notes"] = notes
    wanted = student_files(dest, lab)
    every_student_file = student_files(dest, max(lab_numbers(dest)))
    given = {}
    for path in tree_files(dest):
        if path not in every_student_file:
            given[path] = _read(os.path.join(dest, path))
    for path in every_student_file:
        if path not in wanted:
            given[path] = None          # a later lab's file: neither taken nor reported
    report.update(match(files, wanted, given))
    for path, member in report["taken"].items():
        with open(os.path.join(dest, path), "wb") as f:
            f.write(files[member])
    meta = [m for m in files if os.path.basename(m) == METADATA]
    if meta:
        try:
            info = json.loads(files[min(meta, key=len)].decode())
            report["warnings"] = [str(w) for w in info.get("warnings", [])]
            report["handin"] = {k: info.get(k) for k in ("lab", "time")}
        except (ValueError, UnicodeDecodeError, AttributeError):
            report["notes"].append("%s is not valid JSON, ignored" % METADATA)
    if not report["taken"]:
        report["error"] = "no student file found (looked for %s)" % ", ".join(
            sorted(p for p, k in wanted.items() if k == "exercise"))
    return report


def summary_lines(report, limit=10):
    """Return the report as short human-readable lines."""
    lines = []
    if report["error"]:
        lines.append("submission: %s" % report["error"])
    exercises = [p for p in report["taken"] if not p.startswith("handouts/")]
    lines.append("submission: took %d file(s): %s" % (len(exercises), " ".join(exercises) or "-"))
    if report["missing"]:
        stubs = [p for p in report["missing"] if not p.startswith("handouts/")]
        if stubs:
            lines.append("submission: not handed in, graded as the stub: %s" % " ".join(stubs))
    for g in report["modified_given"]:
        lines.append("submission: given file modified, ignored (the handed-out one is used): %s"
                     % g)
    if report["ignored"]:
        shown = report["ignored"][:limit]
        more = len(report["ignored"]) - len(shown)
        lines.append("submission: %d other file(s) ignored: %s%s" % (
            len(report["ignored"]), " ".join(shown), " ..." if more else ""))
    for note in report["notes"][:limit]:
        lines.append("submission: " + note)
    for w in report["warnings"]:
        lines.append("submission: handin warning: " + w)
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("place", help="a pristine tree with the submission's files in place")
    p.add_argument("submission")
    p.add_argument("dest")
    p.add_argument("--lab", type=int, required=True)
    p.add_argument("--repo", default=REPO)
    p.add_argument("--report", help="write the report as JSON here")
    c = sub.add_parser("copy", help="a pristine copy of a tree (no solutions/)")
    c.add_argument("repo")
    c.add_argument("dest")
    args = parser.parse_args(argv)
    if args.command == "copy":
        pristine_copy(os.path.abspath(args.repo), args.dest)
        return 0
    if os.path.exists(args.dest) and os.listdir(args.dest):
        parser.error("%s exists and is not empty" % args.dest)
    report = place(args.submission, os.path.abspath(args.repo), args.dest, args.lab)
    for line in summary_lines(report):
        print(line)
    if args.report:
        with open(args.report, "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
    return 2 if report["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
