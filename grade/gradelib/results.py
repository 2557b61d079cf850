"""Scores: the per-test lines, lab subtotals, the score line, and the results files.

The conftest turns each finished pytest test into a Result (stable id such as lab1.memmove, title,
lab, points, pass or fail, seconds, failure text, boots made). This module formats them for the
terminal and writes them for machines, always keyed by the stable id, never by the title:

  results.json   Gradescope's autograder format: top-level score, execution_time and output,
                 and one entry per test with id/number, name (the title), score, max_score,
                 status, output and visibility;
  junit.xml      JUnit XML, one <testsuite> per lab and one <testcase name="lab1.memmove"> per
                 test, with the points as properties, for CI systems.
"""

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass


@dataclass
class Result:
    """One graded test as it finished."""
    id: str
    title: str
    lab: int
    points: int
    passed: bool
    seconds: float
    message: str = ""
    boots: int = 0

    @property
    def score(self):
        return self.points if self.passed else 0


def format_line(result, width=24):
    """Return (text before status, status, text after) for a test's one-line report."""
    status = "OK" if result.passed else "FAIL"
    head = "%-*s " % (width, result.id)
    tail = " %3d/%-3d %6.2f s  %s" % (result.score, result.points, result.seconds, result.title)
    return head, status, tail


def indent_failure(message, prefix="    "):
    """Return a failure message indented under its test line."""
    return [prefix + line for line in message.rstrip().splitlines()]


def lab_totals(results):
    """Return {lab: (score, max)} over results, in lab order."""
    totals = {}
    for r in sorted(results, key=lambda r: r.lab):
        score, top = totals.get(r.lab, (0, 0))
        totals[r.lab] = (score + r.score, top + r.points)
    return totals


def score_line(results, boots, seconds):
    """Return the total line, for example "Score: 100/100 (7 boots, 4.1 s)"."""
    score = sum(r.score for r in results)
    top = sum(r.points for r in results)
    return "Score: %d/%d (%d boot%s, %.1f s)" % (score, top, boots, "" if boots == 1 else "s",
                                                seconds)


def write_gradescope(path, results, seconds, summary):
    """Write Gradescope's results.json."""
    tests = []
    for r in sorted(results, key=lambda r: (r.lab, r.id)):
        tests.append({
            "id": r.id,
            "number": r.id,
            "name": r.title,
            "score": r.score,
            "max_score": r.points,
            "status": "passed" if r.passed else "failed",
            "output": r.message,
            "visibility": "visible",
            "tags": ["lab%d" % r.lab],
            "extra_data": {"lab": r.lab, "seconds": round(r.seconds, 3), "boots": r.boots},
        })
    document = {
        "score": sum(r.score for r in results),
        "execution_time": round(seconds, 3),
        "output": summary,
        "visibility": "visible",
        "stdout_visibility": "visible",
        "tests": tests,
    }
    _write_atomically(path, json.dumps(document, indent=2) + "\n")


def write_junit(path, results, seconds):
    """Write JUnit XML: one suite per lab, test cases named by stable id."""
    root = ET.Element("testsuites", name="grade", tests=str(len(results)),
                      failures=str(sum(not r.passed for r in results)), time="%.3f" % seconds)
    for lab, (score, top) in lab_totals(results).items():
        members = sorted((r for r in results if r.lab == lab), key=lambda r: r.id)
        suite = ET.SubElement(root, "testsuite", name="lab%d" % lab, tests=str(len(members)),
                              failures=str(sum(not r.passed for r in members)), errors="0",
                              skipped="0", time="%.3f" % sum(r.seconds for r in members))
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="score", value=str(score))
        ET.SubElement(props, "property", name="max_score", value=str(top))
        for r in members:
            case = ET.SubElement(suite, "testcase", classname="lab%d" % lab, name=r.id,
                                 time="%.3f" % r.seconds)
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="title", value=r.title)
            ET.SubElement(props, "property", name="score", value=str(r.score))
            ET.SubElement(props, "property", name="max_score", value=str(r.points))
            if not r.passed:
                failure = ET.SubElement(case, "failure",
                                        message=(r.message.splitlines() or ["failed"])[0])
                failure.text = r.message
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tmp = path + ".tmp"
    tree.write(tmp, encoding="utf-8", xml_declaration=True)
    os.replace(tmp, path)


def _write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
