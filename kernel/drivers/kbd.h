/*
 * kbd.h: turning PS/2 keyboard scancodes into keys (lab 5).
 *
 * A keyboard does not send characters. It sends a scancode for every key that goes down (the
 * key's "make" code) and another when it comes up (the "break" code). In scancode set 1, the set
 * the keyboard controller hands the CPU on a PC, a break code is the make code with bit 7 set,
 * and keys added after the original 83-key keyboard (the separate arrow keys, the keypad's Enter
 * and '/', the right Ctrl and Alt) send the prefix byte 0xe0 before each of their codes. Which
 * character a key means depends on the state the decoder keeps: whether a Shift key is held and
 * whether Caps Lock is on. See handouts/lab5-interrupts.md, section 7.
 *
 * The decoder is pure logic (no I/O, no globals): the host tests in kernel/tests/host/ run it
 * natively, and the keyboard driver (keyboard.c) feeds it the bytes it reads from port 0x60.
 */
#ifndef KBD_H
#define KBD_H

#include <stdbool.h>
#include <stdint.h>

/* What kbd_decode() returns: KEY_NONE, an ASCII character (1..127), or one of these. */
#define KEY_NONE  0
#define KEY_UP    0x101
#define KEY_DOWN  0x102
#define KEY_LEFT  0x103
#define KEY_RIGHT 0x104

/* Scancode set 1 bytes the decoder treats specially (make codes unless said otherwise). */
#define SC_BREAK    0x80 /* bit 7: this is a key's break (release) code */
#define SC_EXTENDED 0xe0 /* prefix: the next byte is an extended key's code */
#define SC_LSHIFT   0x2a
#define SC_RSHIFT   0x36
#define SC_CAPSLOCK 0x3a
/* After the 0xe0 prefix: */
#define SC_E0_ENTER 0x1c /* keypad Enter (without the prefix: the main Enter) */
#define SC_E0_SLASH 0x35 /* keypad '/' */
#define SC_E0_UP    0x48 /* the arrow keys (without the prefix: keypad 8, 2, 4, 6) */
#define SC_E0_DOWN  0x50
#define SC_E0_LEFT  0x4b
#define SC_E0_RIGHT 0x4d

/*
 * The characters of the keys of a US keyboard, indexed by make code (kbd_map.c): without Shift,
 * and with Shift. 0 means the key types nothing (Esc, Ctrl, Alt, Shift, Caps Lock, F1..F12, ...).
 * Enter is '\n', Backspace '\b', Tab '\t'. The keypad types digits and operators (as with
 * Num Lock on), with or without Shift.
 */
extern const char kbd_map[128];
extern const char kbd_map_shift[128];

/* What the decoder remembers between bytes. All zero (false) is the state after reset. */
struct kbd_state {
	bool extended;    /* the previous byte was the 0xe0 prefix */
	bool left_shift;  /* left Shift is down */
	bool right_shift; /* right Shift is down */
	bool caps_lock;   /* Caps Lock is on */
	bool caps_down;   /* the Caps Lock key is down (its auto-repeat must not toggle again) */
};

/*
 * Exercise 3 (kbd_decode.c). Feed one byte from the keyboard to the decoder and return the key
 * it completes, or KEY_NONE. In detail:
 *   - 0xe0 sets s->extended and returns KEY_NONE; the byte after it is decoded as an extended
 *     key and clears s->extended again.
 *   - A break code (bit 7 set) returns KEY_NONE. Releasing a Shift key clears its flag and
 *     releasing Caps Lock clears caps_down; an extended break code (0xe0 then a byte with bit 7
 *     set) changes nothing else.
 *   - Shift make codes set their flag; a Caps Lock make code toggles caps_lock unless caps_down
 *     is already set (a held key repeats its make code), and sets caps_down.
 *   - Extended make codes: the arrows give KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT, the keypad's
 *     Enter '\n' and its slash '/'. Every other extended code, including the "fake shifts"
 *     0xe0 0x2a and 0xe0 0x36 some keyboards send around other keys, gives KEY_NONE and changes
 *     nothing.
 *   - Any other make code gives kbd_map_shift[code] if a Shift key is down, else kbd_map[code],
 *     with Caps Lock inverting the case of letters (and letters only): Caps Lock plus Shift
 *     types a lowercase letter. A code whose table entry is 0 gives KEY_NONE.
 *   - Bytes that are no key at all (0xe1, the controller's 0xfa acknowledgement, ...) give
 *     KEY_NONE; 0xe1 and 0xfa are break codes, so the break rule covers them.
 * The decoder keeps all its state in *s and touches nothing else.
 */
int kbd_decode(struct kbd_state *s, uint8_t code);

#endif /* KBD_H */
