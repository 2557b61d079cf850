"""A model of the lab 2 text console, and the byte streams the lab 2 tests write.

kernel/tests/lab2_tests.c clears the screen and writes a stream of bytes drawn from the boot's
token. This module draws the same stream and plays it on a model terminal that follows the
rules in kernel/drivers/vga_putc.c and vga_color.c, giving the 80x25 screen (character,
attribute) and the cursor position a correct kernel must leave behind. The draws must stay in
the order of the C file.
"""
from .rng import test_rng

COLS, ROWS = 80, 25
PLACEHOLDER = 0xFE
DEFAULT_ATTR = 0x07
ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
ANSI_TO_VGA = [0, 4, 2, 6, 1, 5, 3, 7]


class Screen:
    """The console's state: cells as (char, attr), cursor, colour, escape parser."""

    def __init__(self, row=0, col=0):
        self.attr = DEFAULT_ATTR
        self.cells = [(0x20, DEFAULT_ATTR)] * (ROWS * COLS)
        self.row, self.col = row, col
        self.esc = 0
        self.params = []

    def _newline(self):
        self.col = 0
        if self.row == ROWS - 1:
            self.cells = self.cells[COLS:] + [(0x20, self.attr)] * COLS
        else:
            self.row += 1

    def _put_cell(self, ch):
        self.cells[self.row * COLS + self.col] = (ch, self.attr)
        self.col += 1
        if self.col == COLS:
            self._newline()

    def _sgr(self, params):
        for p in params or [0]:
            a = self.attr
            if p == 0:
                a = DEFAULT_ATTR
            elif p == 1:
                a |= 0x08
            elif p == 5:
                a |= 0x80
            elif p == 25:
                a &= 0x7F
            elif 30 <= p <= 37:
                a = (a & 0xF8) | ANSI_TO_VGA[p - 30]
            elif p == 39:
                a = (a & 0xF0) | 0x07
            elif 40 <= p <= 47:
                a = (a & 0x8F) | ANSI_TO_VGA[p - 40] << 4
            elif p == 49:
                a &= 0x8F
            elif 90 <= p <= 97:
                a = (a & 0xF0) | ANSI_TO_VGA[p - 90] | 0x08
            self.attr = a

    def _escape(self, b):
        if self.esc == 0:
            if b != 0x1B:
                return False
            self.esc = 1
            return True
        if self.esc == 1:
            if b == ord("["):
                self.esc, self.params = 2, []
                return True
            self.esc = 0
            return False
        if ord("0") <= b <= ord("9"):
            if not self.params:
                self.params = [0]
            self.params[-1] = self.params[-1] * 10 + b - ord("0")
        elif b == ord(";"):
            if not self.params:
                self.params = [0]
            if len(self.params) < 8:
                self.params.append(0)
        else:
            if b == ord("m"):
                self._sgr(self.params)
            self.esc = 0
        return True

    def putc(self, b):
        if self._escape(b):
            return
        if b == 0x0A:
            self._newline()
        elif b == 0x0D:
            self.col = 0
        elif b == 0x09:
            self._put_cell(0x20)
            while self.col % 8:
                self._put_cell(0x20)
        elif b == 0x08:
            if self.col > 0:
                self.col -= 1
                self.cells[self.row * COLS + self.col] = (0x20, self.attr)
        else:
            self._put_cell(b if 0x20 <= b <= 0x7E else PLACEHOLDER)

    def write(self, data):
        for b in data:
            self.putc(b)
        return self


def _chars(r, n):
    return bytes(ALPHABET[r.below(62)] for _ in range(n))


def _write(token):
    r = test_rng(token, "lab2.write")
    fg, bg, blink = r.below(16), r.below(8), r.below(2)
    n = 5 + r.below(30)
    text = _chars(r, n)
    row = 4 + r.below(ROWS - 4)
    col = r.below(COLS - n)
    end = row * COLS + col + n
    if end >> 8 == end & 0xFF:
        col += -1 if col > 0 else 1
    if (fg, bg, blink) == (7, 0, 0):
        fg = 15
    attr = blink << 7 | bg << 4 | fg
    s = Screen(row, col)
    s.attr = attr
    s.cells = [(0x20, attr)] * (ROWS * COLS)     # vga_clear() in the text's colour
    return s.write(text)


def _scroll(token):
    r = test_rng(token, "lab2.scroll")
    lines = 26 + r.below(20)
    colour = 1 + r.below(255)
    if colour == DEFAULT_ATTR:
        colour = 0x70
    s = Screen()
    for i in range(lines):
        n = r.below(60)
        if i == lines - 3:
            s.attr = colour
        s.write(b"%d%d:" % (i // 10, i % 10) + _chars(r, n) + b"\n")
    return s


def _wrap(token):
    r = test_rng(token, "lab2.wrap")
    row = r.below(20)
    before = 1 + r.below(40)
    after = 1 + r.below(60)
    text = _chars(r, before + after)
    s = Screen(row, COLS - before).write(text)
    last = 1 + r.below(40)
    s.row, s.col = ROWS - 1, COLS - last
    return s.write(_chars(r, last))


# The fixed escape sequences of lab2.color, byte for byte as in kernel/tests/lab2_tests.c.
FIXED_SGR = [
    b"\x1b[1;5;31;44mA",
    b"\x1b[mB",
    b"\x1b[1m\x1b[32mC",
    b"\x1b[0;94mD",
    b"\x1b[0;1;5;33;44m\x1b[39mE",
    b"\x1b[49mF",
    b"\x1b[25mG",
    b"\x1b[5m\x1b[42mH",
    b"\x1b[0;7;22;35;100;46mI",
    b"\x1b[5;1;31;44m\x1b[0;32mJ",
    b"\x1b[1;;34mK",
    b"\x1b[;45mL",
    b"\x1b[0m" + b"".join(b"\x1b[3%d;4%dm%d" % (n, 7 - n, n) for n in range(8)),
    b"\x1b[0m" + b"".join(b"\x1b[9%d;10%dm%d" % (n, n, n) for n in range(8)),
    b"\x1b[2J\x1b[1;3qM\x1bx",
    b"\x1b[1;5;36;41m\x1b[mN",
]


def _color(token):
    r = test_rng(token, "lab2.color")
    s = Screen(r.below(20), 0)
    for _ in range(6):
        reset = r.below(4) == 0
        fg, bg = r.below(16), r.below(8)
        bold, blink = r.below(3) == 0, r.below(3) == 0
        n = 3 + r.below(6)
        params = ([0] if reset else []) + [30 + fg if fg < 8 else 90 + fg - 8, 40 + bg]
        params += ([1] if bold else []) + ([5] if blink else [])
        s.write(b"\x1b[" + b";".join(b"%d" % p for p in params) + b"m" + _chars(r, n))
    for seq in FIXED_SGR:
        s.write(seq)
    return s


def _control(token):
    r = test_rng(token, "lab2.control")
    row = r.below(17)
    a = 1 + r.below(6)
    b = 2 + r.below(5)
    s = Screen(row, 0)
    s.write(_chars(r, a) + b"\tX\rY\n")
    s.write(_chars(r, b) + b"\bZ\t\t\x01\xc8\n")
    c = 10 + r.below(8)
    s.write(_chars(r, c) + b"\r\tK" + _chars(r, 4) + b"\b\b\n\bW")
    s.write(b"\x7f\x00\x1f\x80\xff\n")
    d = 72 + r.below(8)
    s.write(_chars(r, d) + b"\tT")
    s.row, s.col = ROWS - 1, 0
    e = 72 + r.below(8)
    s.write(_chars(r, e) + b"\t")
    return s


MODELS = {
    "lab2.write": _write,
    "lab2.scroll": _scroll,
    "lab2.wrap": _wrap,
    "lab2.color": _color,
    "lab2.control": _control,
}


def expected_screen(name, token):
    """The Screen that in-kernel test `name` must leave for this token."""
    return MODELS[name](token)
