"""Reading the lab manifests labs/lab<N>.mk.

Each lab has a manifest of `KEY := value` lines in make syntax (LAB1_NAME, LAB1_TITLE,
LAB1_EXERCISES, ...). The grader needs a few of them: which labs exist, each lab's short name (the
boot banner prints it) and title, and the exercise files (which the pristine check skips, since
students are meant to change them).
"""

import glob
import os
import re

_ASSIGN_RE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*[:+?]?=\s*(.*?)\s*$")


def read_manifest(path):
    """Return the KEY -> value dict of one manifest (comments and blank lines skipped)."""
    values = {}
    with open(path) as f:
        # A backslash at the end of a line continues the value on the next, as in make.
        text = re.sub(r"\\\n", " ", f.read())
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        m = _ASSIGN_RE.match(line)
        if m:
            values[m.group(1)] = m.group(2)
    return values


def lab_numbers(repo):
    """Return the sorted numbers N of every labs/lab<N>.mk."""
    numbers = []
    for path in glob.glob(os.path.join(repo, "labs", "lab*.mk")):
        m = re.match(r"^lab(\d+)\.mk$", os.path.basename(path))
        if m:
            numbers.append(int(m.group(1)))
    return sorted(numbers)


def lab_info(repo, n):
    """Return dict(name, title, exercises, handout) for lab n (empty if there is no manifest)."""
    path = os.path.join(repo, "labs", "lab%d.mk" % n)
    values = read_manifest(path) if os.path.exists(path) else {}
    prefix = "LAB%d_" % n
    return {"name": values.get(prefix + "NAME", ""),
            "title": values.get(prefix + "TITLE", ""),
            "exercises": values.get(prefix + "EXERCISES", "").split(),
            "handout": values.get(prefix + "HANDOUT", "")}


def all_exercise_files(repo):
    """Return the set of exercise files of every lab (paths relative to the repo root)."""
    files = set()
    for n in lab_numbers(repo):
        files.update(lab_info(repo, n)["exercises"])
    return files
