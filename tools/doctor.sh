#!/usr/bin/env bash
# doctor.sh: checks that every tool the labs need is installed, and says how to install what is
# missing. `make doctor` runs it; `make deps` runs it with --install (Debian or Ubuntu, via apt);
# `make lab-N` runs it with --install-if-missing, which installs only when something is missing
# and the machine can do it (root, or sudo without a password). A first argument --bench adds
# what only `make bench` needs (matplotlib for its plots).
set -u
bench=0
if [ "${1:-}" = --bench ]; then bench=1; shift; fi

# tool  package  what-for
TOOLS=(
	"qemu-system-x86_64 qemu-system-x86 runs the kernel"
	"grub-mkrescue grub-common makes the bootable ISO"
	"grub-file grub-common checks the kernel is a Multiboot2 image"
	"xorriso xorriso is used by grub-mkrescue to write the ISO"
	"mformat mtools is used by grub-mkrescue"
	"gdb gdb debugs the kernel"
	"objdump binutils writes kernel.asm"
	"addr2line binutils turns backtrace addresses into source lines"
	"gcc gcc compiles the kernel"
	"make make drives the build"
	"clang clang fuzzes lab 8's allocators (libFuzzer comes with it)"
	"sqlite3 sqlite3 is one of the real programs lab 8 runs on each allocator"
)
# Files rather than commands: GRUB's BIOS modules and Python's test packages.
missing=()
for t in "${TOOLS[@]}"; do
	read -r cmd pkg why <<<"$t"
	if ! command -v "$cmd" >/dev/null 2>&1; then
		printf '  missing: %-20s (%s) %s\n' "$cmd" "$pkg" "$why"
		missing+=("$pkg")
	fi
done
if [ ! -f /usr/lib/grub/i386-pc/multiboot2.mod ]; then
	printf '  missing: %-20s (%s) %s\n' "GRUB BIOS modules" grub-pc-bin "boots the ISO in QEMU"
	missing+=(grub-pc-bin)
fi
if ! /usr/bin/python3 -c 'import pytest' >/dev/null 2>&1; then
	printf '  missing: %-20s (%s) %s\n' "pytest" python3-pytest "runs the grader"
	missing+=(python3-pytest)
fi
if ! /usr/bin/python3 -c 'import xdist' >/dev/null 2>&1; then
	printf '  missing: %-20s (%s) %s\n' "pytest-xdist" python3-pytest-xdist "grades in parallel"
	missing+=(python3-pytest-xdist)
fi
if [ $bench = 1 ] && ! /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1; then
	printf '  missing: %-20s (%s) %s\n' "matplotlib" python3-matplotlib "draws make bench's plots"
	missing+=(python3-matplotlib)
fi
# Optional: clang and lld (CC=clang), checked but not required.
for opt in ld.lld; do
	command -v "$opt" >/dev/null 2>&1 || printf '  optional: %-19s (clang lld) for CC=clang\n' "$opt"
done

mode=${1:-}
if [ ${#missing[@]} -eq 0 ]; then
	[ "$mode" = --install-if-missing ] || echo "doctor: every required tool is installed."
	exit 0
fi
mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
cmd="apt-get install -y ${pkgs[*]}"
if [ "$mode" = --install ] || [ "$mode" = --install-if-missing ]; then
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "doctor: no apt-get here; install these packages with your system's tools: ${pkgs[*]}"
		exit 1
	fi
	sudo=
	if [ "$(id -u)" -ne 0 ]; then
		if sudo -n true 2>/dev/null; then sudo=sudo; else
			echo "doctor: missing tools; run:  sudo apt-get update && sudo $cmd"
			exit 1
		fi
	fi
	echo "doctor: installing ${pkgs[*]}"
	$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo $cmd -qq && exit 0
	echo "doctor: the install failed; run it by hand:  sudo apt-get update && sudo $cmd"
	exit 1
fi
echo "doctor: install what is missing with:  sudo apt-get update && sudo $cmd   (or: make deps)"
exit 1
