"""Booting the kernel once under QEMU and deciding how that boot ended.

run_boot() makes the boot's ISO (with a fresh token), starts QEMU with the serial port written to
a log file, then watches that file. A boot ends in exactly one of these ways, each with its own
explanation for the student:

  exit-pass, exit-fail   the kernel wrote 0x10 or 0x11 to isa-debug-exit (QEMU status 33 or 35);
  hold                   the kernel printed its hold line; the grader inspected it and quit QEMU;
  stall                  no serial output for the stall limit (a hang);
  timeout                the boot ran past its total time limit (busy but never finishing);
  triple-fault           QEMU exited 0 by itself and its -d log says "Triple fault";
  shutdown               QEMU exited 0 by itself without a triple fault (reset or power-off);
  qemu-failed            QEMU could not start (bad option, missing binary, status 1 at once);
  qemu-error             QEMU died some other way (an error or a signal after starting);
  stopped                a test's interact or inspect check failed and the grader stopped QEMU.

While a boot runs, a Machine object gives tests the live QEMU: wait for a serial line, talk QMP,
attach the GDB stub. Each QEMU runs in its own process group and is registered in a table of live
processes; whatever happens (a timeout, an exception in a test, Ctrl-C, SIGTERM, the interpreter
exiting, even the grader being killed, through PR_SET_PDEATHSIG) the process is killed, so no QEMU
outlives the grader.
"""

import atexit
import ctypes
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field

from . import isoimage
from .errors import GradeFailure
from .protocol import parse_serial
from .qmp import Qmp, QmpError

QEMU = "qemu-system-x86_64"
EXIT_PASS_STATUS = 33       # the kernel wrote 0x10: (0x10 << 1) | 1
EXIT_FAIL_STATUS = 35       # the kernel wrote 0x11
WATCHDOG_GRACE = 5          # seconds past a boot's total limit before QEMU is killed regardless

EXIT_PASS = "exit-pass"
EXIT_FAIL = "exit-fail"
HELD = "hold"
STALL = "stall"
TIMEOUT = "timeout"
TRIPLE_FAULT = "triple-fault"
SHUTDOWN = "shutdown"
QEMU_FAILED = "qemu-failed"
QEMU_ERROR = "qemu-error"
STOPPED = "stopped"

KERNEL_VMA = 0xFFFFFFFF80000000   # kernel/mm/layout.h: where the kernel's addresses start
POLL_INTERVAL = 0.02        # seconds between looks at the serial log and the QEMU process

# x86 exception vectors by number (Intel SDM Vol. 3A, Table 6-1).
EXCEPTION_NAMES = {
    0: "#DE divide error", 1: "#DB debug", 2: "NMI", 3: "#BP breakpoint", 4: "#OF overflow",
    5: "#BR bound range", 6: "#UD invalid opcode", 7: "#NM device not available",
    8: "#DF double fault", 10: "#TS invalid TSS", 11: "#NP segment not present",
    12: "#SS stack-segment fault", 13: "#GP general protection", 14: "#PF page fault",
    16: "#MF x87 error", 17: "#AC alignment check", 18: "#MC machine check",
    19: "#XM SIMD exception",
}
_INT_LOG_RE = re.compile(r'^\s*\d+: v=([0-9a-f]{2}) e=([0-9a-f]{4}) i=(\d) cpl=(\d) '
                         r'IP=[0-9a-f]+:([0-9a-f]+) pc=([0-9a-f]+).*?(?:CR2=([0-9a-f]+))?$')


@dataclass(frozen=True)
class BootSpec:
    """What to boot: the kernel command line, time limits and optional test callbacks.

    run: in-kernel test names or patterns for run= (empty: no run=, the kernel boots normally).
    hold: pass `hold`; the boot then ends when the kernel prints its hold line, after inspect.
    args: more kernel command-line words. qemu_args: more QEMU options (before QEMUEXTRA).
    stall: the longest the machine may stay silent before the kernel's first serial output
        (firmware and GRUB print nothing), in seconds before the timeout scale.
    quiet: once the kernel has printed, the longest silence before the boot counts as hung.
        A working kernel's tests print every few milliseconds, so a few seconds of silence
        means a hang; a test that is silent by design for longer (a measuring window) says
        so with a larger quiet.
    total: the longest the whole boot may take.
    interact(machine): called as soon as QEMU runs, to wait for lines, type keys, use GDB; its
        return value is kept in the result (interaction).
    inspect(machine): called once the kernel holds; its return value is kept in the result
        (inspection).
    gdb: start QEMU paused with its GDB stub on a Unix socket (see Machine.gdb()).
    trace: QEMU trace events to record (`-d trace:<event>`, into qemu.log beside the -d int
        log), such as pic_ioport_write or memory_region_ops_write: every byte the kernel sends
        to a device, seen by QEMU itself. Read them with BootResult.trace_events().
    """
    name: str
    run: tuple = ()
    hold: bool = False
    args: tuple = ()
    qemu_args: tuple = ()
    stall: float = 10.0
    quiet: float = 3.0
    total: float = 60.0
    interact: object = None
    inspect: object = None
    gdb: bool = False
    trace: tuple = ()


@dataclass
class BootResult:
    """The record of one finished boot."""
    spec: BootSpec
    label: str
    token: str
    cmdline: str
    log_dir: str
    command: list = field(default_factory=list)
    outcome: str = None
    exit_status: int = None
    duration: float = 0.0
    stall_limit: float = 0.0
    quiet_limit: float = 0.0
    total_limit: float = 0.0
    serial: str = ""
    log: object = None             # protocol.SerialLog
    qemu_stderr: str = ""
    exceptions: list = field(default_factory=list)   # (vector, error code, pc, cr2) from -d int
    interaction: object = None     # what spec.interact returned
    inspection: object = None      # what spec.inspect returned
    error: object = None           # a GradeFailure raised by interact or inspect
    has_screen: bool = False
    hang: dict = None              # where the CPU was when the grader gave up (stall, timeout)

    def trace_events(self, event):
        """The lines of QEMU trace event `event` in qemu.log, in order, without the event name.

        For example, with trace=("pic_ioport_write",) each line reads `master 1 addr 0x0 val
        0x11`. The boot's spec must have named the event in trace.
        """
        return trace_events(os.path.join(self.log_dir, "qemu.log"), event)

    @property
    def serial_lines(self):
        return self.log.lines if self.log else []

    @property
    def ended_normally(self):
        """True if the kernel finished its test run and reported `end` (exit or hold)."""
        return self.outcome in (EXIT_PASS, EXIT_FAIL, HELD) and self.log.end is not None

    def describe(self, symbols=None):
        """Return a list of lines explaining how the boot ended, for failure messages."""
        o = self.outcome
        running = self.log.current if self.log else None
        inside = " while %s was running" % running if running else ""
        if o == EXIT_PASS:
            return ["the kernel exited reporting success (isa-debug-exit 0x10)."]
        if o == EXIT_FAIL:
            if self.log.panic is not None:
                return describe_panic(self.log.panic, symbols, self.serial_lines)
            return ["the kernel exited reporting failure (isa-debug-exit 0x11)."]
        if o == HELD:
            return ["the kernel halted for inspection (hold) and the grader stopped QEMU."]
        if o == STOPPED:
            return ["the grader stopped QEMU after a check on the running machine failed."]
        if o == STALL:
            if self.serial.strip():
                return ["timeout: no serial output for %.1f s%s: the kernel hangs (the quiet "
                        "limit; scale it with TIMEOUT_SCALE=)." % (self.quiet_limit, inside)] + \
                    describe_hang(self.hang, symbols)
            return ["timeout: no serial output for %.1f s after QEMU started: the kernel never "
                    "printed (the stall limit; scale it with TIMEOUT_SCALE=)." %
                    self.stall_limit] + describe_hang(self.hang, symbols)
        if o == TIMEOUT:
            return ["timeout: the boot was still running after %.1f s%s (the total limit; scale "
                    "it with TIMEOUT_SCALE=)." % (self.total_limit, inside)] + \
                describe_hang(self.hang, symbols)
        if o == TRIPLE_FAULT:
            lines = ["triple fault%s: a fault happened while the CPU was delivering a double "
                     "fault, so it reset (QEMU's -d log says 'Triple fault')." % inside]
            if self.exceptions:
                lines.append("exceptions just before the reset, oldest first:")
                lines += describe_exceptions(self.exceptions, symbols)
            return lines
        if o == SHUTDOWN:
            return ["QEMU exited by itself with status 0%s: the machine reset or powered off "
                    "(no triple fault in the QEMU log)." % inside]
        if o == QEMU_FAILED:
            lines = ["QEMU failed to start (exit status %s)." % self.exit_status]
            lines += ["  " + l for l in self.qemu_stderr.strip().splitlines()[-6:]]
            lines.append("command: " + " ".join(self.command))
            return lines
        status = self.exit_status
        if status is not None and status < 0:
            what = "was killed by signal %d" % -status
        elif status is not None and status % 2 == 1 and status > 1:
            what = "exited through isa-debug-exit with the unexpected value 0x%x" % (status >> 1)
        else:
            what = "exited with status %s" % status
        lines = ["QEMU %s%s." % (what, inside)]
        lines += ["  " + l for l in self.qemu_stderr.strip().splitlines()[-6:]]
        return lines


_EXCEPTION_LINE_RE = re.compile(r"^EXCEPTION: .*")
_RIP_RE = re.compile(r"\brip 0x([0-9a-f]+)")


def describe_panic(panic, symbols=None, serial_lines=()):
    """Return lines describing a protocol.Panic, with the backtrace symbolised.

    When the panic reports an exception (the kernel's EXCEPTION line comes before it, or its
    message names a rip), the lines also give that line, with its error code, and the faulting
    instruction's function and source line.
    """
    from .symbols import format_backtrace
    lines = ["panic: %s" % panic.message]
    if panic.file:
        lines.append("  at %s:%d in %s" % (panic.file, panic.line, panic.function))
    exception = next((l for l in reversed(list(serial_lines)) if _EXCEPTION_LINE_RE.match(l)),
                     None)
    if exception is not None:
        lines.append("  the exception: " + exception[len("EXCEPTION: "):])
    m = _RIP_RE.search(exception or "") or _RIP_RE.search(panic.message)
    if m and symbols is not None:
        where = symbols.describe_inlined(int(m.group(1), 16))
        if not where.startswith("??"):
            lines.append("  the faulting instruction, rip 0x%s, is in %s" % (m.group(1), where))
    if panic.frames:
        lines.append("  backtrace:")
        if symbols is not None:
            lines += format_backtrace(symbols, panic.frames, indent="    ")
        else:
            lines += ["    #%d 0x%016x" % (i, a) for i, a in enumerate(panic.frames)]
    return lines


def describe_hang(hang, symbols=None):
    """Return lines saying where a hung CPU was (BootResult.hang), symbolised when possible."""
    if not hang:
        return []
    rip = hang["rip"]
    where = symbols.describe_inlined(rip) if symbols else "??"
    state = "interrupts %s" % ("on" if hang["rflags"] & 0x200 else "off")
    state += ", halted (hlt)" if hang.get("halted") else ", running (a loop)"
    lines = ["the CPU was at rip 0x%016x%s (%s)." % (
        rip, "" if where.startswith("??") else " in " + where, state)]
    frames = hang.get("frames") or []
    if frames and symbols:
        from .symbols import format_backtrace
        lines.append("  called from (the saved-RBP chain):")
        lines += format_backtrace(symbols, frames, indent="    ")
    return lines


def read_hang(machine, depth=8):
    """Where the CPU of a live machine is: rip, rflags, halted, and the return addresses of the
    saved-RBP chain (kernel addresses only). None if QEMU does not answer."""
    import struct
    from .oracles import parse_registers, read_virt
    try:
        regs = parse_registers(machine.hmp("info registers"))
        hang = {"rip": regs["RIP"], "rflags": regs.get("RFL", 0),
                "halted": regs.get("HLT", 0) == 1, "frames": []}
        rbp = regs.get("RBP", 0)
        for _ in range(depth):
            if rbp < KERNEL_VMA or rbp & 7:
                break
            rbp, ret = struct.unpack("<QQ", read_virt(machine, rbp, 16))
            if ret < KERNEL_VMA:
                break
            hang["frames"].append(ret)
        return hang
    except (QmpError, OSError, KeyError, ValueError, struct.error):
        return None


def describe_exceptions(exceptions, symbols=None):
    """Return lines naming each (vector, error, pc, cr2) exception from QEMU's -d int log."""
    places = symbols.describe([pc + 1 for _, _, pc, _ in exceptions]) if symbols else None
    lines = []
    for i, (vector, error, pc, cr2) in enumerate(exceptions):
        name = EXCEPTION_NAMES.get(vector, "vector %d" % vector)
        text = "  %s (error code 0x%x) at pc 0x%x" % (name, error, pc)
        if places and places[i] != "??" and not places[i].startswith("?? "):
            text += " in " + places[i]
        if vector == 14 and cr2 is not None:
            text += ", CR2 (faulting address) 0x%x" % cr2
        lines.append(text)
    return lines


def trace_events(path, event):
    """The arguments of every `event` line QEMU's log at path holds (see BootResult)."""
    prefix = event + " "
    found = []
    try:
        with open(path, "rb") as f:
            for raw in f:
                if raw.startswith(prefix.encode()):
                    found.append(raw.decode("utf-8", "replace")[len(prefix):].rstrip("\n"))
    except OSError:
        pass
    return found


# ---- Keeping track of live QEMU processes, so that none survives the grader. ----

_live = set()
_cleanup_installed = False


def _kill_group(proc, sig):
    """Send sig to the process group proc leads (QEMU runs in its own session)."""
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all():
    """Kill every QEMU this process started and that is still running."""
    for proc in list(_live):
        _kill_group(proc, signal.SIGKILL)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        _live.discard(proc)


def _on_signal(signum, frame):
    """Kill live QEMUs, then let the signal do what it would have done."""
    kill_all()
    previous = _previous_handlers.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
    elif previous != signal.SIG_IGN:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


_previous_handlers = {}


def _install_cleanup():
    """Register kill_all at exit and on SIGTERM and SIGHUP (SIGINT unwinds through pytest)."""
    global _cleanup_installed
    if _cleanup_installed:
        return
    _cleanup_installed = True
    atexit.register(kill_all)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            _previous_handlers[signum] = signal.signal(signum, _on_signal)
        except (ValueError, OSError):
            pass        # not the main thread: atexit and PDEATHSIG still cover us


def _child_setup():
    """In the child before exec: ask Linux to SIGKILL QEMU if the grader dies first."""
    try:
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except Exception:
        pass


def _option_path(path):
    """Escape a path for a QEMU option value, where a comma must be doubled."""
    return path.replace(",", ",,")


# ---- One live machine. ----

class _BootOver(Exception):
    """Raised inside the watch loop when the boot has ended; carries the outcome."""

    def __init__(self, outcome):
        super().__init__(outcome)
        self.outcome = outcome


class Machine:
    """A running QEMU for one boot, as seen by the grader and by interact/inspect callbacks."""

    def __init__(self, spec, settings, log_dir, label, iso_maker=None):
        """settings provides kernel_elf, timeout_scale, qemu_extra and symbols (a GradeConfig).

        iso_maker, an isoimage.IsoMaker, makes the boot ISO quickly; without one, each boot runs
        grub-mkrescue itself.
        """
        self.spec = spec
        self.iso_maker = iso_maker
        self.settings = settings
        self.label = label
        self.token = "%016x" % secrets.randbits(64)
        self.cmdline = isoimage.kernel_cmdline(self.token, spec.run, spec.hold, spec.args)
        self.log_dir = log_dir
        self.serial_path = os.path.join(log_dir, "serial.log")
        self.qemu_log_path = os.path.join(log_dir, "qemu.log")
        self.stderr_path = os.path.join(log_dir, "qemu.stderr")
        self.screen_path = os.path.join(log_dir, "screen.png")
        self.tmp = None
        self.proc = None
        self.command = []
        self.stall_limit = spec.stall * settings.timeout_scale
        self.quiet_limit = spec.quiet * settings.timeout_scale
        self.total_limit = spec.total * settings.timeout_scale
        self._serial = None
        self._partial = b""
        self.lines = []
        self._wait_cursor = 0
        self.held = False
        self._qmp = None
        self._gdb = None
        self._stopped_by_us = False
        self.started_at = self.last_output_at = None

    # -- starting --

    def start(self):
        """Build the ISO and start QEMU; raise _BootOver(QEMU_FAILED) if it cannot run."""
        os.makedirs(self.log_dir, exist_ok=True)
        # A short directory: a Unix socket path must fit in 108 bytes.
        self.tmp = tempfile.mkdtemp(prefix="grade-", dir="/tmp" if os.path.isdir("/tmp") else None)
        mkrescue_log = os.path.join(self.log_dir, "grub-mkrescue.log")
        if self.iso_maker is not None:
            iso = self.iso_maker.make(self.cmdline, self.tmp, log_path=mkrescue_log)
        else:
            iso = isoimage.build_iso(self.settings.kernel_elf, self.cmdline, self.tmp,
                                     log_path=mkrescue_log)
        with open(os.path.join(self.log_dir, "cmdline.txt"), "w") as f:
            f.write(self.cmdline + "\n")
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        self.gdb_path = os.path.join(self.tmp, "gdb.sock")
        self.command = [
            QEMU, "-m", "128M", "-cdrom", _option_path(iso),
            "-serial", "file:" + _option_path(self.serial_path),
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot",
            "-display", "none",
            "-qmp", "unix:%s,server=on,wait=off" % _option_path(self.qmp_path),
            "-d", ",".join(["int", "cpu_reset", "guest_errors"] +
                           ["trace:" + event for event in self.spec.trace]),
            "-D", self.qemu_log_path,
        ]
        if self.spec.gdb:
            self.command += ["-S", "-chardev", "socket,id=grade-gdb,path=%s,server=on,wait=off"
                             % _option_path(self.gdb_path), "-gdb", "chardev:grade-gdb"]
        self.command += list(self.spec.qemu_args) + list(self.settings.qemu_extra)
        open(self.serial_path, "wb").close()
        _install_cleanup()
        self.started_at = self.last_output_at = time.monotonic()
        try:
            with open(self.stderr_path, "wb") as err:
                self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=err,
                                             stderr=subprocess.STDOUT, start_new_session=True,
                                             preexec_fn=_child_setup)
        except OSError as e:
            with open(self.stderr_path, "w") as err:
                err.write("cannot run %s: %s\n" % (QEMU, e))
            raise _BootOver(QEMU_FAILED) from None
        _live.add(self.proc)

    # -- watching --

    def _read_serial(self):
        """Read whatever the kernel printed since last time into self.lines."""
        if self._serial is None:
            try:
                self._serial = open(self.serial_path, "rb")
            except OSError:
                return
        data = self._serial.read()
        if not data:
            return
        self.last_output_at = time.monotonic()
        data = self._partial + data
        *complete, self._partial = data.split(b"\n")
        hold_line = "ktest %s hold" % self.token
        for raw in complete:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            self.lines.append(line)
            if line == hold_line:
                self.held = True

    def pump(self):
        """Take in new serial output and check the process and both time limits.

        Raises _BootOver when QEMU has exited or a limit has passed (never after hold).
        """
        self._read_serial()
        if self.proc.poll() is not None:
            self._read_serial()
            raise _BootOver(self._exit_outcome())
        if self.held:
            return
        now = time.monotonic()
        limit = self.quiet_limit if self.lines or self._partial else self.stall_limit
        if now - self.last_output_at > limit:
            raise _BootOver(STALL)
        if now - self.started_at > self.total_limit:
            raise _BootOver(TIMEOUT)

    def wait_for(self, pattern, timeout=None):
        """Wait for a serial line matching the regular expression pattern; return the match.

        The search starts just after the line the previous wait_for matched (at the first line
        for the first call), so lines printed between two calls are never missed and each call
        moves forward. timeout (seconds, scaled) bounds the wait on top of the boot's own limits;
        GradeFailure if it passes. The match's .string is the whole line.
        """
        regex = re.compile(pattern)
        deadline = None if timeout is None else \
            time.monotonic() + timeout * self.settings.timeout_scale
        while True:
            over = None
            try:
                self.pump()
            except _BootOver as e:
                over = e        # the last lines may still hold the match
            while self._wait_cursor < len(self.lines):
                line = self.lines[self._wait_cursor]
                self._wait_cursor += 1
                m = regex.search(line)
                if m:
                    return m
            if over is not None:
                raise over
            if self.held:
                # The kernel halted for inspection: nothing more will come, and pump() no longer
                # applies the boot's time limits, so waiting on would never end.
                raise GradeFailure("the kernel held (ended its tests) without printing a line "
                                   "matching %r" % pattern)
            if deadline is not None and time.monotonic() > deadline:
                raise GradeFailure("no serial line matching %r within %.1f s" %
                                   (pattern, timeout * self.settings.timeout_scale))
            time.sleep(POLL_INTERVAL)

    def wait_until_over(self):
        """Watch the boot until it ends (or holds, for a hold boot)."""
        while True:
            self.pump()
            if self.held:
                return
            time.sleep(POLL_INTERVAL)

    def _exit_outcome(self):
        """Classify QEMU's exit status into an outcome."""
        status = self.proc.returncode
        if status == EXIT_PASS_STATUS:
            return EXIT_PASS
        if status == EXIT_FAIL_STATUS:
            return EXIT_FAIL
        if status == 0:
            if self._stopped_by_us:
                return HELD
            return TRIPLE_FAULT if self._log_says_triple_fault() else SHUTDOWN
        if status == 1 and not self.lines and not self._partial:
            return QEMU_FAILED
        return QEMU_ERROR

    def _log_tail(self, size=1 << 18):
        """Return the last size bytes of QEMU's -d log as text."""
        try:
            with open(self.qemu_log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - size))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _log_says_triple_fault(self):
        return "Triple fault" in self._log_tail()

    def exceptions(self, count=4):
        """Return the last count CPU exceptions (vector < 32) logged by -d int."""
        found = []
        for line in self._log_tail().splitlines():
            m = _INT_LOG_RE.match(line)
            if m and int(m.group(1), 16) < 32:
                cr2 = int(m.group(7), 16) if m.group(7) else None
                found.append((int(m.group(1), 16), int(m.group(2), 16), int(m.group(6), 16), cr2))
        return found[-count:]

    # -- talking to QEMU --

    @property
    def qmp(self):
        """The QMP connection, opened on first use."""
        if self._qmp is None:
            self._qmp = Qmp(self.qmp_path, timeout=10.0,
                            alive=lambda: self.proc.poll() is None)
        return self._qmp

    def hmp(self, command_line):
        """Run a human monitor command and return its text."""
        return self.qmp.hmp(command_line)

    def gdb(self):
        """The GDB stub connection (only for specs with gdb=True), opened on first use."""
        if not self.spec.gdb:
            raise GradeFailure("this boot was not started with its GDB stub (gdb=True)")
        if self._gdb is None:
            from .gdbstub import GdbStub
            self._gdb = GdbStub(self.gdb_path, alive=lambda: self.proc.poll() is None)
        return self._gdb

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -- stopping --

    def stop(self, screenshot):
        """Stop QEMU if it still runs (saving the screen first if asked) and clean up."""
        if self.alive():
            self._stopped_by_us = True
            if screenshot:
                try:
                    self.qmp.screendump(self.screen_path)
                except (QmpError, OSError, ValueError):
                    pass
            if self._gdb is not None:
                self._gdb.close()
                self._gdb = None
            try:
                self.qmp.quit()
                self.proc.wait(timeout=3)
            except (QmpError, subprocess.TimeoutExpired):
                _kill_group(self.proc, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    _kill_group(self.proc, signal.SIGKILL)
                    self.proc.wait()
        if self.proc is not None:
            _live.discard(self.proc)
            self._read_serial()
        for conn in (self._qmp, self._gdb):
            if conn is not None:
                conn.close()
        if self._serial is not None:
            self._serial.close()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


def run_boot(spec, settings, log_dir, label=None, iso_maker=None):
    """Boot once as spec describes and return a BootResult.

    Raises GradeFailure only when the boot could not even be prepared (no kernel ELF, ISO build
    failure); every way the machine itself can end is reported through the result's outcome.
    """
    label = label or spec.name
    machine = Machine(spec, settings, log_dir, label, iso_maker)
    result = BootResult(spec=spec, label=label, token=machine.token, cmdline=machine.cmdline,
                        log_dir=log_dir, stall_limit=machine.stall_limit,
                        quiet_limit=machine.quiet_limit, total_limit=machine.total_limit)
    outcome = None
    # The last line of defence against a grader that hangs: whatever an interact or inspect
    # callback is waiting for, QEMU is killed a little after the boot's total limit, so every
    # wait and every QMP call ends, and the boot is reported as a timeout.
    overrun = threading.Event()

    def watchdog():
        if machine.alive():
            overrun.set()
            _kill_group(machine.proc, signal.SIGKILL)

    timer = threading.Timer(machine.total_limit + WATCHDOG_GRACE, watchdog)
    timer.daemon = True
    try:
        machine.start()
        timer.start()
        if spec.interact is not None:
            try:
                result.interaction = spec.interact(machine)
            except (GradeFailure, QmpError) as e:
                result.error = e if isinstance(e, GradeFailure) else GradeFailure(str(e))
        if result.error is None:
            machine.wait_until_over()
            outcome = HELD
            if spec.inspect is not None:
                try:
                    result.inspection = spec.inspect(machine)
                except (GradeFailure, QmpError) as e:
                    result.error = e if isinstance(e, GradeFailure) else GradeFailure(str(e))
    except _BootOver as over:
        outcome = over.outcome
    finally:
        timer.cancel()
        result.command = machine.command
        still_running = machine.alive()
        if still_running and outcome in (STALL, TIMEOUT):
            result.hang = read_hang(machine)
        # Save the screen whenever the grader itself ends the machine: after hold, on a
        # timeout, or when a callback failed. A QEMU that has exited has no screen left.
        machine.stop(screenshot=True)
        if outcome is None and machine.proc is not None:   # a callback failed
            outcome = STOPPED if still_running else machine._exit_outcome()
        result.duration = time.monotonic() - (machine.started_at or time.monotonic())
    if overrun.is_set():
        outcome = TIMEOUT
        result.error = GradeFailure("the boot was still being checked %d s after it started; "
                                    "the grader stopped it" % (machine.total_limit +
                                                               WATCHDOG_GRACE))
    result.outcome = outcome
    result.exit_status = machine.proc.returncode if machine.proc is not None else None
    result.has_screen = os.path.exists(machine.screen_path)
    with open(machine.serial_path, "rb") as f:
        result.serial = f.read().decode("utf-8", "replace")
    result.log = parse_serial(result.serial, machine.token)
    try:
        with open(machine.stderr_path, errors="replace") as f:
            result.qemu_stderr = f.read()
    except OSError:
        pass
    if outcome == TRIPLE_FAULT:
        result.exceptions = machine.exceptions()
    return result
