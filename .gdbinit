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

echo Connected to QEMU. Try: hbreak kmain, continue, bt, info registers, x/8gx $rsp\n
