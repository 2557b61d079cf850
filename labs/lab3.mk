# Lab 3 manifest (see labs/lab1.mk for the keys).
LAB3_NAME := exceptions
LAB3_TITLE := CPU exceptions and the interrupt descriptor table
LAB3_SRCS := kernel/arch/x86_64/idt.c kernel/arch/x86_64/trap_entry.S kernel/arch/x86_64/trap.c \
	kernel/tests/lab3_tests.c
LAB3_EXERCISES := kernel/arch/x86_64/idt_gate.c kernel/arch/x86_64/trap_common.S \
	kernel/arch/x86_64/breakpoint.c
LAB3_HANDOUT := handouts/lab3-exceptions.md
# make lab-3 shows a breakpoint that returns, then a page fault reported and fatal.
LAB3_DEMO := run=lab3.breakpoint,lab3.page_fault
