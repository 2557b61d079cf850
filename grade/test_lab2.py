"""Lab 2 (vga): the text console, judged by the screen itself.

Each in-kernel lab 2 test (kernel/tests/lab2_tests.c) clears the screen and writes a byte stream
drawn from the boot's token: coloured text, more lines than fit, lines that wrap, colour escape
sequences, control characters. Each runs in a boot of its own with `hold`; when the kernel halts,
the grader reads all 2000 cells of video memory and the CRTC cursor registers through QEMU's
monitor, and compares them with what its own model of the console (gradelib/lab2_model.py) draws
for the same stream. Nothing the kernel says about the screen is believed.
"""

from gradelib import KernelGroup, fail, lab, oracles, points
from gradelib import lab2_model

pytestmark = lab(2)


def read_screen(machine):
    """What the machine shows when the kernel holds: the cells and the CRTC cursor registers."""
    saved = oracles.port_in(machine, 0x3D4)
    crtc = {}
    for register in (0x0A, 0x0B, 0x0E, 0x0F):
        oracles.port_out(machine, 0x3D4, register)
        crtc[register] = oracles.port_in(machine, 0x3D5)
    oracles.port_out(machine, 0x3D4, saved)
    return {"screen": oracles.read_vga(machine), "crtc": crtc}


def _group(test):
    return KernelGroup(test, [test], hold=True, inspect=read_screen)


WRITE = _group("lab2.write")
SCROLL = _group("lab2.scroll")
WRAP = _group("lab2.wrap")
COLOR = _group("lab2.color")
CONTROL = _group("lab2.control")


def _token(boot):
    return boot.token if isinstance(boot.token, int) else int(boot.token, 16)


def _show(cell):
    char, attr = cell
    shown = chr(char) if 0x20 <= char <= 0x7E else "\\x%02x" % char
    return "%r attribute 0x%02x" % (shown, attr)


def observed(kernel, group, name):
    """(record, model, seen) for test `name`: its verdict, the model screen, the real screen."""
    record = kernel.expect_pass(group, name)
    seen = kernel.inspection(group)
    if seen is None:
        fail("%s: the kernel never held, so the screen could not be read." % name,
             boot=record.boot)
    return record, lab2_model.expected_screen(name, _token(record.boot)), seen


def check_cells(kernel, group, name, what):
    """Fail unless every cell on the screen is what the model draws."""
    record, model, seen = observed(kernel, group, name)
    screen = seen["screen"]
    wrong = []
    for row in range(lab2_model.ROWS):
        for col in range(lab2_model.COLS):
            want = model.cells[row * lab2_model.COLS + col]
            got = screen.cell(row, col)
            if tuple(got) != want:
                wrong.append("  row %2d column %2d: expected %s, found %s" % (
                    row, col, _show(want), _show(got)))
    if wrong:
        rows = sorted({int(w.split()[1]) for w in wrong})
        detail = wrong[:8] + (["  ... and %d more" % (len(wrong) - 8)] if len(wrong) > 8 else [])
        for row in rows[:3]:
            expected = "".join(chr(c) if 0x20 <= c <= 0x7E else "?"
                               for c, _ in model.cells[row * 80:(row + 1) * 80])
            detail += ["row %2d expected |%s|" % (row, expected.rstrip()),
                       "row %2d found    |%s|" % (row, screen.text(row).rstrip())]
        fail("%s: wrong value in video memory: %d cell%s differ from what %s should leave on the "
             "screen." % (name, len(wrong), "" if len(wrong) == 1 else "s", what),
             boot=record.boot, detail=detail)
    return record, model, seen


@points(20)
@WRITE
def test_write(kernel):
    """text lands at the cursor's row and column in the chosen colour"""
    check_cells(kernel, WRITE, "lab2.write", "coloured text written at a random position")


@points(20)
@SCROLL
def test_scroll(kernel):
    """more than a screenful scrolls: the last lines stay, the bottom line is blank"""
    check_cells(kernel, SCROLL, "lab2.scroll", "26 to 45 lines, each ended by a newline, the "
                "last three in another colour")


@points(15)
@WRAP
def test_wrap(kernel):
    """writing past column 79 continues at the start of the next row"""
    check_cells(kernel, WRAP, "lab2.wrap", "text that runs past the end of a row, then text "
                "that ends exactly in row 24, column 79")


@points(15)
@COLOR
def test_color(kernel):
    """colour escape sequences (ESC [ ... m) through kprintf set the attribute bits"""
    check_cells(kernel, COLOR, "lab2.color", "six random segments of text in escape-sequence "
                "colours, then one fixed sequence for each SGR rule")


@points(15)
@CONTROL
def test_control(kernel):
    """tab, carriage return, newline and backspace work; odd bytes show a placeholder"""
    check_cells(kernel, CONTROL, "lab2.control",
                "text with tabs (one over text, one wrapping, one scrolling from row 24), "
                "carriage returns, backspaces (one at column 0) and the unprintable bytes 0x01, "
                "0xc8, 0x7f, 0x00, 0x1f, 0x80 and 0xff")


@points(15)
@WRITE
def test_cursor(kernel):
    """the hardware cursor is on and sits where the next character goes"""
    record, model, seen = observed(kernel, WRITE, "lab2.write")
    crtc = seen["crtc"]
    start, end = crtc[0x0A], crtc[0x0B]
    # lab2.write sets 0x0a to 0xef (bits 7..6 set, cursor off, line 15) and 0x0b to 0x80 (bit 7
    # set, line 0) before it calls vga_cursor_enable() again.
    problems = []
    if start & 0x20:
        problems.append("register 0x0a (cursor start) is 0x%02x: bit 5 is set, so the cursor is "
                        "off; vga_cursor_enable() should clear it" % start)
    if (start & 0x1F) > 15 or (start & 0x1F) > (end & 0x1F):
        problems.append("the cursor runs from scan line %d (register 0x0a = 0x%02x) to line %d "
                        "(0x0b = 0x%02x): with a start line above 15 or below the end line "
                        "the card draws no cursor" % (start & 0x1F, start, end & 0x1F, end))
    if start & 0xC0 != 0xC0 or not end & 0x80:
        problems.append("registers 0x0a = 0x%02x and 0x0b = 0x%02x: the test had set bits 7..6 "
                        "of 0x0a and bit 7 of 0x0b, which vga_cursor_enable() must leave alone "
                        "(read the register, change your bits, write it back)" % (start, end))
    if end & 0x60:
        problems.append("register 0x0b (cursor end) is 0x%02x: its skew bits 6..5 should stay "
                        "0" % end)
    if problems:
        fail("lab2.write: wrong value in the CRTC cursor shape registers: %s." % (
            "; ".join(problems)), boot=record.boot)
    index = crtc[0x0E] << 8 | crtc[0x0F]
    want = model.row * lab2_model.COLS + model.col
    if index != want:
        fail("lab2.write: wrong value: the CRTC cursor registers hold 0x0e = 0x%02x (high byte) "
             "and 0x0f = 0x%02x (low byte), cell index %d (row %d column %d); the next character "
             "goes to row %d column %d, index %d = 0x%04x." % (
                 crtc[0x0E], crtc[0x0F], index, index // lab2_model.COLS,
                 index % lab2_model.COLS, model.row, model.col, want, want), boot=record.boot)
