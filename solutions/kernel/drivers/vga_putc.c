/*
 * vga_putc.c: writing characters on the text console like a terminal (lab 2 reference solution).
 *
 * The cursor always stays on the screen: writing into the last column wraps at once, and a move
 * below the bottom row scrolls instead.
 */
#include "vga_console.h"

/* Move the cursor to the start of the next row, scrolling when it was on the bottom row. */
static void vga_newline(struct vga_console *con)
{
	con->col = 0;
	if (con->row == VGA_ROWS - 1)
		vga_scroll(con);
	else
		con->row++;
}

static void vga_put_cell(struct vga_console *con, uint8_t ch)
{
	con->cells[con->row * VGA_COLS + con->col] = vga_cell(ch, con->attr);
	if (++con->col == VGA_COLS)
		vga_newline(con);
}

void vga_putc(struct vga_console *con, char c)
{
	uint8_t ch = (uint8_t)c;

	switch (c) {
	case '\n':
		vga_newline(con);
		break;
	case '\r':
		con->col = 0;
		break;
	case '\t':
		do
			vga_put_cell(con, ' ');
		while (con->col % VGA_TAB_WIDTH != 0);
		break;
	case '\b':
		if (con->col > 0) {
			con->col--;
			con->cells[con->row * VGA_COLS + con->col] = vga_cell(' ', con->attr);
		}
		break;
	default:
		vga_put_cell(con, ch >= ' ' && ch <= '~' ? ch : VGA_PLACEHOLDER);
	}
}

void vga_scroll(struct vga_console *con)
{
	for (int i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
		con->cells[i] = con->cells[i + VGA_COLS];
	for (int i = (VGA_ROWS - 1) * VGA_COLS; i < VGA_ROWS * VGA_COLS; i++)
		con->cells[i] = vga_cell(' ', con->attr);
}

void vga_clear(struct vga_console *con)
{
	for (int i = 0; i < VGA_ROWS * VGA_COLS; i++)
		con->cells[i] = vga_cell(' ', con->attr);
	con->row = 0;
	con->col = 0;
}
