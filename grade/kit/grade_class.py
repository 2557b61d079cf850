#!/usr/bin/python3
"""make grade-class: grade every submission in a directory, in parallel, into one gradebook.

Each entry of SUBMISSIONS is one student's submission: a handin tarball (`make handin`), any tar
or zip archive, or a directory holding a student tree or just the student's files. The student's
name is the entry's name without its archive extension (`alice.tar.gz` -> alice, `bob/` -> bob).
A directory whose only files are archives (a per-student folder holding its handin tarballs) is
graded from the archive whose name sorts last, the newest handin, under the folder's name.

Every submission is placed into its own pristine copy of the tree by grade/kit/submission.py, so
only the exercise files and handouts come from the student, then graded there with the usual
grader, `make grade LAB=N SOL=0 STRICT=1 GRADE_JOBS=1`. Up to JOBS submissions run at once, each
in its own session (process group) with a time limit; when it passes, the whole group is killed,
and with it every QEMU the grader started (found through /proc, whatever group it sits in). A
submission that does not build scores 0 with the compiler's first error as its warning. Ctrl-C
or SIGTERM kills every running submission and stops.

Into OUT: gradebook.csv (student, lab, one column per test id with the points earned, total, max,
boots, seconds, warnings), per student <student>/results.json and junit.xml (the grader's own;
written here with every test failed when the grader wrote none) and grade.log (the grader's
output, after what submission.py took and ignored), and summary.html (grade/kit/class_report.py).

Usage: grade/kit/grade_class.py SUBMISSIONS --lab N [--out DIR] [--jobs N] [--time-limit S]
           [--timeout-scale X] [--keep] [--repo REPO] [--cc CC]
"""

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

KIT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(KIT))
sys.path.insert(0, KIT)

import class_report  # noqa: E402
import submission  # noqa: E402

REPO = os.path.dirname(os.path.dirname(KIT))
ARCHIVE_EXTS = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")
# Variables of the outer make that must not reach the grader's make in a submission's tree.
DROP_ENV = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "GNUMAKEFLAGS", "LAB", "SOL",
            "T", "STRICT", "SUBMISSIONS", "OUT", "JOBS", "KEEP", "TIME_LIMIT", "GRADE_RESULTS",
            "GRADE_JOBS", "GRADE_TESTS", "GRADE_BUILD_DIR", "GRADE_PRISTINE", "GRADE_LAB")
COMPILE_ERROR_RE = re.compile(r"(: (fatal )?error: |: undefined reference to |Error: )")


def default_time_limit(lab):
    """Seconds one submission may take: 300 for labs 1-3, 60 more for each lab after that.

    On one core a full-marks lab 3 grades in about 10 s and lab 9 in about 100 s, so this leaves
    room for a loaded machine; a kernel that hangs costs each boot only the grader's quiet limit.
    """
    return 300 + 60 * max(0, lab - 3)


def strip_archive_ext(name):
    for ext in ARCHIVE_EXTS:
        if name.lower().endswith(ext) and len(name) > len(ext):
            return name[:-len(ext)]
    return name


def is_archive(name):
    return strip_archive_ext(name) != name


def find_submissions(directory):
    """Return [(student, path, [notes])] for every entry of directory, sorted by student."""
    found, used = [], set()
    for entry in sorted(os.listdir(directory)):
        if entry.startswith("."):
            continue
        path = os.path.join(directory, entry)
        notes = []
        student = strip_archive_ext(entry) if os.path.isfile(path) else entry
        if os.path.isdir(path):
            names = [n for n in sorted(os.listdir(path)) if not n.startswith(".")]
            if names and all(is_archive(n) and os.path.isfile(os.path.join(path, n))
                             for n in names):
                path = os.path.join(path, names[-1])
                if len(names) > 1:
                    notes.append("%d archives in the folder, graded the last: %s"
                                 % (len(names), names[-1]))
        safe = re.sub(r"[^A-Za-z0-9._@+-]", "_", student).lstrip(".") or "student"
        name, k = safe, 2
        while name in used:
            name, k = "%s-%d" % (safe, k), k + 1
        used.add(name)
        found.append((name, path, notes))
    return found


def child_env():
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def descendants(pid):
    """Return the pids of every process below pid, and of every process in pid's session."""
    parent, session = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parent[int(name)] = int(fields[1])
        session[int(name)] = int(fields[3])
    children = {}
    for child, ppid in parent.items():
        children.setdefault(ppid, []).append(child)
    found = {p for p, s in session.items() if s == pid}
    stack = [pid] + sorted(found)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    found.discard(pid)
    return found


def kill_tree(proc):
    """SIGKILL proc's session and every process below it (QEMU runs in a session of its own)."""
    below = descendants(proc.pid)
    for target in [proc.pid] + sorted(below):
        for kill in (os.killpg, os.kill):
            try:
                kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


class Runner:
    """The running submissions: their processes, so a signal can kill them all."""

    def __init__(self):
        self.lock = threading.Lock()
        self.procs = set()
        self.stop = threading.Event()

    def start(self, argv, **kw):
        with self.lock:
            if self.stop.is_set():
                return None
            proc = subprocess.Popen(argv, start_new_session=True, **kw)
            self.procs.add(proc)
            return proc

    def finish(self, proc):
        with self.lock:
            self.procs.discard(proc)

    def kill_all(self):
        self.stop.set()
        with self.lock:
            procs = list(self.procs)
        for proc in procs:
            kill_tree(proc)


def compile_error(log_text, lines=4):
    """Return the compiler's first error line and the few after it, or None."""
    log = log_text.splitlines()
    for i, line in enumerate(log):
        if COMPILE_ERROR_RE.search(line):
            return [s.rstrip() for s in log[i:i + lines] if s.strip()]
    return None


def grade_one(args, runner, student, path, notes, out_dir):
    """Place and grade one submission; return its row (a dict)."""
    started = time.monotonic()
    sdir = os.path.join(out_dir, student)
    tree = os.path.join(sdir, "tree")
    shutil.rmtree(sdir, ignore_errors=True)
    os.makedirs(sdir)
    row = {"student": student, "lab": args.lab, "tests": {}, "total": 0, "max": 100 * args.lab,
           "boots": 0, "seconds": 0.0, "warnings": list(notes), "status": "graded",
           "submission": os.path.abspath(path), "message": None}
    log_path = os.path.join(sdir, "grade.log")
    try:
        report = submission.place(path, args.repo, tree, args.lab)
    except Exception as e:      # a submission must never stop the class
        report = None
        row["status"] = "error"
        row["message"] = "could not place the submission: %s: %s" % (type(e).__name__, e)
        row["warnings"].append(row["message"])
    if report is not None:
        with open(os.path.join(sdir, "submission.json"), "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
        lines = submission.summary_lines(report)
        with open(log_path, "w") as f:
            f.write("".join(line + "\n" for line in lines))
        row["warnings"] += [re.sub(r"^submission: ", "", line) for line in lines
                            if not line.startswith("submission: took ")]
        if report["error"]:
            row["status"] = "error"
            row["message"] = report["error"]
    if row["status"] == "graded":
        run_grader(args, runner, row, tree, sdir, log_path)
    row["seconds"] = round(time.monotonic() - started, 1)
    if not args.keep:
        shutil.rmtree(tree, ignore_errors=True)
    return row


def run_grader(args, runner, row, tree, sdir, log_path):
    results = os.path.join(tree, "build", "class-results")
    argv = ["make", "-s", "--no-print-directory", "grade", "LAB=%d" % args.lab, "SOL=0",
            "STRICT=1", "GRADE_JOBS=1", "GRADE_RESULTS=%s" % results,
            "TIMEOUT_SCALE=%s" % args.timeout_scale]
    if args.cc:
        argv.append("CC=%s" % args.cc)
    limit = args.time_limit
    with open(log_path, "a") as log:
        log.write("$ %s\n" % " ".join(argv))
        log.flush()
        proc = runner.start(argv, cwd=tree, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, env=child_env())
    if proc is None:
        row["status"], row["message"] = "interrupted", "interrupted before grading"
        row["warnings"].append(row["message"])
        return
    deadline = time.monotonic() + limit
    try:
        while True:
            try:
                proc.wait(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                pass
            if runner.stop.is_set():
                kill_tree(proc)
                row["status"], row["message"] = "interrupted", "interrupted"
                break
            if time.monotonic() > deadline:
                kill_tree(proc)
                row["status"] = "timeout"
                row["message"] = "time limit (%g s) exceeded" % limit
                break
    finally:
        runner.finish(proc)
    if row["status"] != "graded":
        row["warnings"].append(row["message"])
        with open(log_path, "a") as log:
            log.write("grade-class: %s; the grader's process group was killed\n" % row["message"])
        return
    for name in ("results.json", "junit.xml"):
        if os.path.exists(os.path.join(results, name)):
            shutil.copy(os.path.join(results, name), os.path.join(sdir, name))
    try:
        with open(os.path.join(sdir, "results.json")) as f:
            data = json.load(f)
    except (OSError, ValueError):
        with open(log_path, errors="replace") as f:
            text = f.read()
        error = compile_error(text)
        row["status"] = "build" if error else "error"
        if error:
            row["message"] = "did not compile: " + " | ".join(error)
        else:
            tail = [s for s in text.splitlines() if s.strip()][-3:]
            row["message"] = "the grader wrote no results (exit status %s): %s" % (
                proc.returncode, " | ".join(tail))
        row["warnings"].append(row["message"])
        return
    row["results"] = data
    for test in data.get("tests", []):
        row["tests"][test["id"]] = test
    row["total"] = data.get("score", 0)
    row["max"] = sum(t.get("max_score", 0) for t in data.get("tests", []))
    row["boots"] = sum(t.get("extra_data", {}).get("boots", 0) for t in data.get("tests", []))


def write_failed_results(row, known, lab):
    """Write results.json and junit.xml for a row the grader wrote none for: every test 0."""
    sdir = row["sdir"]
    message = row["message"] or "not graded"
    tests = []
    for tid, info in known.items():
        tests.append({"id": tid, "number": tid, "name": info["name"], "score": 0,
                      "max_score": info["max_score"], "status": "failed", "output": message,
                      "visibility": "visible", "tags": ["lab%d" % info["lab"]],
                      "extra_data": {"lab": info["lab"], "seconds": 0, "boots": 0}})
    data = {"score": 0, "execution_time": row["seconds"], "output": "Score: 0/%d (%s)" % (
        row["max"], message), "visibility": "visible", "stdout_visibility": "visible",
        "tests": tests}
    with open(os.path.join(sdir, "results.json"), "w") as f:
        json.dump(data, f, indent=2)
    with open(os.path.join(sdir, "junit.xml"), "w") as f:
        f.write(class_report.failed_junit(row["student"], message, known, lab))


def known_tests(rows, lab):
    """{test id: name, max_score, lab} over every graded row, ordered by lab then id."""
    known = {}
    for row in rows:
        for tid, test in row["tests"].items():
            known.setdefault(tid, {"name": test.get("name", tid),
                                   "max_score": test.get("max_score", 0),
                                   "lab": test.get("extra_data", {}).get("lab", 0)})
    return dict(sorted(known.items(), key=lambda kv: (kv[1]["lab"], kv[0])))


def write_gradebook(path, rows, known):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "lab"] + list(known) +
                   ["total", "max", "boots", "seconds", "warnings"])
        for row in rows:
            w.writerow([row["student"], row["lab"]] +
                       [row["tests"].get(t, {}).get("score", 0) for t in known] +
                       [row["total"], row["max"], row["boots"], row["seconds"],
                        "; ".join(row["warnings"])])


LINE = "%-*s  %9s  %5s  %7s  %s"


def short_line(row, width=18):
    warn = "; ".join(row["warnings"])
    if len(warn) > 100:
        warn = warn[:97] + "..."
    return LINE % (width, row["student"], "%s/%s" % (row["total"], row["max"]), row["boots"],
                   "%.1f" % row["seconds"], warn)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", help="a directory with one entry per submission")
    parser.add_argument("--lab", type=int, required=True)
    parser.add_argument("--out", help="output directory (default build/class-lab<N>)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--time-limit", type=float, help="seconds per submission")
    parser.add_argument("--timeout-scale", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help="keep each placed tree")
    parser.add_argument("--repo", default=REPO, help="the instructor's tree (default: this one)")
    parser.add_argument("--cc", help="the compiler to grade with (default: the Makefile's)")
    args = parser.parse_args(argv)
    args.repo = os.path.abspath(args.repo)
    if args.time_limit is None:
        args.time_limit = default_time_limit(args.lab) * args.timeout_scale
    args.timeout_scale = "%g" % args.timeout_scale
    out_dir = os.path.abspath(args.out or os.path.join(REPO, "build", "class-lab%d" % args.lab))
    if not os.path.isdir(args.submissions):
        parser.error("SUBMISSIONS=%s is not a directory" % args.submissions)
    subs = find_submissions(args.submissions)
    if not subs:
        parser.error("no submission in %s" % args.submissions)
    problems = submission.committed_tree_problems(args.repo)
    if problems:
        print("grade-class: the tree students are graded in (%s, committed) does not match its "
              "own labs/pristine.sums, so STRICT=1 would fail every submission:" % args.repo,
              file=sys.stderr)
        for p in problems[:12]:
            print("  " + p, file=sys.stderr)
        print("grade-class: run make pristine, commit labs/pristine.sums, and grade again.",
              file=sys.stderr)
        return 2
    os.makedirs(out_dir, exist_ok=True)
    jobs = max(1, min(args.jobs, len(subs)))
    width = max(len(s[0]) for s in subs)
    print("grade-class: %d submission(s) from %s, lab %d, %d at a time, %g s each at most; "
          "results in %s" % (len(subs), args.submissions, args.lab, jobs, args.time_limit,
                             out_dir), flush=True)

    runner = Runner()
    rows, todo = [], list(subs)
    lock = threading.Lock()
    started = time.monotonic()

    def worker():
        while not runner.stop.is_set():
            with lock:
                if not todo:
                    return
                student, path, notes = todo.pop(0)
            try:
                row = grade_one(args, runner, student, path, notes, out_dir)
            except Exception as e:
                row = {"student": student, "lab": args.lab, "tests": {}, "total": 0,
                       "max": 100 * args.lab, "boots": 0, "seconds": 0.0, "status": "error",
                       "message": "grade-class failed on it: %s: %s" % (type(e).__name__, e)}
                row["warnings"] = [row["message"]]
            row["sdir"] = os.path.join(out_dir, student)
            with lock:
                rows.append(row)
                print("[%d/%d] %s" % (len(rows), len(subs), short_line(row, width)),
                      flush=True)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(jobs)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(timeout=0.25)
    except KeyboardInterrupt:
        print("grade-class: interrupted: killing every running submission", flush=True)
        runner.kill_all()
        for t in threads:
            t.join(timeout=15)
        return 130

    rows.sort(key=lambda r: r["student"])
    known = known_tests(rows, args.lab)
    full = sum(v["max_score"] for v in known.values()) or 100 * args.lab
    for row in rows:
        if "results" not in row:
            write_failed_results(row, known, args.lab)
    write_gradebook(os.path.join(out_dir, "gradebook.csv"), rows, known)
    with open(os.path.join(out_dir, "summary.html"), "w") as f:
        f.write(class_report.html(rows, known, args.lab, time.monotonic() - started))
    print()
    print(LINE % (width, "student", "score", "boots", "seconds", "warnings"))
    for row in rows:
        print(short_line(row, width))
    totals = [r["total"] for r in rows]
    print("grade-class: %d graded in %.0f s; mean %.1f/%d; %s/gradebook.csv, %s/summary.html"
          % (len(rows), time.monotonic() - started, sum(totals) / len(totals), full,
             out_dir, out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
