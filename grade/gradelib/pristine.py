"""Checking that the tree outside the exercise files is as it was handed out.

labs/pristine.sums lists, in sha256sum format, every tracked file except the exercise files,
solutions/ and the mutants (grade/selftest/mutants/: patches of the solutions), none of which a
student's tree needs. A student who edits a test, the grader or a kernel file they were not meant to touch
gets graded on something other than the handed-out lab; `make grade` therefore warns when any
listed file is missing or differs, and refuses to grade with STRICT=1.
"""

import hashlib
import os

from .manifest import all_exercise_files

# Tracked folders that are not handed out, so not summed (the Makefile's pristine target skips
# them too): the reference solutions, and the mutants, which are patches of them.
NOT_HANDED_OUT = ("solutions/", "grade/selftest/mutants/")


def read_sums(path):
    """Return [(hex digest, relative path)] from a sha256sum file."""
    sums = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            digest, _, name = line.partition(" ")
            name = name[1:] if name[:1] in (" ", "*") else name   # text or binary mode marker
            sums.append((digest.lower(), name))
    return sums


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def check(repo, sums_path):
    """Return a list of problems ("modified: path", "missing: path"); empty when pristine.

    Raises FileNotFoundError when the sums file itself does not exist.
    """
    skip = all_exercise_files(repo)
    problems = []
    for digest, name in read_sums(sums_path):
        if name in skip or name.startswith(NOT_HANDED_OUT):
            continue
        path = os.path.join(repo, name)
        if not os.path.isfile(path):
            problems.append("missing: %s" % name)
        elif file_sha256(path) != digest:
            problems.append("modified: %s" % name)
    return problems
