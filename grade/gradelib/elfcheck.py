"""Static checks on the kernel ELF: Multiboot2 header and no floating-point or SIMD code.

GRUB's grub-file tells whether an image carries a valid Multiboot2 header where the bootloader
looks for one. The kernel must also contain no x87, MMX, SSE or AVX instruction: it never saves
those registers on interrupts or task switches, so compiled code that touches them would corrupt
user-visible state (or fault, with CR0.EM set), and the build flags (-mgeneral-regs-only or
-mno-sse -mno-mmx -mno-80387) must keep the compiler from emitting any. The disassembly from
`objdump -d` is scanned for instructions that use such registers or are x87 instructions.
"""

import re
import subprocess

from .errors import GradeFailure

# Operands naming SIMD or x87 registers: %xmm0, %ymm3, %zmm7, %mm1, %st, %st(2).
_FP_OPERAND_RE = re.compile(r"%(?:[xyz]mm\d+|mm\d\b|st\b|st\(\d\))")
# x87 instructions all start with f (fld, fstp, fnstcw, fxsave ...); the others are MMX/SSE
# state instructions with no register operand.
_FP_MNEMONIC_RE = re.compile(r"^(?:f[a-z0-9]+|emms|ldmxcsr|stmxcsr|vzeroupper|vzeroall)$")
_NOT_FP = {"fs"}      # a segment prefix that objdump may print on its own
_INSN_RE = re.compile(r"^\s*([0-9a-f]+):\s+(.*)$")
_FUNC_RE = re.compile(r"^([0-9a-f]+) <(.*)>:$")


def is_multiboot2(elf):
    """Return (ok, explanation) from `grub-file --is-x86-multiboot2`."""
    try:
        done = subprocess.run(["grub-file", "--is-x86-multiboot2", elf], capture_output=True,
                              text=True, timeout=30)
    except FileNotFoundError:
        raise GradeFailure("grub-file not found: install the grub-common package.") from None
    if done.returncode == 0:
        return True, "grub-file accepts %s as a Multiboot2 kernel" % elf
    return False, ("grub-file --is-x86-multiboot2 rejects %s: no valid Multiboot2 header in its "
                   "first 32 KiB (magic 0xe85250d6, architecture 0, length and checksum)."
                   % elf + (" " + done.stderr.strip() if done.stderr.strip() else ""))


def float_instructions(elf):
    """Return "function: address: instruction" strings for each x87/MMX/SSE/AVX instruction."""
    try:
        done = subprocess.run(["objdump", "-d", "--no-show-raw-insn", elf], capture_output=True,
                              text=True, timeout=120)
    except FileNotFoundError:
        raise GradeFailure("objdump not found: install the binutils package.") from None
    if done.returncode != 0:
        raise GradeFailure("objdump -d %s failed: %s" % (elf, done.stderr.strip()))
    function = "?"
    found = []
    for line in done.stdout.splitlines():
        m = _FUNC_RE.match(line)
        if m:
            function = m.group(2)
            continue
        m = _INSN_RE.match(line)
        if not m:
            continue
        text = m.group(2).strip()
        words = text.split(None, 1)
        if not words:
            continue
        mnemonic = words[0]
        operands = words[1] if len(words) > 1 else ""
        # Skip instruction prefixes such as "lock" or "rep" to find the real mnemonic.
        while mnemonic in ("lock", "rep", "repz", "repnz", "data16", "addr32", "notrack", "bnd",
                           "cs", "ds", "es", "ss", "gs") and operands:
            parts = operands.split(None, 1)
            mnemonic, operands = parts[0], parts[1] if len(parts) > 1 else ""
        if mnemonic in _NOT_FP:
            continue
        if _FP_MNEMONIC_RE.match(mnemonic) or _FP_OPERAND_RE.search(operands):
            found.append("%s: %s: %s" % (function, m.group(1), text))
    return found
