#!/usr/bin/env bash
# gdb-check.sh: proves the debugging workflow works, as `make check` needs. For each build
# directory it boots that kernel paused under QEMU's GDB stub (as `make qemu-gdb` does), attaches
# GDB in batch mode with the project's .gdbinit (as `make gdb` does), stops at a breakpoint and
# runs the `kernel ...` commands of tools/gdb/kernel_gdb.py, then checks their output for real
# content: a breakpoint on kmain and `bt`; `kernel lab`; a page walk of kmain's address with four
# levels ending at kmain's physical address; `kernel maps`; and, by the kernel's lab, either the
# "arrives in lab N" message of every command whose structure is missing, or (lab 9) the IDT's
# page-fault gate, the TSS's IST1, plausible frame counts, the heap of every allocator design,
# and the demo's three tasks with their states (stopped in counter_poll, with run=lab9.demo).
#
# Usage: tools/gdb-check.sh BUILD_DIR PORT [BUILD_DIR ...]   (check.sh: lab 1 and lab 9, SOL=1)
# Each step prints one ok/FAIL line; the exit status is non-zero if any failed. Every QEMU and GDB
# runs under a timeout and QEMU is killed on exit, so it cannot hang.
set -u
cd "$(dirname "$0")/.." || exit 1
if [ $# -lt 2 ]; then
	echo "usage: tools/gdb-check.sh BUILD_DIR PORT [BUILD_DIR ...]" >&2
	exit 2
fi
builds=("$1")
port=$2
shift 2
builds+=("$@")
dir=$(mktemp -d)
qpid=
trap '[ -n "$qpid" ] && kill $qpid 2>/dev/null; rm -rf "$dir"' EXIT
failed=0
KERNEL_VMA=0xffffffff80000000

ok() { echo "gdb-check: ok   $*"; }
fail() {
	echo "gdb-check: FAIL $*"
	failed=1
}

# boot NAME BUILD CMDLINE BREAK GDBCMDS...: boot BUILD's kernel with CMDLINE, stop at BREAK, run
# the commands, each preceded by an "@@ command" line; the transcript lands in $dir/NAME.out.
boot() {
	local name=$1 build=$2 cmdline=$3 brk=$4 iso=$dir/$1
	shift 4
	mkdir -p "$iso/boot/grub"
	cp "$build/kernel.elf" "$iso/boot/kernel.elf"
	printf 'set timeout=0\nset default=0\nmenuentry "gdb-check" {\n\tmultiboot2 /boot/kernel.elf %s\n\tboot\n}\n' \
		"$cmdline" >"$iso/boot/grub/grub.cfg"
	if ! grub-mkrescue -d /usr/lib/grub/i386-pc --install-modules="multiboot2 normal" --fonts= \
		--locales= --themes= -o "$dir/$name.iso" "$iso" >"$dir/$name.mkrescue" 2>&1; then
		cat "$dir/$name.mkrescue"
		return 1
	fi
	timeout 30 qemu-system-x86_64 -m 128M -cdrom "$dir/$name.iso" -no-reboot -display none \
		-serial file:"$dir/$name.serial" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-S -gdb tcp:127.0.0.1:"$port" ${QEMUEXTRA:-} 2>"$dir/$name.qemu" &
	qpid=$!
	for _ in $(seq 50); do
		# wait until QEMU listens
		(exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
		sleep 0.1
	done
	printf 'file %s\ntarget remote 127.0.0.1:%s\nsource .gdbinit\n' "$build/kernel.elf" "$port" \
		>"$dir/$name.init"
	{
		printf 'hbreak %s\ncontinue\n' "$brk"
		for c in "$@"; do printf 'echo @@ %s\\n\n%s\n' "$c" "$c"; done
		printf 'echo @@ end\\n\nkill\n'
	} >"$dir/$name.cmds"
	timeout 20 gdb -q -nx -batch -x "$dir/$name.init" -x "$dir/$name.cmds" >"$dir/$name.out" 2>&1
	kill $qpid 2>/dev/null
	wait $qpid 2>/dev/null
	qpid=
}

# out NAME COMMAND: what COMMAND printed in boot NAME.
out() {
	awk -v c="@@ $2" '$0 == c { on = 1; next } /^@@ / { on = 0 } on' "$dir/$1.out"
}

# expect NAME COMMAND DESCRIPTION REGEX...: every extended regex matches some line of COMMAND's output.
expect() {
	local name=$1 cmd=$2 what=$3 text
	shift 3
	text=$(out "$name" "$cmd")
	for re in "$@"; do
		if ! grep -Eq -- "$re" <<<"$text"; then
			fail "$what: no line matches /$re/ in \`$cmd\`:"
			sed 's/^/    /' <<<"$text" | head -15
			return
		fi
	done
	ok "$what"
}

symaddr() { awk -v s="$2" '$3 == s { print "0x" $1; exit }' "$1/kernel.sym"; }

# The checks every lab gets: the breakpoint, bt, kernel lab, the page walk of kmain and maps.
common_checks() {
	local name=$1 build=$2 lab=$3 brk=$4 kmain phys
	kmain=$(symaddr "$build" kmain)
	phys=$(printf '%#x' $((kmain - KERNEL_VMA)))
	if grep -q "^Breakpoint 1, $brk " "$dir/$name.out" && out "$name" bt | grep -q "^#0  $brk " &&
		out "$name" bt | grep -q " in kmain "$'\|'"^#0  kmain "; then
		ok "lab $lab: breakpoint on $brk hit and bt shows it (and kmain)"
	else
		fail "lab $lab: breakpoint not hit or no bt; GDB said:"
		tail -20 "$dir/$name.out" | sed 's/^/    /'
	fi
	expect "$name" "kernel lab" "lab $lab: kernel lab names lab $lab" "^this kernel is lab $lab "
	expect "$name" "kernel pagewalk kmain" \
		"lab $lab: pagewalk kmain: 4 levels down to phys $phys" \
		'^  PML4\[511\] += 0x[0-9a-f]{16}  P ' '^  PDPT\[510\] += 0x[0-9a-f]{16}  P ' \
		'^  PD\[0\] += 0x[0-9a-f]{16}  P ' '^  PT\[[0-9]+\] += 0x[0-9a-f]{16}  P .*4 KiB page' \
		"^va $(printf '%#x' "$kmain") -> phys $phys \(4 KiB page, R S X\)|^va $(printf '%#x' "$kmain") -> phys $phys \(4 KiB page, W S X\)"
	if [ "$brk" = kmain ]; then
		# At kmain's first line boot.S's identity map of the first GiB still stands.
		expect "$name" "kernel pagewalk 0" "lab $lab: pagewalk 0: boot.S's identity map, a 2 MiB page" \
			'^  PD\[0\] += 0x[0-9a-f]{16}  P .*PS.* -> 2 MiB page at phys 0x0$' \
			'^va 0x0 -> phys 0x0 \(2 MiB page, W S X\)$'
	else
		expect "$name" "kernel pagewalk 0" "lab $lab: pagewalk 0 stops at an absent PML4 entry" \
			'^  PML4\[0\] += 0x0{16}  not present: the walk stops'
	fi
	expect "$name" "kernel pagewalk 0xffff8000000b8000" \
		"lab $lab: pagewalk of VGA memory in the direct map: a huge page" \
		'^  (PD|PDPT)\[0\] += 0x[0-9a-f]{16}  P W .*PS.* -> (2 MiB|1 GiB) page at phys 0x0$' \
		'^va 0xffff8000000b8000 -> phys 0xb8000 \((2 MiB|1 GiB) page, W S (X|NX)\)$'
	expect "$name" "kernel maps" "lab $lab: maps shows the direct map and the kernel image" \
		'^  0xffff800000000000-0x[0-9a-f]+ +[0-9.]+ GiB -> phys 0x0+ +W S .*(2 MiB|1 GiB) pages' \
		'^  0xffffffff801[0-9a-f]{5}-.* R S X .*4 KiB pages|^  0xffffffff80[0-9a-f]{6}-.* W S X .*4 KiB pages' \
		'^[0-9]+ runs, .* mapped$'
}

for build in "${builds[@]}"; do
	if [ ! -f "$build/kernel.elf" ] || [ ! -f "$build/config.h" ]; then
		fail "$build: no kernel.elf or config.h (build it first)"
		continue
	fi
	lab=$(awk '$2 == "CONFIG_LAB" { print $3 }' "$build/config.h")
	cmds=("bt" "kernel lab" "kernel pagewalk kmain" "kernel pagewalk 0"
		"kernel pagewalk 0xffff8000000b8000" "kernel maps")
	if [ "$lab" -lt 9 ]; then
		# A kernel before lab 9: the commands whose structure is missing say when it arrives.
		boot "lab$lab" "$build" "" kmain "${cmds[@]}" "kernel idt" "kernel gdt" "kernel tss" \
			"kernel frames" "kernel heap" "kernel tasks"
		common_checks "lab$lab" "$build" "$lab" kmain
		for c in "idt 3" "gdt 4" "tss 4" "frames 6" "heap 7" "tasks 9"; do
			set -- $c
			[ "$lab" -lt "$2" ] || continue
			expect "lab$lab" "kernel $1" "lab $lab: kernel $1 says its structure arrives in lab $2" \
				"^kernel $1: .* arrives? in lab $2; this kernel is lab $lab\$"
		done
		continue
	fi

	# Lab 9: the demo's three tasks, stopped in the counter task's poll function.
	boot lab9 "$build" "run=lab9.demo" counter_poll "${cmds[@]}" "kernel idt" "kernel gdt" \
		"kernel tss" "kernel frames" "kernel heap" "kernel tasks"
	common_checks lab9 "$build" 9 counter_poll
	expect lab9 "kernel idt" "lab 9: idt: #PF gate 14 on trap_entry_14, #DF on IST 1, IRQ 0" \
		'^ +14  #PF page fault +0xffffffff8[0-9a-f]{7} <trap_entry_14> +0x0008 interrupt  0   0$' \
		'^ +8  #DF double fault +0x[0-9a-f]+ <trap_entry_8> +0x0008 interrupt  0   1$' \
		'^ +32  IRQ 0 +0x[0-9a-f]+ <irq_entry_0> '
	expect lab9 "kernel gdt" "lab 9: gdt: 64-bit code, data and the TSS descriptor" \
		'^  \[1\] sel 0x0008 .* code 64-bit.* present' '^  \[2\] sel 0x0010 .* data, writable' \
		'^  \[3-4\] sel 0x0018 .* 64-bit TSS \((busy|available)\) base 0x[0-9a-f]+ <tss> limit 0x67'
	expect lab9 "kernel tss" "lab 9: tss: IST1 is the top of the double-fault stack" \
		'^  IST1 0xffffffff8[0-9a-f]{7} <double_fault_stack_top>$' '^  IST2 0x0{16}$'
	frames=$(out lab9 "kernel frames")
	if [[ $frames =~ frames:\ ([0-9]+)\ free,\ ([0-9]+)\ used ]] &&
		[ "${BASH_REMATCH[1]}" -gt 10000 ] && [ "${BASH_REMATCH[2]}" -gt 0 ] &&
		grep -Eq "^usable frames: $((BASH_REMATCH[1] + BASH_REMATCH[2])) in [0-9]+ regions$" <<<"$frames"; then
		ok "lab 9: frames: ${BASH_REMATCH[1]} free + ${BASH_REMATCH[2]} used = the usable frames"
	else
		fail "lab 9: frames: counts missing or implausible:"
		sed 's/^/    /' <<<"$frames"
	fi
	expect lab9 "kernel heap" "lab 9: heap (slab): caches in use and the buddy's free blocks" \
		'^heap: design slab, region 0xffffff8000000000\.\.0xffffff80000[0-9a-f]+ mapped' \
		'^  cache +[0-9]+ B: [1-9][0-9]* slabs .* [1-9][0-9]* objects in use$' \
		'^  order +[0-9]+ .*: [1-9][0-9]* free blocks$' '^buddy: [1-9][0-9]* free pages'
	expect lab9 "kernel tasks" "lab 9: tasks: counter running, clock sleeping, reader waiting" \
		'^tasks: 3 live, ' '^  0x[0-9a-f]{8} +[0-9]+ +[0-9]+  running +[0-9]+  counter_poll ' \
		'^  0x[0-9a-f]{8} +[0-9]+ +[0-9]+  sleeping until [0-9]+ +[0-9]+  clock_poll ' \
		'^  0x[0-9a-f]{8} +[0-9]+ +[0-9]+  waiting +[0-9]+  reader_poll ' '^3 tasks; ready queue'

	# Every other allocator design, each in its own boot: the heap walk shows its structures.
	boot list "$build" "run=lab9.demo alloc=list" counter_poll "kernel heap"
	expect list "kernel heap" "lab 9: heap (alloc=list): the first-fit list has free blocks" \
		'^heap: design list,' '^  free block 0xffffff80[0-9a-f]{8}: [1-9][0-9]* usable bytes at' \
		'^first fit: [1-9][0-9]* free blocks, [1-9][0-9]* free bytes$'
	boot fixed "$build" "run=lab9.demo alloc=fixed" counter_poll "kernel heap"
	expect fixed "kernel heap" "lab 9: heap (alloc=fixed): a class with free blocks, the list" \
		'^heap: design fixed,' '^  class +[0-9]+ B: [1-9][0-9]* free blocks$' '^first fit: [0-9]+ free blocks'
	boot buddy "$build" "run=lab9.demo alloc=buddy" counter_poll "kernel heap"
	expect buddy "kernel heap" "lab 9: heap (alloc=buddy): free blocks by order" \
		'^heap: design buddy,' '^  order +[0-9]+ .*: [1-9][0-9]* free blocks$' '^buddy: [1-9][0-9]* free pages'
	boot bump "$build" "run=lab9.demo alloc=bump" counter_poll "kernel heap"
	expect bump "kernel heap" "lab 9: heap (alloc=bump): the run and its live blocks" \
		'^heap: design bump,' '^bump: run 0xffffff80[0-9a-f]{8}\.\.0xffffff80[0-9a-f]{8} .*, [1-9][0-9]* live blocks$'
done

if [ "$failed" -ne 0 ]; then
	echo "gdb-check: FAILED"
	exit 1
fi
echo "gdb-check: every check passed"
