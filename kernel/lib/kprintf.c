/*
 * A small printf engine for a kernel with no C library. kvformat() reads the format string once,
 * left to right: ordinary characters go straight to the sink, and each '%' starts a conversion
 * specification (flags, width, precision, length modifier, conversion letter) that parse_spec()
 * turns into a struct spec and put_conv() prints. Integers are fetched at their real argument
 * type, widened to 64 bits, split into a sign and a magnitude and printed by repeated division,
 * which is why INT64_MIN needs no special case. The file calls no library function (not even
 * memset or strlen) and uses no floating point, so it works from the first line of kmain()
 * onwards. "man 3 printf" explains every flag; this file follows it except for %p (always
 * "0x" and 16 digits) and unknown conversions (copied to the output as they are).
 */
#include "kprintf.h"

#include <stdbool.h>
#include <stdint.h>

/* Length modifiers: the type the argument was passed as. */
enum length { LEN_INT, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

/* One parsed conversion specification, e.g. "%-08.3lx". */
struct spec {
	bool left;       /* '-': pad on the right instead of the left */
	bool zero;       /* '0': pad numbers with zeros after the sign or prefix */
	bool plus;       /* '+': print a '+' before non-negative signed numbers */
	bool space;      /* ' ': print a space there instead */
	bool alt;        /* '#': print 0x or 0X before non-zero hexadecimal numbers */
	int width;       /* minimum field width, 0 if none */
	int prec;        /* precision, -1 if none */
	enum length len; /* length modifier */
	char conv;       /* conversion letter, or '\0' if the format ended first */
};

/* Where output goes, and how much has gone there so far. */
struct out {
	kprintf_sink sink;
	void *arg;
	int count;
};

/* Caps widths and precisions so that parsing them cannot overflow an int. */
#define FIELD_MAX 100000000

/* %zd and %tu reuse the other type of the pair, which is only right if both have one size. */
_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t), "size_t and ptrdiff_t differ in size");

static void put_char(struct out *o, char c)
{
	o->sink(c, o->arg);
	o->count++;
}

static void put_repeat(struct out *o, char c, int n)
{
	for (; n > 0; n--)
		put_char(o, c);
}

static void put_text(struct out *o, const char *text, int n)
{
	for (int i = 0; i < n; i++)
		put_char(o, text[i]);
}

/* Prints the first n characters of text, padded with spaces to the field width. */
static void put_padded(struct out *o, const struct spec *s, const char *text, int n)
{
	if (!s->left)
		put_repeat(o, ' ', s->width - n);
	put_text(o, text, n);
	if (s->left)
		put_repeat(o, ' ', s->width - n);
}

/*
 * Prints prefix (a sign, "0x" or nothing) and then mag in the given base, with at least
 * s->prec digits, padded to the field width. The field is: [spaces] prefix [zeros] digits [spaces].
 */
static void put_num(struct out *o, const struct spec *s, uint64_t mag, unsigned base, bool upper,
		    const char *prefix)
{
	const char *digit_set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24]; /* 2^64 - 1 has 20 decimal digits */
	int ndigits = 0, nprefix = 0, zeros, pad;

	/* Digits come out least significant first; they are printed in reverse below. */
	for (; mag != 0; mag /= base)
		digits[ndigits++] = digit_set[mag % base];
	/* Without a precision, the minimum is one digit; "%.0d" prints nothing for 0. */
	zeros = (s->prec < 0 ? 1 : s->prec) - ndigits;
	if (zeros < 0)
		zeros = 0;
	while (prefix[nprefix] != '\0')
		nprefix++;
	pad = s->width - (nprefix + zeros + ndigits);
	/* The '0' flag turns the padding into leading zeros, unless '-' or a precision is given. */
	if (s->zero && !s->left && s->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}
	if (!s->left)
		put_repeat(o, ' ', pad);
	put_text(o, prefix, nprefix);
	put_repeat(o, '0', zeros);
	while (ndigits > 0)
		put_char(o, digits[--ndigits]);
	if (s->left)
		put_repeat(o, ' ', pad);
}

/* Reads a width or precision at *fmt: digits, or '*' to take it from the arguments. */
static int parse_field(const char **fmt, va_list *ap)
{
	int n = 0;

	if (**fmt == '*') {
		(*fmt)++;
		n = va_arg(*ap, int);
		return n < -FIELD_MAX ? -FIELD_MAX : n;
	}
	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
		if (n < FIELD_MAX)
			n = n * 10 + (**fmt - '0');
	}
	return n;
}

/* Parses the specification after a '%' into *s. Returns where the specification ends. */
static const char *parse_spec(const char *fmt, struct spec *s, va_list *ap)
{
	for (;; fmt++) {
		if (*fmt == '-')
			s->left = true;
		else if (*fmt == '0')
			s->zero = true;
		else if (*fmt == '+')
			s->plus = true;
		else if (*fmt == ' ')
			s->space = true;
		else if (*fmt == '#')
			s->alt = true;
		else
			break;
	}
	s->width = parse_field(&fmt, ap);
	if (s->width < 0) { /* only possible through '*': it means '-' and the absolute value */
		s->left = true;
		s->width = -s->width;
	}
	s->prec = -1;
	if (*fmt == '.') {
		fmt++;
		s->prec = parse_field(&fmt, ap);
		if (s->prec < 0) /* a negative '*' precision counts as none */
			s->prec = -1;
	}
	s->len = LEN_INT;
	if (*fmt == 'h') {
		s->len = fmt[1] == 'h' ? LEN_HH : LEN_H;
		fmt += s->len == LEN_HH ? 2 : 1;
	} else if (*fmt == 'l') {
		s->len = fmt[1] == 'l' ? LEN_LL : LEN_L;
		fmt += s->len == LEN_LL ? 2 : 1;
	} else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') {
		s->len = *fmt == 'z' ? LEN_Z : *fmt == 't' ? LEN_T : LEN_J;
		fmt++;
	}
	s->conv = *fmt;
	return *fmt != '\0' ? fmt + 1 : fmt;
}

/* Fetches the next signed integer argument at the type s->len names. */
static int64_t next_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: /* char and short arguments arrive promoted to int */
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z: /* the signed type as wide as size_t */
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Fetches the next unsigned integer argument at the type s->len names. */
static uint64_t next_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z: /* the unsigned type as wide as ptrdiff_t */
	case LEN_T:
		return va_arg(*ap, size_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Prints one conversion. Returns false, printing nothing, if s->conv is not a known one. */
static bool put_conv(struct out *o, struct spec *s, va_list *ap)
{
	const char *text;
	int64_t v;
	uint64_t u;
	char c;
	int n = 0;

	switch (s->conv) {
	case 'c':
		/* Printed from a variable, not as a string: the character may be '\0'. */
		c = (char)va_arg(*ap, int);
		put_padded(o, s, &c, 1);
		return true;
	case 's':
		text = va_arg(*ap, const char *);
		if (text == NULL)
			text = "(null)";
		/* Never read past the precision: the text need not be NUL-terminated then. */
		while ((s->prec < 0 || n < s->prec) && text[n] != '\0')
			n++;
		put_padded(o, s, text, n);
		return true;
	case 'd':
	case 'i':
		v = next_signed(ap, s->len);
		/* Negate in unsigned arithmetic: -INT64_MIN does not fit in an int64_t. */
		u = v < 0 ? -(uint64_t)v : (uint64_t)v;
		text = v < 0 ? "-" : s->plus ? "+" : s->space ? " " : "";
		put_num(o, s, u, 10, false, text);
		return true;
	case 'u':
		put_num(o, s, next_unsigned(ap, s->len), 10, false, "");
		return true;
	case 'x':
	case 'X':
		u = next_unsigned(ap, s->len);
		text = !s->alt || u == 0 ? "" : s->conv == 'x' ? "0x" : "0X";
		put_num(o, s, u, 16, s->conv == 'X', text);
		return true;
	case 'p':
		/* Always all 16 digits, so that addresses line up; pad with spaces only. */
		s->prec = 16;
		s->zero = false;
		put_num(o, s, (uintptr_t)va_arg(*ap, void *), 16, false, "0x");
		return true;
	case '%':
		put_char(o, '%');
		return true;
	default:
		return false;
	}
}

int kvformat(kprintf_sink sink, void *arg, const char *fmt, va_list ap)
{
	struct out o = { .sink = sink, .arg = arg, .count = 0 };
	va_list args;

	/* A copy, so that the helpers can take its address (ap may really be a pointer). */
	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *start = fmt;
		struct spec s = { 0 };

		if (*fmt != '%') {
			put_char(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		/* An unknown conversion, or a '%' at the very end, is copied out as it stands. */
		if (!put_conv(&o, &s, &args))
			put_text(&o, start, (int)(fmt - start));
	}
	va_end(args);
	return o.count;
}

/* State of a kvsnprintf() in progress: the buffer, its size, and the characters seen so far. */
struct buf_sink {
	char *buf;
	size_t size;
	size_t len;
};

static void buf_put(char c, void *arg)
{
	struct buf_sink *b = arg;

	/* Keep the last byte for the terminating NUL; count everything. */
	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { .buf = buf, .size = size, .len = 0 };
	int n = kvformat(buf_put, &b, fmt, ap);

	if (size > 0)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
