"""Kernel symbols: names to addresses, and addresses back to functions and source lines.

The build writes kernel.sym beside kernel.elf (one symbol per line, an address first and the name
last, as `nm -n` or `objdump -t` print them). Symbols reads that file, falling back to running `nm`
on the ELF, so tests can find where a function lives (to translate its address through the page
tables, or to stop there with the GDB stub). Backtraces are symbolised with binutils' addr2line,
one process for a whole backtrace.
"""

import os
import re
import subprocess

_HEX_RE = re.compile(r'^(?:0x)?([0-9a-fA-F]{8,16})$')


class Symbols:
    """Symbol table of one kernel ELF."""

    def __init__(self, elf, sym_file=None, source_root=None):
        """elf is the path to kernel.elf; sym_file defaults to kernel.sym next to it.

        source_root, when given, is stripped from the front of file names in addr2line output,
        so locations read kernel/lib/string.c:12 rather than an absolute path.
        """
        self.elf = str(elf)
        self.sym_file = str(sym_file) if sym_file else os.path.join(
            os.path.dirname(self.elf), "kernel.sym")
        self.source_root = str(source_root) if source_root else None
        self._by_name = None

    def _load(self):
        """Read the symbol table once: kernel.sym if it exists, else `nm -n` output."""
        if self._by_name is not None:
            return
        text = ""
        if os.path.exists(self.sym_file):
            with open(self.sym_file, errors="replace") as f:
                text = f.read()
        else:
            try:
                text = subprocess.run(["nm", "-n", self.elf], capture_output=True, text=True,
                                      check=False).stdout
            except OSError:
                text = ""
        self._by_name = {}
        for line in text.splitlines():
            words = line.split()
            if len(words) < 2:
                continue
            m = _HEX_RE.match(words[0])
            if m:
                self._by_name.setdefault(words[-1], int(m.group(1), 16))

    def address(self, name):
        """Return the address of symbol name, or None if the kernel has no such symbol."""
        self._load()
        return self._by_name.get(name)

    def names(self):
        """Return a dict of every symbol name to its address."""
        self._load()
        return dict(self._by_name)

    def describe(self, addresses):
        """Return one "function at file:line" string per address, via addr2line.

        Backtrace entries are return addresses, which point just past the call instruction; the
        lookup uses address - 1 so that the line reported is the call itself. Unknown addresses
        come back as "??".
        """
        if not addresses:
            return []
        args = ["addr2line", "-f", "-p", "-e", self.elf]
        args += ["0x%x" % max(a - 1, 0) for a in addresses]
        try:
            out = subprocess.run(args, capture_output=True, text=True, check=False,
                                 timeout=20).stdout.splitlines()
        except (OSError, subprocess.TimeoutExpired):
            out = []
        if len(out) != len(addresses):
            return ["??"] * len(addresses)
        return [self._shorten(line.strip()) for line in out]

    def describe_inlined(self, address):
        """Return "function at file:line" for the instruction at address itself (not a return
        address), with the functions it was inlined into: "cpu_relax at x86.h:39, inlined in
        spin_lock at spinlock.h:26, inlined in ...". "??" when unknown."""
        args = ["addr2line", "-f", "-p", "-i", "-e", self.elf, "0x%x" % address]
        try:
            out = subprocess.run(args, capture_output=True, text=True, check=False,
                                 timeout=20).stdout.splitlines()
        except (OSError, subprocess.TimeoutExpired):
            out = []
        parts = [self._shorten(line.strip().replace("(inlined by) ", "")) for line in out]
        return ", inlined in ".join(p for p in parts if p) or "??"

    def _shorten(self, text):
        """Make file names in an addr2line line relative to the source root."""
        if self.source_root:
            root = self.source_root.rstrip("/") + "/"
            text = text.replace(root, "")
        return text.replace(" (discriminator ", " (d")


def format_backtrace(symbols, frames, indent="    "):
    """Return a backtrace (list of int addresses) as text lines, each symbolised."""
    lines = []
    for i, (addr, where) in enumerate(zip(frames, symbols.describe(frames))):
        lines.append("%s#%d 0x%016x %s" % (indent, i, addr, where))
    return lines
