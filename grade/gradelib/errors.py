"""The exception a grading check raises when a test fails, and how its message is laid out.

A test fails by raising GradeFailure with a one-line reason ("lab1.memmove failed in the kernel:
panic: ..."), optionally followed by more detail lines. When the failure comes from a boot, the
message also shows the last lines of that boot's serial output and where its logs are, so a
student sees at a glance what the kernel printed last. The conftest turns this exception into the
test's report text instead of a Python traceback: the traceback of the grader itself would only
hide the reason.
"""

import os
import re

TAIL_LINES = 10
_RAW_BACKTRACE_RE = re.compile(r"^(backtrace:|\s+#\d+ (0x)?[0-9a-fA-F]+)\s*$")
_KEY_LINE_RE = re.compile(r"^(EXCEPTION|PANIC): ")      # always shown, even when far back


def relative(path):
    """Return path relative to the working directory when that is shorter, for messages."""
    path = str(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if len(rel) < len(path) else path


class GradeFailure(Exception):
    """A graded check failed; str() gives the full explanation shown to the student."""

    def __init__(self, message, boot=None, detail=None, tail=TAIL_LINES, hide_backtrace=False):
        """message: the reason; boot: the BootResult involved, if any; detail: more lines.

        hide_backtrace leaves the raw backtrace lines out of the serial tail, for messages whose
        detail already shows the backtrace symbolised.
        """
        super().__init__(message)
        self.message = message
        self.boot = boot
        self.detail = list(detail or [])
        self.tail = tail
        self.hide_backtrace = hide_backtrace

    def __str__(self):
        lines = [self.message] + self.detail
        boot = self.boot
        if boot is not None:
            shown = boot.serial_lines
            if self.hide_backtrace:
                shown = [l for l in shown if not _RAW_BACKTRACE_RE.match(l)]
            last = shown[-self.tail:] if self.tail else []
            # The exception and panic lines say what went wrong: keep them in the excerpt
            # even when later lines (registers, not-run reports) pushed them out of the tail.
            early = [l for l in shown[:len(shown) - len(last)] if _KEY_LINE_RE.match(l)]
            if last and early:
                last = early[-2:] + ["..."] + last
            if last:
                lines.append("last serial lines (boot %s, token %s):" % (boot.label, boot.token))
                lines += ["  | " + line for line in last]
            elif self.tail:
                lines.append("boot %s printed nothing on the serial port." % boot.label)
            lines.append("logs: %s/ (serial.log, qemu.log%s)" % (
                relative(boot.log_dir), ", screen.png" if boot.has_screen else ""))
        return "\n".join(lines)


def fail(message, boot=None, detail=None):
    """Raise GradeFailure; a short spelling for checks in test files."""
    raise GradeFailure(message, boot=boot, detail=detail)
