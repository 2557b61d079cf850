# kernel_gdb.py: GDB commands that show the kernel's own structures, loaded by .gdbinit.
#
# Everything hangs off one prefix command, `kernel` (`help kernel` lists the subcommands). Each
# subcommand reads the kernel's variables through the debug information (struct layouts, static
# variables of a given file), never through hard-coded offsets, and checks first that its
# structure exists in this build: a lab 5 kernel has no heap, and `kernel heap` says so. The lab
# of the build is found from symbols each chapter adds (lab_of_kernel()).
#
# Physical memory (page tables) is read through QEMU's gdbstub in physical mode
# (`maintenance packet Qqemu.PhyMemMode:1`, switched back to 0 right after), or, when the stub
# does not offer that, through the kernel's direct map (DIRECT_MAP_BASE in kernel/mm/layout.h).
import os
import re
import struct

import gdb

HERE = os.path.dirname(os.path.abspath(__file__))
LAYOUT_H = os.path.join(HERE, "..", "..", "kernel", "mm", "layout.h")


def layout_constants():
    """The #defines of kernel/mm/layout.h that are plain numbers (macros are not in -g info)."""
    consts = {"KERNEL_VMA": 0xffffffff80000000, "DIRECT_MAP_BASE": 0xffff800000000000,
              "HEAP_BASE": 0xffffff8000000000, "HEAP_REGION_SIZE": 0x40000000}
    try:
        with open(LAYOUT_H) as f:
            for m in re.finditer(r"^#define\s+(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", f.read(), re.M):
                consts[m.group(1)] = int(m.group(2), 0)
    except OSError:
        pass
    return consts


LAYOUT = layout_constants()

# Which symbol each chapter adds: the kernel is lab N when N's symbol is the last one present.
LAB_MARKERS = [(2, "vga_con"), (3, "idt"), (4, "tss"), (5, "irq_count"), (6, "kernel_pml4"),
               (7, "heap_brk"), (8, "heap_pages_table"), (9, "tasks_live")]


class Missing(gdb.GdbError):
    """The structure a command shows is not in this kernel (an earlier lab)."""


# ---- Symbols -----------------------------------------------------------------------------------

def find_var(name, file=None):
    """The symbol of a global or file-static variable, optionally of the source file ending in
    file (several files have a static free_lists), or None."""
    cands = []
    if file is None:
        s = gdb.lookup_global_symbol(name)
        if s is not None:
            return s
    try:
        cands = gdb.lookup_static_symbols(name)
    except AttributeError:  # GDB before 10
        s = gdb.lookup_static_symbol(name)
        cands = [s] if s is not None else []
    if file is None:
        return cands[0] if cands else None
    for s in cands:
        if s.symtab is not None and s.symtab.filename.endswith(file):
            return s
    return None


def var(name, file=None):
    """The value of a variable (see find_var); raises gdb.GdbError if it is missing."""
    s = find_var(name, file)
    if s is None:
        raise gdb.GdbError("no variable %s%s in this kernel" % (name, " in " + file if file else ""))
    return s.value()


def has_symbol(name):
    return find_var(name) is not None or gdb.lookup_global_symbol(name) is not None


def lab_of_kernel():
    """The lab this kernel was built for: the last chapter whose marker symbol exists."""
    lab = 1
    for n, sym in LAB_MARKERS:
        if has_symbol(sym):
            lab = n
    return lab


def require(lab, what, symbol, verb="arrives"):
    """Raise Missing, saying when what arrives, unless symbol (lab's marker) exists."""
    if not has_symbol(symbol):
        raise Missing("%s %s in lab %d; this kernel is lab %d" % (what, verb, lab, lab_of_kernel()))


def symbolize(addr):
    """'name+off' for a code or data address, or '' when no symbol covers it."""
    if addr == 0:
        return ""
    try:
        out = gdb.execute("info symbol %#x" % addr, to_string=True).strip()
    except gdb.error:
        return ""
    if out.startswith("No symbol"):
        return exact_symbols().get(addr, "")
    m = re.match(r"(\S+)(?: \+ (\d+))? in section", out)
    if not m:
        return out
    return m.group(1) + ("+%d" % int(m.group(2)) if m.group(2) else "")


_exact = {}


def exact_symbols():
    """address -> name from kernel.sym beside the ELF (the Makefile writes it), for addresses
    `info symbol` does not cover: a stack's top is the first byte past its section."""
    objs = [o.filename for o in gdb.objfiles() if o.filename]
    if not objs:
        return {}
    path = os.path.join(os.path.dirname(objs[0]), "kernel.sym")
    if path not in _exact:
        table = {}
        try:
            with open(path) as f:
                for line in f:
                    a, _, name = line.split()
                    if not name.startswith("__"):
                        table.setdefault(int(a, 16), name)
        except (OSError, ValueError):
            pass
        _exact[path] = table
    return _exact[path]


def u64(v):
    return int(v.cast(gdb.lookup_type("unsigned long long"))) & (2**64 - 1)


def addr_arg(expr):
    """The address a command-line expression names: a number, a symbol, a pointer."""
    v = gdb.parse_and_eval(expr)
    if v.type.strip_typedefs().code in (gdb.TYPE_CODE_FUNC, gdb.TYPE_CODE_ARRAY):
        v = v.address
    return u64(v)


def fmt_size(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            if n % (1 << shift) == 0:
                return "%d %s" % (n >> shift, unit)
            return "%.1f %s" % (n / (1 << shift), unit)
    return "%d B" % n


# ---- Physical memory and page tables -----------------------------------------------------------

PTE_P, PTE_W, PTE_U, PTE_PWT, PTE_PCD, PTE_A, PTE_D, PTE_PS, PTE_G = (1 << i for i in range(9))
PTE_NX = 1 << 63
PTE_ADDR = 0x000ffffffffff000
FLAG_NAMES = [(PTE_P, "P"), (PTE_W, "W"), (PTE_U, "U"), (PTE_PWT, "PWT"), (PTE_PCD, "PCD"),
              (PTE_A, "A"), (PTE_D, "D"), (PTE_PS, "PS"), (PTE_G, "G"), (PTE_NX, "NX")]
LEVELS = [("PML4", 39), ("PDPT", 30), ("PD", 21), ("PT", 12)]


def flag_str(e):
    return " ".join(n for bit, n in FLAG_NAMES if e & bit) or "-"


class Phys:
    """Reads physical memory for one command: QEMU's physical mode when the stub has it, the
    direct map otherwise. Tables are cached for the command's duration."""

    mode = None  # "qemu" or "directmap", probed once per session

    def __init__(self):
        self.tables = {}
        if Phys.mode is None:
            Phys.mode = "qemu" if self._packet(1) else "directmap"
            self._packet(0)

    @staticmethod
    def _packet(on):
        try:
            out = gdb.execute("maintenance packet Qqemu.PhyMemMode:%d" % on, to_string=True)
        except gdb.error:
            return False
        return 'received: "OK"' in out

    def how(self):
        if Phys.mode == "qemu":
            return "physical memory read through QEMU's gdbstub (Qqemu.PhyMemMode)"
        return "physical memory read through the direct map at %#x" % LAYOUT["DIRECT_MAP_BASE"]

    def read(self, pa, n):
        inf = gdb.selected_inferior()
        if Phys.mode == "qemu":
            self._packet(1)
            try:
                return bytes(inf.read_memory(pa, n))
            finally:
                self._packet(0)
        return bytes(inf.read_memory(LAYOUT["DIRECT_MAP_BASE"] + pa, n))

    def table(self, pa):
        """The 512 entries of the page table at physical address pa."""
        if pa not in self.tables:
            try:
                self.tables[pa] = struct.unpack("<512Q", self.read(pa, 4096))
            except gdb.MemoryError:
                raise gdb.GdbError("cannot read the page table at physical %#x" % pa)
        return self.tables[pa]


def paging_root():
    """CR3's PML4 address, or an error when paging is off (early boot.S)."""
    try:
        cr0 = int(gdb.parse_and_eval("$cr0"))
        cr3 = int(gdb.parse_and_eval("$cr3"))
    except gdb.error:
        raise gdb.GdbError("this GDB stub shows no $cr0/$cr3 (QEMU's does; is the target QEMU?)")
    if not cr0 & (1 << 31):
        raise gdb.GdbError("paging is off (CR0.PG = 0): boot.S has not enabled it yet")
    return cr3, cr3 & PTE_ADDR


def canonical(va):
    return va < (1 << 47) or va >= 2**64 - (1 << 47)


def sign_extend(va):
    return va | (0xffff << 48) if va & (1 << 47) else va


def perms(entries):
    """Effective permissions of a leaf reached through entries (all levels' flags combine)."""
    w = all(e & PTE_W for e in entries)
    u = all(e & PTE_U for e in entries)
    nx = any(e & PTE_NX for e in entries)
    return w, u, nx


def perm_str(w, u, nx):
    return "%s %s %s" % ("W" if w else "R", "U" if u else "S", "NX" if nx else "X")


class KernelPrefix(gdb.Command):
    """Commands that show the kernel's own structures (tools/gdb/kernel_gdb.py).

kernel lab              which lab this kernel was built for
kernel pagewalk VA      the page-table walk for VA, level by level (any lab)
kernel maps [FROM [TO]] the mapped virtual ranges with their flags (any lab)
kernel idt [all]        the IDT's gates (lab 3 on)
kernel gdt              the GDT's descriptors and the TSS (lab 4 on)
kernel tss              the TSS: RSP0..2 and IST1..7 with symbols (lab 4 on)
kernel frames           the frame allocator's counts (lab 6 on)
kernel heap [all]       the heap: the design in use, its free list or classes (lab 7 on)
kernel tasks            the executor's tasks and their states (lab 9 on)

Addresses may be any GDB expression: kernel pagewalk kmain, kernel pagewalk $rsp."""

    def __init__(self):
        super().__init__("kernel", gdb.COMMAND_DATA, gdb.COMPLETE_COMMAND, True)

    def invoke(self, arg, from_tty):
        gdb.execute("help kernel")


class Sub(gdb.Command):
    name = None

    def __init__(self):
        super().__init__("kernel " + self.name, gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        try:
            self.run(arg.split())
        except Missing as e:
            print("kernel %s: %s" % (self.name, e))


class Lab(Sub):
    """Which lab this kernel was built for, from the symbols each chapter adds."""
    name = "lab"

    def run(self, args):
        lab = lab_of_kernel()
        have = [s for n, s in LAB_MARKERS if n <= lab]
        print("this kernel is lab %d (chapter symbols present: %s)" % (lab, " ".join(have) or "none"))


class PageWalk(Sub):
    """Walk the page tables CR3 points at for a virtual address: kernel pagewalk VA.

Prints, level by level, the table's index for VA, the entry's value, its flags and the next
table's (or the page's) physical address; where the walk ends (an entry not present, a 1 GiB or
2 MiB page); and the physical address VA translates to with its effective permissions
(R/W, S(upervisor)/U(ser), X/NX). VA is any expression: kmain, $rsp, 0xffff8000000b8000."""
    name = "pagewalk"

    def run(self, args):
        if not args:
            raise gdb.GdbError("usage: kernel pagewalk VA")
        va = addr_arg(" ".join(args))
        sym = symbolize(va)
        idx = [(va >> sh) & 0x1ff for _, sh in LEVELS]
        print("va %#x%s: PML4 %d, PDPT %d, PD %d, PT %d, offset %#x" %
              (va, " <%s>" % sym if sym else "", idx[0], idx[1], idx[2], idx[3], va & 0xfff))
        if not canonical(va):
            print("  not canonical (bits 63..47 differ): #GP before any table is read")
            return
        cr3, table = paging_root()
        phys = Phys()
        print("CR3 %#x: PML4 at phys %#x (%s)" % (cr3, table, phys.how()))
        seen = []
        for level, (name, shift) in enumerate(LEVELS):
            i = (va >> shift) & 0x1ff
            e = phys.table(table)[i]
            seen.append(e)
            label = "%s[%d]" % (name, i)
            if not e & PTE_P:
                print("  %-10s = %#018x  not present: the walk stops, va is unmapped" % (label, e))
                return
            huge = name in ("PDPT", "PD") and e & PTE_PS
            if name == "PT" or huge:
                size = 1 << shift
                base = e & PTE_ADDR & ~(size - 1)
                kind = {30: "1 GiB", 21: "2 MiB", 12: "4 KiB"}[shift]
                print("  %-10s = %#018x  %-16s -> %s page at phys %#x" % (label, e, flag_str(e), kind, base))
                pa = base + (va & (size - 1))
                print("va %#x -> phys %#x (%s page, %s)" % (va, pa, kind, perm_str(*perms(seen))))
                return
            table = e & PTE_ADDR
            nxt = LEVELS[level + 1][0]
            print("  %-10s = %#018x  %-16s -> %s at phys %#x" % (label, e, flag_str(e), nxt, table))


def walk_leaves(phys, root, lo, hi):
    """Yield (va, size, pa, effective perms) for every present leaf that overlaps [lo, hi)."""
    def rec(table, level, base, parents):
        shift = LEVELS[level][1]
        span = 1 << shift
        # Below the top level, skip straight to the first entry that reaches lo.
        first = (lo - base) >> shift if level > 0 and lo > base else 0
        ents = phys.table(table)
        for i in range(first, 512):
            va = base + i * span
            if level == 0:
                va = sign_extend(va)  # entries 256..511 are the upper half
            if va >= hi:
                return
            if va + span <= lo:
                continue
            e = ents[i]
            if not e & PTE_P:
                continue
            chain = parents + [e]
            if level == 3 or (level in (1, 2) and e & PTE_PS):
                yield va, span, e & PTE_ADDR & ~(span - 1), perms(chain), e & PTE_G
            else:
                yield from rec(e & PTE_ADDR, level + 1, va, chain)
    # The lower half (entries 0..255) and the upper half (256..511, sign-extended).
    yield from rec(root, 0, 0, [])


class Maps(Sub):
    """List the mapped virtual ranges with their flags: kernel maps [FROM [TO]].

Walks every present entry of CR3's tables in [FROM, TO) (default: the whole address space;
FROM alone: the one page at FROM) and prints one line per run of pages that are contiguous
in virtual and physical memory and share page size and effective permissions:
  virtual start-end, size, physical start, permissions (R/W, S/U, X/NX), G, page size."""
    name = "maps"

    def run(self, args):
        lo, hi = 0, 2**64
        if len(args) >= 1:
            lo = addr_arg(args[0])
            hi = lo + 1
        if len(args) >= 2:
            hi = addr_arg(args[1])
        cr3, root = paging_root()
        phys = Phys()
        print("mappings of CR3 %#x in %#x..%#x (%s):" % (cr3, lo, hi - 1 if hi else 0, phys.how()))
        runs = []
        for va, size, pa, p, g in walk_leaves(phys, root, lo, hi):
            key = (size, p, bool(g))
            if runs and runs[-1][4] == key and runs[-1][1] == va and runs[-1][3] == pa:
                runs[-1][1] += size
                runs[-1][3] += size
            else:
                runs.append([va, va + size, pa, pa + size, key])
        total = 0
        for start, end, pa, _, (size, p, g) in runs:
            total += end - start
            sym = symbolize(start)
            print("  %#018x-%#018x %10s -> phys %#012x  %s%s  %s pages%s" %
                  (start, end - 1, fmt_size(end - start), pa, perm_str(*p), " G" if g else "  ",
                   {1 << 30: "1 GiB", 1 << 21: "2 MiB", 1 << 12: "4 KiB"}[size],
                   "  <%s>" % sym if sym else ""))
        print("%d runs, %s mapped" % (len(runs), fmt_size(total)))


# ---- IDT, GDT, TSS -----------------------------------------------------------------------------

EXCEPTIONS = ["#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
              "#BR bound range", "#UD invalid opcode", "#NM device not available",
              "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
              "#NP segment not present", "#SS stack fault", "#GP general protection",
              "#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
              "#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection"]


class Idt(Sub):
    """Show the IDT's gates (lab 3 on): kernel idt [all].

One line per present gate (with `all`, absent ones too): vector, its name for exceptions 0..31
and IRQs 32..47, the handler's address and symbol, selector, gate type (interrupt or trap), DPL
and IST slot. Reads the kernel's idt[] array (kernel/arch/x86_64/idt.c)."""
    name = "idt"

    def run(self, args):
        require(3, "the IDT", "idt")
        idt = var("idt")
        n = idt.type.strip_typedefs().range()[1] + 1
        print("IDT at %#x (idt[%d]):" % (u64(idt.address), n))
        print("  vec  name                      handler                                 sel   type       dpl ist")
        shown = 0
        for v in range(n):
            g = idt[v]
            ta = int(g["type_attr"])
            off = (int(g["offset_low"]) | int(g["offset_mid"]) << 16 | int(g["offset_high"]) << 32)
            present = ta & 0x80
            if not present and "all" not in args:
                continue
            shown += 1
            name = EXCEPTIONS[v] if v < len(EXCEPTIONS) else ("IRQ %d" % (v - 32) if 32 <= v < 48 else "")
            typ = {0xe: "interrupt", 0xf: "trap"}.get(ta & 0xf, "type %#x" % (ta & 0xf))
            sym = symbolize(off)
            print("  %3d  %-24s  %#018x %-20s %#06x %-10s %d   %d%s" %
                  (v, name, off, "<%s>" % sym if sym else "", int(g["selector"]), typ,
                   (ta >> 5) & 3, int(g["ist"]) & 7, "" if present else "  (not present)"))
        print("%d gates shown" % shown)


def decode_descriptor(lo, hi=None):
    base = ((lo >> 16) & 0xffffff) | ((lo >> 56) & 0xff) << 24
    limit = (lo & 0xffff) | ((lo >> 48) & 0xf) << 16
    access = (lo >> 40) & 0xff
    flags = (lo >> 52) & 0xf
    if flags & 0x8:
        limit = (limit << 12) | 0xfff
    system = not access & 0x10
    if system and hi is not None:
        base |= (hi & 0xffffffff) << 32
    return base, limit, access, flags, system


class Gdt(Sub):
    """Show the GDT's descriptors and the TSS (lab 4 on): kernel gdt.

For each slot of the kernel's gdt[] (kernel/arch/x86_64/gdt.c): its selector, raw value, base,
limit, access byte and flags decoded (code/data, 64-bit, DPL, present; the TSS descriptor's two
slots as one), then the TSS as `kernel tss` shows it."""
    name = "gdt"

    def run(self, args):
        require(4, "the kernel's GDT and TSS", "tss", "arrive")
        gdt = var("gdt")
        n = gdt.type.strip_typedefs().range()[1] + 1
        vals = [u64(gdt[i]) for i in range(n)]
        print("GDT at %#x (gdt[%d]):" % (u64(gdt.address), n))
        i = 0
        while i < n:
            lo = vals[i]
            if lo == 0:
                print("  [%d] sel %#06x  null" % (i, i * 8))
                i += 1
                continue
            hi = vals[i + 1] if i + 1 < n else None
            base, limit, access, flags, system = decode_descriptor(lo, hi)
            dpl = (access >> 5) & 3
            p = "present" if access & 0x80 else "NOT PRESENT"
            if system:
                typ = {0x9: "64-bit TSS (available)", 0xb: "64-bit TSS (busy)"}.get(access & 0xf, "system type %#x" % (access & 0xf))
                sym = symbolize(base)
                print("  [%d-%d] sel %#06x  %#018x %#018x  %s base %#x%s limit %#x dpl %d %s" %
                      (i, i + 1, i * 8, lo, hi or 0, typ, base, " <%s>" % sym if sym else "", limit, dpl, p))
                i += 2
                continue
            if access & 0x08:
                typ = "code" + (" 64-bit" if flags & 0x2 else (" 32-bit" if flags & 0x4 else " 16-bit"))
                typ += ", readable" if access & 0x2 else ""
            else:
                typ = "data" + (", writable" if access & 0x2 else ", read-only")
            print("  [%d] sel %#06x  %#018x  %s, base %#x limit %#x dpl %d %s (access %#04x flags %#x)" %
                  (i, i * 8, lo, typ, base, limit, dpl, p, access, flags))
            i += 1
        show_tss()


def show_tss():
    tss = var("tss")
    print("TSS at %#x:" % u64(tss.address))
    for i in range(3):
        v = u64(tss["rsp"][i])
        sym = symbolize(v)
        print("  RSP%d %#018x%s" % (i, v, " <%s>" % sym if sym else ""))
    for i in range(7):
        v = u64(tss["ist"][i])
        sym = symbolize(v)
        print("  IST%d %#018x%s" % (i + 1, v, " <%s>" % sym if sym else ""))
    print("  I/O map base %#x" % int(tss["iomap_base"]))


class Tss(Sub):
    """Show the TSS (lab 4 on): kernel tss.

RSP0..RSP2 and IST1..IST7 with the symbols they point at, and the I/O map base. Reads the kernel's tss (kernel/arch/x86_64/gdt.c)."""
    name = "tss"

    def run(self, args):
        require(4, "the TSS", "tss")
        show_tss()


# ---- Frames, heap, tasks -----------------------------------------------------------------------

def file_statics(path_end, anchor):
    """name -> value of the file-scope variables of the source file ending in path_end, found
    through the symbol table of one of its functions (anchor)."""
    s = gdb.lookup_global_symbol(anchor)
    if s is None or s.symtab is None or not s.symtab.filename.endswith(path_end):
        return {}
    out = {}
    for block in (s.symtab.static_block(), s.symtab.global_block()):
        for sym in block:
            if sym.is_variable and sym.symtab.filename == s.symtab.filename:
                try:
                    out[sym.name] = sym.value()
                except gdb.error:
                    pass
    return out


class Frames(Sub):
    """Show the frame allocator's counts (lab 6 on): kernel frames.

Reads frame_alloc.c's variables. With the reference design (nfree, nused, regions, nregions)
it prints the free, used and usable frames and the regions; with another design it prints
frame_alloc.c's scalar variables as they are."""
    name = "frames"

    def run(self, args):
        require(6, "the frame allocator", "kernel_pml4")
        st = file_statics("frame_alloc.c", "frame_alloc")
        if "nfree" in st and "nused" in st:
            nfree, nused = int(st["nfree"]), int(st["nused"])
            usable = None
            if "regions" in st and "nregions" in st:
                nreg = int(st["nregions"])
                regs = [(u64(st["regions"][i]["start"]), u64(st["regions"][i]["end"])) for i in range(nreg)]
                usable = sum(e - s for s, e in regs) // 4096
            print("frames: %d free, %d used (%s free of %s)" %
                  (nfree, nused, fmt_size(nfree * 4096), fmt_size((nfree + nused) * 4096)))
            if usable is not None:
                print("usable frames: %d in %d regions%s" %
                      (usable, nreg, "" if usable == nfree + nused else
                       "  (NOT free + used: %d; the counts are off)" % (nfree + nused)))
                for s, e in regs:
                    print("  region phys %#x-%#x  %d frames" % (s, e - 1, (e - s) // 4096))
            if "free_top" in st:
                print("free stack top: %#x" % u64(st["free_top"]))
            if "bump_next" in st:
                print("bump pointer: %#x (region %s)" % (u64(st["bump_next"]), st.get("bump_region", "?")))
            return
        if not st:
            print("frames: frame_alloc.c has no variables (the lab 6 stub?)")
            return
        print("frames: frame_alloc.c's variables (not the reference design's nfree/nused):")
        for n, v in sorted(st.items()):
            if v.type.strip_typedefs().code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_PTR):
                print("  %s = %s" % (n, v))
            else:
                print("  %s (%s, %d bytes)" % (n, v.type, v.type.sizeof))


def walk_list(head, field="next", limit=100000):
    """Yield the nodes of a NULL-terminated list of pointers, stopping at a loop or limit."""
    seen = set()
    p = head
    while u64(p) != 0 and len(seen) < limit:
        a = u64(p)
        if a in seen:
            raise gdb.GdbError("the list loops back to %#x" % a)
        seen.add(a)
        yield p
        p = p.dereference()[field]


class Heap(Sub):
    """Show the heap (lab 7 on): kernel heap [all].

The design in use (kmalloc.c; lab 8's alloc= picks it), the region's mapped bytes and limit,
kmalloc's statistics, then what the design keeps: the first-fit list's free blocks (address,
usable size, header magic; `all` lists every one, else the first 32), fixed's size classes,
the buddy's free blocks per order, slab's caches, or bump's pointers."""
    name = "heap"

    def run(self, args):
        require(7, "the heap", "heap_brk")
        d = find_var("design", "kmalloc.c")
        if d is not None:
            design = d.value().string()
        elif not has_symbol("heap_pages_table"):
            design = "list"  # lab 7: the first-fit list is the only design (design is folded away)
        else:
            raise gdb.GdbError("kmalloc.c's design variable is missing: which allocator is unknown")
        brk = u64(var("heap_brk", "heap.c"))
        limit = u64(var("heap_max", "heap.c"))
        base = LAYOUT["HEAP_BASE"]
        print("heap: design %s, region %#x..%#x mapped (%s of %s)" %
              (design, base, brk, fmt_size(brk - base), fmt_size(limit)))
        stats = find_var("stats", "kmalloc.c")
        if stats is not None:
            s = stats.value()
            print("kmalloc: %d bytes in use, %d allocs, %d frees, %d failures" %
                  tuple(int(s[f]) for f in ("in_use", "allocs", "frees", "failures")))
        getattr(self, "show_" + design, self.show_unknown)(args)

    def show_unknown(self, args):
        print("(no walker for this design)")

    def show_list(self, args):
        head = find_var("free_list", "heap_firstfit.c")
        if head is None:
            print("first fit: heap_firstfit.c keeps no free_list")
            return
        n = total = 0
        cap = None if "all" in args else 32
        free_magic = 0x6565726665657266
        for b in walk_list(head.value()):
            size, magic = int(b["size"]), u64(b["magic"])
            n += 1
            total += size
            if cap is None or n <= cap:
                print("  free block %#x: %d usable bytes at %#x..%#x%s" %
                      (u64(b), size, u64(b) + 32, u64(b) + 32 + size,
                       "" if magic == free_magic else "  BAD MAGIC %#x" % magic))
        if cap is not None and n > cap:
            print("  ... %d more (kernel heap all lists them)" % (n - cap))
        print("first fit: %d free blocks, %d free bytes" % (n, total))

    def show_fixed(self, args):
        lists = var("free_lists", "alloc_fixed.c")
        for c in range(lists.type.strip_typedefs().range()[1] + 1):
            k = sum(1 for _ in walk_list(lists[c]))
            print("  class %4d B: %d free blocks" % (16 << c, k))
        print("larger requests and refills: the first-fit list")
        self.show_list(args)

    def show_buddy(self, args):
        lists = var("free_lists", "alloc_buddy.c")
        total = 0
        for k in range(lists.type.strip_typedefs().range()[1] + 1):
            cnt = sum(1 for _ in walk_list(lists[k]))
            total += cnt << k
            if cnt:
                print("  order %2d (%s): %d free blocks" % (k, fmt_size(4096 << k), cnt))
        print("buddy: %d free pages (%s)" % (total, fmt_size(total * 4096)))

    def show_slab(self, args):
        caches = var("caches", "alloc_slab.c")
        for c in range(caches.type.strip_typedefs().range()[1] + 1):
            sc = caches[c]
            partial = sum(1 for _ in walk_list(sc["partial"]))
            print("  cache %4d B: %d slabs (%d partial, %d empty), %d objects in use" %
                  (16 << c, int(sc["slabs"]), partial, int(sc["empty"]), int(sc["inuse"])))
        print("slab pages and large blocks come from the buddy:")
        self.show_buddy(args)

    def show_bump(self, args):
        start = u64(var("bump_start", "alloc_bump.c"))
        top = u64(var("bump_top", "alloc_bump.c"))
        live = int(var("bump_live", "alloc_bump.c"))
        print("bump: run %#x..%#x (%s used), %d live blocks" % (start, top, fmt_size(top - start), live))


class Tasks(Sub):
    """List the executor's tasks with their states (lab 9 on): kernel tasks.

For each live task of the task table (kernel/task/executor.c): its id (slot and generation),
its poll function, state pointer, polls so far, and its state: running (its poll function is
on the stack now), queued (TASK_QUEUED: in the ready queue), sleeping (on the sleepers list,
with its deadline) or waiting (for a key, a join or another wake). Then the ready queue in
order and the executor's counters."""
    name = "tasks"

    def run(self, args):
        require(9, "the executor", "tasks_live")
        table = var("table", "executor.c")
        slots = table.type.strip_typedefs().range()[1] + 1
        raw = bytes(gdb.selected_inferior().read_memory(u64(table.address), 8 * slots))
        ptrs = struct.unpack("<%dQ" % slots, raw)
        task_ptr = gdb.lookup_type("struct task").pointer()
        sleeping = {}
        sl = find_var("sleepers")
        now = None
        try:
            now = int(var("timer_ticks"))
        except gdb.error:
            pass
        if sl is not None:
            for s in walk_list(sl.value(), limit=TASK_LIMIT):
                sleeping[int(s["waker"]["id"])] = int(s["deadline"])
        running = []
        f = gdb.newest_frame()
        while f is not None:
            running.append(f)
            f = f.older()
        live = int(var("tasks_live"))
        print("tasks: %d live, %d polls, %d halts%s" %
              (live, int(var("executor_polls")), int(var("executor_halts")),
               ", timer_ticks %d" % now if now is not None else ""))
        print("  id          slot gen  state                 polls  poll function          state ptr")
        n = 0
        for slot, p in enumerate(ptrs):
            if not p:
                continue
            t = gdb.Value(p).cast(task_ptr).dereference()
            tid = int(t["id"])
            poll = u64(t["poll"])
            pname = symbolize(poll)
            st_ptr = u64(t["state"])
            state = "waiting"
            if any(fr.pc() and self.in_poll(fr, poll, st_ptr) for fr in running):
                state = "running"
            elif int(t["flags"]) & 1:
                state = "queued"
            elif tid in sleeping:
                state = "sleeping until %d" % sleeping[tid]
            joiner = int(t["joiner"]["id"])
            n += 1
            print("  %#010x %5d %4d  %-20s %6d  %-22s %#x%s" %
                  (tid, slot, tid >> 16, state, int(t["polls"]), pname, st_ptr,
                   "  (joined by %#x)" % joiner if joiner else ""))
        head, tail = int(var("ring_head", "executor.c")), int(var("ring_tail", "executor.c"))
        ring = var("ring", "executor.c")
        queued = [int(ring[i % slots]) for i in range(tail, head)][:64]
        print("%d tasks; ready queue (head first): %s" % (n, " ".join("%#x" % q for q in queued) or "empty"))

    @staticmethod
    def in_poll(frame, poll, state):
        fn = frame.function()
        if fn is None or int(fn.value().address) != poll:
            return False
        try:
            return u64(frame.read_var("state")) == state
        except (gdb.error, ValueError):
            return True


TASK_LIMIT = 16384

KernelPrefix()
for cls in (Lab, PageWalk, Maps, Idt, Gdt, Tss, Frames, Heap, Tasks):
    cls()
