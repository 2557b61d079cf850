"""Lab 1 (freestanding): string functions, the VGA greeting, and the shape of the kernel image.

The string functions are checked by their in-kernel tests (kernel/tests/lab1_tests.c), which run
fixed edge cases and random cases against naive byte loops and print a digest of what they saw;
all five share one boot. lab1.vga_hello writes two random greetings with vga_write_at (the second
ending in column 79, each with one byte above 0x7f); the grader stops the machine (through QEMU's
GDB stub) just before and just after each call, reads video memory itself both times, and checks
every cell: the text, position and attribute it derives from the boot's token (the same
splitmix64 stream the kernel used, gradelib/lab1_model.py) where the greeting goes, and no change
anywhere else.

Four zero-point sanity checks pass even on the stubs, so they earn nothing, but a failure still
makes the grade fail: the boot banner, long mode being active (EFER.LMA read from the CPU), the
ELF carrying a Multiboot2 header, and the absence of floating-point and SIMD instructions.
"""

import re

from gradelib import KernelGroup, fail, lab, oracles, points
from gradelib import elfcheck, gdbstub, lab1_model
from gradelib.manifest import lab_info

pytestmark = lab(1)

STRINGS = KernelGroup("lab1.strings", ["lab1.memset", "lab1.memcpy", "lab1.memmove",
                                       "lab1.memcmp", "lab1.strlen"])


VGA_HELLO_CALLS = 2     # lab1.vga_hello writes a greeting anywhere, then one ending in column 79


def watch_vga_write_at(machine):
    """Snapshot the VGA screen just before and just after each of the test's vga_write_at calls.

    The machine starts stopped under the GDB stub; it runs to vga_write_at's first instruction,
    where the screen is read and the return address taken from the stack, then runs to that
    return address and the screen is read again; then the same for the next call. Later boot steps
    may clear the screen (lab 2's console does), so this is the only moment that shows exactly
    what the student's code did. Returns a list of {"before": VgaText, "after": VgaText}, one per
    call that returned (fewer than VGA_HELLO_CALLS when a call never happened or never returned).
    """
    address = machine.settings.symbols.address("vga_write_at")
    calls = []
    while address is not None and len(calls) < VGA_HELLO_CALLS:
        if not gdbstub.run_to(machine, address):
            return calls
        before = oracles.read_vga(machine)
        back = machine.gdb().return_address()
        if not gdbstub.run_to(machine, back):
            return calls
        calls.append({"before": before, "after": oracles.read_vga(machine)})
    if calls:
        machine.qmp.screendump(machine.screen_path)
        machine.gdb().close()       # detach: the kernel finishes its run
    return calls


VGA = KernelGroup("lab1.vga", ["lab1.vga_hello"], gdb=True, interact=watch_vga_write_at)
IDLE = KernelGroup("lab1.idle", [], hold=True, inspect=oracles.cpu_state)


def check_string_test(kernel, name):
    """Pass if in-kernel test name passed and printed the digest the Python model expects."""
    record = kernel.expect_pass(STRINGS, name)
    digest = record.values.get("digest")
    if digest is None or not re.fullmatch(r"[0-9a-f]{16}", digest):
        fail("%s passed but printed no well-formed digest line (`ktest <token> value %s digest "
             "<16 hex digits>`); got %r." % (name, name, digest), boot=record.boot)
    expected = lab1_model.expected_digest(name, int(record.boot.token, 16))
    if expected is None:
        return
    if isinstance(expected, int):
        expected = "%016x" % expected
    if digest != expected.lower():
        fail("%s: wrong value: the kernel's digest is %s but the grader's model computes %s "
             "for this token." % (name, digest, expected.lower()), boot=record.boot)


@points(15)
@STRINGS
def test_memset(kernel):
    """memset fills memory with a byte value"""
    check_string_test(kernel, "lab1.memset")


@points(15)
@STRINGS
def test_memcpy(kernel):
    """memcpy copies non-overlapping memory"""
    check_string_test(kernel, "lab1.memcpy")


@points(20)
@STRINGS
def test_memmove(kernel):
    """memmove copies overlapping memory in either direction"""
    check_string_test(kernel, "lab1.memmove")


@points(15)
@STRINGS
def test_memcmp(kernel):
    """memcmp orders byte ranges as unsigned chars"""
    check_string_test(kernel, "lab1.memcmp")


@points(10)
@STRINGS
def test_strlen(kernel):
    """strlen counts the bytes before the terminating NUL"""
    check_string_test(kernel, "lab1.strlen")


@points(25)
@VGA
def test_vga_hello(kernel):
    """vga_write_at puts the greeting into video memory and touches nothing else"""
    record = kernel.expect_pass(VGA, "lab1.vga_hello")
    screens = kernel.interaction(VGA) or []
    calls = lab1_model.vga_hello_params(int(record.boot.token, 16))
    if len(screens) < len(calls):
        fail("lab1.vga_hello: the grader saw %d of the test's %d calls to vga_write_at return." % (
            len(screens), len(calls)), boot=record.boot)
    for (row, col, text, attr), seen in zip(calls, screens):
        check_vga_write(record, row, col, text, attr, seen["before"], seen["after"])


def _char(byte):
    return chr(byte) if 0x20 <= byte <= 0x7E else "\\x%02x" % byte


def check_vga_write(record, row, col, text, attr, before, after):
    """Fail unless one vga_write_at call changed exactly the cells of its text, to text in attr."""
    shown = "".join(_char(b) for b in text)
    call = "vga_write_at(%d, %d, \"%s\", 0x%02x)" % (row, col, shown, attr)
    wrong = []
    for i, byte in enumerate(text):
        got_char, got_attr = after.cell(row, col + i)
        if (got_char, got_attr) != (byte, attr):
            wrong.append("  row %d column %d: expected %r attribute 0x%02x, found %r attribute "
                         "0x%02x" % (row, col + i, _char(byte), attr, _char(got_char), got_attr))
    if wrong:
        fail("lab1.vga_hello: wrong value in video memory after %s (cell = character | "
             "attribute << 8 at 0xb8000 + 2 * (row * 80 + column), the character converted "
             "through uint8_t)." % call, boot=record.boot,
             detail=_first(wrong) + ["row %d after the call: |%s|" % (row, after.text(row))])
    touched = []
    for r in range(oracles.VGA_ROWS):
        for c in range(oracles.VGA_COLUMNS):
            if r == row and col <= c < col + len(text):
                continue
            if after.cell(r, c) != before.cell(r, c):
                touched.append("  row %d column %d: 0x%04x became 0x%04x" % (
                    r, c, before.cell(r, c)[0] | before.cell(r, c)[1] << 8,
                    after.cell(r, c)[0] | after.cell(r, c)[1] << 8))
    if touched:
        fail("lab1.vga_hello: %s changed %d cell%s outside the text." % (
            call, len(touched), "" if len(touched) == 1 else "s"),
            boot=record.boot, detail=_first(touched))


def _first(lines, n=6):
    """The first n lines of a list of problems, and how many more there are."""
    return lines[:n] + (["  ... and %d more" % (len(lines) - n)] if len(lines) > n else [])


def machine_memory_mib(command):
    """The RAM size in MiB that a QEMU command line gives the machine (its last -m wins)."""
    size = "128M"
    for option, value in zip(command, command[1:]):
        if option == "-m":
            size = value
    size = size.split(",")[0]
    size = size[len("size="):] if size.startswith("size=") else size
    units = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}
    if size[-1:].upper() in units:
        return int(float(size[:-1]) * units[size[-1].upper()])
    return int(float(size))       # a plain number means MiB


@points(0)
@IDLE
def test_banner(kernel, settings):
    """the boot banner names the lab, the usable memory and the bootloader"""
    boot = kernel.idle(IDLE)
    banner = boot.log.banner
    if banner is None:
        fail('no boot banner: expected a line `lab<N> (<name>) booted: <MiB> MiB usable, '
             'bootloader "<name>"`.', boot=boot)
    if settings.lab is not None:
        name = lab_info(settings.repo, settings.lab)["name"]
        if banner.lab != settings.lab or (name and banner.name != name):
            fail("the banner says lab%d (%s) but the kernel was built for lab%d (%s)." % (
                banner.lab, banner.name, settings.lab, name), boot=boot)
    ram = machine_memory_mib(boot.command)
    if not 1 <= banner.mib <= ram:
        fail("the banner reports %d MiB usable; QEMU gives the machine %d MiB." % (
            banner.mib, ram), boot=boot)
    if not banner.loader:
        fail("the banner names no bootloader.", boot=boot)


@points(0)
@IDLE
def test_long_mode(kernel):
    """the CPU runs in 64-bit long mode (EFER.LMA is set)"""
    regs = kernel.inspection(IDLE)
    if not oracles.long_mode_active(regs):
        fail("EFER is 0x%x: LMA (bit 10) is clear, so the CPU is not in long mode." %
             regs.get("EFER", 0), boot=kernel.idle(IDLE))


@points(0)
def test_multiboot2(settings):
    """kernel.elf is a Multiboot2 image"""
    settings.require_kernel()
    ok, why = elfcheck.is_multiboot2(settings.kernel_elf)
    if not ok:
        fail(why)


@points(0)
def test_no_float(settings):
    """kernel.elf contains no x87, MMX, SSE or AVX instruction"""
    settings.require_kernel()
    found = elfcheck.float_instructions(settings.kernel_elf)
    if found:
        fail("kernel.elf contains %d floating-point or SIMD instruction%s (compile with "
             "-mgeneral-regs-only):" % (len(found), "" if len(found) == 1 else "s"),
             detail=["  " + f for f in found[:10]])
