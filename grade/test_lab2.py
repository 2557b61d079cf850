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
    """What the machine shows when the kernel holds: the cells and the hardware cursor."""
    return {"screen": oracles.read_vga(machine), "cursor": oracles.vga_cursor(machine)}


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
    check_cells(kernel, SCROLL, "lab2.scroll", "26 to 45 lines, each ended by a newline")


@points(15)
@WRAP
def test_wrap(kernel):
    """writing past column 79 continues at the start of the next row"""
    check_cells(kernel, WRAP, "lab2.wrap", "text that runs past the end of a row")


@points(15)
@COLOR
def test_color(kernel):
    """colour escape sequences (ESC [ ... m) through kprintf set the attribute bits"""
    check_cells(kernel, COLOR, "lab2.color", "six segments of text in escape-sequence colours")


@points(15)
@CONTROL
def test_control(kernel):
    """tab, carriage return, newline and backspace work; odd bytes show a placeholder"""
    check_cells(kernel, CONTROL, "lab2.control",
                "text with tabs, carriage returns, backspaces and the bytes 0x01 and 0xc8")


@points(15)
@WRITE
def test_cursor(kernel):
    """the hardware cursor is on and sits where the next character goes"""
    record, model, seen = observed(kernel, WRITE, "lab2.write")
    enabled, row, col = seen["cursor"]
    if not enabled:
        fail("lab2.write: the hardware cursor is switched off (CRTC register 0x0a has bit 5 "
             "set); vga_cursor_enable() should clear it.", boot=record.boot)
    if (row, col) != (model.row, model.col):
        fail("lab2.write: wrong value: the CRTC cursor registers (0x0e, 0x0f) put the cursor at "
             "row %d column %d; the next character goes to row %d column %d." % (
                 row, col, model.row, model.col), boot=record.boot)
