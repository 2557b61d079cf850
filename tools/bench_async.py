#!/usr/bin/python3
"""Boot the lab 9 kernel with run=lab9.bench and report what it measured (make bench-async).

Usage: tools/bench_async.py BUILD_DIR [CSV]

BUILD_DIR holds kernel.elf (a lab 9 or later build); CSV (default BUILD_DIR/bench/async.csv) gets
one row per figure. The boot goes through the grader's own machinery (grade/gradelib: a fresh
token, the ISO, QEMU TCG with its time limits), so it can never hang: it ends after at most
TOTAL_LIMIT seconds. The kernel's lab9.bench (kernel/tests/lab9_bench.c) prints value lines;
this script turns its TSC ticks into microseconds with the TSC rate the kernel measured against
the ACPI PM timer. Exit status: 0 with a table, 1 if the boot or the benchmark failed.
"""

import os
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "grade"))

from gradelib import qemu                      # noqa: E402
from gradelib.isoimage import IsoMaker         # noqa: E402
from gradelib.protocol import PASS             # noqa: E402
from gradelib.symbols import Symbols           # noqa: E402

TEST = "lab9.bench"
TOTAL_LIMIT = 120.0    # seconds for the whole boot
QUIET_LIMIT = 30.0     # the benchmark is silent while it measures


class Settings:
    """What gradelib.qemu needs of the grader's settings."""
    def __init__(self, build_dir):
        self.kernel_elf = os.path.join(build_dir, "kernel.elf")
        self.timeout_scale = float(os.environ.get("GRADE_TIMEOUT_SCALE", "1") or 1)
        self.qemu_extra = os.environ.get("QEMUEXTRA", "").split()


def ints(values, key, count):
    words = values.get(key, "").split()
    if len(words) != count or not all(w.isdigit() for w in words):
        raise ValueError("value %s is %r, expected %d numbers" % (key, values.get(key), count))
    return [int(w) for w in words]


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    build_dir = os.path.abspath(argv[1])
    csv_path = argv[2] if len(argv) == 3 else os.path.join(build_dir, "bench", "async.csv")
    settings = Settings(build_dir)
    if not os.path.isfile(settings.kernel_elf):
        print("bench-async: %s does not exist (make iso LAB=9 first)" % settings.kernel_elf,
              file=sys.stderr)
        return 1
    log_dir = os.path.join(build_dir, "bench", "async-boot")
    os.makedirs(log_dir, exist_ok=True)
    spec = qemu.BootSpec(name="bench-async", run=(TEST,), quiet=QUIET_LIMIT, total=TOTAL_LIMIT)
    maker = IsoMaker(settings.kernel_elf)
    try:
        boot = qemu.run_boot(spec, settings, log_dir, iso_maker=maker)
    finally:
        maker.close()
    record = boot.log.record(TEST)
    if record.status != PASS:
        print("bench-async: %s did not pass (%s, %s):" % (TEST, record.status, boot.outcome),
              file=sys.stderr)
        for line in boot.describe(Symbols(settings.kernel_elf, source_root=REPO)) + ([record.reason] if record.reason else []):
            print("  " + line, file=sys.stderr)
        print("  logs: %s" % os.path.relpath(log_dir), file=sys.stderr)
        return 1
    v = record.values
    try:
        hz, _ = ints(v, "tsc_hz", 2)
        tasks, yields, polls, poll_tsc, poll_pm = ints(v, "polls", 5)
        task_rec, state, heap_per_task, stack = ints(v, "bytes", 4)
        rounds, wake_min, wake_med, wake_max = ints(v, "wake", 4)
        switches, sw_tsc, sw_pm = ints(v, "switch", 3)
    except ValueError as e:
        print("bench-async: %s" % e, file=sys.stderr)
        return 1
    us = lambda ticks: ticks * 1e6 / hz                       # noqa: E731
    pm_s = lambda counts: counts / 3579545.0                  # noqa: E731
    poll_ticks = poll_tsc / polls
    sw_ticks = sw_tsc / switches
    rows = [
        ("tsc_hz", hz, "Hz", "TSC rate, measured against the ACPI PM timer over 100 ms"),
        ("polls", polls, "polls", "%d tasks x %d yields, plus each task's last poll" %
         (tasks, yields)),
        ("polls_per_s", round(polls / pm_s(poll_pm)), "1/s", "by the PM timer"),
        ("poll_tsc", round(poll_ticks, 1), "TSC ticks", "per poll (executor round + yield)"),
        ("poll_us", round(us(poll_ticks), 3), "us", "per poll"),
        ("wake_min_tsc", wake_min, "TSC ticks", "task_wake call to the woken poll, %d rounds" %
         rounds),
        ("wake_median_tsc", wake_med, "TSC ticks", "median"),
        ("wake_max_tsc", wake_max, "TSC ticks", "max (a timer interrupt may fall inside)"),
        ("wake_median_us", round(us(wake_med), 3), "us", "median"),
        ("wake_max_us", round(us(wake_max), 3), "us", "max"),
        ("switch_tsc", round(sw_ticks, 1), "TSC ticks", "one minimal stack switch (%d)" %
         switches),
        ("switch_us", round(us(sw_ticks), 3), "us", "one minimal stack switch"),
        ("switches_per_s", round(switches / pm_s(sw_pm)), "1/s", "by the PM timer"),
        ("task_record_bytes", task_rec, "bytes", "sizeof(struct task)"),
        ("task_state_bytes", state, "bytes", "the yielder's state struct"),
        ("heap_per_task_bytes", heap_per_task, "bytes", "heap in use per spawned task "
         "(record + state, usable sizes)"),
        ("thread_stack_bytes", stack, "bytes", "the switch benchmark's thread stack"),
    ]
    print("bench-async: lab 9 executor, measured in the kernel under QEMU TCG (%s)" %
          os.path.relpath(build_dir, REPO))
    print("  NOTE: QEMU TCG emulates the CPU: these are emulated timings (the TSC and PM timer")
    print("  follow the host's clock), good for comparing with each other, not with hardware.")
    print("  %-20s %14s  %-9s  %s" % ("figure", "value", "unit", "what"))
    for key, value, unit, what in rows:
        print("  %-20s %14s  %-9s  %s" % (key, value, unit, what))
    print("  a poll costs %.1fx a minimal stack switch; a wake reaches its poll in %.1f switches"
          % (poll_ticks / sw_ticks, wake_med / sw_ticks))
    print("  a task holds %d heap bytes; a thread would hold a %d-byte stack (%.0fx)" %
          (heap_per_task, stack, stack / heap_per_task if heap_per_task else 0))
    os.makedirs(os.path.dirname(os.path.abspath(csv_path)), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(csv_path)))
    with os.fdopen(fd, "w") as f:
        f.write("figure,value,unit,what\n")
        for key, value, unit, what in rows:
            f.write('%s,%s,%s,"%s"\n' % (key, value, unit, what.replace('"', "'")))
    os.replace(tmp, csv_path)
    print("  wrote %s (boot %.1f s)" % (os.path.relpath(csv_path), boot.duration))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
