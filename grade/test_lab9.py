"""Lab 9 (async): futures, the executor and its wakers, the keyboard stream, sleeps.

Every lab 9 test shares one boot under QEMU's `-icount shift=2,sleep=off` (see test_lab5.py: the
virtual clock then advances with the instructions executed, so sleeps and key delivery do not
depend on how loaded the host is). The tests run in name order and the grader's interact walks
through the ones that need it:

lab9.idle waits for one key with nothing else to do. The grader stops the machine twice, half a
second of host time apart, and reads timer_ticks, executor_polls and executor_halts from guest
memory (their kernel.sym addresses minus KERNEL_VMA): ticks and halts must rise while no task is
polled. Then it presses a key. lab9.keys gets a typed line (Shift, Caps Lock, an arrow, keypad
Enter; test_lab5's script, drawn for lab9.keys) and lab9.storm 200 to 300 keys in batches paced by
the task's progress lines; both must arrive decoded, in order, once each.

lab9.order spawns a join and 3 to 8 tasks yielding 0 to 7 times each (drawn from the token) and
prints which task each poll ran; the grader replays task.h's round-robin rule. lab9.sleep's three
concurrent sleeps of 1 to 30 ticks must each last at least n ticks of the PIT's period by the ACPI
PM timer, and at most n + 1 (with a little slack for the poll), and see exactly n + 1 ticks.

lab9.wakeup_race masks the timer and, from executor_idle_hook() (interrupts off, queue just found
empty), makes the 8042 raise IRQ 1 with its command 0xd2. An executor whose sleep is `sti; hlt`
wakes; one that enables interrupts earlier takes the interrupt before its hlt and halts forever.
The grader sees the `armed` line, and if the test does not finish, reads the ready queue and the
counters from guest memory and names the lost wake-up.
"""

import re
import struct
import time

import test_lab5 as l5
from gradelib import KernelGroup, fail, lab, oracles, points, test_rng
from gradelib.errors import GradeFailure
from gradelib.rng import fnv1a64

pytestmark = lab(9)

KERNEL_VMA = 0xFFFFFFFF80000000
PIT_HZ = 1193182
PM_HZ = 3579545
TESTS = ["lab9.idle", "lab9.keys", "lab9.keystream_race", "lab9.order", "lab9.scale",
         "lab9.sleep", "lab9.spsc", "lab9.storm", "lab9.wake", "lab9.wakeup_race"]
IDLE_GAP = 0.5          # host seconds between the idle test's two samples
RACE_WAIT = 1.5         # host seconds the wake-up race may take before the grader looks


def read_u(machine, name, size=8):
    """An unsigned integer global of the kernel, read from guest memory."""
    address = machine.settings.symbols.address(name)
    if address is None:
        raise GradeFailure("kernel.sym has no symbol %s." % name)
    return int.from_bytes(oracles.read_phys(machine, address - KERNEL_VMA, size), "little")


def counters(machine):
    """(timer_ticks, executor_polls, executor_halts) of one stopped instant."""
    machine.qmp.command("stop")
    try:
        return (read_u(machine, "timer_ticks"), read_u(machine, "executor_polls"),
                read_u(machine, "executor_halts"))
    finally:
        machine.qmp.command("cont")


def storm_script(token):
    """lab9.storm: (the text, the chords ending with Enter, the number of keys)."""
    rng = test_rng(token, "lab9.storm")
    text, chords = [], []
    count = 200 + rng.below(101)
    for _ in range(count):
        if rng.below(16) == 0:
            arrow = l5.ARROWS[rng.below(4)]
            text.append("<%s>" % arrow)
            chords.append([arrow])
        else:
            char, chord = l5.draw_char(rng)
            text.append(char)
            chords.append(chord)
    chords.append(["ret"])
    return "".join(text), chords, count


STORM_RE = re.compile(r"lab9\.storm: (\d+) keys")


def type_storm(machine):
    """Type the storm in batches, each after the task reported the previous one."""
    text, chords, count = storm_script(machine.token)
    keys = chords[:-1]
    sent, seen = 0, len(machine.lines)
    limit = 30 * machine.settings.timeout_scale
    for start in range(0, len(keys), l5.STORM_BATCH):
        batch = keys[start:start + l5.STORM_BATCH]
        for chord in batch:
            oracles.send_keys(machine, *chord, hold_ms=l5.KEY_HOLD_MS)
        sent += len(batch)
        deadline = time.monotonic() + limit
        while True:
            machine.pump()
            got = max([int(m.group(1)) for line in machine.lines[seen:]
                       for m in STORM_RE.finditer(line)] or [-1])
            if got >= sent:
                break
            if time.monotonic() > deadline:
                raise GradeFailure("lab9.storm: after %d keys typed the task reports %d "
                                   "received, and no more for %.0f s: keys were lost, or the "
                                   "kernel hangs." % (sent, max(got, 0), limit))
            time.sleep(0.02)
        seen = max(seen, len(machine.lines) - 1)
    oracles.send_keys(machine, *chords[-1], hold_ms=l5.KEY_HOLD_MS)
    return {"text": text, "keys": count}


def ready(machine, test):
    machine.wait_for(r"^ktest %s value %s ready " % (machine.token, re.escape(test)))


def interact(machine):
    """Drive the tests that need the grader, in the kernel's (name) order."""
    run = set(machine.spec.run)
    out = {}
    if "lab9.idle" in run:
        ready(machine, "lab9.idle")
        first = counters(machine)
        time.sleep(IDLE_GAP)
        second = counters(machine)
        out["idle"] = (first, second)
        oracles.send_keys(machine, "a", hold_ms=l5.KEY_HOLD_MS)
    if "lab9.keys" in run:
        ready(machine, "lab9.keys")
        text, chords, _ = l5.keyboard_script(machine.token, test_rng(machine.token,
                                                                     "lab9.keys"))
        for chord in chords:
            oracles.send_keys(machine, *chord, hold_ms=l5.KEY_HOLD_MS)
        out["keys"] = text
    if "lab9.storm" in run:
        ready(machine, "lab9.storm")
        out["storm"] = type_storm(machine)
    if "lab9.wakeup_race" in run:
        machine.wait_for(r"lab9\.wakeup_race: armed")
        deadline = time.monotonic() + RACE_WAIT * machine.settings.timeout_scale
        finished = re.compile(r"^ktest %s (pass|fail) lab9\.wakeup_race" % machine.token)
        while time.monotonic() < deadline and not any(finished.search(x)
                                                       for x in machine.lines[-20:]):
            time.sleep(0.05)
            machine.pump()
        if not any(finished.search(x) for x in machine.lines[-20:]):
            machine.qmp.command("stop")
            try:
                out["race"] = {"live": read_u(machine, "tasks_live", 4),
                               "head": read_u(machine, "ring_head", 4),
                               "tail": read_u(machine, "ring_tail", 4),
                               "halts": read_u(machine, "executor_halts")}
                out["race"]["regs"] = oracles.cpu_state(machine)
            finally:
                machine.qmp.command("cont")
    return out


ASYNC = l5.IcountGroup("lab9.async", TESTS, interact=interact)


def value(record, key, regex, what):
    return l5.value(record, key, regex, what)


def interaction(kernel):
    return kernel.interaction(ASYNC)


# ---- The round-robin rule, replayed. ----

def order_trace(token):
    """What lab9.order's trace must be for token: (n, the trace)."""
    rng = test_rng(token, "lab9.order")
    n = 3 + rng.below(9 - 2)
    return n, round_robin([rng.below(8) for _ in range(n)])


def round_robin(yields):
    """task.h's FIFO rule over a join (spawned first, "J") and yielders a, b, ... that yield
    yields[i] times each: the letter of the task each poll ran, in order."""
    n = len(yields)
    left = list(yields)
    alive = ["J"] + list(range(n))
    queue = ["J"] + list(range(n))
    queued = set(queue)
    joined_by = {}
    trace = []

    def wake(t):
        if t in alive and t not in queued:
            queued.add(t)
            queue.append(t)

    while queue:
        t = queue.pop(0)
        queued.discard(t)
        if t == "J":
            trace.append("J")
            live = [w for w in range(n) if w in alive]
            if live:
                joined_by[live[0]] = "J"
            else:
                alive.remove("J")
            continue
        trace.append(chr(ord("a") + t))
        if left[t] > 0:
            left[t] -= 1
            wake(t)
        else:
            alive.remove(t)
            if t in joined_by:
                wake(joined_by.pop(t))
    return "".join(trace)


@points(20)
@ASYNC
def test_order(kernel):
    """N tasks yielding and a join interleave exactly as the round-robin rule says"""
    record = kernel.expect_pass(ASYNC, "lab9.order")
    n, want = order_trace(record.boot.token)
    value(record, "tasks", str(n), "`%d`" % n)
    got = value(record, "trace", r"[a-zJ]*", "the letters of the tasks polled").group(0)
    if got != want:
        fail("lab9.order: wrong value: the tasks were polled in the order %s, but the "
             "round-robin rule of task.h gives %s; %s." % (got, want,
                                                           l5.first_difference(got, want)),
             boot=record.boot)


@points(10)
@ASYNC
def test_wake(kernel):
    """a double wake queues once, waking a finished task does nothing, finished tasks are freed"""
    record = kernel.expect_pass(ASYNC, "lab9.wake")
    value(record, "polls", "3", "`3`")


@points(10)
@ASYNC
def test_scale(kernel):
    """ten thousand tasks run to completion and the heap returns to where it was"""
    record = kernel.expect_pass(ASYNC, "lab9.scale")
    value(record, "done", "10000", "`10000`")


@points(15)
@ASYNC
def test_sleep(kernel):
    """sleeps of random lengths end after n ticks and within one tick after, by the PM timer"""
    record = kernel.expect_pass(ASYNC, "lab9.sleep")
    problem = sleep_problem(record.boot.token, record.values)
    if problem:
        fail(problem, boot=record.boot)


def sleep_problem(token, values):
    """What is wrong with lab9.sleep's value lines (a dict), or None when all three hold.

    The token draws the three lengths n (the third repeats the first); each sleep must report
    asking for n, resuming n + 1 timer ticks after its first poll (the deadline rule), and lasting
    by the ACPI PM timer at least n PIT periods and at most n + 1.2 (a little slack for the poll).
    """
    rng = test_rng(token, "lab9.sleep")
    m = re.fullmatch(r"\d+", values.get("divisor", ""))
    if not m or int(m.group(0)) == 0:
        return "lab9.sleep printed no PIT divisor (`value lab9.sleep divisor <n>`)."
    per_tick = int(m.group(0)) / PIT_HZ * PM_HZ
    first = None
    for i in range(3):
        n = first if i == 2 else 1 + rng.below(30)     # the last shares the first's length
        first = n if i == 0 else first
        m = re.fullmatch(r"(\d+) (\d+) (\d+)", values.get("sleep%d" % i, ""))
        if not m:
            return ("lab9.sleep: no well-formed line `value lab9.sleep sleep%d <n> <ticks> "
                    "<counts>`; got %r." % (i, values.get("sleep%d" % i)))
        asked, ticks, counts = (int(x) for x in m.groups())
        if asked != n:
            return "lab9.sleep: sleep %d asked for %d ticks; the token draws %d." % (i, asked, n)
        if ticks != n + 1:
            return ("lab9.sleep: wrong value: a sleep of %d ticks resumed %d timer ticks after "
                    "its first poll; the deadline rule (now + n + 1) gives %d." % (
                        n, ticks, n + 1))
        if counts < n * per_tick:
            return ("lab9.sleep: wrong value: a sleep of %d ticks (%.1f ms) lasted %.3f ms by "
                    "the ACPI PM timer: shorter than asked." % (
                        n, n * per_tick * 1000 / PM_HZ, counts * 1000 / PM_HZ))
        if counts > (n + 1.2) * per_tick:
            return ("lab9.sleep: wrong value: a sleep of %d ticks lasted %.3f ms by the ACPI PM "
                    "timer, more than %d ticks (%.1f ms)." % (
                        n, counts * 1000 / PM_HZ, n + 1, (n + 1) * per_tick * 1000 / PM_HZ))
    return None


@points(5)
@ASYNC
def test_spsc(kernel):
    """the SPSC queue holds exactly its size, refuses more, keeps order across the index wrap"""
    kernel.expect_pass(ASYNC, "lab9.spsc")


@points(5)
@ASYNC
def test_keystream_race(kernel):
    """a byte arriving between the empty check and storing the waker still reaches the task"""
    record = kernel.expect_pass(ASYNC, "lab9.keystream_race")
    value(record, "got", "8", "`8`")


@points(5)
@ASYNC
def test_idle(kernel):
    """with nothing ready the CPU halts: ticks and halts rise while no task is polled"""
    record = kernel.expect_pass(ASYNC, "lab9.idle")
    (t0, p0, h0), (t1, p1, h1) = interaction(kernel)["idle"]
    if t1 - t0 < 2:
        fail("lab9.idle: wrong value: timer_ticks went from %d to %d in %.1f s while the "
             "executor idled." % (t0, t1, IDLE_GAP), boot=record.boot)
    if p1 != p0:
        fail("lab9.idle: wrong value: with no task ready, executor_polls rose from %d to %d: "
             "the executor polls tasks nobody woke." % (p0, p1), boot=record.boot)
    if h1 - h0 < 2:
        fail("lab9.idle: wrong value: executor_halts went from %d to %d while %d timer ticks "
             "came: the executor does not halt when idle." % (h0, h1, t1 - t0),
             boot=record.boot)


@points(10)
@ASYNC
def test_keys(kernel):
    """a typed line reaches the keyboard task in order, decoded"""
    record = kernel.expect_pass(ASYNC, "lab9.keys")
    want = interaction(kernel)["keys"]
    got = record.values.get("line", "")
    if got != want:
        fail("lab9.keys: wrong value: the task decoded %r, but the grader typed %r; %s." % (
            got, want, l5.first_difference(got, want)), boot=record.boot)
    value(record, "dropped", "0", "`0`")


@points(10)
@ASYNC
def test_storm(kernel):
    """a storm of a few hundred keys arrives with no loss and no duplicate"""
    record = kernel.expect_pass(ASYNC, "lab9.storm")
    storm = interaction(kernel)["storm"]
    value(record, "keys", str(storm["keys"]), "`%d`" % storm["keys"])
    want = "%016x" % fnv1a64(storm["text"])
    value(record, "digest", want, "`%s` (the digest of the text typed)" % want)
    value(record, "dropped", "0", "`0`")


@points(10)
@ASYNC
def test_wakeup_race(kernel):
    """a wake-up between the idle check and hlt is not lost (sti; hlt as one step)"""
    result = kernel.run(ASYNC)
    record = result.records["lab9.wakeup_race"]
    race = (result.found("interaction") or {}).get("race")
    if record.status != "pass" and race:
        queued = (race["head"] - race["tail"]) & 0xFFFFFFFF
        fail("lab9.wakeup_race: lost wake-up: IRQ 1 was raised while the executor, interrupts "
             "off, had just found the ready queue empty. The test never finished: the grader "
             "found the CPU %s with %d task(s) alive and %d in the ready queue. The interrupt "
             "ran between enabling interrupts and hlt, queued the task, and the hlt then slept "
             "with work waiting (the timer is masked, so nothing else wakes it). Use "
             "irq_wait(): sti; hlt as one step." % (
                 "halted" if race["regs"].get("HLT") else "running", race["live"], queued),
             boot=record.boot)
    kernel.expect_pass(ASYNC, "lab9.wakeup_race")
    value(record, "survived", "1", "`1`")
