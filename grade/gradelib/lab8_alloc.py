"""Lab 8's models and oracles: what each design's tests drew, and the page descriptors as read.

The in-kernel tests (kernel/tests/lab8_tests.c) draw their sizes, orders and free orders from the
token; the functions here draw the same, in the same order, so the grader knows what each test
asked for. bump's addresses follow from alloc.h's layout rule alone, so they are recomputed
exactly; buddy's fresh-heap cascade is replayed on a small model of the buddy allocator (free
lists newest first, splits keeping the lower half, growth to an aligned block). At the hold of a
buddy or slab boot the grader reads heap_pages_table itself (the 32-byte struct heap_page of
alloc.h, through gva2gpa and pmemsave) and a sample of the free blocks' bytes.
"""

import struct

from . import lab6_paging as pg
from . import lab7_heap as hp
from .rng import test_rng

PAGE = 4096
BUMP_HDR = 16
FIXED_MIN = 16
CLASSES = 8
BUDDY_MAX_ORDER = 18                  # HEAP_REGION_SIZE / PAGE_SIZE = 2**18
BUDDY_GROW = 64 << 10
SLAB_KEEP_EMPTY = 1
DESC = struct.Struct("<BBHIQQQ")      # struct heap_page: kind order cls inuse freelist next prev
HP_NONE, HP_META, HP_BUDDY_FREE, HP_BUDDY_USED, HP_FIXED, HP_SLAB = range(6)
KINDS = ["HP_NONE", "HP_META", "HP_BUDDY_FREE", "HP_BUDDY_USED", "HP_FIXED", "HP_SLAB"]
PERMS = ["abc", "acb", "bac", "bca", "cab", "cba"]
CLASS_EDGES = [1, 16, 17, 1024, 1025, 2048]


def align_up(n, a):
    return (n + a - 1) // a * a


def kind_name(k):
    return KINDS[k] if 0 <= k < len(KINDS) else "kind %d" % k


def shuffle(rng, n):
    """The kernel's shuffle(): Fisher-Yates from the top."""
    a = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.below(i + 1)
        a[i], a[j] = a[j], a[i]
    return a


def class_of(size, align):
    """The class (fixed) or cache (slab) index for a request, or None above 2048."""
    need = max(size, align)
    for c in range(CLASSES):
        if FIXED_MIN << c >= need:
            return c
    return None


def order_of(size):
    k = 0
    while PAGE << k < size:
        k += 1
    return k


def counts_text(counts):
    """buddy_free_counts as the kernel prints it: "order:count" words, or "none"."""
    words = ["%d:%d" % (k, c) for k, c in sorted(counts.items()) if c]
    return " ".join(words) or "none"


# ---- What the tests drew. ----

def bump_place(end, sizes, aligns):
    """alloc.h's bump rule: the addresses of blocks placed after end, and the new end."""
    out = []
    for size, align in zip(sizes, aligns):
        p = align_up(end + BUMP_HDR, align)
        out.append(p)
        end = p + align_up(size, 16)
    return out, end


def bump_layout_model(token):
    """{"blocks": [...], "big": address} for lab8.bump_layout."""
    rng = test_rng(token, "lab8.bump_layout")
    n = 6 + rng.below(7)
    sizes, aligns = [], []
    for _ in range(n):
        sizes.append(1 + rng.below(6000))
        aligns.append(16 << rng.below(9))
    blocks, _ = bump_place(hp.HEAP_BASE, sizes, aligns)
    return {"sizes": sizes, "aligns": aligns, "blocks": blocks, "big": hp.HEAP_BASE + BUMP_HDR}


def bump_reset_model(token):
    """The addresses lab8.bump_reset must see: its blocks, the next one, the one after reset."""
    rng = test_rng(token, "lab8.bump_reset")
    n = 4 + rng.below(5)
    sizes = [1 + rng.below(3000) for _ in range(n)]
    keep = rng.below(n)
    shuffle(rng, n)
    nsize = 1 + rng.below(3000)
    rng.below(2)
    rsize = 1 + rng.below(3000)
    ralign = 16 << rng.below(9)
    blocks, end = bump_place(hp.HEAP_BASE, sizes, [16] * n)
    (nxt,), _ = bump_place(end, [nsize], [16])
    (reset,), _ = bump_place(hp.HEAP_BASE, [rsize], [ralign])
    return {"sizes": sizes, "keep": keep, "blocks": blocks, "next": nxt, "nsize": nsize,
            "reset": reset, "rsize": rsize, "ralign": ralign}


def classes_model(token, name):
    """[(size, align, class size)] of the 20 requests of lab8.fixed_classes or slab_caches."""
    rng = test_rng(token, name)
    out = []
    for i in range(20):
        if i < len(CLASS_EDGES):
            size, align = CLASS_EDGES[i], 16
        else:
            size = 1 + rng.below(2048)
            align = 16 << rng.below(8)
        out.append((size, align, FIXED_MIN << class_of(size, align)))
    return out


def lifo_model(token, name, max_class):
    """(class, three sizes, free order) of lab8.fixed_lifo or slab_lifo."""
    rng = test_rng(token, name)
    c = rng.below(max_class + 1)
    cs = FIXED_MIN << c
    sizes = [cs // 2 + 1 + rng.below(cs - cs // 2) for _ in range(3)]
    return c, sizes, PERMS[rng.below(6)]


def large_model(token, name):
    """[(size, align)] of lab8.fixed_large or slab_large."""
    rng = test_rng(token, name)
    out = []
    for i in range(8):
        out.append((2049 + rng.below(14000), 16) if i < 6 else (1 + rng.below(4096), PAGE))
    return out


def buddy_orders_model(token):
    """[(size, align, order)] of lab8.buddy_orders."""
    rng = test_rng(token, "lab8.buddy_orders")
    out = []
    for _ in range(12):
        bound = rng.below(7)
        size = 1 + rng.below(PAGE << bound)
        out.append((size, 16 << rng.below(9), order_of(size)))
    return out


def buddy_split_model(token, j):
    """(m, the order in which the halves below order j were allocated) of lab8.buddy_split."""
    rng = test_rng(token, "lab8.buddy_split")
    m = 1 + rng.below(5)
    return m, shuffle(rng, j) if 0 <= j <= BUDDY_MAX_ORDER else []


def buddy_merge_model(token):
    rng = test_rng(token, "lab8.buddy_merge")
    return [rng.below(5) for _ in range(16)]


def double_free_merged_model(token):
    """(order, which is freed first) of lab8.buddy_double_free_merged; the upper buddy is the
    one freed again."""
    rng = test_rng(token, "lab8.buddy_double_free_merged")
    return rng.below(4), rng.below(2)


def buddy_view_model(token):
    """[(order, index in allocation order)] of the blocks lab8.buddy_view keeps live."""
    rng = test_rng(token, "lab8.buddy_view")
    sizes = []
    for _ in range(8):
        bound = rng.below(4)
        sizes.append(1 + rng.below(PAGE << bound))
    order = shuffle(rng, 8)
    return [(order_of(sizes[i]), i) for i in order[4:]]


def slab_view_model(token):
    """[(cache, index in allocation order)] of the objects lab8.slab_view keeps live."""
    rng = test_rng(token, "lab8.slab_view")
    caches = []
    for _ in range(8):
        c = rng.below(CLASSES)
        cs = FIXED_MIN << c
        rng.below(cs - cs // 2)
        caches.append(c)
    order = shuffle(rng, 8)
    return [(caches[i], i) for i in order[4:]]


def slab_fill_model(token):
    return test_rng(token, "lab8.slab_fill").below(CLASSES)


def reuse_model(token, limit):
    """(bytes, allocations) lab8.reuse reaches in a heap of limit bytes."""
    rng = test_rng(token, "lab8.reuse")
    rng.next()
    total = count = 0
    while total <= 10 * limit:
        n = 2 + rng.below(limit // 32)
        rng.below(4)
        total += n
        count += 1
    return total, count


# ---- A model of the buddy allocator, for a fresh heap. ----

class BuddyModel:
    """alloc.h's buddy rules on page indexes from HEAP_BASE: free lists newest first, a split
    keeps the lower half, a free merges with free buddies, growth to an aligned block."""

    def __init__(self, limit):
        self.limit_pages = limit // PAGE
        self.mapped = align_up(self.limit_pages * 32, PAGE) // PAGE   # the table's pages
        self.table_pages = self.mapped
        self.lists = {k: [] for k in range(BUDDY_MAX_ORDER + 1)}      # head first
        self.free = {}                                                # index -> order

    def _push(self, idx, k):
        self.lists[k].insert(0, idx)
        self.free[idx] = k

    def _insert(self, idx, k):
        while k < BUDDY_MAX_ORDER:
            b = idx ^ (1 << k)
            if b >= self.mapped or self.free.get(b) != k:
                break
            self.lists[k].remove(b)
            del self.free[b]
            idx &= b
            k += 1
        self._push(idx, k)

    def _grow(self, k):
        blk = 1 << k
        want = align_up(self.mapped, blk) - self.mapped + blk
        pages = want
        if want < BUDDY_GROW // PAGE and self.mapped + BUDDY_GROW // PAGE <= self.limit_pages:
            pages = BUDDY_GROW // PAGE
        if self.mapped + pages > self.limit_pages:
            return False
        idx, end = self.mapped, self.mapped + pages
        self.mapped = end
        while idx < end:
            j = min((idx & -idx).bit_length() - 1 if idx else BUDDY_MAX_ORDER, BUDDY_MAX_ORDER)
            while idx + (1 << j) > end:
                j -= 1
            self._insert(idx, j)
            idx += 1 << j
        return True

    def alloc(self, k):
        """The page index of a new block of order k, or None."""
        j = next((j for j in range(k, BUDDY_MAX_ORDER + 1) if self.lists[j]), None)
        if j is None:
            if not self._grow(k):
                return None
            j = next(j for j in range(k, BUDDY_MAX_ORDER + 1) if self.lists[j])
        idx = self.lists[j].pop(0)
        del self.free[idx]
        while j > k:
            j -= 1
            self._push(idx + (1 << j), j)
        return idx

    def release(self, idx, k):
        self._insert(idx, k)

    def counts(self):
        return {k: len(v) for k, v in self.lists.items() if v}


def cascade_model(token, limit=hp.HEAP_LIMIT_DEFAULT):
    """[(address, bytes mapped, counts text)] for lab8.buddy_cascade's two steps."""
    k = test_rng(token, "lab8.buddy_cascade").below(7)
    model = BuddyModel(limit)
    out = []
    for order in (0, k):
        idx = model.alloc(order)
        model.release(idx, order)
        out.append((hp.HEAP_BASE + idx * PAGE, model.mapped * PAGE, counts_text(model.counts())))
    return k, out


# ---- The page descriptors, read at the hold. ----

def read_table(machine):
    """At the hold: heap_pages_table, heap_pages_count, heap_brk, and the descriptors of the
    mapped pages as dicts (None when the table does not exist or cannot be read)."""
    symbols = machine.settings.symbols
    at = {name: symbols.address(name) for name in
          ("heap_pages_table", "heap_pages_count", "heap_brk")}
    if not all(at.values()):
        return None
    table, count, brk = (hp.read_u64(machine, at[n]) for n in
                         ("heap_pages_table", "heap_pages_count", "heap_brk"))
    state = {"table": table, "count": count, "brk": brk, "pages": None, "poison": {}}
    pages = (brk - hp.HEAP_BASE) // PAGE
    if not table or not pg.canonical(table) or not 0 < pages <= count <= 1 << 18:
        return state
    data, _ = hp.read_block(machine, table, pages * DESC.size)
    if data is None:
        return state
    state["pages"] = [dict(zip(("kind", "order", "cls", "inuse", "freelist", "next", "prev"),
                               DESC.unpack_from(data, i * DESC.size))) for i in range(pages)]
    # A sample of free blocks' bytes: the first and last page of the two lowest and two
    # highest free blocks.
    free = [i for i, d in enumerate(state["pages"]) if d["kind"] == HP_BUDDY_FREE]
    for i in sorted(set(free[:2] + free[-2:])):
        last = i + (1 << min(state["pages"][i]["order"], BUDDY_MAX_ORDER)) - 1
        for page in sorted({i, min(last, pages - 1)}):
            va = hp.HEAP_BASE + page * PAGE
            data, _ = hp.read_block(machine, va, PAGE)
            bad = None if data is None else next(
                (k for k, b in enumerate(data) if b != hp.HEAP_POISON), None)
            state["poison"][va] = ("unmapped", None) if data is None else (bad, data[bad] if
                                                                           bad is not None
                                                                           else None)
    return state
