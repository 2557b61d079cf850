/*
 * kbd_decode.c: the scancode decoder (lab 5 reference solution).
 *
 * The prefix is handled first, because it changes the meaning of whatever follows; then releases,
 * which only ever update modifier state; then presses. Caps Lock toggles on the first make code
 * only: a held key repeats its make code many times a second without any break code in between.
 */
#include <stdbool.h>
#include <stdint.h>

#include "kbd.h"
#include "panic.h"

/* A press of extended key code (the byte after 0xe0, bit 7 clear). */
static int decode_extended(uint8_t code)
{
	switch (code) {
	case SC_E0_UP:
		return KEY_UP;
	case SC_E0_DOWN:
		return KEY_DOWN;
	case SC_E0_LEFT:
		return KEY_LEFT;
	case SC_E0_RIGHT:
		return KEY_RIGHT;
	case SC_E0_ENTER:
		return '\n';
	case SC_E0_SLASH:
		return '/';
	default:
		return KEY_NONE; /* right Ctrl and Alt, Home, fake shifts, ... */
	}
}

int kbd_decode(struct kbd_state *s, uint8_t code)
{
	bool extended = s->extended;
	char c;

	if (code == SC_EXTENDED) {
		s->extended = true;
		return KEY_NONE;
	}
	s->extended = false;

	if (code & SC_BREAK) {
		uint8_t key = code & ~SC_BREAK;

		if (extended)
			return KEY_NONE; /* no extended key is a modifier we track */
		if (key == SC_LSHIFT)
			s->left_shift = false;
		else if (key == SC_RSHIFT)
			s->right_shift = false;
		else if (key == SC_CAPSLOCK)
			s->caps_down = false;
		return KEY_NONE;
	}

	if (extended)
		return decode_extended(code);
	switch (code) {
	case SC_LSHIFT:
		s->left_shift = true;
		return KEY_NONE;
	case SC_RSHIFT:
		s->right_shift = true;
		return KEY_NONE;
	case SC_CAPSLOCK:
		if (!s->caps_down)
			s->caps_lock = !s->caps_lock;
		s->caps_down = true;
		return KEY_NONE;
	}

	c = s->left_shift || s->right_shift ? kbd_map_shift[code] : kbd_map[code];
	if (s->caps_lock) {
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
	}
	return c ? c : KEY_NONE;
}
