"""The grader against deliberately broken kernels: each failure must be named for what it is.

Every kernel build contains the in-kernel self-tests of kernel/tests/selftests.c, flagged
"alone" so that only an exact run= selects them: selftest.loop hangs without a word,
selftest.triple loads an empty IDT and triple-faults, selftest.panic panics, selftest.fake
prints result lines with a wrong token. These tests boot each one (with short time limits, so the
whole file takes a few seconds) and check the outcome and the message a student would read. They
also check QEMU failing to start, the oracles on a held machine (memory, VGA, CPU state, address
translation, keyboard, screen dump), the GDB stub, and that no QEMU outlives the grader, even when
the grader is killed.
"""

import dataclasses
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from gradelib import isoimage, oracles, protocol, qemu
from gradelib.gdbstub import run_to
from gradelib.kernel import Kernel, KernelGroup
from gradelib.qemu import BootSpec

KERNEL_VMA = 0xFFFFFFFF80000000     # kernel/mm/layout.h: virtual = physical + KERNEL_VMA
GRADE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def alone(name, **limits):
    """A BootSpec running one self-test, with short limits unless others are given.

    The stall limit must still cover the silent start (BIOS and GRUB print nothing on the
    serial port), about half a second, or more on a busy machine.
    """
    limits.setdefault("stall", 5.0)
    limits.setdefault("total", 20.0)
    return BootSpec(name=name, run=(name,), **limits)


def message(kernel, boot, name):
    """The failure text a student would read for in-kernel test name on boot."""
    record = boot.log.record(name)
    record.boot = boot
    return str(kernel.failure(record))


def test_silent_hang_is_a_stall_timeout(kernel, settings):
    boot = kernel.boot(alone("selftest.loop"))
    assert boot.outcome == qemu.STALL
    assert boot.log.record("selftest.loop").status == protocol.STARTED
    text = message(kernel, boot, "selftest.loop")
    assert "selftest.loop started but never finished" in text
    # Reported after the quiet limit (3 s), not the longer limit for the silent start.
    assert "timeout: no serial output for %.1f s" % (3.0 * settings.timeout_scale) in text
    assert boot.duration < (3.0 + 5.0) * settings.timeout_scale
    # Where the CPU was, symbolised, with the interrupt flag and the chain of callers.
    assert "the CPU was at rip 0x" in text and "in ktest_fn_selftest_loop at " \
        "kernel/tests/selftests.c:" in text, text
    assert "running (a loop)" in text and "ktest_run_lab at kernel/core/ktest.c:" in text, text
    assert boot.exit_status is not None                     # QEMU is gone
    assert boot.has_screen                                  # the screen was saved first


def test_endless_run_hits_the_total_limit(kernel, settings):
    boot = kernel.boot(alone("selftest.loop", stall=60.0, total=2.0))
    assert boot.outcome == qemu.TIMEOUT
    assert "the boot was still running after %.1f s" % (2.0 * settings.timeout_scale) in \
        message(kernel, boot, "selftest.loop")


def test_a_hung_check_is_stopped_by_the_watchdog(kernel, settings):
    """An interact callback that waits forever must not hang the grader."""
    def wait_forever(machine):
        while True:
            machine.hmp("info status")      # fails once the watchdog has killed QEMU
            time.sleep(0.1)

    started = time.monotonic()
    boot = kernel.boot(BootSpec("selftest.watchdog", run=("selftest.loop",), stall=600, total=2,
                                interact=wait_forever))
    assert boot.outcome == qemu.TIMEOUT
    assert "the grader stopped it" in str(boot.error)
    assert time.monotonic() - started < (2 + qemu.WATCHDOG_GRACE) * settings.timeout_scale + 10
    assert boot.exit_status is not None                     # QEMU is gone


def test_triple_fault_is_named(kernel):
    boot = kernel.boot(alone("selftest.triple"))
    assert boot.outcome == qemu.TRIPLE_FAULT
    assert boot.exceptions, "the exceptions before the reset should come from the -d int log"
    text = message(kernel, boot, "selftest.triple")
    assert "triple fault while selftest.triple was running" in text
    assert "#DF double fault" in text


def test_exception_names_the_faulting_line(kernel, settings):
    if settings.lab < 3:
        pytest.skip("exceptions are reported from lab 3 on")
    boot = kernel.boot(alone("selftest.fault"))
    assert boot.outcome == qemu.EXIT_FAIL
    text = message(kernel, boot, "selftest.fault")
    assert "the exception: #PF page fault (vector 14) error 0x2" in text, text
    assert "cr2 0x0000007ffffff000" in text
    assert re.search(r"the faulting instruction, rip 0x[0-9a-f]+, is in ktest_fn_selftest_fault "
                     r"at kernel/tests/selftests.c:\d+", text), text
    # The EXCEPTION line stays in the serial excerpt although the register dump and the panic
    # pushed it out of the last lines.
    assert "  | EXCEPTION: #PF" in text, text


def test_panic_shows_a_symbolised_backtrace(kernel):
    boot = kernel.boot(alone("selftest.panic"))
    assert boot.outcome == qemu.EXIT_FAIL
    record = boot.log.record("selftest.panic")
    assert record.status == protocol.FAIL and record.reason.startswith("panic")
    text = message(kernel, boot, "selftest.panic")
    assert "it panicked" in text and "panic: selftest: deliberate panic" in text
    assert "ktest_fn_selftest_panic at kernel/tests/selftests.c:" in text
    assert "kmain at kernel/main.c:" in text


def _banner_then_start(machine):
    """Wait for the banner, then for the test's start line (wait_for moves forward)."""
    banner = machine.wait_for(r"^lab\d+ \(\S+\) booted: ", timeout=20)
    start = machine.wait_for(r"^ktest %s start " % machine.token, timeout=20)
    return banner.string, start.string


def test_fake_lines_earn_nothing(kernel):
    group = KernelGroup("selftest.fake-group", ["selftest.fake"], interact=_banner_then_start)
    boot = kernel.run(group).last_boot
    banner, start = kernel.interaction(group)
    assert banner == boot.log.banner.line and start.endswith(" start selftest.fake")
    assert boot.log.record("selftest.fake").status == protocol.PASS
    assert len(boot.log.foreign) >= 3, boot.log.foreign     # the forged lines were printed ...
    forged = boot.log.record("lab1.memset")                 # ... and count for nothing
    assert forged.status == protocol.ABSENT and not forged.values
    assert boot.log.record("lab1.memcpy").status == protocol.ABSENT


def test_should_panic_tests(kernel):
    boot = kernel.boot(alone("selftest.should_panic"))
    assert boot.log.record("selftest.should_panic").status == protocol.PASS
    boot = kernel.boot(alone("selftest.should_panic_returns"))
    record = boot.log.record("selftest.should_panic_returns")
    assert record.status == protocol.FAIL and "returned without the panic" in record.reason


def test_qemu_failing_to_start_is_named(settings):
    broken = dataclasses.replace(settings, qemu_extra=["-no-such-qemu-option"], _symbols=None)
    kernel = Kernel(broken)
    group = KernelGroup("selftest.badqemu", ["selftest.fake"])
    boot = kernel.run(group).last_boot
    assert boot.outcome == qemu.QEMU_FAILED
    text = str(kernel.failure(kernel.record(group, "selftest.fake")))
    assert "QEMU failed to start (exit status 1)" in text
    assert "-no-such-qemu-option" in text


def test_group_reboots_after_a_crash(kernel):
    """A test that kills the machine costs only itself: the tests after it get a new boot."""
    # The kernel runs tests in name order: selftest.panic first, then the other one.
    group = KernelGroup("selftest.crash-group", ["selftest.panic", "selftest.should_panic"])
    result = kernel.run(group)
    assert result.records["selftest.panic"].status == protocol.FAIL
    assert result.records["selftest.should_panic"].status == protocol.PASS
    assert len(result.boots) == 2
    assert result.boots[0].log.record("selftest.should_panic").status == protocol.NOT_RUN


def _inspect_everything(machine):
    """On the held machine, read every oracle; return what each one found."""
    symbols = machine.settings.symbols
    kmain = symbols.address("kmain")
    found = {
        "regs": oracles.cpu_state(machine),
        "vga": oracles.read_vga(machine),
        "kmain_phys": oracles.gva2gpa(machine, kmain),
        "null_phys": oracles.gva2gpa(machine, 0),
        "kmain_bytes_virt": oracles.read_virt(machine, kmain, 16),
        "kmain_bytes_phys": oracles.read_phys(machine, kmain - KERNEL_VMA, 16),
    }
    found["cursor"] = oracles.vga_cursor(machine)
    oracles.type_text(machine, "Hi!", delay=0)      # accepted by QEMU (the kernel ignores it)
    oracles.send_keys(machine, "ctrl", "alt")
    return found


def test_oracles_on_a_held_machine(kernel, settings):
    group = KernelGroup("selftest.oracles", [], hold=True, inspect=_inspect_everything)
    boot = kernel.idle(group)
    assert boot.outcome == qemu.HELD and boot.error is None, boot.error or boot.describe()
    found = boot.inspection
    regs = found["regs"]
    assert oracles.long_mode_active(regs)
    assert regs["CR0"] & oracles.CR0_PG and regs["CR4"] & oracles.CR4_PAE
    assert regs["IDT"]["limit"] >= 0 and regs["GDT"]["limit"] > 0
    kmain = settings.symbols.address("kmain")
    assert found["kmain_phys"] == kmain - KERNEL_VMA
    assert found["null_phys"] is None, "the boot identity map should be gone"
    assert found["kmain_bytes_virt"] == found["kmain_bytes_phys"]
    assert len(found["vga"].dump()) == 25
    enabled, row, col = found["cursor"]
    assert isinstance(enabled, bool) and 0 <= row < 64 and 0 <= col < 80
    with open(os.path.join(boot.log_dir, "screen.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_gdb_stub_proves_control_reached_a_symbol(kernel, settings):
    target = settings.symbols.address("ktest_fn_selftest_panic")
    never = settings.symbols.address("ktest_fn_selftest_loop")
    seen = {}

    def interact(machine):
        seen["reached"] = run_to(machine, target)
        seen["rip"] = machine.gdb().rip()
        seen["return"] = machine.gdb().return_address()
        machine.gdb().close()

    boot = kernel.boot(BootSpec("selftest.gdb", run=("selftest.panic",), gdb=True,
                                interact=interact))
    assert seen["reached"] is True and seen["rip"] == target
    assert settings.symbols.describe([seen["return"]])[0].startswith("run_one ")
    assert boot.outcome == qemu.EXIT_FAIL           # it ran on to the panic after detaching

    def interact_never(machine):
        seen["never"] = run_to(machine, never)

    boot = kernel.boot(BootSpec("selftest.gdb-never", run=("selftest.panic",), gdb=True,
                                interact=interact_never))
    assert seen["never"] is False
    assert boot.outcome == qemu.EXIT_FAIL


def test_iso_maker_patches_only_grub_cfg(settings, tmp_path):
    maker = isoimage.IsoMaker(settings.kernel_elf)
    try:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        a = open(maker.make("token=0000000000000001 run=x", str(tmp_path / "a")), "rb").read()
        b = open(maker.make("token=0000000000000002 run=y hold", str(tmp_path / "b")),
                 "rb").read()
        assert maker._image is not None, "the template's grub.cfg should be found exactly once"
        assert len(a) == len(b) == len(maker._image)
        differing = [i for i in range(len(a)) if a[i] != b[i]]
        assert differing and differing[-1] - differing[0] < isoimage.GRUB_CFG_SIZE
        assert b"multiboot2 /boot/kernel.elf token=0000000000000002 run=y hold\n" in b
        # A configuration too long for the padded file falls back to grub-mkrescue.
        (tmp_path / "c").mkdir()
        long_line = "token=0000000000000003 run=" + ",".join(["lab1.memset"] * 200)
        c = open(maker.make(long_line, str(tmp_path / "c")), "rb").read()
        assert long_line.encode() in c
    finally:
        maker.close()


def _qemu_children():
    """PIDs of live qemu-system processes whose parent is this process."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if name.startswith("qemu-system") and fields[0] != "Z" and \
                int(fields[1]) == os.getpid():
            found.append(int(pid))
    return found


def test_no_qemu_left_after_boots(kernel):
    kernel.boot(alone("selftest.loop", stall=60.0, total=2.0))     # the grader kills this one
    assert _qemu_children() == []


# A grader process that starts a hanging boot and reports QEMU's PID, for the kill tests.
HANGING_GRADER = """
import os, sys, time
sys.path.insert(0, %(grade)r)
from gradelib import qemu
from gradelib.config import GradeConfig
settings = GradeConfig(repo=%(repo)r, build_dir=%(build)r, out_dir=%(out)r)
spec = qemu.BootSpec("selftest.loop", run=("selftest.loop",), stall=600, total=600)
machine = qemu.Machine(spec, settings, %(out)r + "/boot", "hang")
machine.start()
print(machine.proc.pid, flush=True)
time.sleep(600)
"""


def _pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_no_qemu_survives_a_killed_grader(settings, tmp_path, how):
    script = textwrap.dedent(HANGING_GRADER) % {
        "grade": GRADE_DIR, "repo": settings.repo, "build": settings.build_dir,
        "out": str(tmp_path)}
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    qemu_pid = int(grader.stdout.readline())
    assert _pid_alive(qemu_pid)
    grader.send_signal(how)
    grader.wait(timeout=10)
    deadline = time.monotonic() + 5
    while _pid_alive(qemu_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _pid_alive(qemu_pid), "QEMU %d outlived its grader" % qemu_pid
