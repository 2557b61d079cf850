/*
 * vga_console.h: the state of the VGA text console and the functions its files share (lab 2).
 * Only the console's own files include this; everyone else prints with kprintf or uses vga.h.
 */
#ifndef VGA_CONSOLE_H
#define VGA_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "vga_hello.h" /* VGA_TEXT_PHYS, VGA_COLS, VGA_ROWS */

/* The 16 VGA text colours (the default palette); bright variants are the dark ones + 8. */
enum vga_color {
	VGA_BLACK, VGA_BLUE, VGA_GREEN, VGA_CYAN, VGA_RED, VGA_MAGENTA, VGA_BROWN, VGA_LIGHT_GREY,
	VGA_DARK_GREY, VGA_LIGHT_BLUE, VGA_LIGHT_GREEN, VGA_LIGHT_CYAN, VGA_LIGHT_RED,
	VGA_LIGHT_MAGENTA, VGA_YELLOW, VGA_WHITE,
};

#define VGA_PLACEHOLDER 0xfe /* code page 437's small square: shown for unprintable bytes */
#define VGA_TAB_WIDTH 8
#define VGA_SGR_MAX 8        /* parameters one escape sequence may carry */

struct vga_console {
	volatile uint16_t *cells; /* VGA_ROWS * VGA_COLS cells, row by row */
	int row, col;             /* where the next character goes */
	uint8_t attr;             /* colour attribute for new characters */
	/* Escape sequence parser (vga.c): ESC '[' p1 ';' p2 ... 'm' */
	int esc_state;            /* 0: normal text, 1: after ESC, 2: inside "ESC [" */
	int sgr[VGA_SGR_MAX];     /* the parameters collected so far */
	int nsgr;
};

/* The cell value showing character ch with attribute attr. */
static inline uint16_t vga_cell(uint8_t ch, uint8_t attr)
{
	return (uint16_t)(ch | attr << 8);
}

/* Exercise 1 (vga_putc.c). Put one byte at the cursor, handling control characters, wrapping
 * and scrolling; scroll the screen up one row; blank the whole screen. */
void vga_putc(struct vga_console *con, char c);
void vga_scroll(struct vga_console *con);
void vga_clear(struct vga_console *con);

/* Exercise 2 (vga_color.c). The attribute byte for foreground fg (0..15), background bg
 * (0..7) and blink, blink << 7 | bg << 4 | fg, with fg and bg cut to 4 and 3 bits so that a
 * value out of range never changes another field; apply the parameters of one "ESC [ ... m"
 * sequence to con->attr. */
uint8_t vga_attr(enum vga_color fg, enum vga_color bg, bool blink);
void vga_apply_sgr(struct vga_console *con, const int *params, int n);

/* Exercise 3 (vga_cursor.c). Show the blinking hardware cursor, and move it to (row, col). */
void vga_cursor_enable(void);
void vga_cursor_set(int row, int col);

/* The one console (vga.c). */
extern struct vga_console vga_con;

#endif /* VGA_CONSOLE_H */
