#!/usr/bin/env bash
# gdb-check.sh: proves the debugging workflow works, as `make check` needs: boots the current
# variant paused under QEMU's GDB stub (as `make qemu-gdb` does), attaches GDB with the project's
# .gdbinit (as `make gdb` does), breaks on kmain, and checks that the breakpoint hit and that
# `bt` shows kmain as frame #0. Usage: tools/gdb-check.sh BUILD_DIR PORT
set -u
build=$1
port=$2
dir=$(mktemp -d)
trap 'kill $qpid 2>/dev/null; rm -rf "$dir"' EXIT

qemu-system-x86_64 -m 128M -cdrom "$build/kernel.iso" -no-reboot -display none -serial null \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -S -gdb tcp:127.0.0.1:"$port" ${QEMUEXTRA:-} \
	2>"$dir/qemu.err" &
qpid=$!
printf 'file %s\ntarget remote 127.0.0.1:%s\nsource .gdbinit\n' "$build/kernel.elf" "$port" >"$dir/init"
printf 'hbreak kmain\ncontinue\nbt\nkill\n' >"$dir/cmds"
for _ in $(seq 50); do
	# wait until QEMU listens
	(exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
	sleep 0.1
done
out=$(timeout 60 gdb -q -nx -batch -x "$dir/init" -x "$dir/cmds" 2>&1)
if grep -q '^Breakpoint 1, kmain' <<<"$out" && grep -q '^#0  kmain' <<<"$out"; then
	echo "gdb-check: breakpoint on kmain hit and bt works"
	exit 0
fi
echo "gdb-check: FAILED; GDB said:"
echo "$out" | tail -20
exit 1
