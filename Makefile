# Top-level Makefile: builds the kernel for one lab, boots it in QEMU, debugs it with GDB, grades it.
#
# One number decides what is built: LAB. Lab N enables the first N chapters of labs/chapters.mk,
# compiles the files each enabled lab's manifest (labs/labN.mk) lists, and generates config.h with
# every CONFIG_<CHAPTER> set to 0 or 1. SOL picks the exercise files: 0 (default) the student's,
# 1 the reference solutions in solutions/, prev the solutions for labs before LAB and the student's
# files for lab LAB. Every (CC, LAB, SOL) combination builds in its own directory, so objects of
# different variants never mix. Run `make help` for the targets.

.DEFAULT_GOAL := help
SHELL := /bin/bash
.DELETE_ON_ERROR:
.SUFFIXES:

include labs/chapters.mk
-include conf/lab.mk
LAB ?= 1
SOL ?= 0

# Labs that exist are those with a manifest.
LABS_AVAILABLE := $(sort $(patsubst labs/lab%.mk,%,$(wildcard labs/lab[0-9]*.mk)))
include $(foreach n,$(LABS_AVAILABLE),labs/lab$(n).mk)
LAB_MAX := $(lastword $(sort $(LABS_AVAILABLE)))
ifeq ($(filter $(LAB),$(LABS_AVAILABLE)),)
$(error LAB=$(LAB) is not a lab of this tree: labs available are $(LABS_AVAILABLE))
endif

seq = $(shell seq 1 $(1))
LABS_ON := $(call seq,$(LAB))

# Which labs use their reference solutions.
ifeq ($(SOL),1)
SOL_LABS := $(LABS_ON)
SOLTAG := sol
else ifeq ($(SOL),prev)
SOL_LABS := $(filter-out $(LAB),$(LABS_ON))
SOLTAG := prev
else ifeq ($(SOL),0)
SOL_LABS :=
SOLTAG := stub
else
$(error SOL=$(SOL) is not understood: use 0 (your code), 1 (reference solutions) or prev (solutions for labs before LAB))
endif

# ALLOC picks lab 8's allocator design for the boot: it adds alloc=<name> to the kernel command
# line (nothing is rebuilt). Without it the kernel uses slab (lab 8 on) or first fit (lab 7).
ALLOC_DESIGNS := bump list fixed buddy slab
ifneq ($(ALLOC),)
ifeq ($(filter $(ALLOC),$(ALLOC_DESIGNS)),)
$(error ALLOC=$(ALLOC) is not a design: use one of $(ALLOC_DESIGNS))
endif
ifeq ($(shell [ $(LAB) -ge 8 ] && echo y),)
$(error ALLOC=$(ALLOC) needs lab 8 or later (LAB=$(LAB) has lab 7's first-fit list only))
endif
KARGS_ALLOC := alloc=$(ALLOC)
endif

# ---------------------------------------------------------------------------------------------
# Toolchain. gcc by default; CC=clang builds with clang and links with ld.lld.
ifeq ($(origin CC),default)
CC := gcc
endif
CCNAME := $(notdir $(firstword $(CC)))
ifneq ($(findstring clang,$(CCNAME)),)
LD := ld.lld
CC_IS_CLANG := 1
else
LD := ld
LDFLAGS_TOOL := --no-warn-rwx-segments
endif
OBJDUMP := objdump
NM := nm
QEMU := qemu-system-x86_64
GRUB_MKRESCUE := grub-mkrescue
PYTHON := /usr/bin/python3

BUILD := build/$(CCNAME)-lab$(LAB)-$(SOLTAG)

ifeq ($(V),1)
Q :=
else
Q := @
endif
msg = @printf '  %-8s %s\n' '$(1)' '$(2)'

# Compiler flags, each with its reason.
KCFLAGS := -std=gnu11
KCFLAGS += -ffreestanding                 # no hosted libc: only the compiler's own headers exist
KCFLAGS += -nostdinc -isystem $(shell $(CC) -print-file-name=include)  # never the host's headers
KCFLAGS += -m64 -mcmodel=kernel           # code and data live in the top 2 GiB of the address space
KCFLAGS += -mno-red-zone                  # an interrupt pushes its frame right below RSP (handout 1)
KCFLAGS += -mno-mmx -mno-sse -mno-sse2 -mno-80387 -mgeneral-regs-only  # FPU/SIMD state is not saved
KCFLAGS += -fno-stack-protector           # no canary runtime (__stack_chk_fail) in the kernel
KCFLAGS += -fno-pic -fno-pie              # linked at one fixed address; no GOT, no PLT
KCFLAGS += -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer  # panic() walks the RBP chain
KCFLAGS += -Og -g                         # light optimisation that GDB can still follow
KCFLAGS += -fno-builtin                   # memcpy and friends are ours, not compiler magic
KCFLAGS += -fno-asynchronous-unwind-tables -fno-unwind-tables  # no .eh_frame: nothing unwinds
KCFLAGS += -fno-common                    # one definition per global, caught at link time
KCFLAGS += -Wall -Wextra -Wundef -Werror -Wno-unused-parameter  # a misspelt CONFIG_ is an error
ifneq ($(CC_IS_CLANG),1)
KCFLAGS += -fno-tree-loop-distribute-patterns  # do not turn a memset loop into a memset call
endif
KCFLAGS += -MMD -MP                       # dependency files: a header change rebuilds its users
KCFLAGS += $(addprefix -I,$(BUILD) kernel kernel/arch/x86_64 kernel/core kernel/lib kernel/drivers kernel/mm kernel/task kernel/tests)
KCFLAGS += $(EXTRA_CFLAGS)
KASFLAGS := $(filter-out -std=gnu11,$(KCFLAGS)) -D__ASSEMBLY__
KLDFLAGS := -nostdlib -z max-page-size=0x1000 --build-id=none -T kernel/kernel.ld $(LDFLAGS_TOOL)

# ---------------------------------------------------------------------------------------------
# Sources: every enabled lab's given files, plus its exercise files or their solutions.
src_of = $(if $(and $(filter $(2),$(SOL_LABS)),$(wildcard solutions/$(1))),solutions/$(1),$(1))
KSRCS := $(foreach n,$(LABS_ON),$(LAB$(n)_SRCS) \
	$(foreach f,$(LAB$(n)_EXERCISES),$(call src_of,$(f),$(n))))
KOBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KSRCS))
EXERCISES_ON := $(foreach n,$(LABS_ON),$(LAB$(n)_EXERCISES))

KERNEL := $(BUILD)/kernel.elf
ISO := $(BUILD)/kernel.iso

.PHONY: all kernel iso help print-build-dir print-labs print-gdbport
all: iso
kernel: $(KERNEL)
iso: $(ISO)

help:
	@echo 'Student targets:'
	@echo '  make lab-N          build lab N (chapters 1..N), remember LAB and SOL, boot it in QEMU'
	@echo '  make lab-N SOL=prev the same with the reference solutions for labs 1..N-1'
	@echo '  make qemu           boot the current lab (now LAB=$(LAB)); quit with Ctrl-A X'
	@echo '  make qemu-gdb       boot paused, waiting for GDB; then `make gdb` in another terminal'
	@echo '  make grade          grade labs 1..$(LAB); make grade-lab-N grades one lab; T=name filters'
	@echo '  make iso            build kernel.elf and kernel.iso without booting'
	@echo '  make doctor         check that every tool is installed; make deps installs them'
	@echo '  make handin         pack your exercise files and handouts into handin-lab$(LAB)-<time>.tar.gz'
	@echo 'Instructor and developer targets:'
	@echo '  make check          host unit tests, every lab built, grader trust checks, GDB check'
	@echo '  make pristine       record the given files (labs/pristine.sums)'
	@echo '  make grade-class SUBMISSIONS=DIR LAB=N   grade a class in parallel: gradebook, HTML summary'
	@echo '  make gradescope LAB=N                    the Gradescope autograder bundle (build/*.zip)'
	@echo 'Variables: LAB=N, SOL=0|1|prev, CC=gcc|clang, V=1, QEMUEXTRA="...", KARGS="run=lab1.*"'
	@echo '           ALLOC=bump|list|fixed|buddy|slab (lab 8 on: the heap allocator design)'
	@echo 'Build directory for the current settings: $(BUILD)'

print-build-dir:
	@echo $(BUILD)

print-labs:
	@echo $(LABS_AVAILABLE)

# config.h: every chapter gate as 0 or 1, the lab number and name. Rewritten only when it changes.
$(BUILD)/config.h: labs/chapters.mk labs/lab$(LAB).mk Makefile
	@mkdir -p $(@D)
	$(Q){ echo '/* Generated by the Makefile for LAB=$(LAB) SOL=$(SOL): do not edit. */'; \
	  echo '#ifndef CONFIG_H'; echo '#define CONFIG_H'; \
	  echo '#define CONFIG_LAB $(LAB)'; \
	  echo '#define CONFIG_LAB_NAME "$(LAB$(LAB)_NAME)"'; \
	  i=0; for c in $(CHAPTERS); do i=$$((i + 1)); \
	    echo "#define CONFIG_$$c $$([ $$i -le $(LAB) ] && echo 1 || echo 0)"; done; \
	  echo '#endif'; } > $@.tmp && \
	  if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/obj/%.c.o: %.c $(BUILD)/config.h
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(KCFLAGS) -include config.h -c -o $@ $<

$(BUILD)/obj/%.S.o: %.S $(BUILD)/config.h
	$(call msg,AS,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(KASFLAGS) -include config.h -c -o $@ $<

# The variant's source list: relinks when the set of files changes (a new lab, a solution added).
$(BUILD)/srcs.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(KSRCS)' > $@.tmp; if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(KERNEL): $(KOBJS) kernel/kernel.ld $(BUILD)/srcs.txt
	$(call msg,LD,$@)
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS)
	$(Q)$(OBJDUMP) -S $@ > $(BUILD)/kernel.asm
	$(Q)$(NM) -n $@ > $(BUILD)/kernel.sym

# The ISO: GRUB with a menu of one entry and no timeout. KARGS is the kernel command line.
KARGS ?=
$(BUILD)/iso/boot/grub/grub.cfg: conf/grub.cfg.in FORCE
	@mkdir -p $(@D)
	@sed -e 's|@KARGS@|$(strip $(KARGS) $(KARGS_ALLOC))|' -e 's|@LAB@|$(LAB)|' $< > $@.tmp; \
	  if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(ISO): $(KERNEL) $(BUILD)/iso/boot/grub/grub.cfg
	$(call msg,ISO,$@)
	$(Q)cp $(KERNEL) $(BUILD)/iso/boot/kernel.elf
	$(Q)$(GRUB_MKRESCUE) $(GRUB_MKRESCUE_FLAGS) -o $@ $(BUILD)/iso 2>$(BUILD)/grub-mkrescue.log \
	  || { cat $(BUILD)/grub-mkrescue.log; exit 1; }

# A small BIOS-only GRUB image: the modules a Multiboot2 boot from CD needs, no fonts or themes.
GRUB_MKRESCUE_FLAGS := -d /usr/lib/grub/i386-pc --install-modules="multiboot2 normal" \
	--fonts= --locales= --themes=

FORCE:
.PHONY: FORCE

-include $(KOBJS:.o=.d)

# ---------------------------------------------------------------------------------------------
# Running.
QEMUFLAGS := -m 128M -cdrom $(ISO) -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
ifeq ($(DISPLAY)$(WAYLAND_DISPLAY),)
QEMUDISPLAY := -display none
endif
QEMURUN = $(QEMU) $(QEMUFLAGS) -serial mon:stdio $(QEMUDISPLAY) $(QEMUEXTRA)
# The kernel leaves QEMU through isa-debug-exit: status 33 means its tests passed, 35 failed.
qemu_status = st=$$?; case $$st in 0) exit 0;; \
	33) echo "qemu: the kernel's tests passed (isa-debug-exit, status 33)"; exit 0;; \
	35) echo "qemu: kernel reported failure (35)"; exit 1;; \
	*) echo "qemu: exited with status $$st"; exit $$st;; esac

# What the build holds, for the boot message: whose code each lab is.
ifeq ($(SOL),1)
SOL_SAYS := the reference solutions for labs 1-$(LAB)
else ifeq ($(SOL),prev)
SOL_SAYS := $(if $(filter 1,$(LAB)),your code,the reference solutions for labs 1-$(words $(SOL_LABS)) and your lab $(LAB))
else
SOL_SAYS := your code for labs 1-$(LAB)
endif

GDBPORT := $(shell expr `id -u` % 5000 + 25000)
print-gdbport:
	@echo $(GDBPORT)

.PHONY: qemu qemu-gdb gdb lab-%
qemu: $(ISO)
	@echo '*** Booting lab $(LAB) ($(LAB$(LAB)_NAME)) with $(SOL_SAYS) (SOL=$(SOL)). Quit QEMU with Ctrl-A then X.'
	$(Q)$(QEMURUN); $(qemu_status)

lab-%:
	@if [ ! -f labs/lab$*.mk ]; then echo "make: lab $* does not exist yet (labs: $(LABS_AVAILABLE))"; exit 1; fi
	@mkdir -p conf && printf '# The lab and SOL the Makefile uses when they are not given; make lab-N rewrites it.\nLAB ?= $*\nSOL ?= $(SOL)\n' > conf/lab.mk
	@tools/doctor.sh --install-if-missing
	$(Q)$(MAKE) --no-print-directory qemu LAB=$* SOL=$(SOL) KARGS='$(or $(KARGS),$(LAB$*_DEMO))'

qemu-gdb: $(ISO) $(BUILD)/gdbinit
	@echo '*** QEMU is paused, waiting for GDB on port $(GDBPORT).'
	@echo '*** In another terminal run: make gdb   (LAB=$(LAB) SOL=$(SOL) must match). Quit QEMU with Ctrl-A X.'
	$(Q)$(QEMURUN) -S -gdb tcp:127.0.0.1:$(GDBPORT); $(qemu_status)

# GDB reads the project's .gdbinit explicitly (-nx -x), so auto-load safe-path settings do not matter.
$(BUILD)/gdbinit: FORCE
	@mkdir -p $(@D)
	@printf 'file %s\ntarget remote 127.0.0.1:%s\nsource .gdbinit\n' '$(KERNEL)' '$(GDBPORT)' > $@

gdb: $(KERNEL) $(BUILD)/gdbinit
	gdb -q -nx -x $(BUILD)/gdbinit

# ---------------------------------------------------------------------------------------------
# Tools, checks, grading.
.PHONY: doctor deps compile_commands.json pristine pristine-check check clean

doctor:
	@tools/doctor.sh

deps:
	@tools/doctor.sh --install

# clangd: one entry per kernel source of the current variant, with the real flags.
compile_commands.json: $(BUILD)/config.h
	@$(PYTHON) tools/compdb.py $(CURDIR) '$(CC) $(KCFLAGS) -include config.h' $(KSRCS) > $@
	@echo "wrote $@ for LAB=$(LAB) SOL=$(SOL) ($(words $(KSRCS)) files)"

PRISTINE_EXCLUDE := $(foreach n,$(LABS_AVAILABLE),$(LAB$(n)_EXERCISES)) labs/pristine.sums
pristine:
	@git ls-files | grep -v -e '^solutions/' -e '^grade/selftest/mutants/' -e '^handouts/' $(addprefix -e ^,$(PRISTINE_EXCLUDE)) \
	  | LC_ALL=C sort | xargs sha256sum > labs/pristine.sums
	@echo "recorded $$(wc -l < labs/pristine.sums) given files in labs/pristine.sums"

pristine-check:
	@sha256sum --quiet -c labs/pristine.sums || \
	  { echo 'labs/pristine.sums is stale: run make pristine and commit it'; exit 1; }

STRING_SRC := $(call src_of,kernel/lib/string.c,1)
include kernel/tests/host/host.mk
include kernel/tests/bench_async.mk
include grade/grade.mk
include grade/kit/kit.mk

# All checks: the README's test command, and what CI runs.
check:
	$(Q)tools/check.sh

clean:
	rm -rf build
