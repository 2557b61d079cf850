# Host unit tests: kernel code compiled for this machine and checked against its C library, with
# AddressSanitizer and UndefinedBehaviorSanitizer catching stray accesses. Three programs:
#   test_kprintf  kernel/lib/kprintf.c against snprintf()
#   test_string   the lab 1 string functions in $(STRING_SRC) against memset(), strlen() and so on
#   test_kbd      the lab 5 scancode decoder in $(KBD_SRC) against a model (only from LAB=5 on)
# Each prints "N passed, M failed" as its last line and exits non-zero on any failure.
#
# Included by the top-level Makefile, which must set BUILD (the variant's build directory) and
# STRING_SRC (the string.c of the current SOL) before the include line. Standalone, from the
# top of the tree:
#   make -f kernel/tests/host/host.mk host-test BUILD=/tmp/hb STRING_SRC=/tmp/mystring.c
# Targets: host-test (every program), host-test-kprintf, host-test-string, host-test-kbd;
# alloc/alloc.mk adds host-test-alloc (run by host-test too), fuzz, bench and preload-smoke.
# Only gcc is needed (Debian's gcc package brings libasan and libubsan along).

HOST_DIR := kernel/tests/host
HOST_OUT = $(BUILD)/host
BUILD ?= build/host-standalone
STRING_SRC ?= kernel/lib/string.c
# The decoder of SOL's choice, tested by host-test once lab 5 is switched on (always standalone).
ifdef LABS_ON
KBD_SRC := $(call src_of,kernel/drivers/kbd_decode.c,5)
HOST_KBD := $(if $(filter 5,$(LABS_ON)),host-test-kbd)
else
KBD_SRC ?= kernel/drivers/kbd_decode.c
HOST_KBD := host-test-kbd
endif

HOSTCC ?= gcc
HOST_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(HOST_SANITIZE) \
	-Wall -Wextra -Werror -MMD -MP
# Kernel sources use the kernel's own panic.h; shim/panic_shim.c gives panic_at() a host body.
# -iquote, not -I: only "..." includes may find kernel headers, so <string.h> stays the host's.
HOST_KERNEL_INC := -iquote $(HOST_DIR)/shim -iquote kernel/lib -iquote kernel/core -iquote kernel
# Kernel code is compiled as the kernel compiles it (no built-in library knowledge, so a loop is
# never turned into a call of the very function it implements; stubs may leave parameters
# unused), with its C library names renamed.
HOST_KERNEL_CFLAGS := -ffreestanding -fno-builtin \
	$(if $(findstring clang,$(HOSTCC)),,-fno-tree-loop-distribute-patterns) \
	-Wundef -Wno-unused-parameter -include $(HOST_DIR)/shim/kernel_names.h

# V=1 shows the full commands.
HOST_Q := $(if $(filter 1,$(V)),,@)

.PHONY: host-test host-test-kprintf host-test-string host-test-kbd host-check-tools host-always

host-test: host-check-tools $(HOST_OUT)/test_kprintf $(HOST_OUT)/test_string \
		$(if $(HOST_KBD),$(HOST_OUT)/test_kbd)
	@status=0; \
	echo "== host test: kprintf"; $(HOST_OUT)/test_kprintf || status=1; \
	echo "== host test: string functions from $(STRING_SRC)"; \
	$(HOST_OUT)/test_string $(STRING_SRC) || status=1; \
	$(if $(HOST_KBD),echo "== host test: scancode decoder from $(KBD_SRC)"; \
	$(HOST_OUT)/test_kbd || status=1;) \
	exit $$status

host-test-kprintf: host-check-tools $(HOST_OUT)/test_kprintf
	$(HOST_OUT)/test_kprintf

host-test-string: host-check-tools $(HOST_OUT)/test_string
	$(HOST_OUT)/test_string $(STRING_SRC)

host-test-kbd: host-check-tools $(HOST_OUT)/test_kbd
	$(HOST_OUT)/test_kbd

# Fails early, with the package to install, if gcc or its sanitizer libraries are missing.
host-check-tools:
	@echo 'int main(void) { return 0; }' | \
	$(HOSTCC) $(HOST_SANITIZE) -x c - -o /dev/null 2>/dev/null || { \
		echo "*** host tests need $(HOSTCC) with AddressSanitizer and UBSan."; \
		echo "*** On Debian or Ubuntu: sudo apt-get install gcc libc6-dev"; \
		echo "***   (gcc brings libasan and libubsan with it)"; exit 1; }

$(HOST_OUT)/test_kprintf: $(HOST_OUT)/test_kprintf.o $(HOST_OUT)/kprintf.o \
		$(HOST_OUT)/panic_shim.o
	@echo "  HOSTLD  $@"
	$(HOST_Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

$(HOST_OUT)/test_string: $(HOST_OUT)/test_string.o $(HOST_OUT)/string.o \
		$(HOST_OUT)/panic_shim.o
	@echo "  HOSTLD  $@"
	$(HOST_Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

$(HOST_OUT)/test_kbd: $(HOST_OUT)/test_kbd.o $(HOST_OUT)/kbd_decode.o $(HOST_OUT)/kbd_map.o \
		$(HOST_OUT)/panic_shim.o
	@echo "  HOSTLD  $@"
	$(HOST_Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

$(HOST_OUT)/test_kbd.o: HOST_TEST_INC := -iquote kernel/drivers

$(HOST_OUT)/test_%.o: $(HOST_DIR)/test_%.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(HOST_Q)$(HOSTCC) $(HOST_CFLAGS) -iquote $(HOST_DIR) -iquote kernel/lib $(HOST_TEST_INC) \
		-c -o $@ $<

$(HOST_OUT)/panic_shim.o: $(HOST_DIR)/shim/panic_shim.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(HOST_Q)$(HOSTCC) $(HOST_CFLAGS) -iquote kernel/core -c -o $@ $<

$(HOST_OUT)/kprintf.o: kernel/lib/kprintf.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(HOST_Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_KERNEL_CFLAGS) $(HOST_KERNEL_INC) -c -o $@ $<

# string.o also depends on the name of its source, so switching STRING_SRC (SOL=1 and back)
# always rebuilds it even when the other file is older.
$(HOST_OUT)/string.o: $(STRING_SRC) $(HOST_OUT)/string_src.txt
	@echo "  HOSTCC  $<"
	$(HOST_Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_KERNEL_CFLAGS) $(HOST_KERNEL_INC) -c -o $@ $<

$(HOST_OUT)/string_src.txt: host-always
	@mkdir -p $(@D)
	@echo '$(STRING_SRC)' | cmp -s - $@ || echo '$(STRING_SRC)' > $@

# The decoder, like string.o, also depends on which file SOL chose.
$(HOST_OUT)/kbd_decode.o: $(KBD_SRC) $(HOST_OUT)/kbd_src.txt
	@echo "  HOSTCC  $<"
	$(HOST_Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_KERNEL_CFLAGS) $(HOST_KERNEL_INC) \
		-iquote kernel/drivers -c -o $@ $<

$(HOST_OUT)/kbd_map.o: kernel/drivers/kbd_map.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	$(HOST_Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_KERNEL_CFLAGS) $(HOST_KERNEL_INC) \
		-iquote kernel/drivers -c -o $@ $<

$(HOST_OUT)/kbd_src.txt: host-always
	@mkdir -p $(@D)
	@echo '$(KBD_SRC)' | cmp -s - $@ || echo '$(KBD_SRC)' > $@

host-always:

# Lab 8's allocator harness: its own programs and targets, and a prerequisite of host-test.
include $(HOST_DIR)/alloc/alloc.mk

-include $(wildcard $(HOST_OUT)/*.d)
