"""Facts about the machine that the grader reads for itself instead of trusting the kernel.

A test's `pass` line only says what the kernel believes. These helpers look at the machine from
outside through QEMU: guest physical memory (the VGA text buffer at 0xb8000, for instance), I/O
ports (the VGA cursor registers), the CPU state that `info registers` shows (control registers,
EFER, descriptor tables, task register), virtual-to-physical translation through the guest's own
page tables (`gva2gpa`), and keystrokes typed into the emulated PS/2 keyboard. Each takes a
qemu.Machine; most are meant for the inspect callback of a hold boot, when the kernel has stopped
with interrupts off and nothing changes under the grader's feet.
"""

import os
import re
import time

from .errors import GradeFailure

VGA_TEXT_BASE = 0xB8000
VGA_COLUMNS = 80
VGA_ROWS = 25

# Bits the tests name, as the Intel SDM Vol. 3A §2.5 and §2.2.1 define them.
CR0_PE = 1 << 0
CR0_WP = 1 << 16
CR0_PG = 1 << 31
CR4_PAE = 1 << 5
EFER_SCE = 1 << 0
EFER_LME = 1 << 8
EFER_LMA = 1 << 10
EFER_NXE = 1 << 11


# ---- Physical and virtual memory. ----

def _qmp_address(address):
    """QMP integers are signed 64-bit: pass addresses at or above 2**63 as negative numbers."""
    return address - (1 << 64) if address >= 1 << 63 else address


def read_phys(machine, address, size):
    """Return size bytes of guest physical memory starting at address (QMP pmemsave)."""
    path = os.path.join(machine.tmp, "pmem-%x-%d.bin" % (address, size))
    machine.qmp.command("pmemsave", val=_qmp_address(address), size=size, filename=path)
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    return data


def read_virt(machine, address, size, cpu=0):
    """Return size bytes at guest virtual address, through CPU cpu's page tables (memsave)."""
    path = os.path.join(machine.tmp, "vmem-%x-%d.bin" % (address, size))
    machine.qmp.command("memsave", val=_qmp_address(address), size=size, filename=path,
                        **{"cpu-index": cpu})
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    return data


def gva2gpa(machine, address):
    """Translate a guest virtual address with the guest's current page tables.

    Returns the physical address as an int, or None when the address is not mapped.
    """
    text = machine.hmp("gva2gpa 0x%x" % address).strip()
    m = re.search(r"gpa:\s*0x([0-9a-fA-F]+)", text)
    return int(m.group(1), 16) if m else None


# ---- The VGA text screen. ----

class VgaText:
    """A snapshot of the 80x25 VGA text buffer: each cell is a character byte and an attribute.

    In memory each cell is a little-endian 16-bit word, character | attribute << 8.
    """

    def __init__(self, data):
        if len(data) < VGA_COLUMNS * VGA_ROWS * 2:
            raise ValueError("a VGA text screen needs %d bytes" % (VGA_COLUMNS * VGA_ROWS * 2))
        self.data = bytes(data)

    def cell(self, row, col):
        """Return (character code, attribute) of the cell at row, col."""
        offset = 2 * (row * VGA_COLUMNS + col)
        return self.data[offset], self.data[offset + 1]

    def text(self, row):
        """Return row's characters as a str (bytes outside printable ASCII become '.')."""
        chars = self.data[2 * row * VGA_COLUMNS:2 * (row + 1) * VGA_COLUMNS:2]
        return "".join(chr(c) if 32 <= c < 127 else "." for c in chars)

    def dump(self):
        """Return the whole screen as 25 lines of text, for failure messages."""
        return [self.text(row) for row in range(VGA_ROWS)]


def read_vga(machine):
    """Return a VgaText snapshot of the screen, read from guest physical memory."""
    return VgaText(read_phys(machine, VGA_TEXT_BASE, VGA_COLUMNS * VGA_ROWS * 2))


def vga_cursor(machine):
    """Return (enabled, row, col) of the hardware text cursor, read from the CRTC registers.

    The CRTC is reached through an index port (0x3d4) and a data port (0x3d5): register 0x0a
    holds the cursor-disable bit (bit 5), registers 0x0e and 0x0f the high and low bytes of the
    cursor's cell index (row * 80 + col). The index register is restored afterwards.
    """
    saved = port_in(machine, 0x3D4)
    values = {}
    for register in (0x0A, 0x0E, 0x0F):
        port_out(machine, 0x3D4, register)
        values[register] = port_in(machine, 0x3D5)
    port_out(machine, 0x3D4, saved)
    index = values[0x0E] << 8 | values[0x0F]
    return not values[0x0A] & 0x20, index // VGA_COLUMNS, index % VGA_COLUMNS


# ---- I/O ports. ----

def port_in(machine, port, size=1):
    """Read an I/O port as the CPU would (HMP `i`); size is 1, 2 or 4 bytes."""
    text = machine.hmp("i /%s 0x%x" % ({1: "b", 2: "h", 4: "w"}[size], port))
    m = re.search(r"=\s*0x([0-9a-fA-F]+)", text)
    if m is None:
        raise GradeFailure("cannot read I/O port 0x%x through QEMU: %r" % (port, text.strip()))
    return int(m.group(1), 16)


def port_out(machine, port, value, size=1):
    """Write an I/O port as the CPU would (HMP `o`)."""
    machine.hmp("o /%s 0x%x 0x%x" % ({1: "b", 2: "h", 4: "w"}[size], port, value))


# ---- CPU state. ----

_SEGMENT_RE = re.compile(r"^(ES|CS|SS|DS|FS|GS|LDT|TR)\s*=([0-9a-f]+) ([0-9a-f]+) "
                         r"([0-9a-f]+) ([0-9a-f]+)")
_TABLE_RE = re.compile(r"^(GDT|IDT)=\s*([0-9a-f]+) ([0-9a-f]+)")
_FIELD_RE = re.compile(r"\b([A-Z][A-Z0-9]*)=([0-9a-f]+)\b")


def parse_registers(text):
    """Parse `info registers` output into a dict.

    General registers and control registers become ints ("RIP", "CR0", "CR3", "EFER", ...;
    the E-names in 32-bit mode). Segment registers and TR/LDT become dicts with selector, base,
    limit and flags; GDT and IDT become dicts with base and limit.
    """
    regs = {}
    for line in text.splitlines():
        line = line.strip()
        m = _SEGMENT_RE.match(line)
        if m:
            regs[m.group(1)] = {"selector": int(m.group(2), 16), "base": int(m.group(3), 16),
                                "limit": int(m.group(4), 16), "flags": int(m.group(5), 16)}
            continue
        m = _TABLE_RE.match(line)
        if m:
            regs[m.group(1)] = {"base": int(m.group(2), 16), "limit": int(m.group(3), 16)}
            continue
        for name, value in _FIELD_RE.findall(line):
            regs.setdefault(name, int(value, 16))
    return regs


def cpu_state(machine):
    """Return the parsed `info registers` of the (only) CPU; see parse_registers."""
    regs = parse_registers(machine.hmp("info registers"))
    if "CR0" not in regs or "EFER" not in regs:
        raise GradeFailure("could not read the CPU state from QEMU's `info registers`")
    return regs


def long_mode_active(regs):
    """True if EFER.LMA is set in a parse_registers dict: the CPU runs in IA-32e mode."""
    return bool(regs.get("EFER", 0) & EFER_LMA)


# ---- The keyboard. ----

# QEMU key codes ("qcodes") of the keys on a US keyboard, and the characters that need shift.
_UNSHIFTED = {" ": "spc", "\n": "ret", "\t": "tab", "\b": "backspace", "-": "minus",
              "=": "equal", "[": "bracket_left", "]": "bracket_right", ";": "semicolon",
              "'": "apostrophe", "`": "grave_accent", "\\": "backslash", ",": "comma",
              ".": "dot", "/": "slash"}
_SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8",
            "(": "9", ")": "0", "_": "minus", "+": "equal", "{": "bracket_left",
            "}": "bracket_right", ":": "semicolon", '"': "apostrophe", "~": "grave_accent",
            "|": "backslash", "<": "comma", ">": "dot", "?": "slash"}


def key_for(char):
    """Return (qcode, needs_shift) for one character, or raise ValueError if no key types it."""
    if "a" <= char <= "z" or "0" <= char <= "9":
        return char, False
    if "A" <= char <= "Z":
        return char.lower(), True
    if char in _UNSHIFTED:
        return _UNSHIFTED[char], False
    if char in _SHIFTED:
        return _SHIFTED[char], True
    raise ValueError("no key on a US keyboard types %r" % char)


def send_keys(machine, *qcodes, hold_ms=50):
    """Press the given keys together and release them (for example send_keys(m, "ctrl", "c"))."""
    machine.qmp.command("send-key", keys=[{"type": "qcode", "data": q} for q in qcodes],
                        **{"hold-time": hold_ms})


def type_text(machine, text, delay=0.03):
    """Type text on the emulated keyboard, holding shift for capitals and symbols.

    delay (seconds) paces the keys so that a guest reading the PS/2 port one byte at a time does
    not lose any to its small buffer.
    """
    for char in text:
        qcode, shift = key_for(char)
        if shift:
            send_keys(machine, "shift", qcode)
        else:
            send_keys(machine, qcode)
        time.sleep(delay)
