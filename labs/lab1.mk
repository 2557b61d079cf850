# Lab 1 manifest, read by the Makefile (as make syntax) and by the grader (as KEY := value lines).
#   NAME       short name, used in the boot banner and in file names
#   TITLE      one-line title for the handout and the grader's output
#   SRCS       kernel sources this chapter adds (given code, identical for students and solutions)
#   EXERCISES  the files students edit; solutions/<path> shadows each one
#   HANDOUT    the lab's handout
#   DEMO       optional: the kernel command line `make lab-N` boots with (default: a normal boot)
LAB1_NAME := freestanding
LAB1_TITLE := Freestanding C, Multiboot2 and long mode
LAB1_SRCS := kernel/arch/x86_64/boot.S kernel/main.c kernel/core/console.c \
	kernel/core/panic.c kernel/core/multiboot.c kernel/core/ktest.c kernel/lib/kprintf.c \
	kernel/lib/cmdline.c kernel/drivers/serial.c kernel/mm/boot_mm.c \
	kernel/tests/lab1_tests.c kernel/tests/selftests.c
LAB1_EXERCISES := kernel/lib/string.c kernel/drivers/vga_hello.c
LAB1_HANDOUT := handouts/lab1-freestanding.md
