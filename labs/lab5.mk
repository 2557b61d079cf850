# Lab 5 manifest (see labs/lab1.mk for the keys).
LAB5_NAME := pic
LAB5_TITLE := Hardware interrupts: the 8259 PIC, the PIT timer and the PS/2 keyboard
LAB5_SRCS := kernel/arch/x86_64/irq.c kernel/arch/x86_64/irq_entry.S kernel/drivers/pic.c \
	kernel/drivers/pit.c kernel/drivers/keyboard.c kernel/drivers/kbd_map.c \
	kernel/drivers/acpi_pm.c kernel/tests/lab5_tests.c
LAB5_EXERCISES := kernel/drivers/pic_remap.c kernel/drivers/timer.c \
	kernel/drivers/kbd_decode.c kernel/core/spinlock_irq.c
LAB5_HANDOUT := handouts/lab5-interrupts.md
