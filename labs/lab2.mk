# Lab 2 manifest (see labs/lab1.mk for the keys).
LAB2_NAME := vga
LAB2_TITLE := The VGA text console
LAB2_SRCS := kernel/drivers/vga.c kernel/tests/lab2_tests.c
LAB2_EXERCISES := kernel/drivers/vga_putc.c kernel/drivers/vga_color.c kernel/drivers/vga_cursor.c
LAB2_HANDOUT := handouts/lab2-vga.md
# make lab-2 shows the console at work: colour escapes through kprintf, held on screen.
LAB2_DEMO := run=lab2.color hold
