"""gradelib: the library behind the lab tests in grade/test_lab*.py.

Test files import what they need from here:

  points(n), lab(n)      markers that give a test its points and its lab (grade/conftest.py
                         derives the stable id lab<N>.<function name without test_>);
  KernelGroup            in-kernel tests that share one boot (kernel.py);
  GradeFailure, fail     how a check fails with a readable reason (errors.py);
  oracles                facts read from the machine through QEMU: memory, VGA, CPU state,
                         address translation, keyboard (oracles.py);
  test_rng               the random stream a given in-kernel test draws from (rng.py).

The session fixtures `kernel` (a kernel.Kernel that boots and caches) and `settings` (the
config.GradeConfig) come from grade/conftest.py.
"""

import pytest

from . import oracles
from .errors import GradeFailure, fail
from .kernel import KernelGroup
from .rng import test_rng

points = pytest.mark.points
lab = pytest.mark.lab

__all__ = ["points", "lab", "KernelGroup", "GradeFailure", "fail", "oracles", "test_rng"]
