"""The grader's model of the lab 5 scancode decoder, and the stream lab5.keyboard feeds it.

kbd_decode() (kbd.h) turns scancode set 1 bytes into keys. lab5.keyboard feeds it a stream of
bytes directly, before the typed line: a fixed part covering each rule of the contract, then
random presses, repeats and releases drawn from the test's random stream after the typed line's
draws (decode_stream below mirrors kernel/tests/lab5_tests.c, draw for draw). The kernel prints
one FNV-1a digest of the returned keys (16 bits each, little-endian) per CHUNK bytes; the model
here is written from the contract alone, with its own copy of the US layout, so a digest that
differs names the chunk, and decoded_chunk() says which bytes came out wrong.
"""

import struct

from .rng import FNV_OFFSET, FNV_PRIME, MASK64

KEY_NONE, KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT = 0, 0x101, 0x102, 0x103, 0x104
LSHIFT, RSHIFT, CAPSLOCK, EXTENDED, BREAK = 0x2A, 0x36, 0x3A, 0xE0, 0x80
EXTENDED_KEYS = {0x48: KEY_UP, 0x50: KEY_DOWN, 0x4B: KEY_LEFT, 0x4D: KEY_RIGHT,
                 0x1C: ord("\n"), 0x35: ord("/")}

CHUNK = 128
RANDOM_EVENTS = 300
MAX_BYTES = 1400


def _table(rows):
    t = [0] * 128
    for start, chars in rows:
        for i, c in enumerate(chars):
            if c != "\0":
                t[start + i] = ord(c)
    return t


# The US layout (scancode set 1), without and with Shift; "\0" is a key that types nothing.
PLAIN = _table([(0x02, "1234567890-=\b\tqwertyuiop[]\n"), (0x1E, "asdfghjkl;'`"),
                (0x2B, "\\zxcvbnm,./"), (0x37, "*"), (0x39, " "), (0x47, "789-456+1230.")])
SHIFTED = _table([(0x02, "!@#$%^&*()_+\b\tQWERTYUIOP{}\n"), (0x1E, "ASDFGHJKL:\"~"),
                  (0x2B, "|ZXCVBNM<>?"), (0x37, "*"), (0x39, " "), (0x47, "789-456+1230.")])


class Decoder:
    """kbd_decode() as kbd.h states it."""

    def __init__(self):
        self.extended = self.left = self.right = self.caps = self.caps_down = False

    def feed(self, code):
        extended, self.extended = self.extended, False
        if code == EXTENDED:
            self.extended = True
            return KEY_NONE
        if code & BREAK:
            if not extended:
                key = code & ~BREAK
                if key == LSHIFT:
                    self.left = False
                elif key == RSHIFT:
                    self.right = False
                elif key == CAPSLOCK:
                    self.caps_down = False
            return KEY_NONE
        if extended:
            return EXTENDED_KEYS.get(code, KEY_NONE)
        if code == LSHIFT:
            self.left = True
        elif code == RSHIFT:
            self.right = True
        elif code == CAPSLOCK:
            if not self.caps_down:
                self.caps = not self.caps
            self.caps_down = True
        else:
            c = (SHIFTED if self.left or self.right else PLAIN)[code]
            if self.caps and chr(c).isalpha():
                c = ord(chr(c).swapcase())
            return c
        return KEY_NONE


FIXED = bytes([
    0x1E, 0x9E, 0x02, 0x82,
    0x2A, 0x1E, 0x9E, 0x02, 0x82, 0xAA, 0x1E, 0x9E,
    0x36, 0x2C, 0xAC, 0x0C, 0x8C, 0xB6, 0x2C, 0xAC,
    0x2A, 0x36, 0x10, 0x90, 0xAA, 0x11, 0x91, 0xB6, 0x12, 0x92,
    0x36, 0x2A, 0xB6, 0x13, 0x93, 0xAA, 0x14, 0x94,
    0x3A, 0x1E, 0x3A, 0xBA, 0x1F, 0x9F,
    0x02, 0x82, 0x33, 0xB3, 0x35, 0xB5,
    0x2A, 0x20, 0xA0, 0x03, 0x83, 0xAA,
    0x36, 0x21, 0xA1, 0xB6,
    0x3A, 0x3A, 0x3A, 0xBA, 0x22, 0xA2,
    0x3A, 0xBA, 0x3A, 0x3A, 0xBA, 0x23, 0xA3,
    0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x50, 0xE0, 0xD0,
    0xE0, 0x4B, 0xE0, 0xCB, 0xE0, 0x4D, 0xE0, 0xCD,
    0xE0, 0x1C, 0xE0, 0x9C, 0xE0, 0x35, 0xE0, 0xB5,
    0x48, 0xC8, 0x1C, 0x9C, 0x35, 0xB5,
    0xE0, 0x48, 0x48, 0xC8, 0xE0, 0xC8, 0x50, 0xD0,
    0xE0, 0x1D, 0xE0, 0x9D, 0xE0, 0x38, 0xE0, 0xB8,
    0xE0, 0x47, 0xE0, 0xC7, 0xE0, 0x52, 0xE0, 0xD2,
    0xE0, 0x2A, 0x24, 0xA4, 0xE0, 0xAA,
    0xE0, 0x36, 0x25, 0xA5, 0xE0, 0xB6,
    0x2A, 0xE0, 0xAA, 0x26, 0xA6, 0xE0, 0x2A, 0xAA, 0x26, 0xA6,
    0x36, 0xE0, 0xB6, 0x2C, 0xAC, 0xB6,
    0x3A, 0xE0, 0xBA, 0x3A, 0xBA, 0x2D, 0xAD,
    0x3A, 0xBA, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5,
    0xFA, 0xFE, 0xEE, 0x59, 0x7F, 0x01, 0x81, 0x3B, 0xBB,
    0x2E, 0xAE, 0x39, 0xB9, 0x0E, 0x8E, 0x0F, 0x8F,
])

EXTENDED_CODES = (0x48, 0x50, 0x4B, 0x4D, 0x1C, 0x35, 0x1D, 0x38, 0x47, LSHIFT, RSHIFT, CAPSLOCK)


def _draw_make(rng):
    while True:
        code = 1 + rng.below(0x58)
        if code not in (LSHIFT, RSHIFT, CAPSLOCK):
            return code


def decode_stream(rng):
    """The bytes lab5.keyboard feeds kbd_decode(), drawing from rng as the kernel does."""
    out = bytearray(FIXED)
    for _ in range(RANDOM_EVENTS):
        if len(out) >= MAX_BYTES - 8:
            break
        kind = rng.below(16)
        if kind < 6:
            code = _draw_make(rng)
            out += bytes([code]) * (1 + rng.below(2))
            out.append(code | BREAK)
        elif kind < 10:
            code = (LSHIFT, RSHIFT, CAPSLOCK)[rng.below(3)]
            if rng.below(2):
                code |= BREAK
            out.append(code)
        elif kind < 14:
            code = EXTENDED_CODES[rng.below(len(EXTENDED_CODES))]
            if rng.below(2):
                code |= BREAK
            out += bytes([EXTENDED, code])
        else:
            out.append(rng.below(256))
    return bytes(out)


def decoded(stream):
    """The model's key for each byte of stream."""
    d = Decoder()
    return [d.feed(b) for b in stream]


def chunk_digests(keys):
    """One digest per CHUNK keys, as the kernel prints them (decode0, decode1, ...)."""
    digests = []
    for start in range(0, len(keys), CHUNK):
        h = FNV_OFFSET
        for key in keys[start:start + CHUNK]:
            for byte in struct.pack("<H", key & 0xFFFF):
                h = ((h ^ byte) * FNV_PRIME) & MASK64
        digests.append("%016x" % h)
    return digests


def key_name(key):
    names = {KEY_NONE: "-", KEY_UP: "UP", KEY_DOWN: "DOWN", KEY_LEFT: "LEFT", KEY_RIGHT: "RIGHT"}
    if key in names:
        return names[key]
    return repr(chr(key)) if 0 < key < 0x7F else "0x%x" % key


def describe_chunk(stream, keys, index):
    """The bytes of chunk index with what a correct decoder returns for each, for a message."""
    start = index * CHUNK
    # Context: the state the chunk starts in is set by everything before it.
    d = Decoder()
    for b in stream[:start]:
        d.feed(b)
    state = "left Shift %s, right Shift %s, Caps Lock %s%s" % (
        "down" if d.left else "up", "down" if d.right else "up", "on" if d.caps else "off",
        ", after 0xe0" if d.extended else "")
    pairs = ["%02x:%s" % (b, key_name(k))
             for b, k in zip(stream[start:start + CHUNK], keys[start:start + CHUNK])]
    lines = ["bytes %d to %d of the stream (starting with %s), each as byte:expected key:" % (
        start, min(start + CHUNK, len(stream)) - 1, state)]
    for i in range(0, len(pairs), 12):
        lines.append("  " + " ".join(pairs[i:i + 12]))
    return lines
