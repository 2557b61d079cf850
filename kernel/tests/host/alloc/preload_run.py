#!/usr/bin/python3
"""preload_run.py: runs real programs under glibc's malloc and under each design's LD_PRELOAD
shim (libkalloc-<design>.so, preload.c), for preload.mk.

  bench   python3 programs/workload.py, gcc -c -O2 of kernel sources (preprocessed once into
          a scratch directory, so the tree may change during the run) and sqlite3 with
          programs/workload.sql. Each program runs --runs times on glibc and on every design,
          the rounds interleaved so that noise from other users of the machine spreads over all
          of them; the time is the median wall clock. Every run's output (stdout, and the
          object files for gcc) is compared with glibc's first run. Prints the table and writes
          <out>/bench/programs.csv.
  smoke   tiny runs of the same programs and preload_test under every shim.

Exit status 1 when a design other than bump gave different output, crashed or timed out
(bump may run out of memory: it reclaims only once everything is free), or when the shim
was not loaded at all.
"""
import argparse
import csv
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PYTHON = "/usr/bin/python3"
TIMEOUT = 120
# What a program prints when malloc returns NULL; a failing run that says one of these is
# "out of memory", not a crash.
OOM_WORDS = ("MemoryError", "out of memory", "memory exhausted", "Cannot allocate memory",
             "ENOMEM", "cannot allocate")
# Kernel sources for the gcc program, with the flags alloc.mk compiles them with.
GCC_SOURCES = ["kernel/tests/host/alloc/test_alloc.c", "kernel/lib/kprintf.c",
               "solutions/kernel/mm/alloc_buddy.c"]
GCC_INC = ["-include", "kernel/tests/host/alloc/shim/config.h",
           "-iquote", "kernel/tests/host/alloc", "-iquote", "kernel/tests/host",
           "-iquote", "kernel/tests/host/shim", "-iquote", "kernel/mm",
           "-iquote", "kernel/core", "-iquote", "kernel/lib", "-iquote", "kernel"]


def run_once(argv, env_so, cwd, stdin_path=None, timeout=TIMEOUT):
    """One run: (status, seconds, stdout bytes, stderr text). status is ok, out of memory,
    crashed (signal N), exit N, timeout or not preloaded."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    if env_so:
        env["LD_PRELOAD"] = env_so
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, stdin=stdin, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - t0, b"", ""
    finally:
        if stdin_path:
            stdin.close()
    dt = time.monotonic() - t0
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:  # a failing test says why on stdout
        err = p.stdout.decode(errors="replace")[-2000:] + err
    if "cannot be preloaded" in err:
        return "not preloaded", dt, p.stdout, err
    if p.returncode == 0:
        return "ok", dt, p.stdout, err
    if any(w in err for w in OOM_WORDS):
        return "out of memory", dt, p.stdout, err
    if p.returncode < 0:
        return "crashed (signal %d)" % -p.returncode, dt, p.stdout, err
    return "exit %d" % p.returncode, dt, p.stdout, err


def digest_dir(d):
    """A digest of every .o file under d, by name and content."""
    h = hashlib.sha256()
    for name in sorted(os.listdir(d)):
        if name.endswith(".o"):
            h.update(name.encode() + b"\0")
            with open(os.path.join(d, name), "rb") as f:
                h.update(f.read())
    return h.hexdigest()


class Program:
    """A program to run: argv, an optional stdin file, and whether it writes object files
    into its working directory (compared instead of stdout being the only output)."""

    def __init__(self, name, argv, stdin=None, objects=False):
        self.name, self.argv, self.stdin, self.objects = name, argv, stdin, objects

    def run(self, so, scratch):
        cwd = os.path.join(scratch, "run")
        if os.path.isdir(cwd):
            shutil.rmtree(cwd)
        os.makedirs(cwd)
        status, dt, out, err = run_once(self.argv, so, cwd, self.stdin)
        key = hashlib.sha256(out).hexdigest()
        if self.objects and status == "ok":
            key += digest_dir(cwd)
        return status, dt, key, err


def preprocess(tree, scratch, sources):
    """gcc -E each source into scratch/src/<name>.i: a snapshot the timed runs compile."""
    src = os.path.join(scratch, "src")
    os.makedirs(src, exist_ok=True)
    out = []
    for s in sources:
        dst = os.path.join(src, os.path.basename(s)[:-2] + ".i")
        subprocess.run(["gcc", "-std=gnu11", "-E", "-D_GNU_SOURCE", "-DHEAP_FAST=1",
                        "-DFUZZ_DESIGN=\"slab\""] + GCC_INC + ["-o", dst, s],
                       cwd=tree, check=True)
        out.append(dst)
    return out


def bench_programs(a, scratch):
    progs = a.programs
    files = preprocess(a.tree, scratch, GCC_SOURCES)
    gcc = ["gcc", "-std=gnu11", "-c", "-O2", "-g", "-w", "-fpreprocessed"] + files
    return [Program("python", [PYTHON, os.path.join(progs, "workload.py"), "1"]),
            Program("gcc", gcc, objects=True),
            Program("sqlite", ["sqlite3", ":memory:"], stdin=os.path.join(progs,
                                                                          "workload.sql"))]


def smoke_programs(a, scratch):
    progs = a.programs
    small = os.path.join(scratch, "small.c")
    with open(small, "w") as f:
        f.write("#include <stdio.h>\n#include <stdlib.h>\n"
                "struct node { struct node *next; int v; };\n"
                "int sum(struct node *n) { int s = 0; for (; n; n = n->next) s += n->v;"
                " return s; }\n"
                "int main(void) { printf(\"%d\\n\", sum(NULL)); return 0; }\n")
    sql = os.path.join(scratch, "small.sql")
    with open(sql, "w") as f:
        f.write("CREATE TABLE t(a INTEGER, b TEXT);\n"
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500)\n"
                "INSERT INTO t SELECT x, printf('row%05d', x * 7 % 500) FROM c;\n"
                "CREATE INDEX tb ON t(b);\n"
                "SELECT count(*), sum(a), min(b), max(b) FROM t;\n"
                "SELECT b, a FROM t ORDER BY b DESC LIMIT 3;\n")
    return [Program("python", [PYTHON, "-c",
                               "import json, re; d = {str(i): [i] * (i % 7) for i in "
                               "range(3000)}; s = json.dumps(d, sort_keys=True); "
                               "print(len(s), len(re.findall(r'\\d+', s)), "
                               "sorted(d, key=lambda k: -len(d[k]))[:3])"]),
            Program("gcc", ["gcc", "-c", "-O2", small], objects=True),
            Program("sqlite", ["sqlite3", ":memory:"], stdin=sql),
            Program("preload_test", [os.path.join(a.out, "preload_test")])]


def measure(a, programs, designs, runs, scratch):
    """results[(program, design)] = dict(status, times, same)."""
    res = {}
    for r in range(runs):
        for prog in programs:
            for d in ["glibc"] + designs:
                cell = res.setdefault((prog.name, d), {"status": "ok", "times": [],
                                                       "same": True, "err": ""})
                if cell["status"] != "ok":
                    continue  # one failure is enough; do not spend time on it again
                so = None if d == "glibc" else os.path.join(a.out, "libkalloc-%s.so" % d)
                env_design = {"PRELOAD_TEST_DESIGN": d}
                os.environ.update(env_design)
                status, dt, key, err = prog.run(so, scratch)
                cell["status"] = status
                cell["err"] = err
                if status != "ok":
                    continue
                cell["times"].append(dt)
                ref = res[(prog.name, "glibc")].setdefault("key", key)
                if key != ref:
                    cell["same"] = False
                    cell["status"] = "output differs"
            print("  round %d/%d: %s done" % (r + 1, runs, prog.name), file=sys.stderr)
    return res


def report(programs, designs, res, csv_path):
    bad = []
    cols = ["glibc"] + designs
    print("%-13s" % "program" + "".join("%-22s" % c for c in cols))
    rows = []
    for prog in programs:
        base = res[(prog.name, "glibc")]
        g = statistics.median(base["times"]) if base["times"] else None
        line = "%-13s" % prog.name
        for d in cols:
            c = res[(prog.name, d)]
            ok = c["status"] == "ok"
            t = statistics.median(c["times"]) if ok and c["times"] else None
            ratio = t / g if t is not None and g else None
            if ok:
                text = "%.3fs x%s same" % (t, "%.2f" % ratio if ratio is not None else "?")
            else:
                text = c["status"]
                if d == "glibc" or d != "bump" or c["status"] != "out of memory":
                    bad.append((prog.name, d, c["status"], c["err"]))
            line += "%-22s" % text
            rows.append([prog.name, d, c["status"], "%.4f" % t if t is not None else "",
                         "%.3f" % ratio if ratio is not None else "",
                         "yes" if ok else ("no" if c["status"] == "output differs" else ""),
                         " ".join("%.4f" % x for x in c["times"])])
        print(line)
    if csv_path:
        os.makedirs(os.path.dirname(csv_path), exist_ok=True)
        with open(csv_path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["program", "design", "status", "median_s", "ratio_to_glibc",
                        "identical", "times_s"])
            w.writerows(rows)
    if csv_path:  # bench only: the lab's target, on the geometric mean over the programs
        print(target_line(programs, res))
    for prog, d, status, err in bad:
        print("*** %s on %s: %s" % (prog, d, status))
        for l in err.strip().splitlines()[-5:]:
            print("    | " + l)
    return 1 if bad else 0


def target_line(programs, res, designs=("slab", "fixed"), goal=1.3):
    """best design within 1.3x of glibc: slab X.XXx, fixed Y.YYx: met/missed. Each design's
    figure is the geometric mean of its ratios to glibc over the programs; a design that
    failed any program counts as missed."""
    parts, best = [], None
    for d in designs:
        ratios = []
        for prog in programs:
            c, g = res[(prog.name, d)], res[(prog.name, "glibc")]
            if c["status"] != "ok" or not c["times"] or not g["times"]:
                ratios = None
                break
            ratios.append(statistics.median(c["times"]) / statistics.median(g["times"]))
        if ratios:
            r = statistics.geometric_mean(ratios)
            parts.append("%s %.2fx" % (d, r))
            best = r if best is None else min(best, r)
        else:
            parts.append("%s failed" % d)
    verdict = "met" if best is not None and best <= goal else "missed"
    return "best design within %.1fx of glibc: %s: %s" % (goal, ", ".join(parts), verdict)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["bench", "smoke"])
    ap.add_argument("--out", required=True, help="alloc.mk's ALLOC_OUT")
    ap.add_argument("--designs", required=True)
    ap.add_argument("--programs", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tree", default=".")
    a = ap.parse_args()
    a.out = os.path.abspath(a.out)
    a.programs = os.path.abspath(a.programs)
    a.tree = os.path.abspath(a.tree)
    designs = a.designs.split()
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kalloc-") as scratch:
        if a.mode == "bench":
            programs = bench_programs(a, scratch)
            res = measure(a, programs, designs, max(1, a.runs), scratch)
            rc = report(programs, designs, res, os.path.join(a.out, "bench", "programs.csv"))
            print("times: median of %d wall-clock runs; xN: ratio to glibc; written %s"
                  % (a.runs, os.path.join(a.out, "bench", "programs.csv")))
        else:
            programs = smoke_programs(a, scratch)
            res = measure(a, programs, designs, 1, scratch)
            rc = report(programs, designs, res, None)
    print("%s: %s in %.1fs" % (a.mode, "FAILED" if rc else "ok", time.monotonic() - t0))
    return rc


if __name__ == "__main__":
    sys.exit(main())
