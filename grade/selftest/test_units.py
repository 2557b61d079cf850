"""Unit tests of the grader's parsers, encoders and checks, without booting anything.

These pin down the pieces every verdict rests on: the random streams must match the kernel's bit
for bit, only lines with the boot's token may count, panics and `info registers` output must parse,
the PNG writer must produce a valid image, the pristine check must notice a changed file, and the
conftest must refuse a lab whose points do not add up to 100 and say so when a filter selects
nothing. Run them with `make grade-selftest`.
"""

import os
import re
import struct
import subprocess
import sys
import textwrap
import zlib

from gradelib import oracles, png, pristine, protocol, rng, results

GRADE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---- Random streams. ----

def test_splitmix64_known_values():
    # The first outputs of splitmix64 seeded with 0, as published with the algorithm.
    g = rng.SplitMix64(0)
    assert [g.next() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4,
                                            0x06C45D188009454F]


def test_fnv1a64_known_values():
    assert rng.fnv1a64(b"") == 0xCBF29CE484222325
    assert rng.fnv1a64(b"a") == 0xAF63DC4C8601EC8C
    assert rng.fnv1a64("foobar") == 0x85944171F73967E8


def test_test_rng_seed():
    token = 0x0123456789ABCDEF
    g = rng.test_rng("%016x" % token, "lab1.vga_hello")
    assert g.state == token ^ rng.fnv1a64("lab1.vga_hello")


# ---- The serial protocol. ----

TOKEN = "00112233445566aa"
SERIAL = """\
lab1 (freestanding) booted: 126 MiB usable, bootloader "GRUB 2.06"
ktest 00112233445566aa begin 3
ktest 00112233445566aa start lab1.memset
ktest 00112233445566aa value lab1.memset digest 0123456789abcdef
ktest 00112233445566aa pass lab1.memset
ktest 00112233445566aa start lab1.memcpy
ktest ffffffffffffffff pass lab1.memcpy
ktest pass lab1.memcpy
ktest 00112233445566aa fail lab1.memcpy byte 3 is 0x00, expected 0x41
ktest 00112233445566aa start lab1.memmove
half a line PANIC: lab 1: memmove not implemented
  at kernel/lib/string.c:27 in memmove
backtrace:
  #0 0xffffffff8010e928
  #1 0xffffffff8010dfe5
ktest 00112233445566aa fail lab1.memmove panic: lab 1: memmove not implemented
ktest 00112233445566aa fail lab1.strlen not run: the kernel panicked before it (x)
ktest 00112233445566aa end 1 3
"""


def test_parse_serial_counts_only_this_token():
    log = protocol.parse_serial(SERIAL, TOKEN)
    assert log.banner.lab == 1 and log.banner.name == "freestanding" and log.banner.mib == 126
    assert log.banner.loader == "GRUB 2.06"
    assert log.begin == 3 and log.end == (1, 3)
    assert log.record("lab1.memset").status == protocol.PASS
    assert log.record("lab1.memset").values == {"digest": "0123456789abcdef"}
    memcpy = log.record("lab1.memcpy")
    assert memcpy.status == protocol.FAIL and memcpy.reason == "byte 3 is 0x00, expected 0x41"
    assert len(log.foreign) == 2
    assert log.record("lab1.strlen").status == protocol.NOT_RUN
    assert log.record("lab1.nothing").status == protocol.ABSENT


def test_forged_lines_earn_nothing():
    forged = "ktest 1111111111111111 pass lab1.memset\nktest  pass lab1.memset\n"
    log = protocol.parse_serial(forged, TOKEN)
    assert log.record("lab1.memset").status == protocol.ABSENT
    assert len(log.foreign) == 2


def _forgery(*lines):
    """Parse ktest lines (verb and rest) of this token, after a banner and a begin line."""
    text = "".join("ktest %s %s\n" % (TOKEN, line) for line in ("begin 2",) + lines)
    return protocol.parse_serial(text, TOKEN)


def test_pass_printed_by_the_test_itself_is_caught():
    # A stub that prints its own pass, then fails (the runner's verdict) or panics.
    log = _forgery("start lab1.memset", "pass lab1.memset", "fail lab1.memset wrong byte")
    record = log.record("lab1.memset")
    assert record.status == protocol.FAIL and record.forged == "fail lab1.memset wrong byte"
    assert "forged result" in record.reason and "a fail after its pass" in record.reason
    log = _forgery("start lab1.memset", "pass lab1.memset",
                   "fail lab1.memset panic: lab 1: memset not implemented", "end 0 1")
    assert log.record("lab1.memset").status == protocol.FAIL


def test_verdicts_outside_a_run_are_forged():
    # A pass for a test that is not running, ahead of its start: the start cannot clear it.
    log = _forgery("start lab1.memset", "pass lab1.memcpy", "pass lab1.memset",
                   "start lab1.memcpy", "pass lab1.memcpy", "end 2 0")
    assert log.record("lab1.memset").status == protocol.PASS
    memcpy = log.record("lab1.memcpy")
    assert memcpy.status == protocol.FAIL and "while it was not running" in memcpy.reason
    # A value for another test, a second start, a pass after a fail, `not run` for a started test.
    log = _forgery("start lab1.memset", "value lab1.memcpy digest 0123456789abcdef",
                   "pass lab1.memset", "start lab1.memset", "pass lab1.memset")
    assert log.record("lab1.memcpy").status == protocol.FAIL
    assert log.record("lab1.memcpy").values == {}
    assert "second time" in log.record("lab1.memset").reason
    log = _forgery("start lab1.strlen", "fail lab1.strlen 3 != 4", "pass lab1.strlen")
    assert "a pass after its fail" in log.record("lab1.strlen").reason
    log = _forgery("start lab1.strlen", "fail lab1.strlen not run: x")
    assert log.record("lab1.strlen").forged


def test_the_runners_own_order_is_accepted():
    # Values while running, one fail then the next test, not-run lines after a panic.
    log = _forgery("start lab1.memset", "value lab1.memset digest 0123456789abcdef",
                   "pass lab1.memset", "start lab1.memcpy", "fail lab1.memcpy byte 3",
                   "start lab1.memmove", "fail lab1.memmove panic: x",
                   "fail lab1.strlen not run: the kernel panicked before it (x)", "end 1 3")
    assert [r.forged for r in log.tests.values()] == ["", "", "", ""]
    assert log.record("lab1.memset").status == protocol.PASS
    assert log.record("lab1.memset").values == {"digest": "0123456789abcdef"}
    assert log.record("lab1.memcpy").status == protocol.FAIL
    assert log.record("lab1.strlen").status == protocol.NOT_RUN


def test_parse_panic():
    log = protocol.parse_serial(SERIAL, TOKEN)
    panic = log.panic
    assert panic.message == "lab 1: memmove not implemented"
    assert (panic.file, panic.line, panic.function) == ("kernel/lib/string.c", 27, "memmove")
    assert panic.frames == [0xFFFFFFFF8010E928, 0xFFFFFFFF8010DFE5]
    assert panic.test == "lab1.memmove"


def test_started_test_without_verdict():
    log = protocol.parse_serial("ktest %s begin 1\nktest %s start selftest.loop\n" %
                                (TOKEN, TOKEN), TOKEN)
    assert log.record("selftest.loop").status == protocol.STARTED
    assert log.current == "selftest.loop"


# ---- CPU state. ----

REGISTERS_64 = """\
RAX=0000000000000000 RBX=0000000000000001 RCX=0000000000000002 RDX=0000000000000003
RSI=0000000000000000 RDI=0000000000000000 RBP=ffffffff80120ff0 RSP=ffffffff80120fe0
R8 =0000000000000000 R9 =0000000000000000 R10=0000000000000000 R11=0000000000000000
RIP=ffffffff8010c64e RFL=00000046 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1
ES =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]
CS =0008 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]
LDT=0000 0000000000000000 0000ffff 00008200 DPL=0 LDT
TR =0028 ffffffff80110000 00000067 00008900 DPL=0 TSS64-avl
GDT=     ffffffff80110100 0000002f
IDT=     ffffffff80111000 00000fff
CR0=80010011 CR2=0000000000000000 CR3=0000000000102000 CR4=00000020
EFER=0000000000000d00
"""


def test_parse_registers():
    regs = oracles.parse_registers(REGISTERS_64)
    assert regs["RIP"] == 0xFFFFFFFF8010C64E
    assert regs["CR0"] == 0x80010011 and regs["CR3"] == 0x102000 and regs["CR4"] == 0x20
    assert regs["EFER"] == 0xD00 and oracles.long_mode_active(regs)
    assert regs["GDT"] == {"base": 0xFFFFFFFF80110100, "limit": 0x2F}
    assert regs["IDT"]["limit"] == 0xFFF
    assert regs["TR"]["selector"] == 0x28 and regs["TR"]["base"] == 0xFFFFFFFF80110000
    assert regs["CS"]["flags"] == 0x00A09B00


def test_keys_for_characters():
    assert oracles.key_for("a") == ("a", False)
    assert oracles.key_for("Q") == ("q", True)
    assert oracles.key_for("!") == ("1", True)
    assert oracles.key_for(" ") == ("spc", False)
    assert oracles.key_for("\n") == ("ret", False)


def test_vga_text_cells():
    data = bytearray(4000)
    data[2 * (3 * 80 + 5)] = ord("H")
    data[2 * (3 * 80 + 5) + 1] = 0x1F
    screen = oracles.VgaText(bytes(data))
    assert screen.cell(3, 5) == (ord("H"), 0x1F)
    assert screen.text(3)[5] == "H"


# ---- PNG. ----

def _png_chunks(data):
    assert data[:8] == png.PNG_SIGNATURE
    pos, chunks = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def test_ppm_to_png_round_trip():
    pixels = bytes(range(2 * 3 * 3))
    ppm = b"P6\n# a comment\n2 3\n255\n" + pixels
    chunks = _png_chunks(png.ppm_to_png(ppm))
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">II", chunks[0][1][:8]) == (2, 3)
    raw = zlib.decompress(chunks[1][1])
    assert raw == b"".join(b"\x00" + pixels[y * 6:(y + 1) * 6] for y in range(3))


# ---- Pristine check. ----

def test_pristine_check(tmp_path):
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs" / "lab1.mk").write_text("LAB1_EXERCISES := ex.c\n")
    (tmp_path / "given.c").write_text("given\n")
    (tmp_path / "ex.c").write_text("student code\n")
    digest = pristine.file_sha256(str(tmp_path / "given.c"))
    sums = tmp_path / "sums"
    sums.write_text("%s  given.c\n%s  ex.c\n%s  gone.c\n" % (digest, "0" * 64, "0" * 64))
    assert pristine.check(str(tmp_path), str(sums)) == ["missing: gone.c"]
    (tmp_path / "given.c").write_text("changed\n")
    assert "modified: given.c" in pristine.check(str(tmp_path), str(sums))


# ---- Results files. ----

def test_score_line_and_totals():
    rs = [results.Result("lab1.a", "a", 1, 60, True, 0.5),
          results.Result("lab1.b", "b", 1, 40, False, 0.25, "why")]
    assert results.lab_totals(rs) == {1: (60, 100)}
    assert results.score_line(rs, 7, 4.13) == "Score: 60/100 (7 boots, 4.1 s)"


# ---- The conftest's rules, in a pytest run of their own. ----

def _run_grader(tmp_path, test_source, *options):
    """Run pytest with the grader's conftest on one test file; return (status, output)."""
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""\
        # Loads the grader's conftest under another module name and takes over its hooks.
        import importlib.util, sys
        sys.path.insert(0, %r)
        spec = importlib.util.spec_from_file_location("grade_conftest", %r)
        grader = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(grader)
        globals().update({k: v for k, v in vars(grader).items() if not k.startswith("__")})
        """ % (GRADE_DIR, os.path.join(GRADE_DIR, "conftest.py"))))
    (tmp_path / "test_lab9.py").write_text(textwrap.dedent(test_source))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--tb=no",
               "-rN", "-p", "no:xdist", "--rootdir", str(tmp_path), str(tmp_path),
               "--results-dir", str(tmp_path / "out"), "--pristine", str(tmp_path / "none"),
               *options]
    # The variables `make` passes down (LAB=5 from `make grade-selftest LAB=5`) would select
    # labs for this run too: leave them out.
    env = {k: v for k, v in os.environ.items() if k not in (
        "LAB", "SOL", "GRADE_TESTS", "GRADE_BUILD_DIR", "GRADE_RESULTS", "STRICT", "QEMUEXTRA")}
    done = subprocess.run(command, capture_output=True, text=True, cwd=str(tmp_path),
                          env=dict(env, PYTHONDONTWRITEBYTECODE="1"))
    return done.returncode, done.stdout + done.stderr


POINTS_95 = """
    from gradelib import lab, points
    pytestmark = lab(9)

    @points(60)
    def test_first():
        "first"

    @points(35)
    def test_second():
        "second"
"""


def test_points_must_add_up_to_100(tmp_path):
    status, output = _run_grader(tmp_path, POINTS_95)
    assert status == 1
    assert "the points of lab 9 add up to 95, not 100" in output
    assert "lab9.first" in output and "FAIL" in output


def test_filter_matching_nothing_is_loud(tmp_path):
    status, output = _run_grader(tmp_path, POINTS_95.replace("35", "40"), "--tests", "nomatch")
    assert status == 5
    assert "no graded test matches T=nomatch" in output


def test_full_marks_and_results_files(tmp_path):
    status, output = _run_grader(tmp_path, POINTS_95.replace("35", "40"))
    assert status == 0, output
    assert "Score: 100/100 (0 boots" in output
    import json
    document = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [t["id"] for t in document["tests"]] == ["lab9.first", "lab9.second"]
    assert document["score"] == 100
    junit = (tmp_path / "out" / "junit.xml").read_text()
    assert 'name="lab9.first"' in junit and 'classname="lab9"' in junit


def test_lab9_round_robin():
    """The replay of task.h's rule: the join waits on the first live task, a finished task
    wakes its joiner at the tail, a yield queues the task at the tail."""
    import test_lab9
    assert test_lab9.round_robin([0, 1]) == "JabJbJ"
    assert test_lab9.round_robin([0, 0, 0]) == "JabcJ"
    assert test_lab9.round_robin([2, 0]) == "JabaaJ"


def _sleeps(token, ticks_extra=1, scale=1.0):
    """lab9.sleep's value lines for token: the drawn lengths, n + ticks_extra ticks, and
    scale * (n + 0.5) PIT periods measured by the PM timer (divisor 11932, 100 Hz)."""
    import test_lab9
    g = rng.test_rng(token, "lab9.sleep")
    first = 1 + g.below(30)
    lengths = [first, 1 + g.below(30), first]
    per_tick = 11932 / test_lab9.PIT_HZ * test_lab9.PM_HZ
    values = {"divisor": "11932"}
    for i, n in enumerate(lengths):
        values["sleep%d" % i] = "%d %d %d" % (n, n + ticks_extra, scale * (n + 0.5) * per_tick)
    return values, lengths, per_tick


def test_lab9_sleep_rule():
    import test_lab9
    token = "0123456789abcdef"
    values, lengths, per_tick = _sleeps(token)
    assert test_lab9.sleep_problem(token, values) is None
    assert "the token draws" in test_lab9.sleep_problem("fedcba9876543210", values)
    late, _, _ = _sleeps(token, ticks_extra=2)
    assert "deadline rule" in test_lab9.sleep_problem(token, late)
    early, _, _ = _sleeps(token, ticks_extra=0)
    assert "deadline rule" in test_lab9.sleep_problem(token, early)
    short = dict(values, sleep1="%d %d %d" % (lengths[1], lengths[1] + 1, lengths[1] * per_tick - 1))
    assert "shorter than asked" in test_lab9.sleep_problem(token, short)
    long = dict(values, sleep2="%d %d %d" % (lengths[2], lengths[2] + 1,
                                              (lengths[2] + 1.3) * per_tick))
    assert "more than" in test_lab9.sleep_problem(token, long)
    assert "divisor" in test_lab9.sleep_problem(token, dict(values, divisor="0"))
    assert "well-formed" in test_lab9.sleep_problem(token, dict(values, sleep0="3 4"))


def test_lab9_storm_script():
    import test_lab9
    text, chords, count = test_lab9.storm_script("0123456789abcdef")
    assert (text, chords, count) == test_lab9.storm_script("0123456789abcdef")   # per token
    assert 200 <= count <= 300 and len(chords) == count + 1 and chords[-1] == ["ret"]
    assert test_lab9.storm_script("0123456789abcdee")[0] != text
    # The text has one entry per key: a character, or an arrow written <name>.
    assert len(text) - sum(len(m) - 1 for m in re.findall(r"<\w+>", text)) == count
