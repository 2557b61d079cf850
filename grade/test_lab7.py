"""Lab 7 (heap): the heap region, kmalloc and its contract, the first-fit allocator, debug mode.

The kernel checks what it can itself (kernel/tests/lab7_tests.c); the grader recomputes every
drawn input from the token and checks what it can against the machine (gradelib/lab7_heap.py):

lab7.heap is one boot that holds: the contract's tests run (lab7.coalesce frees three
neighbouring blocks in each of the six orders and asks for exactly the merged block: the grader
recomputes the sizes and orders and requires it at the first block's address), and lab7.readback
leaves ten blocks
allocated (sizes 1, 16, 17, 4095, 4096, 4097, three drawn ones and one of two to five pages),
filled with a byte stream drawn from the token. At the hold the grader reads each block at the
physical addresses QEMU's gva2gpa gives and requires the stream, and walks the page tables from
CR3: the heap's present pages must be exactly HEAP_BASE up to the kernel's heap_brk, each one
4 KiB, writable, no-execute and not user, each on its own frame. lab7.array's sum and every
aligned address are recomputed or checked here too.

lab7.small boots with heap=192K: lab7.reuse allocates and frees more than ten times the heap
(the grader recomputes the total from the token), lab7.exhaust allocates until NULL, frees,
allocates one block of all the mapped heap less a page, and the same sizes again. lab7.irq
boots at hz=1000 and allocates in the timer handler for 2000 ticks while the test does so too
(QEMU's -d int log must show the timer's vector delivered at least that often).
The six debug-mode tests each panic on purpose, on a boot of their own: the grader requires
the documented message naming the pointer (and, for a write after free, the very byte written).

The checks are functions of the group that ran the test (check_values(kernel, group), ...), so
that lab 8 (grade/test_lab8.py) grades the same in-kernel tests under each allocator design.
"""

import os
import re

from gradelib import KernelGroup, fail, lab, points, test_rng
from gradelib import lab6_paging as pg
from gradelib import lab7_heap as hp
from gradelib import protocol
from gradelib.rng import SplitMix64

pytestmark = lab(7)

SMALL_HEAP = 192 << 10
ALIGNS = [1 << k for k in range(3, 13)]          # 8 .. 4096
READBACK_EDGES = [1, 16, 17, 4095, 4096, 4097]


def values_of(machine, name):
    log = protocol.parse_serial("\n".join(machine.lines) + "\n", machine.token)
    return log.record(name).values


def inspect_heap(machine):
    """At the hold: the readback blocks' bytes and frames, heap_brk, heap_max, the heap PTEs."""
    symbols = machine.settings.symbols
    state = {"blocks": {}}
    brk_at, max_at = symbols.address("heap_brk"), symbols.address("heap_max")
    state["brk"] = hp.read_u64(machine, brk_at) if brk_at else None
    state["max"] = hp.read_u64(machine, max_at) if max_at else None
    for key, text in values_of(machine, "lab7.readback").items():
        if key.startswith("block"):
            va, size = text.split()
            va, size = int(va, 16), int(size)
            if pg.canonical(va) and 0 < size < 1 << 20:
                state["blocks"][key] = hp.read_block(machine, va, size)
    limit = state["max"] if state["max"] and state["max"] <= hp.HEAP_REGION_SIZE else \
        hp.HEAP_LIMIT_DEFAULT
    state["ptes"] = hp.heap_ptes(machine, pg.cr3(machine), limit)
    return state


# Lab 7 grades the first-fit list: alloc=list keeps it in use on a lab 8 kernel (default slab);
# a lab 7 kernel has no other allocator and ignores the argument.
LIST = "alloc=list"
HEAP = KernelGroup("lab7.heap", ["lab7.align", "lab7.array", "lab7.calloc", "lab7.coalesce",
                                 "lab7.edges", "lab7.readback", "lab7.realloc", "lab7.values"],
                   args=(LIST,), hold=True, inspect=inspect_heap)
SMALL = KernelGroup("lab7.small", ["lab7.exhaust", "lab7.reuse"],
                    args=("heap=%dK" % (SMALL_HEAP >> 10), LIST))
IRQ = KernelGroup("lab7.irq", ["lab7.irq"], args=("hz=1000", LIST))
PANICS = {n: KernelGroup("lab7." + n, ["lab7." + n], args=(LIST,)) for n in
          ("double_free", "double_free_merged", "use_after_free", "use_after_free_last",
           "bad_free", "bad_free_outside")}


def heap_state(kernel, group, name):
    """The record of test name and what the grader read at the hold of the boot that ran it."""
    record = kernel.expect_pass(group, name)
    state = record.boot.inspection or kernel.inspection(group)
    if state is None:
        fail("%s passed, but the boot never held for the grader to read the heap." % name,
             boot=record.boot)
    return record, state


def in_heap(state, va, size=1):
    brk = state["brk"] or hp.HEAP_BASE
    return hp.HEAP_BASE <= va and va + size <= brk


def check_values(kernel, group):
    record = kernel.expect_pass(group, "lab7.values")
    boot = record.boot
    # The heap prints nothing: once the tests start, every line is a protocol line.
    lines = list(boot.serial_lines)
    prefix = "ktest %s " % boot.token
    start = next((i for i, l in enumerate(lines) if l.startswith(prefix + "start ")), None)
    # A later test's panic report is not the heap printing: stop there.
    stop = next((i for i, l in enumerate(lines) if i > (start or 0) and
                 l.startswith(("PANIC", "EXCEPTION"))), len(lines))
    stray = [l for l in lines[start or 0:stop] if not l.startswith(prefix)]
    if start is None or stray:
        fail("the heap printed while the tests ran (an allocator must not print): %s" % (
            stray[:3],), boot=boot)


@points(6)
@HEAP
def test_values(kernel):
    """several blocks of many sizes, all live at once, read back what was written"""
    check_values(kernel, HEAP)


def check_array(kernel, group):
    record = kernel.expect_pass(group, "lab7.array")
    rng = test_rng(record.boot.token, "lab7.array")
    want = sum(rng.below(1 << 32) for _ in range(1000)) & (2 ** 64 - 1)
    if record.values.get("sum") != str(want):
        fail("wrong value: lab7.array's elements sum to %s; the token draws elements summing "
             "to %d." % (record.values.get("sum"), want), boot=record.boot)


@points(6)
@HEAP
def test_array(kernel):
    """a krealloc-grown array of 1000 drawn elements sums right"""
    check_array(kernel, HEAP)


def check_align(kernel, group):
    record, state = heap_state(kernel, group, "lab7.align")
    for align in ALIGNS:
        text = record.values.get("a%d" % align)
        if text is None:
            fail("lab7.align printed no addresses for alignment %d." % align, boot=record.boot)
        for word in text.split():
            va = int(word, 16)
            if va % max(align, hp.HEAP_MIN_ALIGN) or not in_heap(state, va):
                fail("wrong value: kmalloc_aligned(.., %d) returned %#x: misaligned or outside "
                     "the mapped heap [%#x, %#x)." % (align, va, hp.HEAP_BASE,
                                                        state["brk"] or 0), boot=record.boot)


@points(10)
@HEAP
def test_align(kernel):
    """kmalloc_aligned honours every alignment from 8 to 4096, inside the heap"""
    check_align(kernel, HEAP)


@points(6)
@HEAP
def test_edges(kernel):
    """kmalloc(0), oversized sizes and bad alignments return NULL before reaching the heap"""
    kernel.expect_pass(HEAP, "lab7.edges")


@points(7)
@HEAP
def test_calloc(kernel):
    """kcalloc zeroes, and returns NULL when n * size overflows (even to a small number)"""
    kernel.expect_pass(HEAP, "lab7.calloc")


@points(10)
@HEAP
def test_realloc(kernel):
    """krealloc: NULL, grow (all old bytes copied), shrink in place, 0 frees, failure keeps"""
    kernel.expect_pass(HEAP, "lab7.realloc")


COALESCE_ORDERS = ["abc", "acb", "bac", "bca", "cab", "cba"]
FIRSTFIT_HDR = 32                   # heap_firstfit.c's header in front of every block


def align_up(n, align):
    return (n + align - 1) // align * align


def coalesce_model(token):
    """[(free order, [three sizes])] for the six rounds lab7.coalesce draws."""
    rng = test_rng(token, "lab7.coalesce")
    order = list(range(6))
    for i in range(5, 0, -1):
        j = rng.below(i + 1)
        order[i], order[j] = order[j], order[i]
    return [(COALESCE_ORDERS[k], [1 + rng.below(3000) for _ in range(3)]) for k in order]


@points(4)
@HEAP
def test_coalesce(kernel):
    """three neighbours freed in each of the six orders merge: their total fits at the first"""
    record, state = heap_state(kernel, HEAP, "lab7.coalesce")
    boot = record.boot
    for i, (how, sizes) in enumerate(coalesce_model(boot.token)):
        words = record.values.get("round%d" % i, "").split()
        want = [how] + [str(n) for n in sizes]
        if words[:4] != want or len(words) != 6:
            fail("lab7.coalesce's round %d reports %r; the token draws the free order %s and "
                 "the sizes %s." % (i, " ".join(words), how, " ".join(want[1:])), boot=boot)
        a, big = int(words[4], 16), int(words[5], 16)
        span = sum(align_up(n, hp.HEAP_MIN_ALIGN) for n in sizes) + 2 * FIRSTFIT_HDR
        if a % hp.HEAP_MIN_ALIGN or not in_heap(state, a, span):
            fail("wrong value: round %d's first block %#x (and the %d bytes from it to the "
                 "end of the third) is misaligned or outside the mapped heap [%#x, %#x)." % (
                     i, a, span, hp.HEAP_BASE, state["brk"] or 0), boot=boot)
        if big != a:
            fail("wrong value: round %d freed blocks of %s bytes in the order %s, then "
                 "kmalloc(%d) returned %#x, not the first block's %#x." % (
                     i, "/".join(want[1:]), how, span, big, a), boot=boot)


def readback_model(token):
    rng = test_rng(token, "lab7.readback")
    sizes = READBACK_EDGES + [1 + rng.below(3000) for _ in range(3)]
    sizes.append(8192 + rng.below(12288))
    return sizes, rng.next()


def check_readback(kernel, group):
    record, state = heap_state(kernel, group, "lab7.readback")
    boot = record.boot
    sizes, pattern = readback_model(boot.token)
    if record.values.get("pattern") != "%016x" % pattern:
        fail("lab7.readback printed pattern %s, but the token draws %016x." % (
            record.values.get("pattern"), pattern), boot=boot)
    spans = []
    for i, size in enumerate(sizes):
        key = "block%d" % i
        words = record.values.get(key, "").split()
        if len(words) != 2 or int(words[1]) != size:
            fail("lab7.readback's %s is %r; the token draws a block of %d bytes." % (
                key, record.values.get(key), size), boot=boot)
        va = int(words[0], 16)
        if va % hp.HEAP_MIN_ALIGN or not in_heap(state, va, size):
            fail("wrong value: block %d at %#x (%d bytes) is misaligned or outside the mapped "
                 "heap [%#x, %#x)." % (i, va, size, hp.HEAP_BASE, state["brk"] or 0), boot=boot)
        data, _ = state["blocks"].get(key, (None, []))
        if data is None:
            fail("wrong value: QEMU finds no mapping for part of block %d at %#x." % (i, va),
                 boot=boot)
        want = hp.stream((pattern + i) & (2 ** 64 - 1), size)
        if data != want:
            at = next(k for k in range(size) if data[k] != want[k])
            fail("wrong value: block %d (%#x, %d bytes) holds %#04x at byte %d in memory, not "
                 "the pattern's %#04x." % (i, va, size, data[at], at, want[at]), boot=boot)
        spans.append((va, va + size))
    spans.sort()
    for (a, b), (c, d) in zip(spans, spans[1:]):
        if c < b:
            fail("wrong value: live blocks [%#x, %#x) and [%#x, %#x) overlap." % (a, b, c, d),
                 boot=boot)


@points(8)
@HEAP
def test_readback(kernel):
    """blocks left allocated hold the token's pattern in their frames (gva2gpa, pmemsave)"""
    check_readback(kernel, HEAP)


def check_mapping(kernel, group):
    record, state = heap_state(kernel, group, "lab7.readback")
    boot = record.boot
    brk, limit = state["brk"], state["max"]
    if brk is None or limit is None:
        fail("kernel.sym has no heap_brk or heap_max (kernel/mm/heap.c).", boot=boot)
    if limit != hp.HEAP_LIMIT_DEFAULT:
        fail("wrong value: without heap= the limit is %d bytes, not %d." % (
            limit, hp.HEAP_LIMIT_DEFAULT), boot=boot)
    if not hp.HEAP_BASE < brk <= hp.HEAP_BASE + limit or brk % pg.PAGE:
        fail("wrong value: heap_brk is %#x, outside (HEAP_BASE, HEAP_BASE + limit]." % brk,
             boot=boot)
    ptes = state["ptes"]
    want = set(range(hp.HEAP_BASE, brk, pg.PAGE))
    extra, missing = sorted(set(ptes) - want), sorted(want - set(ptes))
    if extra or missing:
        fail("wrong value: the page tables map %d heap pages, heap_brk says %d (unexpected: %s; "
             "missing: %s)." % (len(ptes), len(want), [hex(v) for v in extra[:4]],
                                [hex(v) for v in missing[:4]]), boot=boot)
    frames = set()
    for va, e in sorted(ptes.items()):
        if e & (pg.PTE_P | pg.PTE_W | pg.PTE_NX | pg.PTE_U | pg.PTE_PS) != \
                pg.PTE_P | pg.PTE_W | pg.PTE_NX:
            fail("wrong value: heap page %#x's entry is %#x: it must be present, writable and "
                 "no-execute, not user, not a huge page." % (va, e), boot=boot)
        frames.add(e & pg.PTE_ADDR)
    if len(frames) != len(ptes):
        fail("wrong value: %d heap pages share %d frames." % (len(ptes), len(frames)),
             boot=boot)


@points(4)
@HEAP
def test_mapping(kernel):
    """the heap's pages: exactly HEAP_BASE..heap_brk, 4 KiB each, writable, NX, own frames"""
    check_mapping(kernel, HEAP)


def reuse_model(token, limit):
    rng = test_rng(token, "lab7.reuse")
    rng.next()
    total = count = 0
    while total <= 10 * limit:
        n = 2 + rng.below(limit // 16)
        rng.below(4)
        total += n
        count += 1
    return total, count


@points(8)
@SMALL
def test_reuse(kernel):
    """with heap=192K, allocations totalling over ten times the heap reuse freed memory"""
    record = kernel.expect_pass(SMALL, "lab7.reuse")
    got = record.values.get("total", "").split()
    total, count = reuse_model(record.boot.token, SMALL_HEAP)
    if got != [str(total), str(count), str(SMALL_HEAP)]:
        fail("wrong value: lab7.reuse reports %s (total, count, limit); the token and heap=%dK "
             "give %d %d %d." % (" ".join(got) or "nothing", SMALL_HEAP >> 10, total, count,
                                  SMALL_HEAP), boot=record.boot)


@points(8)
@SMALL
def test_exhaust(kernel):
    """with heap=192K, allocating until NULL fills the heap, and after freeing it fits again"""
    record = kernel.expect_pass(SMALL, "lab7.exhaust")
    boot = record.boot
    rng = test_rng(boot.token, "lab7.exhaust")
    sizes = SplitMix64(rng.next())
    try:
        n1, bytes1 = (int(w) for w in record.values["pass1"].split())
        n2, bytes2 = (int(w) for w in record.values["pass2"].split())
    except (KeyError, ValueError):
        fail("lab7.exhaust printed no pass1/pass2 values.", boot=boot)
    drawn = [1 + sizes.below(2048) for _ in range(max(n1, n2))]
    if bytes1 != sum(drawn[:n1]) or bytes2 != sum(drawn[:n2]):
        fail("wrong value: lab7.exhaust's byte counts do not match the sizes the token draws.",
             boot=boot)
    if bytes1 + 64 * n1 < SMALL_HEAP - 3 * pg.PAGE:
        fail("wrong value: kmalloc returned NULL after %d blocks of %d bytes in all, in a heap "
             "of %d: the heap must grow up to its limit before giving up." % (
                 n1, bytes1, SMALL_HEAP), boot=boot)
    if n2 < n1:
        fail("wrong value: after freeing everything only %d of the %d blocks fit again." % (
            n2, n1), boot=boot)


def check_irq(kernel, group):
    record = kernel.expect_pass(group, "lab7.irq")
    words = record.values.get("counts", "").split()
    if len(words) != 3:
        fail("lab7.irq printed no counts.", boot=record.boot)
    ticks, in_handler, in_main = (int(w) for w in words)
    if ticks < 2000 or in_handler < 1990 or in_main < 1000:
        fail("wrong value: lab7.irq ran %d ticks with %d allocations in the handler and %d in "
             "the loop; expected 2000 ticks, one allocation per tick, and the loop busy." % (
                 ticks, in_handler, in_main), boot=record.boot)
    # QEMU's own -d int log: the timer's vector 32 really was delivered that often.
    with open(os.path.join(record.boot.log_dir, "qemu.log"), errors="replace") as f:
        delivered = sum(1 for line in f if (m := pg.INT_RE.match(line)) and m.group(1) == "20")
    if delivered < ticks:
        fail("wrong value: lab7.irq counted %d ticks, but QEMU delivered vector 32 only %d "
             "times." % (ticks, delivered), boot=record.boot)


@points(10)
@IRQ
def test_irq(kernel):
    """a timer handler allocating and freeing for 2000 ticks while the main loop does, intact"""
    check_irq(kernel, IRQ)


def names(message, address):
    return re.search(r"\b0x0*%x\b" % address, message) is not None


def panic_of(kernel, group, name, prefix):
    """The record and panic message of should-panic test name (lab7.double_free, ...)."""
    record = kernel.expect_pass(group, name)
    panic = record.boot.log.panic
    if panic is None or not panic.message.startswith(prefix):
        fail("%s: the kernel did not panic with \"%s...\"%s." % (
            name, prefix, "" if panic is None else
            " (it panicked earlier: \"%s\")" % panic.message), boot=record.boot)
    return record, panic.message


def check_double_free(kernel, group, name):
    record, message = panic_of(kernel, group, name, "kfree: double free of ")
    ptr = int(record.values.get("ptr", "0"), 16)
    if not hp.HEAP_BASE <= ptr < hp.HEAP_BASE + hp.HEAP_REGION_SIZE or \
            message != "kfree: double free of 0x%016x" % ptr:
        fail("wrong value: the panic should be \"kfree: double free of 0x%016x\", naming the "
             "block freed twice: %s" % (ptr, message), boot=record.boot)


@points(3)
@PANICS["double_free"].mark
def test_double_free(kernel):
    """freeing a block twice panics: kfree: double free of <ptr>"""
    check_double_free(kernel, PANICS["double_free"], "lab7.double_free")


@points(2)
@PANICS["double_free_merged"].mark
def test_double_free_merged(kernel):
    """freeing twice a block merged into its free neighbour still panics as a double free"""
    check_double_free(kernel, PANICS["double_free_merged"], "lab7.double_free_merged")


def check_write_after_free(kernel, group, name):
    record, message = panic_of(kernel, group, name, "kmalloc: write after free at ")
    boot = record.boot
    words = record.values.get("ptr", "").split()
    if len(words) != 2:
        fail("%s printed no ptr value." % name, boot=boot)
    ptr, k = int(words[0], 16), int(words[1])
    rng = test_rng(boot.token, name)
    if name == "lab7.use_after_free":
        n = 64 + rng.below(4096)
        want_k = 1 + rng.below(n - 2)
        if k != want_k:
            fail("lab7.use_after_free wrote at offset %d; the token draws %d." % (k, want_k),
                 boot=boot)
    else:
        n = 16 * (4 + rng.below(256)) - 1 - rng.below(15)
        if k + 1 < n:
            fail("lab7.use_after_free_last: the usable size %d is below the %d bytes asked." %
                 (k + 1, n), boot=boot)
    want = "kmalloc: write after free at 0x%016x (block 0x%016x)" % (ptr + k, ptr)
    if message != want:
        fail("wrong value: the panic should be \"%s\": the first changed byte and the block; "
             "it is \"%s\"." % (want, message), boot=boot)


@points(3)
@PANICS["use_after_free"].mark
def test_use_after_free(kernel):
    """a byte written after kfree is found by the next kmalloc of the block, by address"""
    check_write_after_free(kernel, PANICS["use_after_free"], "lab7.use_after_free")


@points(2)
@PANICS["use_after_free_last"].mark
def test_use_after_free_last(kernel):
    """a write after free to the block's last usable byte is found too"""
    check_write_after_free(kernel, PANICS["use_after_free_last"], "lab7.use_after_free_last")


def check_bad_free(kernel, group, name):
    record, message = panic_of(kernel, group, name, "kfree: bad pointer ")
    ptr = int(record.values.get("ptr", "0"), 16)
    if message != "kfree: bad pointer 0x%016x" % ptr:
        fail("wrong value: the panic should be \"kfree: bad pointer 0x%016x\": %s" % (
            ptr, message), boot=record.boot)


@points(2)
@PANICS["bad_free"].mark
def test_bad_free(kernel):
    """kfree of a pointer inside a live block panics: kfree: bad pointer <ptr>"""
    check_bad_free(kernel, PANICS["bad_free"], "lab7.bad_free")


@points(1)
@PANICS["bad_free_outside"].mark
def test_bad_free_outside(kernel):
    """kfree of an address past the heap's end panics as a bad pointer, without faulting"""
    check_bad_free(kernel, PANICS["bad_free_outside"], "lab7.bad_free_outside")
