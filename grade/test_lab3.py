"""Lab 3 (exceptions): the IDT, the trap entry path and the exception reports, checked on the CPU.

lab3.idt, lab3.breakpoint and lab3.registers share one boot that holds at the end: the grader
reads IDTR from the CPU and the gates from guest memory, and replays the token's random values
(the gate the test builds with idt_set_gate, the breakpoint count, the register contents) with
the kernel's generator. The four fault tests each crash the kernel on purpose, so each boots
alone; the grader parses the `EXCEPTION:` report line, checks the vector, the error code (and for
#GP the selector it decodes, for #PF the address in CR2, both drawn from the token) and that the
reported RIP lies, according to addr2line on kernel.elf, in the function that faulted.
"""

import re

from gradelib import KernelGroup, fail, lab, oracles, points, test_rng

pytestmark = lab(3)

KERNEL_VMA = 0xFFFFFFFF80000000
REGISTERS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12",
             "r13", "r14", "r15"]

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


CORE = KernelGroup("lab3.core", ["lab3.idt", "lab3.breakpoint", "lab3.registers"], hold=True,
                   inspect=read_idt)
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
        if target != want or (lo >> 16) & 0xFFFF != 0x08 or not (lo >> 47) & 1:
            fail("lab3.idt: wrong value in memory: gate %d is %016x %016x (handler 0x%x, "
                 "selector 0x%x, present %d); expected handler 0x%x, selector 0x08, present." % (
                     v, lo, hi, target, (lo >> 16) & 0xFFFF, (lo >> 47) & 1, want),
                 boot=record.boot)
    r = test_rng(record.boot.token, "lab3.idt")
    addr, ist, dpl = r.next(), r.next() % 8, r.next() % 4
    gate_type = 0xF if r.next() % 2 else 0xE
    attr = 0x80 | dpl << 5 | gate_type
    want = "%016x %016x" % ((addr & 0xFFFF) | 0x08 << 16 | ist << 32 | attr << 40 |
                            ((addr >> 16) & 0xFFFF) << 48, addr >> 32)
    if record.values.get("gate255") != want:
        fail("lab3.idt: wrong value: idt_set_gate(255, 0x%016x, %d, 0x%02x) wrote %s; expected "
             "%s." % (addr, ist, attr, record.values.get("gate255"), want), boot=record.boot)


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
