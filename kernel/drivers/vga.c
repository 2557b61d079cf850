/*
 * vga.c: the VGA text console that kprintf writes to from lab 2 on.
 *
 * The console keeps a cursor (row, col) and a current colour, and writes characters as a
 * terminal would. This file holds what the exercise files share: the console state, setting it
 * up, and the front door vga_console_putc(), which recognises colour escape sequences
 * (ESC '[' numbers separated by ';' then 'm', the ANSI "SGR" sequence that serial terminals also
 * understand) and passes every other byte to vga_putc(). After each character it moves the
 * hardware cursor. Locking is the caller's job: console.c holds the console lock.
 */
#include "console.h"
#include "layout.h"
#include "vga.h"
#include "vga_console.h"

#define VGA_DEFAULT_ATTR 0x07 /* light grey on black, as the BIOS leaves it */

struct vga_console vga_con;
static bool mirror;

void vga_init(bool mirror_console)
{
	vga_con.cells = (volatile uint16_t *)phys_to_virt(VGA_TEXT_PHYS);
	vga_con.attr = VGA_DEFAULT_ATTR;
	vga_con.esc_state = 0;
	vga_clear(&vga_con);
	vga_cursor_enable();
	vga_cursor_set(vga_con.row, vga_con.col);
	mirror = mirror_console;
}

bool vga_console_mirrors(void)
{
	return mirror;
}

void vga_console_set_mirror(bool on)
{
	mirror = on;
}

/* Feed one byte to the escape-sequence parser. Returns true if it was part of a sequence. */
static bool vga_escape(struct vga_console *con, char c)
{
	switch (con->esc_state) {
	case 0:
		if (c != '\033')
			return false;
		con->esc_state = 1;
		return true;
	case 1:
		if (c == '[') {
			con->esc_state = 2;
			con->nsgr = 0;
			con->sgr[0] = 0;
			return true;
		}
		con->esc_state = 0; /* not a sequence we know: show the byte */
		return false;
	default:
		if (c >= '0' && c <= '9') {
			if (con->nsgr == 0)
				con->nsgr = 1;
			con->sgr[con->nsgr - 1] = con->sgr[con->nsgr - 1] * 10 + (c - '0');
		} else if (c == ';') {
			if (con->nsgr == 0)
				con->nsgr = 1; /* an empty first parameter counts as 0 */
			if (con->nsgr < VGA_SGR_MAX)
				con->sgr[con->nsgr++] = 0;
		} else {
			if (c == 'm')
				vga_apply_sgr(con, con->sgr, con->nsgr);
			con->esc_state = 0; /* any other final byte ends (and ignores) the sequence */
		}
		return true;
	}
}

void vga_console_putc(char c)
{
	if (!vga_escape(&vga_con, c))
		vga_putc(&vga_con, c);
	vga_cursor_set(vga_con.row, vga_con.col);
}
