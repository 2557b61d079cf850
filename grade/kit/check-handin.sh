#!/usr/bin/env bash
# check-handin.sh: proves `make handin` as make check needs, in a throwaway copy of the tree:
#   1. on a pristine tree it packs exactly the exercise files and handouts of labs 1..LAB and
#      handin.json, under one folder named like the tarball;
#   2. with a given file modified it refuses, naming the file, and packs nothing;
#   3. with STRICT=0 it packs anyway and records the warning, which submission.py then reports;
#   4. the tarball placed into a pristine tree gives back the student's files byte for byte.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "check-handin: FAILED: $*"; exit 1; }

# The tree as it is on disk (tracked and new files, not ignored ones), without solutions/.
mkdir -p "$tmp/tree"
(cd "$repo" && git ls-files -co --exclude-standard -z | grep -zv '^solutions/' |
	xargs -0 tar -c --no-recursion -f - 2>/dev/null) | tar -x -C "$tmp/tree"
git -C "$tmp/tree" init -q && git -C "$tmp/tree" add -A && git -C "$tmp/tree" -c user.name=t \
	-c user.email=t@localhost commit -qm pristine
cd "$tmp/tree"
make -s pristine >/dev/null    # the sums of this copy (make check verifies the real ones)
echo '/* a student was here */' >>kernel/lib/string.c    # the work: an exercise file edited
echo 'my answer' >>handouts/lab2-vga.md                   # and an answer written

out=$(make -s handin LAB=3 2>&1) || fail "make handin on a pristine tree: $out"
tarball=$(ls handin-lab3-*.tar.gz 2>/dev/null | head -1)
[ -n "$tarball" ] || fail "no handin-lab3-*.tar.gz written; make said: $out"
top=${tarball%.tar.gz}
want=$( (for n in 1 2 3; do make -s -f labs/lab$n.mk -f - <<<"x:;@echo \$(LAB${n}_EXERCISES) \$(LAB${n}_HANDOUT)" x; done) |
	tr ' ' '\n' | grep . | sed "s|^|$top/|"; echo "$top/handin.json")
got=$(tar -tzf "$tarball")
[ "$(sort <<<"$want")" = "$(sort <<<"$got")" ] ||
	fail "the tarball holds the wrong files:"$'\n'"$(diff <(sort <<<"$want") <(sort <<<"$got"))"
tar -xzf "$tarball" -O "$top/kernel/lib/string.c" | cmp -s - kernel/lib/string.c ||
	fail "kernel/lib/string.c in the tarball differs from the tree's"
echo "check-handin: ok   pristine tree: $(wc -l <<<"$got") members, exactly labs 1-3's files"
rm -f handin-lab*.tar.gz

echo '# edited' >>grade/test_lab1.py
if out=$(make -s handin LAB=3 2>&1); then fail "handin accepted a modified given file: $out"; fi
grep -q 'modified: grade/test_lab1.py' <<<"$out" || fail "the refusal does not name the file: $out"
grep -q 'STRICT=0' <<<"$out" || fail "the refusal does not say how to override: $out"
ls handin-lab*.tar.gz >/dev/null 2>&1 && fail "a refused handin still wrote a tarball"
echo "check-handin: ok   modified given file: refused, file named, nothing written"

out=$(make -s handin LAB=3 STRICT=0 2>&1) || fail "STRICT=0 handin failed: $out"
tarball=$(ls handin-lab3-*.tar.gz | head -1)
tar -xzf "$tarball" -O "${tarball%.tar.gz}/handin.json" | grep -q 'grade/test_lab1.py' ||
	fail "handin.json does not record the warning"
tar -tzf "$tarball" | grep -q 'grade/test_lab1.py' && fail "the modified given file was packed"
rep=$("$py" "$repo/grade/kit/submission.py" place "$tarball" "$tmp/placed" --lab 3 --repo "$repo") ||
	fail "submission.py could not place the tarball: $rep"
grep -q 'handin warning: .*grade/test_lab1.py' <<<"$rep" || fail "the warning is not reported: $rep"
cmp -s "$tmp/placed/kernel/lib/string.c" kernel/lib/string.c ||
	fail "the placed kernel/lib/string.c differs from the student's"
cmp -s "$tmp/placed/grade/test_lab1.py" "$repo/grade/test_lab1.py" ||
	fail "the placed tree's grader is not the pristine one"
echo "check-handin: ok   STRICT=0: packed without the given file, warning recorded and reported"
