/*
 * main.c: kmain, the first C code, called by boot.S in long mode with the physical address of
 * the Multiboot2 boot information. It reads as the table of contents of the boot: one step per
 * line, in order. Steps of chapters that are switched off are empty stubs (see each header).
 */
#include "boot_mm.h"
#include "gdt.h"
#include "heap.h"
#include "idt.h"
#include "irq.h"
#include "keyboard.h"
#include "kprintf.h"
#include "ktest.h"
#include "layout.h"
#include "multiboot.h"
#include "paging.h"
#include "pit.h"
#include "serial.h"
#include "vga.h"
#include "vga_hello.h"
#include "x86.h"

static void banner(void)
{
	kprintf("lab%d (%s) booted: %lu MiB usable, bootloader \"%s\"\n", CONFIG_LAB, CONFIG_LAB_NAME,
		(unsigned long)(boot_info.usable_bytes >> 20), boot_info.loader_name);
	kprintf("command line: \"%s\"\n", boot_info.cmdline);
}

static void greet(void)
{
	char hello[24];
	int n = ksnprintf(hello, sizeof(hello), "Hello from lab %d!", CONFIG_LAB);

	vga_write_at(0, VGA_COLS - n, hello, 0x1f); /* top right, white on blue */
	kprintf("Hello from lab %d! (also on the VGA screen)\n", CONFIG_LAB);
}

static __attribute__((noreturn)) void idle(void)
{
	kprintf("kernel: idle; quit QEMU with Ctrl-A X\n");
	for (;;)
		irq_wait(); /* sti; hlt: sleep until an interrupt (none come before lab 5) */
}

void kmain(paddr_t mbi)
{
	serial_init();                  /* COM1 at 115200 8N1: kprintf works from here */
	multiboot_parse(mbi);           /* command line, memory map, boot loader name */
	boot_mm_drop_identity();        /* low addresses fault from now on: NULL is caught */
	ktest_setup(boot_info.cmdline); /* run=...: this boot runs tests (token, selection) */
	banner();                       /* lab, usable memory and boot loader on the console */
	ktest_run_lab(1);               /* lab 1's selected tests */
	vga_init(!ktest_active());      /* lab 2: text console (tests own the screen) */
	ktest_run_lab(2);
	idt_init();                     /* lab 3: exception handlers in the IDT */
	ktest_run_lab(3);
	gdt_init();                     /* lab 4: own GDT and TSS; double faults get their own stack */
	ktest_run_lab(4);
	irq_init();                     /* lab 5: PICs at vectors 32..47, IRQ gates, lines masked */
	pit_init(boot_info.cmdline);    /* lab 5: timer on IRQ 0 at hz= (default 100 Hz) */
	keyboard_init();                /* lab 5: PS/2 keyboard on IRQ 1, keys echoed */
	irq_enable();                   /* lab 5: interrupt-safe console lock, then sti */
	ktest_run_lab(5);
	paging_cpu_init();              /* lab 6: EFER.NXE and CR0.WP: no-execute and read-only enforced */
	direct_map_init();              /* lab 6: all of RAM in the direct map, 1 GiB or 2 MiB pages */
	frame_setup();                  /* lab 6: frame allocator over the memory map */
	kernel_remap();                 /* lab 6: kernel image in 4 KiB pages with W^X, guards unmapped */
	ktest_run_lab(6);
	heap_init(boot_info.cmdline);   /* lab 7: heap region at HEAP_BASE, grows up to heap= */
	ktest_run_lab(7);
	ktest_run_lab(8);               /* lab 8: the allocator designs (alloc=, default slab) */
	ktest_run_lab(9);               /* lab 9: tasks, the executor, the keyboard stream, sleeps */
	ktest_finish();                 /* run=...: report the tests and leave QEMU */
	greet();                        /* lab 1: the first words on the VGA screen */
	idle();                         /* wait for interrupts, forever */
}
