/*
 * Host tests for kernel/lib/kprintf.c. The kernel's formatter is compiled natively and run side
 * by side with the host C library: for every combination of flags, width, precision, length
 * modifier and conversion in the tables below, and for edge values of every integer type, the
 * output and return value of ksnprintf() must equal those of snprintf(). Where the kernel
 * deliberately differs (%p, NULL strings, unknown conversions) the expected text is spelt out.
 * Truncation is checked with buffers of exactly the given size, so AddressSanitizer catches any
 * write past the end.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "harness.h"
#include "kprintf.h"

/* These tests truncate output and pass NULL to %s on purpose; gcc would warn about both. */
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif

static char kbuf[2048], hbuf[2048];

/* Writes text[0..n) into out as a C string literal body, escaping what is not printable. */
static const char *show(const char *text, int n, char *out, size_t size)
{
	size_t o = 0;

	for (int i = 0; i < n && o + 8 < size; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

/* Compares kbuf/rk with the expected text/return value, both sized like a 2048-byte buffer. */
static void expect(const char *fmt, int rk, const char *want, int rwant)
{
	int len = rwant < (int)sizeof(kbuf) ? rwant : (int)sizeof(kbuf) - 1;
	int klen = rk >= 0 && rk < (int)sizeof(kbuf) ? rk : (int)sizeof(kbuf) - 1;
	char a[256], b[256], f[128];

	harness_check(rk == rwant && memcmp(kbuf, want, (size_t)len) == 0 && kbuf[len] == '\0',
		      "format \"%s\": got %d \"%s\", want %d \"%s\"",
		      show(fmt, (int)strlen(fmt), f, 128), rk, show(kbuf, klen, a, sizeof(a)),
		      rwant, show(want, len, b, sizeof(b)));
}

/* Runs ksnprintf and snprintf with the same format and arguments and compares them. */
#define SAME(fmt, ...)                                                       \
	do {                                                                 \
		int rk_ = ksnprintf(kbuf, sizeof(kbuf), fmt, ##__VA_ARGS__); \
		int rh_ = snprintf(hbuf, sizeof(hbuf), fmt, ##__VA_ARGS__);  \
		expect(fmt, rk_, hbuf, rh_);                                 \
	} while (0)

/* Runs ksnprintf and compares it with a fixed expected text. */
#define WANT(want, fmt, ...)                                                 \
	do {                                                                 \
		int rk_ = ksnprintf(kbuf, sizeof(kbuf), fmt, ##__VA_ARGS__); \
		expect(fmt, rk_, want, (int)strlen(want));                   \
	} while (0)

/* Integer values tried with every format: small, boundary and large, positive and negative. */
/* clang-format off */
static const uint64_t values[] = {
	0, 1, 2, 7, 9, 10, 15, 16, 99, 100, 127, 128, 255, 256, 4095, 32767, 32768, 65535, 65536,
	1000000007, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x123456789abcdef0,
	INT64_MAX, (uint64_t)INT64_MIN, UINT64_MAX, (uint64_t)-1, (uint64_t)-2, (uint64_t)-10,
	(uint64_t)-99, (uint64_t)-128, (uint64_t)-129, (uint64_t)-32768, (uint64_t)-32769,
	(uint64_t)INT32_MIN, (uint64_t)INT32_MIN - 1, (uint64_t)-1000000007
};
static const char *const flag_sets[] = {
	"", "-", "0", "+", " ", "#", "-0", "+0", "- ", "-+", "0#", "-#", " +", "0 -"
};
/* clang-format on */
static const char *const widths[] = { "", "1", "2", "5", "12", "25", "*" };
static const char *const precisions[] = { "", ".", ".0", ".1", ".3", ".12", ".25", ".*" };
static const char *const lengths[] = { "hh", "h", "", "l", "ll", "z", "t", "j" };
static const char convs[] = "diuxX";

/* Values given for a '*' width or precision; negative ones mean '-' and "no precision". */
static const int star_widths[] = { 7, -7 };
static const int star_precisions[] = { 2, -1 };

/* Both printers with the same arguments: stars says which of w and p precede the value. */
#define BOTH(T)                                                            \
	do {                                                               \
		T v_ = (T)raw;                                             \
		switch (stars) {                                           \
		case 0:                                                    \
			rk = ksnprintf(kbuf, sizeof(kbuf), fmt, v_);       \
			rh = snprintf(hbuf, sizeof(hbuf), fmt, v_);        \
			break;                                             \
		case 1:                                                    \
			rk = ksnprintf(kbuf, sizeof(kbuf), fmt, w, v_);    \
			rh = snprintf(hbuf, sizeof(hbuf), fmt, w, v_);     \
			break;                                             \
		case 2:                                                    \
			rk = ksnprintf(kbuf, sizeof(kbuf), fmt, p, v_);    \
			rh = snprintf(hbuf, sizeof(hbuf), fmt, p, v_);     \
			break;                                             \
		default:                                                   \
			rk = ksnprintf(kbuf, sizeof(kbuf), fmt, w, p, v_); \
			rh = snprintf(hbuf, sizeof(hbuf), fmt, w, p, v_);  \
			break;                                             \
		}                                                          \
	} while (0)

/*
 * Formats raw, converted to the type that length modifier len and conversion conv expect. With
 * as_int, raw is passed as a plain int or unsigned int whatever len says: callers often do that
 * with %hhx and %hx, and the value must then be cut down to a char or short before printing.
 */
static void compare_int(const char *fmt, int stars, int w, int p, const char *len, char conv,
			uint64_t raw, bool as_int)
{
	bool is_signed = conv == 'd' || conv == 'i';
	int rk = 0, rh = 0;

	if (as_int) {
		if (is_signed)
			BOTH(int);
		else
			BOTH(unsigned int);
	} else if (strcmp(len, "hh") == 0) {
		if (is_signed)
			BOTH(signed char);
		else
			BOTH(unsigned char);
	} else if (strcmp(len, "h") == 0) {
		if (is_signed)
			BOTH(short);
		else
			BOTH(unsigned short);
	} else if (strcmp(len, "") == 0) {
		if (is_signed)
			BOTH(int);
		else
			BOTH(unsigned int);
	} else if (strcmp(len, "l") == 0) {
		if (is_signed)
			BOTH(long);
		else
			BOTH(unsigned long);
	} else if (strcmp(len, "ll") == 0) {
		if (is_signed)
			BOTH(long long);
		else
			BOTH(unsigned long long);
	} else if (strcmp(len, "z") == 0) {
		if (is_signed)
			BOTH(ssize_t);
		else
			BOTH(size_t);
	} else if (strcmp(len, "t") == 0) {
		if (is_signed)
			BOTH(ptrdiff_t);
		else
			BOTH(size_t);
	} else {
		if (is_signed)
			BOTH(intmax_t);
		else
			BOTH(uintmax_t);
	}
	expect(fmt, rk, hbuf, rh);
}

/* One flags/width/precision prefix such as "%-08.3", with every length, conversion and value. */
static void test_integer_prefix(const char *flags, const char *width, const char *prec)
{
	int stars = (strchr(width, '*') != NULL) | (strchr(prec, '*') != NULL) << 1;
	char fmt[32];

	for (size_t li = 0; li < sizeof(lengths) / sizeof(lengths[0]); li++) {
		for (const char *c = convs; *c != '\0'; c++) {
			/* '#' is undefined for d, i and u; '+' and ' ' only matter for d and i. */
			if (*c != 'x' && *c != 'X' && strchr(flags, '#') != NULL)
				continue;
			if (*c != 'd' && *c != 'i' && strpbrk(flags, "+ ") != NULL)
				continue;
			snprintf(fmt, sizeof(fmt), "%%%s%s%s%s%c", flags, width, prec, lengths[li],
				 *c);
			for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
				/* With a '*', try both a positive and a negative star value. */
				for (int s = 0; s < (stars != 0 ? 2 : 1); s++) {
					compare_int(fmt, stars, star_widths[s], star_precisions[s],
						    lengths[li], *c, values[v], false);
					if (lengths[li][0] == 'h')
						compare_int(fmt, stars, star_widths[s],
							    star_precisions[s], lengths[li], *c,
							    values[v], true);
				}
			}
		}
	}
}

/* Every flags x width x precision x length x conversion combination, against snprintf. */
static void test_integer_matrix(void)
{
	for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
		for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++)
				test_integer_prefix(flag_sets[f], widths[w], precisions[p]);
		}
	}
}

/* Extreme values spelt out at their own types, with format strings gcc can check. */
static void test_integer_edges(void)
{
	SAME("%d %d %i", INT_MIN, INT_MAX, 0);
	SAME("%ld %ld", LONG_MIN, LONG_MAX);
	SAME("%lld %lld %llu", LLONG_MIN, LLONG_MAX, ULLONG_MAX);
	SAME("%jd %jd %ju", INTMAX_MIN, INTMAX_MAX, UINTMAX_MAX);
	SAME("%zd %zu %zx", (ssize_t)LONG_MIN, SIZE_MAX, SIZE_MAX);
	SAME("%td %tu", PTRDIFF_MIN, (size_t)PTRDIFF_MAX);
	SAME("%" PRId64 " %" PRIu64 " %" PRIx64, INT64_MIN, UINT64_MAX, UINT64_MAX);
	SAME("%hhd %hhu %hd %hu", (signed char)-128, (unsigned char)255, (short)-32768,
	     (unsigned short)65535);
	SAME("%lu %lx %lX", ULONG_MAX, ULONG_MAX, 0xabcdefUL);
	SAME("[%025ld] [%-25ld] [%+25ld]", LONG_MIN, LONG_MIN, LONG_MIN);
	SAME("%x %X %#x %#X %#.0x", 0xdeadbeefU, 0xdeadbeefU, 0xdeadbeefU, 0xdeadbeefU, 0U);
	SAME("%u %d %u", 4000000000U, -1, 0U);
}

static void test_char_and_string(void)
{
	static const char *const strs[] = {
		"", "a", "hi", "hello", "exactly twelve", "a longer string of text"
	};
	static const char *const fmts[] = { "%s",   "%5s",   "%-5s",  "%20s",   "%-20s", "%.0s",
					    "%.3s", "%.30s", "%8.2s", "%-8.2s", "%1s",   "%*s",
					    "%-*s", "%.*s",  "%*.*s", "[%s|%s]" };
	char *exact;

	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
		for (size_t s = 0; s < sizeof(strs) / sizeof(strs[0]); s++) {
			const char *fmt = fmts[f], *str = strs[s];

			if (strcmp(fmt, "%*.*s") == 0)
				SAME(fmt, 9, 3, str);
			else if (strchr(fmt, '*') != NULL)
				SAME(fmt, -9 + 4 * (int)s, str);
			else
				SAME(fmt, str, "second");
		}

	SAME("%c%c%c", 'a', ' ', '~');
	SAME("[%5c] [%-5c] [%1c] [%c]", 'x', 'y', 'z', 0xe9);
	SAME("[%*c] [%*c]", 3, 'a', -3, 'b');
	SAME("a%cb", 0); /* a NUL in the middle still counts */
	SAME("%3c|%-3c", 0, 0);

	/* A precision must stop the read: this string has no terminating NUL. */
	exact = malloc(5);
	memcpy(exact, "abcde", 5);
	SAME("[%.5s] [%.3s] [%-8.5s] [%.*s]", exact, exact, exact, 4, exact);
	free(exact);

	/* The C library leaves a NULL %s undefined; the kernel prints "(null)". */
	WANT("(null)", "%s", (char *)NULL);
	WANT("[    (null)] [(null)    ]", "[%10s] [%-10s]", (char *)NULL, (char *)NULL);
	WANT("(nu", "%.3s", (char *)NULL);
}

static void test_pointer(void)
{
	static const uintptr_t ptrs[] = {
		0, 1, 0xb8000, 0xdeadbeef, 0xffff800000000000, 0xffffffff80100000, UINTPTR_MAX
	};
	static const char *const fmts[] = { "%p", "%5p", "%18p", "%25p", "%-25p", "%*p", "%020p" };
	char want[64], digits[32];

	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
		for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
			const char *fmt = fmts[f];
			void *p = (void *)ptrs[i];
			int rk;

			/* Always "0x" and 16 digits; '0' is ignored (padding is spaces). */
			snprintf(digits, sizeof(digits), "0x%016" PRIxPTR, ptrs[i]);
			if (strcmp(fmt, "%*p") == 0) {
				snprintf(want, sizeof(want), "%*s", -22, digits);
				rk = ksnprintf(kbuf, sizeof(kbuf), fmt, -22, p);
			} else {
				int w = atoi(fmt + 1 + (fmt[1] == '-'));

				snprintf(want, sizeof(want), fmt[1] == '-' ? "%-*s" : "%*s", w,
					 digits);
				rk = ksnprintf(kbuf, sizeof(kbuf), fmt, p);
			}
			expect(fmt, rk, want, (int)strlen(want));
		}
}

static void test_literals_and_unknown(void)
{
	WANT("", "%s", "");
	SAME("plain text, no conversions");
	SAME("%%");
	SAME("100%% sure, %d%%", 42);
	SAME("%d%s%c%x%%", 1, "two", '3', 4U);

	/* Unknown conversions are copied as they are and use no argument. */
	static const char *const unknown[] = { "%q",   "a%qb", "%5q", "%-08.3lq", "%hhq",
					       "%llq", "%zq",  "%",   "abc%",     "%5",
					       "%-",   "%.",   "%l",  "%ll",      "%#",
					       "%b",   "%o",   "%f",  "%n" };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const char *fmt = unknown[i];

		expect(fmt, ksnprintf(kbuf, sizeof(kbuf), fmt, 7), fmt, (int)strlen(fmt));
	}
	const char *fmt = "%y%d|%5q%s";
	expect(fmt, ksnprintf(kbuf, sizeof(kbuf), fmt, 42, "x"), "%y42|%5qx", 9);
}

/* Widths far larger than usual, including output longer than the buffer. */
static void test_wide(void)
{
	SAME("%300d|", -5);
	SAME("%-300s|", "left");
	SAME("%0300x|", 0xabcU);
	SAME("%.300d|", 12345);
	SAME("%*d|", 3000, 1); /* longer than kbuf: truncated, full length returned */
	SAME("%-*s|", 2500, "abc");
	SAME("%s%s%s%s", "one ", "two ", "three ", "four");
}

/* ksnprintf into buffers of exactly every size from 0 up: same return and text as snprintf. */
static void test_truncation(void)
{
	static const char *const fmt = "x=%d s=%s p=%08x";
	char want[64];
	int full = snprintf(want, sizeof(want), fmt, -12345, "hello", 0xbeefU);

	for (size_t size = 0; size <= (size_t)full + 3; size++) {
		char *buf = malloc(size == 0 ? 1 : size); /* exactly size bytes, for ASan */
		char *host = malloc(size + 1);
		int rk, rh;

		if (size == 0)
			buf[0] = '#';
		rk = ksnprintf(buf, size, fmt, -12345, "hello", 0xbeefU);
		rh = snprintf(host, size, fmt, -12345, "hello", 0xbeefU);
		if (size == 0)
			harness_check(rk == rh && buf[0] == '#',
				      "size 0: returned %d (want %d), buffer %s", rk, rh,
				      buf[0] == '#' ? "untouched" : "written");
		else
			harness_check(rk == rh && strcmp(buf, host) == 0,
				      "size %zu: got %d \"%s\", want %d \"%s\"", size, rk, buf, rh,
				      host);
		free(buf);
		free(host);
	}
	harness_check(ksnprintf(NULL, 0, "%s%d", "abc", 12345) == 8,
		      "ksnprintf(NULL, 0, ...) must return the full length");
	char one[1] = { 'z' };
	harness_check(ksnprintf(one, 1, "abc") == 3 && one[0] == '\0',
		      "size 1: must hold just the NUL");
}

/* A sink that records what kvformat() hands it. */
struct record {
	char text[256];
	int calls;
};

static void record_sink(char c, void *arg)
{
	struct record *r = arg;

	if (r->calls < (int)sizeof(r->text))
		r->text[r->calls] = c;
	r->calls++;
}

static int record_format(struct record *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvformat(record_sink, r, fmt, ap);
	va_end(ap);
	return n;
}

/* kvformat() itself: one sink call per character, in order, and the count returned. */
static void test_kvformat_sink(void)
{
	struct record r = { .calls = 0 };
	const char *want = "id 7: <  ab> at 0x00000000000000ff";
	int n = record_format(&r, "id %u: <%4s> at %p", 7U, "ab", (void *)0xff);

	harness_check(n == (int)strlen(want) && r.calls == n &&
			      memcmp(r.text, want, (size_t)n) == 0,
		      "kvformat: returned %d with %d sink calls, text \"%.*s\"", n, r.calls,
		      r.calls, r.text);

	r.calls = 0;
	n = record_format(&r, "%c", 0);
	harness_check(n == 1 && r.calls == 1 && r.text[0] == '\0',
		      "kvformat: %%c of 0 must call the sink once with '\\0'");

	r.calls = 0;
	n = record_format(&r, "");
	harness_check(n == 0 && r.calls == 0, "kvformat: empty format must not call the sink");
}

int main(void)
{
	harness_init();
	harness_run("integer-matrix", test_integer_matrix);
	harness_run("integer-edges", test_integer_edges);
	harness_run("char-string", test_char_and_string);
	harness_run("pointer", test_pointer);
	harness_run("literal-unknown", test_literals_and_unknown);
	harness_run("wide", test_wide);
	harness_run("truncation", test_truncation);
	harness_run("kvformat-sink", test_kvformat_sink);
	return harness_finish();
}
