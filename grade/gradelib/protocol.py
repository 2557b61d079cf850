"""Parsing the kernel's serial output: the boot banner, ktest lines and panic reports.

The kernel reports on COM1 with plain text lines (grade/README.md describes the protocol). Test
lines start with `ktest <token> `, where the token is a random 64-bit value the grader chose for
this boot and passed on the kernel command line. Only lines carrying this boot's token count: a
line with any other token is kept aside as "foreign" and earns nothing, so a kernel cannot forge
results by printing lines it made up in advance. A panic prints a `PANIC:` line, an `at` line, and
a numbered backtrace of return addresses, which parse_panic turns into a Panic record for the
grader to symbolise.

Lines with the right token must also keep the order the test runner (kernel/core/ktest.c) keeps:
a test starts once; its value lines and its verdict come while it runs; it gets `pass` only if it
printed no `fail`, and nothing after its `pass`; `fail <name> not run` is only for a test that
never started. Student code runs in the same kernel and can read the token, so a line out of that
order is taken as one the runner never printed: the test it names fails, marked forged, and no
later line changes that. This stops a stub that prints its own `pass` and returns, panics or fails
afterwards; a forger that imitates the runner exactly is left to the oracles, the facts the grader
checks for itself (digests recomputed from the token, memory read through QMP).
"""

import re
from dataclasses import dataclass, field

BANNER_RE = re.compile(
    r'^lab(?P<lab>\d+) \((?P<name>[^)]*)\) booted: (?P<mib>\d+) MiB usable, '
    r'bootloader "(?P<loader>[^"]*)"$')
KTEST_RE = re.compile(r'^ktest (?P<token>\S+) (?P<verb>\S+)(?: (?P<rest>.*))?$')
PANIC_RE = re.compile(r'PANIC: (?P<message>.*)$')
AT_RE = re.compile(r'^\s+at (?P<file>[^:\s]+):(?P<line>\d+) in (?P<function>\S+)\s*$')
FRAME_RE = re.compile(r'^\s+#(?P<index>\d+) (?:0x)?(?P<addr>[0-9a-fA-F]+)\b')

# A test's status once the serial log has been read.
PASS = "pass"          # the kernel printed `pass <name>`
FAIL = "fail"          # the kernel printed `fail <name> <reason>`
STARTED = "started"    # `start <name>` but no verdict: the machine died or hung inside the test
ABSENT = "absent"      # the test never started on this boot
NOT_RUN = "not-run"    # `fail <name> not run: ...`: a panic in an earlier test prevented it


@dataclass
class Banner:
    """The boot banner: `lab<N> (<name>) booted: <MiB> MiB usable, bootloader "<loader>"`."""
    lab: int
    name: str
    mib: int
    loader: str
    line: str


@dataclass
class Panic:
    """A panic report: message, source location and backtrace addresses (ints)."""
    message: str
    file: str = None
    line: int = None
    function: str = None
    frames: list = field(default_factory=list)
    test: str = None        # the test that was running when the kernel panicked, if any


@dataclass
class TestRecord:
    """What one boot's serial log says about one in-kernel test."""
    name: str
    status: str = ABSENT
    reason: str = ""                             # the fail line's reason text
    values: dict = field(default_factory=dict)   # `value <name> <key> <value>` facts
    boot: object = None                          # the BootResult the record came from
    forged: str = ""                             # the out-of-order line that made it fail

    __test__ = False        # not a pytest test class, despite the name


@dataclass
class SerialLog:
    """Everything parse_serial found in one boot's serial output."""
    token: str
    lines: list
    banner: Banner = None
    begin: int = None                 # the count from `begin <count>`
    end: tuple = None                 # (passed, failed) from `end`
    hold: bool = False                # the `hold` line was seen
    tests: dict = field(default_factory=dict)    # name -> TestRecord, in start order
    foreign: list = field(default_factory=list)  # ktest lines with another token
    malformed: list = field(default_factory=list)  # ktest lines with our token we cannot read
    panic: Panic = None
    current: str = None               # the test started last and not finished

    def record(self, name):
        """Return the record for test name, an ABSENT one if the test never started."""
        return self.tests.get(name) or TestRecord(name)


def parse_serial(text, token):
    """Parse a boot's serial output (a str) for the boot whose token is the hex string token."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    log = SerialLog(token=token, lines=lines)
    for line in lines:
        if log.banner is None:
            m = BANNER_RE.match(line)
            if m:
                log.banner = Banner(int(m["lab"]), m["name"], int(m["mib"]), m["loader"], line)
                continue
        if not line.startswith("ktest "):
            continue
        m = KTEST_RE.match(line)
        if m is None or m["token"] != token:
            log.foreign.append(line)
            continue
        if not _apply(log, m["verb"], m["rest"] or ""):
            log.malformed.append(line)
    log.panic = parse_panic(lines)
    if log.panic is not None:
        log.panic.test = _test_running_at_panic(lines, token, log.panic)
    return log


def _apply(log, verb, rest):
    """Apply one ktest line with this boot's token to log; return False if it is malformed."""
    words = rest.split(" ")
    line = ("%s %s" % (verb, rest)).strip()
    if verb == "begin" and len(words) == 1 and words[0].isdigit():
        log.begin = int(words[0])
    elif verb == "end" and len(words) == 2 and all(w.isdigit() for w in words):
        log.end = (int(words[0]), int(words[1]))
        log.current = None
    elif verb == "hold" and rest == "":
        log.hold = True
    elif verb == "start" and len(words) == 1 and words[0]:
        if words[0] in log.tests:
            _forge(log, words[0], line, "it started a second time")
        else:
            log.tests[words[0]] = TestRecord(words[0], STARTED)
        log.current = words[0]
    elif verb == "value" and len(words) >= 3:
        if words[0] != log.current:
            _forge(log, words[0], line, "a value line while it was not running")
        elif not log.tests[words[0]].forged:
            log.tests[words[0]].values[words[1]] = " ".join(words[2:])
    elif verb == "pass" and len(words) == 1 and words[0]:
        name = words[0]
        if name != log.current:
            _forge(log, name, line, "a pass while it was not running")
        elif log.tests[name].status != STARTED:
            _forge(log, name, line, "a pass after its fail")
        else:
            log.tests[name].status = PASS
            log.current = None
    elif verb == "fail" and words[0]:
        name, reason = words[0], " ".join(words[1:]) or "(no reason given)"
        record = log.tests.get(name)
        if reason.startswith("not run"):
            if record is not None:
                _forge(log, name, line, "`not run` for a test that started")
            else:
                log.tests[name] = TestRecord(name, NOT_RUN, reason)
        elif name != log.current:       # the running test never has its pass yet
            _forge(log, name, line, "a fail after its pass" if record is not None and
                   record.status == PASS else "a fail while it was not running")
        elif not record.forged:
            record.status, record.reason = FAIL, reason
    else:
        return False
    return True


def _forge(log, name, line, why):
    """Fail test name for a line out of the runner's order; later lines cannot undo it."""
    record = log.tests.setdefault(name, TestRecord(name))
    if not record.forged:
        record.forged = line
        record.reason = ("forged result: the serial log has `ktest <token> %s`, %s; the test "
                         "runner never prints that, so none of this test's lines count (does "
                         "your code print ktest lines?)" % (line, why))
    record.status = FAIL
    record.values = {}


def parse_panic(lines):
    """Return the first panic report in lines (a list of str), or None if there is none.

    The PANIC: marker may follow other text on the same line (a test may have printed half a
    line before panicking); the `at` line and the backtrace frames follow it.
    """
    for i, line in enumerate(lines):
        m = PANIC_RE.search(line)
        if m is None:
            continue
        panic = Panic(message=m["message"].strip())
        for follow in lines[i + 1:i + 64]:
            at = AT_RE.match(follow)
            frame = FRAME_RE.match(follow)
            if at and panic.file is None:
                panic.file, panic.line = at["file"], int(at["line"])
                panic.function = at["function"]
            elif frame:
                panic.frames.append(int(frame["addr"], 16))
            elif follow.strip() == "backtrace:":
                continue
            else:
                break
        return panic
    return None


def _test_running_at_panic(lines, token, panic):
    """Return the name of the test started last before the PANIC: line, or None."""
    running = None
    prefix = "ktest %s " % token
    for line in lines:
        if PANIC_RE.search(line):
            return running
        if line.startswith(prefix):
            words = line[len(prefix):].split(" ")
            if words[0] == "start" and len(words) > 1:
                running = words[1]
            elif words[0] in ("pass", "fail", "end"):
                running = None
    return running
