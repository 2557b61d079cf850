#!/usr/bin/env bash
# check.sh: everything `make check` proves, in order, with one line per step and a closing count.
#   1. the tools are installed and the given files match labs/pristine.sums;
#   2. host unit tests (kprintf, string functions, allocators) pass with the solutions, fail with
#      the stubs; the allocators' fuzz targets and LD_PRELOAD shims run;
#   3. every lab builds with stubs and with solutions (gcc), and with clang;
#   4. the grader's trust checks: every lab scores 100% with solutions (also built with clang and
#      on other CPU models and memory sizes); each lab's stubs fail all its point-bearing tests
#      while earlier labs pass; broken kernels are reported for what they are;
#   5. the mutant suite: every planted student bug in grade/selftest/mutants/ loses points;
#   6. the lab 9 benchmark boots and reports; the GDB kernel commands show real structures;
#   7. the kit: make handin, make grade-class on a generated class, the Gradescope bundle.
# Run from the top of the tree (make check does).
set -u
export MAKEFLAGS=--no-print-directory
passed=0
failed=0
failures=()
start=$(date +%s)

step() { # step "description" command...
	local what=$1
	shift
	local t0=$SECONDS log
	log=$(mktemp)
	if "$@" >"$log" 2>&1; then
		printf 'check: ok    %-58s %4ss\n' "$what" $((SECONDS - t0))
		passed=$((passed + 1))
	else
		printf 'check: FAIL  %-58s %4ss\n' "$what" $((SECONDS - t0))
		tail -n 40 "$log" | sed 's/^/    | /'
		failed=$((failed + 1))
		failures+=("$what")
	fi
	rm -f "$log"
}

# Succeeds when the command fails: for proving that stubs are caught.
fails() { ! "$@"; }

labs=$(make -s print-labs)
max=$(echo "$labs" | wc -w)

step "tools installed (make doctor)" tools/doctor.sh
step "given files match labs/pristine.sums" make -s pristine-check
step "host unit tests pass with the solutions" make -s host-test SOL=1 LAB="$max"
step "host string tests fail on the stubs" fails make -s host-test-string SOL=0 LAB=1
step "host keyboard decoder tests fail on the stubs" fails make -s host-test-kbd SOL=prev LAB=5
step "host allocator tests fail on the stubs" fails make -s host-test-alloc SOL=prev LAB=8
step "allocator fuzz targets, short run each (solutions)" make -s fuzz SOL=1 LAB="$max"
step "allocator LD_PRELOAD shims run real programs (solutions)" make -s preload-smoke SOL=1 LAB="$max"
for n in $labs; do
	step "lab $n builds with stubs (gcc)" make -s iso LAB="$n" SOL=0
	step "lab $n builds with solutions (gcc)" make -s iso LAB="$n" SOL=1
done
step "lab $max builds with solutions (clang)" make -s iso LAB="$max" SOL=1 CC=clang
step "lab $max builds with stubs (clang)" make -s iso LAB="$max" SOL=0 CC=clang
step "grader: solutions score 100% on every lab" make -s grade-trust-sol LAB="$max"
for n in $labs; do
	step "grader: lab $n stubs fail, earlier labs pass" make -s grade-trust-lab LAB="$n"
done
step "grader: pristine check warns, STRICT=1 refuses" make -s grade-trust-pristine
step "grader: broken kernels reported correctly" make -s grade-selftest LAB="$max"
step "grader: clang build, -m 32M -cpu max, scores 100%" make -s grade SOL=1 LAB="$max" CC=clang \
	QEMUEXTRA="-m 32M -cpu max"
step "grader: gcc build, -cpu qemu64 -m 4G, scores 100%" make -s grade SOL=1 LAB="$max" \
	QEMUEXTRA="-cpu qemu64 -m 4G"
step "mutants: every planted student bug loses points" make -s check-mutants
step "lab 9 benchmark boots and reports (solutions)" make -s bench-async SOL=1 LAB="$max"
step "gdb: bt and the kernel commands (labs 1 and $max)" tools/gdb-check.sh \
	"$(make -s print-build-dir LAB=1 SOL=1)" "$(make -s print-gdbport)" "$(make -s print-build-dir LAB="$max" SOL=1)"

step "kit: handin packs student files, refuses a modified tree" make -s check-handin
step "kit: grade-class on a generated class, time limit, SIGTERM" make -s check-grade-class
step "kit: Gradescope bundle against a mock /autograder" make -s check-gradescope

echo "check: $((passed + failed)) steps in $(($(date +%s) - start)) s"
for f in "${failures[@]+"${failures[@]}"}"; do
	echo "check: failed: $f"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
