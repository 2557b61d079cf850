"""Lab 8 (allocators): bump, fixed-size classes, buddy and slab, each under lab 7's contract.

Every design is graded on boots of its own, alloc=<design> on the command line, and every graded
id names the design (lab8.buddy_split; T='*buddy*' grades one design):

lab8.<d>.heap is one boot that holds. Lab 7's contract tests run under the design (lab7.values,
array, align, edges, calloc, realloc, readback) and are checked exactly as lab 7 checks them,
readback's blocks and the heap's page tables read at the hold included (grade/test_lab7.py's
check functions). Then the design's own tests (kernel/tests/lab8_tests.c), each drawing its
sizes and orders from the token, which the grader recomputes (gradelib/lab8_alloc.py): fixed's
and slab's classes (usable size, alignment, the page descriptor's kind and cls), LIFO reuse of a
freed block, requests too large for a class; buddy's orders and alignment, a split that keeps
lower halves, frees that merge back; slab's slabs filling and going back to the buddy. Last,
lab8.buddy_view and lab8.slab_view leave some blocks live and print the free blocks the page
descriptors show: at the hold the grader reads heap_pages_table itself and requires the same
blocks, a consistent map (every mapped page in exactly one aligned block, free lists linked both
ways, no free buddies left unmerged, slab counts as slab_cache_info says) and poison in a sample
of free pages.

lab8.bump.fresh runs bump's tests with nothing live: the grader predicts every address from
alloc.h's layout rule, including past everything while one block lives and at the start once
none does; lab7.values runs there too (its second round must not grow the heap, which bump can
only promise with readback's blocks not live). lab8.buddy.fresh replays the first allocations
of a fresh heap on a model of the buddy allocator, then frees two merged buddies twice. lab8.<d>.small (heap=256K) churns through
ten times the heap with one block living throughout (not bump: it reuses nothing while a block
lives); lab8.<d>.irq is lab7.irq at hz=1000 (not bump either: 350 000 allocations in two
seconds, never all free at once, would exhaust it). lab7.double_free, lab7.use_after_free_last
and lab7.bad_free panic on purpose, one boot each. (lab7.use_after_free is not used: its byte may
land in a free block's link or tag, which fixed and slab keep in a free block's first 16 bytes.)
"""

import pytest

import test_lab7 as l7
from gradelib import KernelGroup, fail, lab
from gradelib import lab7_heap as hp
from gradelib import lab8_alloc as am

pytestmark = lab(8)

DESIGNS = ("bump", "fixed", "buddy", "slab")
# Lab 7 uses 192K; fixed never gives its class pages back (8 classes of FIXED_REFILL bytes, 128K),
# so the small heap leaves room for those and the live blocks with 256K.
SMALL_HEAP = 256 << 10
CONTRACT = ["lab7.align", "lab7.array", "lab7.calloc", "lab7.edges", "lab7.readback",
            "lab7.realloc", "lab7.values"]
OWN = {
    "bump": [],
    "fixed": ["lab8.fixed_classes", "lab8.fixed_large", "lab8.fixed_lifo"],
    "buddy": ["lab8.buddy_merge", "lab8.buddy_orders", "lab8.buddy_split", "lab8.buddy_view"],
    "slab": ["lab8.slab_caches", "lab8.slab_fill", "lab8.slab_large", "lab8.slab_lifo",
             "lab8.slab_view"],
}
PANIC_TESTS = ("lab7.double_free", "lab7.use_after_free_last", "lab7.bad_free")


def inspector(design):
    """At the hold: what lab 7 reads (readback's blocks, heap_brk, the page tables), and for
    buddy and slab the page descriptors and a sample of free pages."""
    def inspect(machine):
        state = l7.inspect_heap(machine)
        if design in ("buddy", "slab"):
            state["desc"] = am.read_table(machine)
        return state
    return inspect


def arg(design):
    return "alloc=" + design


# bump runs lab7.values on its fresh boot: it allocates the same sizes again once all are freed
# and requires that the heap not grow, which bump keeps only when readback's blocks are not live.
HEAP = {d: KernelGroup("lab8.%s.heap" % d, [t for t in CONTRACT if d != "bump" or
                                            t != "lab7.values"] + OWN[d],
                       args=(arg(d),), hold=True, inspect=inspector(d)) for d in DESIGNS}
FRESH = {"bump": KernelGroup("lab8.bump.fresh", ["lab7.values", "lab8.bump_layout",
                                                 "lab8.bump_reset"], args=(arg("bump"),)),
         "buddy": KernelGroup("lab8.buddy.fresh", ["lab8.buddy_cascade",
                                                   "lab8.buddy_double_free_merged"],
                              args=(arg("buddy"),))}
SMALL = {d: KernelGroup("lab8.%s.small" % d, ["lab8.reuse"],
                        args=("heap=%dK" % (SMALL_HEAP >> 10), arg(d))) for d in DESIGNS[1:]}
IRQ = {d: KernelGroup("lab8.%s.irq" % d, ["lab7.irq"], args=("hz=1000", arg(d)))
       for d in DESIGNS[1:]}
PANICS = {(d, t): KernelGroup("lab8.%s.%s" % (d, t.split(".")[1]), [t], args=(arg(d),))
          for d in DESIGNS for t in PANIC_TESTS}


def words(record, key, n=None):
    """The words of value key, failing with the reason when it is missing or short."""
    got = record.values.get(key, "").split()
    if not got or (n is not None and len(got) != n):
        fail("%s printed %s for %r; expected %s." % (
            record.name, repr(" ".join(got)) if got else "nothing", key,
            "%d words" % n if n else "a value"), boot=record.boot)
    return got


def hexes(record, key, n=None):
    try:
        return [int(w, 16) for w in words(record, key, n)]
    except ValueError:
        fail("%s's %r is not a list of addresses: %r." % (record.name, key,
                                                          record.values.get(key)),
             boot=record.boot)


def off(va):
    return va - hp.HEAP_BASE


def in_heap(state, va, size=1):
    return l7.in_heap(state, va, size) if state else \
        hp.HEAP_BASE <= va < hp.HEAP_BASE + hp.HEAP_REGION_SIZE


# ---- bump ----

def check_bump_layout(kernel, group):
    record = kernel.expect_pass(group, "lab8.bump_layout")
    model = am.bump_layout_model(record.boot.token)
    got = hexes(record, "blocks")
    for i, (va, want) in enumerate(zip(got + [None] * len(model["blocks"]), model["blocks"])):
        if va != want:
            fail("wrong value: block %d of lab8.bump_layout (kmalloc_aligned(%d, %d)) is at %s; "
                 "alloc.h's rule puts it at %#x: align_up(end of the previous block + %d, "
                 "align), the first from HEAP_BASE." % (
                     i, model["sizes"][i], model["aligns"][i],
                     "%#x" % va if va is not None else "no address", want, am.BUMP_HDR),
                 boot=record.boot)
    if len(got) != len(model["blocks"]):
        fail("lab8.bump_layout reports %d blocks; the token draws %d." % (
            len(got), len(model["blocks"])), boot=record.boot)
    big = words(record, "big", 2)
    if int(big[0], 16) != model["big"]:
        fail("wrong value: with every block free, the block of mapped - HEAP_SLACK is at %s, "
             "not at the start %#x." % (big[0], model["big"]), boot=record.boot)


def check_bump_reset(kernel, group):
    record = kernel.expect_pass(group, "lab8.bump_reset")
    model = am.bump_reset_model(record.boot.token)
    got = hexes(record, "blocks")
    if got != model["blocks"]:
        fail("wrong value: lab8.bump_reset's blocks of %s bytes are at %s; the layout rule "
             "puts them at %s." % (model["sizes"], " ".join("%#x" % v for v in got),
                                   " ".join("%#x" % v for v in model["blocks"])),
             boot=record.boot)
    (nxt,) = hexes(record, "next", 1)
    if nxt != model["next"]:
        fail("wrong value: with block %d (%#x) still live and the others freed, kmalloc(%d) "
             "returned %#x; nothing is reused while a block lives, so it goes past the last "
             "block, at %#x." % (model["keep"], model["blocks"][model["keep"]],
                                 model["nsize"], nxt, model["next"]), boot=record.boot)
    (reset,) = hexes(record, "reset", 1)
    if reset != model["reset"]:
        fail("wrong value: once the last block was freed, kmalloc_aligned(%d, %d) returned "
             "%#x; the run starts again at HEAP_BASE, so it goes at %#x." % (
                 model["rsize"], model["ralign"], reset, model["reset"]), boot=record.boot)


# ---- fixed and slab ----

def check_classes(kernel, group, name):
    record, state = l7.heap_state(kernel, group, name)
    model = am.classes_model(record.boot.token, name)
    usable = [int(w) for w in words(record, "usable", len(model))]
    blocks = hexes(record, "blocks", len(model))
    for (size, align, cs), u, va in zip(model, usable, blocks):
        if u != cs or va % cs or not in_heap(state, va, cs):
            fail("wrong value: kmalloc_aligned(%d, %d) returned %#x with %d usable bytes; the "
                 "smallest class holding it is %d bytes, so %d usable bytes at an address "
                 "aligned to %d inside the mapped heap." % (size, align, va, u, cs, cs, cs),
                 boot=record.boot)


def check_lifo(kernel, group, name, max_class):
    record, state = l7.heap_state(kernel, group, name)
    c, sizes, how = am.lifo_model(record.boot.token, name, max_class)
    got = words(record, "lifo", 8)
    if got[:2] != [str(c), how]:
        fail("%s reports class %s and free order %s; the token draws class %d (%d "
             "bytes) and the order %s." % (name, got[0], got[1], c, am.FIXED_MIN << c, how),
             boot=record.boot)
    x, y = [int(w, 16) for w in got[2:5]], [int(w, 16) for w in got[5:8]]
    cs = am.FIXED_MIN << c
    for va in x:
        if va % cs or not in_heap(state, va, cs):
            fail("wrong value: block %#x of the %d-byte class is misaligned or outside the "
                 "heap." % (va, cs), boot=record.boot)
    want = [x[ord(how[2 - i]) - ord("a")] for i in range(3)]
    if y != want:
        fail("wrong value: blocks a=%#x b=%#x c=%#x (sizes %s, class %d) were freed in the "
             "order %s; the next three allocations returned %s, not %s (last freed, first "
             "out)." % (x[0], x[1], x[2], sizes, cs, how, " ".join("%#x" % v for v in y),
                        " ".join("%#x" % v for v in want)), boot=record.boot)


def check_large(kernel, group, name, design):
    record, state = l7.heap_state(kernel, group, name)
    model = am.large_model(record.boot.token, name)
    got = words(record, "large", 2 * len(model))
    for i, (size, align) in enumerate(model):
        va, u = int(got[2 * i], 16), int(got[2 * i + 1])
        if design == "slab":
            k = am.order_of(size)
            ok = u == am.PAGE << k and off(va) % u == 0
            rule = "a buddy block of order %d: %d usable bytes, aligned to that" % (k, u)
        else:
            ok = size <= u < am.align_up(size, 16) + 48 and va % align == 0
            rule = "heap_firstfit's block: at least %d and under %d usable bytes, %d-aligned" % (
                size, am.align_up(size, 16) + 48, align)
        if not ok or not in_heap(state, va, size):
            fail("wrong value: kmalloc_aligned(%d, %d), too large for any class, returned %#x "
                 "with %d usable bytes; it should be %s, inside the mapped heap." % (
                     size, align, va, u, rule), boot=record.boot)


def check_slab_fill(kernel, group):
    record, state = l7.heap_state(kernel, group, "lab8.slab_fill")
    c = am.slab_fill_model(record.boot.token)
    cs = am.FIXED_MIN << c
    fill = words(record, "fill", 4)
    if fill[0] != str(c):
        fail("lab8.slab_fill used cache %s; the token draws cache %d (%d bytes)." % (
            fill[0], c, cs), boot=record.boot)
    slabs = [int(w, 16) for w in fill[2:]]
    if len(set(slabs)) != 2 or any(s % am.PAGE or not in_heap(state, s, am.PAGE)
                                   for s in slabs):
        fail("wrong value: the two new slabs %s are not two distinct pages of the mapped "
             "heap." % " ".join(fill[2:]), boot=record.boot)
    info = words(record, "info", 7)
    (s0, e0, u0), (s1, e1, u1) = [int(w) for w in info[:3]], [int(w) for w in info[4:]]
    if u1 != u0 or e1 != am.SLAB_KEEP_EMPTY or s1 != s0 - e0 + am.SLAB_KEEP_EMPTY:
        fail("wrong value: after freeing what it took, the %d-byte cache has %d slabs, %d "
             "empty, %d objects out; it had %d, %d, %d and keeps %d empty slab." % (
                 cs, s1, e1, u1, s0, e0, u0, am.SLAB_KEEP_EMPTY), boot=record.boot)
    p0, p1, grown = (int(w) for w in words(record, "pages", 3))
    if p1 + s1 != p0 + s0 + grown:
        fail("wrong value: the buddy had %d free pages, now %d (the heap grew by %d pages, "
             "the cache went from %d to %d slabs): empty slabs must go back to the buddy." % (
                 p0, p1, grown, s0, s1), boot=record.boot)


# ---- buddy ----

def check_buddy_orders(kernel, group):
    record, state = l7.heap_state(kernel, group, "lab8.buddy_orders")
    model = am.buddy_orders_model(record.boot.token)
    usable = [int(w) for w in words(record, "orders", len(model))]
    blocks = hexes(record, "blocks", len(model))
    for (size, align, k), u, va in zip(model, usable, blocks):
        n = am.PAGE << k
        if u != n or off(va) % n or not in_heap(state, va, n):
            fail("wrong value: kmalloc_aligned(%d, %d) returned %#x with %d usable bytes; the "
                 "smallest order holding it is %d: %d bytes, aligned to %d from HEAP_BASE, "
                 "inside the mapped heap." % (size, align, va, u, k, n, n), boot=record.boot)


def check_buddy_split(kernel, group):
    record, state = l7.heap_state(kernel, group, "lab8.buddy_split")
    got = words(record, "split", 4)
    m_got, j, a = int(got[0]), int(got[1]), int(got[2], 16)
    m, order = am.buddy_split_model(record.boot.token, j)
    if m_got != m or not m <= j <= am.BUDDY_MAX_ORDER:
        fail("lab8.buddy_split reports depth %d and a split of order %d; the token draws depth "
             "%d, and the block split is of that order or more." % (m_got, j, m),
             boot=record.boot)
    if off(a) % (am.PAGE << j) or not in_heap(state, a, am.PAGE << j):
        fail("wrong value: kmalloc(1) split a block of order %d and returned %#x: not its "
             "first page (aligned to %d), so some split kept an upper half." % (
                 j, a, am.PAGE << j), boot=record.boot)
    halves = hexes(record, "halves", j) if j else []
    want = [a + (am.PAGE << k) for k in order]
    if halves != want:
        fail("wrong value: the blocks of orders %s allocated after the split are %s; the "
             "upper halves of the split are %s." % (
                 order, " ".join("%#x" % v for v in halves),
                 " ".join("%#x" % v for v in want)), boot=record.boot)


def check_buddy_merge(kernel, group):
    record, state = l7.heap_state(kernel, group, "lab8.buddy_merge")
    orders = am.buddy_merge_model(record.boot.token)
    if words(record, "orders", len(orders)) != [str(k) for k in orders]:
        fail("lab8.buddy_merge allocated orders %s; the token draws %s." % (
            record.values.get("orders"), " ".join(map(str, orders))), boot=record.boot)
    for k, va in zip(orders, hexes(record, "blocks", len(orders))):
        if off(va) % (am.PAGE << k) or not in_heap(state, va, am.PAGE << k):
            fail("wrong value: the block of order %d at %#x is not aligned to %d from "
                 "HEAP_BASE, or outside the mapped heap." % (k, va, am.PAGE << k),
                 boot=record.boot)


def check_buddy_cascade(kernel, group):
    record = kernel.expect_pass(group, "lab8.buddy_cascade")
    k, steps = am.cascade_model(record.boot.token)
    for key, order, (va, mapped, counts) in zip(("first", "second"), (0, k), steps):
        got = words(record, key)
        want = ["%016x" % va, str(mapped)] + counts.split()
        if got != want:
            fail("wrong value: in a fresh heap (default limit, a %d-page table), after "
                 "kmalloc(%d) and kfree lab8.buddy_cascade reports block %s, %s bytes mapped, "
                 "free blocks (order:count) %s; the buddy rules give block %#x, %d bytes "
                 "mapped, free blocks %s." % (
                     am.BuddyModel(hp.HEAP_LIMIT_DEFAULT).table_pages, am.PAGE << order,
                     got[0], got[1] if len(got) > 1 else "?", " ".join(got[2:]), va, mapped,
                     counts), boot=record.boot)


def check_double_free_merged(kernel, group):
    name = "lab8.buddy_double_free_merged"
    l7.check_double_free(kernel, group, name)
    record = kernel.record(group, name)
    k, first = am.double_free_merged_model(record.boot.token)
    pair = hexes(record, "pair", 2)
    (ptr,) = hexes(record, "ptr", 1)
    if off(pair[0]) ^ off(pair[1]) != am.PAGE << k or ptr != max(pair):
        fail("wrong value: the token draws two blocks of order %d, the upper one freed again; "
             "the test reports blocks %s and freed again %#x." % (
                 k, " ".join("%#x" % v for v in pair), ptr), boot=record.boot)


# ---- The heap map at the hold (buddy and slab). ----

def check_view(kernel, group, name, design):
    record, state = l7.heap_state(kernel, group, name)
    boot = record.boot
    desc = state.get("desc")
    if not desc or desc["pages"] is None:
        fail("wrong value: at the hold the grader could not read heap_pages_table (%s)." % (
            "no such symbols" if not desc else "table %#x, %d descriptors, heap_brk %#x" % (
                desc["table"], desc["count"], desc["brk"])), boot=boot)
    pages, table = desc["pages"], desc["table"]
    t_addr, t_count, t_mapped = words(record, "table", 3)
    if (int(t_addr, 16), int(t_count), int(t_mapped)) != (
            table, desc["count"], desc["brk"] - hp.HEAP_BASE):
        fail("wrong value: the kernel says heap_pages_table %s, %s descriptors, %s bytes "
             "mapped; the grader reads %#x, %d and %d." % (
                 t_addr, t_count, t_mapped, table, desc["count"], desc["brk"] - hp.HEAP_BASE),
             boot=boot)

    def where(i):
        return "page %d (%#x)" % (i, hp.HEAP_BASE + i * am.PAGE)

    # The table's own pages are HP_META, and no other page is.
    t_first = off(table) // am.PAGE
    t_pages = am.align_up(desc["count"] * am.DESC.size, am.PAGE) // am.PAGE
    for i, d in enumerate(pages):
        if (d["kind"] == am.HP_META) != (t_first <= i < t_first + t_pages):
            fail("wrong value: %s is %s in the descriptors the grader read; exactly the "
                 "table's %d pages from %#x are HP_META." % (
                     where(i), am.kind_name(d["kind"]), t_pages, table), boot=boot)
    # Every other mapped page lies in exactly one aligned block that starts with its kind.
    free, i = {}, 0
    while i < len(pages):
        d = pages[i]
        if d["kind"] == am.HP_META:
            i += 1
            continue
        if d["kind"] not in (am.HP_BUDDY_FREE, am.HP_BUDDY_USED, am.HP_SLAB) or \
                (d["kind"] == am.HP_SLAB and design != "slab"):
            fail("wrong value: %s is %s, but no block covers it: after the pages before it, "
                 "a free or allocated buddy block%s must start here." % (
                     where(i), am.kind_name(d["kind"]),
                     " (or a slab)" if design == "slab" else ""), boot=boot)
        k = 0 if d["kind"] == am.HP_SLAB else d["order"]
        if k > am.BUDDY_MAX_ORDER or i % (1 << k) or i + (1 << k) > len(pages):
            fail("wrong value: %s starts a block of order %d: misaligned, or past the %d "
                 "mapped pages." % (where(i), k, len(pages)), boot=boot)
        inner = next((j for j in range(i + 1, i + (1 << k)) if pages[j]["kind"] != am.HP_NONE),
                     None)
        if inner is not None:
            fail("wrong value: %s lies inside the block of order %d at %s, yet is %s, not "
                 "HP_NONE." % (where(inner), k, where(i), am.kind_name(pages[inner]["kind"])),
                 boot=boot)
        if d["kind"] == am.HP_BUDDY_FREE:
            free[i] = k
        i += 1 << k
    # The same free blocks as the kernel printed, counted as buddy_free_counts says.
    printed = set()
    for n in range(len(record.values)):
        line = record.values.get("free%d" % n)
        if line is None:
            break
        for w in line.split():
            if w != "none":
                o, va = w.split(":")
                printed.add((int(o), int(va, 16)))
    read = {(k, hp.HEAP_BASE + i * am.PAGE) for i, k in free.items()}
    if printed != read:
        fail("wrong value: the kernel printed free blocks the grader does not find in the "
             "descriptors: %s; and the descriptors show free blocks the kernel did not print: "
             "%s (order:address)." % (
                 " ".join("%d:%#x" % b for b in sorted(printed - read)[:6]) or "none",
                 " ".join("%d:%#x" % b for b in sorted(read - printed)[:6]) or "none"),
             boot=boot)
    counts = {}
    for k in free.values():
        counts[k] = counts.get(k, 0) + 1
    if " ".join(words(record, "counts")) != am.counts_text(counts):
        fail("wrong value: buddy_free_counts says %s, the descriptors show %s free blocks "
             "(order:count)." % (record.values.get("counts"), am.counts_text(counts)),
             boot=boot)
    for i, k in free.items():
        b = i ^ (1 << k)
        if free.get(b) == k:
            fail("wrong value: the free blocks at %s and %s, of order %d, are buddies that "
                 "were never merged." % (where(min(i, b)), where(max(i, b)), k), boot=boot)
    check_free_lists(pages, table, free, boot, where)
    # Live blocks are allocated blocks of their order (buddy) or objects of their slab.
    for w in words(record, "live"):
        tag, va = w.split(":")
        tag, va = int(tag), int(va, 16)
        i = off(va) // am.PAGE
        d = pages[i] if 0 <= i < len(pages) else None
        ok = d is not None and (
            (design == "buddy" and d["kind"] == am.HP_BUDDY_USED and d["order"] == tag and
             off(va) % (am.PAGE << tag) == 0) or
            (design == "slab" and va % (am.FIXED_MIN << tag) == 0 and (
                (d["kind"] == am.HP_SLAB and d["cls"] == tag and d["inuse"] > 0))))
        if not ok:
            fail("wrong value: the live %s at %#x has descriptor %s order %s cls %s." % (
                "block of order %d" % tag if design == "buddy" else
                "%d-byte object" % (am.FIXED_MIN << tag), va,
                am.kind_name(d["kind"]) if d else "(outside the map)",
                d["order"] if d else "-", d["cls"] if d else "-"), boot=boot)
    if design == "slab":
        check_slabs(record, pages, boot, where)
    for va, (bad, value) in sorted(desc["poison"].items()):
        if bad is not None:
            fail("wrong value: the free page %#x holds %s at byte %s, not HEAP_POISON (0x6b) "
                 "as every byte of a free block does." % (
                     va, "no mapping" if bad == "unmapped" else "%#04x" % value, bad),
                 boot=boot)


def check_free_lists(pages, table, free, boot, where):
    """Each order's free blocks form one doubly linked list of their descriptors."""
    def index(ptr):
        at = ptr - table
        return at // am.DESC.size if 0 <= at < len(pages) * am.DESC.size and \
            at % am.DESC.size == 0 else None
    for order in sorted(set(free.values())):
        members = [i for i, k in free.items() if k == order]
        heads = [i for i in members if index(pages[i]["prev"]) is None]
        for i in members:
            for link, back in (("next", "prev"), ("prev", "next")):
                t = index(pages[i][link])
                if t is None:
                    continue
                if free.get(t) != order or index(pages[t][back]) != i:
                    fail("wrong value: the free block at %s (order %d) has %s = %#x, the "
                         "descriptor of %s, which is %s of order %d with %s = %#x: the list "
                         "of order %d is not linked both ways." % (
                             where(i), order, link, pages[i][link], where(t),
                             am.kind_name(pages[t]["kind"]), pages[t]["order"], back,
                             pages[t][back], order), boot=boot)
        seen, at = [], heads[0] if len(heads) == 1 else None
        while at is not None and at not in seen:
            seen.append(at)
            at = index(pages[at]["next"])
        if len(heads) != 1 or sorted(seen) != sorted(members):
            fail("wrong value: the %d free blocks of order %d do not form one list: %d have no "
                 "predecessor, and following next from the first reaches %d of them." % (
                     len(members), order, len(heads), len(seen)), boot=boot)


def check_slabs(record, pages, boot, where):
    """Each cache's slabs as the descriptors show them, against slab_cache_info."""
    caches = words(record, "caches", am.CLASSES)
    for c, text in enumerate(caches):
        slabs, empty, inuse = (int(v) for v in text.split(":"))
        cs = am.FIXED_MIN << c
        mine = [(i, d) for i, d in enumerate(pages) if d["kind"] == am.HP_SLAB and d["cls"] == c]
        got = (len(mine), sum(1 for _, d in mine if d["inuse"] == 0),
               sum(d["inuse"] for _, d in mine))
        if got != (slabs, empty, inuse) or empty > am.SLAB_KEEP_EMPTY:
            fail("wrong value: slab_cache_info(%d) says %d slabs, %d empty, %d objects out; "
                 "the descriptors show %d HP_SLAB pages of cls %d, %d with no object out, %d "
                 "objects out (at most %d empty slab is kept)." % (
                     c, slabs, empty, inuse, got[0], c, got[1], got[2], am.SLAB_KEEP_EMPTY),
                 boot=boot)
        for i, d in mine:
            page = hp.HEAP_BASE + i * am.PAGE
            fl = d["freelist"]
            full = d["inuse"] == am.PAGE // cs
            if d["inuse"] > am.PAGE // cs or (fl == 0) != full or \
                    (fl and (fl & ~(am.PAGE - 1) != page or (fl - page) % cs)):
                fail("wrong value: the slab at %s (%d-byte objects) has %d objects out and "
                     "freelist %#x: the free list holds an object of this slab exactly when "
                     "one is free." % (where(i), cs, d["inuse"], fl), boot=boot)


# ---- Small heap ----

def check_reuse(kernel, group):
    record = kernel.expect_pass(group, "lab8.reuse")
    total, count = am.reuse_model(record.boot.token, SMALL_HEAP)
    got = words(record, "total", 3)
    if got != [str(total), str(count), str(SMALL_HEAP)]:
        fail("wrong value: lab8.reuse reports %s (total, count, limit); the token and heap=%dK "
             "give %d %d %d." % (" ".join(got), SMALL_HEAP >> 10, total, count, SMALL_HEAP),
             boot=record.boot)


# ---- The graded tests: (design, id, points, title, check) ----

def contract(check, test):
    return lambda kernel, d: check(kernel, contract_group(d, test)) if check else \
        kernel.expect_pass(contract_group(d, test), test)


def contract_group(design, test):
    return FRESH[design] if test == "lab7.values" and design == "bump" else HEAP[design]


CONTRACT_CHECKS = [
    ("values", 1, "lab7.values: blocks of many sizes, all live at once, read back",
     contract(l7.check_values, "lab7.values")),
    ("array", 1, "lab7.array: a krealloc-grown array of 1000 drawn elements sums right",
     contract(l7.check_array, None)),
    ("align", 1, "lab7.align: every alignment from 8 to 4096 holds, inside the heap",
     contract(l7.check_align, None)),
    ("edges", 1, "lab7.edges: refused requests return NULL before reaching the allocator",
     contract(None, "lab7.edges")),
    ("calloc", 1, "lab7.calloc: kcalloc zeroes, and refuses products that overflow",
     contract(None, "lab7.calloc")),
    ("realloc", 1, "lab7.realloc: grow, shrink, 0 and failure, contents kept",
     contract(None, "lab7.realloc")),
    ("readback", 1, "lab7.readback: live blocks hold the token's pattern in their frames",
     contract(l7.check_readback, None)),
    ("mapping", 1, "lab7.readback's hold: heap pages HEAP_BASE..heap_brk, 4 KiB, W, NX",
     contract(l7.check_mapping, None)),
]
PANIC_CHECKS = [
    ("double_free", 1, "lab7.double_free: freeing a block twice panics naming it",
     lambda k, d: l7.check_double_free(k, PANICS[d, "lab7.double_free"], "lab7.double_free")),
    ("use_after_free", 1, "lab7.use_after_free_last: a write after free is found by address",
     lambda k, d: l7.check_write_after_free(k, PANICS[d, "lab7.use_after_free_last"],
                                            "lab7.use_after_free_last")),
    ("bad_free", 1, "lab7.bad_free: kfree inside a live block panics as a bad pointer",
     lambda k, d: l7.check_bad_free(k, PANICS[d, "lab7.bad_free"], "lab7.bad_free")),
]
SMALL_CHECKS = [
    ("irq", 1, "lab7.irq at hz=1000: the timer handler allocates too, nothing corrupted",
     lambda k, d: l7.check_irq(k, IRQ[d])),
    ("reuse", 2, "heap=256K: ten times the heap allocated and freed around a long-lived block",
     lambda k, d: check_reuse(k, SMALL[d])),
]
OWN_CHECKS = {
    "bump": [
        ("layout", 5, "every block where alloc.h's rule puts it, header included",
         lambda k, d: check_bump_layout(k, FRESH[d])),
        ("reset", 4, "nothing reused while a block lives; the last free starts at the start",
         lambda k, d: check_bump_reset(k, FRESH[d])),
    ],
    "fixed": [
        ("classes", 4, "each request gets the smallest class: usable size, alignment, HP_FIXED",
         lambda k, d: check_classes(k, HEAP[d], "lab8.fixed_classes")),
        ("lifo", 3, "freed blocks of a class come back last freed first, tagged and poisoned",
         lambda k, d: check_lifo(k, HEAP[d], "lab8.fixed_lifo", am.CLASSES - 1)),
        ("large", 3, "requests above 2048 bytes or 2048 alignment go to the first-fit list",
         lambda k, d: check_large(k, HEAP[d], "lab8.fixed_large", d)),
    ],
    "buddy": [
        ("orders", 3, "blocks of the smallest order: usable PAGE_SIZE << k, aligned to it",
         lambda k, d: check_buddy_orders(k, HEAP[d])),
        ("split", 3, "a split keeps the lower half; the upper halves are the next blocks",
         lambda k, d: check_buddy_split(k, HEAP[d])),
        ("merge", 3, "freeing in a drawn order merges every buddy back",
         lambda k, d: check_buddy_merge(k, HEAP[d])),
        ("cascade", 2, "a fresh heap's first blocks and free blocks, as the buddy rules predict",
         lambda k, d: check_buddy_cascade(k, FRESH[d])),
        ("double_free_merged", 1, "freeing again a block merged with its buddy is a double free",
         lambda k, d: check_double_free_merged(k, FRESH[d])),
        ("view", 2, "the page descriptors at the hold: the same free blocks, a consistent map",
         lambda k, d: check_view(k, HEAP[d], "lab8.buddy_view", d)),
    ],
    "slab": [
        ("caches", 3, "each request gets the smallest cache: usable size, alignment, HP_SLAB",
         lambda k, d: check_classes(k, HEAP[d], "lab8.slab_caches")),
        ("lifo", 3, "freed objects of a slab come back last freed first, tagged and poisoned",
         lambda k, d: check_lifo(k, HEAP[d], "lab8.slab_lifo", am.CLASSES - 2)),
        ("fill", 4, "a slab fills before the next; empty slabs go back to the buddy but one",
         lambda k, d: check_slab_fill(k, HEAP[d])),
        ("large", 2, "requests no cache holds are buddy blocks of the smallest order",
         lambda k, d: check_large(k, HEAP[d], "lab8.slab_large", d)),
        ("view", 2, "the page descriptors at the hold: free blocks, slabs as slab_cache_info says",
         lambda k, d: check_view(k, HEAP[d], "lab8.slab_view", d)),
    ],
}


def group_of(design, check):
    """The group a graded test's boot belongs to (for pytest-xdist's loadgroup)."""
    if check == "values":
        return contract_group(design, "lab7.values")
    if check in dict((c[0], 1) for c in CONTRACT_CHECKS) or check in ("classes", "lifo",
                                                                      "large", "orders",
                                                                      "split", "merge", "view",
                                                                      "caches", "fill"):
        return HEAP[design]
    if check in ("layout", "reset", "cascade", "double_free_merged"):
        return FRESH[design]
    if check == "irq":
        return IRQ[design]
    if check == "reuse":
        return SMALL[design]
    return PANICS[design, {"double_free": "lab7.double_free",
                           "use_after_free": "lab7.use_after_free_last",
                           "bad_free": "lab7.bad_free"}[check]]


def _define(design, check, points, title, run):
    def test(kernel):
        run(kernel, design)
    name = "test_%s_%s" % (design, check)
    test.__name__ = test.__qualname__ = name
    test.__doc__ = "%s: %s" % (design, title)
    test = group_of(design, check).mark(pytest.mark.points(points)(test))
    globals()[name] = test


for _design in DESIGNS:
    _checks = CONTRACT_CHECKS + PANIC_CHECKS + (SMALL_CHECKS if _design != "bump" else []) + \
        OWN_CHECKS[_design]
    for _check in _checks:
        _define(_design, *_check)
del _design, _checks, _check
