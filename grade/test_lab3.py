"""Lab 3 (exceptions): the IDT, the trap entry path and the exception reports, checked on the CPU.

lab3.idt, lab3.breakpoint and lab3.registers share one boot that holds at the end: the grader
reads IDTR from the CPU and the gates from guest memory, and replays the token's random values
(the gate the test builds with idt_set_gate, the breakpoint count, the register contents) with
the kernel's generator. The four fault tests each crash the kernel on purpose, so each boots
alone; the grader parses the `EXCEPTION:` report line, checks the vector, the error code (and for
#GP the selector it decodes, for #PF the address in CR2, both drawn from the token) and that the
reported RIP lies, according to addr2line on kernel.elf, in the function that faulted.

The core boot also runs under GDB (watch_handler): lab3.registers' second int3, at the label
lab3_registers_int3, is followed into trap_dispatch, where the grader reads the handler's own
registers (the direction flag must be clear, RSP aligned as at any C call, RDI the frame) and
the frame, then writes new values into the fifteen register slots. trap_common must reload
those, not the values it saw on the way in: later handlers change saved registers on purpose.
"""

import re

from gradelib import GradeFailure, KernelGroup, fail, gdbstub, lab, oracles, points, test_rng

pytestmark = lab(3)

KERNEL_VMA = 0xFFFFFFFF80000000
REGISTERS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12",
             "r13", "r14", "r15"]
# kernel/arch/x86_64/trap.h: the TF_* offsets, for the same registers; then the rest of a frame.
TF = {name: 112 - 8 * i for i, name in enumerate(REGISTERS[:7])}
TF.update({"r%d" % n: 56 - 8 * (n - 8) for n in range(8, 16)})
TF.update(vector=120, error=128, rip=136, cs=144, rflags=152, rsp=160, ss=168)
TF_SIZE = 176
RFLAGS_DF = 1 << 10
HANDLER_STREAM = "lab3.registers.handler"   # the grader's own stream for the values it writes

EXCEPTION_RE = re.compile(
    r"^EXCEPTION: (?P<mn>\S+) (?P<name>.+) \(vector (?P<vector>\d+)\) error "
    r"(?P<error>none|0x[0-9a-f]+)(?: \[(?P<detail>[^\]]*)\])? rip 0x(?P<rip>[0-9a-f]{16}) "
    r"rsp 0x(?P<rsp>[0-9a-f]{16})(?: cr2 0x(?P<cr2>[0-9a-f]{16}))?$")


def read_idt(machine):
    """The CPU's view when the kernel holds: registers, the IDT's 32 exception gates, and the
    table of entry stubs those gates should point at."""
    regs = oracles.cpu_state(machine)
    symbols = machine.settings.symbols
    idt, vectors = symbols.address("idt"), symbols.address("trap_vectors")
    gates = oracles.read_phys(machine, idt - KERNEL_VMA, 32 * 16) if idt else None
    stubs = oracles.read_phys(machine, vectors - KERNEL_VMA, 32 * 8) if vectors else None
    return {"regs": regs, "gates": gates, "stubs": stubs}


def _registers_and_flags(stub):
    """RAX..R15 and RIP from GDB's `g` packet, plus EFLAGS, the 32 bits right after RIP."""
    regs = stub.registers()
    raw = stub.request("g")
    regs["rflags"] = int.from_bytes(bytes.fromhex(raw[17 * 16:17 * 16 + 8]), "little")
    return regs


def handler_values(token):
    """The fifteen values the grader writes into the second round's frame, in REGISTERS order."""
    r = test_rng(token, HANDLER_STREAM)
    return [r.next() for _ in REGISTERS]


def watch_handler(machine):
    """Follow lab3.registers' second int3 into trap_dispatch; see the module docstring.

    Returns {"int3": registers at the int3, "dispatch": registers at trap_dispatch's first
    instruction, "frame": the 176 bytes at RDI or None, "written": the values written or None},
    with only the keys reached, or None if the int3 never ran. The machine runs on afterwards.
    """
    symbols = machine.settings.symbols
    at, dispatch = symbols.address("lab3_registers_int3"), symbols.address("trap_dispatch")
    try:
        if at is None or dispatch is None or not gdbstub.run_to(machine, at):
            return None
        stub = machine.gdb()
        seen = {"int3": _registers_and_flags(stub)}
        if not gdbstub.run_to(machine, dispatch):
            return seen
        regs = seen["dispatch"] = _registers_and_flags(stub)
        try:
            frame = stub.read_memory(regs["rdi"], TF_SIZE)
        except GradeFailure:       # RDI is no readable address
            frame = None
        seen["frame"] = frame
        # Write only into what is recognisably this int3's frame, never into random memory.
        if frame is not None and _u64(frame, TF["vector"]) == 3 and \
                _u64(frame, TF["rip"]) == at + 1:
            values = handler_values(machine.token)
            slots = bytearray(frame[:TF["vector"]])
            for name, value in zip(REGISTERS, values):
                slots[TF[name]:TF[name] + 8] = value.to_bytes(8, "little")
            if stub.request("M%x,%x:%s" % (regs["rdi"], len(slots), slots.hex())) == "OK":
                seen["written"] = values
        return seen
    finally:
        machine.gdb().close()       # detach (QEMU started paused): the kernel runs on and holds


CORE = KernelGroup("lab3.core", ["lab3.idt", "lab3.breakpoint", "lab3.registers"], hold=True,
                   inspect=read_idt, gdb=True, interact=watch_handler)
DIVIDE = KernelGroup("lab3.divide_error", ["lab3.divide_error"])
INVALID = KernelGroup("lab3.invalid_opcode", ["lab3.invalid_opcode"])
GP = KernelGroup("lab3.gp_fault", ["lab3.gp_fault"])
PAGE = KernelGroup("lab3.page_fault", ["lab3.page_fault"])


def _u64(data, offset):
    return int.from_bytes(data[offset:offset + 8], "little")


@points(20)
@CORE
def test_idt(kernel, settings):
    """the IDT is loaded, its 32 exception gates point at their stubs, idt_set_gate encodes"""
    record = kernel.expect_pass(CORE, "lab3.idt")
    seen = kernel.inspection(CORE)
    idt = settings.symbols.address("idt")
    if seen is None or idt is None:
        fail("lab3.idt: could not read the IDT (no hold, or no symbol `idt` in kernel.sym).",
             boot=record.boot)
    idtr = seen["regs"].get("IDT") or {}
    if idtr.get("base") != idt or idtr.get("limit") != 4095:
        fail("lab3.idt: wrong value: the CPU's IDTR is base 0x%x limit 0x%x; expected the table "
             "`idt` at 0x%x with limit 0xfff (256 gates of 16 bytes, minus one)." % (
                 idtr.get("base", 0), idtr.get("limit", 0), idt), boot=record.boot)
    gates, stubs = seen["gates"], seen["stubs"]
    for v in range(32):
        lo, hi = _u64(gates, 16 * v), _u64(gates, 16 * v + 8)
        target = (lo & 0xFFFF) | ((lo >> 48) & 0xFFFF) << 16 | (hi & 0xFFFFFFFF) << 32
        want = _u64(stubs, 8 * v)
        # IST 0 everywhere, except that from lab 4 on the double fault (8) runs on IST 1.
        ist_ok = (lo >> 32) & 0xFF in ((0, 1) if v == 8 else (0,))
        if target != want or (lo >> 16) & 0xFFFF != 0x08 or (lo >> 40) & 0xFF != 0x8E or \
                not ist_ok or hi >> 32:
            fail("lab3.idt: wrong value in memory: gate %d is %016x %016x (handler 0x%x, "
                 "selector 0x%x, IST byte 0x%02x, type_attr 0x%02x, reserved 0x%x); expected "
                 "handler 0x%x, selector 0x08, IST 0, type_attr 0x8e (a present DPL 0 interrupt "
                 "gate), reserved 0." % (
                     v, lo, hi, target, (lo >> 16) & 0xFFFF, (lo >> 32) & 0xFF,
                     (lo >> 40) & 0xFF, hi >> 32, want), boot=record.boot)
    r = test_rng(record.boot.token, "lab3.idt")
    for i in range(8):
        addr = r.next()
        ist = (r.next() & 0xF8) | i
        dpl = r.next() % 4
        gate_type = 0xF if r.next() % 2 else 0xE
        attr = 0x80 | dpl << 5 | gate_type
        want = "%016x %016x" % ((addr & 0xFFFF) | 0x08 << 16 | (ist & 7) << 32 | attr << 40 |
                                ((addr >> 16) & 0xFFFF) << 48, addr >> 32)
        got = record.values.get("gate255_%d" % i)
        if got != want:
            fail("lab3.idt: wrong value: idt_set_gate(255, 0x%016x, 0x%02x, 0x%02x) wrote %s; "
                 "expected %s (only the low 3 bits of ist count)." % (addr, ist, attr, got, want),
                 boot=record.boot)


@points(15)
@CORE
def test_breakpoint(kernel):
    """int3 reaches the breakpoint handler and execution continues after it"""
    record = kernel.expect_pass(CORE, "lab3.breakpoint")
    n = 1 + test_rng(record.boot.token, "lab3.breakpoint").next() % 8
    if record.values.get("count") != str(n):
        fail("lab3.breakpoint: wrong value: the test should execute int3 %d times, the kernel "
             "says %s." % (n, record.values.get("count")), boot=record.boot)
    lines = record.boot.log.lines
    start = next((i for i, l in enumerate(lines) if l.endswith("start lab3.breakpoint")), None)
    reports = [l for l in lines[start:] if l.startswith("trap: breakpoint at rip")]
    rip = record.values.get("rip")
    if len(reports) < n or not rip or not all(l.endswith(rip) for l in reports[:n]):
        fail("lab3.breakpoint: expected %d lines `trap: breakpoint at rip 0x%s` (the instruction "
             "after each int3) from the handler; found %d." % (n, rip, len(reports)),
             boot=record.boot, detail=reports[:4])


@points(20)
@CORE
def test_registers(kernel):
    """every general register survives an exception unchanged"""
    record = kernel.expect_pass(CORE, "lab3.registers")
    r = test_rng(record.boot.token, "lab3.registers")
    for reg in REGISTERS:
        want = "%016x" % r.next()
        if record.values.get(reg) != want:
            fail("lab3.registers: wrong value: %s was filled with %s but held %s after the "
                 "int3." % (reg, want, record.values.get(reg)), boot=record.boot)
    check_handler_view(kernel, record, [r.next() for _ in REGISTERS])


def check_handler_view(kernel, record, filled):
    """The second round of lab3.registers, as watch_handler saw it from inside the handler."""
    boot = record.boot
    seen = kernel.interaction(CORE)
    at = kernel.settings.symbols.address("lab3_registers_int3")
    regs = seen.get("dispatch")
    if regs is None:
        fail("lab3.registers: the int3 at lab3_registers_int3 (0x%x) never reached "
             "trap_dispatch." % at, boot=boot)
    if regs["rflags"] & RFLAGS_DF:
        fail("lab3.registers: trap_dispatch was called with the direction flag set (RFLAGS "
             "0x%x; the interrupted code had set it): trap_common must clear it with cld before "
             "calling C." % regs["rflags"], boot=boot)
    if regs["rsp"] % 16 != 8:
        fail("lab3.registers: at trap_dispatch's first instruction RSP is 0x%x: it was not a "
             "multiple of 16 at the call (the ABI requires it)." % regs["rsp"], boot=boot)
    frame = seen.get("frame")
    want = {name: value for name, value in zip(REGISTERS, filled)}
    want.update(vector=3, error=0, rip=at + 1, cs=0x08, rsp=seen["int3"]["rsp"])
    wrong = ["%s 0x%x (expected 0x%x)" % (k, _u64(frame, TF[k]), v) for k, v in want.items()
             if frame is not None and _u64(frame, TF[k]) != v]
    if frame is None or wrong:
        fail("lab3.registers: trap_dispatch's argument RDI = 0x%x does not point at the int3's "
             "trap frame laid out as trap.h says%s" % (
                 regs["rdi"], ": " + ", ".join(wrong[:4]) if wrong else ""), boot=boot)
    written = seen.get("written")
    if written is None:
        fail("lab3.registers: the grader could not write into the trap frame at 0x%x." %
             regs["rdi"], boot=boot)
    for name, value in zip(REGISTERS, written):
        got = record.values.get("handler_" + name)
        if got != "%016x" % value:
            fail("lab3.registers: wrong value: the grader changed the saved %s in the trap frame "
                 "to 0x%016x while trap_dispatch ran, but after the int3 %s held %s: trap_common "
                 "must reload every register from the frame." % (name, value, name, got),
                 boot=boot)


def exception_report(kernel, group, name, vector, function):
    """The parsed EXCEPTION line of fault test `name`, checked for vector and faulting RIP."""
    record = kernel.expect_pass(group, name)
    boot = record.boot
    reports = [EXCEPTION_RE.match(l) for l in boot.log.lines if l.startswith("EXCEPTION:")]
    reports = [m for m in reports if m]
    if not reports:
        fail("%s: no `EXCEPTION: ...` report line: the exception was not reported (see "
             "handouts/lab3-exceptions.md for the format)." % name, boot=boot)
    m = reports[0]
    if int(m["vector"]) != vector:
        fail("%s: wrong value: the report names vector %s (%s); expected vector %d." % (
            name, m["vector"], m["mn"], vector), boot=boot)
    where = kernel.settings.symbols.describe([int(m["rip"], 16) + 1])[0]
    if not where.startswith(function + " "):
        fail("%s: wrong value: the reported RIP 0x%s is in %s, not in %s, the function that "
             "faulted." % (name, m["rip"], where, function), boot=boot)
    return record, m


@points(10)
@DIVIDE
def test_divide_error(kernel):
    """a divide error is reported as #DE at the faulting instruction"""
    record, m = exception_report(kernel, DIVIDE, "lab3.divide_error", 0, "lab3_fault_divide")
    if m["error"] != "none":
        fail("lab3.divide_error: #DE pushes no error code, the report says %s." % m["error"],
             boot=record.boot)


@points(10)
@INVALID
def test_invalid_opcode(kernel):
    """an invalid opcode is reported as #UD at the ud2"""
    record, m = exception_report(kernel, INVALID, "lab3.invalid_opcode", 6,
                                 "lab3_fault_invalid_opcode")
    if m["error"] != "none":
        fail("lab3.invalid_opcode: #UD pushes no error code, the report says %s." % m["error"],
             boot=record.boot)


@points(10)
@GP
def test_gp_fault(kernel):
    """a bad segment selector is reported as #GP with the selector decoded"""
    record, m = exception_report(kernel, GP, "lab3.gp_fault", 13, "lab3_fault_gp")
    limit = int(record.values.get("gdt_limit", "-1"))
    r = test_rng(record.boot.token, "lab3.gp_fault")
    selector = ((limit + 1) // 8 + r.next() % 64) << 3
    if m["error"] != "0x%x" % selector:
        fail("lab3.gp_fault: wrong value: loading selector 0x%x must report error 0x%x, the "
             "report says %s." % (selector, selector, m["error"]), boot=record.boot)
    if m["detail"] != "GDT index %d" % (selector >> 3):
        fail("lab3.gp_fault: the error code should be decoded as [GDT index %d], the report "
             "says [%s]." % (selector >> 3, m["detail"]), boot=record.boot)


@points(15)
@PAGE
def test_page_fault(kernel):
    """a write to an unmapped address is reported as #PF with CR2 and the decoded error"""
    record, m = exception_report(kernel, PAGE, "lab3.page_fault", 14, "lab3_fault_page")
    r = test_rng(record.boot.token, "lab3.page_fault")
    addr = (0x100000000000 + r.next() % (1 << 40)) & ~7
    if m["cr2"] is None or int(m["cr2"], 16) != addr:
        fail("lab3.page_fault: wrong value: the test wrote to 0x%016x; the report gives cr2 %s." %
             (addr, m["cr2"]), boot=record.boot)
    if m["error"] != "0x2" or m["detail"] != "not-present write kernel":
        fail("lab3.page_fault: a kernel write to a non-present page has error code 0x2 "
             "[not-present write kernel]; the report says %s [%s]." % (m["error"], m["detail"]),
             boot=record.boot)
