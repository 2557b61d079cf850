"""Lab 6's oracles: page tables, the Multiboot2 memory map and page faults, read from the machine.

Everything here comes from QEMU, never from the kernel's printout: page-table entries and the
boot information are read from guest physical memory (QMP pmemsave), CR3 from `info registers`,
and page faults from QEMU's `-d int` log (the vector, error code and CR2 the CPU itself had).
"""

import os
import re
import struct

from . import oracles
from .errors import GradeFailure

PAGE = 4096
PTE_P, PTE_W, PTE_U, PTE_PS, PTE_G, PTE_NX = 1, 2, 4, 0x80, 0x100, 1 << 63
PTE_A, PTE_D = 0x20, 0x40
PTE_ADDR = 0x000FFFFFFFFFF000
FRAME_MIN_PHYS = 0x100000          # kernel/mm/frame.h
FRAME_MAX_PHYS = 0x400000000
KERNEL_VMA = 0xFFFFFFFF80000000

INT_RE = re.compile(r"^\s*\d+: v=([0-9a-f]{2}) e=([0-9a-f]{4}) .*? pc=([0-9a-f]+)"
                    r".*?(?: CR2=([0-9a-f]+))?\s*$")


def canonical(va):
    top = va >> 47
    return top == 0 or top == (1 << 17) - 1


def indices(va):
    """The PML4, PDPT, PD and PT indices of va."""
    return [(va >> shift) & 0x1FF for shift in (39, 30, 21, 12)]


def read_table(machine, pa):
    """The 512 entries of the page table at physical address pa."""
    return list(struct.unpack("<512Q", oracles.read_phys(machine, pa & PTE_ADDR, PAGE)))


def cr3(machine):
    value = oracles.cpu_state(machine).get("CR3")
    if value is None:
        raise GradeFailure("QEMU's `info registers` shows no CR3.")
    return value & PTE_ADDR


def walk(machine, root, va):
    """The entries on va's path from the PML4 at physical root, top first, as a list of ints;
    the walk stops after an entry that is not present or maps a huge page."""
    entries = []
    table = root
    for level, index in enumerate(indices(va)):
        entry = struct.unpack("<Q", oracles.read_phys(machine, table + 8 * index, 8))[0]
        entries.append(entry)
        if not entry & PTE_P or (level in (1, 2) and entry & PTE_PS) or level == 3:
            break
        table = entry & PTE_ADDR
    return entries


def table_frames(machine, root):
    """The physical frames of every PDPT, PD and PT reachable from the PML4 at root."""
    frames = set()

    def visit(pa, level):
        entries = read_table(machine, pa)
        for e in entries:
            if not e & PTE_P or (level in (1, 2) and e & PTE_PS):
                continue
            child = e & PTE_ADDR
            frames.add(child)
            if level < 2:
                visit(child, level + 1)
            elif level == 2:
                pass        # a PT: its entries map pages, not tables
        return frames

    for e in read_table(machine, root):
        if e & PTE_P:
            frames.add(e & PTE_ADDR)
            visit(e & PTE_ADDR, 1)
    return frames


def read_boot_info(machine):
    """The Multiboot2 boot information the kernel was given: (address, size, memory map as
    (base, length, type) tuples, command line). The address comes from boot.S's boot_mbi,
    where _start stored EBX."""
    where = machine.settings.symbols.address("boot_mbi")
    if where is None:
        raise GradeFailure("kernel.sym has no symbol boot_mbi (boot.S defines it).")
    mbi = struct.unpack("<I", oracles.read_phys(machine, where, 4))[0]
    total = struct.unpack("<I", oracles.read_phys(machine, mbi, 4))[0]
    if not 16 <= total <= 1 << 20:
        raise GradeFailure("the boot information at %#x claims %d bytes." % (mbi, total))
    data = oracles.read_phys(machine, mbi, total)
    mmap, cmdline, offset = [], None, 8
    while offset + 8 <= total:
        tag, size = struct.unpack_from("<II", data, offset)
        if tag == 0 or size < 8:
            break
        if tag == 1:
            cmdline = data[offset + 8:offset + size].split(b"\0")[0].decode(errors="replace")
        elif tag == 6:
            entry_size = struct.unpack_from("<I", data, offset + 8)[0]
            for at in range(offset + 16, offset + size, entry_size):
                mmap.append(struct.unpack_from("<QQI", data, at))
        offset += (size + 7) & ~7
    if not mmap:
        raise GradeFailure("the boot information at %#x has no memory map tag." % mbi)
    return mbi, total, mmap, cmdline


def subtract(ranges, cut):
    """Interval list ranges ([start, end) pairs) minus the interval cut."""
    out = []
    for s, e in ranges:
        if cut[1] <= s or cut[0] >= e:
            out.append((s, e))
            continue
        if s < cut[0]:
            out.append((s, cut[0]))
        if cut[1] < e:
            out.append((cut[1], e))
    return out


def merge(ranges):
    """Sorted, merged intervals."""
    out = []
    for s, e in sorted(r for r in ranges if r[0] < r[1]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def usable_frames(mmap, reserved):
    """frame.h's usable frames, as merged intervals: whole frames of available (type 1) ranges,
    at or above 1 MiB and below FRAME_MAX_PHYS, overlapping no reserved range."""
    ranges = []
    for base, length, kind in mmap:
        if kind != 1:
            continue
        start = max((base + PAGE - 1) & ~(PAGE - 1), FRAME_MIN_PHYS)
        end = min((base + length) & ~(PAGE - 1), FRAME_MAX_PHYS)
        if start < end:
            ranges.append((start, end))
    for s, e in reserved:
        ranges = subtract(ranges, (s & ~(PAGE - 1), (e + PAGE - 1) & ~(PAGE - 1)))
    return merge(ranges)


def count(ranges):
    return sum(e - s for s, e in ranges) // PAGE


def page_faults(boot):
    """QEMU's -d int log of this boot: every #PF as (error code, pc, cr2), oldest first."""
    faults = []
    try:
        with open(os.path.join(boot.log_dir, "qemu.log"), errors="replace") as f:
            for line in f:
                m = INT_RE.match(line)
                if m and int(m.group(1), 16) == 14:
                    faults.append((int(m.group(2), 16), int(m.group(3), 16),
                                   int(m.group(4), 16) if m.group(4) else None))
    except OSError:
        pass
    return faults
