/*
 * Host tests for the lab 5 scancode decoder, kbd_decode() (kernel/drivers/kbd_decode.c), with the
 * US layout tables of kbd_map.c. Both files are compiled natively; the decoder's whole state is
 * the struct kbd_state it is given, so every group starts from a zeroed one. The groups check the
 * contract in kbd.h piece by piece (plain keys, releases, each Shift, Caps Lock and its
 * auto-repeat, the 0xe0 prefix), then feed long random streams of presses and releases to the
 * decoder and to a model written here independently, and compare every result.
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "kbd.h"

/* splitmix64, fixed seed: the same streams on every run. */
static uint64_t rng_state = 0x5ca7c0de5ca7c0de;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
	return z ^ (z >> 31);
}

static const char *key_name(int key, char *buf, size_t size)
{
	if (key == KEY_NONE)
		snprintf(buf, size, "KEY_NONE");
	else if (key == KEY_UP)
		snprintf(buf, size, "KEY_UP");
	else if (key == KEY_DOWN)
		snprintf(buf, size, "KEY_DOWN");
	else if (key == KEY_LEFT)
		snprintf(buf, size, "KEY_LEFT");
	else if (key == KEY_RIGHT)
		snprintf(buf, size, "KEY_RIGHT");
	else if (key > ' ' && key < 0x7f)
		snprintf(buf, size, "'%c'", key);
	else
		snprintf(buf, size, "0x%x", key);
	return buf;
}

/* Feed bytes[0..n) to s; check that the last byte gives want and every earlier one KEY_NONE. */
static bool expect(struct kbd_state *s, const uint8_t *bytes, int n, int want, const char *what)
{
	char a[16], b[16];

	for (int i = 0; i < n; i++) {
		int got = kbd_decode(s, bytes[i]);
		int w = i == n - 1 ? want : KEY_NONE;

		if (!harness_check(got == w, "%s: byte %d (0x%02x) gave %s, expected %s", what, i,
				   bytes[i], key_name(got, a, sizeof(a)),
				   key_name(w, b, sizeof(b))))
			return false;
	}
	return true;
}

#define EXPECT(s, want, what, ...)                    \
	expect((s), (const uint8_t[]){ __VA_ARGS__ }, \
	       (int)sizeof((const uint8_t[]){ __VA_ARGS__ }), (want), (what))

/* Every key of the table, pressed and released, with no modifier. */
static void test_plain(void)
{
	struct kbd_state s = { 0 };

	for (int code = 1; code < 0x80; code++) {
		char what[48];
		int want = kbd_map[code] ? kbd_map[code] : KEY_NONE;

		if (code == SC_LSHIFT || code == SC_RSHIFT || code == SC_CAPSLOCK)
			continue;
		snprintf(what, sizeof(what), "press of make code 0x%02x", code);
		EXPECT(&s, want, what, (uint8_t)code);
		snprintf(what, sizeof(what), "release of make code 0x%02x", code);
		EXPECT(&s, KEY_NONE, what, (uint8_t)(code | SC_BREAK));
	}
	EXPECT(&s, 'a', "a", 0x1e);
	EXPECT(&s, '\n', "Enter", 0x1c);
	EXPECT(&s, ' ', "space", 0x39);
	EXPECT(&s, '8', "keypad 8 (no prefix)", 0x48);
	EXPECT(&s, '\b', "Backspace", 0x0e);
}

/* Each Shift key on its own, both together, and releases in either order. */
static void test_shift(void)
{
	struct kbd_state s = { 0 };

	EXPECT(&s, 'A', "left Shift + a", SC_LSHIFT, 0x1e);
	EXPECT(&s, '!', "left Shift + 1", 0x02);
	EXPECT(&s, 'b', "b after left Shift released", SC_LSHIFT | SC_BREAK, 0x30);
	EXPECT(&s, 'Z', "right Shift + z", SC_RSHIFT, 0x2c);
	EXPECT(&s, '?', "right Shift + /", 0x35);
	EXPECT(&s, 'x', "x after right Shift released", SC_RSHIFT | SC_BREAK, 0x2d);
	/* Both down; releasing one keeps the other's effect. */
	EXPECT(&s, 'Q', "both Shifts + q", SC_LSHIFT, SC_RSHIFT, 0x10);
	EXPECT(&s, 'W', "right Shift still down after left released", SC_LSHIFT | SC_BREAK, 0x11);
	EXPECT(&s, 'e', "no Shift down", SC_RSHIFT | SC_BREAK, 0x12);
	EXPECT(&s, 'R', "both Shifts, right released first", SC_LSHIFT, SC_RSHIFT,
	       SC_RSHIFT | SC_BREAK, 0x13);
	EXPECT(&s, 't', "then left released", SC_LSHIFT | SC_BREAK, 0x14);
	EXPECT(&s, KEY_NONE, "Shift presses type nothing", SC_LSHIFT);
	EXPECT(&s, KEY_NONE, "Shift releases type nothing", SC_LSHIFT | SC_BREAK);
	/* Every shifted key of the table. */
	EXPECT(&s, KEY_NONE, "left Shift", SC_LSHIFT);
	for (int code = 1; code < 0x80; code++) {
		char what[48];
		int want = kbd_map_shift[code] ? kbd_map_shift[code] : KEY_NONE;

		if (code == SC_LSHIFT || code == SC_RSHIFT || code == SC_CAPSLOCK)
			continue;
		snprintf(what, sizeof(what), "Shift + make code 0x%02x", code);
		EXPECT(&s, want, what, (uint8_t)code);
		EXPECT(&s, KEY_NONE, what, (uint8_t)(code | SC_BREAK));
	}
}

/* Caps Lock: toggles on a press only, changes letters only, and Shift inverts it. */
static void test_caps_lock(void)
{
	struct kbd_state s = { 0 };

	EXPECT(&s, 'A', "Caps Lock on, a", SC_CAPSLOCK, SC_CAPSLOCK | SC_BREAK, 0x1e);
	EXPECT(&s, '1', "Caps Lock does not shift digits", 0x02);
	EXPECT(&s, ';', "Caps Lock does not shift punctuation", 0x27);
	EXPECT(&s, 'a', "Caps Lock + Shift types lowercase", SC_LSHIFT, 0x1e);
	EXPECT(&s, '!', "Caps Lock + Shift + 1", 0x02);
	EXPECT(&s, 'M', "Shift released", SC_LSHIFT | SC_BREAK, 0x32);
	EXPECT(&s, 'm', "Caps Lock off again", SC_CAPSLOCK, SC_CAPSLOCK | SC_BREAK, 0x32);
	/* A held Caps Lock repeats its make code: only the first one toggles. */
	EXPECT(&s, 'G', "Caps Lock held (make, make, make)", SC_CAPSLOCK, SC_CAPSLOCK, SC_CAPSLOCK,
	       0x22);
	EXPECT(&s, 'G', "... then released", SC_CAPSLOCK | SC_BREAK, 0x22);
	EXPECT(&s, 'g', "pressed and held again: off", SC_CAPSLOCK, SC_CAPSLOCK, 0x22);
	EXPECT(&s, 'g', "a release does not toggle", SC_CAPSLOCK | SC_BREAK, 0x22);
	EXPECT(&s, KEY_NONE, "Caps Lock types nothing", SC_CAPSLOCK);
}

/* The 0xe0 prefix: arrows, keypad Enter and '/', ignored keys, fake shifts, releases. */
static void test_extended(void)
{
	struct kbd_state s = { 0 };

	EXPECT(&s, KEY_UP, "up arrow", SC_EXTENDED, SC_E0_UP);
	EXPECT(&s, KEY_NONE, "up arrow release", SC_EXTENDED, SC_E0_UP | SC_BREAK);
	EXPECT(&s, KEY_DOWN, "down arrow", SC_EXTENDED, SC_E0_DOWN);
	EXPECT(&s, KEY_DOWN, "down arrow again", SC_EXTENDED, SC_E0_DOWN | SC_BREAK, SC_EXTENDED,
	       SC_E0_DOWN);
	EXPECT(&s, KEY_LEFT, "left arrow", SC_EXTENDED, SC_E0_LEFT);
	EXPECT(&s, KEY_RIGHT, "right arrow", SC_EXTENDED, SC_E0_RIGHT);
	EXPECT(&s, '\n', "keypad Enter", SC_EXTENDED, SC_E0_ENTER);
	EXPECT(&s, '/', "keypad /", SC_EXTENDED, SC_E0_SLASH);
	EXPECT(&s, KEY_UP, "up arrow", SC_EXTENDED, SC_E0_UP);
	EXPECT(&s, '8', "the prefix lasts one byte: keypad 8 after an arrow", 0x48);
	EXPECT(&s, '2', "keypad 2 after an arrow release", SC_EXTENDED, SC_E0_DOWN | SC_BREAK,
	       0x50);
	EXPECT(&s, KEY_NONE, "right Ctrl", SC_EXTENDED, 0x1d);
	EXPECT(&s, KEY_NONE, "right Ctrl release", SC_EXTENDED, 0x9d);
	EXPECT(&s, KEY_NONE, "right Alt", SC_EXTENDED, 0x38);
	EXPECT(&s, KEY_NONE, "Home", SC_EXTENDED, 0x47);
	EXPECT(&s, 'k', "after the ignored extended keys", 0x25);
	/* Fake shifts around a key must not change the Shift state. */
	EXPECT(&s, KEY_UP, "fake left Shift, then up", SC_EXTENDED, SC_LSHIFT, SC_EXTENDED,
	       SC_E0_UP);
	EXPECT(&s, 'a', "no Shift after a fake Shift press", 0x1e);
	EXPECT(&s, KEY_NONE, "real left Shift", SC_LSHIFT);
	EXPECT(&s, KEY_NONE, "fake left Shift release", SC_EXTENDED, SC_LSHIFT | SC_BREAK);
	EXPECT(&s, 'A', "Shift still down after a fake Shift release", 0x1e);
	EXPECT(&s, KEY_NONE, "fake right Shift press and release", SC_EXTENDED, SC_RSHIFT,
	       SC_EXTENDED, SC_RSHIFT | SC_BREAK);
	EXPECT(&s, 'B', "left Shift still down", 0x30);
	EXPECT(&s, 'b', "released", SC_LSHIFT | SC_BREAK, 0x30);
	EXPECT(&s, KEY_UP, "arrows ignore Shift", SC_RSHIFT, SC_EXTENDED, SC_E0_UP);
	EXPECT(&s, '\n', "keypad Enter with Shift", SC_EXTENDED, SC_E0_ENTER);
	EXPECT(&s, KEY_NONE, "right Shift released", SC_RSHIFT | SC_BREAK);
	/* Bytes that are no key. */
	EXPECT(&s, KEY_NONE, "0xfa acknowledgement", 0xfa);
	EXPECT(&s, KEY_NONE, "Pause (0xe1 sequence)", 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
	EXPECT(&s, 'c', "after Pause", 0x2e);
}

/* Two decoders at once: all state must live in the struct. */
static void test_independent(void)
{
	struct kbd_state a = { 0 }, b = { 0 };

	EXPECT(&a, KEY_NONE, "a: Shift", SC_LSHIFT);
	EXPECT(&b, 'q', "b: no Shift", 0x10);
	EXPECT(&a, KEY_NONE, "a: prefix", SC_EXTENDED);
	EXPECT(&b, '8', "b: keypad 8 while a has a prefix", 0x48);
	EXPECT(&a, KEY_UP, "a: up", SC_E0_UP);
	EXPECT(&b, KEY_NONE, "b: Caps Lock", SC_CAPSLOCK);
	EXPECT(&a, 'W', "a: Shift only", 0x11);
	EXPECT(&b, 'W', "b: Caps Lock only", 0x11);
}

/* The model: what a key stream should give, written from kbd.h's contract. */
struct model {
	bool ext, lshift, rshift, caps, caps_down;
};

static int model_decode(struct model *m, uint8_t code)
{
	bool ext = m->ext;
	int c;

	m->ext = code == SC_EXTENDED;
	if (code == SC_EXTENDED)
		return KEY_NONE;
	if (code & SC_BREAK) {
		if (!ext) {
			m->lshift &= (code & 0x7f) != SC_LSHIFT;
			m->rshift &= (code & 0x7f) != SC_RSHIFT;
			m->caps_down &= (code & 0x7f) != SC_CAPSLOCK;
		}
		return KEY_NONE;
	}
	if (ext) {
		static const int ext_keys[][2] = {
			{ SC_E0_UP, KEY_UP },     { SC_E0_DOWN, KEY_DOWN },
			{ SC_E0_LEFT, KEY_LEFT }, { SC_E0_RIGHT, KEY_RIGHT },
			{ SC_E0_ENTER, '\n' },    { SC_E0_SLASH, '/' }
		};
		for (size_t i = 0; i < sizeof(ext_keys) / sizeof(ext_keys[0]); i++) {
			if (ext_keys[i][0] == code)
				return ext_keys[i][1];
		}
		return KEY_NONE;
	}
	if (code == SC_LSHIFT || code == SC_RSHIFT) {
		*(code == SC_LSHIFT ? &m->lshift : &m->rshift) = true;
		return KEY_NONE;
	}
	if (code == SC_CAPSLOCK) {
		m->caps ^= !m->caps_down;
		m->caps_down = true;
		return KEY_NONE;
	}
	c = (m->lshift || m->rshift) ? kbd_map_shift[code] : kbd_map[code];
	if (m->caps && c >= 'a' && c <= 'z')
		c += 'A' - 'a';
	else if (m->caps && c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	return c ? c : KEY_NONE;
}

/*
 * Random typing: mostly letters and digits, often the modifiers, sometimes extended keys
 * (including fake shifts), each press followed later by its release, in random interleavings.
 */
static void test_random(void)
{
	static const uint8_t common[] = { 0x1e, 0x30, 0x2e,      0x20,      0x12,        0x02,
					  0x03, 0x0c, 0x27,      0x35,      0x39,        0x1c,
					  0x48, 0x50, SC_LSHIFT, SC_RSHIFT, SC_CAPSLOCK, 0x1d,
					  0x38, 0x0e, 0x29,      0x2b };
	static const uint8_t extended[] = { SC_E0_UP,    SC_E0_DOWN,  SC_E0_LEFT, SC_E0_RIGHT,
					    SC_E0_ENTER, SC_E0_SLASH, SC_LSHIFT,  SC_RSHIFT,
					    0x1d,        0x38,        0x47,       0x53 };

	for (int round = 0; round < 200; round++) {
		struct kbd_state s = { 0 };
		struct model m = { 0 };
		uint8_t down[8][2];
		int ndown = 0;
		char a[16], b[16];

		for (int step = 0; step < 400; step++) {
			uint8_t bytes[2];
			int n = 0;
			uint64_t r = rng_next();

			if (ndown > 0 && (ndown == 8 || r % 3 == 0)) {
				int k = (int)((r >> 8) % (uint64_t)ndown); /* release a held key */

				if (down[k][0])
					bytes[n++] = SC_EXTENDED;
				bytes[n++] = down[k][1] | SC_BREAK;
				down[k][0] = down[ndown - 1][0];
				down[k][1] = down[ndown - 1][1];
				ndown--;
			} else if ((r >> 8) % 100 < 3 && ndown > 0) {
				bytes[n++] =
					down[0][0] ? SC_EXTENDED : down[0][1]; /* auto-repeat */
				if (down[0][0])
					bytes[n++] = down[0][1];
			} else {
				bool ext = (r >> 16) % 6 == 0;
				uint8_t code = ext ? extended[(r >> 24) % sizeof(extended)] :
					       (r >> 24) % 4 == 0 ?
						     (uint8_t)(1 + (r >> 32) % 0x58) :
						     common[(r >> 24) % sizeof(common)];

				if (ext)
					bytes[n++] = SC_EXTENDED;
				bytes[n++] = code;
				down[ndown][0] = ext;
				down[ndown][1] = code;
				ndown++;
			}
			for (int i = 0; i < n; i++) {
				int want = model_decode(&m, bytes[i]);
				int got = kbd_decode(&s, bytes[i]);

				if (!harness_check(
					    got == want,
					    "round %d step %d: byte 0x%02x gave %s, expected %s",
					    round, step, bytes[i], key_name(got, a, sizeof(a)),
					    key_name(want, b, sizeof(b))))
					return;
			}
		}
	}
}

int main(void)
{
	harness_init();
	harness_run("plain keys", test_plain);
	harness_run("shift", test_shift);
	harness_run("caps lock", test_caps_lock);
	harness_run("extended keys", test_extended);
	harness_run("independent states", test_independent);
	harness_run("random streams", test_random);
	return harness_finish();
}
