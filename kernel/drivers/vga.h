/*
 * vga.h: the VGA text-mode console (lab 2). When the VGA chapter is off, these are empty stubs,
 * so callers carry no #if.
 */
#ifndef VGA_H
#define VGA_H

#include <stdbool.h>

#if CONFIG_VGA
/* Clear the screen, show the cursor, and start mirroring console output to the screen. */
void vga_init(bool mirror_console);

/* Write one character at the cursor, as a terminal would (see vga_console.c). */
void vga_console_putc(char c);

/* True when kprintf output is also shown on the screen. */
bool vga_console_mirrors(void);

/* Start (true) or stop (false) showing kprintf output on the screen. */
void vga_console_set_mirror(bool on);
#else
static inline void vga_init(bool mirror_console)
{
}
static inline void vga_console_putc(char c)
{
}
static inline bool vga_console_mirrors(void)
{
	return false;
}
static inline void vga_console_set_mirror(bool on)
{
}
#endif /* CONFIG_VGA */

#endif /* VGA_H */
