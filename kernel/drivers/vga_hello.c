/*
 * vga_hello.c: writing characters straight into the VGA text buffer (lab 1, exercise 2).
 *
 * The screen is 25 rows of 80 cells. Each cell is 16 bits in video memory, starting at physical
 * address 0xb8000 and going row by row: the low byte is the character (code page 437), the high
 * byte the colour attribute. The kernel reaches physical memory through the direct map, so the
 * buffer's address is phys_to_virt(VGA_TEXT_PHYS). Write through a volatile pointer: the
 * compiler must not drop or merge stores that nothing in the program reads back.
 */
#include "layout.h"
#include "panic.h"
#include "vga_hello.h"

void vga_write_at(int row, int col, const char *text, uint8_t attr)
{
	/* LAB 1: your code here */
	panic("lab 1: vga_write_at not implemented");
}
