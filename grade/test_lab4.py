"""Lab 4 (double_fault): the GDT, the TSS, the IST, and double faults that report cleanly.

lab4.gdt runs on a boot that holds afterwards, so the grader reads the machine itself: GDTR, TR
and the segment registers from QEMU's `info registers`, then the five GDT slots, the 104-byte TSS
at TR's base and the double-fault gate from guest memory. Each must match what the kernel's
tables should hold, with the addresses taken from kernel.sym. The random encodings the test
printed are recomputed from the token.

lab4.stack_overflow and lab4.df_not_present are should-panic tests: the kernel counts them as
passed whenever they panic with "unhandled exception #DF", so the grader also reads the report
lines (DOUBLE FAULT and EXCEPTION: vector 8, error 0, where RIP and RSP point) and QEMU's -d int
log, which shows the pair of exceptions that made the double fault: a page fault while delivering
a page fault, or #NP while delivering #GP. ist_stack is the check that matters most: on the
overflow's boot, the double-fault handler's frame lies inside the IST stack
(double_fault_stack_bottom .. double_fault_stack_top in kernel.sym). lab4.no_ist, worth nothing,
shows what happens without the IST: a triple fault.
"""

import os
import re
import struct

from gradelib import KernelGroup, fail, lab, oracles, points, test_rng
from gradelib import protocol

pytestmark = lab(4)

GDT_SLOTS = 5
TSS_SIZE = 104
TRAP_FRAME_SIZE = 176           # kernel/arch/x86_64/trap.h: TF_SIZE
KERNEL_CS, KERNEL_DS, TSS_SELECTOR = 0x08, 0x10, 0x18
KCODE = 0x00AF9A000000FFFF      # 64-bit code, DPL 0 (the same as boot.S's)
KDATA = 0x00CF92000000FFFF      # writable data, DPL 0
ACCESSED = 1 << 40              # set by the CPU when it loads a descriptor
DESC_L = 1 << 21                # in the high dword QEMU shows for CS: the 64-bit code bit

DOUBLE_FAULT_RE = re.compile(r"^DOUBLE FAULT: handler stack 0x([0-9a-f]{16}) "
                             r"\(ist1 0x([0-9a-f]{16})\.\.0x([0-9a-f]{16})\)$")
EXCEPTION_RE = re.compile(
    r"^EXCEPTION: (?P<mn>\S+) (?P<name>.+) \(vector (?P<vector>\d+)\) error "
    r"(?P<error>none|0x[0-9a-f]+)(?: \[(?P<detail>[^\]]*)\])? rip 0x(?P<rip>[0-9a-f]{16}) "
    r"rsp 0x(?P<rsp>[0-9a-f]{16})(?: cr2 0x(?P<cr2>[0-9a-f]{16}))?$")
CHECK_RE = re.compile(r"^check_exception old: 0x([0-9a-f]+) new 0x([0-9a-f]+)")
INT_RE = re.compile(r"^\s*\d+: v=([0-9a-f]{2}) e=([0-9a-f]{4}) .*? pc=([0-9a-f]+)"
                    r".*?(?: CR2=([0-9a-f]+))?\s*$")


def read_tables(machine):
    """The hold boot's CPU state, GDT, TSS and double-fault gate, read through QMP."""
    regs = oracles.cpu_state(machine)
    state = {"regs": regs, "gdt": None, "tss": None, "df_gate": None}
    gdtr, tr, idtr = regs.get("GDT"), regs.get("TR"), regs.get("IDT")
    if gdtr and gdtr["limit"] + 1 >= 8 * GDT_SLOTS:
        state["gdt"] = oracles.read_virt(machine, gdtr["base"], 8 * GDT_SLOTS)
    if tr and tr["base"]:
        state["tss"] = oracles.read_virt(machine, tr["base"], TSS_SIZE)
    if idtr and idtr["limit"] >= 32 * 16 - 1:
        state["gates"] = oracles.read_virt(machine, idtr["base"], 32 * 16)
        state["df_gate"] = state["gates"][8 * 16:9 * 16]
    vectors = machine.settings.symbols.address("trap_vectors")
    if vectors:
        state["stubs"] = oracles.read_virt(machine, vectors, 32 * 8)
    return state


GDT = KernelGroup("lab4.gdt", ["lab4.gdt"], hold=True, inspect=read_tables)
OVERFLOW = KernelGroup("lab4.stack_overflow", ["lab4.stack_overflow"])
NOT_PRESENT = KernelGroup("lab4.df_not_present", ["lab4.df_not_present"])
NO_IST = KernelGroup("lab4.no_ist", ["lab4.no_ist"])


# ---- Helpers. ----

def symbol(settings, name):
    """The address of a kernel symbol; a failure naming it if kernel.sym lacks it."""
    address = settings.symbols.address(name)
    if address is None:
        fail("kernel.sym has no symbol %s (the given lab 4 files define it)." % name)
    return address


def segment(base, limit, access, flags):
    """An 8-byte code or data descriptor (SDM Vol. 3A §3.4.5), as the kernel must encode it."""
    return ((limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | (access & 0xFF) << 40 |
            ((limit >> 16) & 0xF) << 48 | (flags & 0xF) << 52 | ((base >> 24) & 0xFF) << 56)


def find_line(boot, regex, what):
    """The match of the first serial line matching regex; a failure saying what is missing."""
    for line in boot.serial_lines:
        m = regex.match(line)
        if m:
            return m
    fail("no %s line in the serial output." % what, boot=boot)


def double_fault_report(kernel, group, name):
    """Check the common part of a double-fault test; return (record, EXCEPTION match)."""
    record = kernel.expect_pass(group, name)
    boot = record.boot
    panic = boot.log.panic
    if panic is None or not panic.message.startswith("unhandled exception #DF"):
        fail("%s: the kernel panicked, but not for an unhandled #DF (%s)." % (
            name, panic.message if panic else "no PANIC line"), boot=boot)
    m = find_line(boot, EXCEPTION_RE, "`EXCEPTION: ...` report")
    if m["mn"] != "#DF" or int(m["vector"]) != 8 or m["error"] != "0x0":
        fail("%s: wrong value: the report is for %s (vector %s, error %s); expected #DF, vector "
             "8, error 0x0." % (name, m["mn"], m["vector"], m["error"]), boot=boot,
             detail=["  " + m.string])
    return record, m


def function_at(settings, address):
    """The name of the function containing address (from addr2line), or '??'."""
    where = settings.symbols.describe([address + 1])[0]
    return where.split(" ")[0]


def qemu_exceptions(boot):
    """QEMU's -d int log as a list of events: ("check", old, new) and ("int", vector, pc, cr2)."""
    events = []
    try:
        with open(os.path.join(boot.log_dir, "qemu.log"), errors="replace") as f:
            for line in f:
                m = CHECK_RE.match(line)
                if m:
                    events.append(("check", int(m.group(1), 16), int(m.group(2), 16)))
                    continue
                m = INT_RE.match(line)
                if m and int(m.group(1), 16) < 32:
                    events.append(("int", int(m.group(1), 16), int(m.group(3), 16),
                                   int(m.group(4), 16) if m.group(4) else None))
    except OSError:
        pass
    return events


def expect_pair(boot, name, first, second):
    """Fail unless QEMU logged exception `second` during the delivery of `first`, then #DF.

    Returns the logged ("int", ...) event of the first exception.
    """
    events = qemu_exceptions(boot)
    for i, event in enumerate(events):
        if event != ("check", first, second):
            continue
        delivered = [e for e in events[i + 1:] if e[0] == "int"]
        started = [e for e in events[:i] if e[0] == "int" and e[1] == first]
        if delivered and delivered[0][1] == 8 and started:
            return started[-1]
    shown = ["  %s" % (("check_exception old 0x%x new 0x%x" % e[1:]) if e[0] == "check" else
                       "v=%02x pc=%x" % (e[1], e[2])) for e in events[-8:]]
    fail("%s: QEMU's log does not show vector %d raised while delivering vector %d, followed by "
         "the double fault (`check_exception old: 0x%x new 0x%x`, then `v=08`)." % (
             name, second, first, first, second), boot=boot,
         detail=["the last exceptions QEMU logged:"] + shown)


# ---- The tests. ----

@points(30)
@OVERFLOW
def test_stack_overflow(kernel, settings):
    """unbounded recursion hits the guard page and ends in a double-fault report"""
    name = "lab4.stack_overflow"
    record, m = double_fault_report(kernel, OVERFLOW, name)
    boot = record.boot
    guard = symbol(settings, "boot_stack_guard")
    bottom = symbol(settings, "boot_stack_bottom")
    rip, rsp = int(m["rip"], 16), int(m["rsp"], 16)
    where = function_at(settings, rip)
    if where != "lab4_recurse":
        fail("%s: wrong value: the double fault's RIP 0x%x lies in %s, not in lab4_recurse." % (
            name, rip, where), boot=boot, detail=["  " + m.string])
    if not guard <= rsp <= bottom:
        fail("%s: wrong value: the interrupted RSP 0x%x is not at the guard page "
             "(boot_stack_guard 0x%x .. boot_stack_bottom 0x%x): the overflow did not happen "
             "where it should." % (
                 name, rsp, guard, bottom), boot=boot, detail=["  " + m.string])
    first = expect_pair(boot, name, 14, 14)
    cr2 = first[3]
    if cr2 is None or not guard <= cr2 < bottom:
        fail("%s: wrong value: the first page fault's address (CR2 %s) is not in the guard "
             "page 0x%x .. 0x%x." % (name, "none" if cr2 is None else "0x%x" % cr2, guard,
                                     bottom), boot=boot)


@points(20)
@OVERFLOW
def test_ist_stack(kernel, settings):
    """the double-fault handler runs on its own IST stack"""
    name = "lab4.stack_overflow"
    record, _ = double_fault_report(kernel, OVERFLOW, name)
    boot = record.boot
    m = find_line(boot, DOUBLE_FAULT_RE, "`DOUBLE FAULT: handler stack ...`")
    frame, low, high = (int(m.group(i), 16) for i in (1, 2, 3))
    bottom = symbol(settings, "double_fault_stack_bottom")
    top = symbol(settings, "double_fault_stack_top")
    if (low, high) != (bottom, top):
        fail("wrong value: the DOUBLE FAULT line names the IST stack 0x%x..0x%x, but "
             "kernel.sym says 0x%x..0x%x." % (low, high, bottom, top), boot=boot,
             detail=["  " + m.string])
    if top <= bottom or top % 16 or bottom % 16:
        fail("the double-fault stack 0x%x..0x%x is empty or not 16-byte aligned." % (
            bottom, top), boot=boot)
    if not bottom <= frame <= top - TRAP_FRAME_SIZE:
        fail("wrong value: the double-fault handler's trap frame is at 0x%x, outside the IST stack "
             "0x%x..0x%x: the gate does not switch to IST1, or TSS IST1 does not hold the "
             "stack's top." % (frame, bottom, top), boot=boot, detail=["  " + m.string])


@points(25)
@GDT
def test_gdt(kernel, settings):
    """the kernel's GDT and TSS are loaded: GDTR, TR, descriptors, IST1, the IST gate"""
    name = "lab4.gdt"
    record = kernel.expect_pass(GDT, name)
    boot = record.boot
    state = kernel.inspection(GDT)
    regs = state["regs"]
    gdt = symbol(settings, "gdt")
    tss = symbol(settings, "tss")
    top = symbol(settings, "double_fault_stack_top")

    gdtr = regs.get("GDT") or {}
    if gdtr.get("base") != gdt or gdtr.get("limit") != 8 * GDT_SLOTS - 1:
        fail("wrong value: GDTR holds base 0x%x limit %s; expected &gdt = 0x%x and limit %d." % (
            gdtr.get("base", 0), gdtr.get("limit"), gdt, 8 * GDT_SLOTS - 1), boot=boot)
    tr = regs.get("TR") or {}
    if (tr.get("selector"), tr.get("base"), tr.get("limit")) != (TSS_SELECTOR, tss, TSS_SIZE - 1):
        fail("wrong value: TR holds selector 0x%x base 0x%x limit 0x%x; expected 0x%x, "
             "&tss = 0x%x, 0x%x." % (
            tr.get("selector", 0), tr.get("base", 0), tr.get("limit", 0), TSS_SELECTOR, tss,
            TSS_SIZE - 1), boot=boot)
    for reg, want in (("CS", KERNEL_CS), ("SS", KERNEL_DS), ("DS", KERNEL_DS)):
        got = (regs.get(reg) or {}).get("selector")
        if got != want:
            fail("wrong value: %s holds selector %s, expected 0x%x." % (reg, got, want),
                 boot=boot)
    if not regs["CS"]["flags"] & DESC_L:
        fail("wrong value: CS's descriptor is not a 64-bit code segment (L bit clear).", boot=boot)

    if state["gdt"] is None or state["tss"] is None or state["df_gate"] is None:
        fail("could not read the GDT, the TSS or the IDT from guest memory.", boot=boot)
    slots = struct.unpack("<5Q", state["gdt"])
    want = [0, KCODE, KDATA, segment(tss, TSS_SIZE - 1, 0x8B, 0), tss >> 32]
    for i, (got, expected) in enumerate(zip(slots, want)):
        if i in (1, 2):
            got &= ~ACCESSED
        if got != expected:
            fail("wrong value in memory: GDT slot %d (selector 0x%02x) holds 0x%016x, "
                 "expected 0x%016x%s." % (
                i, 8 * i, slots[i], expected, " (a busy 64-bit TSS)" if i == 3 else ""),
                boot=boot)

    expected_tss = bytearray(TSS_SIZE)
    struct.pack_into("<Q", expected_tss, 0x24, top)
    struct.pack_into("<H", expected_tss, 0x66, TSS_SIZE)
    if state["tss"] != bytes(expected_tss):
        ist1, = struct.unpack_from("<Q", state["tss"], 0x24)
        iomap, = struct.unpack_from("<H", state["tss"], 0x66)
        others = [i for i in range(TSS_SIZE) if not 0x24 <= i < 0x2C and i not in (0x66, 0x67)
                  and state["tss"][i]]
        fail("wrong value in memory: the TSS at TR's base holds IST1 0x%x (expected "
             "double_fault_stack_top = 0x%x), I/O map base %d (expected %d), and %d other "
             "nonzero byte%s." % (
                 ist1, top, iomap, TSS_SIZE, len(others), "" if len(others) == 1 else "s"),
             boot=boot)
    if state["df_gate"][4] != 1:
        fail("wrong value in memory: the double-fault gate (IDT vector 8) has IST byte 0x%02x, "
             "expected 1." % state["df_gate"][4], boot=boot)
    stubs = state.get("stubs")
    for v in range(32):
        lo, hi = struct.unpack_from("<QQ", state["gates"], 16 * v)
        handler = (lo & 0xFFFF) | ((lo >> 48) & 0xFFFF) << 16 | (hi & 0xFFFFFFFF) << 32
        want_handler = struct.unpack_from("<Q", stubs, 8 * v)[0] if stubs else None
        want_ist = 1 if v == 8 else 0
        if handler != want_handler or (lo >> 16) & 0xFFFF != KERNEL_CS or \
                (lo >> 32) & 0xFFFF != 0x8E00 | want_ist or hi >> 32:
            fail("wrong value in memory: IDT gate %d is %016x %016x; expected handler 0x%x, "
                 "selector 0x08, IST byte %d, type_attr 0x8e, reserved 0 (only the double-fault "
                 "gate uses the IST, and idt_set_ist changes nothing else)." % (
                     v, lo, hi, want_handler or 0, want_ist), boot=boot)

    check_random_encodings(record)


def check_random_encodings(record):
    """The random descriptors lab4.gdt printed are the ones the token asks for, encoded right."""
    boot = record.boot
    rng = test_rng(boot.token, "lab4.gdt")
    values = record.values
    for i in range(8):
        base, limit = rng.next() & 0xFFFFFFFF, rng.next() & 0xFFFFFFFF
        access, flags = rng.next() & 0xFF, rng.next() & 0xFF
        want = "%08x %08x %02x %02x %016x" % (base, limit, access, flags,
                                             segment(base, limit, access, flags))
        if values.get("segment%d" % i) != want:
            fail("lab4.gdt: wrong value: random segment %d: the kernel printed %r, expected %r "
                 "(base limit access flags descriptor)." % (i, values.get("segment%d" % i), want),
                 boot=boot)
    for i in range(4):
        base, limit, access = rng.next(), rng.below(1 << 20), rng.next() & 0xFF
        want = "%016x %05x %02x %016x %016x" % (base, limit, access,
                                                segment(base & 0xFFFFFFFF, limit, access, 0),
                                                base >> 32)
        if values.get("system%d" % i) != want:
            fail("lab4.gdt: wrong value: random system descriptor %d: the kernel printed %r, "
                 "expected %r." % (
                i, values.get("system%d" % i), want), boot=boot)
    top = rng.next() & ~0xF
    if values.get("tss_init") != "%016x" % top:
        fail("lab4.gdt: wrong value: tss_init was checked with %r, expected %016x." % (
            values.get("tss_init"), top), boot=boot)
    for i in range(8):
        lo, hi = rng.next(), rng.next()
        ist = (rng.next() & 0xF8) | i
        want = "%016x %016x %02x %016x %016x" % (lo, hi, ist, (lo & ~(0xFF << 32)) | i << 32, hi)
        if values.get("ist255_%d" % i) != want:
            fail("lab4.gdt: wrong value: idt_set_ist on gate 255, round %d: the kernel printed "
                 "%r, expected %r (junk gate, ist argument, the gate afterwards; only the low 3 "
                 "bits of ist count)." % (i, values.get("ist255_%d" % i), want), boot=boot)


@points(25)
@NOT_PRESENT
def test_df_not_present(kernel, settings):
    """#GP through a not-present gate becomes a double fault, handled on the IST stack"""
    name = "lab4.df_not_present"
    record, _ = double_fault_report(kernel, NOT_PRESENT, name)
    boot = record.boot
    rng = test_rng(boot.token, name)
    addr = (0x0000800000000000 + rng.below(0xFFFF000000000000)) & ~7
    if record.values.get("addr") != "%016x" % addr:
        fail("%s: wrong value: the kernel read address %r, expected %016x for this token." % (
            name, record.values.get("addr"), addr), boot=boot)
    first = expect_pair(boot, name, 13, 11)
    where = function_at(settings, first[2])
    if where != "lab4_fault_noncanonical":
        fail("%s: wrong value: the #GP happened at pc 0x%x in %s, not in "
             "lab4_fault_noncanonical." % (
            name, first[2], where), boot=boot)
    m = find_line(boot, DOUBLE_FAULT_RE, "`DOUBLE FAULT: handler stack ...`")
    frame = int(m.group(1), 16)
    bottom = symbol(settings, "double_fault_stack_bottom")
    top = symbol(settings, "double_fault_stack_top")
    if not bottom <= frame <= top - TRAP_FRAME_SIZE:
        fail("%s: wrong value: the double-fault handler ran at 0x%x, outside the IST stack "
             "0x%x..0x%x." % (
            name, frame, bottom, top), boot=boot, detail=["  " + m.string])


@points(0)
@NO_IST
def test_no_ist(kernel):
    """without the IST, the same overflow triple-faults (shown, not graded)"""
    record = kernel.record(NO_IST, "lab4.no_ist")
    boot = record.boot
    if record.status != protocol.STARTED:
        raise kernel.failure(record)
    if boot.outcome != "triple-fault":
        fail("lab4.no_ist should end in a triple fault (the double fault cannot push its frame "
             "either), but: %s" % boot.describe()[0], boot=boot)
    vectors = [v for v, _, _, _ in boot.exceptions]
    if 8 not in vectors:
        fail("lab4.no_ist triple-faulted without a double fault first (exceptions logged: %s)." %
             ", ".join("%d" % v for v in vectors), boot=boot)
