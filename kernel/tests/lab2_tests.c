/*
 * lab2_tests.c: in-kernel tests for lab 2 (the VGA text console).
 *
 * Each test clears the screen and writes a byte stream drawn from the boot's token: text in
 * random colours, more lines than fit, lines that wrap, colour escape sequences, control
 * characters. The screen itself is the result: the grader boots each test alone with "hold",
 * reads video memory and the CRTC cursor registers through QEMU, and compares them with what its
 * own terminal model (grade/gradelib/lab2_model.py) draws for the same stream. The draws below
 * and the model's must stay in the same order.
 */
#include <stdint.h>

#include "kprintf.h"
#include "ktest.h"
#include "vga.h"
#include "vga_console.h"
#include "x86.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

static char random_char(struct rng *r)
{
	return alphabet[rng_below(r, 62)];
}

/* The first cursor position off the screen after a byte (the invariant of the handout's 5.1). */
static bool strayed;
static int strayed_row, strayed_col;

static void put(char c)
{
	vga_console_putc(c);
	if (!strayed && (vga_con.row < 0 || vga_con.row >= VGA_ROWS || vga_con.col < 0 ||
			 vga_con.col >= VGA_COLS)) {
		strayed = true;
		strayed_row = vga_con.row;
		strayed_col = vga_con.col;
	}
}

static void put_str(const char *s)
{
	while (*s)
		put(*s++);
}

/* Fail the test (and return from it) if the cursor ever left the screen. */
#define KT_ASSERT_STAYED_ON_SCREEN()                                                         \
	KT_ASSERT(!strayed,                                                                  \
		  "after a byte the cursor was at (%d, %d), off the screen (rows 0..24, "    \
		  "columns 0..79)", strayed_row, strayed_col)

/* Start from a blank screen in the default colour with the cursor at (row, col). */
static void reset_screen(int row, int col)
{
	vga_con.attr = 0x07;
	vga_con.esc_state = 0;
	vga_clear(&vga_con);
	vga_con.row = row;
	vga_con.col = col;
	strayed = false;
}

static uint16_t cell_at(int row, int col)
{
	return vga_con.cells[row * VGA_COLS + col];
}

static void crtc_set(uint8_t reg, uint8_t value)
{
	outb(0x3d4, reg);
	outb(0x3d5, value);
}

/*
 * Random text in a random vga_attr() colour at a random place, on a screen cleared in that
 * colour. Before it, the cursor is switched off by hand, with the bits vga_cursor_enable() must
 * leave alone set (0x0a bits 7..6, 0x0b bit 7), and its location zeroed; vga_cursor_enable() is
 * then called again. The grader checks the CRTC registers after the test (lab2.cursor): the text
 * ends on row 4 or below, where the cursor index has a high byte that is not 0 and differs from
 * the low byte, so a half-written or byte-swapped location always shows.
 */
KTEST(lab2, write)
{
	struct rng r = ktest_rng();
	int fg = (int)rng_below(&r, 16), bg = (int)rng_below(&r, 8), blink = (int)rng_below(&r, 2);
	int len = 5 + (int)rng_below(&r, 30);
	char text[40];

	for (int i = 0; i < len; i++)
		text[i] = random_char(&r);
	int row = 4 + (int)rng_below(&r, VGA_ROWS - 4);
	int col = (int)rng_below(&r, (uint64_t)(VGA_COLS - len));
	int end = row * VGA_COLS + col + len;

	if ((end >> 8) == (end & 0xff))
		col += col > 0 ? -1 : 1;
	if (fg == VGA_LIGHT_GREY && bg == VGA_BLACK && !blink)
		fg = VGA_WHITE; /* never the colour vga_clear() would use by default */

	crtc_set(0x0a, 0xc0 | 0x20 | 15); /* reserved bits set, cursor off, start line 15 */
	crtc_set(0x0b, 0x80 | 0);         /* reserved bit set, end line 0 */
	crtc_set(0x0e, 0);
	crtc_set(0x0f, 0);
	vga_cursor_enable();

	uint8_t attr = (uint8_t)(blink << 7 | bg << 4 | fg);
	KT_ASSERT(vga_attr(fg, bg, blink) == attr, "vga_attr(%d, %d, %d) = 0x%02x, expected 0x%02x",
		  fg, bg, blink, vga_attr(fg, bg, blink), attr);

	reset_screen(0, 0);
	vga_con.attr = vga_attr(fg, bg, blink);
	vga_con.row = row;
	vga_con.col = col;
	vga_clear(&vga_con); /* blanks in the text's colour */
	KT_ASSERT(vga_con.row == 0 && vga_con.col == 0,
		  "vga_clear() left the cursor at (%d, %d); it must go home to (0, 0)", vga_con.row,
		  vga_con.col);
	vga_con.row = row;
	vga_con.col = col;
	for (int i = 0; i < len; i++)
		put(text[i]);
	for (int i = 0; i < len; i++) {
		uint16_t want = vga_cell((uint8_t)text[i], attr);
		KT_ASSERT(cell_at(row, col + i) == want,
			  "cell (%d, %d) holds 0x%04x, expected 0x%04x", row, col + i,
			  cell_at(row, col + i), want);
	}
	KT_ASSERT(vga_con.row == row && vga_con.col == col + len,
		  "after the text the cursor is at (%d, %d), expected (%d, %d)", vga_con.row,
		  vga_con.col, row, col + len);
}

/*
 * 26 to 45 numbered lines of random length, the last three in a random colour other than 0x07
 * (set in vga_con.attr directly), so the blank rows that scroll in must take that colour.
 */
KTEST(lab2, scroll)
{
	struct rng r = ktest_rng();
	int lines = 26 + (int)rng_below(&r, 20);
	uint8_t colour = (uint8_t)(1 + rng_below(&r, 255));

	if (colour == 0x07)
		colour = 0x70;
	reset_screen(0, 0);
	for (int i = 0; i < lines; i++) {
		int len = (int)rng_below(&r, 60);

		if (i == lines - 3)
			vga_con.attr = colour;
		put((char)('0' + i / 10));
		put((char)('0' + i % 10));
		put(':');
		for (int k = 0; k < len; k++)
			put(random_char(&r));
		put('\n');
	}
	KT_ASSERT_STAYED_ON_SCREEN();
	KT_ASSERT(vga_con.row == VGA_ROWS - 1 && vga_con.col == 0,
		  "after %d lines the cursor is at (%d, %d), expected (24, 0)", lines, vga_con.row,
		  vga_con.col);
}

/*
 * Text starting near the end of a row and continuing onto the next; then text that exactly fills
 * the end of row 24, whose last character must scroll the screen at once (eager wrapping) and
 * leave the cursor at (24, 0).
 */
KTEST(lab2, wrap)
{
	struct rng r = ktest_rng();
	int row = (int)rng_below(&r, 20);
	int before = 1 + (int)rng_below(&r, 40); /* characters that fit on the first row */
	int after = 1 + (int)rng_below(&r, 60);  /* characters that wrap to the next */
	char text[100];

	for (int i = 0; i < before + after; i++)
		text[i] = random_char(&r);
	reset_screen(row, VGA_COLS - before);
	for (int i = 0; i < before + after; i++)
		put(text[i]);
	uint16_t want = vga_cell((uint8_t)text[before], 0x07);
	KT_ASSERT(cell_at(row + 1, 0) == want, "cell (%d, 0) holds 0x%04x, expected 0x%04x",
		  row + 1, cell_at(row + 1, 0), want);

	int last = 1 + (int)rng_below(&r, 40); /* characters that end exactly in (24, 79) */
	vga_con.row = VGA_ROWS - 1;
	vga_con.col = VGA_COLS - last;
	for (int i = 0; i < last; i++)
		put(random_char(&r));
	KT_ASSERT_STAYED_ON_SCREEN();
	KT_ASSERT(vga_con.row == VGA_ROWS - 1 && vga_con.col == 0,
		  "after writing into (24, 79) the cursor is at (%d, %d); the screen should have "
		  "scrolled at once and the cursor be at (24, 0)", vga_con.row, vga_con.col);
}

/*
 * Escape sequences with one job each, every one after a state in which getting it wrong changes
 * the colour of the character that follows (the comment gives the attribute a correct console
 * ends with). Kept in step with FIXED_SGR in grade/gradelib/lab2_model.py.
 */
static const char *const fixed_sgr[] = {
	"\033[1;5;31;44mA",          /* 0x9c: bright, blink, red on blue */
	"\033[mB",                   /* 0x07: no parameter is a reset */
	"\033[1m\033[32mC",          /* 0x0a: 30..37 keep the bright bit */
	"\033[0;94mD",               /* 0x09: 90..97 set it */
	"\033[0;1;5;33;44m\033[39mE", /* 0x97: 39 is light grey and clears bright */
	"\033[49mF",                 /* 0x87: 49 is black and keeps blink */
	"\033[25mG",                 /* 0x07: 25 clears blink */
	"\033[5m\033[42mH",          /* 0xa7: 40..47 keep blink */
	"\033[0;7;22;35;100;46mI",   /* 0x35: unknown parameters are skipped, not the end */
	"\033[5;1;31;44m\033[0;32mJ", /* 0x02: 0 clears blink, bright and background too */
	"\033[1;;34mK",              /* 0x01: an empty parameter is 0 */
	"\033[;45mL",                /* 0x57: an empty first parameter too */
	"\033[0m\033[30;47m0\033[31;46m1\033[32;45m2\033[33;44m3" /* every ANSI colour, */
	"\033[34;43m4\033[35;42m5\033[36;41m6\033[37;40m7",        /* foreground and background */
	"\033[0m\033[90;100m0\033[91;101m1\033[92;102m2\033[93;103m3" /* 90..97; 100..107 ignored */
	"\033[94;104m4\033[95;105m5\033[96;106m6\033[97;107m7",
	"\033[2J\033[1;3qM\033x",    /* other final bytes are swallowed; ESC x shows the x */
};

KTEST(lab2, color)
{
	struct rng r = ktest_rng();
	char seq[64];

	/* vga_attr() cuts its arguments to their fields (vga_console.h) */
	for (int fg = 0; fg < 16; fg++) {
		int bg = (fg * 5 + 3) % 8;

		KT_ASSERT(vga_attr(fg, bg + 8, false) == (bg << 4 | fg),
			  "vga_attr(%d, %d, false) = 0x%02x, expected 0x%02x: a background above 7 "
			  "must not reach the blink bit", fg, bg + 8, vga_attr(fg, bg + 8, false),
			  bg << 4 | fg);
		KT_ASSERT(vga_attr(fg + 16, bg, true) == (0x80 | bg << 4 | fg),
			  "vga_attr(%d, %d, true) = 0x%02x, expected 0x%02x: a foreground above 15 "
			  "must not reach the background", fg + 16, bg, vga_attr(fg + 16, bg, true),
			  0x80 | bg << 4 | fg);
	}
	reset_screen((int)rng_below(&r, 20), 0);
	vga_console_set_mirror(true); /* through kprintf, as the rest of the kernel prints */
	for (int seg = 0; seg < 6; seg++) {
		int n = 0;
		bool reset = rng_below(&r, 4) == 0;
		int fg = (int)rng_below(&r, 16), bg = (int)rng_below(&r, 8);
		bool bold = rng_below(&r, 3) == 0, blink = rng_below(&r, 3) == 0;
		int len = 3 + (int)rng_below(&r, 6);

		n += ksnprintf(seq + n, sizeof(seq) - n, "\033[%s%d;%d%s%s", reset ? "0;" : "",
			       fg < 8 ? 30 + fg : 90 + fg - 8, 40 + bg, bold ? ";1" : "",
			       blink ? ";5" : "");
		seq[n++] = 'm';
		for (int k = 0; k < len; k++)
			seq[n++] = random_char(&r);
		seq[n] = '\0';
		kprintf("%s", seq);
	}
	for (size_t i = 0; i < sizeof(fixed_sgr) / sizeof(fixed_sgr[0]); i++)
		kprintf("%s", fixed_sgr[i]);
	kprintf("\033[1;5;36;41m\033[mN"); /* the reset must show on the screen, too */
	vga_console_set_mirror(false);
	KT_ASSERT(vga_con.attr == 0x07, "after \"ESC [ m\" the colour is 0x%02x, expected 0x07",
		  vga_con.attr);
}

/*
 * Control characters, each where a plausible mistake shows on the screen: a tab from inside a
 * stop and from a stop, carriage return (nothing erased), a tab over text (it writes blanks),
 * backspaces that erase, a backspace at column 0 (nothing happens), unprintable bytes
 * (placeholders), a tab from the last stop of a row (it wraps to column 0) and one from the last
 * stop of row 24 (it scrolls).
 */
KTEST(lab2, control)
{
	struct rng r = ktest_rng();
	int row = (int)rng_below(&r, 17);
	int a = 1 + (int)rng_below(&r, 6);
	int b = 2 + (int)rng_below(&r, 5);

	reset_screen(row, 0);
	for (int i = 0; i < a; i++)
		put(random_char(&r));
	put('\t');
	put('X');
	put('\r');
	put('Y');
	put('\n');
	for (int i = 0; i < b; i++)
		put(random_char(&r));
	put('\b');
	put('Z');
	put('\t');
	put('\t');
	put('\x01');
	put((char)0xc8);
	put('\n');
	KT_ASSERT(cell_at(row, 8) == vga_cell('X', 0x07), "after a tab, 'X' should be in column 8");

	int c = 10 + (int)rng_below(&r, 8);
	for (int i = 0; i < c; i++)
		put(random_char(&r));
	put_str("\r\tK");          /* blanks over columns 0..7, K in column 8 */
	for (int i = 0; i < 4; i++)
		put(random_char(&r));
	put_str("\b\b\n\bW");      /* two erased; then a backspace at column 0 does nothing */
	put('\x7f');              /* placeholders: DEL, NUL, a control byte, bytes above 0x7f */
	put('\0');
	put('\x1f');
	put((char)0x80);
	put((char)0xff);
	put('\n');

	int d = 72 + (int)rng_below(&r, 8); /* the last stop of the row, or just after it */
	for (int i = 0; i < d; i++)
		put(random_char(&r));
	put_str("\tT");            /* the tab wraps; T in column 0 of the next row */
	vga_con.row = VGA_ROWS - 1;
	vga_con.col = 0;
	int e = 72 + (int)rng_below(&r, 8);
	for (int i = 0; i < e; i++)
		put(random_char(&r));
	put('\t');                 /* fills row 24 and scrolls */
	KT_ASSERT_STAYED_ON_SCREEN();
	KT_ASSERT(vga_con.row == VGA_ROWS - 1 && vga_con.col == 0,
		  "after a tab from (24, %d) the cursor is at (%d, %d), expected (24, 0)", e,
		  vga_con.row, vga_con.col);
}
