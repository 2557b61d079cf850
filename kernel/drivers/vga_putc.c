/*
 * vga_putc.c: writing characters on the text console like a terminal (lab 2, exercise 1).
 *
 * vga_putc() puts one byte at the cursor (con->row, con->col) in colour con->attr and moves the
 * cursor on. What each byte does:
 *   printable ASCII (' ' to '~')  shown in the cell, cursor moves right
 *   '\n'                          cursor to column 0 of the next row
 *   '\r'                          cursor to column 0 of the same row
 *   '\t'                          cursor to the next multiple of VGA_TAB_WIDTH (blanks between)
 *   '\b'                          cursor one column left (not past column 0); blank that cell
 *   any other byte                shown as VGA_PLACEHOLDER, so you can see something odd arrived
 * Writing in the last column wraps the cursor to the start of the next row. Whenever the cursor
 * would leave the bottom row, vga_scroll() moves every row up by one and the cursor stays on the
 * (now blank) bottom row. Blank cells are spaces in con->attr. See handouts/lab2-vga.md.
 */
#include "panic.h"
#include "vga_console.h"

void vga_putc(struct vga_console *con, char c)
{
	/* LAB 2: your code here */
	panic("lab 2: vga_putc not implemented");
}

void vga_scroll(struct vga_console *con)
{
	/* LAB 2: your code here */
	panic("lab 2: vga_scroll not implemented");
}

void vga_clear(struct vga_console *con)
{
	/* LAB 2: your code here */
	panic("lab 2: vga_clear not implemented");
}
