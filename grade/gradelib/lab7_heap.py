"""Lab 7's oracles: the heap's blocks and page tables, read from the machine.

The byte stream the kernel's tests fill blocks with (kernel/tests/lab7_tests.c, fill_stream) is
recomputed here from the token; blocks are read at the physical addresses QEMU's gva2gpa gives,
page by page, and the heap's page-table entries are read from guest memory starting at CR3.
"""

import struct

from . import oracles
from . import lab6_paging as pg
from .rng import SplitMix64

HEAP_BASE = 0xFFFFFF8000000000       # kernel/mm/layout.h
HEAP_REGION_SIZE = 0x40000000
HEAP_MIN_ALIGN = 16
HEAP_POISON = 0x6B
KMALLOC_MAX = HEAP_REGION_SIZE
HEAP_LIMIT_DEFAULT = 16 << 20


def stream(seed, n):
    """The first n bytes of fill_stream(seed): splitmix64 words, little-endian."""
    rng = SplitMix64(seed)
    words = (n + 7) // 8
    return struct.pack("<%dQ" % words, *[rng.next() for _ in range(words)])[:n]


def read_block(machine, va, size):
    """size bytes at virtual address va, each page through gva2gpa and pmemsave; None if a
    page is not mapped. Also returns the physical page of each virtual page."""
    out = bytearray()
    frames = []
    at = va
    while at < va + size:
        chunk = min(va + size, (at | 0xFFF) + 1) - at
        pa = oracles.gva2gpa(machine, at)
        if pa is None:
            return None, frames
        frames.append(pa & ~0xFFF)
        out += oracles.read_phys(machine, pa, chunk)
        at += chunk
    return bytes(out), frames


def heap_ptes(machine, root, limit):
    """{virtual page: leaf entry} for every present 4 KiB page in [HEAP_BASE, HEAP_BASE +
    limit), walking the tables from the PML4 at root; huge pages are reported as such."""
    pages = {}
    pml4e = pg.read_table(machine, root)[pg.indices(HEAP_BASE)[0]]
    if not pml4e & pg.PTE_P:
        return pages
    pdpt = pg.read_table(machine, pml4e)
    base = pg.indices(HEAP_BASE)
    end = HEAP_BASE + limit
    for i in range(base[1], 512):
        va1 = HEAP_BASE + ((i - base[1]) << 30)
        if va1 >= end:
            break
        e1 = pdpt[i]
        if not e1 & pg.PTE_P:
            continue
        if e1 & pg.PTE_PS:
            pages[va1] = e1
            continue
        pd = pg.read_table(machine, e1)
        for j in range(512):
            va2 = va1 + (j << 21)
            if va2 >= end:
                break
            e2 = pd[j]
            if not e2 & pg.PTE_P:
                continue
            if e2 & pg.PTE_PS:
                pages[va2] = e2
                continue
            pt = pg.read_table(machine, e2)
            for k in range(512):
                va3 = va2 + (k << 12)
                if va3 >= end:
                    break
                if pt[k] & pg.PTE_P:
                    pages[va3] = pt[k]
    return pages


def read_u64(machine, symbol_address):
    """The 64-bit variable at a kernel-image symbol's address."""
    return struct.unpack("<Q", oracles.read_phys(machine, symbol_address - pg.KERNEL_VMA, 8))[0]
