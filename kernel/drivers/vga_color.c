/*
 * vga_color.c: colours on the text console (lab 2, exercise 2).
 *
 * A cell's attribute byte is, from the top bit down (with the blink mode the BIOS sets):
 *
 *     bit  7      6  5  4      3  2  1  0
 *        +-----+----------+--------------+
 *        |blink|background|  foreground  |   foreground: 4 bits, bit 3 = bright
 *        +-----+----------+--------------+   background: 3 bits (dark colours only)
 *
 * Programs ask for colours with ANSI "SGR" escape sequences such as "\033[1;33;44m" (the same
 * ones a serial terminal understands); vga.c collects the numbers and vga_apply_sgr() applies
 * them in order, each changing con->attr:
 *     0          reset to light grey on black, no blink (an empty sequence "\033[m" means 0)
 *     1          bright: set the foreground's bright bit
 *     5          blink on              25  blink off
 *     30..37     foreground colour     (ANSI order: black red green yellow blue magenta cyan white)
 *     40..47     background colour     (same order)
 *     90..97     bright foreground colour
 *     39 / 49    default foreground (light grey) / background (black)
 *     anything else: ignored
 * ANSI numbers colours in a different order from VGA: ANSI 1 is red, VGA 1 is blue. See
 * handouts/lab2-vga.md for the table.
 */
#include "panic.h"
#include "vga_console.h"

uint8_t vga_attr(enum vga_color fg, enum vga_color bg, bool blink)
{
	/* LAB 2: your code here */
	panic("lab 2: vga_attr not implemented");
}

void vga_apply_sgr(struct vga_console *con, const int *params, int n)
{
	/* LAB 2: your code here */
	panic("lab 2: vga_apply_sgr not implemented");
}
