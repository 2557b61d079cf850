#!/usr/bin/python3
"""Writes the committed seed corpus of the fuzz targets: seeds/<design>/<name>, a few small
programs of 4-byte steps each (fuzz_alloc.c says what a step is), shaped for what each design
finds hard: class edges for fixed and slab, page multiples for buddy, long runs with one block
kept live for bump, holes for the list. Run it again only to change the corpus; its output is
fixed (seeded generator)."""
import os
import random
import sys

ALLOC, ALIGNED, FREE, REALLOC, CHECK = 0, 3, 4, 6, 7


def step(op, b1=0, b2=0, b3=0):
    return bytes([op, b1 & 0xff, b2 & 0xff, b3 & 0xff])


def sized(size):
    """b1, b2 for fuzz_alloc.c's size_of() to give about size bytes (b1 % 21 is the scale)."""
    shift = max(0, size.bit_length() - 1)
    return shift, (size >> 12) & 0xff


def prog(rng, n, sizes, p_free=0.4, p_realloc=0.05, p_aligned=0.1):
    out = b""
    for _ in range(n):
        r = rng.random()
        if r < p_free:
            out += step(FREE, rng.randrange(256), 0, rng.randrange(256))
        elif r < p_free + p_realloc:
            b1, b2 = sized(rng.choice(sizes))
            out += step(REALLOC, b1, b2, rng.randrange(256))
        elif r < p_free + p_realloc + p_aligned:
            b1, b2 = sized(rng.choice(sizes))
            out += step(ALIGNED, b1, b2, rng.randrange(9))
        else:
            b1, b2 = sized(rng.choice(sizes))
            out += step(ALLOC, b1, b2)
    return out + step(CHECK)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    small = [1, 16, 17, 32, 64, 100, 128, 255, 512, 1000, 2048, 2049]
    pages = [4096, 4097, 8192, 12288, 65536, 100000, 1 << 20]
    mixed = small + pages
    plans = {
        "bump": [(300, mixed, 0.1), (200, small, 0.5), (400, pages, 0.02)],
        "list": [(300, mixed, 0.4), (300, small, 0.45), (200, pages, 0.3)],
        "fixed": [(300, small, 0.4), (300, mixed, 0.3), (300, [16, 32, 2048, 2049], 0.5)],
        "buddy": [(200, pages, 0.4), (300, mixed, 0.4), (100, [1 << 20], 0.2)],
        "slab": [(400, small, 0.45), (300, mixed, 0.35), (300, [64], 0.5)],
    }
    rng = random.Random(8)
    for design, seeds in plans.items():
        d = os.path.join(here, "seeds", design)
        os.makedirs(d, exist_ok=True)
        for i, (n, sizes, p_free) in enumerate(seeds):
            with open(os.path.join(d, "seed-%d" % i), "wb") as f:
                f.write(prog(rng, n, sizes, p_free))
        # Everything allocated until the heap runs out, then freed.
        with open(os.path.join(d, "seed-exhaust"), "wb") as f:
            f.write(b"".join(step(ALLOC, *sized(65536)) for _ in range(200)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
