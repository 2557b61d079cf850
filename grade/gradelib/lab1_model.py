"""What the lab 1 in-kernel tests compute, recomputed in Python from the boot's token.

kernel/tests/lab1_tests.c draws random cases from a generator seeded with the token and reports
an FNV-1a digest of its results; this module makes the same draws, applies the C library's
semantics with Python's byte arrays, and returns the digest a correct kernel must report. The
order of draws here must match the C file exactly.
"""
from .rng import FNV_OFFSET, FNV_PRIME, test_rng

MASK = (1 << 64) - 1
BUF = 320


def fnv1a64(data, h):
    """Fold data into the running FNV-1a hash h, as fnv1a64_update() does in the kernel."""
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


CASES = 64
ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _fill(r, n):
    return bytearray(r.next() & 0xFF for _ in range(n))


def _memset(token):
    r = test_rng(token, "lab1.memset")
    h = FNV_OFFSET
    for _ in range(CASES):
        buf = _fill(r, BUF)
        off = r.below(64)
        n = r.below(BUF - 64 + 1)
        c = r.below(65536) - 32768
        buf[off:off + n] = bytes([c & 0xFF]) * n
        h = fnv1a64(buf, h)
    return h


def _memcpy(token):
    r = test_rng(token, "lab1.memcpy")
    h = FNV_OFFSET
    for _ in range(CASES):
        src = _fill(r, BUF)
        buf = _fill(r, BUF)
        soff = r.below(64)
        doff = r.below(64)
        n = r.below(BUF - 64 + 1)
        buf[doff:doff + n] = src[soff:soff + n]
        h = fnv1a64(buf, h)
    return h


def _memmove(token):
    r = test_rng(token, "lab1.memmove")
    h = FNV_OFFSET
    for _ in range(CASES):
        buf = _fill(r, BUF)
        to = r.below(BUF // 2)
        frm = r.below(BUF // 2)
        n = r.below(BUF // 2 + 1)
        buf[to:to + n] = bytes(buf[frm:frm + n])
        h = fnv1a64(buf, h)
    return h


def _memcmp(token):
    r = test_rng(token, "lab1.memcmp")
    h = FNV_OFFSET
    for _ in range(CASES * 4):
        a = _fill(r, 64)
        b = _fill(r, 64)
        n = r.below(65)
        same = r.below(n + 1)
        b[:same] = a[:same]
        want = (a[:n] > b[:n]) - (a[:n] < b[:n])
        h = fnv1a64(bytes([want + 1]), h)
    return h


def _strlen(token):
    r = test_rng(token, "lab1.strlen")
    h = FNV_OFFSET
    for _ in range(CASES):
        for _ in range(BUF):
            r.next()  # the random non-NUL bytes: only their count matters here
        length = r.below(256)
        off = r.below(length + 1 if length < 8 else 8)
        h = fnv1a64((length - off).to_bytes(8, "little"), h)
    return h


_DIGESTS = {
    "lab1.memset": _memset,
    "lab1.memcpy": _memcpy,
    "lab1.memmove": _memmove,
    "lab1.memcmp": _memcmp,
    "lab1.strlen": _strlen,
}


def expected_digest(name, token):
    """The digest (16 lowercase hex digits) test `name` must report for `token`, or None."""
    fn = _DIGESTS.get(name)
    return None if fn is None else "%016x" % fn(token)


def _vga_hello_text(r):
    length = 5 + r.below(16)
    text = bytearray(ALPHABET[r.below(62)] for _ in range(length))
    high = r.below(length)
    text[high] = 0x80 + r.below(0x7F)
    return bytes(text)


def vga_hello_params(token):
    """The calls lab1.vga_hello makes for this token: a list of (row, col, text, attr), text as
    bytes. The first is anywhere on the screen, the second ends in column 79 of rows 1..24."""
    r = test_rng(token, "lab1.vga_hello")
    text = _vga_hello_text(r)
    row = r.below(25)
    col = r.below(80 - len(text) + 1)
    attr = 1 + r.below(254)
    calls = [(row, col, text, attr)]
    text = _vga_hello_text(r)
    row = 1 + r.below(24)
    attr = 1 + r.below(254)
    calls.append((row, 80 - len(text), text, attr))
    return calls
