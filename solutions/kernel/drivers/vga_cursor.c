/*
 * vga_cursor.c: the blinking hardware cursor (lab 2 reference solution).
 *
 * CRTC registers are reached through an index port (0x3d4) and a data port (0x3d5).
 */
#include "vga_console.h"
#include "x86.h"

#define CRTC_INDEX 0x3d4
#define CRTC_DATA 0x3d5
#define CRTC_CURSOR_START 0x0a
#define CRTC_CURSOR_END 0x0b
#define CRTC_CURSOR_HIGH 0x0e
#define CRTC_CURSOR_LOW 0x0f
#define CURSOR_DISABLE 0x20

static void crtc_write(uint8_t reg, uint8_t v)
{
	outb(CRTC_INDEX, reg);
	outb(CRTC_DATA, v);
}

static uint8_t crtc_read(uint8_t reg)
{
	outb(CRTC_INDEX, reg);
	return inb(CRTC_DATA);
}

void vga_cursor_enable(void)
{
	/* An underline cursor on scan lines 14..15; keep the reserved upper bits as they are. */
	crtc_write(CRTC_CURSOR_START, (crtc_read(CRTC_CURSOR_START) & 0xc0) | 14);
	crtc_write(CRTC_CURSOR_END, (crtc_read(CRTC_CURSOR_END) & 0xe0) | 15);
}

void vga_cursor_set(int row, int col)
{
	uint16_t pos = (uint16_t)(row * VGA_COLS + col);

	crtc_write(CRTC_CURSOR_HIGH, pos >> 8);
	crtc_write(CRTC_CURSOR_LOW, pos & 0xff);
}
