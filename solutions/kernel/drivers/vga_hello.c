/*
 * vga_hello.c: writing characters straight into the VGA text buffer (lab 1 reference solution).
 *
 * Cell (row, col) is the 16-bit word at index row * 80 + col of the buffer at 0xb8000; the low
 * byte is the character, the high byte its colour attribute.
 */
#include "layout.h"
#include "panic.h"
#include "vga_hello.h"

void vga_write_at(int row, int col, const char *text, uint8_t attr)
{
	volatile uint16_t *cell = (volatile uint16_t *)phys_to_virt(VGA_TEXT_PHYS);

	if (row < 0 || row >= VGA_ROWS || col < 0)
		panic("vga_write_at: position (%d, %d) is off the screen", row, col);
	cell += row * VGA_COLS + col;
	for (int c = col; *text; c++, text++) {
		if (c >= VGA_COLS)
			panic("vga_write_at: text runs past column %d", VGA_COLS - 1);
		*cell++ = (uint16_t)((uint8_t)*text | attr << 8);
	}
}
