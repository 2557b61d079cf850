"""The grader's settings for one pytest session, gathered from command-line options.

grade/grade.mk passes everything the grader needs as pytest options (grade/conftest.py defines
them, each with an environment-variable fallback so pytest can also be run by hand): the build
directory holding kernel.elf, the LAB the kernel was built for, which labs or tests to grade, the
timeout scale and QEMUEXTRA. GradeConfig holds them, resolved to absolute paths, and is what the
rest of gradelib receives as `settings`.
"""

import os
import shlex
from dataclasses import dataclass, field

from .errors import GradeFailure
from .symbols import Symbols


@dataclass
class GradeConfig:
    """Settings shared by every test of a session (and by every xdist worker)."""
    repo: str                       # the repository root (labs/, kernel/ ...)
    build_dir: str = None           # build/<cc>-lab<N>-<sol>/ with kernel.elf
    lab: int = None                 # the LAB the kernel was built for: grade labs 1..lab
    only_lab: int = None            # grade this lab alone
    sol: str = ""                   # SOL the build used, for the report header
    test_filter: str = None         # T=: grade the tests whose ids match
    timeout_scale: float = 1.0
    qemu_extra: list = field(default_factory=list)
    out_dir: str = None             # results.json, junit.xml and boots/ go here
    strict: bool = False
    pristine: str = None            # the sha256sum file of the handed-out tree
    selftest: bool = False          # running the grader's own tests, not grading
    worker: str = ""                # pytest-xdist worker id ("gw0"), or "" without xdist
    _symbols: object = None

    @classmethod
    def from_pytest(cls, config):
        """Build the settings from a pytest config (options defined in grade/conftest.py)."""
        opt = config.getoption
        repo = os.path.abspath(opt("--repo"))
        build_dir = opt("--build-dir")
        build_dir = os.path.abspath(build_dir) if build_dir else None
        out_dir = opt("--results-dir") or (os.path.join(build_dir, "grade") if build_dir
                                           else os.path.join(repo, "build", "grade"))
        return cls(
            repo=repo, build_dir=build_dir,
            lab=opt("--lab"), only_lab=opt("--only-lab"), sol=opt("--sol") or "",
            test_filter=opt("--tests") or None,
            timeout_scale=float(opt("--timeout-scale")),
            qemu_extra=shlex.split(opt("--qemu-extra") or ""),
            out_dir=os.path.abspath(out_dir), strict=bool(opt("--strict-pristine")),
            pristine=os.path.abspath(opt("--pristine") or
                                     os.path.join(repo, "labs", "pristine.sums")),
            selftest=bool(opt("--selftest")),
            worker=os.environ.get("PYTEST_XDIST_WORKER", ""))

    @property
    def kernel_elf(self):
        return os.path.join(self.build_dir, "kernel.elf") if self.build_dir else None

    @property
    def symbols(self):
        """The kernel's Symbols (None without a build directory)."""
        if self._symbols is None and self.build_dir:
            self._symbols = Symbols(self.kernel_elf, source_root=self.repo)
        return self._symbols

    def require_kernel(self):
        """Raise GradeFailure unless the build directory holds a kernel ELF."""
        if not self.build_dir:
            raise GradeFailure("no build directory: run the grader through `make grade`, or "
                               "pass --build-dir=build/<cc>-lab<N>-<sol>.")
        if not os.path.isfile(self.kernel_elf):
            raise GradeFailure("%s does not exist: build it first with `make iso`." %
                               self.kernel_elf)
