/*
 * vga_cursor.c: the blinking hardware cursor (lab 2, exercise 3).
 *
 * The cursor is drawn by the VGA card itself, from registers of its CRT controller (CRTC). The
 * CRTC has many registers behind just two I/O ports: write a register's index to port 0x3d4,
 * then read or write its value at port 0x3d5. The registers you need:
 *     0x0a  cursor start: bits 4..0 the first scan line of the cursor shape; bit 5 = 1 hides it
 *     0x0b  cursor end:   bits 4..0 the last scan line (a character cell has 16 scan lines)
 *     0x0e  cursor location, high byte   } the cursor's cell index, row * 80 + col
 *     0x0f  cursor location, low byte    }
 * See handouts/lab2-vga.md.
 */
#include "panic.h"
#include "vga_console.h"
#include "x86.h"

void vga_cursor_enable(void)
{
	/* LAB 2: your code here */
	panic("lab 2: vga_cursor_enable not implemented");
}

void vga_cursor_set(int row, int col)
{
	/* LAB 2: your code here */
	panic("lab 2: vga_cursor_set not implemented");
}
