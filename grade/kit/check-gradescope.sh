#!/usr/bin/env bash
# check-gradescope.sh: proves `make gradescope` as make check needs. It builds the lab 2 bundle
# (LAB=N to choose another), checks what the zip holds (setup.sh, an executable run_autograder, no
# solutions/ file), runs setup.sh with stand-ins for apt-get and sudo that only record (nothing is
# ever installed), unzips the bundle into a mock <tmp>/autograder/source as Gradescope does, and
# runs run_autograder (copied to <tmp>/autograder/run_autograder, AUTOGRADER_ROOT=<tmp>/autograder)
# for one upload after another in <tmp>/autograder/submission, checking each results.json:
#   full      the solutions' exercise files, loose at the top of submission/: full marks
#   zero      the stubs, loose: score 0, every test listed with its id
#   handin    a make handin tarball of the solved labs (grade/kit/handin.py in a scratch copy):
#             full marks, the handin read as such
#   given     lab 1 solved, a grade/test_lab1.py that would break the grader: reported, ignored
#             (lab 1's 100 points, not 0), lab 2's files reported as graded as the stubs
#   empty     no student file: score 0, says nothing was handed in
#   broken    a string.c that does not compile: score 0 with the compiler's error line
#   timeout   AUTOGRADER_TIMEOUT=2: score 0, says the time limit stopped it
#   fallback  a root with no course tree: run_autograder alone still writes score 0
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
lab=${LAB:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
ok() { echo "check-gradescope: ok    $*"; }
bad() { echo "check-gradescope: FAIL  $*"; failed=$((failed + 1)); }
start=$SECONDS
cd "$repo"

zip=build/gradescope-lab$lab.zip
rm -f "$zip"
if out=$(make -s gradescope LAB="$lab" 2>&1) && [ -f "$zip" ]; then
	ok "make gradescope LAB=$lab wrote $zip"
else
	bad "make gradescope LAB=$lab: $out"
	exit 1
fi
if msg=$("$py" - "$zip" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = {i.filename: i for i in z.infolist()}
problems = []
for top in ("setup.sh", "run_autograder"):
    if top not in names:
        problems.append("no %s at the root" % top)
if "run_autograder" in names and not (names["run_autograder"].external_attr >> 16) & 0o100:
    problems.append("run_autograder is not executable")
sol = [n for n in names if n.split("/")[0] == "solutions" or
       n.startswith("grade/selftest/mutants/")]
if sol:
    problems.append("solutions in the bundle: " + " ".join(sol[:5]))
for must in ("Makefile", "grade/kit/submission.py", "labs/pristine.sums"):
    if must not in names:
        problems.append("the course tree is missing " + must)
print("; ".join(problems) or "%d files" % len(names))
sys.exit(1 if problems else 0)
EOF
); then
	ok "the zip holds setup.sh, an executable run_autograder, the tree, no solutions/ ($msg)"
else
	bad "the zip: $msg"
fi

# setup.sh runs the bundled doctor non-interactively; apt-get here is a stand-in that only records
# its arguments (and sudo one that keeps PATH), so nothing is installed whatever is missing.
mkdir -p "$tmp/fakebin"
printf '#!/bin/sh\necho "$@" >>"%s/apt.log"\n' "$tmp" >"$tmp/fakebin/apt-get"
printf '#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n' >"$tmp/fakebin/sudo"
chmod +x "$tmp/fakebin/apt-get" "$tmp/fakebin/sudo"
if out=$(cd "$tmp" && unzip -q -o "$repo/$zip" setup.sh tools/doctor.sh -d "$tmp/setup" &&
	PATH="$tmp/fakebin:$PATH" bash "$tmp/setup/setup.sh" </dev/null 2>&1); then
	if [ -f "$tmp/apt.log" ] && ! grep -q -- 'install -y' "$tmp/apt.log"; then
		bad "setup.sh: apt-get was not asked to install non-interactively: $(cat "$tmp/apt.log")"
	else
		ok "setup.sh runs the bundled tools/doctor.sh --install non-interactively"
	fi
else
	bad "setup.sh failed: $out"
fi

# The exercise files of labs 1..N, and of lab 1 alone.
exercises() { for n in $(seq 1 "$1"); do
	make -s -f "labs/lab$n.mk" -f - <<<"x:;@echo \$(LAB${n}_EXERCISES)" x
done | tr ' ' '\n' | grep .; }
all_files=$(exercises "$lab")
lab1_files=$(exercises 1)

ag=$tmp/autograder
mkdir -p "$ag/source" "$tmp/work"
unzip -q "$zip" -d "$ag/source" || bad "unzip $zip"

# grade NAME [env...]: run the autograder on what is in $tmp/up/NAME, the results in $tmp/NAME.json
grade() {
	local name=$1
	shift
	rm -rf "$ag/submission" "$ag/results" "$ag/run_autograder"
	cp -r "$tmp/up/$name" "$ag/submission"
	cp "$ag/source/run_autograder" "$ag/run_autograder"
	local t0=$SECONDS
	env AUTOGRADER_ROOT="$ag" TMPDIR="$tmp/work" "$@" "$ag/run_autograder" >"$tmp/$name.log" 2>&1
	cp "$ag/results/results.json" "$tmp/$name.json" 2>/dev/null || echo '{}' >"$tmp/$name.json"
	took=$((SECONDS - t0))
}

# verify NAME SCORE 'words in output'...: results.json is valid, has SCORE (max: the tests' total;
# or a number) and tests with ids (unless SCORE is 0! : no tests needed), and output has each text.
verify() {
	"$py" - "$tmp/$1.json" "$2" "${@:3}" <<'EOF'
import json, sys
path, want, texts = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    r = json.load(open(path))
except ValueError as e:
    sys.exit("results.json is not JSON: %s" % e)
tests = r.get("tests", [])
most = sum(t.get("max_score", 0) for t in tests)
problems = []
if not isinstance(r.get("score"), (int, float)):
    problems.append("no score")
if want == "max":
    if not tests or r.get("score") != most:
        problems.append("score %s, want the maximum %s" % (r.get("score"), most))
elif want == "0!":
    if r.get("score") != 0:
        problems.append("score %s, want 0" % r.get("score"))
else:
    if r.get("score") != float(want):
        problems.append("score %s of %s, want %s" % (r.get("score"), most, want))
if want != "0!":
    if not tests:
        problems.append("no tests listed")
    elif not all(t.get("id") and t.get("max_score") is not None for t in tests):
        problems.append("a test without id or max_score")
out = r.get("output", "")
for t in texts:
    if t not in out:
        problems.append("output lacks %r" % t)
if problems:
    print("; ".join(problems) + "\n    output: " + out.replace("\n", "\n    | "))
    sys.exit(1)
print("score %s/%s, %d tests" % (r.get("score"), most, len(tests)))
EOF
}

check() { # check NAME what SCORE texts...
	local name=$1 what=$2 msg
	shift 2
	if msg=$(verify "$name" "$@"); then
		ok "$what: $msg (${took} s)"
	else
		bad "$what: $msg"
		tail -n 15 "$tmp/$name.log" | sed 's/^/    log| /'
	fi
}

# full: the solutions' files, loose.
mkdir -p "$tmp/up/full"
for f in $all_files; do cp "solutions/$f" "$tmp/up/full/"; done
grade full
check full "full marks, loose files" max "submission: took $(wc -w <<<"$all_files") file(s)"

# zero: the stubs, loose (from HEAD, as handed out).
mkdir -p "$tmp/up/zero"
for f in $all_files; do git show "HEAD:$f" >"$tmp/up/zero/$(basename "$f")"; done
grade zero
check zero "zero marks, the stubs" 0 "submission: took"

# handin: make handin's tarball of the solved labs, made in a scratch copy.
"$py" grade/kit/submission.py copy "$repo" "$tmp/scratch"
for f in $all_files; do cp "solutions/$f" "$tmp/scratch/$f"; done
mkdir -p "$tmp/up/handin"
if out=$("$py" grade/kit/handin.py --lab "$lab" --repo "$tmp/scratch" --out "$tmp/up/handin" 2>&1) &&
	ls "$tmp/up/handin"/handin-lab"$lab"-*.tar.gz >/dev/null 2>&1; then
	grade handin
	check handin "full marks, a make handin tarball" max "submission: graded the archive handin-lab$lab-" \
		"submission: took $(wc -w <<<"$all_files") file(s)"
else
	bad "handin.py in a scratch copy: $out"
fi

# given: lab 1 solved, plus a grader file that would stop grading if it were used.
mkdir -p "$tmp/up/given/grade"
for f in $lab1_files; do cp "solutions/$f" "$tmp/up/given/"; done
printf 'raise SystemExit("a submitted test file was used")\n' >"$tmp/up/given/grade/test_lab1.py"
grade given
check given "modified given file reported and ignored" 100 \
	"given file modified, ignored (the handed-out one is used): grade/test_lab1.py" \
	"not handed in, graded as the stub"

# empty: nothing a student writes.
mkdir -p "$tmp/up/empty"
echo 'hello' >"$tmp/up/empty/README.txt"
grade empty
check empty "no student file: score 0, explained" 0! "Nothing was graded: no student file found"

# broken: a string.c that does not compile.
mkdir -p "$tmp/up/broken"
cp -r "$tmp/up/full/." "$tmp/up/broken/"
printf 'int broken(void) { return this_does_not_compile; }\n' >>"$tmp/up/broken/string.c"
grade broken
check broken "build failure: score 0 with the compiler's error" 0! "did not build" \
	"this_does_not_compile"

# timeout: the overall limit stops grading.
grade full AUTOGRADER_TIMEOUT=2
cp "$tmp/full.json" "$tmp/timeout.json"
check timeout "time limit: score 0, explained" 0! "time limit of 2 s"


# fallback: with no course tree under the root at all, run_autograder itself still writes a score
# of 0 (what Gradescope sees should the Python side ever fail to start).
mkdir -p "$tmp/bare/source"
if AUTOGRADER_ROOT="$tmp/bare" "$ag/source/run_autograder" >/dev/null 2>&1 &&
	"$py" -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(r["score"] != 0
	or "could not run" not in r["output"])' "$tmp/bare/results/results.json" 2>/dev/null; then
	ok "run_autograder without its tree still writes results.json, score 0"
else
	bad "run_autograder without its tree: no valid results.json"
fi

if left=$(pgrep -af "$tmp/work/"); then
	bad "a process of the mock autograder outlived it: $left"
fi
echo "check-gradescope: $((SECONDS - start)) s"
[ "$failed" -eq 0 ] || { echo "check-gradescope: $failed check(s) failed"; exit 1; }
