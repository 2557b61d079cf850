"""Lab 6 (paging): the frame allocator, page-table walks, mapping, and the kernel's permissions.

Every check compares what the kernel says with the machine (gradelib/lab6_paging.py):

lab6.translate and lab6.map share a boot that holds afterwards. lab6.translate prints its
software walk of kernel addresses of every kind (text, rodata, data, bss, the stack, the direct
map, 1 GiB and 2 MiB pages it installs in PML4 slot 510, a page it maps with vm_map, guard
pages, NULL, the page after the image, non-canonical addresses); the grader asks QEMU's gva2gpa about each. lab6.map maps two
pages drawn from the token (va1 with W U G NX in a lower-half slot, va2 with W at the very top of
a higher-half slot) and fills them from a pattern drawn from the token: the grader reads the
frames with pmemsave, checks gva2gpa, and walks the page tables itself from CR3 to check every
entry on the way. va3 was mapped and unmapped: gva2gpa must say unmapped and its PML4 entry must
be 0 again (its tables were freed).

The fault tests each get a boot of their own: the kernel's should-panic test passes when it
panics with a page fault, and the grader checks QEMU's -d int log for the CPU's own error code
and CR2 (and the kernel's EXCEPTION line for the same), against the target it draws itself.

lab6.frames exhausts the allocator, frees the first 32768 frames it got (under -m 32M and 128M
all of them; freeing writes into every frame, which QEMU makes slow for gigabytes) and exhausts
it again. The grader reads the Multiboot2 memory map from guest memory
(boot.S's boot_mbi says where), computes frame.h's usable frames itself, removes the page-table
frames it finds walking from CR3, and requires pass 1 to return exactly that set and pass 2
exactly the frames freed after it.
"""

import re
import struct

from gradelib import KernelGroup, fail, lab, oracles, points, test_rng
from gradelib import lab6_paging as pg
from gradelib import protocol

pytestmark = lab(6)

EXCEPTION_RE = re.compile(
    r"^EXCEPTION: (?P<mn>\S+) (?P<name>.+) \(vector (?P<vector>\d+)\) error "
    r"(?P<error>none|0x[0-9a-f]+)(?: \[(?P<detail>[^\]]*)\])? rip 0x(?P<rip>[0-9a-f]{16}) "
    r"rsp 0x(?P<rsp>[0-9a-f]{16})(?: cr2 0x(?P<cr2>[0-9a-f]{16}))?$")

SLOT_HUGE = 510
TRANSLATE_KEYS = {
    "image": ("text0", "text1", "rodata0", "rodata1", "data0", "data1", "bss0", "bss1",
              "stack0", "stack1"),
    "direct": ("direct0", "direct1", "direct2", "huge1g", "huge1g0", "huge1g1", "huge2m",
               "huge2m0", "huge2m1", "fresh0", "fresh1"),
    "unmapped": ("hugeun", "hugeun2", "unmapped0", "unmapped1", "unmapped2", "unmapped3", "unmapped4"),
    "noncanonical": ("noncanon0", "noncanon1", "noncanon2", "noncanon3"),
}


def values_of(machine, name):
    """The value lines test name printed so far on this boot."""
    log = protocol.parse_serial("\n".join(machine.lines) + "\n", machine.token)
    return log.record(name).values


def hexes(text):
    return [int(word, 16) for word in text.split() if word != "unmapped"]


def inspect_vm(machine):
    """At the hold: gva2gpa of every translated address, the map test's frames and walks."""
    state = {"gva2gpa": {}, "claims": {}}
    for key, text in values_of(machine, "lab6.translate").items():
        words = text.split()
        va = int(words[0], 16)
        state["claims"][key] = (va, None if words[1] == "unmapped" else int(words[1], 16))
        state["gva2gpa"][key] = oracles.gva2gpa(machine, va) if pg.canonical(va) else None
    mapped = {k: int(v, 16) for k, v in values_of(machine, "lab6.map").items()}
    state["map"] = mapped
    root = pg.cr3(machine)
    state["root"] = root
    for va_key, f_key in (("va1", "f1"), ("va2", "f2")):
        if va_key in mapped:
            walk = pg.walk(machine, root, mapped[va_key])
            state[va_key] = {"gpa": oracles.gva2gpa(machine, mapped[va_key]), "walk": walk,
                             "tables": [pg.read_table(machine, e) for e in walk[:3]
                                        if e & pg.PTE_P]}
        if f_key in mapped:
            state[f_key] = oracles.read_phys(machine, mapped[f_key], pg.PAGE)
    if "va3" in mapped:
        state["va3"] = {"gpa": oracles.gva2gpa(machine, mapped["va3"]),
                        "pml4e": pg.walk(machine, root, mapped["va3"])[0]}
    return state


VM = KernelGroup("lab6.vm", ["lab6.map", "lab6.regions", "lab6.translate"], hold=True,
                 inspect=inspect_vm)


def symbol(settings, name):
    address = settings.symbols.address(name)
    if address is None:
        fail("kernel.sym has no symbol %s." % name)
    return address


def vm_state(kernel, name):
    record = kernel.expect_pass(VM, name)
    return record, kernel.inspection(VM)


def check_claims(kernel, settings, keys, what):
    record, state = vm_state(kernel, "lab6.translate")
    boot = record.boot
    missing = [k for k in keys if k not in state["claims"]]
    if missing:
        fail("lab6.translate printed no value for %s." % ", ".join(missing), boot=boot)
    wrong = []
    for key in keys:
        va, claim = state["claims"][key]
        truth = state["gva2gpa"][key]
        if what == "noncanonical" and pg.canonical(va):
            fail("lab6.translate's %s address %#x is canonical." % (key, va), boot=boot)
        if what in ("image", "direct") and truth is None:
            fail("QEMU says the %s address %#x is not mapped." % (key, va), boot=boot)
        if what in ("unmapped",) and truth is not None:
            fail("QEMU says the %s address %#x is mapped (to %#x)." % (key, va, truth), boot=boot)
        if claim != truth:
            wrong.append("  %-10s %016x: vm_translate says %s, the MMU (gva2gpa) says %s" % (
                key, va, "unmapped" if claim is None else "%#x" % claim,
                "unmapped" if truth is None else "%#x" % truth))
    if wrong:
        fail("wrong value: vm_translate disagrees with QEMU's page walk:", boot=boot,
             detail=wrong)
    return state


@points(8)
@VM
def test_translate_image(kernel, settings):
    """vm_translate agrees with the MMU on kernel text, rodata, data, bss and the stack"""
    state = check_claims(kernel, settings, TRANSLATE_KEYS["image"], "image")
    ranges = {"text": ("__text_start", "__rodata_start"), "rodata": ("__rodata_start",
              "__data_start"), "data": ("__data_start", "__bss_start"),
              "bss": ("__bss_start", "__kernel_end")}
    for key in TRANSLATE_KEYS["image"]:
        part = key.rstrip("01")
        if part in ranges:
            lo, hi = (symbol(settings, s) for s in ranges[part])
            va = state["claims"][key][0]
            if not lo <= va < hi:
                fail("lab6.translate's %s address %#x is outside %s." % (key, va, part))


@points(8)
@VM
def test_translate_huge(kernel, settings):
    """vm_translate agrees with the MMU in the direct map, 1 GiB and 2 MiB pages, a new page"""
    state = check_claims(kernel, settings, TRANSLATE_KEYS["direct"], "direct")
    for key in ("huge1g", "huge1g0", "huge1g1", "huge2m", "huge2m0", "huge2m1"):
        va = state["claims"][key][0]
        if pg.indices(va)[0] != SLOT_HUGE:
            fail("lab6.translate's %s address %#x is not in PML4 slot %d." % (key, va,
                                                                             SLOT_HUGE))


@points(6)
@VM
def test_translate_unmapped(kernel, settings):
    """vm_translate reports guard pages, NULL and non-canonical addresses as unmapped"""
    check_claims(kernel, settings, TRANSLATE_KEYS["unmapped"], "unmapped")
    check_claims(kernel, settings, TRANSLATE_KEYS["noncanonical"], "noncanonical")


def ranges_from(words):
    return [(int(words[i], 16), int(words[i + 1], 16)) for i in range(0, len(words) - 1, 2)]


@points(6)
@VM
def test_regions(kernel):
    """frame_usable_regions: whole frames of available memory, 1 MiB..16 GiB, minus reserved"""
    record = kernel.expect_pass(VM, "lab6.regions")
    boot = record.boot
    for k in range(12):
        if "in%d" % k not in record.values or "out%d" % k not in record.values:
            fail("lab6.regions printed no in%d/out%d values." % (k, k), boot=boot)
        words = record.values["in%d" % k].split()
        split = words.index("r")
        avail, reserved = ranges_from(words[1:split]), ranges_from(words[split + 1:])
        out_words = record.values["out%d" % k].split()
        out = ranges_from(out_words[1:])
        want = pg.usable_frames([(s, e - s, 1) for s, e in avail], reserved)
        what = ["  available: " + ", ".join("%#x-%#x" % r for r in avail),
                "  reserved:  " + ", ".join("%#x-%#x" % r for r in reserved),
                "  returned:  " + ", ".join("%#x-%#x" % r for r in out),
                "  expected (merged): " + ", ".join("%#x-%#x" % r for r in want)]
        if int(out_words[0]) != len(out):
            fail("lab6.regions round %d: the count does not match the ranges." % k, boot=boot)
        bad = [r for r in out if r[0] >= r[1] or r[0] % pg.PAGE or r[1] % pg.PAGE]
        if bad:
            fail("wrong value: round %d returned empty or unaligned ranges %s." % (
                k, ", ".join("%#x-%#x" % r for r in bad)), boot=boot, detail=what)
        if sum(e - s for s, e in out) != sum(e - s for s, e in pg.merge(out)):
            fail("wrong value: round %d returned overlapping ranges." % k, boot=boot,
                 detail=what)
        if pg.merge(out) != want:
            fail("wrong value: round %d's usable frames are wrong." % k, boot=boot, detail=what)


def map_draws(token):
    """lab6.map's draws: va1, va2, va3 and the pattern (kernel/tests/lab6_tests.c)."""
    rng = test_rng(token, "lab6.map")

    def page(slot):
        pdpt, pd, pt = rng.below(512), rng.below(512), rng.below(512)
        return make_va(slot, pdpt, pd, pt)

    slot1 = 1 + rng.below(254)
    va1 = page(slot1)
    va2 = make_va(257 + rng.below(253), 511, 511, 511)
    slot3 = 1 + (slot1 + rng.below(253)) % 254
    va3 = page(slot3)
    return va1, va2, va3, rng.next()


def make_va(slot, pdpt, pd, pt):
    va = slot << 39 | pdpt << 30 | pd << 21 | pt << 12
    return va | 0xFFFF000000000000 if va >> 47 & 1 else va


def pattern_page(pattern):
    return struct.pack("<512Q", *[(pattern + i) & (2 ** 64 - 1) for i in range(512)])


def map_state(kernel):
    record, state = vm_state(kernel, "lab6.map")
    boot = record.boot
    va1, va2, va3, pattern = map_draws(boot.token)
    got = state["map"]
    want = {"va1": va1, "va2": va2, "va3": va3, "pattern": pattern}
    for key, value in want.items():
        if got.get(key) != value:
            fail("lab6.map printed %s %s, but the token draws %#x." % (
                key, "%#x" % got[key] if key in got else "nothing", value), boot=boot)
    return boot, state, pattern


@points(8)
@VM
def test_map_pattern(kernel):
    """a page vm_map maps holds, in its frame, what was written through it"""
    boot, state, pattern = map_state(kernel)
    for n, pat in ((1, pattern), (2, ~pattern & (2 ** 64 - 1))):
        va, frame = state["map"]["va%d" % n], state["map"]["f%d" % n]
        if state["va%d" % n]["gpa"] != frame:
            fail("wrong value: QEMU translates va%d %#x to %s, not to the frame %#x." % (
                n, va, "nothing" if state["va%d" % n]["gpa"] is None else
                "%#x" % state["va%d" % n]["gpa"], frame), boot=boot)
        if state["f%d" % n] != pattern_page(pat):
            fail("wrong value: frame %#x (va%d) does not hold the pattern written through "
                 "%#x." % (frame, n, va), boot=boot)


@points(8)
@VM
def test_map_entries(kernel):
    """vm_map's page-table entries: tables P|W (+U), the leaf exactly frame|P|flags"""
    boot, state, _ = map_state(kernel)
    for n, flags in ((1, pg.PTE_W | pg.PTE_U | pg.PTE_G | pg.PTE_NX), (2, pg.PTE_W)):
        walk = state["va%d" % n]["walk"]
        if len(walk) != 4:
            fail("wrong value: walking va%d from CR3 stops at level %d (entry %#x)." % (
                n, len(walk), walk[-1]), boot=boot)
        ignore = pg.PTE_A | pg.PTE_D | pg.PTE_ADDR
        for level, entry in enumerate(walk[:3]):
            want = pg.PTE_P | pg.PTE_W | (flags & pg.PTE_U)
            if entry & ~ignore != want:
                fail("wrong value: va%d's %s entry is %#x; an entry pointing at a new table "
                     "must have exactly P W%s (and no NX, G or PS)." % (
                         n, ("PML4", "PDPT", "PD")[level], entry,
                         " U" if flags & pg.PTE_U else ""), boot=boot)
        for level, table in enumerate(state["va%d" % n]["tables"]):
            used = [i for i, e in enumerate(table) if e]
            if len(used) != 1:
                fail("wrong value: the %s vm_map made for va%d has %d non-zero entries (%s); a "
                     "new table must be zeroed, then get the one entry on va%d's path." % (
                         ("PDPT", "PD", "PT")[level], n, len(used),
                         ", ".join("[%d] %#x" % (i, table[i]) for i in used[:4]), n),
                     boot=boot)
        leaf = walk[3] & ~(pg.PTE_A | pg.PTE_D)
        want = state["map"]["f%d" % n] | pg.PTE_P | flags
        if leaf != want:
            fail("wrong value: va%d's PT entry is %#x, expected %#x (frame | P | flags)." % (
                n, walk[3], want), boot=boot)


@points(6)
@VM
def test_unmap(kernel):
    """vm_unmap leaves the page unmapped and frees the tables it emptied"""
    boot, state, _ = map_state(kernel)
    va3 = state["map"]["va3"]
    if state["va3"]["gpa"] is not None:
        fail("wrong value: QEMU still translates the unmapped va3 %#x (to %#x)." % (
            va3, state["va3"]["gpa"]), boot=boot)
    if state["va3"]["pml4e"] != 0:
        fail("wrong value: PML4 entry %d (va3 %#x) is %#x after vm_unmap; its empty tables "
             "should be freed and the entry cleared." % (pg.indices(va3)[0], va3,
                                                       state["va3"]["pml4e"]), boot=boot)


# ---- Faults, each its own boot. ----

def fault_page(rng):
    slot = 1 + rng.below(254)
    pdpt, pd, pt = rng.below(512), rng.below(512), rng.below(512)
    return make_va(slot, pdpt, pd, pt)


def target_of(name, token, settings):
    """The address lab6.<name> faults on, drawn as the kernel draws it."""
    rng = test_rng(token, "lab6." + name)
    sym = lambda s: symbol(settings, s)  # noqa: E731
    if name == "write_text":
        lo, hi = sym("__text_start"), sym("__rodata_start")
        return lo + rng.below(hi - lo)
    if name == "write_rodata":
        lo, hi = sym("__rodata_start"), sym("__data_start")
        return lo + rng.below(hi - lo)
    if name == "exec_data":
        return sym("lab6_data_page") + rng.below(4096)
    if name == "null_deref":
        return rng.below(4096) & ~7
    if name == "write_readonly":
        va = fault_page(rng)
        return va + (rng.below(4096) & ~7)
    if name == "unmap_fault":
        return fault_page(rng)
    raise ValueError(name)


# error code bits, the words of the kernel's decoded report
FAULTS = {
    "write_text": (0x3, "protection write kernel"),
    "write_rodata": (0x3, "protection write kernel"),
    "exec_data": (0x11, "protection fetch kernel"),
    "null_deref": (0x0, "not-present read kernel"),
    "write_readonly": (0x3, "protection write kernel"),
    "unmap_fault": (0x0, "not-present read kernel"),
}
FAULT_GROUPS = {n: KernelGroup("lab6." + n, ["lab6." + n]) for n in FAULTS}


def check_fault(kernel, settings, name):
    test = "lab6." + name
    group = FAULT_GROUPS[name]
    record = kernel.expect_pass(group, test)
    boot = record.boot
    target = target_of(name, boot.token, settings)
    error, words = FAULTS[name]
    if record.values.get("target") != "%016x" % target:
        fail("%s printed target %s, but the token draws %#x." % (
            test, record.values.get("target"), target), boot=boot)
    panic = boot.log.panic
    if panic is None or not panic.message.startswith("unhandled exception #PF"):
        fail("%s: the kernel panicked, but not for a page fault." % test, boot=boot)
    faults = pg.page_faults(boot)
    if not faults:
        fail("QEMU's -d int log shows no page fault on this boot.", boot=boot)
    got_error, pc, cr2 = faults[0]
    if cr2 != target or got_error != error:
        fail("wrong value: the CPU's first page fault was error %#x at CR2 %s; expected error "
             "%#x (%s) at %#x." % (got_error, "%#x" % cr2 if cr2 is not None else "?", error,
                                   words, target), boot=boot)
    if name == "exec_data" and pc != target:
        fail("wrong value: the fetch fault's RIP is %#x, not the jump target %#x." % (pc, target),
             boot=boot)
    m = next((EXCEPTION_RE.match(l) for l in boot.serial_lines if EXCEPTION_RE.match(l)), None)
    if m is None or m["cr2"] is None or int(m["cr2"], 16) != cr2 or m["error"] != "%#x" % error \
            or (m["detail"] or "").strip() != words:
        fail("wrong value: the kernel's EXCEPTION line does not report error %#x [%s] cr2 %#x."
             % (error, words, cr2), boot=boot, detail=["  " + m.string] if m else None)


@points(4)
@FAULT_GROUPS["unmap_fault"].mark
def test_unmap_fault(kernel, settings):
    """after vm_unmap, touching the page faults (the TLB entry was flushed)"""
    check_fault(kernel, settings, "unmap_fault")


@points(4)
@FAULT_GROUPS["write_text"].mark
def test_write_text(kernel, settings):
    """a write to kernel text faults: text is read-only"""
    check_fault(kernel, settings, "write_text")


@points(4)
@FAULT_GROUPS["write_rodata"].mark
def test_write_rodata(kernel, settings):
    """a write to rodata faults"""
    check_fault(kernel, settings, "write_rodata")


@points(4)
@FAULT_GROUPS["exec_data"].mark
def test_exec_data(kernel, settings):
    """a jump into .data faults on the fetch: data is no-execute"""
    check_fault(kernel, settings, "exec_data")


@points(4)
@FAULT_GROUPS["null_deref"].mark
def test_null_deref(kernel, settings):
    """a NULL dereference faults: page 0 is not mapped"""
    check_fault(kernel, settings, "null_deref")


@points(4)
@FAULT_GROUPS["write_readonly"].mark
def test_write_readonly(kernel, settings):
    """a write through a page vm_map mapped without PTE_W faults"""
    check_fault(kernel, settings, "write_readonly")


# ---- The frame allocator. ----

def inspect_frames(machine):
    """At the hold: the raw memory map, the boot information's place, the page-table frames."""
    mbi, size, mmap, cmdline = pg.read_boot_info(machine)
    return {"mbi": mbi, "size": size, "mmap": mmap, "cmdline": cmdline,
            "tables": pg.table_frames(machine, pg.cr3(machine))}


REFILL = 32768          # frames freed and allocated again (128 MiB): all of them up to -m 128M


def frames_group(memory):
    return KernelGroup("lab6.frames-" + memory, ["lab6.frames"], hold=True,
                       inspect=inspect_frames, qemu_args=("-m", memory), quiet=10.0,
                       total=120.0, args=("frames_refill=%d" % REFILL,))


# Freeing a frame writes into it (the free list), and QEMU is slow to touch gigabytes for the
# first time, so every boot frees and reallocates at most REFILL frames: all of them under 32M
# and 128M, the first REFILL under 1G and 6G (and under a QEMUEXTRA that overrides -m).
FRAMES = {m: frames_group(m) for m in ("32M", "128M", "1G", "6G")}


def runs_of(values, run):
    """The runs pass `run` printed, in order, as (first, last) frames."""
    found = []
    for key, text in values.items():
        m = re.match(r"run%s\.(\d+)$" % run, key)
        if m:
            found.append((int(m.group(1)), tuple(hexes(text))))
    return [r for _, r in sorted(found)]


def first_frames(runs, k):
    """The first k frames handed out in runs, as intervals."""
    out = []
    for first, last in runs:
        if k <= 0:
            break
        length = abs(last - first) // pg.PAGE + 1
        take = min(length, k)
        k -= take
        if last >= first:
            out.append((first, first + take * pg.PAGE))
        else:
            out.append((first - (take - 1) * pg.PAGE, first + pg.PAGE))
    return pg.merge(out)


def check_frames(kernel, settings, memory):
    group = FRAMES[memory]
    record = kernel.expect_pass(group, "lab6.frames")
    boot = record.boot
    state = kernel.inspection(group)
    if "token=" + boot.token not in (state["cmdline"] or ""):
        fail("the boot information at %#x does not hold this boot's command line." %
             state["mbi"], boot=boot)
    image = (symbol(settings, "__boot_start"), symbol(settings, "__kernel_end") - pg.KERNEL_VMA)
    boot_tables = (symbol(settings, "__boot_bss_start"), symbol(settings, "__boot_bss_end"))
    usable = pg.usable_frames(state["mmap"], [image, boot_tables,
                                              (state["mbi"], state["mbi"] + state["size"])])
    in_use = sorted(f for f in state["tables"] if any(s <= f < e for s, e in usable))
    expected = usable
    for f in in_use:
        expected = pg.subtract(expected, (f, f + pg.PAGE))
    expected = pg.merge(expected)
    free0, used0 = (int(x) for x in record.values["counts"].split())
    detail = ["  usable frames (from the memory map QEMU gave): %d in %d ranges; page tables "
              "in use: %d" % (pg.count(usable), len(usable), len(in_use))]
    if (free0, used0) != (pg.count(expected), len(in_use)):
        fail("wrong value: frame_free_count() and frame_used_count() say %d and %d; the memory "
             "map and the page tables say %d and %d." % (free0, used0, pg.count(expected),
                                                          len(in_use)), boot=boot, detail=detail)
    limit = next((int(a.split("=")[1]) for a in group.args if a.startswith("frames_refill=")),
                 None)
    refill = int(record.values.get("refill", "-1"))
    want_refill = pg.count(expected) if limit is None else min(limit, pg.count(expected))
    if refill != want_refill:
        fail("wrong value: lab6.frames freed %d frames between its passes, not %d." % (
            refill, want_refill), boot=boot)
    passes = {"1": expected, "2": first_frames(runs_of(record.values, "1"), refill)}
    for run, want in passes.items():
        pieces = [(min(a, b), max(a, b) + pg.PAGE) for a, b in runs_of(record.values, run)]
        got = pg.merge(pieces)
        if sum(e - s for s, e in pieces) != sum(e - s for s, e in got):
            fail("wrong value: pass %s handed out some frames twice." % run, boot=boot)
        if got != want:
            extra = pg.merge([r for r in got if r not in want])[:4]
            lost = pg.merge([r for r in want if r not in got])[:4]
            fail("wrong value: pass %s's frames are not the %s." % (
                run, "usable free frames" if run == "1" else "frames freed after pass 1"),
                boot=boot, detail=detail + [
                    "  handed out, as ranges: " + ", ".join("%#x-%#x" % r for r in got[:8]),
                    "  expected: " + ", ".join("%#x-%#x" % r for r in want[:8]),
                    "  differing: %s / %s" % (extra, lost)])


@points(4)
@FRAMES["32M"].mark
def test_frames_32m(kernel, settings):
    """with -m 32M, exhausting the allocator twice yields every usable frame exactly once"""
    check_frames(kernel, settings, "32M")


@points(4)
@FRAMES["128M"].mark
def test_frames_128m(kernel, settings):
    """with -m 128M, exhausting the allocator twice yields every usable frame exactly once"""
    check_frames(kernel, settings, "128M")


@points(4)
@FRAMES["1G"].mark
def test_frames_1g(kernel, settings):
    """with -m 1G, every usable frame exactly once; the first 32768, freed, exactly once again"""
    check_frames(kernel, settings, "1G")


@points(4)
@FRAMES["6G"].mark
def test_frames_6g(kernel, settings):
    """with -m 6G (RAM above 4 GiB), every usable frame exactly once; 32768 freed, again"""
    check_frames(kernel, settings, "6G")


DOUBLE_FREE = KernelGroup("lab6.double_free", ["lab6.double_free"])
UNALIGNED_FREE = KernelGroup("lab6.unaligned_free", ["lab6.unaligned_free"])
REGIONS_OVERFLOW = KernelGroup("lab6.regions_overflow", ["lab6.regions_overflow"])
FOREIGN_FREE = KernelGroup("lab6.foreign_free", ["lab6.foreign_free"])


# -m 6G: the memory map then has a hole below 4 GiB between two available ranges.
FOREIGN_HOLE = KernelGroup("lab6.foreign_free_hole", ["lab6.foreign_free_hole"],
                           qemu_args=("-m", "6G"))


@points(2)
@FOREIGN_HOLE
def test_foreign_free_hole(kernel):
    """freeing a frame in a hole of the memory map (between usable frames) panics"""
    record = kernel.expect_pass(FOREIGN_HOLE, "lab6.foreign_free_hole")
    boot = record.boot
    frame = int(record.values["frame"], 16)
    panic = boot.log.panic
    if not re.search(r"\b0x0*%x\b" % frame, panic.message):
        fail("the panic does not name the frame %#x: %s" % (frame, panic.message), boot=boot)


@points(2)
@DOUBLE_FREE
def test_double_free(kernel):
    """freeing a frame twice panics with frame_free: double free"""
    record = kernel.expect_pass(DOUBLE_FREE, "lab6.double_free")
    frame = int(record.values["frame"], 16)
    panic = record.boot.log.panic
    if not re.search(r"\b0x0*%x\b" % frame, panic.message):
        fail("the panic does not name the frame %#x: %s" % (frame, panic.message),
             boot=record.boot)


@points(2)
@FOREIGN_FREE
def test_foreign_free(kernel, settings):
    """freeing a kernel-image frame panics: the allocator never owned it"""
    record = kernel.expect_pass(FOREIGN_FREE, "lab6.foreign_free")
    rng = test_rng(record.boot.token, "lab6.foreign_free")
    lo, hi = symbol(settings, "__text_start"), symbol(settings, "__kernel_end")
    frame = ((lo + rng.below(hi - lo)) & ~0xFFF) - pg.KERNEL_VMA
    panic = record.boot.log.panic
    if record.values.get("frame") != "%016x" % frame or \
            not re.search(r"\b0x0*%x\b" % frame, panic.message):
        fail("the panic does not name the frame %#x: %s" % (frame, panic.message),
             boot=record.boot)


@points(2)
@UNALIGNED_FREE
def test_unaligned_free(kernel):
    """freeing an address inside an allocated frame, not 4 KiB-aligned, panics"""
    record = kernel.expect_pass(UNALIGNED_FREE, "lab6.unaligned_free")
    frame = int(record.values["frame"], 16)
    panic = record.boot.log.panic
    if frame % pg.PAGE == 0:
        fail("lab6.unaligned_free's address %#x is aligned." % frame, boot=record.boot)
    if not re.search(r"\b0x0*%x\b" % frame, panic.message):
        fail("the panic does not name the address %#x: %s" % (frame, panic.message),
             boot=record.boot)


@points(2)
@REGIONS_OVERFLOW
def test_regions_overflow(kernel):
    """frame_usable_regions panics when the usable frames need more ranges than max"""
    kernel.expect_pass(REGIONS_OVERFLOW, "lab6.regions_overflow")
