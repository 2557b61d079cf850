/*
 * kbd_decode.c: the scancode decoder (lab 5, exercise 3).
 *
 * kbd_decode() is a small state machine, fed one byte at a time by the keyboard's interrupt
 * handler. It remembers in *s whether the last byte was the 0xe0 prefix, which Shift keys are
 * down and whether Caps Lock is on, and returns the key a byte completes (a character from the
 * tables in kbd_map.c, or an arrow), or KEY_NONE. It does no I/O, so the host tests run it on
 * your machine (make host-test) as well as in the kernel. The full contract is in kbd.h; see
 * handouts/lab5-interrupts.md, section 7, for the scancodes.
 */
#include <stdbool.h>
#include <stdint.h>

#include "kbd.h"
#include "panic.h"

int kbd_decode(struct kbd_state *s, uint8_t code)
{
	/* LAB 5: your code here */
	panic("lab 5: kbd_decode not implemented");
}
