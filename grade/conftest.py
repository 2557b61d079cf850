"""pytest glue for the grader: options, points, test selection, and the score report.

`make grade` runs pytest on grade/test_lab*.py with options saying which kernel build to boot and
which labs to grade (grade/grade.mk; the same options can be given by hand, see grade/README.md).
This file:

  * defines those options and builds the session's GradeConfig from them;
  * gives every graded test its stable id (lab1.memmove: the lab and the function name), title
    (the docstring's first line), lab and points, and checks that each lab's points add up to
    exactly 100; a lab that does not fails every one of its tests with the reason;
  * selects the tests to run: labs 1..LAB, or one lab, and the T= filter on stable ids;
  * provides the session fixtures `settings` and `kernel`;
  * replaces pytest's progress output with one line per finished test, lab subtotals and a
    score line, writes results.json and junit.xml, and warns when files differ from
    labs/pristine.sums.

With pytest-xdist (-n auto) the tests run in worker processes: everything a report needs travels
from the workers in the report's user_properties, and only the controlling process prints and
writes files. In --selftest mode (the grader's own tests in grade/selftest/) the grading
machinery stays out of the way and pytest reports as usual.
"""

import fnmatch
import os
import re
import shutil
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gradelib import pristine, results  # noqa: E402
from gradelib.config import GradeConfig  # noqa: E402
from gradelib.errors import GradeFailure, relative  # noqa: E402
from gradelib.kernel import Kernel  # noqa: E402
from gradelib.manifest import lab_info, lab_numbers  # noqa: E402
from gradelib.qemu import kill_all  # noqa: E402

LAB_TOTAL = 100
STUB_PANIC_RE = re.compile(r"\blab (\d+): [^\n()]*not implemented")
GRADE_KEY = "grade"         # user_properties key of a test's id, title, lab and points
BOOTS_KEY = "boots"         # user_properties key of the boots made during one test phase


def _env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int_env(name):
    value = _env(name)
    return int(value) if value and value.isdigit() else None


def pytest_addoption(parser):
    group = parser.getgroup("grade", "kernel grader")
    add = group.addoption
    add("--repo", default=_env("GRADE_REPO", os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), help="repository root (default: the parent of grade/)")
    add("--build-dir", default=_env("GRADE_BUILD_DIR"),
        help="build directory with kernel.elf and kernel.sym (env GRADE_BUILD_DIR)")
    add("--lab", type=int, default=_int_env("LAB"),
        help="the LAB the kernel was built for: grade labs 1..LAB (env LAB)")
    add("--only-lab", type=int, default=None, help="grade this lab only")
    add("--sol", default=_env("SOL", ""), help="the SOL the build used, for the report")
    add("--tests", default=_env("GRADE_TESTS"), metavar="PATTERN",
        help="grade only tests whose stable id matches: a glob (lab1.mem*) or a substring")
    add("--timeout-scale", default=_env("GRADE_TIMEOUT_SCALE", "1"),
        help="multiply every time limit by this factor (env GRADE_TIMEOUT_SCALE)")
    add("--qemu-extra", default=_env("QEMUEXTRA", ""),
        help="options appended to every QEMU command (env QEMUEXTRA)")
    add("--results-dir", default=_env("GRADE_RESULTS"),
        help="where results.json, junit.xml and boot logs go (default: <build dir>/grade)")
    add("--strict-pristine", action="store_true", default=_env("STRICT", "0") not in ("0", ""),
        help="refuse to grade when files differ from labs/pristine.sums (env STRICT=1)")
    add("--pristine", default=_env("GRADE_PRISTINE"),
        help="sha256sum file of the handed-out tree (default: labs/pristine.sums)")
    add("--selftest", action="store_true", default=False,
        help="run the grader's own tests: plain pytest output, no score")


def _is_controller(config):
    return not hasattr(config, "workerinput")


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): the points a graded test is worth")
    config.addinivalue_line("markers", "lab(n): the lab a graded test belongs to")
    config.addinivalue_line("markers", "test_id(id): override a graded test's stable id")
    config.addinivalue_line("markers", "xdist_group(name): keep tests on one xdist worker")
    settings = GradeConfig.from_pytest(config)
    config._grade_settings = settings
    if not _is_controller(config):
        return
    # Logs of an earlier run would only confuse: start from an empty boots/ directory.
    shutil.rmtree(os.path.join(settings.out_dir, "boots"), ignore_errors=True)
    if settings.selftest:
        return
    reporter = GradeReporter(config, settings)
    config.pluginmanager.register(reporter, "grade-reporter")
    _quiet_xdist(config)
    reporter.start()


def _quiet_xdist(config):
    """Keep pytest-xdist's "bringing up nodes..." status lines (one per worker when the output
    is not a terminal) out of the grade report: one line per test is the whole report."""
    dist = config.pluginmanager.getplugin("terminaldistreporter")
    if dist is not None:
        config.pluginmanager.unregister(dist)
        dist.ensure_show_status = dist.rewrite = lambda *args, **kwargs: None


# ---- Collection: ids, points, selection. ----

SELFTEST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "selftest")


def pytest_ignore_collect(collection_path, config):
    """Keep grading and self-testing apart: each mode collects only its own test files."""
    inside = str(collection_path).startswith(SELFTEST_DIR)
    if config._grade_settings.selftest:
        return None if inside or collection_path.is_dir() else True
    return True if inside else None


def _grade_info(item):
    """Return the graded test's metadata dict, or None for a test without a lab marker."""
    lab_mark = item.get_closest_marker("lab")
    if lab_mark is None:
        return None
    lab = int(lab_mark.args[0])
    points_mark = item.get_closest_marker("points")
    id_mark = item.get_closest_marker("test_id")
    name = item.originalname if hasattr(item, "originalname") else item.name
    test_id = id_mark.args[0] if id_mark else "lab%d.%s" % (lab, name[5:] if
                                                           name.startswith("test_") else name)
    doc = (getattr(item, "obj", None).__doc__ or "").strip().splitlines()
    return {"id": test_id, "title": doc[0].rstrip(".") if doc else test_id, "lab": lab,
            "points": int(points_mark.args[0]) if points_mark else None}


def _check_points(items):
    """Return {lab: problem text} for labs whose points do not add up, and mark bad tests."""
    problems = {}
    totals = {}
    seen = {}
    for item in items:
        info = item._grade_info
        if info["points"] is None:
            item._grade_error = "%s has no @points(n) marker." % info["id"]
            continue
        totals[info["lab"]] = totals.get(info["lab"], 0) + info["points"]
        if info["id"] in seen:
            item._grade_error = seen[info["id"]]._grade_error = \
                "two graded tests share the stable id %s." % info["id"]
        seen[info["id"]] = item
    for lab, total in totals.items():
        if total != LAB_TOTAL:
            problems[lab] = ("the points of lab %d add up to %d, not %d: fix the @points "
                             "markers in grade/test_lab%d.py." % (lab, total, LAB_TOTAL, lab))
    return problems


def _selected(info, settings):
    """True if a graded test with this metadata is to run in this session."""
    if settings.only_lab is not None and info["lab"] != settings.only_lab:
        return False
    if settings.lab is not None and info["lab"] > settings.lab:
        return False
    pattern = settings.test_filter
    if pattern:
        if any(c in pattern for c in "*?["):
            return fnmatch.fnmatchcase(info["id"], pattern)
        return pattern in info["id"]
    return True


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    settings = config._grade_settings
    if settings.selftest:
        return
    graded = []
    for item in items:
        item._grade_error = None
        info = _grade_info(item)
        if info is None:
            item._grade_error = ("%s has no @lab(n) marker; every test in grade/test_lab*.py "
                                 "needs @lab and @points." % item.nodeid)
            info = {"id": item.name, "title": item.name, "lab": 0, "points": 0}
        item._grade_info = info
        graded.append(item)
    problems = _check_points([i for i in graded if i._grade_info["lab"]])
    keep, drop = [], []
    for item in graded:
        info = item._grade_info
        if info["lab"] in problems and item._grade_error is None:
            item._grade_error = problems[info["lab"]]
        if info["points"] is None:
            info["points"] = 0
        item.user_properties.append((GRADE_KEY, dict(info)))
        (keep if _selected(info, settings) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_runtest_setup(item):
    error = getattr(item, "_grade_error", None)
    if error:
        raise GradeFailure("grader configuration error: " + error)


# ---- Fixtures. ----

@pytest.fixture(scope="session")
def settings(pytestconfig):
    """The session's gradelib.config.GradeConfig."""
    return pytestconfig._grade_settings


@pytest.fixture(scope="session")
def kernel(settings):
    """A gradelib.kernel.Kernel that boots the build's kernel and caches group results."""
    k = Kernel(settings)
    yield k
    kill_all()
    k.close()


# ---- Reports: GradeFailure as plain text, boots counted per test phase. ----

_boots_reported = [0]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(GradeFailure):
        report.longrepr = str(call.excinfo.value)
    made = Kernel.boots_made - _boots_reported[0]
    _boots_reported[0] = Kernel.boots_made
    if made:
        report.user_properties.append((BOOTS_KEY, made))


class GradeReporter:
    """The controlling process's reporter: test lines, subtotals, score line, result files."""

    def __init__(self, config, settings):
        self.config = config
        self.settings = settings
        self.started = time.monotonic()
        self.results = []
        self.pending = {}       # nodeid -> [phase reports] until the teardown report arrives
        self.boots = 0
        self.refused = None

    @property
    def tr(self):
        return self.config.pluginmanager.getplugin("terminalreporter")

    def _say(self, text="", **markup):
        tr = self.tr
        if tr is not None:
            tr.write_line(text, **markup)
        else:
            print(text)

    def start(self):
        """Remove old result files, print the header, and run the pristine check."""
        s = self.settings
        for name in ("results.json", "junit.xml"):
            try:
                os.unlink(os.path.join(s.out_dir, name))
            except OSError:
                pass
        if s.only_lab is not None:
            which = "lab %d" % s.only_lab
        elif s.lab is not None:
            which = "labs 1-%d" % s.lab if s.lab > 1 else "lab 1"
        else:
            which = "all labs"
        build = relative(s.build_dir) if s.build_dir else "(no build directory)"
        header = "grade: %s with kernel %s" % (which, build)
        extras = []
        if s.sol:
            extras.append("SOL=%s" % s.sol)
        if s.test_filter:
            extras.append("T=%s" % s.test_filter)
        if s.timeout_scale != 1:
            extras.append("TIMEOUT_SCALE=%g" % s.timeout_scale)
        if s.qemu_extra:
            extras.append("QEMUEXTRA=%s" % " ".join(s.qemu_extra))
        self._say(header + (" (%s)" % ", ".join(extras) if extras else ""), bold=True)
        self._check_pristine()

    def _check_pristine(self):
        s = self.settings
        try:
            problems = pristine.check(s.repo, s.pristine)
        except FileNotFoundError:
            problems = None
        if problems == []:
            return
        if problems is None:
            lines = ["%s is missing: cannot check that files outside the exercises are "
                     "unmodified." % relative(s.pristine)]
        else:
            lines = ["%d file%s outside the exercise files %s from %s:" % (
                len(problems), "" if len(problems) == 1 else "s",
                "differs" if len(problems) == 1 else "differ", relative(s.pristine))]
            lines += ["  " + p for p in problems[:12]]
            if len(problems) > 12:
                lines.append("  ... and %d more" % (len(problems) - 12))
        if s.strict:
            lines.append("STRICT=1: refusing to grade a modified tree.")
            for line in lines:
                self._say("error: " + line, red=True, bold=True)
            pytest.exit("the tree differs from %s (STRICT=1)" % relative(s.pristine),
                        returncode=1)
        for line in lines:
            self._say("warning: " + line, yellow=True)
        self._say("warning: the grade may not match an official run on a pristine tree.",
                  yellow=True)

    # Silence pytest's own per-test letters; this reporter prints its own lines.
    def pytest_report_teststatus(self, report, config):
        if report.when == "call" or report.failed:
            return ("error" if report.failed and report.when != "call" else report.outcome,
                    "", "")
        return ("", "", "")

    def pytest_runtest_logreport(self, report):
        props = dict((k, v) for k, v in report.user_properties if k != BOOTS_KEY)
        self.boots += sum(v for k, v in report.user_properties if k == BOOTS_KEY)
        if GRADE_KEY not in props:
            return
        phases = self.pending.setdefault(report.nodeid, [])
        phases.append(report)
        if report.when != "teardown":
            return
        del self.pending[report.nodeid]
        info = props[GRADE_KEY]
        failed = [r for r in phases if r.failed]
        message = "\n".join(str(r.longrepr) for r in failed if r.longrepr)
        result = results.Result(
            id=info["id"], title=info["title"], lab=info["lab"], points=info["points"],
            passed=not failed and any(r.when == "call" and r.passed for r in phases),
            seconds=sum(r.duration for r in phases), message=message,
            boots=sum(v for r in phases for k, v in r.user_properties if k == BOOTS_KEY))
        if not failed and not result.passed:
            result.message = "the test was skipped, which counts as a failure."
        self.results.append(result)
        self._print_result(result)

    def _print_result(self, result):
        tr = self.tr
        head, status, tail = results.format_line(result)
        if tr is None:
            print(head + status + tail)
        else:
            tr.ensure_newline()
            tr.write(head)
            tr.write("%-4s" % status, green=result.passed, red=not result.passed, bold=True)
            tr.write_line(tail)
        if not result.passed:
            for line in results.indent_failure(result.message):
                self._say(line)

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config):
        if not self.results:
            return
        seconds = time.monotonic() - self.started
        tr = terminalreporter
        totals = results.lab_totals(self.results)
        for lab in sorted(set(totals) | set(self._labs_in_range())):
            name = lab_info(self.settings.repo, lab)["name"]
            title = "lab%d%s" % (lab, " (%s)" % name if name else "")
            if lab in totals:
                tr.write_line("%s: %d/%d" % ((title,) + totals[lab]))
            else:
                tr.write_line("%s: no graded tests (grade/test_lab%d.py is missing)" % (title, lab),
                              yellow=True)
        line = results.score_line(self.results, self.boots, seconds)
        full = all(r.passed for r in self.results)
        tr.write_line(line, bold=True, green=full, red=not full)
        hint = self._stub_hint()
        if hint:
            tr.write_line(hint, yellow=True)
        os.makedirs(self.settings.out_dir, exist_ok=True)
        json_path = os.path.join(self.settings.out_dir, "results.json")
        junit_path = os.path.join(self.settings.out_dir, "junit.xml")
        results.write_gradescope(json_path, self.results, seconds, line)
        results.write_junit(junit_path, self.results, seconds)
        tr.write_line("results: %s and %s; boot logs in %s/" % (
            relative(json_path), relative(junit_path),
            relative(os.path.join(self.settings.out_dir, "boots"))))

    def _stub_hint(self):
        """One line suggesting SOL=prev when an earlier lab's stub panicked, or None."""
        lab = self.settings.lab
        if lab is None or self.settings.sol in ("1", "prev"):
            return None
        stubs = set()
        for r in self.results:
            for m in STUB_PANIC_RE.finditer(r.message or ""):
                if int(m.group(1)) < lab:
                    stubs.add(int(m.group(1)))
        if not stubs:
            return None
        labs = " and ".join("lab %d" % n for n in sorted(stubs))
        earlier = "lab 1" if lab == 2 else "labs 1-%d" % (lab - 1)
        return ("hint: %s %s not done (%s stubs panicked); to work on lab %d with the reference "
                "solutions for %s, run: make lab-%d SOL=prev (or make grade SOL=prev)" % (
                    labs, "is" if len(stubs) == 1 else "are", "its" if len(stubs) == 1 else
                    "their", lab, earlier, lab))

    def _labs_in_range(self):
        """The labs this session grades that have a manifest (none when T= filters tests)."""
        s = self.settings
        if s.test_filter:
            return []
        if s.only_lab is not None:
            wanted = [s.only_lab]
        elif s.lab is not None:
            wanted = range(1, s.lab + 1)
        else:
            return []
        return [n for n in wanted if n in lab_numbers(s.repo)]

    def pytest_sessionfinish(self, session, exitstatus):
        if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            s = self.settings
            why = []
            if s.test_filter:
                why.append("T=%s" % s.test_filter)
            if s.only_lab is not None:
                why.append("lab %d" % s.only_lab)
            elif s.lab is not None:
                why.append("labs up to %d" % s.lab)
            self._say("grade: no graded test matches %s: nothing was graded." %
                      (" and ".join(why) or "the selection"), red=True, bold=True)
