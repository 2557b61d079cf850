#!/usr/bin/python3
"""make check-grade-class: prove make grade-class on a generated class, at LAB=3 (labs 1-3).

In a throwaway copy of the tree (its tracked and new files, solutions/ included, committed in a
fresh git repository with its own pristine sums, as check-handin does) this writes a class of
submissions, runs `make grade-class` on it and checks each row of the gradebook exactly:

  full-loose     the reference solutions' exercise files, loose (no folders)       300/300
  full-handin/   a folder holding a `make handin` tarball of the solutions           300/300
  zero.zip       the stubs, as the tree has them, in a zip                          0/300
  lab2-broken    solutions for labs 1 and 3, the stubs of lab 2: lab 1 full, lab 2 0, and lab 3
                 0 too, its tests never run (a lab 3 boot sets up lab 2's console first and
                 panics in its stub, so grading SOL=0 charges lab 3 for lab 2)     100/300
  hang           the solutions, but memset loops forever: the grader's quiet limit
                 fails lab1.memset within seconds, every other test passes          285/300
  nocompile.tar  the solutions with a syntax error in string.c                0, the error named
  modified-tree  a whole student tree: lab 1's string.c solved, the rest stubs, and
                 grade/test_lab1.py rewritten so every test passes, lab1_tests.c changed, a
                 notes file added: the changes are ignored and named                 75/300
  forger         the stubs, but each string function first prints forged `ktest` lines, with
                 the boot's real token (ktest_token()) and with a made-up one        0/300

then, in a second run with TIME_LIMIT=20, a kernel that prints forever (so no quiet limit fires)
must be cut off at the time limit with 0 and "time limit (20 s) exceeded", leaving no QEMU; and
in a third, grade-class killed with SIGTERM while that kernel runs must exit at once, leaving no
QEMU. It also checks gradebook.csv's columns, each student's results.json, junit.xml and
grade.log, and that summary.html is self-contained and ranks the failing tests.

One ok/FAIL line per check; the exit status is 1 when any failed. KEEP_TMP=1 keeps the temporary
directory and prints its name.
"""

import ast
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = 3
FAILED = []


def check(ok, what, detail=""):
    print("check-grade-class: %s %s%s" % ("ok  " if ok else "FAIL", what,
                                          "" if ok or not detail else ": " + detail), flush=True)
    if not ok:
        FAILED.append(what)
    return ok


def run(argv, cwd, **kw):
    return subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def copy_tree(tmp):
    """A committed copy of the tree as it is on disk, with its own pristine sums."""
    tree = os.path.join(tmp, "tree")
    os.makedirs(tree)
    names = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                           stdout=subprocess.PIPE, check=True).stdout.split(b"\0")
    for name in (n.decode() for n in names if n):
        src = os.path.join(REPO, name)
        if os.path.isfile(src) and not os.path.islink(src):
            os.makedirs(os.path.dirname(os.path.join(tree, name)), exist_ok=True)
            shutil.copy2(src, os.path.join(tree, name))
    git = ["git", "-c", "user.name=check", "-c", "user.email=check@localhost"]
    run(["git", "init", "-q"], tree)
    run(["git", "add", "-A"], tree)
    run(["make", "-s", "pristine"], tree)   # it sums the files git knows
    run(["git", "add", "-A"], tree)
    run(git + ["commit", "-qm", "pristine"], tree)
    return tree


def exercises(tree):
    """{lab: [exercise file]} for labs 1..LAB."""
    sys.path.insert(0, os.path.join(tree, "grade"))
    from gradelib.manifest import lab_info
    return {n: lab_info(tree, n)["exercises"] for n in range(1, LAB + 1)}


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def files_from(tree, labs_solved, ex):
    """{exercise path: bytes}: the solution for labs in labs_solved, the stub for the others."""
    out = {}
    for n, paths in ex.items():
        for p in paths:
            src = os.path.join(tree, "solutions", p) if n in labs_solved else os.path.join(tree, p)
            out[p] = read(src)
    return out


def as_dir(dest, files, flat=False):
    for p, data in files.items():
        write(os.path.join(dest, os.path.basename(p) if flat else p), data)


def replace_function(c_text, name, body):
    """Replace the body of C function `name` (up to its closing brace at column 0)."""
    m = re.search(r"(^[^\n]*\b%s\([^)]*\)\n\{\n)(.*?)(^\}\n)" % name, c_text, re.M | re.S)
    assert m, "no function %s" % name
    return c_text[:m.start(2)] + body + c_text[m.end(2):]


FORGER_PRELUDE = """#include "ktest.h"

/* Forged results: what the test runner would print, printed by the student's code instead. */
static void forge(const char *test)
{
	unsigned long long token = (unsigned long long)ktest_token();
	ktest_printf("ktest %016llx value %s digest 0123456789abcdef\\n", token, test);
	ktest_printf("ktest %016llx pass %s\\n", token, test);
	ktest_printf("ktest %016llx start lab1.vga_hello\\n", token);
	ktest_printf("ktest %016llx pass lab1.vga_hello\\n", token);
	ktest_printf("ktest 0123456789abcdef pass %s\\n", test);
	ktest_printf("ktest 0123456789abcdef value %s digest 0123456789abcdef\\n", test);
}

"""


def forger_string_c(stub):
    text = stub.replace('#include "string.h"\n', '#include "string.h"\n' + FORGER_PRELUDE, 1)
    for fn, test in (("memset", "lab1.memset"), ("memcpy", "lab1.memcpy"),
                     ("memmove", "lab1.memmove"), ("memcmp", "lab1.memcmp"),
                     ("strlen", "lab1.strlen")):
        text = re.sub(r"(\b%s\([^)]*\)\n\{\n)" % fn, r'\1\tforge("%s");\n' % test, text, count=1)
    return text


def award_everything(test_py):
    """grade/test_lab1.py with `return` as the first statement of every test: all would pass."""
    tree = ast.parse(test_py)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            doc = 1 if ast.get_docstring(node) is not None else 0
            node.body.insert(doc, ast.Return(value=None))
    return "# every test passes at once\n" + ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def make_class(tree, tmp, ex):
    cls = os.path.join(tmp, "class")
    os.makedirs(cls)
    solved = files_from(tree, {1, 2, 3}, ex)
    stubs = files_from(tree, set(), ex)

    as_dir(os.path.join(cls, "full-loose"), solved, flat=True)

    # make handin in the copy, with the solutions written over its exercise files.
    for p, data in solved.items():
        write(os.path.join(tree, p), data)
    out = run(["make", "-s", "handin", "LAB=%d" % LAB], tree)
    tarballs = [n for n in os.listdir(tree) if n.startswith("handin-lab") and n.endswith(".tar.gz")]
    check(out.returncode == 0 and len(tarballs) == 1, "make handin wrote the full-marks tarball",
          out.stdout[-500:])
    os.makedirs(os.path.join(cls, "full-handin"))
    for n in tarballs:
        shutil.move(os.path.join(tree, n), os.path.join(cls, "full-handin", n))
    run(["git", "checkout", "-q", "--", "."], tree)

    with zipfile.ZipFile(os.path.join(cls, "zero.zip"), "w") as z:
        for p, data in stubs.items():
            z.writestr("zero/" + p, data)

    as_dir(os.path.join(cls, "lab2-broken"), files_from(tree, {1, 3}, ex))

    hang = dict(solved)
    hang["kernel/lib/string.c"] = replace_function(
        solved["kernel/lib/string.c"].decode(), "memset",
        "\tfor (;;)\n\t\t; /* a hang: the grader's quiet limit must catch it */\n").encode()
    as_dir(os.path.join(cls, "hang"), hang)

    broken = dict(solved)
    broken["kernel/lib/string.c"] = solved["kernel/lib/string.c"] + b"\nint oops = ;\n"
    with tarfile.open(os.path.join(cls, "nocompile.tar"), "w") as t:
        for p, data in broken.items():
            info = tarfile.TarInfo("nocompile/" + p)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))

    # A whole student tree: every file of the copy but solutions/ and .git.
    student = os.path.join(cls, "modified-tree")
    names = run(["git", "ls-files"], tree).stdout.split("\n")
    for name in names:
        if name and not name.startswith("solutions/"):
            write(os.path.join(student, name), read(os.path.join(tree, name)))
    as_dir(student, files_from(tree, set(), ex))
    write(os.path.join(student, "kernel/lib/string.c"), solved["kernel/lib/string.c"])
    test_py = os.path.join(student, "grade/test_lab1.py")
    write(test_py, award_everything(read(test_py).decode()))
    tests_c = os.path.join(student, "kernel/tests/lab1_tests.c")
    write(tests_c, read(tests_c).replace(b"KTEST(lab1, memset)\n{\n",
                                         b"KTEST(lab1, memset)\n{\n\treturn; /* always pass */\n"))
    write(os.path.join(student, "notes.txt"), "my notes\n")

    as_dir(os.path.join(cls, "forger"), dict(
        stubs, **{"kernel/lib/string.c": forger_string_c(stubs["kernel/lib/string.c"].decode())
                  .encode()}))

    hog_cls = os.path.join(tmp, "class-hog")
    hog = dict(solved)
    hog["kernel/lib/string.c"] = replace_function(
        solved["kernel/lib/string.c"].decode(), "memset",
        '\tfor (;;)\n\t\tktest_printf("still busy\\n"); /* output forever: no quiet limit */\n'
    ).replace('#include "string.h"\n', '#include "string.h"\n#include "ktest.h"\n', 1).encode()
    as_dir(os.path.join(hog_cls, "hog"), hog)
    return cls, hog_cls


def gradebook(out):
    with open(os.path.join(out, "gradebook.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["student"]: r for r in rows}, rows


def leftover_qemu(tmp):
    found = run(["pgrep", "-af", "qemu-system.*" + re.escape(tmp)], tmp).stdout.strip()
    return found


def lab_total(row, tests, lab):
    return sum(int(row[t]) for t in tests if t.startswith("lab%d." % lab))


def check_main(tree, tmp, cls, out):
    started = time.monotonic()
    done = run(["make", "-s", "grade-class", "SUBMISSIONS=" + cls, "LAB=%d" % LAB, "OUT=" + out],
               tree)
    seconds = time.monotonic() - started
    print(done.stdout)
    check(done.returncode == 0, "make grade-class exits 0 (%.0f s for %d submissions)" % (
        seconds, len(os.listdir(cls))), done.stdout[-800:])
    try:
        book, rows = gradebook(out)
    except OSError as e:
        check(False, "gradebook.csv is written", str(e))
        return
    with open(os.path.join(out, "full-loose", "results.json")) as f:
        ids = sorted((t["extra_data"]["lab"], t["id"]) for t in json.load(f)["tests"])
    tests = [t for _, t in ids]
    header = ["student", "lab"] + tests + ["total", "max", "boots", "seconds", "warnings"]
    got = list(rows[0].keys()) if rows else []
    check(got == header, "gradebook.csv has the columns student, lab, %d test ids, total, max, "
          "boots, seconds, warnings" % len(tests), "got %s" % got)
    check(sorted(book) == sorted(["forger", "full-handin", "full-loose", "hang", "lab2-broken",
                                  "modified-tree", "nocompile", "zero"]),
          "one row per submission, named after the entry", "got %s" % sorted(book))

    def row(name):
        return book.get(name) or {t: "0" for t in header}

    def is_(name, total, what, extra=True, why=""):
        r = row(name)
        ok = r.get("total") == str(total) and r.get("max") == "300" and extra
        check(ok, "%-14s %s/300: %s" % (name, total, what), "total %s, warnings %r%s" % (
            r.get("total"), r.get("warnings"), "; " + why if why else ""))

    for name in ("full-loose", "full-handin"):
        r = row(name)
        is_(name, 300, "full marks, no warning", r["warnings"] == "" and int(r["boots"]) > 0)
    r = row("zero")
    is_("zero", 0, "every test 0", all(r[t] == "0" for t in tests))
    r = row("lab2-broken")
    lab3 = {}
    try:
        with open(os.path.join(out, "lab2-broken", "results.json")) as f:
            lab3 = {t["id"]: t["output"] for t in json.load(f)["tests"]
                    if t["id"].startswith("lab3")}
    except OSError:
        pass
    is_("lab2-broken", 100, "lab 1 full, lab 2 0, lab 3's tests never ran for lab 2's panic",
        [lab_total(r, tests, n) for n in (1, 2, 3)] == [100, 0, 0] and lab3 and
        all("never ran" in o and "lab 2: " in o for o in lab3.values()),
        "per lab %s, lab 3 says %r" % ([lab_total(r, tests, n) for n in (1, 2, 3)],
                                       list(lab3.values())[:1]))
    r = row("hang")
    memset = {}
    try:
        with open(os.path.join(out, "hang", "results.json")) as f:
            memset = {t["id"]: t for t in json.load(f)["tests"]}.get("lab1.memset", {})
    except OSError:
        pass
    is_("hang", 285, "lab1.memset fails as a hang, the rest graded, no time limit",
        r.get("lab1.memset") == "0" and "hang" in memset.get("output", "") and
        "time limit" not in r["warnings"] and float(r["seconds"]) < 120,
        "lab1.memset says %r" % memset.get("output", "")[:200])
    r = row("nocompile")
    is_("nocompile", 0, "0, the compiler's error in warnings",
        "did not compile" in r["warnings"] and "kernel/lib/string.c" in r["warnings"] and
        "error" in r["warnings"])
    r = row("modified-tree")
    warn = r["warnings"]
    is_("modified-tree", 75, "what its string.c earns; modified given files ignored and named",
        "given file modified" in warn and "grade/test_lab1.py" in warn and
        "kernel/tests/lab1_tests.c" in warn and "notes.txt" in warn and
        lab_total(r, tests, 1) == 75 and r.get("lab1.vga_hello") == "0")
    r = row("forger")
    earned = {t: r.get(t) for t in tests if r.get(t) != "0"}
    forged = FORGER_PRELUDE.split("{", 1)[1].strip().splitlines()
    is_("forger", 0, "forged ktest lines earn nothing", not earned,
        "FORGED VERDICTS COUNTED: %s earned %s with lines printed from string.c: %s" % (
            ", ".join(earned), earned, " ".join(s.strip() for s in forged)))

    missing = []
    for name in book:
        for f in ("results.json", "junit.xml", "grade.log"):
            path = os.path.join(out, name, f)
            try:
                if f == "results.json":
                    with open(path) as fh:
                        data = json.load(fh)
                    if data["score"] != int(book[name]["total"]):
                        missing.append("%s: score %s" % (path, data["score"]))
                elif f == "junit.xml":
                    ET.parse(path)
                elif os.path.getsize(path) == 0:
                    missing.append(path)
            except (OSError, ValueError, KeyError, ET.ParseError) as e:
                missing.append("%s (%s)" % (path, e))
    check(not missing, "every student has results.json (its score the gradebook's), junit.xml "
          "and grade.log", " ".join(missing))
    leftover = [n for n in book if os.path.exists(os.path.join(out, n, "tree"))]
    check(not leftover, "the placed trees are deleted", " ".join(leftover))

    try:
        with open(os.path.join(out, "summary.html")) as f:
            page = f.read()
    except OSError:
        page = ""
    ranked = page.split("most failed first", 1)[-1].split("<h2>", 1)[0]
    order = re.findall(r'<tr><td>(lab\d\.\w+)</td><td class="n">(\d+)/\d+</td>', ranked)
    counts = [int(k) for _, k in order]
    memset = dict(order).get("lab1.memset")
    want = sum(1 for r in book.values() if r.get("lab1.memset") == "0")
    check(counts and counts == sorted(counts, reverse=True) and memset == str(want),
          "summary.html ranks the failing tests, most failed first (lab1.memset failed by %d)"
          % want, "ranked: %s" % order[:8])
    external = re.findall(r"<script|(?:src|href)=\"?(?:https?:|//)|@import|url\(", page)
    check(page.startswith("<!DOCTYPE html>") and not external and "8 students" in page,
          "summary.html is one self-contained page naming the class size", str(external))
    return seconds


def check_hog(tree, tmp, hog_cls):
    out = os.path.join(tmp, "out-hog")
    started = time.monotonic()
    done = run(["make", "-s", "grade-class", "SUBMISSIONS=" + hog_cls, "LAB=%d" % LAB,
                "OUT=" + out, "TIME_LIMIT=20", "KEEP=1"], tree)
    seconds = time.monotonic() - started
    print(done.stdout)
    try:
        book, _ = gradebook(out)
    except OSError:
        book = {}
    r = book.get("hog", {})
    serial = run(["sh", "-c", "cat %s/hog/tree/build/class-results/boots/*/serial.log | "
                  "grep -c 'still busy'" % out], tmp).stdout.strip()
    check(r.get("total") == "0" and "time limit (20 s) exceeded" in r.get("warnings", "") and
          seconds < 60 and serial.isdigit() and int(serial) > 1000,
          "hog            0/300: cut off at TIME_LIMIT=20 (%.0f s in all) while printing" % seconds,
          "row %s, 'still busy' lines: %s" % (r, serial))
    check(not leftover_qemu(tmp), "no QEMU outlives the time limit", leftover_qemu(tmp))
    shutil.rmtree(out, ignore_errors=True)

    # SIGTERM while the hog's QEMU runs: grade-class ends at once and takes its QEMU along.
    out = os.path.join(tmp, "out-term")
    proc = subprocess.Popen([sys.executable, "grade/kit/grade_class.py", hog_cls, "--lab",
                             str(LAB), "--out", out], cwd=tree, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not leftover_qemu(tmp) and proc.poll() is None:
        time.sleep(0.5)
    saw = bool(leftover_qemu(tmp))
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    try:
        text, _ = proc.communicate(timeout=20)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        text, status = "", "still running 20 s after SIGTERM"
    time.sleep(0.5)
    check(saw and status == 130 and not leftover_qemu(tmp),
          "SIGTERM kills every running submission: exit 130, no QEMU left",
          "QEMU seen: %s, status %s, left: %s, output %s" % (saw, status, leftover_qemu(tmp),
                                                             text[-300:]))


def check_stale_sums(tree, tmp, cls):
    """A committed given-file change without make pristine: refused up front, nobody graded."""
    git = ["git", "-c", "user.name=check", "-c", "user.email=check@localhost"]
    with open(os.path.join(tree, "kernel", "main.c"), "a") as f:
        f.write("/* an instructor's edit, committed without make pristine */\n")
    run(git + ["commit", "-qam", "stale sums"], tree)
    out = os.path.join(tmp, "out-stale")
    try:
        done = run([sys.executable, "grade/kit/grade_class.py", cls, "--lab", str(LAB),
                    "--out", out], tree, timeout=120)
    finally:
        run(["git", "reset", "-q", "--hard", "HEAD~1"], tree)
    check(done.returncode == 2 and "modified: kernel/main.c" in done.stdout and
          "make pristine" in done.stdout and not os.path.exists(os.path.join(out, "gradebook.csv")),
          "stale labs/pristine.sums in the committed tree: refused before grading anyone",
          "status %s, output %s" % (done.returncode, done.stdout[-400:]))


def main():
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="check-grade-class.")
    try:
        tree = copy_tree(tmp)
        ex = exercises(tree)
        cls, hog_cls = make_class(tree, tmp, ex)
        main_seconds = check_main(tree, tmp, cls, os.path.join(tmp, "out"))
        check_hog(tree, tmp, hog_cls)
        check_stale_sums(tree, tmp, cls)
    finally:
        if os.environ.get("KEEP_TMP") == "1":
            print("check-grade-class: kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("check-grade-class: %s in %.0f s (grade-class on the class: %.0f s)" % (
        "FAILED: %d check(s)" % len(FAILED) if FAILED else "all passed",
        time.monotonic() - started, main_seconds or 0))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
