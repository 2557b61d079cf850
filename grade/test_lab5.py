"""Lab 5 (pic): the 8259 PICs, the PIT timer, the PS/2 keyboard, and interrupt-safe locking.

lab5.lock and lab5.pic share a boot that holds afterwards, so the grader reads the PICs itself
with QEMU's `info pic`: the vector bases the kernel programmed (irq_base), the masks (imr), and
that nothing is left in service (isr). The kernel's own spurious-interrupt and EOI checks print
what the ISRs showed; lab5.lock prints a digest of the interrupt flag and the held locks after
each step of a random nesting, which the grader recomputes from the token.

lab5.timer, lab5.keyboard and lab5.storm run under QEMU's `-icount shift=2,sleep=off`: QEMU's
virtual clock then advances by exactly 4 ns per guest instruction, and the PIT, the ACPI PM timer
and QEMU's keyboard delays all run on it. Without it, a busy host can keep QEMU from running for
a few milliseconds, after which QEMU fires several timer edges at once (the edge-triggered PIC
merges them: ticks lost) or overflows the PS/2 controller's 16-byte buffer (keys lost), neither
the student's fault. With it, both tests give the same result however loaded the machine is.

lab5.timer boots with a random hz= from the grader. While the test's measuring window is open,
the grader stops the machine at intervals, reads timer_ticks from guest memory (its kernel.sym
address minus KERNEL_VMA) and the ACPI PM timer through the monitor (`i` on the port QEMU's
`info mtree` shows for acpi-tmr), and requires ticks per virtual second to match hz to within a
tick and 1%. Then it presses Esc, which ends the window.

lab5.keyboard and lab5.storm get their keys through QMP send-key: a line with Shift (either
side), Caps Lock (with and without Shift) and an arrow, ended by the keypad's Enter; and 200 to
300 keys with arrows, paced by the storm's progress lines so that QEMU's input queue never
overflows. The decoded text the kernel prints must equal what was typed, exactly.
"""

import os
import random
import re
import struct
import time

from gradelib import KernelGroup, fail, lab, lab5_kbd, oracles, points, test_rng
from gradelib.errors import GradeFailure
from gradelib.rng import FNV_OFFSET, FNV_PRIME, MASK64

pytestmark = lab(5)

KERNEL_VMA = 0xFFFFFFFF80000000
ICOUNT = ("-icount", "shift=2,sleep=off")
PM_TIMER_HZ = 3579545
PM_TIMER_MASK = 0xFFFFFF
PIT_HZ = 1193182

# ---- Boots. ----


class IcountGroup(KernelGroup):
    """A group whose boots run QEMU with the instruction-counted virtual clock (see above).

    Booting (SeaBIOS, GRUB) takes a few seconds longer under -icount, so the limits are larger.
    The boots hold at the end: the grader's last key ends the test, and a kernel that then left
    QEMU at once could do so before QEMU had answered the grader's send-key.
    """

    def __init__(self, name, tests=(), **kwargs):
        kwargs.setdefault("stall", 60.0)
        kwargs.setdefault("total", 180.0)
        kwargs.setdefault("hold", True)
        super().__init__(name, tests, qemu_args=ICOUNT, **kwargs)


def read_pics(machine):
    """The hold boot's `info pic`, as {0: {...}, 1: {...}} (0 the master) with int fields."""
    text = machine.hmp("info pic")
    pics = {}
    for m in re.finditer(r"pic(\d): irr=([0-9a-f]+) imr=([0-9a-f]+) isr=([0-9a-f]+) "
                         r"hprio=\d+ irq_base=([0-9a-f]+)", text):
        pics[int(m.group(1))] = {"irr": int(m.group(2), 16), "imr": int(m.group(3), 16),
                                 "isr": int(m.group(4), 16), "irq_base": int(m.group(5), 16)}
    if set(pics) != {0, 1}:
        raise GradeFailure("could not read both 8259s from QEMU's `info pic`: %r" % text[-300:])
    return {"pics": pics, "text": text}


PIC = KernelGroup("lab5.pic", ["lab5.lock", "lab5.pic"], hold=True, inspect=read_pics,
                  trace=("pic_ioport_write",))


# ---- The timer. ----

TIMER_RATES = (50, 60, 64, 100, 128, 200, 250, 300, 400, 500, 1000)
TIMER_HZ = random.SystemRandom().choice(TIMER_RATES)
MEASURE_PM = 2 * PM_TIMER_HZ     # measure over at least 2 s of the machine's clock
SAMPLE_EVERY = 0.1               # seconds of host time between samples
SAMPLE_GAP_MAX = 0.5             # longer, and the 24-bit PM timer might have wrapped unseen


def wait_ready(machine, test):
    """Wait for in-kernel test's `value <test> ready <n>` line on this boot (wait_for fails at
    once if the kernel holds without printing it, a stub having panicked first, say)."""
    machine.wait_for(r"^ktest %s value %s ready \d+$" % (machine.token, re.escape(test)))


def pm_timer_port(machine):
    """The ACPI PM timer's I/O port, from QEMU's memory tree (the firmware chose it)."""
    for line in machine.hmp("info mtree -f").splitlines():
        m = re.match(r"\s*([0-9a-f]+)-[0-9a-f]+ \(prio \d+, i/o\): acpi-tmr\s*$", line)
        if m:
            return int(m.group(1), 16)
    raise GradeFailure("QEMU's `info mtree -f` shows no acpi-tmr region: no ACPI PM timer to "
                       "measure the timer against.")


def sample_timer(machine):
    """interact for lab5.timer: sample (timer_ticks, PM timer) while the window is open.

    Each sample stops the machine (QMP stop), so that the two readings are of the same instant,
    and continues it afterwards. Samples come every SAMPLE_EVERY seconds of host time; the PM
    timer's 24-bit count is accumulated over consecutive samples, and a gap too long to rule out
    a wrap restarts the measurement. Returns a dict with the totals.
    """
    wait_ready(machine, "lab5.timer")
    address = machine.settings.symbols.address("timer_ticks")
    if address is None:
        raise GradeFailure("kernel.sym has no symbol timer_ticks (pit.c defines it).")
    phys = address - KERNEL_VMA
    port = pm_timer_port(machine)

    def sample():
        machine.qmp.command("stop")
        try:
            ticks, = struct.unpack("<Q", oracles.read_phys(machine, phys, 8))
            pm = oracles.port_in(machine, port, 4) & PM_TIMER_MASK
        finally:
            machine.qmp.command("cont")
        return ticks, pm, time.monotonic()

    first = last = sample()
    counts = 0
    restarts = 0
    deadline = time.monotonic() + 60 * machine.settings.timeout_scale
    while counts < MEASURE_PM:
        if time.monotonic() > deadline:
            raise GradeFailure("could not measure 2 s of the machine's clock in 60 s of samples "
                               "(%d restarts)." % restarts)
        time.sleep(SAMPLE_EVERY)
        machine.pump()
        if machine.held:
            raise GradeFailure("lab5.timer's measuring window closed before the grader had "
                               "sampled 2 s of the machine's clock.")
        now = sample()
        if now[2] - last[2] > SAMPLE_GAP_MAX:
            first, counts, restarts = now, 0, restarts + 1
        else:
            counts += (now[1] - last[1]) & PM_TIMER_MASK
        last = now
    oracles.send_keys(machine, "esc", hold_ms=10)      # ends the kernel's measuring window
    return {"ticks": last[0] - first[0], "counts": counts, "port": port, "start": first[0],
            "end": last[0]}


TIMER = IcountGroup("lab5.timer", ["lab5.timer"], interact=sample_timer,
                    args=("hz=%d" % TIMER_HZ, "timer_window=120000"),
                    trace=("memory_region_ops_write",))


# ---- Keys: the scripts the kernel expects (kernel/tests/lab5_tests.c), drawn the same way. ----

TYPEABLE = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            "-=[];',./`\\!@#$%^&*()_+{}:\"|?~")
ARROWS = ("up", "down", "left", "right")


def draw_char(rng):
    """One random typeable character: (its text, the chord of qcodes that types it)."""
    char = TYPEABLE[rng.below(len(TYPEABLE))]
    qcode, shift = oracles.key_for(char)
    if shift:
        return char, ["shift" if rng.below(2) == 0 else "shift_r", qcode]
    return char, [qcode]


def keyboard_script(token, rng=None):
    """lab5.keyboard: (the line the kernel must decode, the chords that type it, key count).
    With rng, draw from it (lab5.keyboard's decoder stream comes next in the same stream)."""
    rng = rng or test_rng(token, "lab5.keyboard")
    text, chords = [], []
    first = 4 + rng.below(6)
    caps = 3 + rng.below(5)
    for _ in range(first):
        char, chord = draw_char(rng)
        text.append(char)
        chords.append(chord)
    chords.append(["caps_lock"])
    for i in range(caps):
        letter = chr(ord("a") + rng.below(26))
        shift = i == 0 or rng.below(3) == 0
        text.append(letter if shift else letter.upper())      # Caps Lock inverts Shift
        chords.append(["shift", letter] if shift else [letter])
    chords.append(["caps_lock"])
    arrow = ARROWS[rng.below(4)]
    text.append("<%s>" % arrow)
    chords.append([arrow])
    last = 3 + rng.below(5)
    for _ in range(last):
        char, chord = draw_char(rng)
        text.append(char)
        chords.append(chord)
    chords.append(["kp_enter"])
    return "".join(text), chords, first + caps + 1 + last


def storm_script(token):
    """lab5.storm: (the text, the chords ending with Enter, the number of keys before Enter)."""
    rng = test_rng(token, "lab5.storm")
    text, chords = [], []
    count = 200 + rng.below(101)
    for _ in range(count):
        if rng.below(16) == 0:
            arrow = ARROWS[rng.below(4)]
            text.append("<%s>" % arrow)
            chords.append([arrow])
        else:
            char, chord = draw_char(rng)
            text.append(char)
            chords.append(chord)
    chords.append(["ret"])
    return "".join(text), chords, count


KEY_HOLD_MS = 2        # QEMU's delay after each press and release, in virtual milliseconds
STORM_BATCH = 25       # chords per batch: well inside QEMU's input queue (1024 events)


def type_line(machine):
    """interact for lab5.keyboard: type the line once the test is ready."""
    wait_ready(machine, "lab5.keyboard")
    text, chords, count = keyboard_script(machine.token)
    for chord in chords:
        oracles.send_keys(machine, *chord, hold_ms=KEY_HOLD_MS)
    return {"text": text, "chords": len(chords)}


STORM_PROGRESS_RE = re.compile(r"lab5\.storm: (\d+) keys, \d+ ticks")


def storm_progress(machine, since):
    """The highest key count in the storm's progress lines from machine.lines[since:]."""
    best = -1
    for line in machine.lines[since:]:
        for m in STORM_PROGRESS_RE.finditer(line):
            best = max(best, int(m.group(1)))
    return best


def type_storm(machine):
    """interact for lab5.storm: type the keys in batches, each after the last one arrived."""
    wait_ready(machine, "lab5.storm")
    text, chords, count = storm_script(machine.token)
    keys = chords[:-1]
    sent = 0
    seen = len(machine.lines)
    limit = 30 * machine.settings.timeout_scale
    for start in range(0, len(keys), STORM_BATCH):
        batch = keys[start:start + STORM_BATCH]
        for chord in batch:
            oracles.send_keys(machine, *chord, hold_ms=KEY_HOLD_MS)
        sent += len(batch)
        deadline = time.monotonic() + limit
        while True:
            machine.pump()
            got = storm_progress(machine, seen)
            if got >= sent:
                break
            if machine.held:
                raise GradeFailure("lab5.storm: the kernel finished its run after %d of the %d "
                                   "keys." % (max(got, 0), count))
            if time.monotonic() > deadline:
                raise GradeFailure("lab5.storm: after %d keys typed the kernel reports %d "
                                   "received, and no more for %.0f s: keys were lost, or the "
                                   "kernel hangs." % (sent, max(got, 0), limit))
            time.sleep(0.02)
        seen = max(seen, len(machine.lines) - 1)
    oracles.send_keys(machine, *chords[-1], hold_ms=KEY_HOLD_MS)
    return {"text": text, "keys": count}


KEYBOARD = IcountGroup("lab5.keyboard", ["lab5.keyboard"], interact=type_line)
STORM = IcountGroup("lab5.storm", ["lab5.storm"], interact=type_storm)


# ---- Helpers. ----

def value(record, key, regex, what):
    """The kernel's `value <test> <key> ...` matched against regex; a failure if absent or odd."""
    text = record.values.get(key)
    m = re.fullmatch(regex, text) if text is not None else None
    if m is None:
        fail("%s passed but its `%s` value line is %s; expected %s." % (
            record.name, key, "missing" if text is None else repr(text), what),
            boot=record.boot)
    return m


def shown(text, limit=120):
    """text for a message, shortened in the middle when long."""
    return text if len(text) <= limit else text[:limit // 2] + " ... " + text[-limit // 2:]


def first_difference(got, want):
    """Where two strings first differ, as a short description."""
    i = 0
    while i < len(got) and i < len(want) and got[i] == want[i]:
        i += 1
    return "they first differ at character %d: %r against %r" % (
        i, got[i:i + 12], want[i:i + 12])


# ---- QEMU's traces: what the kernel wrote to the PICs and the PIT, seen by QEMU itself. ----

INT_RE = re.compile(r"^\s*\d+: v=([0-9a-f]+) e=[0-9a-f]+ i=(\d)")
PIC_WRITE_RE = re.compile(r"^pic_ioport_write master (\d) addr 0x([0-9a-f]+) val 0x([0-9a-f]+)")
PORT_WRITE_RE = re.compile(r"addr 0x([0-9a-f]+) value 0x([0-9a-f]+) size \d+ name '([^']*)'")


def pic_log(boot):
    """The boot's qemu.log in order: ("int", vector, software) for each interrupt QEMU's -d int
    logged, ("pic", chip, port, value) for each PIC write (chip 0 the master, port 0 command)."""
    events = []
    with open(os.path.join(boot.log_dir, "qemu.log"), "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace")
            m = PIC_WRITE_RE.match(line)
            if m:
                events.append(("pic", 1 - int(m.group(1)), int(m.group(2), 16) & 1,
                               int(m.group(3), 16)))
                continue
            m = INT_RE.match(line)
            if m:
                events.append(("int", int(m.group(1), 16), m.group(2) == "1"))
    return events


def check_pic_init(boot, events):
    """The kernel's initialization of each chip (its last ICW1): ICW1..ICW4, then OCW1 0xff.
    Returns the index in events after which the kernel's PICs are in normal operation."""
    names = ("master", "slave")
    want = {0: [0x20, 0x04, 0x01, 0xFF], 1: [0x28, 0x02, 0x01, 0xFF]}
    what = ("ICW2 (the vector base)", "ICW3 (the cascade)", "ICW4 (8086 mode)",
            "the mask written after ICW4 (OCW1: every line masked)")
    done = 0
    for chip in (0, 1):
        starts = [i for i, e in enumerate(events)
                  if e[0] == "pic" and e[1] == chip and e[2] == 0 and e[3] & 0x10]
        if not starts:
            fail("wrong value: QEMU saw no ICW1 (a command byte with bit 4 set) written to the "
                 "%s's command port: pic_remap() did not initialize it." % names[chip], boot=boot)
        start = starts[-1]
        icw1 = events[start][3]
        if icw1 != 0x11:
            fail("wrong value: the kernel's ICW1 to the %s was 0x%02x, expected 0x11 (bit 4: "
                 "initialize; bit 0: an ICW4 follows; bit 1 clear: cascaded; bit 3 clear: "
                 "edge-triggered)." % (names[chip], icw1), boot=boot)
        data = [(i, e[3]) for i, e in enumerate(events[start + 1:], start + 1)
                if e[0] == "pic" and e[1] == chip and e[2] == 1][:4]
        got = [v for _, v in data]
        for k, expect in enumerate(want[chip]):
            if k >= len(got) or got[k] != expect:
                fail("wrong value: after its ICW1 the %s's data port got %s; expected %s: %s "
                     "should be 0x%02x." % (
                         names[chip], " ".join("0x%02x" % v for v in got) or "nothing",
                         " ".join("0x%02x" % v for v in want[chip]), what[k], expect),
                     boot=boot)
        done = max(done, data[-1][0])
    return done


def eoi_writes(writes):
    """The EOIs (OCW2 0x20, or a specific EOI 0x60 | line) at the start of writes, as
    (chip, value), up to the first PIC write that is none."""
    out = []
    for chip, port, v in writes:
        if port != 0 or not (v == 0x20 or v & 0xF8 == 0x60):
            break
        out.append((chip, v))
    return out


def check_eois(boot, events, start):
    """After each hardware interrupt from the PICs (vectors 32..47) the handler's first PIC
    writes are its EOIs: for IRQs 0..7 one to the master, for 8..15 the slave's, then the
    master's. Returns how many interrupts of each kind were checked."""
    checked = {"master": 0, "slave": 0}
    i = start
    while i < len(events):
        e = events[i]
        i += 1
        if e[0] != "int" or e[2] or not 0x20 <= e[1] < 0x30 or e[1] in (0x27, 0x2F):
            continue
        irq = e[1] - 0x20
        writes = []
        while i < len(events) and events[i][0] == "pic":
            writes.append(events[i][1:])
            i += 1
        got = eoi_writes(writes)
        if irq < 8:
            ok = len(got) == 1 and got[0][0] == 0 and got[0][1] in (0x20, 0x60 | irq)
            want = "one EOI, to the master only"
        else:
            ok = (len(got) == 2 and got[0][0] == 1 and got[0][1] in (0x20, 0x60 | (irq - 8))
                  and got[1][0] == 0 and got[1][1] in (0x20, 0x62))
            want = "an EOI to the slave, then one to the master"
        if not ok:
            shown_writes = ", ".join("%s %s 0x%02x" % ("master" if c == 0 else "slave",
                                                       "command" if p == 0 else "data", v)
                                     for c, p, v in writes[:6]) or "none"
            fail("wrong value: QEMU's trace of the PIC ports shows, after IRQ %d (vector %d), "
                 "the writes %s; expected %s." % (irq, e[1], shown_writes, want), boot=boot)
        checked["master" if irq < 8 else "slave"] += 1
    return checked


def check_pit_writes(boot, rates):
    """The kernel's last len(rates) channel 0 programmings, from QEMU's trace of the port
    writes: each the command byte 0x34, then the rounded divisor, low byte first."""
    writes = []
    for line in boot.trace_events("memory_region_ops_write"):
        m = PORT_WRITE_RE.search(line)
        if m and m.group(3) == "pit":
            writes.append((int(m.group(1), 16) & 3, int(m.group(2), 16) & 0xFF))
    commands = [i for i, (port, _) in enumerate(writes) if port == 3]
    if len(commands) < len(rates):
        fail("wrong value: QEMU saw %d writes to the PIT's command port 0x43; the kernel should "
             "have programmed channel 0 %d times (pit_init and lab5.timer's rates)." % (
                 len(commands), len(rates)), boot=boot)
    commands = commands[-len(rates):]
    for n, (i, hz) in enumerate(zip(commands, rates)):
        end = commands[n + 1] if n + 1 < len(commands) else len(writes)
        got = [v for _, v in writes[i:end]]
        divisor = (PIT_HZ + hz // 2) // hz
        want = [0x34, divisor & 0xFF, divisor >> 8]
        if got != want:
            fail("wrong value: for %d Hz QEMU saw the PIT get %s (port 0x43, then 0x40); "
                 "expected %s: command byte 0x34 (channel 0, low-then-high access, mode 2, "
                 "binary), then the divisor %d (1193182 / %d, rounded), low byte first." % (
                     hz, " ".join("0x%02x" % v for v in got),
                     " ".join("0x%02x" % v for v in want), divisor, hz), boot=boot)


def timer_rates(token):
    """lab5.timer's extra rates and the digest of its timer_uptime_ms() results."""
    rng = test_rng(token, "lab5.timer")
    rates, h = [], FNV_OFFSET
    for i in range(6):
        while True:
            hz = 19 + rng.below(1000 - 19 + 1)
            if i >= 3 or (PIT_HZ % hz) * 2 >= hz:
                break
        ticks = [(1 << (bits - 4)) + rng.below(1 << bits) for bits in (20, 32, 44)]
        rates.append(hz)
        for t in ticks:
            for byte in struct.pack("<Q", t * 1000 // hz):
                h = ((h ^ byte) * FNV_PRIME) & MASK64
    return rates, "%016x" % h


# ---- The tests. ----

@points(20)
@PIC
def test_pic(kernel):
    """the PICs are remapped to 32..47 and masked, EOIs and spurious IRQs 7 and 15 are right"""
    record = kernel.expect_pass(PIC, "lab5.pic")
    boot = record.boot
    pics = kernel.inspection(PIC)["pics"]
    master, slave = pics[0], pics[1]
    if (master["irq_base"], slave["irq_base"]) != (0x20, 0x28):
        fail("wrong value: QEMU's `info pic` shows the master's IRQ 0 at vector %d and the "
             "slave's IRQ 8 at vector %d; expected 32 and 40 (ICW2)." % (
                 master["irq_base"], slave["irq_base"]), boot=boot)
    if (master["imr"], slave["imr"]) != (0xF8, 0xFF):
        fail("wrong value: QEMU's `info pic` shows the masks (IMR) 0x%02x (master) and 0x%02x "
             "(slave); expected 0xf8 and 0xff: only the timer, the keyboard and the cascade "
             "unmasked." % (master["imr"], slave["imr"]), boot=boot)
    if master["isr"] or slave["isr"]:
        fail("wrong value: with the kernel halted, QEMU's `info pic` shows interrupts still in "
             "service (ISR 0x%02x master, 0x%02x slave): an EOI is missing." % (
                 master["isr"], slave["isr"]), boot=boot)
    value(record, "imr", r"f8 ff", "`f8 ff`")
    value(record, "spurious7", r"isr 0001 count 1", "`isr 0001 count 1`")
    value(record, "spurious15", r"isr 0000 count 1", "`isr 0000 count 1`")
    value(record, "spurious15_slave", r"isr 0100", "`isr 0100`")
    m = value(record, "rtc", r"interrupts (\d+) isr 0000", "`interrupts <n> isr 0000`")
    if int(m.group(1)) < 8:
        fail("wrong value: only %s RTC interrupts arrived on IRQ 8." % m.group(1), boot=boot)
    events = pic_log(boot)
    start = check_pic_init(boot, events)
    checked = check_eois(boot, events, start)
    if checked["master"] < 3 or checked["slave"] < 8:
        fail("wrong value: QEMU's log shows only %d timer and %d RTC interrupts after the PICs "
             "were initialized." % (checked["master"], checked["slave"]), boot=boot)


def lock_digest(token):
    """The digest lab5.lock prints for token: its observations of a correct lock, folded."""
    rng = test_rng(token, "lab5.lock")
    h = FNV_OFFSET
    for start_on in (True, False):
        steps = 16 + rng.below(16)
        locked = []
        i = 0
        while i < steps or locked:
            if i >= steps:
                push = False
            elif not locked:
                push = True
            elif len(locked) == 4:
                push = False
            else:
                push = rng.below(2) == 0
            if push:
                locked.append(rng.below(2) == 0)
            else:
                locked.pop()
            on = start_on if not locked else False
            held = sum(1 << k for k, lock in enumerate(locked) if lock)
            h = ((h ^ ((1 if on else 0) | held << 1)) * FNV_PRIME) & MASK64
            i += 1
    return "%016x" % h


@points(15)
@PIC
def test_lock(kernel):
    """spin_lock_irqsave and irq_save nest, restore IF as it was, and hold off interrupts"""
    record = kernel.expect_pass(PIC, "lab5.lock")
    boot = record.boot
    got = value(record, "digest", r"[0-9a-f]{16}", "16 hexadecimal digits").group(0)
    want = lock_digest(boot.token)
    if got != want:
        fail("lab5.lock: wrong value: the digest of the observed interrupt flag and held locks "
             "is %s, but a correct lock gives %s for this token." % (got, want), boot=boot)
    value(record, "deferred", r"1", "`1` (a timer interrupt waited for the unlock)")
    value(record, "restore_off", r"on", "`on` (irq_restore() never disables interrupts)")
    m = value(record, "window", r"(\d+) of (\d+) steps", "`<n> of <m> steps`")
    if int(m.group(1)) != 0 or int(m.group(2)) < 16:
        fail("lab5.lock: wrong value: single-stepping the lock functions found the lock held "
             "with interrupts on at %s of %s instruction boundaries." % m.groups(), boot=boot)


@points(20)
@TIMER
def test_timer(kernel):
    """PIT channel 0 ticks at hz= per second of the machine's clock, and the ticks are counted"""
    record = kernel.expect_pass(TIMER, "lab5.timer")
    boot = record.boot
    hz = int(re.search(r"\bhz=(\d+)", boot.cmdline).group(1))
    value(record, "hz", str(hz), "`%d` (the command line's hz=)" % hz)
    divisor = (PIT_HZ + hz // 2) // hz
    value(record, "divisor", str(divisor), "`%d` (1193182 / %d, rounded)" % (divisor, hz))
    rates, digest = timer_rates(boot.token)
    value(record, "rates", digest, "`%s` (timer_uptime_ms() at the rates and tick counts "
          "drawn for this token)" % digest)
    check_pit_writes(boot, [hz] + rates + [hz])
    measured = kernel.interaction(TIMER)
    ticks, counts = measured["ticks"], measured["counts"]
    seconds = counts / PM_TIMER_HZ
    expected = PIT_HZ / divisor * seconds
    if abs(ticks - expected) > 1 + 0.01 * expected:
        fail("lab5.timer: wrong value: the grader sampled timer_ticks in guest memory and the "
             "ACPI PM timer: %d ticks in %.3f s of the machine's clock is %.1f Hz, expected %d "
             "Hz (%.1f ticks)." % (ticks, seconds, ticks / seconds, hz, expected), boot=boot)


@points(25)
@KEYBOARD
def test_keyboard(kernel):
    """a typed line with Shift, Caps Lock, an arrow and keypad Enter decodes exactly"""
    record = kernel.expect_pass(KEYBOARD, "lab5.keyboard")
    boot = record.boot
    rng = test_rng(boot.token, "lab5.keyboard")
    text, chords, count = keyboard_script(boot.token, rng)
    stream = lab5_kbd.decode_stream(rng)
    keys = lab5_kbd.decoded(stream)
    value(record, "decode_bytes", str(len(stream)), "`%d`" % len(stream))
    for k, want in enumerate(lab5_kbd.chunk_digests(keys)):
        got = value(record, "decode%d" % k, r"[0-9a-f]{16}", "16 hexadecimal digits").group(0)
        if got != want:
            fail("lab5.keyboard: wrong value: kbd_decode() fed a stream of scancodes directly "
                 "returned different keys than the contract in kbd.h gives, in chunk %d of the "
                 "stream (digest %s, expected %s)." % (k, got, want), boot=boot,
                 detail=lab5_kbd.describe_chunk(stream, keys, k))
    kernel.interaction(KEYBOARD)
    got = record.values.get("line", "")
    if got != text:
        fail("lab5.keyboard: wrong value: the kernel decoded %r, but the grader typed %r; %s." % (
            got, text, first_difference(got, text)), boot=boot,
            detail=["keys typed (QEMU qcodes): " + " ".join("+".join(c) for c in chords)])
    value(record, "dropped", "0", "`0`")
    echo = re.sub(r"<(up|down|left|right)>",
                  lambda m: "\033[" + "ABDC"[ARROWS.index(m.group(1))], text)
    if echo not in boot.serial_lines:
        fail("lab5.keyboard: the keys were not echoed on the console as typed: no serial line "
             "reads %r." % echo, boot=boot)


@points(20)
@STORM
def test_storm(kernel):
    """hundreds of keys while the timer ticks and the console is busy: none lost, no deadlock"""
    record = kernel.expect_pass(STORM, "lab5.storm")
    boot = record.boot
    text, chords, count = storm_script(boot.token)
    kernel.interaction(STORM)
    value(record, "keys", str(count), "`%d` (the keys typed before Enter)" % count)
    got = record.values.get("line", "")
    if got != text:
        fail("lab5.storm: wrong value: the kernel decoded %r, but the grader typed %r; %s." % (
            shown(got), shown(text), first_difference(got, text)), boot=boot)
    value(record, "dropped", "0", "`0`")
    lines = int(value(record, "lines", r"\d+", "a number").group(0))
    ticks = int(value(record, "ticks", r"\d+", "a number").group(0))
    if lines < 100 or ticks <= 10:
        fail("lab5.storm: the kernel printed only %d progress lines and counted %d ticks during "
             "the storm; the test needs the console and the timer busy." % (lines, ticks),
             boot=boot)
