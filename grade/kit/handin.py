#!/usr/bin/python3
"""make handin: pack exactly the student's work for labs 1..LAB into one tarball.

The tarball holds the exercise files of labs 1..LAB (as labs/lab<N>.mk lists them), each lab's
handout (where the answers to its questions are written), and handin.json: the lab, the time, the
commit the tree was at, a SHA-256 per file and any warning. It is named
handin-lab<N>-<YYYYMMDD-HHMMSS>.tar.gz and unpacks into a folder of the same name.

A given file (anything outside the exercise files that labs/pristine.sums lists) that differs from
what was handed out is not part of the work and is not packed; handing in anyway would mean the
student tested against a different kernel or grader than the one that grades. So handin refuses
and lists those files, unless asked with --allow-modified (make handin STRICT=0), in which case it
records the warning in handin.json, where grade-class and the Gradescope autograder report it.

Before it finishes, handin reads the tarball back the way the graders do (grade/kit/submission.py)
and checks that every file it packed is found there.

Usage: grade/kit/handin.py --lab N [--allow-modified] [--out DIR]
"""

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time

KIT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(KIT))
sys.path.insert(0, KIT)

from gradelib import pristine  # noqa: E402
import submission  # noqa: E402

REPO = os.path.dirname(os.path.dirname(KIT))


def commit_of(repo):
    done = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def main(argv=None):
    parser = argparse.ArgumentParser(description="pack the student's work into a tarball")
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--allow-modified", action="store_true",
                        help="hand in even though given files were modified (recorded)")
    parser.add_argument("--out", default=REPO, help="directory for the tarball (default: top)")
    parser.add_argument("--repo", default=REPO)
    args = parser.parse_args(argv)
    repo = os.path.abspath(args.repo)

    try:
        problems = pristine.check(repo, os.path.join(repo, "labs", "pristine.sums"))
    except FileNotFoundError:
        problems = ["labs/pristine.sums is missing: the given files cannot be checked"]
    warnings = []
    if problems:
        print("handin: %d given file%s differ%s from what was handed out:" % (
            len(problems), "" if len(problems) == 1 else "s", "s" if len(problems) == 1 else ""))
        for p in problems:
            print("  " + p)
        if not args.allow_modified:
            print("handin: refusing. Only exercise files are handed in, so your kernel would be "
                  "graded with the original given files. Undo the changes (git diff, git "
                  "checkout -- <file>), or hand in anyway with: make handin STRICT=0")
            return 1
        warnings = ["handed in with STRICT=0 while given files differed: " + p
                    for p in problems]
        print("handin: STRICT=0: handing in anyway; the warning goes into handin.json.")

    files = submission.student_files(repo, args.lab)
    present = [p for p in sorted(files) if os.path.isfile(os.path.join(repo, p))]
    absent = [p for p in sorted(files) if p not in present]
    for p in absent:
        warnings.append("file missing from the tree, not handed in: " + p)
        print("handin: warning: %s is missing from your tree" % p)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = "handin-lab%d-%s" % (args.lab, stamp)
    meta = {"lab": args.lab, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "commit": commit_of(repo), "warnings": warnings,
            "files": {p: hashlib.sha256(open(os.path.join(repo, p), "rb").read()).hexdigest()
                      for p in present}}
    os.makedirs(args.out, exist_ok=True)
    out = os.path.join(args.out, name + ".tar.gz")
    with tarfile.open(out, "w:gz") as t:
        for p in present:
            t.add(os.path.join(repo, p), arcname="%s/%s" % (name, p), recursive=False)
        data = json.dumps(meta, indent=1, sort_keys=True).encode() + b"\n"
        info = tarfile.TarInfo("%s/%s" % (name, submission.METADATA))
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
        t.addfile(info, io.BytesIO(data))

    # Read it back as the graders will: every packed file must be found, nothing else taken.
    got, _ = submission.read_submission(out)
    found = submission.match(got, files, {})
    lost = [p for p in present if p not in found["taken"]]
    if lost:
        print("handin: internal error: the tarball does not give back %s" % " ".join(lost))
        return 1
    exercises = [p for p in present if files[p] == "exercise"]
    print("handin: lab %d: %d exercise file%s and %d handout%s (answers) in %s" % (
        args.lab, len(exercises), "" if len(exercises) == 1 else "s",
        len(present) - len(exercises), "" if len(present) - len(exercises) == 1 else "s",
        os.path.relpath(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
