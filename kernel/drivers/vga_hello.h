/*
 * vga_hello.h: the first output a student writes, straight into VGA text memory (lab 1).
 */
#ifndef VGA_HELLO_H
#define VGA_HELLO_H

#include <stdint.h>

#define VGA_TEXT_PHYS 0xb8000 /* physical address of the 80x25 text buffer */
#define VGA_COLS 80
#define VGA_ROWS 25

/*
 * Write text at (row, col) of the screen, one cell per character, each cell showing the
 * character with colour attribute attr. Preconditions: 0 <= row < 25, 0 <= col and
 * col + strlen(text) <= 80.
 */
void vga_write_at(int row, int col, const char *text, uint8_t attr);

#endif /* VGA_HELLO_H */
