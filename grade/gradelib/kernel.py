"""Running in-kernel tests in groups, one boot serving many tests, and judging the results.

Booting costs about half a second, so tests that run inside the kernel are grouped: a KernelGroup
names the in-kernel tests that share a boot (all lab 1 string tests, say), and the first graded
test that needs the group boots it; the others reuse the cached result. If the machine dies part
way (a panic, a hang, a triple fault in one test), the test that was running is charged with it and
the tests that never started get a fresh boot of their own, so one broken function never costs
points for the others. Tests that end the machine on purpose (should-panic, crash tests) belong in
a group of their own.

Kernel.expect_pass() is the usual check: it returns the test's record when the kernel printed
`pass`, and otherwise raises GradeFailure with the reason (the kernel's fail reason, a panic with
its symbolised backtrace, a timeout, a triple fault, QEMU failing to start) and the boot's last
serial lines.
"""

import os

import pytest

from . import isoimage, protocol
from .errors import GradeFailure
from .qemu import QEMU_FAILED, BootSpec, run_boot

# The in-kernel test pattern for a boot that should run no test at all (then hold, say).
NO_TESTS = "none"


class KernelGroup:
    """In-kernel tests that share one boot, and how to boot them.

    name: a stable label (used for log directories and to keep the group on one pytest-xdist
    worker). tests: exact in-kernel test names. hold, args, stall, quiet, total, inspect, interact, gdb,
    qemu_args, trace: as in qemu.BootSpec. A group with no tests boots once with run=none (useful with
    hold).
    """

    def __init__(self, name, tests=(), hold=False, args=(), stall=10.0, quiet=3.0, total=60.0,
                 inspect=None, interact=None, gdb=False, qemu_args=(), trace=()):
        self.name = name
        self.trace = tuple(trace)
        self.qemu_args = tuple(qemu_args)
        self.gdb = gdb
        self.tests = tuple(tests)
        self.hold = hold
        self.args = tuple(args)
        self.stall = stall
        self.quiet = quiet
        self.total = total
        self.inspect = inspect
        self.interact = interact

    def spec(self, tests):
        """Return the BootSpec that runs the given subset of this group's tests."""
        return BootSpec(name=self.name, run=tuple(tests) or (NO_TESTS,), hold=self.hold,
                        args=self.args, stall=self.stall, quiet=self.quiet,
                        total=self.total,
                        inspect=self.inspect, interact=self.interact, gdb=self.gdb,
                        qemu_args=self.qemu_args, trace=self.trace)

    @property
    def mark(self):
        """A pytest mark keeping every test of this group on the same xdist worker."""
        return pytest.mark.xdist_group(self.name)

    def __call__(self, function):
        """Decorating a test with the group marks it as using the group (see mark)."""
        return self.mark(function)

    def __repr__(self):
        return "KernelGroup(%r)" % self.name


class GroupResult:
    """The outcome of a group: one TestRecord per test, and every boot it took."""

    def __init__(self, group):
        self.group = group
        self.records = {}
        self.boots = []

    @property
    def inspection(self):
        """What the group's inspect callback returned on the boot that held, or None."""
        return self.found("inspection")

    def found(self, what):
        """The first non-None `inspection` or `interaction` among the group's boots."""
        for boot in self.boots:
            if getattr(boot, what) is not None:
                return getattr(boot, what)
        return None

    @property
    def last_boot(self):
        return self.boots[-1] if self.boots else None


class Kernel:
    """Boots the build's kernel for the tests of one pytest process and caches the results."""

    boots_made = 0          # across all Kernel objects of this process, for the score line

    def __init__(self, settings):
        """settings is the session's GradeConfig (kernel path, timeouts, log directory)."""
        self.settings = settings
        self._cache = {}
        self._iso_maker = (isoimage.IsoMaker(settings.kernel_elf) if settings.build_dir
                           else None)

    def boot(self, spec):
        """Boot once, uncached, and return the qemu.BootResult."""
        self.settings.require_kernel()
        Kernel.boots_made += 1
        worker = self.settings.worker
        label = "%s%02d-%s" % (worker + "-" if worker else "", Kernel.boots_made, spec.name)
        log_dir = os.path.join(self.settings.out_dir, "boots", label)
        return run_boot(spec, self.settings, log_dir, label=label, iso_maker=self._iso_maker)

    def close(self):
        """Remove the temporary files this Kernel keeps between boots."""
        if self._iso_maker is not None:
            self._iso_maker.close()

    def run(self, group):
        """Return the GroupResult of group, booting as often as needed the first time."""
        if group.name in self._cache:
            cached = self._cache[group.name]
            if cached.group is not group:
                raise ValueError("two different groups are named %r" % group.name)
            return cached
        result = GroupResult(group)
        remaining = list(group.tests)
        while True:
            boot = self.boot(group.spec(remaining))
            result.boots.append(boot)
            progressed = False
            prevented = False
            last = {}
            for name in remaining:
                record = boot.log.record(name)
                record.boot = boot
                last[name] = record
                if record.status in (protocol.ABSENT, protocol.NOT_RUN):
                    prevented |= record.status == protocol.NOT_RUN
                else:
                    result.records[name] = record
                    progressed = True
            remaining = [n for n in remaining if n not in result.records]
            # Boot again for the tests that did not run only if this boot got somewhere and
            # then died (a panic, a hang, a reset). A boot that ran nothing, or that ended
            # normally without selecting a test, would only do the same again.
            if not remaining or not progressed or (boot.ended_normally and not prevented):
                break
        for name in remaining:
            result.records[name] = last[name]
        self._cache[group.name] = result
        return result

    def record(self, group, name):
        """Return the TestRecord of in-kernel test name, running group if needed."""
        if name not in group.tests:
            raise ValueError("%s is not part of group %s" % (name, group.name))
        return self.run(group).records[name]

    def expect_pass(self, group, name):
        """Return test name's record if the kernel printed `pass`; else raise GradeFailure."""
        record = self.record(group, name)
        if record.status != protocol.PASS:
            raise self.failure(record)
        return record

    def failure(self, record):
        """Return a GradeFailure explaining why record's test did not pass."""
        boot = record.boot
        symbols = self.settings.symbols
        name = record.name
        if record.status == protocol.FAIL:
            panic = boot.log.panic
            if record.reason.startswith("panic") and panic is not None:
                return GradeFailure("%s failed in the kernel: it panicked." % name, boot=boot,
                                    detail=protocol_panic_lines(panic, symbols, boot),
                                    hide_backtrace=True)
            return GradeFailure("%s failed in the kernel: %s" % (name, record.reason), boot=boot)
        if record.status == protocol.STARTED:
            if boot.log.panic is not None and boot.log.panic.test == name:
                return GradeFailure("%s panicked and the kernel did not report it." % name,
                                    boot=boot, hide_backtrace=True,
                                    detail=protocol_panic_lines(boot.log.panic, symbols,
                                                                boot))
            return GradeFailure("%s started but never finished: %s" % (
                name, boot.describe(symbols)[0]), boot=boot, detail=boot.describe(symbols)[1:])
        if record.status == protocol.NOT_RUN:
            panic = boot.log.panic
            return GradeFailure("%s never ran: %s" % (name, record.reason), boot=boot,
                                hide_backtrace=panic is not None,
                                detail=protocol_panic_lines(panic, symbols, boot) if panic
                                else None)
        # The test never started on this boot.
        why = boot.describe(symbols)
        if boot.ended_normally:
            why = ["the kernel finished its run (`end` line) without a `start %s` line: it does "
                   "not know this test, or did not select it (begin count %s)." %
                   (name, boot.log.begin)]
        elif boot.log.banner is None and boot.outcome != QEMU_FAILED:
            why = why + ["the kernel never printed its boot banner."]
        return GradeFailure("%s never ran: %s" % (name, why[0]), boot=boot, detail=why[1:])

    def inspection(self, group):
        """Return what group's inspect callback found, or raise GradeFailure saying why not.

        Call it after expect_pass: the inspection exists only if the kernel reached its hold line
        and the callback succeeded.
        """
        return self._found(group, "inspection")

    def interaction(self, group):
        """Return what group's interact callback returned, or raise GradeFailure saying why not."""
        return self._found(group, "interaction")

    def _found(self, group, what):
        result = self.run(group)
        value = result.found(what)
        if value is not None:
            return value
        boot = result.last_boot
        if boot.error is not None:
            raise GradeFailure(boot.error.message, boot=boot, detail=boot.error.detail)
        raise GradeFailure("the machine could not be inspected: %s" %
                           boot.describe(self.settings.symbols)[0], boot=boot,
                           detail=boot.describe(self.settings.symbols)[1:])

    def idle(self, group):
        """Run a group that has no in-kernel tests; return its only boot."""
        return self.run(group).last_boot


def protocol_panic_lines(panic, symbols, boot=None):
    """Return the panic's description lines (message, location, the exception it reports if
    any, symbolised backtrace)."""
    from .qemu import describe_panic
    return describe_panic(panic, symbols, boot.serial_lines if boot is not None else ())
