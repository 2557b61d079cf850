/*
 * vga_color.c: colours on the text console (lab 2 reference solution).
 *
 * Attribute byte: blink in bit 7, background in bits 6..4, foreground in bits 3..0.
 */
#include "vga_console.h"

/* ANSI colour number (0..7) to VGA colour. */
static const enum vga_color ansi_to_vga[8] = {
	VGA_BLACK, VGA_RED, VGA_GREEN, VGA_BROWN, VGA_BLUE, VGA_MAGENTA, VGA_CYAN, VGA_LIGHT_GREY,
};

uint8_t vga_attr(enum vga_color fg, enum vga_color bg, bool blink)
{
	return (uint8_t)((blink ? 0x80 : 0) | (bg & 0x7) << 4 | (fg & 0xf));
}

void vga_apply_sgr(struct vga_console *con, const int *params, int n)
{
	static const int reset = 0;

	if (n == 0) {
		params = &reset;
		n = 1;
	}
	for (int i = 0; i < n; i++) {
		int p = params[i];
		uint8_t a = con->attr;

		if (p == 0)
			a = vga_attr(VGA_LIGHT_GREY, VGA_BLACK, false);
		else if (p == 1)
			a |= 0x08;
		else if (p == 5)
			a |= 0x80;
		else if (p == 25)
			a &= 0x7f;
		else if (p >= 30 && p <= 37)
			a = (a & 0xf8) | ansi_to_vga[p - 30]; /* keeps the bright bit */
		else if (p == 39)
			a = (a & 0xf0) | VGA_LIGHT_GREY;
		else if (p >= 40 && p <= 47)
			a = (a & 0x8f) | ansi_to_vga[p - 40] << 4;
		else if (p == 49)
			a = a & 0x8f;
		else if (p >= 90 && p <= 97)
			a = (a & 0xf0) | ansi_to_vga[p - 90] | 0x08;
		con->attr = a;
	}
}
