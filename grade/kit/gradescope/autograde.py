#!/usr/bin/python3
"""The Gradescope autograder: grade one submission and write results.json, whatever happens.

Gradescope unzips the bundle (`make gradescope LAB=N`) into <root>/source, puts the student's
upload in <root>/submission and reads <root>/results/results.json afterwards; <root> is
/autograder there and AUTOGRADER_ROOT (run_autograder's --root) in tests. This script:

  1. makes a fresh pristine copy of <root>/source and places the submission's student files in it
     (grade/kit/submission.py: exercise files and handouts only; given files in the upload are
     reported and ignored, files not handed in stay stubs); an upload that holds no student file
     but an archive (Gradescope keeps an uploaded tarball as it is) is graded from the archive;
  2. builds the kernel (make iso LAB=N SOL=0), so a compile error is reported as such, with the
     compiler's error lines;
  3. grades it (make grade LAB=N SOL=0 STRICT=1 GRADE_RESULTS=...), all under one time limit;
  4. writes the grader's results.json (already Gradescope's format) with the submission report
     prepended to its "output", or, when grading produced no results (nothing handed in, a build
     failure, the time limit, an error of the autograder itself), a results.json with score 0 and
     an output that says why.

Usage: autograde.py --root DIR --lab N [--timeout SECONDS]
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

START = time.monotonic()


def elapsed():
    return round(time.monotonic() - START, 3)


def write_results(root, results):
    """Write results.json into <root>/results/ and echo its output for the instructor's log."""
    out_dir = os.path.join(root, "results")
    os.makedirs(out_dir, exist_ok=True)
    results.setdefault("execution_time", elapsed())
    results.setdefault("visibility", "visible")
    results.setdefault("stdout_visibility", "visible")
    path = os.path.join(out_dir, "results.json")
    with open(path + ".tmp", "w") as f:
        json.dump(results, f, indent=1)
    os.replace(path + ".tmp", path)
    if not results.get("tests"):
        print(results.get("output", ""))
    print("autograder: wrote %s (score %s)" % (path, results.get("score")))


def zero(lines, why):
    """A result with score 0 and no tests: the report lines, then why nothing was graded."""
    return {"score": 0, "output": "\n".join(lines + [""] + why).strip() + "\n"}


def run(cmd, cwd, deadline, env):
    """Run cmd in its own process group until it exits or the deadline passes.

    Returns (exit status or None on timeout, combined output). On timeout the whole group gets
    SIGTERM (the grader then stops its QEMUs). Either way nothing of the group outlives the call:
    what is still running ten seconds after SIGTERM gets SIGKILL.
    """
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None, ""
    with tempfile.TemporaryFile(mode="w+b") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            status = proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            status = None
            signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        end_group(proc)
        log.seek(0)
        return status, log.read().decode("utf-8", "replace")


def signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def end_group(proc, grace=10):
    """Wait for the rest of proc's process group to go (SIGTERM, then SIGKILL after grace s)."""
    stop = time.monotonic() + grace
    signal_group(proc.pid, signal.SIGTERM)
    while signal_group(proc.pid, 0) and time.monotonic() < stop:
        time.sleep(0.1)
    signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def error_lines(output, limit=40):
    """The compiler's and make's error lines of a failed build, or its last lines."""
    lines = output.splitlines()
    picked = [ln for ln in lines if "error" in ln.lower() or "undefined reference" in ln]
    return (picked or lines[-limit:])[:limit]


ARCHIVES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz", ".zip")


def uploaded_archives(upload):
    """The archives at the top of the upload, newest first (a handin tarball, a zip)."""
    try:
        names = os.listdir(upload)
    except OSError:
        return []
    found = [os.path.join(upload, n) for n in names if n.lower().endswith(ARCHIVES)
             and os.path.isfile(os.path.join(upload, n))
             and not os.path.islink(os.path.join(upload, n))]
    return sorted(found, key=lambda p: (os.path.getmtime(p), p), reverse=True)


def grade(root, lab, timeout, keep):
    source = os.path.join(root, "source")
    sys.path.insert(0, os.path.join(source, "grade", "kit"))
    sys.path.insert(0, os.path.join(source, "grade"))
    import submission

    deadline = START + timeout
    header = ["autograder: lab %d (grading labs 1-%d), time limit %d s" % (lab, lab, timeout)]
    work = tempfile.mkdtemp(prefix="autograde-")
    try:
        upload = os.path.join(root, "submission")
        tree = os.path.join(work, "tree")
        report = submission.place(upload, source, tree, lab)
        archives = uploaded_archives(upload)
        if report["error"] and archives:
            # Gradescope keeps an uploaded tarball as one file: grade what is inside it.
            shutil.rmtree(tree, ignore_errors=True)
            report = submission.place(archives[0], source, tree, lab)
            header.append("submission: graded the archive %s%s" % (
                os.path.basename(archives[0]), " (the newest of %d)" % len(archives)
                if len(archives) > 1 else ""))
        lines = header + submission.summary_lines(report)
        print("\n".join(lines), flush=True)
        if report["error"]:
            return zero(lines, ["Nothing was graded: %s. Upload your exercise files (or the "
                                "tarball make handin writes)." % report["error"]])

        env = dict(os.environ, MAKEFLAGS="--no-print-directory")
        env.pop("MAKELEVEL", None)
        status, out = run(["make", "-s", "iso", "LAB=%d" % lab, "SOL=0"], tree, deadline, env)
        if status is None:
            return zero(lines, ["Nothing was graded: building the kernel passed the time limit "
                                "of %d s." % timeout])
        if status != 0:
            return zero(lines, ["Your kernel did not build (make iso LAB=%d), so every test "
                                "scores 0. The build said:" % lab]
                        + ["  " + ln for ln in error_lines(out)])

        results_dir = os.path.join(work, "results")
        status, out = run(["make", "-s", "grade", "LAB=%d" % lab, "SOL=0", "STRICT=1",
                           "GRADE_RESULTS=" + results_dir], tree, deadline, env)
        print(out, flush=True)
        if status is None:
            return zero(lines, ["Grading passed the time limit of %d s and was stopped, so no "
                                "score could be given. The grader's last lines:" % timeout]
                        + ["  " + ln for ln in out.splitlines()[-20:]])
        try:
            with open(os.path.join(results_dir, "results.json")) as f:
                results = json.load(f)
            if not isinstance(results, dict) or not isinstance(results.get("tests"), list):
                raise ValueError("no tests in it")
        except (OSError, ValueError) as e:
            return zero(lines, ["The grader wrote no results (%s; make grade exited with "
                                "status %s). Its last lines:" % (e, status)]
                        + ["  " + ln for ln in out.splitlines()[-30:]])
        results["output"] = "\n".join(lines) + "\n\n" + str(results.get("output", ""))
        results["execution_time"] = elapsed()
        return results
    finally:
        if keep:
            print("autograder: kept the grading tree in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="grade one Gradescope submission")
    parser.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds for building and grading together (default 600)")
    parser.add_argument("--keep", action="store_true", help="keep the grading tree")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.root)
    try:
        results = grade(root, args.lab, args.timeout, args.keep)
    except Exception:
        results = zero([], ["The autograder itself failed, so nothing was graded; please tell "
                            "your instructor. The error:", traceback.format_exc()])
    write_results(root, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
