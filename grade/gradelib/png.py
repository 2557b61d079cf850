"""A tiny PNG writer, used to turn QEMU's PPM screen dumps into PNG files.

QEMU 7.2's QMP `screendump` can write PNG directly when it was built with libpng; when it cannot,
the grader asks for the portable pixmap (PPM, format P6) it always supports and converts it here
with nothing but zlib and struct. A PNG is a signature followed by chunks (length, type, data,
CRC-32); this writer emits the three required ones: IHDR (size, 8-bit RGB), one IDAT holding the
zlib-compressed scanlines, each prefixed with filter type 0 (none), and IEND.
"""

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind, data):
    """Return one PNG chunk: big-endian length, 4-byte type, data, CRC over type and data."""
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def rgb_to_png(width, height, rgb):
    """Encode width x height pixels of packed 8-bit RGB (bytes, row by row) as a PNG."""
    if len(rgb) != width * height * 3:
        raise ValueError("expected %d bytes of RGB, got %d" % (width * height * 3, len(rgb)))
    stride = width * 3
    raw = b"".join(b"\x00" + rgb[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) +
            _chunk(b"IEND", b""))


def parse_ppm(data):
    """Return (width, height, rgb bytes) from a binary PPM (P6) image with maxval 255."""
    fields = []
    pos = 0
    # The header is four whitespace-separated fields (magic, width, height, maxval), with
    # optional '#' comments, followed by exactly one whitespace byte before the pixels.
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError("not an 8-bit binary PPM image")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height * 3]
    return width, height, pixels


def ppm_to_png(data):
    """Convert binary PPM image bytes to PNG bytes."""
    return rgb_to_png(*parse_ppm(data))
