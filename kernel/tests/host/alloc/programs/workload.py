"""workload.py: a deterministic, allocation-heavy Python program for make bench-programs
(preload_run.py runs it under glibc and under every allocator design's shim). It builds dicts,
lists and strings, sorts, round-trips JSON and runs regular expressions, then prints a digest
of every result, so any corruption shows as a different line. Argument: a scale (default 1).
"""
import hashlib
import json
import re
import sys


def lcg(seed):
    """A small linear congruential generator: the same numbers on every run."""
    x = seed
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        yield x >> 33


def main():
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    rnd = lcg(42)
    digest = hashlib.sha256()
    words = ["".join(chr(97 + next(rnd) % 26) for _ in range(3 + next(rnd) % 9))
             for _ in range(35000 * scale)]
    # Dicts of lists, grown and shrunk.
    index = {}
    for i, w in enumerate(words):
        index.setdefault(w[:2], []).append((w, i))
    for k in list(index)[::3]:
        del index[k]
    digest.update(repr(sorted((k, len(v)) for k, v in index.items())).encode())
    # Strings: joins, splits, formatting.
    text = " ".join("%s=%d" % (w, i * 7 % 1000) for i, w in enumerate(words))
    parts = text.split(" ")
    digest.update(str(len(text)).encode() + parts[len(parts) // 2].encode())
    # Sorting records several ways.
    recs = [{"id": i, "name": w, "score": next(rnd) % 10007, "tags": [w[::-1]] * (i % 4)}
            for i, w in enumerate(words)]
    for key in ("name", "score"):
        recs.sort(key=lambda r: (r[key], r["id"]))
        digest.update(json.dumps(recs[:5]).encode())
    # A JSON round trip of everything.
    blob = json.dumps(recs, sort_keys=True)
    back = json.loads(blob)
    assert back == recs
    digest.update(hashlib.sha256(blob.encode()).digest())
    # Regular expressions over the text.
    pat = re.compile(r"([a-z]{4,6})=(\d*7)\b")
    hits = pat.findall(text)
    subbed = re.sub(r"[aeiou]+", lambda m: str(len(m.group())), text)
    digest.update(("%d %d" % (len(hits), len(subbed))).encode())
    # Sets and tuples, created and dropped in a loop.
    total = 0
    for r in range(6 * scale):
        s = {(w, r) for w in words[r::5]}
        total += len(s) + sum(len(w) for w, _ in s)
    digest.update(str(total).encode())
    print(len(words), len(index), len(hits), total)
    print(digest.hexdigest())


if __name__ == "__main__":
    main()
