#!/usr/bin/python3
"""make gradescope: the Gradescope autograder bundle for one lab, build/gradescope-lab<N>.zip.

The zip holds, at its root, setup.sh and run_autograder (from grade/kit/gradescope/, with the lab
and the time limit filled in) and the course tree as the pristine source: the committed HEAD
without solutions/ (grade/kit/submission.py's pristine copy), so the reference solutions never
reach the machine that runs students' code. Uncommitted changes are not in it, and the build says
so. It refuses when HEAD's labs/pristine.sums does not match HEAD's own given files, because the
autograder grades with STRICT=1 and would then refuse every submission.

Usage: bundle.py --lab N --out build/gradescope-labN.zip [--timeout SECONDS] [--repo REPO]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, KIT)
sys.path.insert(0, os.path.dirname(KIT))

import submission  # noqa: E402
from gradelib import pristine  # noqa: E402
from gradelib.manifest import lab_numbers  # noqa: E402

TOP = ("setup.sh", "run_autograder")


def git(repo, *args):
    done = subprocess.run(["git", "-C", repo] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def main(argv=None):
    parser = argparse.ArgumentParser(description="build the Gradescope autograder bundle")
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds run_autograder allows for building and grading")
    parser.add_argument("--repo", default=os.path.dirname(os.path.dirname(KIT)))
    args = parser.parse_args(argv)
    repo = os.path.abspath(args.repo)

    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        src = os.path.join(tmp, "source")
        submission.pristine_copy(repo, src)
        if args.lab not in lab_numbers(src):
            print("gradescope: LAB=%d is not a lab of the committed tree (labs: %s)"
                  % (args.lab, " ".join(map(str, lab_numbers(src)))))
            return 1
        templates = os.path.join(src, "grade", "kit", "gradescope")
        if not all(os.path.isfile(os.path.join(templates, t)) for t in TOP + ("autograde.py",)):
            print("gradescope: grade/kit/gradescope/ is not committed; the bundle is made from "
                  "HEAD, so commit it first")
            return 1
        problems = pristine.check(src, os.path.join(src, "labs", "pristine.sums"))
        if problems:
            print("gradescope: the committed labs/pristine.sums does not match the committed "
                  "given files, so the autograder (STRICT=1) would refuse every submission:")
            for p in problems[:20]:
                print("  " + p)
            print("gradescope: run make pristine and commit labs/pristine.sums")
            return 1
        for name in TOP:
            with open(os.path.join(templates, name)) as f:
                text = f.read().replace("@LAB@", str(args.lab))
            text = text.replace("@TIMEOUT@", str(args.timeout))
            path = os.path.join(src, name)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)

        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        count = 0
        with zipfile.ZipFile(args.out + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
            for dirpath, dirs, names in os.walk(src):
                dirs.sort()
                for name in sorted(names):
                    full = os.path.join(dirpath, name)
                    rel = os.path.relpath(full, src)
                    if rel.split(os.sep)[0] == "solutions" or \
                            rel.startswith(os.path.join("grade", "selftest", "mutants")):
                        raise SystemExit("gradescope: solutions in the pristine copy: " + rel)
                    z.write(full, rel)      # keeps the mode bits: scripts stay executable
                    count += 1
        os.replace(args.out + ".tmp", args.out)

    head = git(repo, "rev-parse", "--short", "HEAD") or "the tree (not a git checkout)"
    dirty = git(repo, "status", "--porcelain", "--untracked-files=no")
    print("gradescope: wrote %s: lab %d, %d files from %s, %d KiB, no solutions/"
          % (args.out, args.lab, count, head, os.path.getsize(args.out) >> 10))
    if dirty:
        print("gradescope: note: uncommitted changes are not in the bundle (it is HEAD)")
    print("gradescope: upload it as the assignment's autograder (zip file); run_autograder stops "
          "grading after %d s, so give Gradescope's own limit more than that" % args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
