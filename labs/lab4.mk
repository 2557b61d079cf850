# Lab 4 manifest (see labs/lab1.mk for the keys).
LAB4_NAME := double_fault
LAB4_TITLE := Double faults: the GDT, the TSS and the interrupt stack table
LAB4_SRCS := kernel/arch/x86_64/gdt.c kernel/arch/x86_64/gdt_load.S \
	kernel/arch/x86_64/double_fault.c kernel/arch/x86_64/double_fault_stack.S \
	kernel/tests/lab4_tests.c
LAB4_EXERCISES := kernel/arch/x86_64/gdt_desc.c kernel/arch/x86_64/tss_init.c \
	kernel/arch/x86_64/idt_ist.c
LAB4_HANDOUT := handouts/lab4-double-fault.md
# make lab-4 shows the lab's point: a stack overflow caught by the double-fault handler.
LAB4_DEMO := run=lab4.stack_overflow
