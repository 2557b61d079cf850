#!/bin/bash
# tools/grade_cost.sh: what grading the whole course costs, in bare boots.
#
# The target: `make grade SOL=1 LAB=<last lab>` takes at most 1.5 times (its boots count) x (one
# minimal GRUB boot), measured in one run. This script
#   1. times a minimal boot: the lab 1 kernel (SOL=1) booted by the grader's own machinery
#      (grade/gradelib: a token, the ISO, the same QEMU command line with its -d log) with a
#      run= that matches no test, so the kernel prints its banner, reports "end 0 0" and leaves
#      QEMU at once through isa-debug-exit. One warm-up boot, then BOOTS (default 5) timed
#      boots; the median counts;
#   2. runs `make grade SOL=1 LAB=$LAB` (default: the last lab) once and reads the boots count
#      and the seconds from its score line ("Score: 100/100 (N boots, S s)");
#   3. prints boots, seconds, boots x minimal boot and the ratio, as measured and per core: the
#      grader runs its boots in parallel (pytest-xdist, one worker per CPU), so the measured
#      ratio can be below 1; the per-core ratio (measured x workers) is what it would be on
#      one core with perfect parallelism.
# Usage: tools/grade_cost.sh [LAB]    BOOTS=n for more minimal boots, GRADE_JOBS as for make grade.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=/usr/bin/python3
LAB=${1:-$(make -s --no-print-directory print-labs | awk '{print $NF}')}
BOOTS=${BOOTS:-5}
TARGET=1.5

make -s --no-print-directory iso LAB=1 SOL=1 >/dev/null
LAB1_DIR=$(make -s --no-print-directory print-build-dir LAB=1 SOL=1)
echo "grade-cost: minimal boot of $LAB1_DIR/kernel.elf (run= matching nothing), 1 warm-up + $BOOTS timed"
MINIMAL=$("$PYTHON" - "$LAB1_DIR" "$BOOTS" <<'PY'
import os, statistics, sys, tempfile, time
sys.path.insert(0, "grade")
from gradelib import qemu
from gradelib.isoimage import IsoMaker

build, boots = sys.argv[1], int(sys.argv[2])

class Settings:
    kernel_elf = os.path.join(build, "kernel.elf")
    timeout_scale = 1.0
    qemu_extra = os.environ.get("QEMUEXTRA", "").split()

spec = qemu.BootSpec(name="minimal", run=("grade_cost.nothing",), total=30.0)
maker = IsoMaker(Settings.kernel_elf)
times = []
with tempfile.TemporaryDirectory(prefix="grade-cost-") as logs:
    try:
        for i in range(boots + 1):
            t0 = time.monotonic()
            r = qemu.run_boot(spec, Settings, os.path.join(logs, str(i)), iso_maker=maker)
            t = time.monotonic() - t0
            if r.outcome != qemu.EXIT_PASS or r.log.end != (0, 0):
                sys.exit("grade-cost: the minimal boot ended %s, not exit-pass with end 0 0"
                         % r.outcome)
            if i:
                times.append(t)
            print("  boot %d: %.3f s%s" % (i, t, " (warm-up)" if i == 0 else ""),
                  file=sys.stderr)
    finally:
        maker.close()
print("%.3f" % statistics.median(times))
PY
)
echo "grade-cost: minimal boot, median of $BOOTS: $MINIMAL s"

CORES=$(nproc)
JOBS=${GRADE_JOBS:-auto}
if [ "$JOBS" = auto ]; then
	if "$PYTHON" -c 'import xdist' 2>/dev/null; then WORKERS=$CORES; else WORKERS=1; fi
else
	WORKERS=$JOBS
fi
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
echo "grade-cost: make grade SOL=1 LAB=$LAB ($WORKERS parallel workers on $CORES cores)"
T0=$(date +%s.%N)
status=0
make -s --no-print-directory grade SOL=1 LAB="$LAB" GRADE_JOBS="$JOBS" >"$OUT" 2>&1 || status=$?
T1=$(date +%s.%N)
SCORE=$(grep -a -E '^Score: ' "$OUT" | tail -1 || true)
if [ -z "$SCORE" ]; then
	tail -20 "$OUT"
	echo "grade-cost: no score line from make grade (status $status)" >&2
	exit 1
fi
echo "grade-cost: $SCORE (make grade status $status, wall $("$PYTHON" -c "print('%.1f' % ($T1 - $T0))") s with the build)"
read -r N SECONDS_ <<<"$(sed -E 's/.*\(([0-9]+) boots?, ([0-9.]+) s\).*/\1 \2/' <<<"$SCORE")"
"$PYTHON" - "$N" "$SECONDS_" "$MINIMAL" "$CORES" "$WORKERS" "$TARGET" <<'PY'
import sys
boots, seconds, minimal, cores, workers, target = int(sys.argv[1]), float(sys.argv[2]), \
    float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
bare = boots * minimal
ratio = seconds / bare
per_core = ratio * workers
print("  %-34s %d" % ("boots", boots))
print("  %-34s %.1f s" % ("grading seconds (score line)", seconds))
print("  %-34s %.3f s" % ("one minimal GRUB boot (median)", minimal))
print("  %-34s %.1f s" % ("boots x minimal boot", bare))
print("  %-34s %d (grader workers: %d)" % ("cores", cores, workers))
print("  %-34s %.2f  (target <= %.1f: %s)" % ("ratio, as measured", ratio, target,
                                             "met" if ratio <= target else "NOT met"))
print("  %-34s %.2f  (target <= %.1f: %s)" % ("ratio per core (x %d workers)" % workers, per_core,
                                             target, "met" if per_core <= target else "NOT met"))
PY
exit "$status"
