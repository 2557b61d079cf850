# Project GDB settings, loaded by `make gdb` (gdb -nx -x build/.../gdbinit, which first loads the
# kernel's symbols and connects to QEMU, then sources this file). Read explicitly, so GDB's
# auto-load safe-path does not matter.
#
# The CPU starts in 16-bit real mode and our code switches to 32-bit and then 64-bit mode. GDB
# must treat the target as x86-64 from the start, or it rejects QEMU's 64-bit register packets
# ("Remote 'g' packet reply is too long").
set architecture i386:x86-64
set disassembly-flavor att
set pagination off
set confirm off
set print pretty on

# Software breakpoints are written into memory, which does not exist at the kernel's higher-half
# addresses until boot.S turns paging on. Hardware breakpoints compare addresses instead, so use
# them for anything you want to stop at early: `hbreak kmain`. After paging is on, `break` works.
define hook-stop
	# Show where we stopped as source when there is some, as an instruction otherwise.
	x/i $pc
end

# Commands for the kernel's own structures (tools/gdb/kernel_gdb.py; `help kernel` for more).
# Each says which lab brings its structure when this kernel is older.
#   kernel lab              which lab this kernel was built for
#   kernel pagewalk VA      the page-table walk for VA, level by level (any lab)
#   kernel maps [FROM [TO]] the mapped virtual ranges with their flags (any lab)
#   kernel idt [all]        the IDT's gates: handler symbol, selector, type, DPL, IST (lab 3)
#   kernel gdt | kernel tss the GDT's descriptors; the TSS's RSP0..2 and IST1..7 (lab 4)
#   kernel frames           the frame allocator's free and used counts (lab 6)
#   kernel heap [all]       the heap's design and its free list, classes or caches (lab 7, 8)
#   kernel tasks            the executor's tasks and their states (lab 9)
source tools/gdb/kernel_gdb.py

echo Connected to QEMU. Try: hbreak kmain, continue, bt, info registers, x/8gx $rsp, help kernel\n
