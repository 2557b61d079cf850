"""The pages make grade-class writes besides the gradebook: summary.html, and JUnit XML for a
submission the grader wrote none for (it did not build, or ran out of time).

summary.html is one self-contained page: inline CSS, no script, nothing fetched, so it opens from
file:// and can be mailed. It shows the class size and mean, a histogram of the totals (ten bins
of a tenth of the maximum each, full marks in the last), one bar per test (how many students
passed it and the average points earned), the failing tests ranked by how many students failed
them, and the students with their totals and warnings. Bars are plain <div>s with a width.
"""

import html as _html
import xml.etree.ElementTree as ET

CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; max-width: 70em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: left;
  vertical-align: top; border-bottom: 1px solid #eee; }
th { background: #f4f4f4; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bar { background: #e8e8e8; width: 20em; height: 1em; position: relative; }
.bar div { background: #4a7fb5; height: 100%; }
.bar.bad div { background: #c0504d; }
.hist { display: flex; align-items: flex-end; height: 10em; gap: 4px; }
.hist div { width: 3.5em; background: #4a7fb5; text-align: center; color: #fff; font-size: .8em; }
.hist span { display: block; }
.axis { display: flex; gap: 4px; } .axis span { width: 3.5em; text-align: center; font-size: .8em; }
.warn { color: #8a4b00; font-size: .9em; }
"""


def _e(text):
    return _html.escape(str(text), quote=True)


def _bar(fraction, bad=False):
    pct = max(0.0, min(1.0, fraction)) * 100
    return '<div class="bar%s"><div style="width:%.1f%%"></div></div>' % (
        " bad" if bad else "", pct)


def histogram(totals, full, bins=10):
    """Return the count of totals per bin: bin i holds [i, i+1) tenths of full; full marks last."""
    counts = [0] * bins
    for t in totals:
        i = int(t * bins / full) if full else 0
        counts[min(max(i, 0), bins - 1)] += 1
    return counts


def failing_ranked(rows, known):
    """[(test id, students failing it)] for tests some student failed, most failed first."""
    fails = {}
    for tid in known:
        n = sum(1 for r in rows if r["tests"].get(tid, {}).get("status") != "passed")
        if n:
            fails[tid] = n
    return sorted(fails.items(), key=lambda kv: (-kv[1], kv[0]))


def html(rows, known, lab, seconds):
    """Return summary.html for the graded rows (dicts from grade_class.grade_one)."""
    n = len(rows)
    full = rows[0]["max"] if rows else 100 * lab
    totals = [r["total"] for r in rows]
    mean = sum(totals) / n if n else 0
    out = ['<!DOCTYPE html><html><head><meta charset="utf-8">',
           "<title>Lab %d: class summary</title><style>%s</style></head><body>" % (lab, CSS),
           "<h1>Lab %d: class summary%s</h1>" % (
               lab, "" if lab == 1 else " (labs 1-%d graded)" % lab),
           "<p>%d students; mean %.1f / %d; %d with full marks, %d with 0; graded in %.0f s.</p>"
           % (n, mean, full, totals.count(full), totals.count(0), seconds)]

    counts = histogram(totals, full)
    top = max(counts) or 1
    out.append("<h2>Score distribution</h2><div class=\"hist\">")
    for c in counts:
        out.append('<div style="height:%.1f%%" title="%d"><span>%s</span></div>'
                   % (max(c / top * 100, 0.5), c, c or ""))
    out.append('</div><div class="axis">')
    for i in range(len(counts)):
        lo, hi = full * i / len(counts), full * (i + 1) / len(counts)
        out.append("<span>%g&ndash;%g</span>" % (round(lo), round(hi)))
    out.append("</div>")

    out.append("<h2>Tests</h2><table><tr><th>test</th><th>points</th><th>passed</th><th></th>"
               "<th>average</th><th></th></tr>")
    for tid, info in known.items():
        passed = sum(1 for r in rows if r["tests"].get(tid, {}).get("status") == "passed")
        avg = sum(r["tests"].get(tid, {}).get("score", 0) for r in rows) / n if n else 0
        mx = info["max_score"]
        out.append('<tr><td title="%s">%s</td><td class="n">%s</td><td class="n">%d/%d</td>'
                   "<td>%s</td><td class=\"n\">%.1f</td><td>%s</td></tr>" % (
                       _e(info["name"]), _e(tid), mx, passed, n, _bar(passed / n if n else 0),
                       avg, _bar(avg / mx) if mx else ""))
    out.append("</table>")

    ranked = failing_ranked(rows, known)
    out.append("<h2>Failing tests, most failed first</h2>")
    if ranked:
        out.append("<table><tr><th>test</th><th>failed by</th><th></th><th>title</th></tr>")
        for tid, k in ranked:
            out.append('<tr><td>%s</td><td class="n">%d/%d</td><td>%s</td><td>%s</td></tr>' % (
                _e(tid), k, n, _bar(k / n, bad=True), _e(known[tid]["name"])))
        out.append("</table>")
    else:
        out.append("<p>Every student passed every test.</p>")

    out.append("<h2>Students</h2><table><tr><th>student</th><th>total</th><th>boots</th>"
               "<th>seconds</th><th>warnings</th></tr>")
    for r in rows:
        warn = "<br>".join(_e(w) for w in r["warnings"])
        out.append('<tr><td>%s</td><td class="n">%s/%s</td><td class="n">%s</td>'
                   '<td class="n">%s</td><td class="warn">%s</td></tr>' % (
                       _e(r["student"]), r["total"], r["max"], r["boots"], r["seconds"], warn))
    out.append("</table></body></html>\n")
    return "\n".join(out)


def failed_junit(student, message, known, lab):
    """Return JUnit XML with every known test failed with message (one `build` case if none)."""
    suites = ET.Element("testsuites", name="grade", tests=str(len(known) or 1),
                        failures=str(len(known) or 1), time="0")
    by_lab = {}
    for tid, info in known.items():
        by_lab.setdefault(info["lab"], []).append((tid, info))
    if not by_lab:
        by_lab[lab] = [("lab%d.build" % lab, {"name": "the kernel builds", "max_score": 0})]
    for n, tests in sorted(by_lab.items()):
        suite = ET.SubElement(suites, "testsuite", name="lab%d" % n, tests=str(len(tests)),
                              failures=str(len(tests)), errors="0", skipped="0", time="0")
        for tid, info in tests:
            case = ET.SubElement(suite, "testcase", classname="lab%d" % n, name=tid, time="0")
            props = ET.SubElement(case, "properties")
            for key, value in (("title", info["name"]), ("score", 0),
                               ("max_score", info["max_score"])):
                ET.SubElement(props, "property", name=key, value=str(value))
            ET.SubElement(case, "failure", message=message).text = message
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
